"""Figures of the intuition page, read back from the figure objects."""

from __future__ import annotations

import numpy as np

from calc_core.derivatives import TangentLine
from calc_core.fitting import gradient_step, toy_data
from viz.intuition import loss_curve_figure, model_fit_figure

DATA = toy_data()


def _trace(fig, name_start: str):
    return next(t for t in fig.data if t.name and t.name.startswith(name_start))


def test_model_fit_draws_data_line_and_errors():
    """Data points, the line ŷ = w·x and one error segment per point."""
    fig = model_fit_figure(DATA, 1.5)
    line = _trace(fig, "model")
    assert np.allclose(np.asarray(line.y), 1.5 * np.asarray(line.x))
    assert len(_trace(fig, "data").x) == len(DATA.x)
    errors = np.asarray(_trace(fig, "error").y, dtype=float)
    assert np.isnan(errors).sum() == len(DATA.x)
    assert np.asarray(line.x).dtype == np.float32


def test_loss_figure_tangent_has_the_slope_of_the_step():
    """The tangent drawn at w rises by dL/dw per unit of w."""
    step = gradient_step(0.5, 0.05, DATA)
    tangent = TangentLine(x0=0.5, y0=step.loss, slope=step.slope)
    fig = loss_curve_figure(DATA, (-1.0, 4.0), tangent, step, history=[0.0, 0.3], best_w=2.0)
    drawn = _trace(fig, "tangent")
    x, y = np.asarray(drawn.x, dtype=float), np.asarray(drawn.y, dtype=float)
    assert np.isclose((y[1] - y[0]) / (x[1] - x[0]), step.slope, rtol=1e-4)
    assert list(_trace(fig, "steps taken").x) == [0.0, np.float32(0.3)]
    arrows = [a for a in fig.layout.annotations if a.showarrow and a.axref == "x"]
    assert len(arrows) == 1 and np.isclose(arrows[0].x, step.w_next)


def test_loss_figure_at_the_minimum_has_no_arrow():
    """At zero slope the step goes nowhere, so no arrow is drawn."""
    step = gradient_step(1.0, 0.0, DATA)
    tangent = TangentLine(x0=1.0, y0=step.loss, slope=step.slope)
    fig = loss_curve_figure(DATA, (-1.0, 4.0), tangent, step)
    assert not [a for a in fig.layout.annotations if a.axref == "x"]
