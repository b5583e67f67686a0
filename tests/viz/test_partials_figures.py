"""Figures of the partial-derivatives page, read back from their JSON."""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import pytest

from calc_core.expressions import compile_expression, parse_expression
from calc_core.multivariate import gradient, sample_grid, tangent_plane, total_derivative_along
from viz.partials import (
    contour_image,
    path_figure,
    sample_path,
    sample_slices,
    slices_figure,
    surface_figure,
    surface_scene,
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
    titles = " ".join(a["text"] for a in spec["layout"]["annotations"])
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
