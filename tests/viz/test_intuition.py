"""The intuition page's figure, read back from the figure object."""

from __future__ import annotations

import numpy as np

from calc_core.derivatives import TangentLine
from calc_core.fitting import best_weight, gradient_step, toy_data
from viz.intuition import intuition_figure

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
