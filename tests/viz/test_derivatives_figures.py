"""Figures of the derivatives page, read back from their JSON."""

from __future__ import annotations

import numpy as np

from calc_core.derivatives import tangent_sweep
from calc_core.numerical import error_versus_step, secant_sweep
from viz.derivatives import (
    Curve,
    error_figure,
    gaps_not_spikes,
    sample_curve,
    secant_figure,
    tangent_figure,
    visible_range,
)
from viz.theme import with_arrays_decoded


def square(x):
    return x**2


def twice(x):
    return 2 * x


def test_tangent_frames_carry_the_slope_of_f_prime():
    """Each frame's tangent rises by f′(x0) per unit and its diamond sits at height f′(x0)."""
    grid = np.linspace(-2, 2, 9)
    spec = tangent_figure(
        sample_curve(square, (-2, 2)),
        sample_curve(twice, (-2, 2)),
        tangent_sweep(square, twice, grid),
        active=4,
    )
    assert len(spec["frames"]) == 9
    for i, frame in enumerate(spec["frames"]):
        line, on_f, on_df = frame["data"]
        slope = (line["y"][1] - line["y"][0]) / (line["x"][1] - line["x"][0])
        assert np.isclose(slope, 2 * grid[i]) and np.isclose(on_df["y"][0], 2 * grid[i])
        assert np.isclose(on_f["y"][0], grid[i] ** 2)
    assert spec["layout"]["sliders"][0]["active"] == 4


def test_no_tangent_is_drawn_at_a_corner():
    """|x| at 0: the frame's tangent has no y values (a gap), not a slope of 0."""
    spec = tangent_figure(
        sample_curve(np.abs, (-1, 1)),
        sample_curve(np.sign, (-1, 1)),
        tangent_sweep(np.abs, np.sign, np.array([-0.5, 0.0, 0.5])),
        active=1,
    )
    line = spec["frames"][1]["data"][0]
    assert line["y"] == [None, None]
    assert "does not exist" in spec["frames"][1]["layout"]["title"]["text"]


def test_poles_become_gaps_not_spikes():
    """1/x across 0: the jump between the two branches is broken, the y-range is the body."""
    curve = sample_curve(lambda x: 1 / x, (-1, 1), 200)
    low, high = visible_range(curve)
    assert high - low < 40
    y = gaps_not_spikes(curve, (low, high))
    assert np.isnan(y[100])


def test_constant_formula_still_gets_a_visible_range():
    """A flat line gets a range of height 1, not 0."""
    low, high = visible_range(Curve(np.linspace(0, 1, 5), np.full(5, 3.0)))
    assert low < 3.0 < high and high - low >= 1.0


def test_secant_frames_approach_the_tangent():
    """The secant's slope in the last frame equals f′(x0) to about 1e-7."""
    sweep = secant_sweep(square, 1.0)
    spec = secant_figure(sample_curve(square, (-0.6, 2.6)), sweep, 2.0)
    line = spec["frames"][-1]["data"][0]
    slope = (line["y"][1] - line["y"][0]) / (line["x"][1] - line["x"][0])
    assert abs(slope - 2.0) < 1e-5
    assert spec["layout"]["updatemenus"][0]["buttons"][0]["label"].endswith("Shrink h")


def test_error_figure_is_log_log_with_best_steps():
    """Both axes are logarithmic and each finite-difference method has its best h starred."""
    fig = error_figure(error_versus_step(np.exp, 1.0, float(np.e), f_complex=np.exp))
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "log"
    stars = [t for t in fig.data if t.name.startswith("best h")]
    assert len(stars) == 3


def test_error_figure_marks_the_theoretical_best_steps():
    """Dotted lines at √ε (one-sided) and ∛ε (central), labelled."""
    study = error_versus_step(np.exp, 1.0, float(np.e), f_complex=np.exp)
    fig = error_figure(study)
    positions = sorted(shape.x0 for shape in fig.layout.shapes)
    assert np.allclose(
        positions, sorted([np.finfo(float).eps ** 0.5, np.finfo(float).eps ** (1 / 3)])
    )
    assert {a.text for a in fig.layout.annotations} == {"√ε", "∛ε"}


def test_the_derivative_is_not_drawn_where_f_is_undefined():
    """log x on [−2, 2]: its derivative's formula 1/x is finite at x < 0, but f is not there,
    so f′ (and f″) are gaps wherever f is, and drawn wherever f is."""
    with np.errstate(invalid="ignore", divide="ignore"):
        f = sample_curve(np.log, (-2, 2))
        df = sample_curve(lambda x: 1 / x, (-2, 2))
        d2f = sample_curve(lambda x: -1 / x**2, (-2, 2))
    spec = tangent_figure(
        f, df, tangent_sweep(np.log, np.reciprocal, np.array([1.0])), active=0, d2f=d2f
    )
    drawn = {trace["name"]: trace for trace in with_arrays_decoded(spec)["data"]}
    for name in ("f′(x), the slope of f", "f″(x)"):
        x, y = (np.asarray(drawn[name][axis], dtype=float) for axis in ("x", "y"))
        assert np.isnan(y[x <= 0]).all(), name
        assert np.isfinite(y[(x > 0.1)]).any(), name
