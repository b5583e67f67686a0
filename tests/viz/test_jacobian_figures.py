"""Figures of the Jacobian page, read back from their JSON-ready dicts."""

from __future__ import annotations

import base64
import io
import json

import numpy as np
import plotly.graph_objects as go
import pytest
from PIL import Image

from calc_core.multivariate import (
    GridSample,
    deformed_grid,
    local_image,
)
from viz.contours import level_line
from viz.format import number
from viz.jacobian import (
    DET_SCALE,
    arrow,
    arrow_scales,
    box_span,
    closeup_figure,
    closeup_summary,
    input_base,
    input_figure,
    input_summary,
    output_base,
    output_figure,
    output_summary,
    plane_span,
    robust_box,
    surface_base,
    surface_figure,
    surface_summary,
)
from viz.theme import with_arrays_decoded

WINDOW = ((-2.0, 2.0), (-2.0, 2.0))


def square(x, y):
    """z ↦ z² as a map of the plane: (x² − y², 2xy)."""
    return np.stack([x**2 - y**2, 2 * x * y], axis=-1)


def square_jacobian(x, y):
    return np.array([[2 * x, -2 * y], [2 * y, 2 * x]], dtype=float)


def fold(x, y):
    return np.stack([x, y**3 + x * y], axis=-1)


def paraboloid(x, y):
    return np.stack([x, y, x**2 + y**2], axis=-1)


def paraboloid_jacobian(x, y):
    return np.array([[1.0, 0.0], [0.0, 1.0], [2 * x, 2 * y]])


def det_grid(F_jacobian, n=40, window=WINDOW) -> GridSample:
    xs, ys = np.linspace(*window[0], n), np.linspace(*window[1], n)
    z = np.array([[np.linalg.det(F_jacobian(x, y)) for x in xs] for y in ys])
    return GridSample(xs, ys, z)


def fold_jacobian(x, y):
    return np.array([[1.0, 0.0], [y, 3 * y**2 + x]])


@pytest.fixture(scope="module")
def plane_bases():
    scale = det_grid(square_jacobian)
    lines = deformed_grid(square, *WINDOW, 11, 41)
    zero = level_line(scale.x, scale.y, scale.z, 0.0)
    return input_base(scale, deformed_grid(square, *WINDOW, 11, 2), zero, signed=True), (
        output_base(lines)
    )


def _decoded(figure: dict, name: str) -> dict:
    return with_arrays_decoded(next(t for t in figure["data"] if t.get("name") == name))


def _arrays(spec: object) -> list[dict]:
    """Every typed-array spec in a figure."""
    if isinstance(spec, dict):
        if "bdata" in spec:
            return [spec]
        return [a for value in spec.values() for a in _arrays(value)]
    if isinstance(spec, list):
        return [a for value in spec for a in _arrays(value)]
    return []


def _figures_at(bases, point, size=0.3):
    base_in, base_out = bases
    J = square_jacobian(*point)
    local = local_image(square, J, point, size)
    scales = arrow_scales(plane_span(base_in["layout"]), plane_span(base_out["layout"]), J)
    v, w = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    Fp = square(*point)
    left = input_figure(
        base_in, local, v=arrow(point, v, scales.v), pullback=arrow(point, w @ J, scales.wj)
    )
    right = output_figure(base_out, local, jv=arrow(Fp, J @ v, scales.jv), w=arrow(Fp, w, scales.w))
    return left, right


def _pixels(source: str) -> np.ndarray:
    """A PNG data URI's pixels, (rows, columns, RGBA), row 0 at the top."""
    data = base64.b64decode(source.split(",", 1)[1])
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGBA"))


def test_input_base_shades_det_j_centred_and_diverging(plane_bases):
    """det J shaded as a picture under the traces, colours symmetric about 0 (see-through at 0),
    the colorbar carried by an invisible trace on the colour axis."""
    base_in, _ = plane_bases
    axis = base_in["layout"]["coloraxis"]
    assert axis["cmin"] == -axis["cmax"] < 0
    assert axis["colorscale"] is DET_SCALE and axis["colorbar"]["title"]["text"] == "det J"
    middle = next(color for t, color in DET_SCALE if t == 0.5)
    assert middle.endswith(",0.000)")  # transparent where det J = 0
    assert DET_SCALE[0][1].startswith("rgba(0,114,178") and "230,159,0" in DET_SCALE[-1][1]
    carrier = base_in["data"][0]
    assert carrier["marker"]["coloraxis"] == "coloraxis" and carrier["hoverinfo"] == "skip"
    image = base_in["layout"]["images"][0]
    assert (image["x"], image["y"], image["sizex"], image["sizey"]) == (-2.0, 2.0, 4.0, 4.0)
    pixels = _pixels(image["source"])
    # (2, 2), the top right: det J = 4(x² + y²) = 32, past the limit: the orange end, at 0.85
    assert tuple(pixels[0, -1]) == (230, 159, 0, round(0.85 * 255))
    # det J = 0 only at the origin (z² folds there): the middle is (almost) see-through
    rows, columns = pixels.shape[:2]
    assert pixels[rows // 2, columns // 2, 3] < 10 < 100 < pixels[rows // 2, 0, 3]
    seen = pixels[pixels[..., 3] > 20]
    assert (seen[:, 2] <= seen[:, 0]).all()  # z² keeps orientation: no blue anywhere


def test_a_negative_det_j_is_blue_and_a_gap_is_see_through():
    """The fold flips orientation where det J = 3y² + x < 0 (blue there); NaN is transparent."""
    scale = det_grid(fold_jacobian, 40)
    z = scale.z.copy()
    z[:5, :5] = np.nan  # the bottom-left corner undefined
    base = input_base(GridSample(scale.x, scale.y, z), deformed_grid(fold, *WINDOW, 5, 2), None,
                      signed=True)  # fmt: skip
    pixels = _pixels(base["layout"]["images"][0]["source"])
    assert pixels[-1, 0, 3] == 0  # bottom left: a gap
    row = pixels.shape[0] // 2  # y = 0: det J = x, negative on the left
    left, right = pixels[row, 10], pixels[row, -1]
    assert left[2] > left[0] and left[3] > 0  # blue
    assert right[0] > right[2] and right[3] > 0  # orange


def test_fold_draws_the_det_zero_curve_and_reports_a_flip():
    """For the fold (x, y³ + xy), det J = 3y² + x: its zero curve x = −3y² is drawn."""
    scale = det_grid(fold_jacobian, 80)
    zero = level_line(scale.x, scale.y, scale.z, 0.0)
    base = input_base(scale, deformed_grid(fold, *WINDOW, 5, 2), zero, signed=True)
    assert base["flips"]
    curve = _decoded({"data": base["data"]}, "det J = 0")
    x, y = curve["x"], curve["y"]
    keep = np.isfinite(x)
    assert keep.sum() > 20
    assert np.allclose(x[keep], -3 * y[keep] ** 2, atol=0.05)


def test_planes_have_equal_scale_and_valid_figures(plane_bases):
    """Both planes keep squares square; plotly accepts every figure."""
    left, right = _figures_at(plane_bases, (1.0, 1.0))
    for figure in (left, right):
        assert figure["layout"]["yaxis"]["scaleanchor"] == "x"
        assert figure["layout"]["yaxis"]["scaleratio"] == 1
        go.Figure(figure)  # raises on an invalid attribute


def test_every_array_is_float32(plane_bases):
    left, right = _figures_at(plane_bases, (1.0, 1.0))
    arrays = _arrays(left) + _arrays(right)
    assert arrays and all(a["dtype"] == "f4" for a in arrays)


def test_static_part_unchanged_when_only_the_point_moves(plane_bases):
    """The heat map and the deformed grid are the very same bytes at another point."""
    base_in, base_out = plane_bases
    before = json.dumps(base_in), json.dumps(base_out)
    a = _figures_at(plane_bases, (1.0, 1.0))
    b = _figures_at(plane_bases, (-0.5, 0.3))
    for first, second, base in zip(a, b, plane_bases, strict=True):
        k = len(base["data"])
        assert json.dumps(first["data"][:k]) == json.dumps(second["data"][:k])
        assert first["data"][:k] == base["data"]
        assert json.dumps(first["data"][k:]) != json.dumps(second["data"][k:])
    assert (json.dumps(base_in), json.dumps(base_out)) == before  # bases never modified


def test_parallelogram_is_j_times_the_square(plane_bases):
    """The dashed outline is F(p) + J·(square − p), with J from finite differences."""
    point, size = np.array([1.0, 1.0]), 0.3
    _, right = _figures_at(plane_bases, tuple(point), size)
    drawn = _decoded(right, "F(p) + J·(square − p)")
    h = 1e-6
    J = np.column_stack(
        [(square(*(point + h * e)) - square(*(point - h * e))) / (2 * h) for e in np.eye(2)]
    )
    corners = point + size * np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]])
    expected = square(*point) + (corners - point) @ J.T
    outline = np.column_stack([drawn["x"], drawn["y"]])
    for corner in expected:
        assert np.min(np.linalg.norm(outline - corner, axis=1)) < 1e-4
    # Every outline point lies on the parallelogram: its preimage under J is on the square.
    back = (outline - square(*point)) @ np.linalg.inv(J).T / size
    assert np.allclose(np.max(np.abs(back), axis=1), 1.0, atol=1e-4)


def test_image_of_the_square_is_f_of_its_outline(plane_bases):
    _, right = _figures_at(plane_bases, (1.0, 1.0))
    image = _decoded(right, "F(square)")
    local = local_image(square, square_jacobian(1.0, 1.0), (1.0, 1.0), 0.3)
    expected = square(local.outline[:, 0], local.outline[:, 1])
    assert np.allclose(np.column_stack([image["x"], image["y"]]), expected, atol=1e-5)


def test_arrows_point_along_jv_and_wj(plane_bases):
    """J·v is drawn along J·v from F(p), wᵀJ along wᵀJ from p; each pair of planes keeps its
    scale for the point whatever the direction."""
    left, right = _figures_at(plane_bases, (1.0, 1.0))
    J = square_jacobian(1.0, 1.0)
    jv = _decoded(right, "J·v")
    direction = np.array([jv["x"][1] - jv["x"][0], jv["y"][1] - jv["y"][0]])
    assert np.allclose(direction / np.linalg.norm(direction), J[:, 0] / np.linalg.norm(J[:, 0]))
    assert (jv["x"][0], jv["y"][0]) == pytest.approx(tuple(square(1.0, 1.0)))
    wj = _decoded(left, "wᵀJ")
    direction = np.array([wj["x"][1] - 1.0, wj["y"][1] - 1.0])
    assert np.allclose(direction / np.linalg.norm(direction), J[1] / np.linalg.norm(J[1]))


def test_arrow_scales_cap_the_longest_push_forward():
    """No J·v is longer than 0.3 of the output window, whatever v."""
    J = np.array([[3.0, 1.0], [0.0, 0.5]])
    scales = arrow_scales(4.0, 10.0, J)
    sigma = np.linalg.norm(J, 2)
    assert scales.v == pytest.approx(0.8)
    assert scales.jv * sigma == pytest.approx(3.0)
    for angle in np.linspace(0, 2 * np.pi, 37):
        v = np.array([np.cos(angle), np.sin(angle)])
        assert np.linalg.norm(scales.jv * J @ v) <= 3.0 + 1e-9
    assert arrow_scales(4.0, 10.0, np.full((2, 2), np.nan)).jv == pytest.approx(2.0)


def test_closeup_keeps_the_parallelogram_and_the_image_closes_in():
    """Magnified by 1/h, the linear image is J·(unit square) at every h, and the curved image's
    distance to it shrinks like h."""
    point = (1.0, 1.0)
    J = square_jacobian(*point)
    gaps = []
    shapes = []
    for size in (0.4, 0.2, 0.1):
        figure = closeup_figure(local_image(square, J, point, size))
        linear = _decoded(figure, "J·(unit square)")
        image = _decoded(figure, "(F(square) − F(p)) / h")
        shapes.append(np.column_stack([linear["x"], linear["y"]]))
        gaps.append(np.max(np.hypot(image["x"] - linear["x"], image["y"] - linear["y"])))
        go.Figure(figure)
    assert np.allclose(shapes[0], shapes[1], atol=1e-5) and np.allclose(shapes[1], shapes[2])
    assert gaps[1] == pytest.approx(gaps[0] / 2, rel=0.05)
    assert gaps[2] == pytest.approx(gaps[1] / 2, rel=0.05)


def test_robust_box_ignores_a_pole():
    values = np.concatenate([np.linspace(0, 1, 500), [1e6]])
    (_, high), _ = robust_box(np.column_stack([values, values]))
    assert high < 2


@pytest.fixture(scope="module")
def patch():
    n = 30
    xs = np.linspace(-1.5, 1.5, n)
    gx, gy = np.meshgrid(xs, xs)
    values = paraboloid(gx, gy)
    scale = np.sqrt(1 + 4 * gx**2 + 4 * gy**2)
    return surface_base(values, scale, deformed_grid(paraboloid, (-1.5, 1.5), (-1.5, 1.5), 7, 31))


def _surface_at(base, point, size=0.3):
    J = paraboloid_jacobian(*point)
    local = local_image(paraboloid, J, point, size)
    Jv = J @ np.array([1.0, 0.0])
    figure = surface_figure(base, local, jv=arrow(paraboloid(*point), Jv, 0.5), jacobian=J)
    return figure, local, J


def test_surface_is_float32_and_unchanged_when_only_the_point_moves(patch):
    a, _, _ = _surface_at(patch, (-0.5, 0.5))
    b, _, _ = _surface_at(patch, (0.7, -0.2))
    surface = a["data"][0]
    assert surface["type"] == "surface"
    assert all(surface[k]["dtype"] == "f4" and surface[k]["shape"] == "30, 30" for k in "xyz")
    assert json.dumps(a["data"][:2]) == json.dumps(b["data"][:2])
    assert a["data"][0] is patch["data"][0]
    assert a["layout"]["scene"] == b["layout"]["scene"]
    go.Figure(a)


def test_tangent_parallelogram_lies_in_the_tangent_plane(patch):
    """Its vertices are F(p) + J·d (lifted a hair along the normal): their offset from F(p)
    has no component along the normal beyond the lift."""
    figure, local, J = _surface_at(patch, (-0.5, 0.5))
    mesh = next(t for t in figure["data"] if t["type"] == "mesh3d")
    vertices = np.column_stack([mesh["x"], mesh["y"], mesh["z"]]).astype(float)
    normal = np.cross(J[:, 0], J[:, 1])
    normal /= np.linalg.norm(normal)
    heights = (vertices - paraboloid(-0.5, 0.5)) @ normal
    assert np.ptp(heights) < 1e-4  # flat
    assert 0 < abs(heights[0]) <= 0.02 * box_span(patch["box"])  # lifted, a little
    assert local.area_scale == pytest.approx(np.sqrt(3.0))


def test_values_beyond_float32_are_shaded_not_lost():
    """A map like x¹⁰⁰ reaches past float32: the picture (painted from float64) still shades
    it, the colour axis ends at a finite limit and values past it take the end colour."""
    xs = np.linspace(-3.0, 3.0, 20)
    z = np.tile(xs**100, (20, 1))
    base = input_base(GridSample(xs, xs, z), deformed_grid(square, *WINDOW, 3, 2), None,
                      signed=True)  # fmt: skip
    axis = base["layout"]["coloraxis"]
    assert np.isfinite(axis["cmax"]) and axis["cmin"] == -axis["cmax"]
    pixels = _pixels(base["layout"]["images"][0]["source"])
    assert tuple(pixels[0, 0]) == tuple(pixels[0, -1]) == (230, 159, 0, round(0.85 * 255))
    assert pixels[0, pixels.shape[1] // 2, 3] < 10  # x = 0: x¹⁰⁰ = 0, see-through


# --- the charts in words ----------------------------------------------------------------------


def _central_jacobian(F, x: float, y: float, h: float = 1e-6) -> np.ndarray:
    """J by central differences: a second method beside the hand-written Jacobians."""
    dx = (F(x + h, y) - F(x - h, y)) / (2 * h)
    dy = (F(x, y + h) - F(x, y - h)) / (2 * h)
    return np.stack([dx, dy], axis=-1)


def _text(values) -> str:
    return "(" + ", ".join(number(float(v)) for v in values) + ")"


def test_plane_summaries_read_f_j_det_j_and_both_products():
    """z ↦ z² at (1, 0.5): J from central differences, det J = 4|z|² = 5; the summaries show
    F(p), J's rows, det J with its orientation, J·v and wᵀJ."""
    p = np.array([1.0, 0.5])
    J = _central_jacobian(square, *p)
    assert np.allclose(J, square_jacobian(*p), atol=1e-6)
    J = np.round(J, 9)
    v, w = np.array([0.0, 1.0]), np.array([np.cos(2.0), np.sin(2.0)])
    text = input_summary(p, float(np.linalg.det(J)), v, w @ J)
    assert "at p = (1, 0.5), det J = 5 (orientation kept)" in text
    assert f"Direction v = (0, 1); pull-back wᵀJ = {_text(w @ J)}." in text
    text = output_summary(square(*p), J, 5.01, J @ v, w)
    assert text.startswith("Output plane at F(p) = (0.75, 1), J(p) = [2, −1; 1, 2]. ")
    assert f"= 5.01. Push-forward J·v = (−1, 2); covector w = {_text(w)}." in text


@pytest.mark.parametrize(
    ("det", "words"),
    [
        (-0.25, "orientation flipped"),
        (0.0, "J squashes the plane flat there"),
        (np.nan, "J is undefined there"),
    ],
)
def test_input_summary_says_what_the_sign_of_det_j_does(det, words):
    """The fold's blue side flips, its det J = 0 curve squashes, a pole is undefined."""
    assert f"det J = {number(det)} ({words})" in input_summary((0.0, 0.0), det, (1.0, 0.0), (1, 1))


def test_surface_and_closeup_summaries_read_the_area_scale():
    """The paraboloid at (0.5, −1): J is 3 x 2, the area scale √(1 + 4x² + 4y²) = √6; the
    close-up names its magnification 1/h."""
    p = (0.5, -1.0)
    J = np.round(_central_jacobian(paraboloid, *p), 9)
    scale = float(np.sqrt(np.linalg.det(J.T @ J)))
    assert scale == pytest.approx(np.sqrt(6.0))
    text = surface_summary(paraboloid(*p), J, scale, J @ np.array([1.0, 0.0]))
    assert text == (
        "Surface patch in space at F(p) = (0.5, −1, 1.25), J(p) = [1, 0; 0, 1; 1, −2]: areas "
        f"scale by √det(JᵀJ) = {number(np.sqrt(6.0))}. Velocity along the surface J·v = "
        "(1, 0, 1)."
    )
    assert closeup_summary(0.05, 5.002, 5.0).startswith("Magnified 20 times around F(p)")
    assert "(h = 0.05)" in closeup_summary(0.05, 5.002, 5.0)
