"""Figures of the Hessian page, read back from their JSON-ready dicts."""

from __future__ import annotations

import base64
import json

import numpy as np
import plotly.graph_objects as go
import pytest

from calc_core.expressions import compile_expression, parse_expression
from calc_core.multivariate import (
    CriticalPoints,
    compile_map,
    compile_matrix,
    critical_points,
    gradient,
    hessian,
    hessian_eigen,
    newton_step,
    sample_grid,
    taylor_model,
    taylor_patch,
)
from viz.format import number
from viz.hessian import (
    KIND_STYLE,
    band_image,
    band_levels,
    critical_counts,
    curvature_figure,
    curvature_summary,
    eigen_axes,
    map_base,
    map_figure,
    map_summary,
    newton_figure,
    newton_summary,
    surface_base,
    taylor_figure,
    taylor_summary,
    tidy,
)
from viz.scene import grid_mesh
from viz.theme import with_arrays_decoded

XY = ("x", "y")
WINDOW = ((-3.0, 3.0), (-3.0, 3.0))


def _segments(xs, ys) -> list[np.ndarray]:
    """NaN-separated (start, end) pairs as (2, 2) arrays."""
    x = np.array([np.nan if v is None else v for v in xs], dtype=float)
    y = np.array([np.nan if v is None else v for v in ys], dtype=float)
    return [np.array([[x[i], y[i]], [x[i + 1], y[i + 1]]]) for i in range(0, len(x), 3)]


def _compiled(text: str):
    expr = parse_expression(text, XY)
    f = compile_expression(expr, XY)
    grad = compile_map(gradient(expr, XY), XY)
    hess = compile_matrix(hessian(expr, XY), XY)
    return expr, f, grad, hess


@pytest.fixture(scope="module")
def himmelblau_base():
    expr, f, _, _ = _compiled("(x^2 + y - 11)^2 + (x + y^2 - 7)^2")
    grid = sample_grid(f, (-5.0, 5.0), (-5.0, 5.0), 120)
    return map_base(grid, critical_points(expr, XY, ((-5.0, 5.0), (-5.0, 5.0))))


def test_eigen_axes_run_along_the_eigenvectors_with_length_in_proportion_to_lambda():
    """Each axis is centred on the point, parallel to its eigenvector, half-length reach·|λ|/max."""
    H = np.array([[2.0, 1.0], [1.0, 5.0]])
    eigen = hessian_eigen(H)
    axes = eigen_axes(1.0, -0.5, eigen, reach=0.8)
    segments = _segments(*axes["up"])
    assert len(segments) == 2 and axes["down"] == ([], []) and axes["flat"] == ([], [])
    top = np.max(np.abs(eigen.eigenvalues))
    for segment, value, vector in zip(
        segments, eigen.eigenvalues, eigen.eigenvectors.T, strict=True
    ):
        assert np.allclose(segment.mean(axis=0), [1.0, -0.5], atol=1e-5)
        half = (segment[1] - segment[0]) / 2
        assert abs(half[0] * vector[1] - half[1] * vector[0]) < 1e-5  # parallel to it
        assert np.linalg.norm(half) == pytest.approx(0.8 * abs(value) / top, rel=1e-4)
        # and it really is an eigen-direction of H
        assert np.allclose(H @ half, value * half, atol=1e-4)


def test_saddle_axes_split_by_sign_and_a_flat_direction_is_dotted():
    """x² − y²: one axis curves up, one down; a zero eigenvalue goes to the flat trace."""
    saddle = eigen_axes(0.0, 0.0, hessian_eigen([[2.0, 0.0], [0.0, -2.0]]), reach=1.0)
    (up,) = _segments(*saddle["up"])
    (down,) = _segments(*saddle["down"])
    assert np.allclose(np.abs(up[1] - up[0]), [2.0, 0.0])
    assert np.allclose(np.abs(down[1] - down[0]), [0.0, 2.0])
    flat = eigen_axes(0.0, 0.0, hessian_eigen([[4.0, 0.0], [0.0, 0.0]]), reach=1.0)
    assert len(_segments(*flat["flat"])) == 1 and len(_segments(*flat["up"])) == 1


def test_map_figure_reuses_the_cached_base_and_only_adds_light_traces(himmelblau_base):
    """Moving the point leaves the base's traces and contour image byte-identical."""
    base = himmelblau_base
    before = json.dumps(base, sort_keys=True)
    figures = []
    for x0, y0 in ((0.0, 0.0), (3.2, 1.4)):
        eigen = hessian_eigen([[-42.0, 0.0], [0.0, -26.0]])
        figures.append(map_figure(base, x0, y0, eigen, 30.0, -38.0, "t"))
    assert json.dumps(base, sort_keys=True) == before  # the shared base was not modified
    k = len(base["data"])
    for figure in figures:
        assert all(a is b for a, b in zip(figure["data"][:k], base["data"], strict=True))
        assert figure["layout"]["images"] is base["layout"]["images"]
        assert figure["layout"]["yaxis"]["scaleanchor"] == "x"  # equal aspect
        assert len(figure["data"]) == k + 6  # axes up, down, flat; labels; u; the point
    assert figures[0]["data"][-1]["x"] == [0.0] and figures[1]["data"][-1]["x"] == [3.2]
    go.Figure(figures[1])  # plotly accepts it


def test_critical_points_have_one_trace_per_kind_with_distinct_shape_and_colour(
    himmelblau_base,
):
    """Himmelblau: 4 minima, 1 maximum, 4 saddles, each kind its own marker and colour."""
    traces = {t["name"]: t for t in himmelblau_base["data"]}
    assert {name: len(t["x"]) for name, t in traces.items()} == {
        "minimum": 4,
        "maximum": 1,
        "saddle": 4,
    }
    styles = {(t["marker"]["symbol"], t["marker"]["color"]) for t in traces.values()}
    assert len({s for s, _ in styles}) == 3 and len({c for _, c in styles}) == 3
    assert len({style[1] for style in KIND_STYLE.values()}) == len(KIND_STYLE)
    assert len({style[0] for style in KIND_STYLE.values()}) == len(KIND_STYLE)
    minima = zip(traces["minimum"]["x"], traces["minimum"]["y"], strict=True)
    assert (3.0, 2.0) in {(round(x, 6), round(y, 6)) for x, y in minima}


def test_contour_image_is_a_png_of_equal_area_bands():
    """The bands split the values evenly; the image is a PNG three times the grid."""
    grid = sample_grid(lambda x, y: x**2 + 25 * y**2, *WINDOW, 60)
    levels = band_levels(grid.z, 10)
    counts = np.histogram(grid.z, bins=levels)[0]
    assert counts.min() > 0.7 * counts.mean()
    uri = band_image(grid.z, levels)
    png = base64.b64decode(uri.split(",", 1)[1])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (178, 178)


def test_curvature_curve_runs_between_the_eigenvalues():
    """uᵀHu over half a turn: its minimum is λ₁, its maximum λ₂, at the eigenvectors' angles."""
    H = np.array([[2.0, 1.0], [1.0, 5.0]])
    eigen = hessian_eigen(H)
    figure = with_arrays_decoded(curvature_figure(H, eigen, 45.0))
    up = np.array([np.nan if v is None else v for v in figure["data"][0]["y"]], dtype=float)
    assert np.nanmin(up) == pytest.approx(eigen.eigenvalues[0], abs=1e-3)
    assert np.nanmax(up) == pytest.approx(eigen.eigenvalues[1], abs=1e-3)
    marks = figure["data"][2]
    assert marks["y"] == pytest.approx(list(eigen.eigenvalues), abs=1e-5)
    u = figure["data"][3]
    assert u["x"] == [45.0] and u["y"][0] == pytest.approx(0.5 * (2 + 2 + 5), abs=1e-5)
    go.Figure(figure)


def _patch(text: str, point, radius: float, n: int = 25):
    _, f, grad, hess = _compiled(text)
    return taylor_patch(f, taylor_model(f, grad, hess, point), radius, n)


def test_surface_stays_byte_identical_and_taylor_patches_have_the_patch_shape():
    """Two points: the surface trace is the same object and bytes; models are n x n meshes."""
    _, f, _, _ = _compiled("sin(x)*cos(y)")
    base = surface_base(sample_grid(f, *WINDOW, 60))
    frozen = json.dumps(base["surface"], sort_keys=True)
    figures = []
    for point in ((0.5, 0.5), (1.0, -0.4)):
        patch = _patch("sin(x)*cos(y)", point, 0.6)
        figures.append(taylor_figure(base, patch, (*point, float(f(*point)))))
    for figure in figures:
        assert figure["data"][0] is base["surface"]
        assert json.dumps(figure["data"][0], sort_keys=True) == frozen
        assert figure["data"][1]["z"]["dtype"] == "f4"
        decoded = with_arrays_decoded(figure)
        assert [t["name"] for t in decoded["data"]] == [
            "f(x, y)",
            "tangent plane (1st order)",
            "quadratic model (2nd order)",
            "(x₀, y₀, f(x₀, y₀))",
        ]
        for model in decoded["data"][1:3]:
            # a mesh over the 25 x 25 patch: its vertices, two triangles per cell (cells that
            # leave the box are left out)
            assert model["type"] == "mesh3d" and model["z"].dtype == np.float32
            assert 0.5 * 625 < model["z"].shape[0] <= 625
            assert model["x"].shape == model["y"].shape == model["z"].shape
            assert 0.5 * 1152 < len(model["i"]) == len(model["j"]) == len(model["k"]) <= 1152
            assert np.ptp(model["x"]) <= 1.2 + 1e-5  # within the patch: r = 0.6
    assert base["surface"]["z"]["dtype"] == "f4"
    assert figures[0]["data"][1]["z"] != figures[1]["data"][1]["z"]
    go.Figure(figures[0])


def test_the_quadratic_model_hugs_f_more_closely_than_the_plane():
    """Shrinking the patch 4x: the plane's gap shrinks ~16x, the quadratic's ~64x."""
    gaps = []
    for radius in (0.4, 0.1):
        patch = _patch("sin(x)*cos(y)", (0.5, 0.3), radius)
        gaps.append(
            (
                np.max(np.abs(patch.surface - patch.first)),
                np.max(np.abs(patch.surface - patch.second)),
            )
        )
    (plane_big, quad_big), (plane_small, quad_small) = gaps
    assert quad_small < plane_small / 10  # close to the point, far closer
    assert plane_big / plane_small == pytest.approx(16, rel=0.2)
    assert quad_big / quad_small == pytest.approx(64, rel=0.25)


def test_taylor_models_can_be_hidden_and_leave_the_box_as_gaps():
    """A hidden model stays in the legend; heights beyond the box become NaN, not spikes."""
    _, f, _, _ = _compiled("x^2 + 3y^2")
    base = surface_base(sample_grid(f, *WINDOW, 60))
    patch = _patch("x^2 + 3y^2", (2.5, 2.5), 3.0)
    figure = with_arrays_decoded(taylor_figure(base, patch, (2.5, 2.5, 25.0), first=False))
    plane, quadratic = figure["data"][1], figure["data"][2]
    assert plane["visible"] == "legendonly" and quadratic["visible"] is True
    # the plane leaves the box on part of the patch: those cells are left out, not drawn
    assert len(plane["i"]) < 2 * 24 * 24 and np.isfinite(plane["z"]).all()
    top = base["z_range"][1]
    assert np.max(plane["z"]) <= top and np.max(quadratic["z"]) <= top + 1
    assert len(taylor_figure(base, None, (0.0, 0.0, 0.0))["data"]) == 2  # no model: no patches


def test_newton_figure_draws_both_steps_from_the_point_and_both_paths():
    """The arrows end at p + step; the paths are float32; the tip names where Newton heads."""
    base = map_base(
        sample_grid(lambda x, y: x**2 - y**2, (-2, 2), (-2, 2), 60),
        critical_points(parse_expression("x^2 - y^2", XY), XY, ((-2, 2), (-2, 2))),
    )
    step = newton_step([3.0, -0.1], [[2.0, 0.0], [0.0, -2.0]], lr=0.1)
    newton = np.array([[1.5, 0.05], [0.0, 0.0]])
    descent = np.array([[1.5, 0.05], [1.2, 0.06], [0.96, 0.072]])
    figure = newton_figure(base, 1.5, 0.05, step, newton, descent, "Newton heads for a saddle")
    names = [t["name"] for t in figure["data"]]
    assert names[:1] == ["saddle"] and names[-1] == "(x₀, y₀)"
    gradient_arrow = figure["data"][names.index("step −lr·∇f")]
    newton_arrow = figure["data"][names.index("Newton step")]
    assert gradient_arrow["x"][1] == pytest.approx(1.5 - 0.3)
    assert gradient_arrow["y"][1] == pytest.approx(0.05 + 0.01)
    assert (newton_arrow["x"][1], newton_arrow["y"][1]) == pytest.approx((0.0, 0.0), abs=1e-9)
    assert newton_arrow["text"][1] == "model's saddle"
    path = with_arrays_decoded(figure["data"][names.index("gradient descent")])
    assert path["x"].dtype == np.float32 and np.allclose(path["y"], descent[:, 1])
    go.Figure(figure)


def test_tidy_hides_only_rounding_noise():
    """7.9e-31 next to values of order 100 is 0; 1e-3 is kept."""
    assert tidy(7.9e-31, 170.0) == 0.0
    assert tidy(1e-3, 170.0) == 1e-3


def test_eigenvalue_labels_stay_inside_the_window():
    """Near the left edge λ₁'s label goes to the right end of its axis; else to the left."""
    grid = sample_grid(lambda x, y: x**2 + 25 * y**2, *WINDOW, 40)
    base = map_base(grid, critical_points(parse_expression("x^2 + 25y^2", XY), XY, WINDOW))
    eigen = hessian_eigen([[2.0, 0.0], [0.0, 50.0]])
    for x0, side in ((-2.5, "middle right"), (0.5, "middle left")):
        figure = map_figure(base, x0, 0.8, eigen, 0.0, 2.0, "t")
        labels = next(t for t in figure["data"] if t["name"] == "eigenvalues")
        assert labels["text"] == ["λ₁ = 2", "λ₂ = 50"]
        assert labels["textposition"][0] == side
        assert labels["textposition"][1] == "bottom center" and labels["y"][1] < 0.8


def test_grid_mesh_covers_the_grid_with_two_triangles_per_whole_cell():
    """Every cell without a gap is two triangles of its own corners; a NaN corner drops the
    cell, and the vertices no cell uses."""
    x, y = np.array([0.0, 1.0, 2.0]), np.array([0.0, 1.0, 2.0])
    z = np.add.outer(y, x)  # z[j, i] = x[i] + y[j]
    z[2, 2] = np.nan  # a gap in one corner: the top-right cell goes, the others stay
    mesh = with_arrays_decoded(grid_mesh(x, y, z))
    assert len(mesh["x"]) == 8 and np.isfinite(mesh["z"]).all()
    np.testing.assert_array_equal(mesh["z"], mesh["x"] + mesh["y"])  # each vertex's own height
    triangles = np.stack([mesh["i"], mesh["j"], mesh["k"]], axis=1)
    assert len(triangles) == 2 * 3
    cells = set()
    for triangle in triangles:
        xs, ys = mesh["x"][triangle], mesh["y"][triangle]
        assert np.ptp(xs) == 1 and np.ptp(ys) == 1  # three corners of one unit cell
        cells.add((xs.min(), ys.min()))
    assert cells == {(0.0, 0.0), (1.0, 0.0), (0.0, 1.0)}


# --- the charts in words ----------------------------------------------------------------------


def _rotated(degrees: float, low: float, high: float) -> np.ndarray:
    """The symmetric matrix with eigenvalue `low` along `degrees` and `high` at right angles."""
    t = np.radians(degrees)
    R = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
    return R @ np.diag([low, high]) @ R.T


def test_map_summary_names_each_eigenvalue_with_its_direction_and_the_critical_points():
    """A saddle turned by 30°: λ₁ = −3 along 30°, λ₂ = 1 along 120° (built, not computed), and
    the critical points that `critical_points` finds for x⁴ − 2x² + y⁴ − 2y²."""
    H = _rotated(30.0, -3.0, 1.0)
    u = np.radians(75.0)
    curvature = float(np.array([np.cos(u), np.sin(u)]) @ H @ np.array([np.cos(u), np.sin(u)]))
    found = critical_points(parse_expression("x^4 - 2x^2 + y^4 - 2y^2", XY), XY, WINDOW)
    text = map_summary(0.5, -1.25, hessian_eigen(H), 75.0, curvature, found)
    assert text.startswith("Contour map of f with H's eigenvectors at (0.5, −1.25): ")
    assert "λ₁ = −3 along 30° and λ₂ = 1 along 120°, so H is indefinite." in text
    assert f"Along u at 75°, uᵀHu = {number(curvature)}." in text
    assert text.endswith("In this window: 4 minima, 1 maximum, 4 saddles.")
    nothing = CriticalPoints((), "numeric", None)
    assert map_summary(0.0, 0.0, None, 30.0, np.nan, nothing) == (
        "Contour map of f: H is undefined at (0, 0). No critical points in this window."
    )
    assert critical_counts(nothing) == ""


def test_curvature_summary_reads_u_transpose_h_u_between_the_eigenvalues():
    """uᵀHu at u's angle, the eigenvalues at their directions, for a bowl turned by 150°."""
    H = _rotated(150.0, 0.5, 4.0)
    u = np.array([np.cos(np.radians(20.0)), np.sin(np.radians(20.0))])
    text = curvature_summary(hessian_eigen(H), 20.0, float(u @ H @ u))
    assert text == (
        f"Curvature uᵀHu as u turns from 0° to 180°: {number(float(u @ H @ u))} at 20°. "
        "It runs from λ₁ = 0.5 along 150° to λ₂ = 4 along 60°."
    )


def test_taylor_summary_reads_the_models_gaps():
    """f = x² + 3y² at (1, −0.5) within r = 0.25: the plane is off by at most r² + 3r², the
    quadratic model not at all; hidden models are named; undefined models are said."""
    _, f, grad, hess = _compiled("x^2 + 3y^2")
    patch = taylor_patch(f, taylor_model(f, grad, hess, (1.0, -0.5)), 0.25, 25)
    plane = float(np.max(np.abs(patch.surface - patch.first)))
    quadratic = float(np.max(np.abs(patch.surface - patch.second)))
    assert plane == pytest.approx(4 * 0.25**2) and quadratic < 1e-12
    text = taylor_summary((1.0, -0.5, 1.75), 0.25, (plane, 0.0), second=False)
    assert text == (
        "Surface of f with its Taylor models at (1, −0.5), where f = 1.75. Within r = 0.25: the "
        "tangent plane is off by up to 0.25, the quadratic model by up to 0. Hidden: quadratic "
        "model."
    )
    assert taylor_summary((0.0, 0.0, np.nan), 0.25, None).endswith(
        "The models are undefined there."
    )


def test_newton_summary_reads_where_each_method_heads_and_ends():
    """Newton's step on a saddle heads for the model's saddle; the paths' last points and step
    counts are read off the arrays."""
    step = newton_step(np.array([2.0, -0.1]), np.diag([2.0, -2.0]), lr=0.1)
    newton = np.array([[1.0, 0.05], [0.0, 0.0]])
    descent = np.array([[1.0, 0.05], [0.8, 0.06], [0.64, 0.072]])
    assert newton_summary(1.0, 0.05, step, newton, descent, 0.1) == (
        "From (1, 0.05): Newton's method heads for its model's saddle; its path ends at (0, 0) "
        "after 1 step. Gradient descent with lr = 0.1 ends at (0.64, 0.072) after 2 steps."
    )
