"""Figures of the gradient page, read back from their JSON-ready dicts."""

from __future__ import annotations

import base64
import json
import struct
import zlib

import numpy as np
import plotly.graph_objects as go
import pytest
from hypothesis import given
from hypothesis import strategies as st

from calc_core.multivariate import (
    TangentPlane,
    gradient_field,
    sample_grid,
    steepest_path,
    tangent_plane,
)
from viz.format import number
from viz.gradient import (
    ANGLES,
    BAND_COLORS,
    FIELD_BANDS,
    POSITIVE_COLOR,
    at_angle,
    contour_levels,
    directional_value,
    gradient_angle,
    gradient_figure,
    gradient_map,
    height_image,
    lifted_traces,
    map_summary,
    point_readout,
    polar_figure,
    polar_summary,
    scaled_arrows,
    surface_base,
    surface_figure,
    surface_summary,
    without_angle_frames,
)
from viz.theme import with_arrays_decoded

WINDOW = ((-3.0, 3.0), (-3.0, 3.0))


def bowl(x, y):
    return x**2 + 3 * y**2


def bowl_x(x, y):
    return 2 * x + 0 * y


def bowl_y(x, y):
    return 0 * x + 6 * y


def rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def rosenbrock_x(x, y):
    return -2 * (1 - x) - 400 * x * (y - x**2)


def rosenbrock_y(x, y):
    return 200 * (y - x**2)


def _map(f=bowl, fx=bowl_x, fy=bowl_y, window=WINDOW):
    grid = sample_grid(f, *window, 120)
    return grid, gradient_map(grid, gradient_field(fx, fy, *window, 17))


def _paths(fx, fy, start, window=WINDOW):
    def grad(x, y):
        return float(fx(x, y)), float(fy(x, y))

    return tuple(
        steepest_path(grad, start, 0.075, 60, ascent=up, bounds=window) for up in (True, False)
    )


def _figure(x0=1.0, y0=1.0, f=bowl, fx=bowl_x, fy=bowl_y, window=WINDOW):
    grid, base = _map(f, fx, fy, window)
    plane = tangent_plane(f, fx, fy, x0, y0)
    up, down = _paths(fx, fy, (x0, y0), window)
    return grid, base, plane, gradient_figure(base, grid, plane, up, down)


def _trace(spec: dict, name: str) -> dict:
    return with_arrays_decoded(next(t for t in spec["data"] if t.get("name") == name))


def _direction(trace: dict) -> np.ndarray:
    x, y = np.asarray(trace["x"], float), np.asarray(trace["y"], float)
    d = np.array([x[-1] - x[0], y[-1] - y[0]])
    return d / np.hypot(*d)


# --- the field -------------------------------------------------------------------------------


def test_the_field_is_nan_separated_float32_polylines_coloured_by_band_of_magnitude():
    """Every arrow is one polyline (base, tip, barb, tip, barb, NaN) in the trace of its band
    of |∇f|, float32; a grey casing runs under all of them; the colorbar steps like the bands."""
    _, base = _map()
    data = base.spec["data"]
    casing = [t for t in data if t["name"] == "∇f field casing"]
    bands = [t for t in data if t["name"] == "∇f field"]
    assert len(casing) == 1 and 2 <= len(bands) <= FIELD_BANDS
    assert all(t["type"] == "scatter" and t["mode"] == "lines" for t in casing + bands)
    assert all(t["x"]["dtype"] == t["y"]["dtype"] == "f4" for t in casing + bands)
    x = with_arrays_decoded(casing[0])["x"]
    assert len(x) == 6 * (17 * 17 - 1)  # no arrow where ∇f = 0
    assert np.isnan(x[5::6]).all() and np.isfinite(x.reshape(-1, 6)[:, :5]).all()
    arrows = 0
    top = base.spec["layout"]["coloraxis"]["cmax"]
    for k, trace in enumerate(bands):
        decoded = with_arrays_decoded(trace)
        magnitude = decoded["customdata"][0::6, 2]
        arrows += len(magnitude)
        assert trace["line"]["color"] == BAND_COLORS[k]
        assert (magnitude >= k * top / FIELD_BANDS - 1e-3).all()
        assert (magnitude <= (k + 1) * top / FIELD_BANDS + 1e-3).all()
        # The tip is the second point; both barbs end behind it, on either side of the shaft.
        pts = np.stack([decoded["x"], decoded["y"]], 1).reshape(-1, 6, 2)
        shaft = pts[:, 1] - pts[:, 0]
        for barb in (pts[:, 2], pts[:, 4]):
            back = barb - pts[:, 1]
            assert (np.einsum("ij,ij->i", back, shaft) < 0).all()

        def cross(a, b):
            return a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]

        side = cross(shaft, pts[:, 2] - pts[:, 1]) * cross(shaft, pts[:, 4] - pts[:, 1])
        assert (side < 0).all()
    assert arrows == 17 * 17 - 1
    assert top == pytest.approx(np.hypot(6, 18), rel=1e-5)  # the corners: |(2x, 6y)| at (3, 3)
    scale = base.spec["layout"]["coloraxis"]["colorscale"]
    assert [c for _, c in scale][::2] == BAND_COLORS


def test_arrow_lengths_are_capped_and_colour_is_the_true_magnitude():
    """Rosenbrock: lengths grow with |∇f| up to the 90th percentile, then stay at the cap; the
    heads' colour is |∇f| itself, far above the cap."""
    field = gradient_field(rosenbrock_x, rosenbrock_y, (-2, 2), (-1, 3), 17)
    arrows = scaled_arrows(field, 0.2)
    bx, by, tx, ty = arrows.x[0::3], arrows.y[0::3], arrows.x[1::3], arrows.y[1::3]
    length = np.hypot(tx - bx, ty - by)
    magnitude = arrows.magnitude[0::3]
    finite = field.magnitude[np.isfinite(field.magnitude) & (field.magnitude > 0)]
    assert arrows.clip == pytest.approx(np.percentile(finite, 90))
    assert length.max() <= 0.2 * (1 + 1e-5)
    capped = magnitude >= arrows.clip
    assert np.allclose(length[capped], 0.2, rtol=1e-4)
    assert np.allclose(length[~capped], 0.2 * magnitude[~capped] / arrows.clip, rtol=1e-3)
    assert magnitude.max() > 1.5 * arrows.clip  # colours carry the gradients the lengths cap
    assert 0.05 < capped.mean() < 0.2
    direction = np.stack([tx - bx, ty - by], 1) / length[:, None]
    true = np.stack([arrows.u[0::3], arrows.v[0::3]], 1) / magnitude[:, None]
    assert np.allclose(direction, true, atol=1e-3)


def test_no_arrows_where_f_is_undefined():
    """log(x·y): its partials exist where x·y < 0, but f and ∇f do not; no arrows there."""
    with np.errstate(all="ignore"):
        grid = sample_grid(lambda x, y: np.log(x * y), *WINDOW, 120)
        field = gradient_field(lambda x, y: 1 / x + 0 * y, lambda x, y: 0 * x + 1 / y, *WINDOW, 17)
    base = gradient_map(grid, field)
    arrows = _trace(base.spec, "∇f field casing")
    bx, by = arrows["x"][0::6], arrows["y"][0::6]
    assert len(bx) > 0 and (bx * by > -0.2).all()
    assert base.has_gaps


# --- the contour map ------------------------------------------------------------------------


def test_levels_cover_the_body_of_a_skewed_function():
    """Rosenbrock's walls reach 2500: the levels stop near the 90th percentile, so its valley
    keeps lines; a bowl's levels cover all of it."""
    grid = sample_grid(rosenbrock, (-2, 2), (-1, 3), 120)
    start, end, size = contour_levels(grid.z)
    assert end < 0.5 * np.nanmax(grid.z) and end >= np.percentile(grid.z, 90)
    grid = sample_grid(bowl, *WINDOW, 120)
    start, end, size = contour_levels(grid.z)
    assert start <= 0 and end >= 36 and 8 <= (end - start) / size <= 20


def _png_alpha(uri: str) -> np.ndarray:
    data = base64.b64decode(uri.split(",", 1)[1])
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    idat = data[data.index(b"IDAT") + 4 :]
    rows = np.frombuffer(zlib.decompressobj().decompress(idat), np.uint8)
    return rows.reshape(height, 1 + 4 * width)[:, 1:].reshape(height, width, 4)[..., 3]


def test_filled_contours_are_a_png_with_holes_where_f_is_undefined():
    """The image covers the window; undefined f (x < 0 for sqrt) is fully transparent."""
    with np.errstate(all="ignore"):
        grid = sample_grid(lambda x, y: np.sqrt(x) + 0 * y, *WINDOW, 40)
    alpha = _png_alpha(height_image(grid.z, contour_levels(grid.z)))
    assert alpha.shape == (118, 118)  # 3 pixels per grid step
    assert (alpha[:, :57] == 0).all() and (alpha[:, 62:] > 0).all()


# --- the point --------------------------------------------------------------------------------


def test_the_gradient_at_the_point_is_perpendicular_to_the_level_curve():
    """x² + 3y² at (1, 1): the big arrow points along (2, 6); the tangent is perpendicular to
    it, and so is the drawn level curve where it passes the point."""
    spec = _figure()[3]
    gradient = _direction(_trace(spec, "∇f at (x₀, y₀)"))
    assert np.allclose(gradient, np.array([2, 6]) / np.hypot(2, 6), atol=1e-4)
    tangent = _direction(_trace(spec, "its tangent"))
    assert abs(tangent @ gradient) < 1e-4
    level = _trace(spec, "level curve f = 4")
    x, y = level["x"].reshape(-1, 3)[:, :2], level["y"].reshape(-1, 3)[:, :2]
    middle = np.stack([x.mean(1), y.mean(1)], 1)
    nearest = np.argmin(np.hypot(middle[:, 0] - 1, middle[:, 1] - 1))
    segment = np.array([x[nearest, 1] - x[nearest, 0], y[nearest, 1] - y[nearest, 0]])
    assert abs(segment @ gradient) / np.hypot(*segment) < 0.05  # within 3°
    corner = _trace(spec, "right angle")
    sides = np.diff(np.stack([corner["x"], corner["y"]], 1), axis=0)
    assert abs(sides[0] @ sides[1]) < 1e-6  # the mark is a square corner


def test_cached_part_is_unchanged_when_only_the_point_moves():
    """Two points on one map: the base's traces are shared as they are, the base is not modified,
    and only light traces differ."""
    grid, base = _map()
    before = json.dumps(base.spec)
    specs = []
    for point in ((1.0, 1.0), (-1.5, 0.5)):
        plane = tangent_plane(bowl, bowl_x, bowl_y, *point)
        specs.append(gradient_figure(base, grid, plane, *_paths(bowl_x, bowl_y, point)))
    assert json.dumps(base.spec) == before
    heavy = len(base.spec["data"])
    for spec in specs:
        assert all(a is b for a, b in zip(spec["data"][:heavy], base.spec["data"], strict=True))
        assert spec["layout"]["images"] is base.spec["layout"]["images"]
    light = [json.dumps(s["data"][heavy:]) for s in specs]
    assert light[0] != light[1] and len(light[0]) < 20_000


def test_polar_frames_read_the_directional_derivative():
    """One frame per 5°: along ∇f the radius is 1 (= |∇f|, orange), against it the same in
    blue, along the level curve 0; the readout names D_u f."""
    plane = tangent_plane(bowl, bowl_x, bowl_y, 1.0, 1.0)
    spec = polar_figure(plane)
    assert [f["name"] for f in spec["frames"]] == [f"u{a}" for a in ANGLES]
    steps = spec["layout"]["sliders"][0]["steps"]
    assert [s["args"][0] for s in steps] == [[f"u{a}"] for a in ANGLES]
    along = gradient_angle(plane)
    assert along == pytest.approx(np.degrees(np.arctan2(6, 2)))
    positive, negative, readout = spec["frames"][0]["traces"][1:]

    def turned(degrees):
        exact = at_angle(spec, plane, degrees)
        shown = [i for i in (positive, negative) if exact["data"][i]["x"]]
        assert len(shown) == 1  # D_u f ≥ 0 in orange, < 0 in blue, never both
        value = exact["data"][shown[0]]
        return np.hypot(value["x"][1], value["y"][1]), value["line"]["color"], exact

    r, color, exact = turned(along)
    assert r == pytest.approx(1.0) and color == POSITIVE_COLOR
    assert "<b>6.325</b>" in exact["data"][readout]["text"][0]
    assert turned(along + 90)[0] == pytest.approx(0.0, abs=1e-9)
    r, color, _ = turned(along + 180)
    assert r == pytest.approx(1.0) and color != POSITIVE_COLOR
    at_90 = spec["frames"][18]
    assert at_90["name"] == "u90" and "<b>6</b>" in at_90["data"][3]["text"][0]
    assert directional_value(plane, along + 90) == 0.0
    assert directional_value(plane, 0.0) == pytest.approx(2.0)
    assert "|∇f| = 6.325" in spec["layout"]["title"]["text"]


def test_the_lobes_are_circles_through_the_centre_along_the_gradient():
    """The orange lobe is the circle with ∇f's unit arrow as diameter (every point 1/2 from
    the arrow's midpoint); the blue one is its mirror image."""
    plane = tangent_plane(bowl, bowl_x, bowl_y, 1.0, 1.0)
    spec = polar_figure(plane)
    middle = np.array([2, 6]) / np.hypot(2, 6) / 2
    for name, sign in (("D > 0", 1), ("D < 0", -1)):
        lobe = _trace(spec, name)
        x, y = np.asarray(lobe["x"]), np.asarray(lobe["y"])
        assert np.allclose(np.hypot(x - sign * middle[0], y - sign * middle[1]), 0.5, atol=1e-5)


def test_at_angle_turns_u_between_frames_without_touching_the_figure():
    """u exactly along ∇f (71.57°, between two 5° frames): u's trace on the map points along
    (2, 6); the polar chart's slider stands on the nearest step."""
    _, _, plane, spec = _figure()
    before = json.dumps(spec)
    exact = at_angle(spec, plane, gradient_angle(plane))
    assert json.dumps(spec) == before
    u = exact["data"][spec["frames"][0]["traces"][2]]
    assert u["name"] == "u"
    assert np.allclose(_direction(u), np.array([2, 6]) / np.hypot(2, 6), atol=1e-5)
    polar = at_angle(polar_figure(plane), plane, gradient_angle(plane))
    assert polar["layout"]["sliders"][0]["active"] == 14  # 70°, the nearest step


def test_path_frames_grow_to_the_whole_path():
    """The roll plays the paths from the point to their ends, by the play button."""
    _, _, _, spec = _figure()
    frames = [f for f in spec["frames"] if f["name"].startswith("path")]
    assert 2 <= len(frames) <= 30
    up_trail = [len(f["data"][0]["x"]) for f in frames]
    assert up_trail[0] == 1 and up_trail == sorted(up_trail)
    rest = _trace(spec, "steepest ascent")
    assert up_trail[-1] == len(rest["x"])
    assert frames[-1]["data"][2]["x"][0] == rest["x"][-1]  # the ball ends at the path's end
    # The button plays the paths' group, so that it stays the same when their number changes
    # with the point (a changed button would redraw the whole map).
    assert {f.get("group") for f in frames} == {"paths"}
    assert {f.get("group") for f in spec["frames"] if f not in frames} == {None}
    assert spec["layout"]["updatemenus"][0]["buttons"][0]["args"][0] == "paths"


def test_a_critical_point_has_no_arrow_and_says_so():
    """At the bowl's minimum ∇f = 0: no direction, D_u f = 0 for every u."""
    _, _, plane, spec = _figure(0.0, 0.0)
    assert gradient_angle(plane) is None
    assert _trace(spec, "∇f at (x₀, y₀)")["x"] == [0.0]  # the point, no arrow
    assert "= 0 here" in polar_figure(plane)["layout"]["title"]["text"]
    assert directional_value(plane, 33.0) == 0.0
    assert point_readout(plane) == "∇f(0, 0) = (0, 0),   |∇f| = 0"


def test_figures_validate_with_plotly():
    """plotly accepts every property of the map (with its frames) and of the 3D view."""
    _, _, plane, spec = _figure()
    go.Figure(spec)
    go.Figure(polar_figure(plane))
    surface = surface_base(sample_grid(bowl, *WINDOW, 60))
    go.Figure(surface_figure(surface, _lifted(plane, surface)))


# --- the 3D view ------------------------------------------------------------------------------


def _lifted(plane, surface):
    up, down = _paths(bowl_x, bowl_y, (plane.x0, plane.y0))
    up3, down3 = (np.column_stack([p, bowl(p[:, 0], p[:, 1])]) for p in (up, down))
    return lifted_traces(plane, surface, (np.array([0.0, 1.0]), np.array([1.0, 1.0])), up3, down3)


def test_surface_stays_byte_identical_when_the_point_moves():
    """The surface trace is the cached one, unchanged; the lifted gradient climbs |∇f| per unit."""
    surface = surface_base(sample_grid(bowl, *WINDOW, 60))
    z = with_arrays_decoded(surface["data"][0])["z"]
    assert z.dtype == np.float32 and z.shape == (60, 60)
    before = json.dumps(surface)
    figures = [
        surface_figure(surface, _lifted(tangent_plane(bowl, bowl_x, bowl_y, *p), surface))
        for p in ((1.0, 1.0), (-2.0, 0.5))
    ]
    assert json.dumps(surface) == before
    assert all(f["data"][0] is surface["data"][0] for f in figures)
    lifted = next(t for t in figures[0]["data"] if t["name"].startswith("∇f lifted"))
    run = np.hypot(lifted["x"][1] - lifted["x"][0], lifted["y"][1] - lifted["y"][0])
    rise = lifted["z"][1] - lifted["z"][0]
    assert rise / run == pytest.approx(np.hypot(2, 6), rel=1e-4)


def test_arrows_too_large_for_float32_are_left_out():
    """exp(exp(exp(exp(x)))) overflows float32 in part of the window: those arrows are left out
    (a colour scale of ∞ is no JSON), the others stay."""

    def steep_x(x, y):
        return np.where(x > 0, 1e300, 1.0) + 0 * y

    field = gradient_field(steep_x, lambda x, y: 0 * x + 0 * y, *WINDOW, 5)
    arrows = scaled_arrows(field, 0.5)
    assert np.isfinite(arrows.magnitude).all() and arrows.magnitude.size == 3 * 15  # x ≤ 0
    _, base = _map(bowl, steep_x, lambda x, y: 0 * x + 0 * y)
    assert np.isfinite(base.spec["layout"]["coloraxis"]["cmax"]) and base.has_gaps
    json.dumps(base.spec, allow_nan=False)  # as the chart's revision hash needs it


# --- the charts as text -----------------------------------------------------------------------


def test_map_summary_reads_the_bowl_at_one_one():
    """x² + 3y² at (1, 1), u at 0°: f = 4, ∇f = (2, 6), |∇f| = 6.325 at 71.57°, D_u f = 2."""
    _, _, plane, _ = _figure()
    text = map_summary("x^2 + 3y^2", plane, 0.0, *WINDOW)
    assert text.startswith("Contour map of f(x, y) = x^2 + 3y^2 and its gradient field, x from")
    assert "At (1, 1): f = 4, ∇f = (2, 6), |∇f| = 6.325, pointing at 71.57°" in text
    assert text.endswith("u at 0°: D_u f = 2.")


@given(
    x0=st.floats(-3, 3, allow_nan=False).map(lambda v: round(v, 2)),
    y0=st.floats(-3, 3, allow_nan=False).map(lambda v: round(v, 2)),
    degrees=st.integers(0, 71).map(lambda k: 5.0 * k),
)
def test_summaries_read_the_bowl_anywhere(x0: float, y0: float, degrees: float):
    """At any point and angle, the map's and the polar chart's text give ∇f = (2x₀, 6y₀),
    |∇f| and D_u f = 2x₀ cos θ + 6y₀ sin θ (hand-derived, not the page's functions)."""
    plane = tangent_plane(bowl, bowl_x, bowl_y, x0, y0)
    gx, gy = 2 * x0, 6 * y0
    theta = np.radians(degrees)
    along_u = gx * np.cos(theta) + gy * np.sin(theta)
    if abs(along_u) <= 1e-9 * np.hypot(gx, gy):
        along_u = 0.0  # u on the level curve: exactly zero, as the page shows it
    said = f"u at {number(degrees)}°: D_u f = {number(along_u)}."
    text = map_summary("x^2 + 3y^2", plane, degrees, *WINDOW)
    assert said in text
    if gx == gy == 0:
        assert "a critical point" in text
        return
    assert f"∇f = ({number(gx)}, {number(gy)}), |∇f| = {number(np.hypot(gx, gy))}" in text
    polar = polar_summary(plane, degrees)
    assert said in polar and f"|∇f| = {number(np.hypot(gx, gy))};" in polar
    assert f"−{number(np.hypot(gx, gy))} against ∇f" in polar


def test_polar_summary_names_where_d_u_f_is_largest_and_zero():
    """x² + 3y² at (1, 1): largest along 71.57°, zero at 161.6° and 341.6°, least at 251.6°."""
    _, _, plane, _ = _figure()
    text = polar_summary(plane, 90.0)
    assert "u at 90°: D_u f = 6." in text
    assert "Largest along ∇f (71.57°): |∇f| = 6.325;" in text
    assert "zero along the level curve (161.6° and 341.6°); −6.325 against ∇f (251.6°)." in text


def test_summaries_where_the_gradient_is_zero_or_undefined():
    """At the bowl's minimum: a critical point; where f is undefined: said so, no numbers."""
    _, _, flat, _ = _figure(0.0, 0.0)
    assert "∇f = (0, 0), a critical point" in polar_summary(flat, 45.0)
    assert "a critical point" in surface_summary("x^2 + 3y^2", flat, *WINDOW)
    nan = float("nan")
    undefined = TangentPlane(1.0, -1.0, nan, nan, nan)
    text = map_summary("log(x*y)", undefined, 0.0, *WINDOW)
    assert "At (1, −1) f or ∇f is not defined." in text and "D_u f = undefined." in text


def test_surface_summary_reads_the_point_and_the_climb():
    """The 3D view at (1, 1): the point at height 4, ∇f = (2, 6), and the window."""
    _, _, plane, _ = _figure()
    text = surface_summary("x^2 + 3y^2", plane, (-2.0, 2.0), (-1.0, 3.0))
    assert text.startswith("Surface z = x^2 + 3y^2 over x from −2 to 2, y from −1 to 3.")
    assert "At (1, 1): f = 4, ∇f = (2, 6), |∇f| = 6.325" in text
    assert "level curve at height 4" in text


def test_the_map_without_u_frames_keeps_its_paths_frames_and_its_traces() -> None:
    _, _, plane, spec = _figure()
    light = without_angle_frames(at_angle(spec, plane, 90.0))
    names = [frame["name"] for frame in light["frames"]]
    assert names and all(name.startswith("path") for name in names)
    assert names == [f["name"] for f in spec["frames"] if f["name"].startswith("path")]
    assert len(spec["frames"]) == len(names) + len(ANGLES)  # the cached figure is untouched
    assert light["data"] == at_angle(spec, plane, 90.0)["data"]
    assert light["layout"]["updatemenus"] == spec["layout"]["updatemenus"]  # ▶ still plays
