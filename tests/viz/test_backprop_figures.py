"""The backpropagation figure: heat map on the grid, points by class, loss and norm traces."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from calc_core.mlp import (
    PLANTED_BUGS,
    forward,
    gradient_check,
    init_params,
    loss_and_gradients,
    one_sample_trace,
    predict_grid,
    train,
)
from calc_core.toy_data import make_dataset
from viz.backprop import (
    GRID,
    chain_rule_latex,
    check_summary,
    check_table,
    forward_latex,
    grid_axes,
    tex_number,
    training_figure,
    training_summary,
)
from viz.format import number
from viz.theme import typed_array, with_arrays_decoded

DATA = make_dataset("circle", n=120, noise=0.1, seed=0)
PARAMS = init_params(3, seed=0)


def _figure(steps: int = 5):
    xs, ys = grid_axes(DATA.X)
    norms = np.abs(np.random.default_rng(0).normal(size=(steps, 2))) + 0.1
    return go.Figure(  # validates the dict as plotly would
        with_arrays_decoded(
            training_figure(
                DATA.X,
                DATA.y,
                xs,
                ys,
                predict_grid(PARAMS, "tanh", xs, ys),
                np.arange(steps + 1),
                np.linspace(0.7, 0.3, steps + 1),
                np.arange(1, steps + 1),
                norms,
            )
        )
    )


def _trace(fig, name):
    return next(t for t in fig.data if t.name == name)


def test_heat_map_is_the_grid_of_probabilities_in_float32():
    """The heat map is GRID × GRID, float32, in [0, 1], with the p = 0.5 line drawn on it."""
    fig = _figure()
    heat = next(t for t in fig.data if t.type == "heatmap")
    assert np.asarray(heat.z).shape == (GRID, GRID)
    assert np.asarray(heat.z).dtype == np.float32
    assert (heat.zmin, heat.zmax) == (0.0, 1.0)
    line = next(t for t in fig.data if t.name == "boundary p = 0.5")
    assert line.type == "scatter" and line.xaxis == heat.xaxis


def test_points_are_split_by_class_with_different_symbols_and_colours():
    """Each class is its own trace, told apart by marker shape as well as colour."""
    fig = _figure()
    zero, one = _trace(fig, "label 0"), _trace(fig, "label 1")
    assert len(zero.x) == int((DATA.y == 0).sum()) and len(one.x) == int((DATA.y == 1).sum())
    assert zero.marker.symbol != one.marker.symbol
    assert zero.marker.color != one.marker.color
    assert np.asarray(zero.x).dtype == np.float32


def test_loss_curve_on_a_log_axis():
    """The loss trace holds one value per step on a log y axis."""
    fig = _figure(steps=7)
    loss = _trace(fig, "loss L")
    assert len(loss.y) == 8 and loss.yaxis == "y2"
    assert fig.layout.yaxis2.type == "log"
    assert fig.layout.uirevision


def test_gradient_norms_one_line_per_layer():
    """Two gradient-norm traces, one per layer, on the third panel."""
    fig = _figure(steps=4)
    norms = [t for t in fig.data if t.yaxis == "y3"]
    assert len(norms) == 2
    assert all(len(t.y) == 4 for t in norms)
    assert norms[0].line.dash != norms[1].line.dash


def test_single_point_history_draws_markers():
    """At step 0 the loss is one point: drawn as a marker, not an invisible line."""
    fig = _figure(steps=0)
    assert _trace(fig, "loss L").mode == "markers"


def test_check_table_and_summary():
    """The table has a row per parameter; the summary says fine, or names the caught bug."""
    rows = gradient_check(PARAMS, DATA.X, DATA.y, "tanh")
    table = check_table(rows)
    assert len(table["parameter"]) == 13 and set(table["verdict"]) == {"fine"}
    assert check_summary(rows, None).startswith("All 13 parameters fine")
    bug = next(iter(PLANTED_BUGS))
    buggy = gradient_check(PARAMS, DATA.X, DATA.y, "tanh", bug=bug)
    assert "is caught" in check_summary(buggy, bug)


def test_latex_of_one_sample():
    """The forward block shows the loss; the chain rule ends with the gradient's value."""
    terms = one_sample_trace(PARAMS, DATA.X[0], float(DATA.y[0]), "tanh", "W1[1,0]")
    assert tex_number(terms[-1].value, 6) in chain_rule_latex(terms)
    assert tex_number(next(t.value for t in terms if t.name == "L")) in forward_latex(
        terms, r"\tanh z"
    )


@pytest.mark.parametrize(("value", "text"), [(-0.5, "-0.5"), (1e-5, r"1 \times 10^{-5}")])
def test_tex_number(value, text):
    """Numbers in LaTeX use an ASCII minus and powers of ten."""
    assert tex_number(value) == text


def test_level_line_traces_a_circle_and_a_saddle():
    """The p = level line by marching squares: on a circle it stays on the circle, a saddle's
    zero line lies on the axes, a flat field has none."""
    from viz.contours import level_line

    xs = ys = np.linspace(-1.5, 1.5, 60)
    gx, gy = np.meshgrid(xs, ys)
    lx, ly = level_line(xs, ys, gx**2 + gy**2, 1.0)
    found = ~np.isnan(lx)
    assert found.sum() > 100
    assert np.allclose(np.hypot(lx[found], ly[found]), 1.0, atol=2e-3)
    lx, ly = level_line(xs, ys, gx * gy, 0.0)
    found = ~np.isnan(lx)
    assert np.allclose(lx[found] * ly[found], 0.0, atol=1e-9)
    assert len(level_line(xs, ys, np.zeros_like(gx), 0.5)[0]) == 0


def test_typed_arrays_round_trip_in_float32():
    """A 2D array encoded for plotly.js decodes to the same float32 values and shape."""
    values = np.arange(12, dtype=float).reshape(3, 4) / 7
    spec = typed_array(values)
    assert spec["dtype"] == "f4" and spec["shape"] == "3, 4"
    np.testing.assert_array_equal(with_arrays_decoded(spec), values.astype(np.float32))


def test_training_summary_reads_out_step_loss_accuracy_and_norms():
    """Step, loss, accuracy (as a percentage and a count) and the last row of gradient norms."""
    text = training_summary(100, 0.30123, 0.875, [[0.5, 0.25], [0.2, 0.1]], False, 200)
    assert text.startswith("Step 100: loss L = 0.3012, accuracy 87.5 % (175 of 200 points")
    assert "hidden layer 0.2, output layer 0.1." in text
    assert "diverged" not in text


def test_training_summary_before_any_step_and_after_divergence():
    """No norms yet: the text says no step was taken; a diverged run says so."""
    assert "No gradient step taken yet." in training_summary(
        0, 0.7, 0.5, np.zeros((0, 2)), False, 120
    )
    assert "diverged" in training_summary(12, 0.9, 0.5, [[1e3, 2e4]], True, 120)


def test_training_summary_of_a_real_run_matches_an_independent_count():
    """After 30 steps: the loss, the accuracy counted point by point and the norms of the last
    step's gradient (from backward() at the weights before it) are the ones in the text."""
    run = train(PARAMS, DATA.X, DATA.y, "tanh", 1.0, 30)
    before_last = train(PARAMS, DATA.X, DATA.y, "tanh", 1.0, 29).params
    _, grads = loss_and_gradients(before_last, DATA.X, DATA.y, "tanh")
    result = forward(run.params, DATA.X, DATA.y, "tanh")
    right = sum(int((p > 0.5) == (y > 0.5)) for p, y in zip(result.p.ravel(), DATA.y, strict=True))
    text = training_summary(
        30, result.loss, right / len(DATA.y), run.grad_norms, run.diverged, len(DATA.y)
    )
    assert f"loss L = {number(float(run.losses[-1]))}," in text
    assert f"({right} of {len(DATA.y)} points" in text
    hidden = np.sqrt(np.sum(grads.dW1**2) + np.sum(grads.db1**2))
    output = np.sqrt(np.sum(grads.dW2**2) + np.sum(grads.db2**2))
    assert f"hidden layer {number(hidden)}, output layer {number(output)}." in text
