"""Figures of the partial-derivatives page: a surface sliced along x and along y through a
point, the two slices with their tangents, and the total derivative along a path.

The 3D view comes in two parts (architecture rule 1). `surface_scene` holds the surface and the
scene's layout; the caller builds it once per formula and window and caches it. `surface_figure`
adds what moves with the point: two slicing planes, the two slice curves, their tangent lines,
the point and the tangent plane. Moving the point therefore leaves the surface's bytes as they
were: what changes is a few light traces (plotly.js still repaints the whole scene, ~220 ms in
software WebGL, which is why the page draws its 2D charts first).

Every figure is a JSON-ready dict with float32 typed arrays: no plotly validation per rerun
(`go.Figure(spec)` validates one; the tests do).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import sympy
from numpy.typing import ArrayLike, NDArray

from calc_core.expressions import compile_expression
from calc_core.multivariate import GridSample, TangentPlane, TotalDerivative
from viz.contours import background_image
from viz.format import number
from viz.gradient import contour_levels, height_image, window_text
from viz.scene import ASPECT, clipped, scene_layout
from viz.theme import (
    BASE_FONT_SIZE,
    OKABE_ITO,
    POINT_COLOR,
    STEP_COLOR,
    TANGENT_COLOR,
    themed_figure,
    typed_array,
)

Range = tuple[float, float]

# One colour per direction, everywhere on the page: what moves along x (the slice f(x, y₀), its
# tangent, ∂f/∂x, the plane y = y₀ that cuts it out) and what moves along y.
X_COLOR = OKABE_ITO["vermillion"]
Y_COLOR = OKABE_ITO["green"]
PLANE_COLOR = TANGENT_COLOR
# Tangent lines in ink (the text colour in either theme): they must show through the surface.
TANGENT_INK = POINT_COLOR
PATH_COLOR = STEP_COLOR
# A quiet blue scale for the surface, so the coloured slices stand out on it in both themes.
SURFACE_SCALE = [[0.0, "#1d5a8a"], [0.5, "#6fa8d6"], [1.0, "#d8e9f7"]]
SLICE_POINTS = 201
PATH_POINTS = 401
# A path's variables: its parameter t, and a and b for the point (x0, y0) it may go through.
PATH_VARIABLES = ("t", "a", "b")
FLOAT32_MAX = float(np.finfo(np.float32).max)
# The 3D box: z is drawn at 0.7 of x's and y's length; the tangent segments reach this fraction
# of the box on either side of the point, the tangent plane's patch at most PATCH_REACH.
TANGENT_REACH = 0.28
PATCH_REACH = 0.16
LIFT = 0.006  # slice curves ride this fraction of the height above the surface
CAMERA = {"eye": {"x": 1.62, "y": -1.78, "z": 1.08}, "center": {"x": 0.0, "y": 0.0, "z": -0.1}}


def _finite(values: ArrayLike, shape: tuple[int, ...]) -> NDArray[np.float64]:
    """float64 of `shape` (a constant formula is broadcast), NaN where not finite or beyond
    float32 (the arrays sent to the browser: exp(exp(exp(x))) would arrive as ∞)."""
    with np.errstate(all="ignore"):
        out = np.broadcast_to(np.asarray(values, dtype=np.float64), shape).copy()
        out[~(np.abs(out) < FLOAT32_MAX)] = np.nan
    return out


def _maybe(value: float) -> float | None:
    """A number for a plain JSON list: None (a gap) where it is not finite."""
    return float(value) if np.isfinite(value) else None


# --- samples ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slices:
    """f along the two lines through (x0, y0) of the window.

    Attributes:
        x: (n,) across the x window; along_x: (n,) f(x, y0), NaN where undefined.
        y: (n,) across the y window; along_y: (n,) f(x0, y).
    """

    x: NDArray[np.float64]
    along_x: NDArray[np.float64]
    y: NDArray[np.float64]
    along_y: NDArray[np.float64]


def sample_slices(
    f: Callable, x0: float, y0: float, x_range: Range, y_range: Range, n: int = SLICE_POINTS
) -> Slices:
    """Sample f(x, y0) across the x window and f(x0, y) across the y window.

    Example:
        >>> s = sample_slices(lambda x, y: x**2 + 3 * y**2, 1.0, 1.0, (-3, 3), (-3, 3), 7)
        >>> s.along_x[3], s.along_y[4]  # f(0, 1), f(1, 1)
        (np.float64(3.0), np.float64(4.0))
    """
    x, y = np.linspace(*x_range, n), np.linspace(*y_range, n)
    along_x = _finite(f(x, np.full_like(x, y0)), x.shape)
    along_y = _finite(f(np.full_like(y, x0), y), y.shape)
    return Slices(x, along_x, y, along_y)


def value_range(z: ArrayLike, pad: float = 0.05) -> Range:
    """Heights that show the surface's shape without chasing a pole.

    The finite values' full extent, unless a few values dwarf the rest (near a pole of 1/x):
    then the 1st to the 99th percentile. Padded a little; a constant gets a height of 1.
    """
    values = np.asarray(z, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        values = values[np.abs(values) < FLOAT32_MAX]  # neither NaN, ∞ nor ∞ once in float32
    if values.size == 0:
        return -1.0, 1.0
    low, high = float(values.min()), float(values.max())
    p_low, p_high = (float(p) for p in np.percentile(values, [1, 99]))
    if high - low > 4 * (p_high - p_low) > 0:
        low, high = p_low, p_high
    if high - low <= 1e-12 * max(1.0, abs(high)):
        low, high = low - 0.5, high + 0.5
    span = high - low
    return low - pad * span, high + pad * span


# --- the 3D view --------------------------------------------------------------------------------


def surface_scene(grid: GridSample) -> dict:
    """The heavy, static part of the 3D view: the surface trace and the scene's layout.

    Build it once per formula and window (cache it): `surface_figure` puts the very same trace
    object in every figure, so moving the point sends the surface's bytes unchanged.

    Args:
        grid: f on the window's grid (NaN where undefined).

    Returns:
        A dict: "surface" (the trace, float32 arrays), "layout", "z_range" (the heights shown),
        "gaps" (True where f is undefined or beyond the view somewhere in the window).
    """
    z_range = value_range(grid.z)
    z = clipped(grid.z, z_range)
    surface = {
        "type": "surface",
        "x": typed_array(grid.x),
        "y": typed_array(grid.y),
        "z": typed_array(z),
        "name": "f(x, y)",
        "colorscale": SURFACE_SCALE,
        "cmin": z_range[0],
        "cmax": z_range[1],
        "showscale": False,
        "showlegend": False,
        "opacity": 0.72,  # see-through: a bowl's tangent lines run under it
        "lighting": {"ambient": 0.8, "diffuse": 0.5, "specular": 0.05, "roughness": 0.9},
        "contours": {"x": {"highlight": False}, "y": {"highlight": False}},
        "hovertemplate": "x = %{x:.3f}<br>y = %{y:.3f}<br>f = %{z:.4g}<extra></extra>",
    }
    layout = scene_layout(
        _pair(grid.x),
        _pair(grid.y),
        z_range,
        camera=CAMERA,
        domain=((0.05, 1.0), (0.0, 0.94)),
        margin=16,
    )
    return {
        "surface": surface,
        "layout": layout,
        "z_range": z_range,
        "gaps": bool(np.isnan(z).any()),
    }


def _pair(axis: NDArray) -> Range:
    return float(axis[0]), float(axis[-1])


def _vertical_plane(along: str, at: float, reach: Range, z_range: Range, color: str) -> dict:
    """The plane x = at (along "y") or y = at (along "x"), as two triangles."""
    across = [reach[0], reach[1], reach[1], reach[0]]
    fixed = [at] * 4
    x, y = (across, fixed) if along == "x" else (fixed, across)
    name = f"plane y = {number(at)}" if along == "x" else f"plane x = {number(at)}"
    return {
        "type": "mesh3d",
        "x": x,
        "y": y,
        "z": [z_range[0], z_range[0], z_range[1], z_range[1]],
        "i": [0, 0],
        "j": [1, 2],
        "k": [2, 3],
        "color": color,
        "opacity": 0.2,
        "flatshading": True,
        "lighting": {"ambient": 1.0, "diffuse": 0.0, "specular": 0.0},
        "hoverinfo": "skip",
        "name": name,
        "showlegend": False,
    }


def _curve3d(x: ArrayLike, y: ArrayLike, z: ArrayLike, color: str, name: str) -> dict:
    return {
        "type": "scatter3d",
        "mode": "lines",
        "x": typed_array(x),
        "y": typed_array(y),
        "z": typed_array(z),
        "line": {"color": color, "width": 9},
        "name": name,
        "hovertemplate": "x = %{x:.3f}<br>y = %{y:.3f}<br>f = %{z:.4g}<extra></extra>",
        "connectgaps": False,
    }


def _reach(slope: float, width: float, height: float) -> float:
    """Half-length (in x or y) of a tangent segment that looks TANGENT_REACH long in the box."""
    per_unit = np.hypot(1.0 / width, slope * ASPECT["z"] / height)
    return TANGENT_REACH / per_unit if np.isfinite(per_unit) and per_unit > 0 else 0.0


def _tangent3d(plane: TangentPlane, along: str, box: tuple[Range, Range, Range]) -> dict:
    """The tangent line of the slice along x (slope fx) or along y (slope fy), in 3D."""
    (xr, yr, _), height = box, box[2][1] - box[2][0]
    if along == "x":
        h = _reach(plane.fx, xr[1] - xr[0], height)
        x, y = [plane.x0 - h, plane.x0 + h], [plane.y0, plane.y0]
        z = [plane.z0 - plane.fx * h, plane.z0 + plane.fx * h]
        name = "tangent, slope ∂f/∂x"
    else:
        h = _reach(plane.fy, yr[1] - yr[0], height)
        x, y = [plane.x0, plane.x0], [plane.y0 - h, plane.y0 + h]
        z = [plane.z0 - plane.fy * h, plane.z0 + plane.fy * h]
        name = "tangent, slope ∂f/∂y"
    return {
        "type": "scatter3d",
        "mode": "lines",
        "x": x,
        "y": y,
        "z": [_maybe(v) for v in z],
        "line": {"color": TANGENT_INK, "width": 8},
        "name": name,
        "showlegend": False,
        "hoverinfo": "skip",
    }


def _patch(plane: TangentPlane, box: tuple[Range, Range, Range], visible: bool) -> dict:
    """A small square of the tangent plane around the point, kept low enough to stay in view."""
    (xr, yr, zr) = box
    hx, hy = PATCH_REACH * (xr[1] - xr[0]), PATCH_REACH * (yr[1] - yr[0])
    rise = abs(plane.fx) * hx + abs(plane.fy) * hy
    limit = 0.3 * (zr[1] - zr[0])
    if np.isfinite(rise) and rise > limit:
        hx, hy = hx * limit / rise, hy * limit / rise
    xs = [plane.x0 - hx, plane.x0 + hx, plane.x0 + hx, plane.x0 - hx]
    ys = [plane.y0 - hy, plane.y0 - hy, plane.y0 + hy, plane.y0 + hy]
    zs = [_maybe(plane.at(x, y)) for x, y in zip(xs, ys, strict=True)]
    return {
        "type": "mesh3d",
        "x": xs,
        "y": ys,
        "z": zs,
        "i": [0, 0],
        "j": [1, 2],
        "k": [2, 3],
        "color": PLANE_COLOR,
        "opacity": 0.6,
        "flatshading": True,
        "lighting": {"ambient": 0.9, "diffuse": 0.2, "specular": 0.0},
        "name": "tangent plane",
        "hoverinfo": "skip",
        "showlegend": visible,
        "visible": visible and None not in zs,
    }


def surface_figure(
    scene: dict, plane: TangentPlane, slices: Slices, *, show_plane: bool = False
) -> dict:
    """The surface sliced by the planes x = x0 and y = y0, with the slices and their tangents.

    Args:
        scene: `surface_scene(...)` for the formula and window (its surface trace is reused
            as it is: the same object, the same bytes).
        plane: f and its partials at (x0, y0) (`calc_core.multivariate.tangent_plane`).
        slices: f(x, y0) and f(x0, y) across the window.
        show_plane: draw the tangent plane's patch at the point.

    Returns:
        A JSON-ready figure: the surface first, then (always, in this order) the planes
        x = x0 and y = y0, the slices along x and along y, the two tangents, the point and the
        tangent plane (hidden unless `show_plane`).
    """
    x_range = _pair(slices.x)
    y_range = _pair(slices.y)
    z_range = scene["z_range"]
    box = (x_range, y_range, z_range)
    x0, y0 = plane.x0, plane.y0
    # Curves drawn exactly on the surface flicker in and out of it: lift them a hair.
    lift = LIFT * (z_range[1] - z_range[0])
    data = [
        scene["surface"],
        _vertical_plane("y", x0, y_range, z_range, Y_COLOR),
        _vertical_plane("x", y0, x_range, z_range, X_COLOR),
        _curve3d(
            slices.x,
            np.full_like(slices.x, y0),
            clipped(slices.along_x, z_range) + lift,
            X_COLOR,
            f"f(x, {number(y0)}), slope ∂f/∂x",
        ),
        _curve3d(
            np.full_like(slices.y, x0),
            slices.y,
            clipped(slices.along_y, z_range) + lift,
            Y_COLOR,
            f"f({number(x0)}, y), slope ∂f/∂y",
        ),
        _tangent3d(plane, "x", box),
        _tangent3d(plane, "y", box),
        {
            "type": "scatter3d",
            "mode": "markers",
            "x": [x0],
            "y": [y0],
            "z": [_maybe(plane.z0)],
            "marker": {"color": POINT_COLOR, "size": 7, "line": {"color": "white", "width": 2}},
            "name": "(x₀, y₀, f(x₀, y₀))",
            "showlegend": False,
            "hovertemplate": "x₀ = %{x:.3f}<br>y₀ = %{y:.3f}<br>f = %{z:.4g}<extra></extra>",
        },
        _patch(plane, box, show_plane),
    ]
    return {"data": data, "layout": scene["layout"]}


# --- the two slices in 2D -----------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _slices_layout(x_range: Range, y_range: Range, z_range: Range) -> str:
    """Two panels, one above the other, with the surface's heights on both (JSON)."""
    fig = themed_figure()
    fig.update_layout(
        xaxis={"range": list(x_range), "anchor": "y", "title": {"text": "x"}},
        yaxis={"range": list(z_range), "domain": [0.6, 0.88], "title": {"text": "f(x, y₀)"}},
        xaxis2={"range": list(y_range), "anchor": "y2", "title": {"text": "y"}},
        yaxis2={"range": list(z_range), "domain": [0.0, 0.3], "title": {"text": "f(x₀, y)"}},
        showlegend=False,
        margin={"l": 64, "r": 16, "t": 8, "b": 8},
        hovermode="closest",
    )
    return json.dumps(json.loads(fig.to_json())["layout"])


def _panel_title(text: str, x: float, y: float, axes: dict) -> dict:
    """A panel's heading, just above its top-left corner.

    A text trace, not an annotation: it changes with every move of the point, and the chart
    moves text traces on its quick path (plotly's relayout of an annotation costs 20 ms here,
    more than redrawing the whole chart)."""
    return {
        "type": "scatter",
        "mode": "text",
        "x": [x],
        "y": [y],
        "text": [text],
        "textposition": "top right",
        "textfont": {"size": BASE_FONT_SIZE},
        "cliponaxis": False,
        "hoverinfo": "skip",
        "name": "panel title",
        "showlegend": False,
        **axes,
    }


def _slice_traces(
    s: NDArray, values: NDArray, at: float, value: float, slope: float, color: str, axes: dict
) -> list[dict]:
    """One panel: the slice, its tangent across the window, a guide down to the axis, the point."""
    ends = [float(s[0]), float(s[-1])]
    return [
        {
            "type": "scatter",
            "x": typed_array(s),
            "y": typed_array(values),
            "mode": "lines",
            "line": {"color": color, "width": 3.5},
            "name": "slice",
            "connectgaps": False,
            "hovertemplate": "%{x:.3f}, f = %{y:.4g}<extra></extra>",
            **axes,
        },
        {
            "type": "scatter",
            "x": ends,
            "y": [_maybe(value + slope * (end - at)) for end in ends],
            "mode": "lines",
            "line": {"color": TANGENT_INK, "width": 3, "dash": "dash"},
            "name": "tangent",
            "hoverinfo": "skip",
            **axes,
        },
        {
            "type": "scatter",
            "x": [at],
            "y": [_maybe(value)],
            "mode": "markers",
            "marker": {"color": POINT_COLOR, "size": 13, "line": {"color": "white", "width": 2}},
            "name": "point",
            "hovertemplate": "%{x:.3f}, f = %{y:.4g}<extra></extra>",
            **axes,
        },
    ]


def _slope_text(name: str, slope: float) -> str:
    return f"{name} = {number(slope)}" if np.isfinite(slope) else f"{name} does not exist here"


def slices_figure(slices: Slices, plane: TangentPlane, z_range: Range) -> dict:
    """The slices f(x, y0) (top) and f(x0, y) (bottom), each with its tangent at the point.

    The tangent of the top slice rises by ∂f/∂x per unit of x, that of the bottom slice by
    ∂f/∂y per unit of y: a partial derivative is the slope of a slice.

    Args:
        slices: the two slices across the window.
        plane: f and its partials at (x0, y0).
        z_range: the heights shown (the 3D view's, so both views share one scale).

    Returns:
        A JSON-ready figure: panel 1 (axes x, y) holds slice, tangent and point along x; panel 2
        (axes x2, y2) the same along y; last, each panel's title (a text trace).
    """
    x_range, y_range = _pair(slices.x), _pair(slices.y)
    layout = json.loads(_slices_layout(x_range, y_range, tuple(z_range)))
    x0, y0 = number(plane.x0), number(plane.y0)
    high = float(z_range[1])
    titles = [
        _panel_title(
            f"<b>Along x</b>, y held at y₀ = {y0}: f(x, {y0})<br>"
            "<b>- - tangent</b>: "
            f"<b>{_slope_text(f'slope ∂f/∂x({x0}, {y0})', plane.fx)}</b>",
            x_range[0],
            high,
            {"xaxis": "x", "yaxis": "y"},
        ),
        _panel_title(
            f"<b>Along y</b>, x held at x₀ = {x0}: f({x0}, y)<br>"
            "<b>- - tangent</b>: "
            f"<b>{_slope_text(f'slope ∂f/∂y({x0}, {y0})', plane.fy)}</b>",
            y_range[0],
            high,
            {"xaxis": "x2", "yaxis": "y2"},
        ),
    ]
    data = _slice_traces(
        slices.x,
        clipped(slices.along_x, z_range),
        plane.x0,
        plane.z0,
        plane.fx,
        X_COLOR,
        {"xaxis": "x", "yaxis": "y"},
    ) + _slice_traces(
        slices.y,
        clipped(slices.along_y, z_range),
        plane.y0,
        plane.z0,
        plane.fy,
        Y_COLOR,
        {"xaxis": "x2", "yaxis": "y2"},
    )
    return {"data": data + titles, "layout": layout}


# --- the total derivative along a path ----------------------------------------------------------


@dataclass(frozen=True)
class PathSample:
    """A path (x(t), y(t)) and d/dt f(x(t), y(t)) computed two ways, sampled in t.

    Attributes:
        t, x, y: (n,) the parameter and the path.
        through_x, through_y: (n,) the chain rule's two terms ∂f/∂x·x′(t) and ∂f/∂y·y′(t).
        chain_rule: (n,) their sum; direct: (n,) the derivative of f(x(t), y(t)) itself.
    """

    t: NDArray[np.float64]
    x: NDArray[np.float64]
    y: NDArray[np.float64]
    through_x: NDArray[np.float64]
    through_y: NDArray[np.float64]
    chain_rule: NDArray[np.float64]
    direct: NDArray[np.float64]

    @property
    def max_difference(self) -> float:
        """max |chain rule − direct| where both are defined (NaN if nowhere)."""
        both = np.isfinite(self.chain_rule) & np.isfinite(self.direct)
        if not both.any():
            return float("nan")
        return float(np.max(np.abs(self.chain_rule[both] - self.direct[both])))


def sample_path(
    total: TotalDerivative,
    path: Sequence[sympy.Expr],
    t_range: Range,
    point: tuple[float, float] = (0.0, 0.0),
    n: int = PATH_POINTS,
) -> PathSample:
    """Evaluate a path and both forms of its total derivative on n values of t.

    Args:
        total: the total derivative along the path (`calc_core.multivariate`).
        path: (x(t), y(t)) as SymPy expressions of `PATH_VARIABLES`: t, and a and b, which
            stand for the point (x0, y0) a line or a circle passes through.
        t_range: (first, last) t.
        point: the values of a and b.

    Returns:
        A `PathSample`; NaN where a value is undefined.
    """
    t = np.linspace(*t_range, n)
    a, b = (np.float64(v) for v in point)

    def values(expr: sympy.Expr) -> NDArray[np.float64]:
        return _finite(compile_expression(expr, PATH_VARIABLES)(t, a, b), t.shape)

    return PathSample(
        t=t,
        x=values(path[0]),
        y=values(path[1]),
        through_x=values(total.terms[0]),
        through_y=values(total.terms[1]),
        chain_rule=values(total.chain_rule),
        direct=values(total.direct),
    )


def contour_image(grid: GridSample) -> dict:
    """f's contour map as a picture under the path study's map (a layout image): filled bands
    from blue (low) to pale (high) with their level lines, as on the gradient page. A picture,
    not a contour trace: moving the point then redraws only the path's traces in the browser
    (plotly redraws a contour trace, and recomputes its lines, with any change)."""
    z = np.asarray(grid.z, dtype=np.float64)
    source = height_image(z, contour_levels(z))
    x_range = (float(grid.x[0]), float(grid.x[-1]))
    y_range = (float(grid.y[0]), float(grid.y[-1]))
    return background_image(source, x_range, y_range)


def derivative_range(sample: PathSample) -> list[float]:
    """The derivative panel's y range: every finite value of the four curves, 6 % to spare
    (fixed, so a new point redraws only the curves)."""
    values = np.concatenate([sample.through_x, sample.through_y, sample.chain_rule, sample.direct])
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return [-1.0, 1.0]
    low, high = float(finite.min()), float(finite.max())
    pad = 0.06 * (high - low) if high > low else max(abs(low), 1.0) * 0.5
    return [low - pad, high + pad]


@functools.lru_cache(maxsize=64)
def _path_layout(x_range: Range, y_range: Range) -> str:
    fig = themed_figure()
    fig.update_layout(
        xaxis={
            "range": list(x_range),
            "domain": [0.0, 0.42],
            "title": {"text": "x"},
            "zeroline": False,
        },
        yaxis={
            "range": list(y_range),
            "title": {"text": "y"},
            "zeroline": False,
            "scaleanchor": "x",
            "constrain": "domain",
        },
        xaxis2={"domain": [0.56, 1.0], "anchor": "y2", "title": {"text": "t"}},
        yaxis2={"anchor": "x2", "title": {"text": "df/dt"}},
        legend={"orientation": "h", "x": 0.0, "y": 1.02, "yanchor": "bottom", "xanchor": "left"},
        margin={"l": 64, "r": 16, "t": 90, "b": 56},
        hovermode="closest",
    )
    return json.dumps(json.loads(fig.to_json())["layout"])


def path_figure(
    contour: dict,
    sample: PathSample,
    point: tuple[float, float],
    x_range: Range,
    y_range: Range,
) -> dict:
    """Left: the path on the contour map of f. Right: d/dt f(x(t), y(t)) two ways.

    The chain rule's sum is drawn thick and pale, the derivative of the composition thin and
    dashed on top of it: where they agree the dashes run inside the thick line. The sum's two
    terms, ∂f/∂x·x′ and ∂f/∂y·y′, are drawn thin in the colours of x and y.

    Args:
        contour: `contour_image(...)` for the formula and window (cached by the caller).
        sample: the path and the derivatives along it.
        point: (x0, y0), marked on the map.
        x_range, y_range: the map's window.

    Returns:
        A JSON-ready figure: map on axes (x, y) over the contour picture, derivatives on
        (x2, y2), both with fixed ranges.
    """
    right = {"xaxis": "x2", "yaxis": "y2"}
    defined = np.flatnonzero(np.isfinite(sample.x + sample.y))
    first, last = (int(defined[0]), int(defined[-1])) if defined.size > 1 else (0, 1)
    data = [
        {
            "type": "scatter",
            "x": typed_array(sample.x),
            "y": typed_array(sample.y),
            "mode": "lines",
            "line": {"color": PATH_COLOR, "width": 4},
            "name": "path (x(t), y(t))",
            "customdata": typed_array(sample.t),
            "hovertemplate": "t = %{customdata:.3f}<br>x = %{x:.3f}<br>y = %{y:.3f}<extra></extra>",
        },
        {
            "type": "scatter",
            "x": [_maybe(sample.x[first])],
            "y": [_maybe(sample.y[first])],
            "mode": "markers",
            "marker": {"color": PATH_COLOR, "size": 11, "symbol": "square"},
            "name": f"start, t = {number(float(sample.t[first]), 3)}",
            "hoverinfo": "skip",
        },
        {  # an arrowhead at the end: which way t runs
            "type": "scatter",
            "x": [_maybe(v) for v in sample.x[last - 1 : last + 1]],
            "y": [_maybe(v) for v in sample.y[last - 1 : last + 1]],
            "mode": "markers",
            "marker": {
                "color": PATH_COLOR,
                "size": [0, 18],
                "symbol": "arrow",
                "angleref": "previous",
            },
            "showlegend": False,
            "name": "end",
            "hoverinfo": "skip",
        },
        {
            "type": "scatter",
            "x": [point[0]],
            "y": [point[1]],
            "mode": "markers",
            "marker": {"color": POINT_COLOR, "size": 12, "line": {"color": "white", "width": 2}},
            "name": "(x₀, y₀)",
            "hovertemplate": "x₀ = %{x:.3f}<br>y₀ = %{y:.3f}<extra></extra>",
        },
        _t_line(sample.t, sample.through_x, "∂f/∂x·x′", X_COLOR, 2.0, "dot", right),
        _t_line(sample.t, sample.through_y, "∂f/∂y·y′", Y_COLOR, 2.0, "dot", right),
        {
            **_t_line(
                sample.t, sample.chain_rule, "chain rule: their sum", PATH_COLOR, 9, None, right
            ),
            "opacity": 0.45,
        },
        _t_line(sample.t, sample.direct, "d/dt of f(x(t), y(t))", POINT_COLOR, 2.5, "dash", right),
    ]
    layout = json.loads(_path_layout(tuple(x_range), tuple(y_range)))
    layout["images"] = [contour]
    t = sample.t[np.isfinite(sample.t)]
    layout["xaxis2"]["range"] = [float(t[0]), float(t[-1])] if t.size > 1 else [0.0, 1.0]
    layout["yaxis2"]["range"] = derivative_range(sample)
    return {"data": data, "layout": layout}


def _t_line(
    t: NDArray, values: NDArray, name: str, color: str, width: float, dash: str | None, axes: dict
) -> dict:
    line = {"color": color, "width": width, **({"dash": dash} if dash else {})}
    return {
        "type": "scatter",
        "x": typed_array(t),
        "y": typed_array(values),
        "mode": "lines",
        "line": line,
        "name": name,
        "connectgaps": False,
        "hovertemplate": f"{name}<br>t = %{{x:.3f}}: %{{y:.4g}}<extra></extra>",
        **axes,
    }


# --- the charts as text (each live_chart's `summary`) -------------------------------------------


def _point_text(plane: TangentPlane) -> str:
    return f"({number(plane.x0)}, {number(plane.y0)})"


def slices_summary(formula: str, plane: TangentPlane, x_range: Range, y_range: Range) -> str:
    """The two slices as text: the function, the point, f there and the two tangents' slopes.

    Example:
        >>> bowl = TangentPlane(1.0, 1.0, 4.0, 2.0, 6.0)  # x² + 3y² at (1, 1)
        >>> print(slices_summary("x^2 + 3y^2", bowl, (-3.0, 3.0), (-3.0, 3.0)))
        Slices of f(x, y) = x^2 + 3y^2 through (1, 1), where f = 4, x from −3 to 3, y from −3 to 3. Along x (y held at 1): slope ∂f/∂x = 2; along y (x held at 1): slope ∂f/∂y = 6.
    """  # noqa: E501
    return (
        f"Slices of f(x, y) = {formula} through {_point_text(plane)}, where "
        f"f = {number(plane.z0)}, {window_text(x_range, y_range)}. Along x (y held at "
        f"{number(plane.y0)}): {_slope_text('slope ∂f/∂x', plane.fx)}; along y "
        f"(x held at {number(plane.x0)}): {_slope_text('slope ∂f/∂y', plane.fy)}."
    )


def _plane_text(plane: TangentPlane) -> str:
    """z = z0 + fx (x − x0) + fy (y − y0) in plain text, signs folded in."""

    def term(slope: float, variable: str, at: float) -> str:
        shift = f"{variable} − {number(at)}" if at >= 0 else f"{variable} + {number(-at)}"
        return f" {'−' if slope < 0 else '+'} {number(abs(slope))}({shift})"

    return f"z = {number(plane.z0)}{term(plane.fx, 'x', plane.x0)}{term(plane.fy, 'y', plane.y0)}"


def surface_summary(
    formula: str, plane: TangentPlane, x_range: Range, y_range: Range, *, show_plane: bool
) -> str:
    """The 3D view as text: the surface, the planes x = x0 and y = y0 cutting it through the
    point, the slices' slopes there, and the tangent plane when it is shown.

    Example:
        >>> bowl = TangentPlane(1.0, 1.0, 4.0, 2.0, 6.0)
        >>> print(surface_summary("x^2 + 3y^2", bowl, (-3.0, 3.0), (-3.0, 3.0), show_plane=True))
        Surface z = x^2 + 3y^2 over x from −3 to 3, y from −3 to 3, cut by the planes x = 1 and y = 1 through the point (1, 1, 4). Slopes there: ∂f/∂x = 2, ∂f/∂y = 6. Tangent plane: z = 4 + 2(x − 1) + 6(y − 1).
    """  # noqa: E501
    text = (
        f"Surface z = {formula} over {window_text(x_range, y_range)}, cut by the planes "
        f"x = {number(plane.x0)} and y = {number(plane.y0)} through the point "
        f"({number(plane.x0)}, {number(plane.y0)}, {number(plane.z0)}). Slopes there: "
        f"{_slope_text('∂f/∂x', plane.fx)}, {_slope_text('∂f/∂y', plane.fy)}."
    )
    if show_plane and np.isfinite([plane.z0, plane.fx, plane.fy]).all():
        text += f" Tangent plane: {_plane_text(plane)}."
    return text


def path_summary(sample: PathSample, path: str) -> str:
    """The path study as text: where the path runs on the map, the range of df/dt along it,
    and how closely the chain rule and the direct derivative agree.

    Args:
        sample: the path and its derivatives; path: the path in words ("the circle of radius 1
            around (1, 1)").

    Example:
        >>> t = np.linspace(0.0, 1.0, 3)
        >>> line = PathSample(t, t, t, 2 * t, 6 * t, 8 * t, 8 * t)  # x² + 3y² on (t, t)
        >>> print(path_summary(line, "the line y = x"))
        Along the line y = x, from (0, 0) at t = 0 to (1, 1) at t = 1. df/dt runs from 0 to 8; the chain rule and the direct derivative differ by at most 0.
    """  # noqa: E501
    defined = np.flatnonzero(np.isfinite(sample.x + sample.y))
    if defined.size == 0:
        return f"Along {path}: the path is undefined for every t shown."
    first, last = int(defined[0]), int(defined[-1])
    ends = " to ".join(
        f"({number(round(sample.x[i], 12))}, {number(round(sample.y[i], 12))}) "
        f"at t = {number(sample.t[i])}"
        for i in (first, last)
    )
    values = sample.direct[np.isfinite(sample.direct)]
    if values.size == 0:
        return f"Along {path}, from {ends}. f is undefined all along it."
    return (
        f"Along {path}, from {ends}. df/dt runs from {number(values.min())} to "
        f"{number(values.max())}; the chain rule and the direct derivative differ by at most "
        f"{number(sample.max_difference, 2)}."
    )
