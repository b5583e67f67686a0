"""The intuition page's figure, read back from the figure object."""

from __future__ import annotations

import numpy as np
import pytest

from calc_core.derivatives import TangentLine
from calc_core.fitting import best_weight, gradient_step, toy_data
from viz.format import number
from viz.intuition import intuition_figure, intuition_summary

DATA = toy_data()
W_RANGE = (-1.0, 4.0)


def _figure(w: float, lr: float, history=()):
    step = gradient_step(w, lr, DATA)
    tangent = TangentLine(x0=w, y0=step.loss, slope=step.slope)
    return step, intuition_figure(DATA, W_RANGE, tangent, step, history, best_weight(DATA))


def _trace(fig, name_start: str):
    return next(t for t in fig.data if t.name and t.name.startswith(name_start))


def test_fit_panel_draws_data_line_and_errors():
    """Data points, the line ŷ = w·x and one error segment per point, on the left axes."""
    _, fig = _figure(1.5, 0.05)
    line = _trace(fig, "model")
    assert np.allclose(np.asarray(line.y), 1.5 * np.asarray(line.x))
    assert len(_trace(fig, "data").x) == len(DATA.x)
    errors = np.asarray(_trace(fig, "error").y, dtype=float)
    assert np.isnan(errors).sum() == len(DATA.x)
    assert np.asarray(line.x).dtype == np.float32
    assert {line.xaxis, _trace(fig, "data").xaxis} == {"x"}


def test_loss_panel_tangent_has_the_slope_of_the_step():
    """The tangent drawn at w rises by dL/dw per unit of w, on the right axes."""
    step, fig = _figure(0.5, 0.05, history=[0.0, 0.3])
    drawn = _trace(fig, "tangent")
    x, y = np.asarray(drawn.x, dtype=float), np.asarray(drawn.y, dtype=float)
    assert np.isclose((y[1] - y[0]) / (x[1] - x[0]), step.slope, rtol=1e-4)
    assert drawn.xaxis == "x2" and drawn.yaxis == "y2"
    assert list(_trace(fig, "steps taken").x) == [0.0, np.float32(0.3)]
    arrow = _trace(fig, "next step")
    assert np.isclose(arrow.x[-1], step.w_next) and np.isclose(arrow.y[-1], step.loss_next)


def test_the_minimum_is_marked_where_the_slope_vanishes():
    """A dashed line stands at the least-squares weight."""
    _, fig = _figure(0.0, 0.05)
    (line,) = fig.layout.shapes
    assert np.isclose(line.x0, best_weight(DATA)) and line.xref == "x2"


def test_at_the_minimum_there_is_no_step_to_draw():
    """With zero learning rate the step goes nowhere, so no arrow is drawn."""
    _, fig = _figure(1.0, 0.0)
    assert not [t for t in fig.data if t.name and t.name.startswith("next step")]


def _by_hand(w: float, lr: float) -> dict[str, float]:
    """L, dL/dw and the next w from the six points, written out without calc_core."""
    pairs = list(zip(DATA.x.tolist(), DATA.y.tolist(), strict=True))
    loss = sum((w * x - y) ** 2 for x, y in pairs) / len(pairs)
    slope = sum(2 * x * (w * x - y) for x, y in pairs) / len(pairs)
    w_next = w - lr * slope
    loss_next = sum((w_next * x - y) ** 2 for x, y in pairs) / len(pairs)
    best = sum(x * y for x, y in pairs) / sum(x * x for x, _ in pairs)
    return {"loss": loss, "slope": slope, "w_next": w_next, "loss_next": loss_next, "best": best}


@pytest.mark.parametrize(("w", "lr", "steps"), [(0.0, 0.05, 0), (3.0, 0.12, 1), (1.25, 0.3, 7)])
def test_the_summary_reads_out_weight_loss_slope_and_step(w, lr, steps):
    """The chart's text holds w, L(w), dL/dw, η, the steps taken, the next w and the minimum."""
    expected = _by_hand(w, lr)
    text = intuition_summary(gradient_step(w, lr, DATA), steps, best_weight(DATA))
    assert f"Weight w = {number(w)}," in text
    assert f"loss L(w) = {number(expected['loss'])}," in text
    assert f"slope dL/dw = {number(expected['slope'])}:" in text
    assert f"{steps} gradient step{'' if steps == 1 else 's'} taken" in text
    assert f"η = {number(lr)};" in text
    assert f"w = {number(expected['w_next'])}, loss {number(expected['loss_next'])}." in text
    assert f"lowest at w = {number(expected['best'])}." in text
    way = "moves w right" if expected["slope"] < 0 else "moves w left"
    assert way in text


def test_the_summary_says_when_the_loss_is_flat():
    """At the least-squares weight the slope is zero and the text says so."""
    text = intuition_summary(gradient_step(best_weight(DATA), 0.05, DATA), 3, best_weight(DATA))
    assert "flat here, at its minimum" in text
