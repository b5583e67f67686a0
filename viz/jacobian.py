"""Figures of the Jacobian page: a map's input plane (with det J shaded) and its output plane
(the grid deformed), a small square's image beside its linear image J·square, the push-forward
J·v and the pull-back wᵀJ, and a surface patch F: R² → R³ in 3D.

Every figure is a JSON-ready dict with float32 typed arrays. The heavy part of each chart (the
det J shading, the deformed grid, the surface) depends only on the formulas and the window:
the `*_base` functions build it once (the caller caches it) and the `*_figure` functions put
the very same trace objects first and add light traces for the point, so moving the point
never changes the heavy bytes (architecture rules 1 and 3).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from calc_core.multivariate import DeformedGrid, GridSample, LocalImage
from viz.contours import background_image, colorscale_image
from viz.format import number
from viz.theme import BASE_FONT_SIZE, OKABE_ITO, TANGENT_COLOR, themed_figure, typed_array

Range = tuple[float, float]

INK = OKABE_ITO["black"]  # follows the theme's text colour in the browser
LINEAR_COLOR = TANGENT_COLOR  # the linear approximation, orange as tangents are everywhere
V_COLOR = OKABE_ITO["purple"]  # forward mode: v and J·v
W_COLOR = OKABE_ITO["green"]  # reverse mode: w and wᵀJ
GRID_COLOR = "rgba(127,127,127,0.6)"
SHAPE_FILL = "rgba(127,127,127,0.28)"
LINEAR_FILL = "rgba(230,159,0,0.22)"
# det J: blue where the map flips orientation, orange where it keeps it, see-through at 0 so
# the picture reads on a light and a dark page (Okabe-Ito blue and orange). The colour deepens
# like the square root of |det J| / limit, so a small negative det J next to large positive
# ones (a fold) still shows blue.
SHARES = (0.0, 0.01, 0.03, 0.07, 0.15, 0.3, 0.5, 0.75, 1.0)


def _ramp(rgb: str, alpha: float, *, mirrored: bool) -> list[list]:
    """Stops from see-through at the middle (or the start) to `rgb` at `alpha` at the end."""
    stops = [[t, f"rgba({rgb},{alpha * np.sqrt(t):.3f})"] for t in SHARES]
    if mirrored:
        return [[0.5 - 0.5 * t, c] for t, c in reversed(stops)]
    return stops


DET_SCALE = [
    *_ramp("0,114,178", 0.85, mirrored=True),
    *[[0.5 + 0.5 * t, c] for t, c in _ramp("230,159,0", 0.85, mirrored=False)[1:]],
]
# The area scale of a surface patch (never negative): see-through to sky blue, and the patch
# itself pale to blue, so the orange tangent parallelogram stands out on it.
AREA_SCALE = _ramp("86,180,233", 0.9, mirrored=False)
SURFACE_SCALE = [[0.0, "#eef4f9"], [1.0, "#3d8cc4"]]
ARROW_SHARE = 0.2  # v and w are drawn this share of their window long
ARROW_CAP = 0.3  # J·v and wᵀJ at most this share of theirs
CLOSEUP_REACH = 1.35  # the close-up shows the parallelogram's box this many times over

PLANE = {"xaxis": "x", "yaxis": "y"}
F32_REACH = 1e37  # larger values are not drawn (float32 ends near 3.4e38)
CAMERA_EYE = {"x": 1.3, "y": -1.3, "z": 1.5}  # from above: into a bowl, not at its side
LIFT = 0.012  # curves ride this share of the 3D box off the surface


def _typed(values: ArrayLike) -> dict[str, str]:
    """`typed_array`, with values beyond float32's reach (a map like x¹⁰⁰) as gaps, not ±inf."""
    values = np.asarray(values, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return typed_array(np.where(np.abs(values) <= F32_REACH, values, np.nan))


def _short(values: ArrayLike) -> list[float | None]:
    """Plain floats for small traces: 6 significant digits, None where not finite."""
    return [float(f"{v:.6g}") if np.isfinite(v) else None for v in np.asarray(values, float)]


def _pair(values: ArrayLike) -> str:
    a, b = (number(float(v)) for v in values)
    return f"({a}, {b})"


def _gaps(*lines: NDArray) -> NDArray[np.float64]:
    """Polylines (lines, samples, d) as one (k, d) array with a NaN row after each line."""
    pieces = []
    for group in lines:
        group = np.asarray(group, dtype=np.float64)
        pad = np.full((group.shape[0], 1, group.shape[2]), np.nan)
        pieces.append(np.concatenate([group, pad], axis=1).reshape(-1, group.shape[2]))
    return np.concatenate(pieces)


def robust_box(points: NDArray, pad: float = 0.06) -> tuple[Range, ...]:
    """Per coordinate, the range that shows the points without chasing a pole: the full
    extent unless a few points dwarf the rest (then the 1st to the 99th percentile), padded.

    Example:
        >>> robust_box(np.array([[0.0, 0.0], [1.0, 2.0]]), pad=0.0)
        ((0.0, 1.0), (0.0, 2.0))
    """
    points = np.asarray(points, dtype=np.float64).reshape(-1, np.shape(points)[-1])
    box = []
    for values in points.T:
        values = values[np.isfinite(values)]
        if values.size == 0:
            box.append((-1.0, 1.0))
            continue
        low, high = float(values.min()), float(values.max())
        p_low, p_high = (float(p) for p in np.percentile(values, [1, 99]))
        if high - low > 4 * (p_high - p_low) > 0:
            low, high = p_low, p_high
        if high - low <= 1e-9 * max(1.0, abs(high)):
            low, high = low - 0.5, high + 0.5
        span = high - low
        box.append((low - pad * span, high + pad * span))
    return tuple(box)


# --- the input plane: det J (or the area scale) shaded, the grid, the square, v and wᵀJ --------


@functools.lru_cache(maxsize=8)
def _plane_template(x_title: str, y_title: str, bar: bool) -> str:
    """A plane's layout without its window, as JSON (plotly validates it once: ~20 ms)."""
    fig = themed_figure(x_title=x_title, y_title=y_title)
    fig.update_layout(
        xaxis={"domain": [0.0, 0.86 if bar else 1.0], "zeroline": False, "showgrid": False},
        yaxis={"scaleanchor": "x", "scaleratio": 1, "zeroline": False, "showgrid": False},
        showlegend=False,
        margin={"l": 56, "r": 8, "t": 44, "b": 40},
        hovermode="closest",
    )  # fmt: skip
    return json.dumps(json.loads(fig.to_json())["layout"])


def _plane_layout(x_range: Range, y_range: Range, x_title: str, y_title: str, bar: bool) -> dict:
    """Axes of equal scale showing at least the window (so squares look square).

    The scale is kept by widening one axis's range (plotly's `constrain: "range"`): with
    `constrain: "domain"`, `Plotly.react` kept the old y range when the window changed
    (plotly.js 3, checked in Chromium). The view's `uirevision` is the window: moving the
    point keeps the user's zoom, a new window resets it.
    """
    layout = json.loads(_plane_template(x_title, y_title, bar))
    layout["xaxis"]["range"] = [float(v) for v in x_range]
    layout["yaxis"]["range"] = [float(v) for v in y_range]
    layout["uirevision"] = f"{tuple(x_range)} {tuple(y_range)}"
    return layout


def color_limit(z: NDArray, percentile: float = 95) -> float:
    """The colour scale's end: a high percentile of |z|, so a pole does not wash out the rest."""
    finite = np.abs(z[np.isfinite(z)])
    if finite.size == 0:
        return 1.0
    limit = float(np.percentile(finite, percentile))
    return limit if limit > 0 else float(finite.max()) or 1.0


def _straight_grid(lines: DeformedGrid) -> dict:
    """The input grid's lines, each from end to end (they are straight)."""
    ends = np.concatenate([lines.rows[:, [0, -1]], lines.columns[:, [0, -1]]])
    points = _gaps(ends)
    return {"type": "scatter", "x": _typed(points[:, 0]), "y": _typed(points[:, 1]),
            "mode": "lines", "name": "grid", "line": {"color": GRID_COLOR, "width": 1.2},
            "hoverinfo": "skip", "connectgaps": False, **PLANE}  # fmt: skip


def input_base(
    scale: GridSample,
    lines: DeformedGrid,
    zero: tuple[NDArray, NDArray] | None,
    *,
    signed: bool,
    names: tuple[str, str] = ("x", "y"),
) -> dict:
    """The input plane's heavy part: det J (or the area scale) shaded, the grid, det J = 0.

    Args:
        scale: det J on a grid over the window (or sqrt(det JᵀJ) for a surface patch).
        lines: the window's grid lines (`calc_core.multivariate.deformed_grid`).
        zero: the curve det J = 0 as NaN-separated x and y (`viz.contours.level_line`), or
            None (a surface patch).
        signed: True for det J (diverging blue/orange centred at 0), False for an area scale.
        names: the axes' titles.

    Returns:
        {"data": [the colorbar's carrier, grid, det J = 0], "layout" (det J shaded as its
        background image, the colour axis), "limit": the colour scale's end,
        "gaps": True where the scale is undefined somewhere, "flips": True where det J
        changes sign in the window}.
    """
    x_range = (float(scale.x[0]), float(scale.x[-1]))
    y_range = (float(scale.y[0]), float(scale.y[-1]))
    limit = color_limit(scale.z)
    label = "det J" if signed else "area scale"
    low, colorscale = (-limit, DET_SCALE) if signed else (0.0, AREA_SCALE)
    # The shading is a picture under the traces (so moving the point redraws only the point's
    # traces); this invisible trace carries its colorbar (a colour axis shows only when used).
    bar = {"type": "scatter", "x": [None], "y": [None], "mode": "markers", "name": label,
           "marker": {"color": [0.0], "coloraxis": "coloraxis"}, "hoverinfo": "skip",
           "showlegend": False, **PLANE}  # fmt: skip
    zx, zy = zero if zero is not None else ([], [])
    zero_line = {"type": "scatter", "x": _typed(zx), "y": _typed(zy), "mode": "lines",
                 "name": "det J = 0", "line": {"color": INK, "width": 3, "dash": "dash"},
                 "hoverinfo": "skip", "connectgaps": False, **PLANE}  # fmt: skip
    layout = _plane_layout(x_range, y_range, names[0], names[1], True)
    layout["images"] = [
        background_image(colorscale_image(scale.z, low, limit, colorscale), x_range, y_range)
    ]
    layout["coloraxis"] = {
        "colorscale": colorscale, "cmin": low, "cmax": limit,
        "colorbar": {"title": {"text": label, "side": "top"}, "x": 0.88, "xanchor": "left",
                     "len": 0.8, "thickness": 12},
    }  # fmt: skip
    finite = scale.z[np.isfinite(scale.z)]
    return {
        "data": [bar, _straight_grid(lines), zero_line],
        "layout": layout,
        "limit": limit,
        "gaps": bool(np.isnan(scale.z).any()),
        "flips": bool(signed and finite.size and finite.min() < 0 < finite.max()),
    }


@dataclass(frozen=True)
class Arrow:
    """An arrow drawn on a plane (or in space): where it starts, the drawn vector (the true
    value times the drawing's scale), the true value."""

    tail: NDArray[np.float64]
    drawn: NDArray[np.float64]
    value: NDArray[np.float64]


def arrow(tail: ArrayLike, value: ArrayLike, scale: float) -> Arrow:
    """`value` drawn at `tail`, `scale` times as long as it is.

    Example:
        >>> arrow((1.0, 0.0), (3.0, 4.0), 0.5).drawn.tolist()
        [1.5, 2.0]
    """
    value = np.asarray(value, dtype=np.float64)
    return Arrow(np.asarray(tail, dtype=np.float64), scale * value, value)


def _label_position(drawn: NDArray) -> str:
    """Where an arrow's label goes: beyond its tip, on the side the arrow points to."""
    dx, dy = float(drawn[0]), float(drawn[1])
    if abs(dy) >= abs(dx):
        return "top center" if dy >= 0 else "bottom center"
    return "middle right" if dx > 0 else "middle left"


def _arrow_trace(a: Arrow, name: str, label: str, color: str) -> dict:
    """One arrow as a line with a head at its tip and its label beyond it."""
    tip = a.tail + a.drawn
    finite = bool(np.all(np.isfinite(tip)) and np.any(a.drawn != 0))
    xs, ys = ([a.tail[0], tip[0]], [a.tail[1], tip[1]]) if finite else ([], [])
    return {
        "type": "scatter", "x": _short(xs), "y": _short(ys), "name": name,
        "mode": "lines+markers+text", "text": ["", label],
        "textposition": _label_position(a.drawn) if finite else "top center",
        "textfont": {"color": color, "size": BASE_FONT_SIZE + 1},
        "line": {"color": color, "width": 4},
        "marker": {"symbol": "arrow", "angleref": "previous", "size": [0, 17], "color": color,
                   "line": {"width": 0}},
        "hovertemplate": f"{name} = {_pair(a.value)}<extra></extra>",
        **PLANE,
    }  # fmt: skip


def _outline(points: NDArray, name: str, *, color: str, fill: str, dash: str = "solid") -> dict:
    points = np.asarray(points, dtype=np.float64)
    return {"type": "scatter", "x": _typed(points[:, 0]), "y": _typed(points[:, 1]),
            "mode": "lines", "name": name, "fill": "toself", "fillcolor": fill,
            "line": {"color": color, "width": 3, "dash": dash}, "hoverinfo": "skip",
            "connectgaps": False, **PLANE}  # fmt: skip


def _point(xy: ArrayLike, name: str, hover: str) -> dict:
    x, y = (float(v) for v in np.asarray(xy, dtype=np.float64)[:2])
    return {"type": "scatter", "x": _short([x]), "y": _short([y]), "mode": "markers",
            "name": name, "marker": {"color": INK, "size": 12,
                                     "line": {"color": "white", "width": 2}},
            "hovertemplate": hover + "<extra></extra>", **PLANE}  # fmt: skip


def _title(text: str) -> dict:
    return {"text": text, "x": 0.01, "y": 0.985, "yanchor": "top",
            "font": {"size": BASE_FONT_SIZE + 1}}  # fmt: skip


@dataclass(frozen=True)
class Scales:
    """How long each arrow is drawn, per unit of its true length. Each plane has its own
    scale, fixed for the point: v and w are `ARROW_SHARE` of their window long, and J·v and
    wᵀJ at most `ARROW_CAP` of theirs (for the direction J stretches most), so as v or w turns,
    the drawn length of J·v or wᵀJ shows how much J stretches that direction.

    A common scale for v and J·v (J·v drawn as the image of v's arrow) would leave one of
    them a dot on maps that squash the window (tanh) or blow it up: the parallelogram already
    shows the exact image of the square."""

    v: float
    jv: float
    w: float
    wj: float


def plane_span(layout: dict) -> float:
    """The larger side of a plane chart's window (its layout's axis ranges)."""
    (a, b), (c, d) = layout["xaxis"]["range"], layout["yaxis"]["range"]
    return float(max(b - a, d - c))


def box_span(box: tuple[Range, ...]) -> float:
    """The largest side of a 3D scene's box."""
    return float(max(b - a for a, b in box))


def arrow_scales(input_span: float, output_span: float, jacobian: ArrayLike) -> Scales:
    """The arrows' scales at a point from the windows' sizes and J's largest stretch.

    Example:
        >>> s = arrow_scales(4.0, 8.0, [[2.0, 0.0], [0.0, 1.0]])  # J stretches up to 2 times
        >>> [round(k, 12) for k in (s.v, s.jv, s.w, s.wj)]  # 0.2·4, 0.3·8 / 2, 0.2·8, 0.3·4 / 2
        [0.8, 1.2, 1.6, 0.6]
    """
    J = np.asarray(jacobian, dtype=np.float64)
    stretch = float(np.linalg.norm(J, 2)) if np.all(np.isfinite(J)) else 0.0
    v, w = ARROW_SHARE * input_span, ARROW_SHARE * output_span
    if stretch <= 0:
        return Scales(v, w, w, v)
    return Scales(v, ARROW_CAP * output_span / stretch, w, ARROW_CAP * input_span / stretch)


def input_figure(
    base: dict,
    local: LocalImage,
    *,
    v: Arrow,
    pullback: Arrow | None = None,
    covector_curve: tuple[NDArray, NDArray] | None = None,
    title: str = "",
) -> dict:
    """The input plane at one point: the small square (or circle), v, and wᵀJ with the curve
    where w·F keeps its value at the point (wᵀJ is perpendicular to it).

    Args:
        base: `input_base(...)` (its traces are reused as they are).
        local: the small shape and its images (`calc_core.multivariate.local_image`).
        v: the direction v as an `arrow` at the point.
        pullback: wᵀJ as an `arrow` at the point, or None (not drawn).
        covector_curve: the level curve of w·F through the point, NaN-separated, or None.
        title: the chart's title.

    Returns:
        A JSON-ready figure: the base's traces, then the curve, the square, v, wᵀJ, the point.
    """
    p = local.point
    cx, cy = covector_curve if covector_curve is not None else ([], [])
    data = [
        *base["data"],
        {"type": "scatter", "x": _typed(cx), "y": _typed(cy), "mode": "lines",
         "name": "w·F = w·F(p)", "line": {"color": W_COLOR, "width": 2.5, "dash": "dot"},
         "hoverinfo": "skip", "connectgaps": False, **PLANE},
        _outline(local.outline, "small square", color=INK, fill=SHAPE_FILL),
        _arrow_trace(v, "v", "v", V_COLOR),
        _arrow_trace(pullback, "wᵀJ", "wᵀJ", W_COLOR) if pullback is not None else
        {"type": "scatter", "x": [], "y": [], "name": "wᵀJ", **PLANE},
        _point(p, "p = (x₀, y₀)", f"p = {_pair(p)}"),
    ]  # fmt: skip
    layout = {**base["layout"], "title": _title(title)}
    return {"data": data, "layout": layout}


# --- the output plane: the deformed grid, the image of the square next to J·square -------------


def output_base(lines: DeformedGrid, names: tuple[str, str] = ("F₁", "F₂")) -> dict:
    """The output plane's heavy part: the image of the window's grid under F.

    Returns:
        {"data": [images of the lines y = const, of the lines x = const], "layout"}: axes of
        equal scale over the image (without chasing a pole).
    """
    rows, columns = _gaps(lines.row_images), _gaps(lines.column_images)
    x_range, y_range = robust_box(np.concatenate([rows, columns]))

    def curves(points: NDArray, name: str) -> dict:
        return {"type": "scatter", "x": _typed(points[:, 0]),
                "y": _typed(points[:, 1]), "mode": "lines", "name": name,
                "line": {"color": GRID_COLOR, "width": 1.4}, "hoverinfo": "skip",
                "connectgaps": False, **PLANE}  # fmt: skip

    layout = _plane_layout(x_range, y_range, names[0], names[1], False)
    return {
        "data": [curves(rows, "images of y = const"), curves(columns, "images of x = const")],
        "layout": layout,
    }


def output_figure(
    base: dict,
    local: LocalImage,
    *,
    jv: Arrow,
    w: Arrow | None = None,
    title: str = "",
) -> dict:
    """The output plane at one point: F(square), curved, next to F(p) + J·(square − p), a
    parallelogram; J·v and the covector w at F(p), with the line where w·(F − F(p)) = 0.

    Returns:
        A JSON-ready figure: the base's traces, then w's line, the image, the linear image
        (over it), J·v, w and F(p).
    """
    fp = _centre(local)
    line: tuple[list, list] = ([], [])
    if w is not None and np.all(np.isfinite(fp)):
        (a, b), (c, d) = base["layout"]["xaxis"]["range"], base["layout"]["yaxis"]["range"]
        reach = 2.0 * max(b - a, d - c)
        unit = w.value / (np.hypot(*w.value) or 1.0)
        along = np.array([-unit[1], unit[0]])
        ends = np.stack([fp - reach * along, fp + reach * along])
        line = (ends[:, 0], ends[:, 1])
    data = [
        *base["data"],
        {"type": "scatter", "x": _short(line[0]), "y": _short(line[1]), "mode": "lines",
         "name": "w·y = w·F(p)", "line": {"color": W_COLOR, "width": 2.5, "dash": "dot"},
         "hoverinfo": "skip", **PLANE},
        _outline(local.image, "F(square)", color=INK, fill=SHAPE_FILL),
        _outline(local.linear, "F(p) + J·(square − p)", color=LINEAR_COLOR, fill=LINEAR_FILL,
                 dash="dash"),
        _arrow_trace(jv, "J·v", "J·v", V_COLOR),
        _arrow_trace(w, "w", "w", W_COLOR) if w is not None else
        {"type": "scatter", "x": [], "y": [], "name": "w", **PLANE},
        _point(fp, "F(p)", f"F(p) = {_pair(fp)}"),
    ]  # fmt: skip
    layout = {**base["layout"], "title": _title(title)}
    return {"data": data, "layout": layout}


def _centre(local: LocalImage) -> NDArray[np.float64]:
    """F(p), read off the linear image: the mean of F(p) + J·(outline − p) over a closed
    outline symmetric about p is F(p) (the last point repeats the first)."""
    return np.asarray(local.linear[:-1], dtype=np.float64).mean(axis=0)


def closeup_figure(local: LocalImage) -> dict:
    """Both images of the small shape seen through a magnifier of power 1/size around F(p):
    the linear image is then J·(unit square), the same at every size, and the curved image
    closes in on it as the size shrinks.

    Returns:
        A JSON-ready figure: [J·(unit shape), (F(shape) − F(p)) / size, F(p)], axes of equal
        scale fixed by the parallelogram, so only the curved image moves as the size changes.
    """
    fp = _centre(local)
    linear = (np.asarray(local.linear) - fp) / local.size
    image = (np.asarray(local.image) - fp) / local.size
    box = robust_box(linear, pad=0.0)
    reach = CLOSEUP_REACH * max(max(abs(a), abs(b)) for a, b in box)
    reach = reach if np.isfinite(reach) and reach > 0 else 1.0
    layout = _plane_layout((-reach, reach), (-reach, reach), "", "", False)
    layout["xaxis"]["title"] = {"text": "(F − F(p)) / h, first output"}
    layout["yaxis"]["title"] = {"text": "second output"}
    layout["xaxis"]["zeroline"] = layout["yaxis"]["zeroline"] = True
    layout["title"] = _title(f"Magnified {number(1 / local.size, 3)} times around F(p)")
    data = [
        _outline(linear, "J·(unit square)", color=LINEAR_COLOR, fill=LINEAR_FILL, dash="dash"),
        _outline(image, "(F(square) − F(p)) / h", color=INK, fill=SHAPE_FILL),
        _point((0.0, 0.0), "F(p)", "F(p)"),
    ]
    return {"data": data, "layout": layout}


# --- a surface patch F: R² → R³ -----------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _scene_layout(box: tuple[Range, Range, Range]) -> str:
    """The 3D scene as JSON: fixed ranges (moving the point never rescales) and true
    proportions (capped at 1 : 3), so areas on the patch look as large as they are."""
    spans = np.array([b - a for a, b in box])
    ratio = np.clip(spans / spans.max(), 1 / 3, 1.0)

    def axis(title: str, bounds: Range) -> dict:
        return {"title": {"text": title, "font": {"size": BASE_FONT_SIZE + 1}},
                "range": list(bounds), "showspikes": False, "nticks": 6,
                "tickfont": {"size": BASE_FONT_SIZE - 4}}  # fmt: skip

    fig = themed_figure()
    fig.update_layout(
        scene={"xaxis": axis("F₁", box[0]), "yaxis": axis("F₂", box[1]),
               "zaxis": axis("F₃", box[2]), "aspectmode": "manual",
               "aspectratio": {"x": ratio[0], "y": ratio[1], "z": ratio[2]},
               "camera": {"eye": CAMERA_EYE},
               "domain": {"x": [0.0, 1.0], "y": [0.0, 0.93]}},
        margin={"l": 8, "r": 8, "t": 40, "b": 8},
        showlegend=False,
        hovermode="closest",
        uirevision=str(box),  # the camera stays while the point moves
    )  # fmt: skip
    return json.dumps(json.loads(fig.to_json())["layout"])


def surface_base(values: NDArray, scale: NDArray, lines: DeformedGrid) -> dict:
    """The 3D view's heavy part: the patch F(window), coloured by its area scale, and the
    image of the window's grid on it.

    Args:
        values: (n, n, 3) F on a grid over the window (``values[j, i] = F(x[i], y[j])``).
        scale: (n, n) sqrt(det JᵀJ) on the same grid.
        lines: the window's grid lines and their images in R³.

    Returns:
        {"data": [surface, grid curves], "layout", "box": the scene's ranges}.
    """
    values = np.asarray(values, dtype=np.float64)
    grid = _gaps(lines.row_images, lines.column_images)
    box = robust_box(np.concatenate([values.reshape(-1, 3), grid]), pad=0.04)
    limit = color_limit(scale)
    surface = {
        "type": "surface", "x": _typed(values[..., 0]), "y": _typed(values[..., 1]),
        "z": _typed(values[..., 2]), "surfacecolor": _typed(scale),
        "cmin": 0.0, "cmax": limit, "colorscale": SURFACE_SCALE, "showscale": False,
        "name": "F(window)", "opacity": 0.85,
        "lighting": {"ambient": 0.75, "diffuse": 0.5, "specular": 0.05, "roughness": 0.9},
        "contours": {"x": {"highlight": False}, "y": {"highlight": False},
                     "z": {"highlight": False}},
        "hovertemplate": "F = (%{x:.3g}, %{y:.3g}, %{z:.3g})<br>area scale = "
        "%{surfacecolor:.4g}<extra></extra>",
    }  # fmt: skip
    curves = {
        "type": "scatter3d", "x": _typed(grid[:, 0]), "y": _typed(grid[:, 1]),
        "z": _typed(grid[:, 2]), "mode": "lines", "name": "image of the grid",
        "line": {"color": "rgba(90,90,90,0.8)", "width": 2}, "hoverinfo": "skip",
        "connectgaps": False,
    }  # fmt: skip
    return {"data": [surface, curves], "layout": json.loads(_scene_layout(box)), "box": box}


def _line3d(points: NDArray, name: str, color: str, width: float, dash: str = "solid") -> dict:
    points = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    return {"type": "scatter3d", "x": _short(points[:, 0]), "y": _short(points[:, 1]),
            "z": _short(points[:, 2]), "mode": "lines", "name": name,
            "line": {"color": color, "width": width, "dash": dash}, "hoverinfo": "skip",
            "connectgaps": False}  # fmt: skip


def _lift(base: dict, jacobian: ArrayLike) -> NDArray[np.float64]:
    """A small shift off the surface along its normal, toward the default camera: curves drawn
    exactly on a surface flicker in and out of it."""
    J = np.asarray(jacobian, dtype=np.float64)
    normal = np.cross(J[:, 0], J[:, 1]) if np.all(np.isfinite(J)) else np.zeros(3)
    size = float(np.linalg.norm(normal))
    if size == 0:
        return np.zeros(3)
    normal /= size
    if normal @ np.array([CAMERA_EYE["x"], CAMERA_EYE["y"], CAMERA_EYE["z"]]) < 0:
        normal = -normal
    return LIFT * box_span(base["box"]) * normal


def surface_figure(
    base: dict, local: LocalImage, *, jv: Arrow, jacobian: ArrayLike, title: str = ""
) -> dict:
    """The patch at one point: the image of the small square on the surface, the tangent
    parallelogram F(p) + J·(square − p) (shaded), J·v along the surface, F(p).

    Args:
        base: `surface_base(...)` (its traces are reused as they are).
        local: the small shape and its images in R³.
        jv: J·v as an `arrow` at F(p).
        jacobian: (3, 2) J at the point (its columns' cross product is the surface normal).
        title: the chart's title.

    Returns:
        A JSON-ready figure: the base's traces, then the parallelogram (shaded and outlined),
        the curved image, J·v and F(p), all lifted a hair off the surface toward the camera.
    """
    lift = _lift(base, jacobian)
    fp = _centre(local) + lift
    linear = np.asarray(local.linear, dtype=np.float64) + lift
    image = np.asarray(local.image, dtype=np.float64) + lift
    # Every 5th outline point: a 200-point square's corners (0, 50, 100, 150) stay in.
    ring = linear[:-1:5] if len(linear) > 64 else linear[:-1]
    k = len(ring)
    vertices = np.concatenate([fp[None, :], ring])
    fan = np.arange(1, k + 1)
    patch = {
        "type": "mesh3d", "x": _short(vertices[:, 0]), "y": _short(vertices[:, 1]),
        "z": _short(vertices[:, 2]), "i": [0] * k, "j": fan.tolist(),
        "k": np.roll(fan, -1).tolist(), "color": LINEAR_COLOR, "opacity": 0.5,
        "name": "tangent parallelogram", "hoverinfo": "skip", "flatshading": True,
    }  # fmt: skip
    tip = fp + jv.drawn
    finite = bool(np.all(np.isfinite(tip)))
    jv_trace = {
        "type": "scatter3d", "x": _short([fp[0], tip[0]] if finite else []),
        "y": _short([fp[1], tip[1]] if finite else []),
        "z": _short([fp[2], tip[2]] if finite else []), "mode": "lines+markers+text",
        "name": "J·v", "text": ["", "J·v"], "textfont": {"color": V_COLOR,
                                                        "size": BASE_FONT_SIZE},
        "line": {"color": V_COLOR, "width": 8},
        "marker": {"size": [0, 6], "color": V_COLOR, "symbol": "diamond"},
        "hovertemplate": f"J·v = ({', '.join(number(float(c)) for c in jv.value)})"
        "<extra></extra>",
    }  # fmt: skip
    point = {
        "type": "scatter3d", "x": _short(fp[:1]), "y": _short(fp[1:2]), "z": _short(fp[2:]),
        "mode": "markers", "name": "F(p)",
        "marker": {"color": INK, "size": 6, "line": {"color": "white", "width": 2}},
        "hovertemplate": f"F(p) = ({', '.join(number(float(c)) for c in fp - lift)})"
        "<extra></extra>",
    }  # fmt: skip
    data = [
        *base["data"],
        patch,
        _line3d(linear, "F(p) + J·(square − p)", LINEAR_COLOR, 7),
        _line3d(image, "F(square)", INK, 7),
        jv_trace,
        point,
    ]
    layout = {**base["layout"], "title": _title(title)}
    return {"data": data, "layout": layout}


# --- the charts in words (each live chart's `summary`) -------------------------------------------


def _vector(values: ArrayLike) -> str:
    return "(" + ", ".join(number(float(v)) for v in np.ravel(values)) + ")"


def _rows(jacobian: ArrayLike) -> str:
    """J row by row: "[0 & 1; 2 & 3]" reads "[0, 1; 2, 3]"."""
    J = np.asarray(jacobian, dtype=np.float64)
    return "[" + "; ".join(", ".join(number(float(v)) for v in row) for row in J) + "]"


def orientation(det: float) -> str:
    """What the sign of det J does to the plane, in words."""
    if not np.isfinite(det):
        return "J is undefined there"
    if det == 0:
        return "J squashes the plane flat there"
    return "orientation kept" if det > 0 else "orientation flipped"


def input_summary(
    point: ArrayLike, area_scale: float, v: ArrayLike, pullback: ArrayLike | None = None
) -> str:
    """The input plane in words: the point, det J (two outputs, with `pullback`) or the area
    scale (three), v and the pull-back wᵀJ.

    Example:
        >>> input_summary((2.0, 0.5), 2.0, (1.0, 0.0), (0.5, -1.0))
        'Input plane shaded by det J: at p = (2, 0.5), det J = 2 (orientation kept). Direction v = (1, 0); pull-back wᵀJ = (0.5, −1).'
    """  # noqa: E501
    where = f"at p = {_vector(point)}"
    if pullback is None:
        return (
            f"Input plane shaded by the area scale: {where}, √det(JᵀJ) = {number(area_scale)}. "
            f"Direction v = {_vector(v)}."
        )
    return (
        f"Input plane shaded by det J: {where}, det J = {number(area_scale)} "
        f"({orientation(area_scale)}). Direction v = {_vector(v)}; "
        f"pull-back wᵀJ = {_vector(pullback)}."
    )


def output_summary(
    value: ArrayLike, jacobian: ArrayLike, ratio: float, jv: ArrayLike, w: ArrayLike
) -> str:
    """The output plane in words: F(p), J(p), the small shape's area ratio, J·v and w.

    Example:
        >>> output_summary((1.0, 2.0), [[2.0, -2.0], [2.0, 2.0]], 8.01, (2.0, 2.0), (0.0, 1.0))
        'Output plane at F(p) = (1, 2), J(p) = [2, −2; 2, 2]. Area of F(shape) ÷ area of the shape = 8.01. Push-forward J·v = (2, 2); covector w = (0, 1).'
    """  # noqa: E501
    return (
        f"Output plane at F(p) = {_vector(value)}, J(p) = {_rows(jacobian)}. "
        f"Area of F(shape) ÷ area of the shape = {number(ratio)}. "
        f"Push-forward J·v = {_vector(jv)}; covector w = {_vector(w)}."
    )


def surface_summary(value: ArrayLike, jacobian: ArrayLike, area_scale: float, jv: ArrayLike) -> str:
    """The surface patch in words: F(p), the 3 x 2 J(p), the area scale and J·v.

    Example:
        >>> surface_summary((1.0, 0.0, 1.0), [[1, 0], [0, 1], [2, 0]], 2.236, (1.0, 0.0, 2.0))
        'Surface patch in space at F(p) = (1, 0, 1), J(p) = [1, 0; 0, 1; 2, 0]: areas scale by √det(JᵀJ) = 2.236. Velocity along the surface J·v = (1, 0, 2).'
    """  # noqa: E501
    return (
        f"Surface patch in space at F(p) = {_vector(value)}, J(p) = {_rows(jacobian)}: "
        f"areas scale by √det(JᵀJ) = {number(area_scale)}. "
        f"Velocity along the surface J·v = {_vector(jv)}."
    )


def closeup_summary(size: float, ratio: float, area_scale: float) -> str:
    """The close-up in words: the magnification, and the areas' ratio against det J.

    Example:
        >>> closeup_summary(0.1, 8.013, 8.0)
        'Magnified 10 times around F(p): the curved image of the shape (h = 0.1) against the parallelogram J·shape. Their areas: 8.013 times the shape against det J = 8.'
    """  # noqa: E501
    return (
        f"Magnified {number(1 / size, 3)} times around F(p): the curved image of the shape "
        f"(h = {number(size)}) against the parallelogram J·shape. Their areas: "
        f"{number(ratio)} times the shape against det J = {number(area_scale)}."
    )
