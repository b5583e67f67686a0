"""Figures of the derivatives page, read back from their JSON."""

from __future__ import annotations

import numpy as np
import pytest

from calc_core.derivatives import derivative_at, tangent_sweep
from calc_core.numerical import error_versus_step, secant_sweep
from viz.derivatives import (
    Curve,
    error_figure,
    error_summary,
    gaps_not_spikes,
    sample_curve,
    secant_figure,
    secant_summary,
    tangent_figure,
    tangent_summary,
    visible_range,
)
from viz.format import number
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


# --- the charts as text -------------------------------------------------------------------------


def cube(x):
    return x**3


def three_squares(x):
    return 3 * x**2


def test_tangent_summary_reads_the_slope_of_x_cubed():
    """x³ at x₀ = 1: f = 1, slope 3, the tangent y = 1 + 3·(x − 1), and the window."""
    text = tangent_summary("x^3", derivative_at(cube, three_squares, 1.0), (-3.0, 3.0))
    assert text.startswith("f(x) = x^3 and its derivative f′")
    assert "x from −3 to 3" in text
    assert "At x₀ = 1: f(x₀) = 1, slope f′(x₀) = 3, tangent line y = 1 + 3·(x − 1)." in text
    assert text.count(". ") <= 2  # at most three sentences


@pytest.mark.parametrize("x0", [-2.5, -0.3, 0.0, 1.7])
def test_tangent_summary_numbers_are_the_derivatives(x0):
    """At any x₀, the summary's f(x₀) and slope are x₀³ and 3x₀², written as on the page."""
    text = tangent_summary("x^3", derivative_at(cube, three_squares, x0), (-3.0, 3.0), second=True)
    expected = f"At x₀ = {number(x0)}: f(x₀) = {number(x0**3)}, slope f′(x₀) = {number(3 * x0**2)}"
    assert expected in text and "f′ and f″" in text


def test_tangent_summary_at_a_corner_and_outside_the_domain():
    """|x| at 0: no tangent, the one-sided slopes named; ln x at −1: f not defined there."""
    corner = tangent_summary("abs(x)", derivative_at(np.abs, np.sign, 0.0), (-3.0, 3.0))
    assert "At x₀ = 0: f(x₀) = 0, no tangent." in corner and "−1" in corner
    with np.errstate(invalid="ignore", divide="ignore"):
        outside = tangent_summary("ln(x)", derivative_at(np.log, np.reciprocal, -1.0), (-3, 3))
    assert "At x₀ = −1: f is not defined, so there is no tangent." in outside


def test_secant_summary_names_the_point_the_steps_and_the_limit():
    """x³ at x₀ = 1: through (1, 1), h from 1 down to 1e-08, towards the slope 3."""
    text = secant_summary("x^3", (1.0, 1e-8), 1.0, 1.0, 3.0)
    assert "f(x) = x^3" in text and "(x₀, f(x₀)) = (1, 1)" in text
    assert "h from 1 down to 1e-08" in text and "f′(1) = 3." in text


def test_error_summary_gives_the_best_steps_of_the_study():
    """eˣ at 1: the exact slope e and each measured best h, as the figure's stars say."""
    study = error_versus_step(np.exp, 1.0, float(np.e), f_complex=np.exp)
    text = error_summary(study)
    assert "f′(1) = 2.718" in text and "from 1e-16 to 1" in text
    for method, h in study.best_h.items():
        assert f"{number(h, 2)} ({method})" in text
    assert "complex step" in text
    without_complex = error_summary(error_versus_step(np.exp, 1.0, float(np.e)))
    assert "complex step" not in without_complex and without_complex.endswith(".")
