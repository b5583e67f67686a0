"""Figures of the gradient page: a contour map with the gradient field, the gradient at a point
perpendicular to its level curve, steepest paths; the directional derivative in every direction
(a polar chart); the same point on the 3D surface.

Everything is a JSON-ready dict (arrays as float32 typed-array specs): the heavy part (filled
contours as a PNG, the field's arrows; or the surface) depends only on the formula and the window
and is built once; a move of the point adds light traces; the direction of u and the steepest
paths play in the browser as plotly frames (architecture rules 1-4). What a browser redraw costs
was measured for each part (Chromium, software rendering): plotly's contour trace 50-100 ms
(and plotly drops it while frames play), its contour labels as much again; a marker per arrow
head 0.1 ms each; plain line traces almost nothing. Hence the PNG and the barbed line arrows.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from plotly.colors import sample_colorscale

from calc_core.multivariate import (
    GradientField,
    GridSample,
    TangentPlane,
    directional_derivative,
)
from viz.contours import background_image, level_line, png_data_uri, upsample
from viz.format import number
from viz.frames import play_button, sweep_slider
from viz.theme import BASE_FONT_SIZE, OKABE_ITO, SEQUENTIAL_SCALE, themed_figure, typed_array

ANGLE_STEP = 5  # degrees between the frames of u's direction
ANGLES = np.arange(0, 360, ANGLE_STEP)
CLIP_PERCENTILE = 90  # arrows of |∇f| at or above this percentile get the full length
PATH_FRAMES = 30  # frames of the steepest-path animation
PATH_GROUP = "paths"  # their group: the play button plays it

INK = OKABE_ITO["black"]  # follows the theme's text colour in the browser
LEVEL_COLOR = OKABE_ITO["green"]
U_COLOR = OKABE_ITO["purple"]
ASCENT_COLOR = OKABE_ITO["vermillion"]
DESCENT_COLOR = OKABE_ITO["blue"]
POSITIVE_COLOR = OKABE_ITO["orange"]
NEGATIVE_COLOR = OKABE_ITO["blue"]
CASING_COLOR = "rgba(127,127,127,0.45)"
FIELD_BANDS = 6  # colours of the field's arrows, bands of |∇f| of equal width from 0 to its max
BAND_COLORS = sample_colorscale(
    SEQUENTIAL_SCALE, [(k + 0.5) / FIELD_BANDS for k in range(FIELD_BANDS)]
)
# The colorbar steps like the arrows' colours.
BAND_SCALE = [
    [edge, color]
    for k, color in enumerate(BAND_COLORS)
    for edge in (k / FIELD_BANDS, (k + 1) / FIELD_BANDS)
]
BARB_DEGREES = 26
GRID_COLOR = "rgba(127,127,127,0.45)"
# Filled contours: low values blue, high ones pale, translucent so "blue = low" reads on a light
# and a dark page; level lines grey.
HEIGHT_LOW, HEIGHT_HIGH = (0, 114, 178), (220, 235, 245)
HEIGHT_ALPHA = 0.42
LEVEL_LINE_RGB, LEVEL_LINE_ALPHA = (127, 127, 127), 0.55
LABEL_COLOR = "#8a8a8a"
MAP = {"xaxis": "x", "yaxis": "y"}
POLAR_REACH = 1.32  # the polar chart shows radii up to this (the outer circle is r = 1)
READOUT_Y = -1.5  # where D_u f is read out, under the polar chart's circle

Range = tuple[float, float]


def _short(values) -> list[float | None]:
    """Plain floats for frames and small traces: 6 significant digits, None where not finite
    (plain Python: a hundred frames of a few numbers each are built on every move)."""
    return [float(f"{v:.6g}") if math.isfinite(v) else None for v in map(float, values)]


# --- the gradient field --------------------------------------------------------------------------


@dataclass(frozen=True)
class Arrows:
    """Arrows for one scatter trace: base, tip, NaN for each arrow (shape (3k,) each).

    Attributes:
        x, y: the points, float32; NaN after each tip so plotly lifts the pen.
        u, v, magnitude: the true ∂f/∂x, ∂f/∂y and |∇f| of each arrow, repeated on its 3 points.
        clip: |∇f| from which on an arrow has the full length (a high percentile of |∇f|).
        full_length: the longest arrow, in units of x and y.
    """

    x: NDArray[np.float32]
    y: NDArray[np.float32]
    u: NDArray[np.float32]
    v: NDArray[np.float32]
    magnitude: NDArray[np.float32]
    clip: float
    full_length: float


def scaled_arrows(
    field: GradientField, full_length: float, clip_percentile: float = CLIP_PERCENTILE
) -> Arrows:
    """Arrows along ∇f whose length grows with |∇f| up to a cap, so a few huge gradients (the
    walls of Rosenbrock's valley) do not shrink every other arrow to a dot.

    Length = full_length · min(|∇f|, clip) / clip with clip the `clip_percentile`-th percentile
    of the finite |∇f|. Arrows where ∇f is undefined, zero or beyond float32 (the arrays sent
    to the browser) are left out.

    Example:
        >>> from calc_core.multivariate import gradient_field
        >>> field = gradient_field(lambda x, y: 2 * x, lambda x, y: 0 * y, (1, 3), (0, 1), 3)
        >>> arrows = scaled_arrows(field, 0.5, clip_percentile=50)
        >>> float(arrows.clip), arrows.x[:3].tolist()  # |∇f| = 2, 4, 6; at x = 1: half length
        (4.0, [1.0, 1.25, nan])
    """
    with np.errstate(invalid="ignore"):
        keep = (field.magnitude > 0) & (field.magnitude < np.finfo(np.float32).max)
    x, y, u, v, m = (a[keep] for a in (field.x, field.y, field.u, field.v, field.magnitude))
    clip = float(np.percentile(m, clip_percentile)) if m.size else 1.0
    length = full_length * np.minimum(m, clip) / clip
    tip_x, tip_y = x + length * u / m, y + length * v / m
    gap = np.full_like(x, np.nan)

    def per_point(*columns: NDArray) -> NDArray[np.float32]:
        return np.stack(columns, axis=1).ravel().astype(np.float32)

    return Arrows(
        x=per_point(x, tip_x, gap),
        y=per_point(y, tip_y, gap),
        u=per_point(u, u, u),
        v=per_point(v, v, v),
        magnitude=per_point(m, m, m),
        clip=clip,
        full_length=float(full_length),
    )


def _barbed(arrows: Arrows, keep: NDArray[np.bool_]) -> tuple[NDArray, NDArray]:
    """Polylines base → tip → left barb → tip → right barb, NaN, for the arrows kept."""
    bx, by = arrows.x[0::3][keep], arrows.y[0::3][keep]
    tx, ty = arrows.x[1::3][keep], arrows.y[1::3][keep]
    dx, dy = tx - bx, ty - by
    length = np.hypot(dx, dy)
    head = np.maximum(0.32 * length, 0.14 * arrows.full_length) / np.maximum(length, 1e-30)
    cos, sin = np.cos(np.radians(BARB_DEGREES)), np.sin(np.radians(BARB_DEGREES))
    left = (tx - head * (cos * dx - sin * dy), ty - head * (sin * dx + cos * dy))
    right = (tx - head * (cos * dx + sin * dy), ty - head * (-sin * dx + cos * dy))
    gap = np.full_like(bx, np.nan)
    xs = np.stack([bx, tx, left[0], tx, right[0], gap], axis=1).ravel()
    ys = np.stack([by, ty, left[1], ty, right[1], gap], axis=1).ravel()
    return xs.astype(np.float32), ys.astype(np.float32)


def arrow_traces(arrows: Arrows) -> list[dict]:
    """The field as line traces only: a grey casing under every arrow, then the arrows in one
    trace per band of |∇f| coloured from the sequential scale (its stepped colorbar carried by an
    empty trace). Each arrow is a NaN-separated polyline with a barbed head.

    Lines, not marker heads: plotly redraws every marker of a trace on each move of the point,
    measured 81 ms against 50 ms per redraw for 225 arrows (Chromium, software rendering,
    median of 12); the casing keeps the colours readable on a light and a dark page.
    """
    magnitude = arrows.magnitude[0::3]
    top = float(magnitude.max()) if magnitude.size else 1.0
    band = np.minimum((magnitude / top * FIELD_BANDS).astype(int), FIELD_BANDS - 1)
    every = np.ones(magnitude.shape, dtype=bool)
    casing_x, casing_y = _barbed(arrows, every)
    traces = [
        {"type": "scatter", "x": typed_array(casing_x), "y": typed_array(casing_y),
         "mode": "lines", "name": "∇f field casing", "line": {"color": CASING_COLOR, "width": 4},
         "hoverinfo": "skip", "connectgaps": False, **MAP}
    ]  # fmt: skip
    hover = (
        "∇f = (%{customdata[0]:.4g}, %{customdata[1]:.4g})<br>|∇f| = %{customdata[2]:.4g}"
        f"<br>(arrow lengths stop growing at |∇f| = {number(arrows.clip, 3)})<extra></extra>"
    )
    for k, color in enumerate(BAND_COLORS):
        keep = band == k
        if not keep.any():
            continue
        x, y = _barbed(arrows, keep)
        values = np.stack([arrows.u[0::3][keep], arrows.v[0::3][keep], magnitude[keep]], axis=1)
        custom = np.repeat(values, 6, axis=0)
        traces.append(
            {"type": "scatter", "x": typed_array(x), "y": typed_array(y), "mode": "lines",
             "name": "∇f field", "line": {"color": color, "width": 1.8},
             "customdata": typed_array(custom), "hovertemplate": hover, "connectgaps": False,
             **MAP}
        )  # fmt: skip
    traces.append(  # carries the colorbar: a colour axis shows only for a trace that uses it
        {"type": "scatter", "x": [None], "y": [None], "mode": "markers", "name": "|∇f| scale",
         "marker": {"color": [0.0], "coloraxis": "coloraxis"}, "hoverinfo": "skip", **MAP}
    )  # fmt: skip
    return traces


# --- the contour map -----------------------------------------------------------------------------


def _nice_step(span: float, count: int) -> float:
    raw = span / count
    power = 10.0 ** np.floor(np.log10(raw))
    return float(next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw))


def contour_levels(z: NDArray, count: int = 14) -> tuple[float, float, float]:
    """(start, end, size) of round contour levels over the body of z's values.

    When a few values dwarf the rest (Rosenbrock's walls are 1000 times its valley), the levels
    stop at the 90th percentile so the valley keeps its lines; above it is one band.
    """
    finite = z[np.isfinite(z)]
    if finite.size == 0:
        return 0.0, 1.0, 0.1
    low, high = float(finite.min()), float(finite.max())
    body = float(np.percentile(finite, 90))
    if high - low > 3 * (body - low) > 0:
        high = body
    if high - low < 1e-12:
        return low - 0.5, low + 0.5, 0.1
    size = _nice_step(high - low, count)
    start = float(np.floor(low / size) * size)
    return start, float(np.ceil(high / size) * size), size


@dataclass(frozen=True)
class GradientMap:
    """The part of the map that depends only on the formula and the window, JSON-ready.

    Attributes:
        spec: {"data": [arrows, level labels, polar grid], "layout": ...}; never modified.
            The filled contours are `layout.images[0]`, a PNG: a contour trace would cost the
            browser 100-200 ms on every redraw, and plotly removes it while frames play.
        clip: |∇f| from which on field arrows have the full length.
        has_gaps: f or ∇f is undefined (NaN) somewhere in the window.
    """

    spec: dict
    clip: float
    has_gaps: bool


def height_image(z: NDArray, levels: tuple[float, float, float], factor: int = 3) -> str:
    """Filled contours with their lines, as a translucent PNG (row 0 is the top, the largest y).

    Bands between levels go from blue (low) to pale (high), at `HEIGHT_ALPHA`, so the picture
    reads on a light and a dark page; values above the last level share the last band; NaN is
    transparent (a gap).
    """
    start, end, size = levels
    count = max(round((end - start) / size), 1)
    with np.errstate(invalid="ignore"):
        fine = upsample(np.asarray(z, dtype=np.float64), factor)[::-1]
        band = np.clip(np.floor((fine - start) / size), 0, count)
    share = (band / count)[..., None]
    rgb = (1 - share) * np.array(HEIGHT_LOW) + share * np.array(HEIGHT_HIGH)
    alpha = np.where(np.isnan(fine), 0.0, HEIGHT_ALPHA)[..., None]
    edge = np.zeros(band.shape, dtype=bool)
    with np.errstate(invalid="ignore"):
        edge[:, 1:] |= band[:, 1:] != band[:, :-1]
        edge[1:, :] |= band[1:, :] != band[:-1, :]
    edge &= ~np.isnan(fine)
    rgb = np.where(edge[..., None], np.array(LEVEL_LINE_RGB), rgb)
    alpha = np.where(edge[..., None], LEVEL_LINE_ALPHA, alpha)
    rgba = np.concatenate([rgb, 255 * alpha], axis=-1)
    return png_data_uri(np.nan_to_num(rgba).round().astype(np.uint8))


def _level_labels(grid: GridSample, levels: tuple[float, float, float]) -> dict:
    """A text trace naming the levels: each label where its line crosses a ray from the window's
    centre (up and to the right), skipping labels that would crowd one another."""
    start, end, size = levels
    x_low, x_high, y_low, y_high = grid.x[0], grid.x[-1], grid.y[0], grid.y[-1]
    width, height = x_high - x_low, y_high - y_low
    centre = np.array([(x_low + x_high) / 2, (y_low + y_high) / 2])
    placed: list[NDArray] = []
    texts = []
    for level in np.arange(start + size, end + size / 2, size):
        lx, ly = level_line(grid.x, grid.y, grid.z, float(level))
        # In units of the window: along the ray (0.94, 0.34) and across it.
        dx, dy = (lx - centre[0]) / width, (ly - centre[1]) / height
        along, across = 0.94 * dx + 0.34 * dy, np.abs(-0.34 * dx + 0.94 * dy)
        inside = np.isfinite(lx) & (np.abs(dx) < 0.45) & (np.abs(dy) < 0.45) & (along > 0)
        if not inside.any():
            continue
        k = int(np.argmin(np.where(inside, across, np.inf)))
        spot = np.array([dx[k], dy[k]])
        if across[k] < 0.12 and all(np.hypot(*(spot - p)) > 0.07 for p in placed):
            placed.append(spot)
            texts.append(number(float(level), 3))
    xs = [float(centre[0] + p[0] * width) for p in placed]
    ys = [float(centre[1] + p[1] * height) for p in placed]
    return {
        "type": "scatter",
        "x": _short(xs),
        "y": _short(ys),
        "text": texts,
        "mode": "text",
        "name": "levels of f",
        "textfont": {"size": BASE_FONT_SIZE - 4, "color": LABEL_COLOR},
        "hoverinfo": "skip",
        "showlegend": False,
        **MAP,
    }


def _height_layer(grid: GridSample) -> tuple[dict, dict]:
    """The filled contours as a layout image over the window, and their level labels."""
    levels = contour_levels(grid.z)
    window = (float(grid.x[0]), float(grid.x[-1])), (float(grid.y[0]), float(grid.y[-1]))
    image = background_image(height_image(grid.z, levels), *window)
    return image, _level_labels(grid, levels)


@functools.lru_cache(maxsize=64)
def _map_layout(x_range: Range, y_range: Range) -> str:
    """The map's axes (of equal scale, so right angles look right) and colorbar, as JSON."""
    fig = themed_figure(x_title="x", y_title="y")
    fig.update_layout(
        xaxis={"domain": [0.0, 0.9], "range": list(x_range), "constrain": "domain",
               "constraintoward": "right", "zeroline": False, "showgrid": False},
        yaxis={"range": list(y_range), "scaleanchor": "x", "scaleratio": 1, "constrain": "domain",
               "zeroline": False, "showgrid": False},
        coloraxis={"colorscale": BAND_SCALE, "cmin": 0.0,
                   "colorbar": {"title": {"text": "|∇f|", "side": "top"}, "x": 0.91,
                                "xanchor": "left", "len": 0.85, "thickness": 12}},
        showlegend=False,
        margin={"l": 56, "r": 8, "t": 44, "b": 40},
        hovermode="closest",
    )  # fmt: skip
    return json.dumps(json.loads(fig.to_json())["layout"])


def _where_f_defined(field: GradientField, grid: GridSample) -> GradientField:
    """The field with no arrow where f itself is undefined (at the nearest grid point): the
    partials of log(x·y) exist where x·y < 0, its gradient does not."""
    i = np.clip(np.round((field.x - grid.x[0]) / (grid.x[1] - grid.x[0])), 0, grid.x.size - 1)
    j = np.clip(np.round((field.y - grid.y[0]) / (grid.y[1] - grid.y[0])), 0, grid.y.size - 1)
    defined = np.isfinite(grid.z[j.astype(int), i.astype(int)])
    u, v = np.where(defined, field.u, np.nan), np.where(defined, field.v, np.nan)
    return GradientField(field.x, field.y, u, v, np.hypot(u, v))


def gradient_map(grid: GridSample, field: GradientField) -> GradientMap:
    """The contour map of f with the gradient field: the part that only the formula and the
    window change.

    Args:
        grid: f on a grid over the window (100-150 per side); its first and last x and y are
            the window.
        field: ∇f on a coarser grid (about 17 per side) over the same window.

    Returns:
        A `GradientMap`; `spec["data"]` is [the field's traces (`arrow_traces`), level labels].
    """
    x_range = (float(grid.x[0]), float(grid.x[-1]))
    y_range = (float(grid.y[0]), float(grid.y[-1]))
    side = round(float(np.sqrt(field.x.size)))
    spacing = min(np.ptp(field.x), np.ptp(field.y)) / max(side - 1, 1)
    arrows = scaled_arrows(_where_f_defined(field, grid), 0.9 * spacing)
    layout = json.loads(_map_layout(x_range, y_range))
    layout["coloraxis"]["cmax"] = float(arrows.magnitude.max()) if arrows.magnitude.size else 1.0
    image, labels = _height_layer(grid)
    layout["images"] = [image]
    layout["meta"] = {"view": "map"}
    spec = {"data": [*arrow_traces(arrows), labels], "layout": layout}
    with np.errstate(invalid="ignore"):  # NaN, ∞ and what float32 cannot hold: no arrow
        shown = field.magnitude < np.finfo(np.float32).max
    has_gaps = bool(np.isnan(grid.z).any() or not shown.all())
    return GradientMap(spec=spec, clip=arrows.clip, has_gaps=has_gaps)


# --- the point: its gradient, level curve, direction u and steepest paths ----------------------


@dataclass(frozen=True)
class Geometry:
    """Sizes on the map, in units of x and y, from the window."""

    x_range: Range
    y_range: Range

    @property
    def span(self) -> float:
        return max(self.x_range[1] - self.x_range[0], self.y_range[1] - self.y_range[0])

    @property
    def arrow(self) -> float:  # the gradient at the point and u are drawn this long
        return 0.2 * self.span

    @property
    def mark(self) -> float:  # the side of the right-angle mark
        return 0.035 * self.span


def gradient_defined(plane: TangentPlane) -> bool:
    """Whether f and both partials are finite at the point (where f is undefined, so is ∇f)."""
    return bool(np.isfinite([plane.z0, plane.fx, plane.fy]).all())


def _unit_gradient(plane: TangentPlane) -> tuple[float, float, float] | None:
    """(|∇f|, cos φ, sin φ) of the gradient's direction φ, or None where it is 0 or undefined."""
    size = float(np.hypot(plane.fx, plane.fy))
    if not gradient_defined(plane) or size == 0.0:
        return None
    return size, plane.fx / size, plane.fy / size


def gradient_angle(plane: TangentPlane) -> float | None:
    """The direction of ∇f at the point in degrees, in [0, 360); None where ∇f is 0 or undefined.

    Example:
        >>> gradient_angle(TangentPlane(1.0, 1.0, 4.0, 0.0, -2.0))
        270.0
    """
    unit = _unit_gradient(plane)
    return None if unit is None else float(np.degrees(np.arctan2(unit[2], unit[1])) % 360)


def directional_value(plane: TangentPlane, degrees: float) -> float:
    """D_u f = ∇f·u for u at `degrees` (NaN where ∇f is undefined), rounding noise
    (|D| < 1e-9·|∇f|, u a hair off the level curve) shown as 0."""
    if not gradient_defined(plane):
        return float("nan")
    value = float(directional_derivative((plane.fx, plane.fy), np.radians(degrees)))
    size = float(np.hypot(plane.fx, plane.fy))
    return 0.0 if abs(value) <= 1e-9 * size else value


def point_readout(plane: TangentPlane) -> str:
    """The map's title: ∇f at the point."""
    where = f"({number(plane.x0)}, {number(plane.y0)})"
    if not gradient_defined(plane):
        return f"∇f is not defined at {where}"
    size = number(float(np.hypot(plane.fx, plane.fy)))
    return f"∇f{where} = ({number(plane.fx)}, {number(plane.fy)}),   |∇f| = {size}"


def angle_readout(plane: TangentPlane, degrees: float) -> str:
    """The polar chart's readout at one direction of u: D_u f."""
    return (
        f"u at {number(degrees, 4)}°:  D<sub>u</sub>f = ∇f·u = "
        f"<b>{number(directional_value(plane, degrees))}</b>"
    )


def _title(text: str) -> dict:
    return {"title": {"text": text, "x": 0.01, "y": 0.985, "yanchor": "top",
                      "font": {"size": BASE_FONT_SIZE + 1}}}  # fmt: skip


def _trace(x, y, name: str, *, panel: dict = MAP, **style) -> dict:
    return {"type": "scatter", "x": _short(x), "y": _short(y), "name": name,
            "hoverinfo": "skip", **style, **panel}  # fmt: skip


def _level_label(plane: TangentPlane, level: tuple, geometry: Geometry) -> dict:
    """ "f = c" on the level curve, at its point farthest from (x0, y0) well inside the window."""
    lx, ly = (np.asarray(a, float) for a in level)
    (x_low, x_high), (y_low, y_high) = geometry.x_range, geometry.y_range
    inside = (
        np.isfinite(lx)
        & (np.abs(lx - (x_low + x_high) / 2) < 0.36 * (x_high - x_low))
        & (np.abs(ly - (y_low + y_high) / 2) < 0.4 * (y_high - y_low))
    )
    where = ([], [])
    if inside.any():
        k = int(np.argmax(np.where(inside, np.hypot(lx - plane.x0, ly - plane.y0), -1)))
        where = ([lx[k]], [ly[k]])
    return _trace(*where, "level label", mode="text", text=[f"f = {number(plane.z0)}"],
                  textposition="top center", cliponaxis=False,
                  textfont={"size": BASE_FONT_SIZE})  # fmt: skip


def _point_traces(plane: TangentPlane, grid: GridSample, geometry: Geometry) -> list[dict]:
    """The level curve through the point with its label, its tangent, the right-angle mark, ∇f
    drawn large, the point."""
    p = np.array([plane.x0, plane.y0])
    unit = _unit_gradient(plane)
    level = level_line(grid.x, grid.y, grid.z, plane.z0) if np.isfinite(plane.z0) else ([], [])
    curve = {"type": "scatter", "x": typed_array(level[0]), "y": typed_array(level[1]),
             "mode": "lines", "name": f"level curve f = {number(plane.z0)}",
             "line": {"color": LEVEL_COLOR, "width": 3.5}, "hoverinfo": "skip",
             "connectgaps": False, **MAP}  # fmt: skip
    hover = (
        f"(x₀, y₀) = ({number(plane.x0)}, {number(plane.y0)})<br>f = {number(plane.z0)}<br>"
        f"∇f = ({number(plane.fx)}, {number(plane.fy)})<extra></extra>"
    )
    point = {"color": INK, "size": 13, "line": {"color": "white", "width": 2}}
    if unit is None:
        tangent, mark = (
            _trace([], [], name, mode="lines") for name in ("its tangent", "right angle")
        )
        arrow = _trace([plane.x0], [plane.y0], "∇f at (x₀, y₀)", mode="markers", marker=point,
                       hoverinfo=None, hovertemplate=hover)  # fmt: skip
    else:
        _, c, s = unit
        g, t = np.array([c, s]), np.array([-s, c])  # along ∇f, along the level curve
        ends = np.stack([p - 0.75 * geometry.arrow * t, p + 0.75 * geometry.arrow * t])
        tangent = _trace(ends[:, 0], ends[:, 1], "its tangent", mode="lines",
                         line={"color": LEVEL_COLOR, "width": 2.5, "dash": "dash"})  # fmt: skip
        a = geometry.mark
        corner = np.stack([p + a * t, p + a * (t + g), p + a * g])
        mark = _trace(corner[:, 0], corner[:, 1], "right angle", mode="lines",
                      line={"color": INK, "width": 2})  # fmt: skip
        tip = p + geometry.arrow * g
        # The point and ∇f's arrow in one trace: a circle at the point, a head at the tip.
        arrow = _trace([p[0], tip[0]], [p[1], tip[1]], "∇f at (x₀, y₀)",
                       mode="lines+markers+text", text=["", "∇f"], textposition="top center",
                       textfont={"size": BASE_FONT_SIZE + 2}, line={"color": INK, "width": 5},
                       marker={**point, "symbol": ["circle", "arrow"], "angleref": "previous",
                               "size": [13, 22], "line": {"color": "white", "width": [2, 0]}},
                       hoverinfo=None, hovertemplate=hover)  # fmt: skip
    return [curve, _level_label(plane, level, geometry), tangent, mark, arrow]


def _turn(plane: TangentPlane, degrees: float) -> tuple[float, float, float, tuple]:
    """u = (cos θ, sin θ), cos α between u and ∇f (0 where ∇f has no direction), ∇f's unit."""
    theta = math.radians(degrees)
    ux, uy = math.cos(theta), math.sin(theta)
    unit = _unit_gradient(plane)
    along = (0.0, 0.0) if unit is None else (unit[1], unit[2])
    return ux, uy, ux * along[0] + uy * along[1], along


def _map_angle_traces(plane: TangentPlane, geometry: Geometry, degrees: float) -> list[dict]:
    """What moves on the map with u's direction: u, and the shadow of ∇f's arrow on u (its
    length, as a share of the arrow, is D_u f / |∇f|) with the dotted drop that casts it."""
    ux, uy, cosine, (gx, gy) = _turn(plane, degrees)
    x0, y0, length = plane.x0, plane.y0, geometry.arrow
    foot = (x0 + length * cosine * ux, y0 + length * cosine * uy)
    return [
        {"x": _short([x0, foot[0]]), "y": _short([y0, foot[1]])},
        {"x": _short([x0 + length * gx, foot[0]]), "y": _short([y0 + length * gy, foot[1]])},
        {"x": _short([x0, x0 + length * ux]), "y": _short([y0, y0 + length * uy])},
    ]


MAP_ANGLE_STYLES = [
    {"mode": "lines", "name": "shadow of ∇f on u",
     "line": {"color": "rgba(204,121,167,0.45)", "width": 11}},
    {"mode": "lines", "name": "drop", "line": {"color": INK, "width": 1.5, "dash": "dot"}},
    {"mode": "lines+markers+text", "name": "u", "text": ["", "u"], "textposition": "top center",
     "textfont": {"color": U_COLOR, "size": BASE_FONT_SIZE + 2},
     "line": {"color": U_COLOR, "width": 3.5},
     "marker": {"symbol": "arrow", "angleref": "previous", "size": [0, 18], "color": U_COLOR,
                "standoff": 3, "line": {"width": 0}}},
]  # fmt: skip


def _path_frames(up: NDArray, down: NDArray) -> tuple[list[list[dict]], list[dict]]:
    """Trails and balls along the two paths: the frames' data, and the full paths (at rest)."""
    longest = max(len(up), len(down), 1)
    stops = np.unique(np.linspace(0, longest - 1, min(PATH_FRAMES, longest)).round().astype(int))

    def state(k: int) -> list[dict]:
        trails, balls = [], []
        for path in (up, down):
            end = min(k, len(path) - 1)
            trails.append({"x": _short(path[: end + 1, 0]), "y": _short(path[: end + 1, 1])})
            balls.append(path[end] if end >= 0 else (np.nan, np.nan))
        balls = np.array(balls, dtype=float)
        return [*trails, {"x": _short(balls[:, 0]), "y": _short(balls[:, 1])}]

    return [state(int(k)) for k in stops], state(longest - 1)


def _path_styles() -> list[dict]:
    ball = {"size": 13, "line": {"color": "white", "width": 2}}
    label = {"mode": "markers+text", "textposition": "middle right", "cliponaxis": False,
             "textfont": {"size": BASE_FONT_SIZE - 1}}  # fmt: skip
    colors = [ASCENT_COLOR, DESCENT_COLOR]
    return [
        {"mode": "lines", "name": "steepest ascent", "line": {"color": ASCENT_COLOR, "width": 3.5}},
        {"mode": "lines", "name": "steepest descent",
         "line": {"color": DESCENT_COLOR, "width": 3.5}},
        {**label, "name": "balls", "text": ["up", "down"], "marker": {"color": colors, **ball}},
    ]  # fmt: skip


def gradient_figure(
    base: GradientMap,
    grid: GridSample,
    plane: TangentPlane,
    up: NDArray,
    down: NDArray,
) -> dict:
    """The map at one point: ∇f large and perpendicular to the level curve, u's direction as
    frames, the steepest paths played by a button.

    Args:
        base: the cached map of the formula and window (not modified; its traces are shared).
        grid: f on the grid the map was drawn from (for the level curve through the point).
        plane: f, ∂f/∂x and ∂f/∂y at the point (x0, y0).
        up, down: (k, 2) steepest ascent and descent paths from the point.

    Returns:
        A JSON-ready figure whose first `len(base.spec["data"])` traces are the base's own. Its
        frames: one per angle of `ANGLES` (named "u0", "u5", ...; frame i is at ANGLES[i]),
        then the paths' ("path0", ...). At rest it shows u at 0° and the whole paths.
    """
    geometry = Geometry(
        (float(grid.x[0]), float(grid.x[-1])), (float(grid.y[0]), float(grid.y[-1]))
    )
    up, down = np.asarray(up).reshape(-1, 2), np.asarray(down).reshape(-1, 2)
    data = list(base.spec["data"])
    # Paths first, so ∇f and u are drawn over the path that starts along ∇f.
    path_first = len(data)
    path_states, at_rest = _path_frames(up, down)
    data += [
        {"type": "scatter", "hoverinfo": "skip", **style, **state, **MAP}
        for style, state in zip(_path_styles(), at_rest, strict=True)
    ]
    path_traces = list(range(path_first, len(data)))
    # Then u, under ∇f: when u points along ∇f, the black arrow stays in sight.
    angle_first = len(data)
    data += [
        {"type": "scatter", "hoverinfo": "skip", **style, **state, **MAP}
        for style, state in zip(
            MAP_ANGLE_STYLES, _map_angle_traces(plane, geometry, 0.0), strict=True
        )
    ]
    angle_traces = list(range(angle_first, len(data)))
    data += _point_traces(plane, grid, geometry)
    frames = [
        {"name": f"u{a}", "traces": angle_traces,
         "data": _map_angle_traces(plane, geometry, float(a))}
        for a in ANGLES
    ]  # fmt: skip
    frames += [
        {"name": f"path{i}", "group": PATH_GROUP, "traces": path_traces, "data": state}
        for i, state in enumerate(path_states)
    ]
    # The button names the paths' group, not their frames: how many there are changes with
    # the point, and a changed button would relayout (redraw) the whole map on that move.
    play = play_button(PATH_GROUP, label="▶ Roll up and down", duration_ms=70)
    layout = {**base.spec["layout"], **_title(point_readout(plane)), "updatemenus": [play]}
    return {"data": data, "layout": layout, "frames": frames}


# --- the directional derivative in every direction -------------------------------------------


@functools.lru_cache(maxsize=1)
def _polar_layout() -> str:
    """The polar chart's hidden axes of equal scale, as JSON (validated once by plotly)."""
    fig = themed_figure(title="D<sub>u</sub>f against the direction of u")
    hidden = {"visible": False, "fixedrange": True}
    fig.update_layout(
        xaxis={**hidden, "range": [-POLAR_REACH, POLAR_REACH]},
        yaxis={**hidden, "range": [READOUT_Y - 0.2, POLAR_REACH], "scaleanchor": "x"},
        showlegend=False,
        margin={"l": 8, "r": 8, "t": 64, "b": 8},
        meta={"view": "polar"},
    )
    return json.dumps(json.loads(fig.to_json())["layout"])


def _polar_grid() -> list[dict]:
    """Circles at r = 1/2 and 1 (= |∇f|), spokes every 45° and the angles' labels."""
    t = np.linspace(0, 2 * np.pi, 97)
    circles_x = np.concatenate([np.cos(t), [np.nan], 0.5 * np.cos(t)])
    circles_y = np.concatenate([np.sin(t), [np.nan], 0.5 * np.sin(t)])
    spokes = np.radians(np.arange(0, 360, 45))
    spoke_x = np.stack([0 * spokes, np.cos(spokes), np.full_like(spokes, np.nan)], 1).ravel()
    spoke_y = np.stack([0 * spokes, np.sin(spokes), np.full_like(spokes, np.nan)], 1).ravel()
    return [
        {"type": "scatter", "x": typed_array(np.concatenate([circles_x, [np.nan], spoke_x])),
         "y": typed_array(np.concatenate([circles_y, [np.nan], spoke_y])), "mode": "lines",
         "name": "grid", "line": {"color": GRID_COLOR, "width": 1}, "hoverinfo": "skip"},
        _trace(1.17 * np.cos(spokes), 1.17 * np.sin(spokes), "angles", panel={}, mode="text",
               text=[f"{d}°" for d in range(0, 360, 45)],
               textfont={"size": BASE_FONT_SIZE - 3, "color": LABEL_COLOR}),
    ]  # fmt: skip


def _lobes(plane: TangentPlane) -> list[dict]:
    """|D_u f| / |∇f| against u's angle: a circle through the centre along ∇f where D_u f > 0
    (solid orange), the same circle against ∇f where D_u f < 0 (dashed blue), and the
    level-curve direction where D_u f = 0 (dashed green)."""
    unit = _unit_gradient(plane)
    if unit is None:
        return [
            _trace([], [], name, panel={}, mode="lines") for name in ("D > 0", "D < 0", "D = 0")
        ]
    _, c, s = unit
    phi = np.arctan2(s, c)
    half = np.linspace(-np.pi / 2, np.pi / 2, 61)
    r = np.cos(half)
    return [
        _trace(r * np.cos(phi + half), r * np.sin(phi + half), "D > 0", panel={},
               mode="lines", fill="toself", fillcolor="rgba(230,159,0,0.15)",
               line={"color": POSITIVE_COLOR, "width": 3}),
        _trace(-r * np.cos(phi + half), -r * np.sin(phi + half), "D < 0", panel={},
               mode="lines", line={"color": NEGATIVE_COLOR, "width": 3, "dash": "dash"}),
        _trace([s * 1.05, -s * 1.05], [-c * 1.05, c * 1.05], "D = 0", panel={},
               mode="lines", line={"color": LEVEL_COLOR, "width": 2.5, "dash": "dash"}),
    ]  # fmt: skip


def _polar_angle_traces(plane: TangentPlane, degrees: float) -> list[dict]:
    """What moves on the polar chart with u: its spoke, |D_u f| / |∇f| as a radius along u (in
    the orange trace when D_u f ≥ 0, the blue one when negative) and the readout."""
    ux, uy, cosine, _ = _turn(plane, degrees)
    value = {"x": _short([0.0, abs(cosine) * ux]), "y": _short([0.0, abs(cosine) * uy])}
    empty = {"x": [], "y": []}
    return [
        {"x": _short([0.0, ux]), "y": _short([0.0, uy])},
        value if cosine >= 0 else empty,
        empty if cosine >= 0 else value,
        {"x": [0.0], "y": [READOUT_Y], "text": [angle_readout(plane, degrees)]},
    ]


def _value_style(name: str, color: str) -> dict:
    marker = {"color": color, "size": [0, 13], "line": {"color": "white", "width": 1.5}}
    return {"mode": "lines+markers", "name": name, "line": {"color": color, "width": 5},
            "marker": marker}  # fmt: skip


POLAR_ANGLE_STYLES = [
    {"mode": "lines", "name": "u", "line": {"color": U_COLOR, "width": 1.5, "dash": "dot"}},
    _value_style("D_u f ≥ 0", POSITIVE_COLOR),
    _value_style("D_u f < 0", NEGATIVE_COLOR),
    {"mode": "text", "name": "readout", "textfont": {"size": BASE_FONT_SIZE}},
]


def polar_figure(plane: TangentPlane) -> dict:
    """D_u f for every direction u at the point, with u's direction swept by frames and by
    plotly's own slider under the chart.

    Returns:
        A JSON-ready figure with one frame per angle of `ANGLES` ("u0", "u5", ...) and a slider
        whose step i plays frame i. At rest u is at 0°.
    """
    data = [*_polar_grid(), *_lobes(plane)]
    first = len(data)
    data += [
        {"type": "scatter", "hoverinfo": "skip", **style, **state}
        for style, state in zip(POLAR_ANGLE_STYLES, _polar_angle_traces(plane, 0.0), strict=True)
    ]
    traces = list(range(first, len(data)))
    frames = [
        {"name": f"u{a}", "traces": traces, "data": _polar_angle_traces(plane, float(a))}
        for a in ANGLES
    ]
    slider = sweep_slider(
        # No labels: plotly would show every k-th that fits, at odd angles; the chart reads
        # the angle out.
        [""] * len(ANGLES),
        [repr(float(a)) for a in ANGLES],
        active=0,
        prefix=None,
        frame_names=[f"u{a}" for a in ANGLES],
    )
    slider["pad"] = {"t": 8, "b": 8}
    unit = _unit_gradient(plane)
    if unit is not None:
        note = f"outer circle: |∇f| = {number(unit[0])}"
    elif gradient_defined(plane):
        note = "∇f = 0 here: D<sub>u</sub>f = 0 for every u"
    else:
        note = "∇f is not defined here"
    layout = {
        **json.loads(_polar_layout()),
        "sliders": [slider],
    }
    title = layout["title"]
    layout["title"] = {**title, "text": f"{title['text']}<br><span style='font-size:14px;"
                       f"color:{LABEL_COLOR}'>{note}</span>"}  # fmt: skip
    return {"data": data, "layout": layout, "frames": frames}


def without_angle_frames(spec: dict) -> dict:
    """The map without u's frames, keeping the steepest paths' (its ▶ button plays those).

    The map follows u by redrawing u's few traces (`at_angle`) rather than by playing a frame:
    its frames change with every move of the point, and 72 of them re-sent with each move cost
    the browser more than the redraw (gradient page, interleaved A/B, 40 moves: the map's p95
    199 -> 182 ms, the polar chart's 214 -> 194 ms). The polar chart keeps its frames: its
    own slider plays them."""
    frames = [frame for frame in spec.get("frames", []) if not frame["name"].startswith("u")]
    return {**spec, "frames": frames}


def angle_index(degrees: float) -> int | None:
    """The frame of `ANGLES` at this direction of u, or None between frames."""
    index = round(degrees / ANGLE_STEP) % len(ANGLES)
    return index if np.isclose(degrees % 360, ANGLES[index], atol=1e-9) else None


def at_angle(spec: dict, plane: TangentPlane, degrees: float) -> dict:
    """The map or the polar chart with u at any angle, e.g. exactly along ∇f (between the
    frames' 5° steps). The result shares the unchanged parts with `spec` (not modified)."""
    layout = spec["layout"]
    if layout["meta"]["view"] == "map":
        geometry = Geometry(tuple(layout["xaxis"]["range"]), tuple(layout["yaxis"]["range"]))
        states = _map_angle_traces(plane, geometry, degrees)
    else:
        states = _polar_angle_traces(plane, degrees)
    data = list(spec["data"])
    for index, state in zip(spec["frames"][0]["traces"], states, strict=True):
        data[index] = {**data[index], **state}
    if layout.get("sliders"):
        nearest = round(degrees / ANGLE_STEP) % len(ANGLES)
        layout = {**layout, "sliders": [{**layout["sliders"][0], "active": nearest}]}
    return {**spec, "data": data, "layout": layout}


# --- the 3D view ---------------------------------------------------------------------------------

SURFACE_SCALE = [[0.0, "#0b5d91"], [0.5, "#56B4E9"], [1.0, "#e3f1fa"]]  # low blue, as the map


def _in_float32(z: NDArray) -> NDArray:
    """z with NaN (a hole) wherever float32, the arrays sent to the browser, cannot hold it."""
    with np.errstate(invalid="ignore"):
        return np.where(np.abs(z) < np.finfo(np.float32).max, z, np.nan)


def _z_range(z: NDArray) -> Range:
    finite = z[np.isfinite(z)]
    if finite.size == 0:
        return -1.0, 1.0
    low, high = float(finite.min()), float(finite.max())
    if high - low < 1e-12:
        low, high = low - 0.5, high + 0.5
    return low, high


def surface_base(grid: GridSample) -> dict:
    """The surface z = f(x, y) and its scene, JSON-ready: the part of the 3D view that stays
    byte-identical while the point moves (NaN, where f is undefined or beyond float32, leaves
    holes)."""
    z = _in_float32(grid.z)
    z_low, z_high = _z_range(z)
    fig = themed_figure()
    fig.update_layout(
        scene={
            "xaxis": {"title": {"text": "x"}, "range": [float(grid.x[0]), float(grid.x[-1])]},
            "yaxis": {"title": {"text": "y"}, "range": [float(grid.y[0]), float(grid.y[-1])]},
            "zaxis": {"title": {"text": "f(x, y)"}, "range": [z_low, z_high]},
            "aspectmode": "manual",
            "aspectratio": {"x": 1, "y": float(np.ptp(grid.y) / np.ptp(grid.x)), "z": 0.7},
            "camera": {"eye": {"x": 1.25, "y": -1.25, "z": 0.75}},
            "domain": {"x": [0.0, 1.0], "y": [0.09, 1.0]},  # the legend goes under it
        },
        margin={"l": 0, "r": 0, "t": 8, "b": 0},
        # Below the scene: on top it would run under the modebar.
        legend={"orientation": "h", "x": 0.0, "y": 0.0, "yanchor": "bottom"},
    )
    layout = json.loads(fig.to_json())["layout"]
    surface = {
        "type": "surface",
        "x": typed_array(grid.x),
        "y": typed_array(grid.y),
        "z": typed_array(z),
        "colorscale": SURFACE_SCALE,
        "showscale": False,
        "opacity": 0.82,
        "name": "z = f(x, y)",
        "hovertemplate": "(%{x:.3g}, %{y:.3g})<br>f = %{z:.4g}<extra></extra>",
    }
    return {"data": [surface], "layout": layout}


def lifted_traces(
    plane: TangentPlane,
    surface: dict,
    level: tuple[NDArray, NDArray],
    up: NDArray,
    down: NDArray,
) -> list[dict]:
    """What moves on the 3D view: the point, ∇f lifted onto the surface (climbing the tangent
    plane along the steepest direction) and its shadow on the floor, the level curve at the
    point's height, and the steepest paths on the surface.

    Args:
        plane: f, ∂f/∂x and ∂f/∂y at the point.
        surface: the `surface_base` figure (for its window and height range).
        level: x and y of the level curve through the point (NaN separated).
        up, down: (k, 3) steepest paths with their heights f(x, y).
    """
    scene = surface["layout"]["scene"]
    (x_low, x_high), (y_low, y_high) = scene["xaxis"]["range"], scene["yaxis"]["range"]
    z_low, z_high = scene["zaxis"]["range"]
    unit = _unit_gradient(plane)
    traces = []
    level_x, level_y = (np.asarray(a, np.float32) for a in level)
    traces.append(
        {"type": "scatter3d", "x": typed_array(level_x), "y": typed_array(level_y),
         "z": typed_array(np.where(np.isnan(level_x), np.nan, plane.z0)), "mode": "lines",
         "name": f"level curve f = {number(plane.z0)}", "connectgaps": False,
         "line": {"color": LEVEL_COLOR, "width": 6}, "hoverinfo": "skip"}
    )  # fmt: skip
    for path, name, color in ((up, "steepest ascent", ASCENT_COLOR),
                              (down, "steepest descent", DESCENT_COLOR)):  # fmt: skip
        traces.append(
            {"type": "scatter3d", "x": _short(path[:, 0]), "y": _short(path[:, 1]),
             "z": _short(path[:, 2]), "mode": "lines", "name": name,
             "line": {"color": color, "width": 6}, "hoverinfo": "skip"}
        )  # fmt: skip
    if unit is not None and np.isfinite(plane.z0):
        size, c, s = unit
        span = max(x_high - x_low, y_high - y_low)
        run = min(0.2 * span, 0.35 * (z_high - z_low) / size)  # keep the climb in the box
        lift = 0.01 * (z_high - z_low)  # just above the surface, which a convex f bends over
        tip = (plane.x0 + run * c, plane.y0 + run * s, plane.z0 + lift + run * size)
        traces.append(
            {"type": "scatter3d", "x": _short([plane.x0, tip[0]]), "y": _short([plane.y0, tip[1]]),
             "z": _short([plane.z0 + lift, tip[2]]), "mode": "lines+markers",
             "name": "∇f lifted: the steepest way up", "line": {"color": INK, "width": 9},
             "marker": {"color": INK, "size": [0, 7], "symbol": "diamond"}, "hoverinfo": "skip"}
        )  # fmt: skip
        traces.append(
            {"type": "scatter3d", "x": _short([plane.x0, tip[0], np.nan, plane.x0, plane.x0]),
             "y": _short([plane.y0, tip[1], np.nan, plane.y0, plane.y0]),
             "z": _short([z_low, z_low, np.nan, z_low, plane.z0]), "mode": "lines",
             "name": "∇f on the floor", "connectgaps": False,
             "line": {"color": INK, "width": 4, "dash": "dash"}, "hoverinfo": "skip"}
        )  # fmt: skip
    traces.append(
        {"type": "scatter3d", "x": _short([plane.x0]), "y": _short([plane.y0]),
         "z": _short([plane.z0]), "mode": "markers", "name": "(x₀, y₀, f(x₀, y₀))",
         "showlegend": False, "marker": {"color": INK, "size": 6},
         "hovertemplate": f"f({number(plane.x0)}, {number(plane.y0)}) = {number(plane.z0)}"
         "<extra></extra>"}
    )  # fmt: skip
    return traces


def surface_figure(surface: dict, lifted: list[dict]) -> dict:
    """The cached surface with this point's light traces on top (the surface is shared)."""
    return {"data": [*surface["data"], *lifted], "layout": surface["layout"]}


# --- the charts as text (each live_chart's `summary`) -------------------------------------------


def window_text(x_range: Range, y_range: Range) -> str:
    """The window in words: "x from −3 to 3, y from −1 to 2"."""
    return (
        f"x from {number(x_range[0])} to {number(x_range[1])}, "
        f"y from {number(y_range[0])} to {number(y_range[1])}"
    )


def _at_point(plane: TangentPlane) -> str:
    """f, ∇f, |∇f| and ∇f's direction at the point, or why there is no gradient there."""
    where = f"({number(plane.x0)}, {number(plane.y0)})"
    if not gradient_defined(plane):
        return f"At {where} f or ∇f is not defined."
    along = gradient_angle(plane)
    text = f"At {where}: f = {number(plane.z0)}, ∇f = ({number(plane.fx)}, {number(plane.fy)})"
    if along is None:
        return f"{text}, a critical point: D_u f = 0 in every direction."
    size = number(float(np.hypot(plane.fx, plane.fy)))
    return f"{text}, |∇f| = {size}, pointing at {number(along)}° from the x axis."


def _along_u(plane: TangentPlane, degrees: float) -> str:
    return f"u at {number(degrees)}°: D_u f = {number(directional_value(plane, degrees))}."


def map_summary(
    formula: str, plane: TangentPlane, degrees: float, x_range: Range, y_range: Range
) -> str:
    """The contour map as text: the function and window, ∇f at the point, D_u f along u.

    Example:
        >>> bowl = TangentPlane(1.0, 1.0, 4.0, 2.0, 6.0)  # x² + 3y² at (1, 1)
        >>> print(map_summary("x^2 + 3y^2", bowl, 0.0, (-3.0, 3.0), (-3.0, 3.0)))
        Contour map of f(x, y) = x^2 + 3y^2 and its gradient field, x from −3 to 3, y from −3 to 3. At (1, 1): f = 4, ∇f = (2, 6), |∇f| = 6.325, pointing at 71.57° from the x axis. u at 0°: D_u f = 2.
    """  # noqa: E501
    return (
        f"Contour map of f(x, y) = {formula} and its gradient field, "
        f"{window_text(x_range, y_range)}. {_at_point(plane)} {_along_u(plane, degrees)}"
    )


def polar_summary(plane: TangentPlane, degrees: float) -> str:
    """The polar chart as text: D_u f along u, its largest value, where it is zero.

    Example:
        >>> print(polar_summary(TangentPlane(1.0, 1.0, 4.0, 2.0, 6.0), 90.0))
        D_u f at (1, 1) in every direction u. u at 90°: D_u f = 6. Largest along ∇f (71.57°): |∇f| = 6.325; zero along the level curve (161.6° and 341.6°); −6.325 against ∇f (251.6°).
    """  # noqa: E501
    where = f"({number(plane.x0)}, {number(plane.y0)})"
    text = f"D_u f at {where} in every direction u. {_along_u(plane, degrees)}"
    along = gradient_angle(plane)
    if along is None:
        return f"{text} {_at_point(plane)}"
    size = number(float(np.hypot(plane.fx, plane.fy)))
    level = sorted(((along + 90) % 360, (along + 270) % 360))
    return (
        f"{text} Largest along ∇f ({number(along)}°): |∇f| = {size}; zero along the level "
        f"curve ({number(level[0])}° and {number(level[1])}°); −{size} against ∇f "
        f"({number((along + 180) % 360)}°)."
    )


def surface_summary(formula: str, plane: TangentPlane, x_range: Range, y_range: Range) -> str:
    """The 3D view as text: the surface and window, the point on it, how steeply ∇f climbs."""
    text = f"Surface z = {formula} over {window_text(x_range, y_range)}. {_at_point(plane)}"
    if gradient_angle(plane) is None:
        return text
    return (
        f"{text} Lifted onto the tangent plane, ∇f climbs |∇f| per unit of ground; the level "
        f"curve at height {number(plane.z0)} runs flat, at a right angle to it."
    )
