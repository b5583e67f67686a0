"""Figures of the Hessian page: the contour map with the Hessian's eigen-axes and the critical
points, the curvature in every direction, the surface with its Taylor models, and Newton's
method against gradient descent.

Every figure is a JSON-ready dict with float32 typed arrays (no plotly validation per rerun).
The heavy parts depend only on the formula and the window and are built once (`map_base`: the
shaded contours as a PNG and the critical points; `surface_base`: the 3D surface and its scene);
a move of the point adds light traces to the very same objects (architecture rules 1 and 3).

Colours carry one meaning everywhere on the page (Okabe-Ito, safe for colour-blind eyes): blue
where f curves up (a positive eigenvalue, a minimum), vermillion where it curves down (a
negative eigenvalue, a maximum), orange for a saddle (both), sky for degenerate points; green is
Newton's method, purple gradient descent, ink (the theme's text colour) the point itself.
Shapes say the same as colours (circle, triangle, cross, square; solid, dashed, dotted lines)
so nothing depends on colour alone.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from calc_core.multivariate import (
    CRITICAL_KINDS,
    CriticalPoints,
    GridSample,
    HessianEigen,
    NewtonStep,
    TaylorPatch,
    curvature_along,
)
from viz.contours import background_image, png_data_uri, upsample
from viz.format import number
from viz.scene import clipped, grid_mesh, scene_layout
from viz.theme import BASE_FONT_SIZE, OKABE_ITO, STEP_COLOR, themed_figure, typed_array

Range = tuple[float, float]

UP_COLOR = OKABE_ITO["blue"]  # curves up: λ > 0, minima
DOWN_COLOR = OKABE_ITO["vermillion"]  # curves down: λ < 0, maxima
SADDLE_COLOR = OKABE_ITO["orange"]
FLAT_COLOR = OKABE_ITO["sky"]
INK = OKABE_ITO["black"]  # the text colour in either theme (live_chart recolours it)
NEWTON_COLOR = OKABE_ITO["green"]
GRADIENT_COLOR = STEP_COLOR
PLANE_COLOR = OKABE_ITO["orange"]
QUADRATIC_COLOR = OKABE_ITO["green"]
SURFACE_SCALE = [[0.0, "#1d5a8a"], [0.5, "#6fa8d6"], [1.0, "#d8e9f7"]]

KIND_STYLE = {  # kind -> (colour, marker symbol, legend name)
    "minimum": (UP_COLOR, "circle", "minimum"),
    "maximum": (DOWN_COLOR, "triangle-up", "maximum"),
    "saddle": (SADDLE_COLOR, "x", "saddle"),
    "degenerate": (FLAT_COLOR, "square", "degenerate"),
}
SIGN_STYLE = {  # an eigen-axis or a curvature: (colour, dash, legend name)
    "up": (UP_COLOR, "solid", "curves up (λ > 0)"),
    "down": (DOWN_COLOR, "dash", "curves down (λ < 0)"),
    "flat": (FLAT_COLOR, "dot", "flat (λ = 0)"),
}
MAP = {"xaxis": "x", "yaxis": "y"}
AXIS_REACH = 0.16  # the longer eigen-axis reaches this share of the window on either side
FLAT_REACH = 0.3  # a flat direction is drawn this share of the longer axis (its |λ| is 0)
U_REACH = 0.12  # the direction u's arrow, as a share of the window
BANDS = 14  # shaded bands of the contour map, each holding about as much of the window
BAND_RGB = (110, 110, 110)
CAMERA = {"eye": {"x": 1.25, "y": -1.4, "z": 0.85}, "center": {"x": 0.0, "y": 0.0, "z": -0.12}}
SUBSCRIPTS = "₁₂₃₄₅₆₇₈₉"


def _short(values: ArrayLike) -> list[float | None]:
    """Plain floats for small traces: 6 significant digits, None (a gap) where not finite."""
    return [float(f"{v:.6g}") if np.isfinite(v) else None for v in np.asarray(values, float)]


def _span(x_range: Range, y_range: Range) -> float:
    return min(x_range[1] - x_range[0], y_range[1] - y_range[0])


def tidy(value: float, scale: float) -> float:
    """0 for a value at the level of rounding next to `scale` (1e-12 of it), else the value:
    a minimum of 7.9e-31 is a minimum of 0 computed in floating point."""
    return 0.0 if abs(value) <= 1e-12 * max(1.0, abs(scale)) else value


def sign_of(value: float, scale: float) -> str:
    """The sign of a curvature: "up", "down" or "flat" (|value| <= 1e-8·max(1, scale))."""
    if abs(value) <= 1e-8 * max(1.0, abs(scale)):
        return "flat"
    return "up" if value > 0 else "down"


# --- the contour map: shaded bands and the critical points (built once) -----------------------


def band_levels(z: NDArray, count: int = BANDS) -> NDArray[np.float64]:
    """Level values that split the window's finite values into `count` bands of equal area.

    Equal-area levels show the shape of a valley whose walls are 1000 times its floor
    (Rosenbrock's) as well as a plain bowl's; unique, ascending, at least two.
    """
    finite = z[np.isfinite(z)]
    if finite.size == 0:
        return np.array([0.0, 1.0])
    levels = np.unique(np.quantile(finite, np.linspace(0.0, 1.0, count + 1)))
    return levels if levels.size >= 2 else np.array([levels[0] - 0.5, levels[0] + 0.5])


def band_image(z: NDArray, levels: NDArray, factor: int = 3) -> str:
    """The shaded contour map as a translucent grey PNG (row 0 is the top, the largest y).

    Lower bands are more opaque, with a line at each level: the colours stay free for what
    is drawn on top, and grey reads on a light and on a dark page. NaN is transparent.
    """
    with np.errstate(invalid="ignore"):
        fine = upsample(np.asarray(z, dtype=np.float64), factor)[::-1]
        band = np.clip(np.searchsorted(levels, fine, side="right") - 1, 0, len(levels) - 2)
    share = band / max(len(levels) - 2, 1)
    alpha = np.where(np.isnan(fine), 0.0, 0.5 - 0.44 * share)
    edge = np.zeros(band.shape, dtype=bool)
    edge[:, 1:] |= band[:, 1:] != band[:, :-1]
    edge[1:, :] |= band[1:, :] != band[:-1, :]
    edge &= ~np.isnan(fine)
    alpha = np.where(edge, 0.62, alpha)
    rgb = np.broadcast_to(np.array(BAND_RGB, dtype=np.float64), (*band.shape, 3))
    rgba = np.concatenate([rgb, (255 * alpha)[..., None]], axis=-1)
    return png_data_uri(rgba.round().astype(np.uint8))


@functools.lru_cache(maxsize=64)
def _map_layout(x_range: Range, y_range: Range) -> str:
    """Axes of equal scale (so eigen-axes meet at right angles) over the window, as JSON."""
    fig = themed_figure(x_title="x", y_title="y")
    fig.update_layout(
        xaxis={"range": list(x_range), "constrain": "domain", "zeroline": False,
               "showgrid": False},
        yaxis={"range": list(y_range), "scaleanchor": "x", "scaleratio": 1,
               "constrain": "domain", "zeroline": False, "showgrid": False},
        legend={"orientation": "h", "x": 0.0, "y": -0.12, "yanchor": "top", "xanchor": "left",
                "font": {"size": BASE_FONT_SIZE - 3}},
        margin={"l": 56, "r": 8, "t": 48, "b": 8},
        title={"font": {"size": BASE_FONT_SIZE}},
        hovermode="closest",
    )  # fmt: skip
    return json.dumps(json.loads(fig.to_json())["layout"])


def critical_traces(found: CriticalPoints) -> list[dict]:
    """One marker trace per kind present, in `CRITICAL_KINDS` order, named for the legend."""
    traces = []
    for kind in CRITICAL_KINDS:
        points = [p for p in found.points if p.kind == kind]
        if not points:
            continue
        color, symbol, name = KIND_STYLE[kind]
        custom = [
            [p.value, *(number(float(v), 3) for v in p.eigenvalues)] for p in points
        ]  # hover: f and the eigenvalues
        traces.append(
            {
                "type": "scatter",
                "x": _short([p.point[0] for p in points]),
                "y": _short([p.point[1] for p in points]),
                "mode": "markers",
                "name": name,
                "legendgroup": "critical",
                "marker": {
                    "symbol": symbol,
                    "size": 15,
                    "color": color,
                    "line": {"color": "white", "width": 1.5},
                },
                "customdata": custom,
                "hovertemplate": f"{name} at (%{{x:.4g}}, %{{y:.4g}})<br>f = "
                "%{customdata[0]:.4g}<br>λ = %{customdata[1]}, %{customdata[2]}<extra></extra>",
                **MAP,
            }
        )
    return traces


def map_base(grid: GridSample, found: CriticalPoints) -> dict:
    """The contour map's part that only the formula and the window change.

    Args:
        grid: f on a grid over the window (100-150 per side); its ends are the window.
        found: f's critical points in the window, classified.

    Returns:
        {"data": critical-point traces, "layout": ...} with the shaded contours as
        `layout.images[0]` (a PNG: a contour trace costs the browser 100-200 ms per redraw).
        Shared: never modify it; `map_figure` copies what it changes.
    """
    x_range = (float(grid.x[0]), float(grid.x[-1]))
    y_range = (float(grid.y[0]), float(grid.y[-1]))
    layout = json.loads(_map_layout(x_range, y_range))
    layout["images"] = [background_image(band_image(grid.z, band_levels(grid.z)), x_range, y_range)]
    return {"data": critical_traces(found), "layout": layout}


# --- the point: eigen-axes and the direction u ---------------------------------------------------


def _axis_length(value: float, top: float, reach: float) -> float:
    """Half-length of an eigen-axis: reach·|λ| / max |λ|, or FLAT_REACH·reach if λ = 0."""
    return reach * (FLAT_REACH if sign_of(value, top) == "flat" else abs(value) / top)


def eigen_axes(
    x0: float, y0: float, eigen: HessianEigen, reach: float
) -> dict[str, tuple[list[float | None], list[float | None]]]:
    """The Hessian's eigenvectors as segments through the point, by sign of their eigenvalue.

    Each axis runs from p − Lᵢvᵢ to p + Lᵢvᵢ with Lᵢ = reach·|λᵢ| / max |λ|: length in
    proportion to the curvature. A flat direction (λ = 0) gets FLAT_REACH·reach, dotted, so its
    direction still shows; if every λ is 0 each axis gets that length.

    Returns:
        {"up" | "down" | "flat": (xs, ys)}: NaN-separated segments for one trace per sign.
    """
    values, vectors = np.asarray(eigen.eigenvalues), np.asarray(eigen.eigenvectors)
    top = float(np.max(np.abs(values)))
    segments: dict[str, tuple[list, list]] = {sign: ([], []) for sign in SIGN_STYLE}
    for value, vector in zip(values, vectors.T, strict=True):
        sign = sign_of(float(value), top)
        dx, dy = _axis_length(float(value), top, reach) * vector
        xs, ys = segments[sign]
        xs.extend([x0 - dx, x0 + dx, np.nan])
        ys.extend([y0 - dy, y0 + dy, np.nan])
    return {sign: (_short(xs), _short(ys)) for sign, (xs, ys) in segments.items()}


def _label_spot(
    point: NDArray, vector: NDArray, length: float, window: tuple[Range, Range]
) -> tuple[NDArray, str]:
    """Where an eigen-axis's label goes: beyond the end that points down (or left), since u
    always points up (0° to 180°), set outwards from it; the other end if the text would leave
    the window there."""
    (x_low, x_high), (y_low, y_high) = window
    span = _span(*window)
    preferred = -vector if (vector[1], vector[0]) > (0.0, 0.0) else vector
    for direction in (preferred, -preferred):
        end = point + length * direction
        if abs(direction[0]) > abs(direction[1]):
            position = "middle left" if direction[0] < 0 else "middle right"
            room = (
                end[0] - 0.13 * span >= x_low
                if direction[0] < 0
                else end[0] + 0.13 * span <= x_high
            )
        else:
            position = "bottom center" if direction[1] < 0 else "top center"
            room = (
                end[1] - 0.07 * span >= y_low
                if direction[1] < 0
                else end[1] + 0.07 * span <= y_high
            )
        if room:
            return end, position
    return point + length * preferred, "bottom center" if preferred[1] < 0 else "middle left"


def _axis_traces(
    x0: float, y0: float, eigen: HessianEigen | None, reach: float, window: tuple[Range, Range]
) -> list[dict]:
    """Three line traces (up, down, flat; empty when unused) and the λ labels at the ends."""
    axes = eigen_axes(x0, y0, eigen, reach) if eigen is not None else {}
    traces = []
    for sign, (color, dash, name) in SIGN_STYLE.items():
        xs, ys = axes.get(sign, ([], []))
        traces.append(
            {
                "type": "scatter",
                "x": xs,
                "y": ys,
                "mode": "lines",
                "name": name,
                "legendgroup": "axes",
                "showlegend": bool(xs),
                "line": {"color": color, "width": 5, "dash": dash},
                "hoverinfo": "skip",
                **MAP,
            }
        )
    label_x, label_y, texts, positions = [], [], [], []
    if eigen is not None:
        top = float(np.max(np.abs(eigen.eigenvalues)))
        pairs = zip(eigen.eigenvalues, eigen.eigenvectors.T, strict=True)
        for i, (value, vector) in enumerate(pairs):
            length = _axis_length(float(value), top, reach) + 0.12 * reach
            end, position = _label_spot(np.array([x0, y0]), vector, length, window)
            label_x.append(end[0])
            label_y.append(end[1])
            texts.append(f"λ{SUBSCRIPTS[i]} = {number(float(value))}")
            positions.append(position)
    traces.append(
        {
            "type": "scatter",
            "x": _short(label_x),
            "y": _short(label_y),
            "text": texts,
            "mode": "text",
            "textposition": positions,
            "textfont": {"size": BASE_FONT_SIZE - 1},  # the theme's text colour
            "name": "eigenvalues",
            "showlegend": False,
            "hoverinfo": "skip",
            **MAP,
        }
    )
    return traces


def _arrow(x0: float, y0: float, dx: float, dy: float, color: str, name: str, **extra) -> dict:
    """One arrow, p to p + (dx, dy): a line with an arrow marker at its tip."""
    return {
        "type": "scatter",
        "x": _short([x0, x0 + dx]),
        "y": _short([y0, y0 + dy]),
        "mode": "lines+markers",
        "name": name,
        "line": {"color": color, "width": 4},
        "marker": {"symbol": "arrow", "angleref": "previous", "size": [0, 17], "color": color},
        **MAP,
        **extra,
    }


def _point(x0: float, y0: float) -> dict:
    return {
        "type": "scatter",
        "x": [x0],
        "y": [y0],
        "mode": "markers",
        "name": "(x₀, y₀)",
        "showlegend": False,
        "marker": {"color": INK, "size": 13, "line": {"color": "white", "width": 2}},
        "hovertemplate": "(x₀, y₀) = (%{x:.4g}, %{y:.4g})<extra></extra>",
        **MAP,
    }


def map_figure(
    base: dict,
    x0: float,
    y0: float,
    eigen: HessianEigen | None,
    angle: float,
    curvature: float,
    title: str,
) -> dict:
    """The contour map at the point: eigen-axes, the direction u and the point on `base`.

    Args:
        base: `map_base(...)` for the formula and window (reused as it is).
        x0, y0: the point; eigen: the Hessian's eigen-decomposition there (None where H is
            undefined); angle: u's direction in degrees; curvature: uᵀHu, for u's hover.
        title: the chart's title.

    Returns:
        A JSON-ready figure: the critical points, then (always, in this order) the axes that
        curve up, down and flat, the λ labels, u, and the point.
    """
    layout = base["layout"]
    x_range, y_range = tuple(layout["xaxis"]["range"]), tuple(layout["yaxis"]["range"])
    span = _span(x_range, y_range)
    theta = np.radians(angle)
    u = _arrow(
        x0,
        y0,
        U_REACH * span * float(np.cos(theta)),
        U_REACH * span * float(np.sin(theta)),
        INK,
        "direction u",
        hovertemplate=f"u at {number(angle)}°<br>uᵀHu = {number(curvature)}<extra></extra>",
    )
    u["line"] = {"color": INK, "width": 2.5}
    u["marker"]["size"] = [0, 13]
    data = [
        *base["data"],
        *_axis_traces(x0, y0, eigen, AXIS_REACH * span, (x_range, y_range)),
        u,
        _point(x0, y0),
    ]
    return {"data": data, "layout": {**layout, "title": {**layout["title"], "text": title}}}


# --- the curvature in every direction ---------------------------------------------------------


def curvature_figure(hessian_at_point: ArrayLike, eigen: HessianEigen, angle: float) -> dict:
    """uᵀHu as u turns half a turn (u and −u give the same): between λ₁ and λ₂, equal to each
    along its eigenvector; u's angle marked.

    Returns:
        A JSON-ready figure: the curve where positive, where negative, the λ lines, the
        eigenvector marks and u.
    """
    angles = np.linspace(0.0, 180.0, 181)
    values = np.asarray(curvature_along(hessian_at_point, np.radians(angles)))
    top = float(np.max(np.abs(eigen.eigenvalues)))
    here = float(curvature_along(hessian_at_point, np.radians(angle)))
    data = []
    for sign, keep in (("up", values > 0), ("down", values < 0)):
        color, dash, name = SIGN_STYLE[sign]
        # Each part runs on to the next sample so the two meet where the curve crosses zero.
        near = keep | np.roll(keep, 1) | np.roll(keep, -1)
        data.append(
            {
                "type": "scatter",
                "x": _short(angles),
                "y": _short(np.where(near, values, np.nan)),
                "mode": "lines",
                "name": name,
                "showlegend": False,
                "line": {"color": color, "width": 3.5, "dash": dash},
                "hovertemplate": "u at %{x:.0f}°<br>uᵀHu = %{y:.4g}<extra></extra>",
            }
        )
    marks_x, marks_y, texts = [], [], []
    for i, (value, vector) in enumerate(zip(eigen.eigenvalues, eigen.eigenvectors.T, strict=True)):
        direction = float(np.degrees(np.arctan2(vector[1], vector[0]))) % 180.0
        marks_x.append(direction)
        marks_y.append(float(value))
        texts.append(f"v{SUBSCRIPTS[i]}: λ{SUBSCRIPTS[i]} = {number(float(value))}")
    data.append(
        {
            "type": "scatter",
            "x": _short(marks_x),
            "y": _short(marks_y),
            "text": texts,
            "mode": "markers+text",
            "textposition": [_mark_position(x, v == min(marks_y))
                             for x, v in zip(marks_x, marks_y, strict=True)],
            "textfont": {"size": BASE_FONT_SIZE - 3},
            "name": "eigenvectors",
            "showlegend": False,
            "marker": {"symbol": "diamond", "size": 11,
                       "color": [SIGN_STYLE[sign_of(v, top)][0] for v in marks_y]},
            "hovertemplate": "eigenvector at %{x:.1f}°<br>λ = %{y:.4g}<extra></extra>",
        }
    )  # fmt: skip
    data.append(
        {
            "type": "scatter",
            "x": [float(angle)],
            "y": _short([here]),
            "mode": "markers",
            "name": "u",
            "showlegend": False,
            "marker": {"color": INK, "size": 12, "line": {"color": "white", "width": 2}},
            "hovertemplate": "u at %{x:.0f}°<br>uᵀHu = %{y:.4g}<extra></extra>",
        }
    )
    low, high = float(np.min(values)), float(np.max(values))
    pad = 0.25 * max(high - low, abs(high), abs(low), 1e-9)
    layout = json.loads(_curvature_layout())
    layout["yaxis"]["range"] = [min(low, 0.0) - pad, max(high, 0.0) + pad]
    layout["title"]["text"] = f"uᵀHu at {number(angle)}°: {number(here)}"
    return {"data": data, "layout": layout}


def _mark_position(angle: float, lowest: bool) -> str:
    """Where an eigenvector's label goes: under the lowest mark, over the other, and inwards
    near the chart's ends so it is not cut off."""
    side = " right" if angle < 40 else (" left" if angle > 140 else " center")
    return ("bottom" if lowest else "top") + side


@functools.lru_cache(maxsize=1)
def _curvature_layout() -> str:
    fig = themed_figure(x_title="direction of u (degrees)", y_title="uᵀHu")
    fig.update_layout(
        xaxis={"range": [-5, 185], "tickvals": [0, 45, 90, 135, 180], "zeroline": False},
        showlegend=False,
        margin={"l": 64, "r": 16, "t": 44, "b": 8},
        title={"font": {"size": BASE_FONT_SIZE}},
        hovermode="closest",
    )
    return json.dumps(json.loads(fig.to_json())["layout"])


# --- the surface and its Taylor models ---------------------------------------------------------


def value_range(z: ArrayLike, pad: float = 0.05) -> Range:
    """Heights that show the surface's shape: the finite values' extent, or the 1st to 99th
    percentile when a few values dwarf the rest (a pole); padded, never empty."""
    values = np.asarray(z, dtype=np.float64)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return -1.0, 1.0
    low, high = float(values.min()), float(values.max())
    p_low, p_high = (float(p) for p in np.percentile(values, [1, 99]))
    if high - low > 4 * (p_high - p_low) > 0:
        low, high = p_low, p_high
    if high - low <= 1e-12 * max(1.0, abs(high)):
        low, high = low - 0.5, high + 0.5
    return low - pad * (high - low), high + pad * (high - low)


def surface_base(grid: GridSample) -> dict:
    """The 3D view's heavy part: f's surface (float32) and the scene, built once per window.

    Returns:
        {"surface": trace, "layout": ..., "z_range": heights shown}; shared, never modified:
        `taylor_figure` puts the very same trace object in every figure.
    """
    z_range = value_range(grid.z)
    surface = {
        "type": "surface",
        "x": typed_array(grid.x),
        "y": typed_array(grid.y),
        "z": typed_array(clipped(grid.z, z_range)),
        "name": "f(x, y)",
        "colorscale": SURFACE_SCALE,
        "cmin": z_range[0],
        "cmax": z_range[1],
        "showscale": False,
        "opacity": 0.7,
        "lighting": {"ambient": 0.8, "diffuse": 0.5, "specular": 0.05, "roughness": 0.9},
        "contours": {"x": {"highlight": False}, "y": {"highlight": False}},
        "hovertemplate": "f(%{x:.3f}, %{y:.3f}) = %{z:.4g}<extra></extra>",
    }
    window = (float(grid.x[0]), float(grid.x[-1])), (float(grid.y[0]), float(grid.y[-1]))
    layout = scene_layout(*window, z_range, camera=CAMERA)
    return {"surface": surface, "layout": layout, "z_range": z_range}


def _model_mesh(patch: TaylorPatch, z: NDArray, color: str, name: str, shown: bool) -> dict:
    """A Taylor model over the patch as a translucent sheet of one colour: a ``mesh3d`` (the
    model moves with the point, and plotly redraws a mesh far faster than a surface)."""
    return {
        "type": "mesh3d",
        **grid_mesh(patch.x, patch.y, z),
        "name": name,
        "color": color,
        "showlegend": True,
        "opacity": 0.78,
        "lighting": {"ambient": 0.85, "diffuse": 0.3, "specular": 0.0},
        "visible": True if shown else "legendonly",
        "hovertemplate": f"{name}<br>(%{{x:.3f}}, %{{y:.3f}}): %{{z:.4g}}<extra></extra>",
    }


def taylor_figure(
    base: dict,
    patch: TaylorPatch | None,
    point: Sequence[float],
    *,
    first: bool = True,
    second: bool = True,
) -> dict:
    """The surface with the tangent plane and the quadratic model over the patch, and the point.

    Args:
        base: `surface_base(...)` (its surface trace is reused: the same bytes every time).
        patch: f and its models around the point (`calc_core.multivariate.taylor_patch`), or
            None where they are undefined.
        point: (x0, y0, f(x0, y0)).
        first, second: show the tangent plane / the quadratic model (else legend-only).

    Returns:
        A JSON-ready figure: [surface, tangent plane, quadratic model, point], the models as
        ``mesh3d`` sheets (`viz.scene.grid_mesh`) whose cells outside the box are left out.
    """
    z_range = base["z_range"]
    data = [base["surface"]]
    if patch is not None:
        lift = 0.004 * (z_range[1] - z_range[0])  # a hair above f, so it does not flicker
        data.append(
            _model_mesh(
                patch, clipped(patch.first, z_range), PLANE_COLOR, "tangent plane (1st order)",
                first,
            )
        )  # fmt: skip
        data.append(
            _model_mesh(
                patch, clipped(patch.second, z_range) + lift, QUADRATIC_COLOR,
                "quadratic model (2nd order)", second,
            )
        )  # fmt: skip
    data.append(
        {
            "type": "scatter3d",
            "mode": "markers",
            "x": [float(point[0])],
            "y": [float(point[1])],
            "z": _short([point[2]]),
            "marker": {"color": INK, "size": 6, "line": {"color": "white", "width": 2}},
            "name": "(x₀, y₀, f(x₀, y₀))",
            "showlegend": False,
            "hovertemplate": "x₀ = %{x:.3f}<br>y₀ = %{y:.3f}<br>f = %{z:.4g}<extra></extra>",
        }
    )
    return {"data": data, "layout": base["layout"]}


# --- Newton's method against gradient descent ----------------------------------------------------


def _path(points: NDArray, color: str, dash: str, name: str) -> dict:
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    return {
        "type": "scatter",
        "x": typed_array(points[:, 0]),
        "y": typed_array(points[:, 1]),
        "mode": "lines+markers",
        "name": name,
        "line": {"color": color, "width": 2.5, "dash": dash},
        "marker": {"color": color, "size": 6},
        "hovertemplate": f"{name}<br>step %{{pointNumber}}: (%{{x:.4g}}, %{{y:.4g}})"
        "<extra></extra>",
        **MAP,
    }


def newton_figure(
    base: dict,
    x0: float,
    y0: float,
    step: NewtonStep | None,
    newton_points: NDArray,
    descent_points: NDArray,
    title: str,
) -> dict:
    """The contour map with both methods from the point: their first steps as arrows (Newton's
    −M⁻¹∇f to where its quadratic model is flat, gradient descent's −lr·∇f) and their paths.

    Returns:
        A JSON-ready figure: the critical points, then the gradient-descent path, Newton's
        path, the gradient step, the Newton step (ending at what its model has there) and the
        point.
    """
    layout = base["layout"]
    data = [
        *base["data"],
        _path(descent_points, GRADIENT_COLOR, "solid", "gradient descent"),
        _path(newton_points, NEWTON_COLOR, "dash", "Newton's method"),
    ]
    if step is not None:
        g, s = step.gradient_step, step.newton
        data.append(_arrow(x0, y0, g[0], g[1], GRADIENT_COLOR, "step −lr·∇f", showlegend=False,
                           hovertemplate="−lr·∇f = (%{x:.4g}, %{y:.4g}) at its tip"
                           "<extra></extra>"))  # fmt: skip
        newton = _arrow(x0, y0, s[0], s[1], NEWTON_COLOR, "Newton step", showlegend=False,
                        hovertemplate=f"Newton step to the model's {step.heads_for}"
                        "<extra></extra>")  # fmt: skip
        newton["mode"] = "lines+markers+text"
        newton["text"] = ["", f"model's {step.heads_for}"]
        # Beyond the tip, away from the start: clear of the arrow and of what it points at.
        vertical = "bottom" if s[1] < 0 else "top"
        horizontal = "left" if s[0] < -abs(s[1]) / 2 else "right" if s[0] > abs(s[1]) / 2 else ""
        newton["textposition"] = f"{vertical} {horizontal or 'center'}"
        newton["textfont"] = {"color": NEWTON_COLOR, "size": BASE_FONT_SIZE - 2}
        data.append(newton)
    data.append(_point(x0, y0))
    return {"data": data, "layout": {**layout, "title": {**layout["title"], "text": title}}}


# --- the charts in words (each live chart's `summary`) -------------------------------------------

_NAMES = {  # kind -> (one, several)
    "minimum": ("minimum", "minima"),
    "maximum": ("maximum", "maxima"),
    "saddle": ("saddle", "saddles"),
    "degenerate": ("degenerate point", "degenerate points"),
}


def critical_counts(found: CriticalPoints) -> str:
    """How many critical points of each kind, in words ("" for none).

    Example:
        >>> from calc_core.multivariate import CriticalPoint
        >>> p = CriticalPoint((0.0, 0.0), 0.0, "saddle", np.zeros(2), np.eye(2), 0.0, None)
        >>> critical_counts(CriticalPoints((p, p), "numeric", None))
        '2 saddles'
    """
    counts = [(kind, sum(p.kind == kind for p in found.points)) for kind in CRITICAL_KINDS]
    return ", ".join(f"{n} {_NAMES[kind][n != 1]}" for kind, n in counts if n)


def _at(x0: float, y0: float) -> str:
    return f"({number(x0)}, {number(y0)})"


def _direction(vector: ArrayLike) -> str:
    """An eigenvector's direction in degrees from the x axis, between 0 and 180 (v and −v)."""
    degrees = round(float(np.degrees(np.arctan2(vector[1], vector[0]))) % 180.0, 2) % 180.0
    return f"{number(degrees)}°"


def _eigen_parts(eigen: HessianEigen) -> list[str]:
    """Each eigenvalue with its eigenvector's direction: ["λ₁ = 2 along 0°", ...]."""
    return [
        f"λ{SUBSCRIPTS[i]} = {number(float(eigen.eigenvalues[i]))} along "
        f"{_direction(eigen.eigenvectors[:, i])}"
        for i in range(len(eigen.eigenvalues))
    ]


def map_summary(
    x0: float,
    y0: float,
    eigen: HessianEigen | None,
    angle: float,
    curvature: float,
    found: CriticalPoints,
) -> str:
    """The contour map in words: H's eigenvalues and directions at the point, uᵀHu along u, and
    the critical points in the window.

    Example:
        >>> from calc_core.multivariate import hessian_eigen
        >>> eigen = hessian_eigen(np.array([[2.0, 0.0], [0.0, 6.0]]))
        >>> print(map_summary(-2.0, 1.5, eigen, 30.0, 3.0, CriticalPoints((), "symbolic", None)))
        Contour map of f with H's eigenvectors at (−2, 1.5): λ₁ = 2 along 0° and λ₂ = 6 along 90°, so H is positive definite. Along u at 30°, uᵀHu = 3. No critical points in this window.
    """  # noqa: E501
    if eigen is None:
        text = f"Contour map of f: H is undefined at {_at(x0, y0)}."
    else:
        axes = " and ".join(_eigen_parts(eigen))
        text = (
            f"Contour map of f with H's eigenvectors at {_at(x0, y0)}: {axes}, "
            f"so H is {eigen.definiteness}. Along u at {number(angle)}°, uᵀHu = "
            f"{number(curvature)}."
        )
    counts = critical_counts(found)
    found_text = f"In this window: {counts}." if counts else "No critical points in this window."
    return f"{text} {found_text}"


def curvature_summary(eigen: HessianEigen, angle: float, curvature: float) -> str:
    """The curvature chart in words: uᵀHu at u's angle, between the eigenvalues.

    Example:
        >>> from calc_core.multivariate import hessian_eigen
        >>> eigen = hessian_eigen(np.array([[2.0, 0.0], [0.0, 6.0]]))
        >>> print(curvature_summary(eigen, 45.0, 4.0))
        Curvature uᵀHu as u turns from 0° to 180°: 4 at 45°. It runs from λ₁ = 2 along 0° to λ₂ = 6 along 90°.
    """  # noqa: E501
    return (
        f"Curvature uᵀHu as u turns from 0° to 180°: {number(curvature)} at {number(angle)}°. "
        f"It runs from {' to '.join(_eigen_parts(eigen))}."
    )


def taylor_summary(
    point: Sequence[float],
    radius: float,
    gaps: tuple[float, float] | None,
    *,
    first: bool = True,
    second: bool = True,
) -> str:
    """The 3D chart in words: f at the point and how far each Taylor model strays within r.

    Args:
        point: (x0, y0, f(x0, y0)); radius: the models' reach r; gaps: the largest
            |f − plane| and |f − quadratic| within r (`ui.curvature.largest_gaps`), or None
            where the models are undefined; first, second: whether each model is shown.

    Example:
        >>> print(taylor_summary((1.0, -0.5, 1.75), 0.25, (0.25, 0.0)))
        Surface of f with its Taylor models at (1, −0.5), where f = 1.75. Within r = 0.25: the tangent plane is off by up to 0.25, the quadratic model by up to 0.
    """  # noqa: E501
    text = f"Surface of f with its Taylor models at {_at(point[0], point[1])}, where f = " + (
        f"{number(float(point[2]))}."
    )
    if gaps is None:
        return f"{text} The models are undefined there."
    hidden = ", ".join(
        name for name, shown in (("tangent plane", first), ("quadratic model", second)) if not shown
    )
    return (
        f"{text} Within r = {number(radius)}: the tangent plane is off by up to "
        f"{number(gaps[0])}, the quadratic model by up to {number(gaps[1])}."
        + (f" Hidden: {hidden}." if hidden else "")
    )


def newton_summary(
    x0: float,
    y0: float,
    step: NewtonStep | None,
    newton_points: ArrayLike,
    descent_points: ArrayLike,
    lr: float,
) -> str:
    """The race in words: where Newton's method heads and ends, where gradient descent ends.

    Example:
        >>> newton = np.array([[-2.0, 1.5], [0.0, 0.0]])
        >>> descent = np.array([[-2.0, 1.5], [-1.6, 0.6], [-1.28, 0.24]])
        >>> print(newton_summary(-2.0, 1.5, None, newton, descent, 0.1))
        From (−2, 1.5): Newton's step is undefined there; its path ends at (0, 0) after 1 step. Gradient descent with lr = 0.1 ends at (−1.28, 0.24) after 2 steps.
    """  # noqa: E501
    newton = np.asarray(newton_points, dtype=np.float64).reshape(-1, 2)
    descent = np.asarray(descent_points, dtype=np.float64).reshape(-1, 2)

    def end(points: NDArray) -> str:
        steps = len(points) - 1
        return f"ends at {_at(*points[-1])} after {steps} step{'' if steps == 1 else 's'}"

    heads = (
        f"Newton's method heads for its model's {step.heads_for}"
        if step is not None
        else "Newton's step is undefined there"
    )
    return (
        f"From {_at(x0, y0)}: {heads}; its path {end(newton)}. "
        f"Gradient descent with lr = {number(lr)} {end(descent)}."
    )
