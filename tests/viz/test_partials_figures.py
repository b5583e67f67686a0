"""Figures of the partial-derivatives page, read back from their JSON."""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import pytest
from hypothesis import given
from hypothesis import strategies as st

from calc_core.expressions import compile_expression, parse_expression
from calc_core.multivariate import (
    TangentPlane,
    gradient,
    sample_grid,
    tangent_plane,
    total_derivative_along,
)
from viz.format import number
from viz.partials import (
    contour_image,
    path_figure,
    path_summary,
    sample_path,
    sample_slices,
    slices_figure,
    slices_summary,
    surface_figure,
    surface_scene,
    surface_summary,
    value_range,
)
from viz.theme import with_arrays_decoded

XY = ("x", "y")
WINDOW = (-3.0, 3.0)


def _functions(text: str):
    """f, ∂f/∂x and ∂f/∂y compiled, as the page's cached helpers give them."""
    expr = parse_expression(text, XY)
    return tuple(compile_expression(e, XY) for e in (expr, *gradient(expr, XY)))


def _view(text: str, x0: float, y0: float, *, show_plane: bool = False, scene=None):
    f, fx, fy = _functions(text)
    scene = scene or surface_scene(sample_grid(f, WINDOW, WINDOW, 60))
    plane = tangent_plane(f, fx, fy, x0, y0)
    slices = sample_slices(f, x0, y0, WINDOW, WINDOW)
    return scene, plane, slices, surface_figure(scene, plane, slices, show_plane=show_plane)


def _slope(trace: dict) -> float:
    (xa, xb), (ya, yb) = trace["x"], trace["y"]
    return (yb - ya) / (xb - xa)


def test_surface_bytes_do_not_change_when_only_the_point_moves():
    """Two points, one scene: the surface trace is the same JSON; the slices moved."""
    scene, _, _, first = _view("x^2 + 3y^2", 1.0, 1.0)
    _, _, _, second = _view("x^2 + 3y^2", -2.0, 0.5, show_plane=True, scene=scene)
    assert json.dumps(first["data"][0]) == json.dumps(second["data"][0])
    assert first["data"][0] is second["data"][0]
    assert json.dumps(first["data"][1:]) != json.dumps(second["data"][1:])


def test_three_d_view_has_its_traces_in_a_fixed_order_and_validates():
    """Surface, two planes, two slices, two tangents, the point, the tangent plane (hidden)."""
    _, _, _, spec = _view("x^2 + 3y^2", 1.0, 1.0)
    kinds = [t["type"] for t in spec["data"]]
    assert kinds == ["surface", "mesh3d", "mesh3d"] + ["scatter3d"] * 5 + ["mesh3d"]
    assert spec["data"][-1]["visible"] is False
    go.Figure(spec)  # plotly accepts every property
    _, _, _, shown = _view("x^2 + 3y^2", 1.0, 1.0, show_plane=True)
    assert shown["data"][-1]["visible"] is True


def test_slicing_planes_stand_at_the_point():
    """The plane x = x0 has every vertex at x0; the plane y = y0 at y0."""
    _, _, _, spec = _view("sin(x)*cos(y)", 1.5, -0.5)
    plane_x, plane_y = spec["data"][1], spec["data"][2]
    assert set(plane_x["x"]) == {1.5} and set(plane_y["y"]) == {-0.5}


def test_two_d_tangents_have_the_partials_as_slopes():
    """x² + 3y² at (1, 1): the tangent along x rises 2 per unit, along y 6 per unit."""
    scene, plane, slices, _ = _view("x^2 + 3y^2", 1.0, 1.0)
    spec = slices_figure(slices, plane, scene["z_range"])
    tangents = [t for t in spec["data"] if t["name"] == "tangent"]
    assert [t["xaxis"] for t in tangents] == ["x", "x2"]
    assert _slope(tangents[0]) == pytest.approx(2.0)
    assert _slope(tangents[1]) == pytest.approx(6.0)
    titles = " ".join(t["text"][0] for t in spec["data"] if t["name"] == "panel title")
    assert "∂f/∂x(1, 1) = 2" in titles and "∂f/∂y(1, 1) = 6" in titles
    go.Figure(spec)


def test_three_d_tangents_have_the_partials_as_slopes():
    """sin x · cos y at (0.5, 1): each 3D tangent rises by the partial per unit of its variable."""
    _, plane, _, spec = _view("sin(x)*cos(y)", 0.5, 1.0)
    along_x, along_y = spec["data"][5], spec["data"][6]
    rise_x = (along_x["z"][1] - along_x["z"][0]) / (along_x["x"][1] - along_x["x"][0])
    rise_y = (along_y["z"][1] - along_y["z"][0]) / (along_y["y"][1] - along_y["y"][0])
    assert rise_x == pytest.approx(np.cos(0.5) * np.cos(1.0))
    assert rise_y == pytest.approx(-np.sin(0.5) * np.sin(1.0))
    assert plane.fx == pytest.approx(np.cos(0.5) * np.cos(1.0))


def test_slice_curves_lie_on_the_surface():
    """The 3D slice along x is f(x, y0) at y = y0 everywhere (lifted a hair)."""
    scene, _, slices, spec = _view("x^2 - y^2", 0.5, 1.0)
    curve = with_arrays_decoded(spec["data"][3])
    assert np.allclose(curve["y"], 1.0)
    lift = curve["z"] - (slices.x**2 - 1.0)  # drawn a hair above, so it does not flicker
    low, high = scene["z_range"]
    assert np.ptp(lift) < 1e-4 and 0 < lift.mean() < 0.01 * (high - low)


def test_heavy_arrays_travel_as_float32():
    """The surface and the slices are float32 typed arrays (the contour map is a picture)."""
    scene, plane, slices, spec = _view("x^2 + 3y^2", 1.0, 1.0)
    assert spec["data"][0]["z"]["dtype"] == "f4" and spec["data"][0]["z"]["shape"] == "60, 60"
    assert spec["data"][3]["z"]["dtype"] == "f4"
    two_d = slices_figure(slices, plane, scene["z_range"])
    assert two_d["data"][0]["y"]["dtype"] == "f4"


def test_undefined_values_are_gaps_and_say_so():
    """sqrt(4 − x² − y²) is undefined outside a disc: NaN in the surface, `gaps` set."""
    f = compile_expression(parse_expression("sqrt(4 - x^2 - y^2)", XY), XY)
    scene = surface_scene(sample_grid(f, WINDOW, WINDOW, 60))
    z = with_arrays_decoded(scene["surface"])["z"]
    assert scene["gaps"] and np.isnan(z[0, 0]) and np.isfinite(z[30, 30])


def test_a_pole_is_cut_off_not_drawn_as_a_spike():
    """1/(x² + y²) near 0: the view's heights stay those of the body of the surface."""
    f = compile_expression(parse_expression("1/(x^2 + y^2)", XY), XY)
    grid = sample_grid(f, WINDOW, WINDOW, 61)
    _, high = value_range(grid.z)
    assert high < 0.5 * np.nanmax(grid.z)


def test_a_formula_constant_in_y_still_draws():
    """f = x²: every row of the surface is the same parabola; ∂f/∂y = 0 gives a flat tangent."""
    _, plane, slices, spec = _view("x^2", 1.0, 2.0)
    z = with_arrays_decoded(spec["data"][0])["z"]
    assert z.shape == (60, 60) and np.allclose(z[0], z[-1])
    assert plane.fy == 0.0 and np.allclose(slices.along_y, 1.0)
    assert value_range(np.full((3, 3), 2.0)) == pytest.approx((1.45, 2.55))


def test_path_chain_rule_equals_direct_derivative_on_a_circle():
    """sin x · cos y on a circle of radius 1 around (1, 0.5): the two ways agree to 1e-12."""
    f = parse_expression("sin(x)*cos(y)", XY)
    path = [parse_expression(s, ("t",)) for s in ("1 + cos(t)", "0.5 + sin(t)")]
    sample = sample_path(total_derivative_along(f, path), path, (0.0, 2 * np.pi))
    assert sample.max_difference < 1e-12
    assert np.allclose(sample.through_x + sample.through_y, sample.chain_rule)
    assert np.allclose(np.hypot(sample.x - 1, sample.y - 0.5), 1.0)
    fn = compile_expression(f, XY)
    contour = contour_image(sample_grid(fn, WINDOW, WINDOW, 100))
    spec = path_figure(contour, sample, (1.0, 0.5), WINDOW, WINDOW)
    names = [t.get("name") for t in spec["data"]]
    assert "chain rule: their sum" in names and "d/dt of f(x(t), y(t))" in names
    assert spec["layout"]["images"] == [contour]
    assert contour["source"].startswith("data:image/png;base64,")
    assert all(t["type"] == "scatter" for t in spec["data"])  # moves redraw only these
    low, high = spec["layout"]["yaxis2"]["range"]  # fixed, around both curves
    assert low < min(sample.direct.min(), sample.through_x.min(), sample.through_y.min())
    assert high > max(sample.direct.max(), sample.through_x.max(), sample.through_y.max())
    assert spec["layout"]["xaxis2"]["range"] == pytest.approx([0.0, 2 * np.pi])
    go.Figure(spec)


# --- the charts as text ---------------------------------------------------------------------------


def test_slices_summary_reads_the_bowl_at_one_one():
    """x² + 3y² at (1, 1): f = 4, ∂f/∂x = 2, ∂f/∂y = 6, and the window, in two sentences."""
    _, plane, _, _ = _view("x^2 + 3y^2", 1.0, 1.0)
    text = slices_summary("x^2 + 3y^2", plane, WINDOW, (-1.0, 2.5))
    assert "f(x, y) = x^2 + 3y^2 through (1, 1), where f = 4" in text
    assert "∂f/∂x = 2;" in text and "∂f/∂y = 6." in text
    assert "x from −3 to 3, y from −1 to 2.5" in text
    assert text.count(". ") == 1


@given(
    x0=st.floats(-3, 3, allow_nan=False).map(lambda v: round(v, 2)),
    y0=st.floats(-3, 3, allow_nan=False).map(lambda v: round(v, 2)),
)
def test_summaries_give_the_partials_of_the_bowl_anywhere(x0: float, y0: float):
    """At any point, the slices' and the surface's text read ∂f/∂x = 2x₀ and ∂f/∂y = 6y₀ (the
    hand-derived partials), f = x₀² + 3y₀², and the tangent plane through those numbers."""
    _, plane, _, _ = _view("x^2 + 3y^2", x0, y0)
    fx, fy, z0 = number(2 * x0), number(6 * y0), number(x0**2 + 3 * y0**2)
    slices = slices_summary("x^2 + 3y^2", plane, WINDOW, WINDOW)
    assert f"∂f/∂x = {fx};" in slices and f"∂f/∂y = {fy}." in slices
    assert f"through ({number(x0)}, {number(y0)}), where f = {z0}," in slices
    surface = surface_summary("x^2 + 3y^2", plane, WINDOW, WINDOW, show_plane=True)
    assert f"point ({number(x0)}, {number(y0)}, {z0})" in surface
    assert f"∂f/∂x = {fx}, ∂f/∂y = {fy}." in surface
    assert f"Tangent plane: z = {z0} " in surface
    hidden = surface_summary("x^2 + 3y^2", plane, WINDOW, WINDOW, show_plane=False)
    assert "Tangent plane" not in hidden


def test_surface_summary_writes_the_tangent_plane_with_its_signs():
    """At (−1, −0.5): z = 1.75 − 2(x + 1) − 3(y + 0.5), as the page's LaTeX has it."""
    _, plane, _, _ = _view("x^2 + 3y^2", -1.0, -0.5)
    text = surface_summary("x^2 + 3y^2", plane, WINDOW, WINDOW, show_plane=True)
    assert text.endswith("Tangent plane: z = 1.75 − 2(x + 1) − 3(y + 0.5).")


def test_summaries_say_when_a_partial_does_not_exist():
    """|x| + y at (0, 1): no ∂f/∂x (NaN from the page's kink test), ∂f/∂y = 1; no plane."""
    plane = TangentPlane(0.0, 1.0, 1.0, float("nan"), 1.0)
    assert "slope ∂f/∂x does not exist here" in slices_summary("abs(x) + y", plane, WINDOW, WINDOW)
    text = surface_summary("abs(x) + y", plane, WINDOW, WINDOW, show_plane=True)
    assert "∂f/∂x does not exist here, ∂f/∂y = 1." in text and "Tangent plane" not in text


def test_path_summary_reads_the_ends_the_range_and_the_agreement():
    """x² + 3y² on the unit circle around (0, 0): f = 1 + 2 sin²t, so df/dt = 2 sin 2t runs from
    −2 to 2, from (1, 0) at t = 0 back to (1, 0); the two ways agree to rounding."""
    f = parse_expression("x^2 + 3y^2", XY)
    path = [parse_expression(s, ("t",)) for s in ("cos(t)", "sin(t)")]
    sample = sample_path(total_derivative_along(f, path), path, (0.0, 2 * np.pi))
    text = path_summary(sample, "the circle of radius 1 around (0, 0)")
    assert text.startswith("Along the circle of radius 1 around (0, 0), from (1, 0) at t = 0 to")
    assert f"to (1, 0) at t = {number(2 * np.pi)}." in text  # not (1, −2.449e-16)
    assert "df/dt runs from −2 to 2;" in text
    gap = float(text.rsplit("at most ", 1)[1].rstrip(".").replace("−", "-"))
    assert gap < 1e-9


def test_path_summary_of_a_path_where_f_is_undefined():
    """sqrt(x) along x = −1 − t²: the path is there, f nowhere: said in words, no numbers."""
    f = parse_expression("sqrt(x)", XY)
    path = [parse_expression(s, ("t",)) for s in ("-1 - t^2", "t")]
    sample = sample_path(total_derivative_along(f, path), path, (-1.0, 1.0))
    assert path_summary(sample, "the typed path").endswith("f is undefined all along it.")
