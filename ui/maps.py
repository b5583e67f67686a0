"""State and cached views of a map F(x, y) for the Jacobian page (keys "jac.*").

A map is a tuple of formula texts: two (F: R² → R²) or three (a surface patch F: R² → R³).
Everything costly is keyed on those texts and plain numbers: the Jacobian's entries (each a
derivative run in the killable worker), the compiled map and Jacobian, and the heavy part of
each chart per formula and window, so moving the point only evaluates compiled functions at a
few hundred points and adds light traces.

Every widget of the page is bound to the URL (`ui.links`). On the page's first run the link's
formulas, presets, layer weights, window and point are read into state before any widget, since
the preset's name, the view and the point's sliders' ends are worked out from them before their
own widgets are drawn (`init_state`, `init_view`); `hold_view` puts back a point that a stale
URL gave a slider whose ends had just moved.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import streamlit as st
import sympy

from calc_core.expressions import LIMITS, ExpressionError, to_latex
from calc_core.multivariate import (
    GridSample,
    LocalImage,
    compile_map,
    compile_matrix,
    deformed_grid,
    determinant_grid,
    local_image,
    sample_matrix_grid,
)
from calc_core.symbolic_worker import simplify_guarded
from ui.cache import HOUR, derivative_of, parsed
from ui.formula_input import CUSTOM
from ui.links import linked_numbers, linked_values
from ui.presets import JACOBIAN_PRESETS
from ui.two_variables import WINDOW_LIMIT, XY, snap_point
from viz.contours import level_line
from viz.jacobian import input_base, output_base, surface_base

PLANE, SURFACE = "plane", "surface"
KINDS = {PLANE: "R² → R²: a map of the plane", SURFACE: "R² → R³: a surface patch"}
BOXES = {PLANE: ("jac.f1", "jac.f2"), SURFACE: ("jac.g1", "jac.g2", "jac.g3")}
PRESET_KEYS = {PLANE: "jac.plane_preset", SURFACE: "jac.surface_preset"}
LAYER = "Network layer tanh(W·x + b)"
LAYER_KEYS = ("jac.w11", "jac.w12", "jac.w21", "jac.w22", "jac.b1", "jac.b2")
LAYER_REACH = (3.0, 3.0, 3.0, 3.0, 2.0, 2.0)  # the layer's sliders run from -reach to reach
SHAPES = ("square", "circle")
# The small shape's size, v's and w's angles at first: their sliders' `value=` (a link leaves
# out a value equal to its widget's default, so the page must start from that very value).
POINT_CONTROLS = {"jac.size": 0.3, "jac.v_angle": 30.0, "jac.w_angle": 60.0}
VIEW_KEYS = ("jac.x_range", "jac.y_range", "jac.x0", "jac.y0")
HEAT_GRID = 100  # per side, det J's heat map (an even count: no sample sits on a lone zero)
SURFACE_GRID = 50  # per side, the 3D patch
LINES, SAMPLES = 11, 101  # grid lines per direction, points along each
OUTLINE = 200  # points along the small square's outline (a multiple of 4: corners kept)
QUADRATURE = 41  # midpoints per side for a surface patch's area
SHRINKING = (1.0, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01)  # sizes of the shrinking-square table

Range = tuple[float, float]
Texts = tuple[str, ...]


def presets_of(kind: str) -> dict[str, dict]:
    """The presets with two outputs (PLANE) or three (SURFACE)."""
    outputs = 2 if kind == PLANE else 3
    return {n: p for n, p in JACOBIAN_PRESETS.items() if len(p["formulas"]) == outputs}


def layer_formulas(weights: tuple[float, ...]) -> tuple[str, str]:
    """tanh(W·(x, y) + b) written out, from (w11, w12, w21, w22, b1, b2).

    Example:
        >>> layer_formulas((1.5, -1.0, 1.0, 1.0, 0.5, -0.5))
        ('tanh(1.5*x - 1*y + 0.5)', 'tanh(1*x + 1*y - 0.5)')
    """
    w11, w12, w21, w22, b1, b2 = (round(float(v), 6) for v in weights)

    def row(a: float, b: float, c: float) -> str:
        def signed(v: float) -> str:
            return f"- {abs(v):g}" if v < 0 else f"+ {v:g}"

        return f"tanh({a:g}*x {signed(b)}*y {signed(c)})"

    return row(w11, w12, b1), row(w21, w22, b2)


def layer_weights() -> tuple[float, ...]:
    """The layer's sliders' values (w11, w12, w21, w22, b1, b2)."""
    return tuple(float(st.session_state[key]) for key in LAYER_KEYS)


# --- state ----------------------------------------------------------------------------------------


def _same(a: str, b: str) -> bool:
    return a.replace(" ", "") == b.replace(" ", "")


def _texts(kind: str) -> list[str]:
    """The formulas the page draws: each box's text, or its last good one where the text does
    not parse (a typo keeps the map, and with it the preset and the layer's weights)."""
    state = st.session_state
    texts = []
    for box in BOXES[kind]:
        text = state.get(f"{box}.text", "")
        try:
            parsed(text, XY)
        except ExpressionError:
            text = state.get(f"{box}.last_good", text)
        texts.append(text)
    return texts


def _linked_text(key: str, options: tuple[str, ...] | None = None) -> str | None:
    """The link's value for a one-value widget (Streamlit takes the last of repeated ones), if
    it has one that the widget can take."""
    values = linked_values(key)
    if not values or not values[-1]:
        return None
    return values[-1] if options is None or values[-1] in options else None


def _open_link() -> None:
    """On the page's first run: the link's layer weights, presets and formulas into state.

    The preset's name and the view are worked out from them before their widgets are drawn (the
    widgets then take the same values from the link); a preset without formulas fills them in.
    """
    state = st.session_state
    for key, reach in zip(LAYER_KEYS, LAYER_REACH, strict=True):
        weight = linked_numbers(key, 1)
        if weight is not None and abs(weight[0]) <= reach:
            state[key] = weight[0]
    for kind in KINDS:
        name = _linked_text(PRESET_KEYS[kind], (*presets_of(kind), CUSTOM))
        preset = presets_of(kind).get(name)
        if name is not None:
            state[PRESET_KEYS[kind]] = name
        if preset is not None:
            texts = layer_formulas(layer_weights()) if name == LAYER else preset["formulas"]
            for box, text in zip(BOXES[kind], texts, strict=True):
                state[f"{box}.text"] = text
    for box in (box for boxes in BOXES.values() for box in boxes):
        text = _linked_text(f"{box}.text")
        if text is not None:
            state[f"{box}.text"] = text[: LIMITS.max_chars]  # what the box keeps of it


def init_state() -> None:
    """Defaults on first use, and the link's settings (see `_open_link`); keep the state of
    widgets the page hides (the other kind's formula boxes, the layer's sliders), which
    Streamlit would otherwise forget."""
    state = st.session_state
    first = "jac.view_of" not in state
    for kind in KINDS:
        name = next(iter(presets_of(kind)))
        for box, text in zip(BOXES[kind], presets_of(kind)[name]["formulas"], strict=True):
            state.setdefault(f"{box}.text", text)
            state.setdefault(f"{box}.last_good", text)
        state.setdefault(PRESET_KEYS[kind], name)
    for key, value in zip(LAYER_KEYS, JACOBIAN_PRESETS[LAYER]["layer"], strict=True):
        state.setdefault(key, value)
    state.setdefault("jac.kind", PLANE)
    if first:
        _open_link()
    kept = [*LAYER_KEYS, *PRESET_KEYS.values()]
    kept += [f"{box}.text" for boxes in BOXES.values() for box in boxes]
    for key in kept:
        state[key] = state[key]  # a hidden widget's value survives as plain state


def sync_preset(kind: str) -> None:
    """Name the preset that the formula boxes show, or "Custom" (before the picker is drawn)."""
    state = st.session_state
    texts = _texts(kind)
    name = next(
        (
            n
            for n, p in presets_of(kind).items()
            if all(_same(a, b) for a, b in zip(texts, p["formulas"], strict=True))
        ),
        CUSTOM,
    )
    layer = layer_formulas(layer_weights())
    if (
        name == CUSTOM
        and kind == PLANE
        and state.get(PRESET_KEYS[kind]) == LAYER
        and all(_same(a, b) for a, b in zip(texts, layer, strict=True))
    ):
        name = LAYER
    state[PRESET_KEYS[kind]] = name


def use_preset(kind: str) -> None:
    """The preset picker's callback: fill the formula boxes (and the layer's sliders)."""
    state = st.session_state
    preset = presets_of(kind).get(state[PRESET_KEYS[kind]])
    if preset is None:
        return
    if "layer" in preset:
        for key, value in zip(LAYER_KEYS, preset["layer"], strict=True):
            state[key] = value
    for box, text in zip(BOXES[kind], preset["formulas"], strict=True):
        state[f"{box}.text"] = text


def use_layer() -> None:
    """The layer sliders' callback: write tanh(W·x + b) into the two formula boxes."""
    for box, text in zip(BOXES[PLANE], layer_formulas(layer_weights()), strict=True):
        st.session_state[f"{box}.text"] = text


def linked_view(prefix: str) -> None:
    """The link's window and point into "<prefix>.x_range" ... "<prefix>.y0", where its sliders
    can take them (call it on the page's first run, before the point's sliders: their ends are
    the window's, and the window's sliders come after them)."""
    state = st.session_state
    for axis in "xy":
        window = linked_numbers(f"{prefix}.{axis}_range", 2)
        if window is not None and -WINDOW_LIMIT <= window[0] < window[1] <= WINDOW_LIMIT:
            state[f"{prefix}.{axis}_range"] = window
    for axis in "xy":
        low, high = state[f"{prefix}.{axis}_range"]
        point = linked_numbers(f"{prefix}.{axis}0", 1)
        if point is not None and low <= point[0] <= high:
            state[f"{prefix}.{axis}0"] = point[0]


def put_back_held(prefix: str) -> None:
    """Put back the values `hold_view` kept (call it before the view's sliders)."""
    state = st.session_state
    held = state.pop(f"{prefix}.held", None)
    if held:
        state.update(held)
        state[f"{prefix}.to_url"] = {**state.get(f"{prefix}.to_url", {}), **held}


def _write_to_url(values: dict[str, Any]) -> None:
    """Write slider values (numbers or ranges) into the address bar.

    Streamlit follows a value the page sets into the URL, but not in the run `st.rerun()` starts
    right after a slider's first run: a link copied then would hold the old point. This goes
    through Streamlit 1.67's own URL correction (`QueryParams.set_corrected_value`, which it
    calls for a value it clamps); without it, the address bar catches up at the next move.
    """
    try:
        from streamlit.runtime.state.session_state_proxy import get_session_state

        with get_session_state().query_params() as params:
            for key, value in values.items():
                numbers = [float(v) for v in np.atleast_1d(value)]
                params.set_corrected_value(key, numbers, "double_array_value")
    except (ImportError, AttributeError, TypeError):  # another Streamlit: wait for the next move
        pass


def opening_view(kind: str, preset_name: str) -> tuple:
    """The window and point the map opens on (its preset's; for a typed map, the first
    preset's): what its point and window sliders declare as their defaults."""
    preset = presets_of(kind).get(preset_name) or JACOBIAN_PRESETS[next(iter(JACOBIAN_PRESETS))]
    return (
        tuple(preset["window"][0]),
        tuple(preset["window"][1]),
        tuple(preset["point"]),
    )


def hold_view(prefix: str, before: dict[str, Any]) -> None:
    """After the view's sliders: where the link overrode a value the page had just set, put the
    page's value back, with one more run (and into the URL then).

    A slider whose ends moved (the point's, when a preset or the window changes) is a new
    widget to Streamlit, and a new bound widget takes its value from the URL, which may still
    hold the old point. `before` is {key: value} as the page set them before the sliders.
    """
    state = st.session_state
    overridden = {key: value for key, value in before.items() if state[key] != value}
    tried = f"{prefix}.held_for.{'+'.join(before)}"
    if not overridden or overridden == state.get(tried):  # the same twice: never a loop
        state.pop(tried, None)
        pending = state.get(f"{prefix}.to_url", {})
        _write_to_url({key: state[key] for key in before if key in pending})
        state[f"{prefix}.to_url"] = {k: v for k, v in pending.items() if k not in before}
        return
    state[tried] = overridden
    state[f"{prefix}.held"] = {**state.get(f"{prefix}.held", {}), **overridden}
    st.rerun()


def init_view(kind: str, preset_name: str) -> None:
    """Take a preset's window and point when the map changes to it (not when a layer slider
    moves, nor for a typed map), or the link's on the page's first run; then keep the point
    inside the window, on a step.

    Call it after the formula boxes and before the sliders that own "jac.x0" ... "jac.y_range".
    """
    state = st.session_state
    put_back_held("jac")
    preset = presets_of(kind).get(preset_name)
    first = "jac.view_of" not in state
    if state.get("jac.view_of") != (kind, preset_name):
        state["jac.view_of"] = (kind, preset_name)
        if preset is not None:
            state["jac.x_range"], state["jac.y_range"] = preset["window"]
            state["jac.x0"], state["jac.y0"] = preset["point"]
    opening = preset or JACOBIAN_PRESETS[next(iter(JACOBIAN_PRESETS))]
    state.setdefault("jac.x_range", opening["window"][0])
    state.setdefault("jac.y_range", opening["window"][1])
    state.setdefault("jac.x0", opening["point"][0])
    state.setdefault("jac.y0", opening["point"][1])
    if first:
        linked_view("jac")
    snap_point("jac")


# --- the map and its Jacobian -------------------------------------------------------------------


@st.cache_data(max_entries=512, ttl=HOUR, show_spinner=False)
def jacobian_of(texts: Texts) -> sympy.Matrix:
    """J as a SymPy matrix, (outputs, 2): each entry a derivative run in the killable worker.

    Raises:
        ExpressionError: a formula is invalid, or one of its derivatives is too costly.
    """
    return sympy.Matrix([[derivative_of(text, v, 1, XY) for v in XY] for text in texts])


@st.cache_data(max_entries=512, ttl=HOUR, show_spinner=False)
def jacobian_latex(texts: Texts) -> str:
    """J as a LaTeX bmatrix (printing SymPy costs milliseconds: once per map)."""
    J = jacobian_of(texts)
    rows = [" & ".join(to_latex(J[i, j]) for j in range(J.shape[1])) for i in range(J.shape[0])]
    return r"\begin{bmatrix} " + r" \\ ".join(rows) + r" \end{bmatrix}"


@st.cache_resource(max_entries=256, ttl=HOUR, show_spinner=False)
def map_functions(texts: Texts):
    """F and J as vectorised numpy functions of (x, y), shapes (..., m) and (..., m, 2)."""
    F = compile_map([parsed(text, XY) for text in texts], XY)
    return F, compile_matrix(jacobian_of(texts), XY)


@dataclass(frozen=True)
class PointView:
    """Everything the page shows about one point and one small shape.

    Attributes:
        value: (m,) F(p); jacobian: (m, 2) J(p) (NaN where undefined).
        local: the shape, its image and its linear image (`calc_core.multivariate.local_image`).
        ratio: area of F(shape) over the shape's own area (see `_area_ratio`).
    """

    value: np.ndarray
    jacobian: np.ndarray
    local: LocalImage
    ratio: float


def area_scale_of(J: np.ndarray) -> np.ndarray:
    """det J for square J, else sqrt(det JᵀJ), over the leading axes (NaN where undefined)."""
    J = np.asarray(J, dtype=np.float64)
    finite = np.all(np.isfinite(J), axis=(-2, -1))
    out = np.full(J.shape[:-2], np.nan)
    if J.shape[-2] == J.shape[-1]:
        out[finite] = np.linalg.det(J[finite])
    else:
        gram = np.swapaxes(J[finite], -1, -2) @ J[finite]
        out[finite] = np.sqrt(np.maximum(np.linalg.det(gram), 0.0))
    return out


def _area_ratio(texts: Texts, local: LocalImage, shape: str) -> float:
    """Area of F(shape) over the shape's own area.

    Two outputs: the signed area inside the image's outline (Green's theorem). Three:
    ∫∫ sqrt(det JᵀJ) over the shape by the midpoint rule on a 41 x 41 grid, the patch's true
    area; the outline's vector area (`LocalImage.image_area`) is not: on a paraboloid it equals
    the tangent parallelogram's at every size.
    """
    if len(texts) == 2:
        return local.image_area / local.input_area
    if not np.all(np.isfinite(local.image)):  # the patch has a hole there
        return float("nan")
    _, J = map_functions(texts)
    t = (np.arange(QUADRATURE) + 0.5) / QUADRATURE * 2 - 1
    gx, gy = np.meshgrid(t, t)
    inside = np.ones_like(gx, dtype=bool) if shape == "square" else gx**2 + gy**2 <= 1
    (x0, y0), size = local.point, local.size
    with np.errstate(all="ignore"):
        scale = area_scale_of(J(x0 + size * gx[inside], y0 + size * gy[inside]))
    return float(np.mean(scale))


def _local(texts: Texts, x0: float, y0: float, size: float, shape: str) -> LocalImage:
    F, J = map_functions(texts)
    return local_image(F, J(x0, y0), (x0, y0), size, shape=shape, samples=OUTLINE)


@st.cache_data(max_entries=4096, ttl=HOUR, show_spinner=False)
def point_view(texts: Texts, x0: float, y0: float, size: float, shape: str) -> PointView:
    """F(p), J(p), the small shape's images and their area ratio, in one cached call (each
    cached call costs its arguments' hashing and a copy of its result)."""
    F, J = map_functions(texts)
    with np.errstate(all="ignore"):  # undefined at the point: NaN, shown as "undefined"
        local = _local(texts, x0, y0, size, shape)
        return PointView(F(x0, y0), J(x0, y0), local, _area_ratio(texts, local, shape))


@st.cache_data(max_entries=1024, ttl=HOUR, show_spinner=False)
def shrinking(texts: Texts, x0: float, y0: float, shape: str) -> list[tuple[float, float, float]]:
    """(size, area of F(shape) / area, area of the linear image / area) as the shape shrinks."""
    rows = []
    for size in SHRINKING:
        local = _local(texts, x0, y0, size, shape)
        linear = local.linear_area / local.input_area if len(texts) == 2 else local.area_scale
        rows.append((size, _area_ratio(texts, local, shape), linear))
    return rows


@st.cache_data(max_entries=128, ttl=HOUR, show_spinner=False)
def map_on_grid(texts: Texts, x_range: Range, y_range: Range, n: int) -> np.ndarray:
    """F on an n x n grid over the window, (n, n, m) with ``[j, i] = F(x[i], y[j])``."""
    F, _ = map_functions(texts)
    gx, gy = np.meshgrid(np.linspace(*x_range, n), np.linspace(*y_range, n))
    with np.errstate(all="ignore"):
        return np.asarray(F(gx, gy), dtype=np.float64)


@st.cache_data(max_entries=128, ttl=HOUR, show_spinner=False)
def scale_grid(texts: Texts, x_range: Range, y_range: Range, n: int) -> GridSample:
    """det J (two outputs) or sqrt(det JᵀJ) (three) on an n x n grid over the window."""
    _, J = map_functions(texts)
    if len(texts) == 2:
        return determinant_grid(J, x_range, y_range, n)
    grid = sample_matrix_grid(J, x_range, y_range, n)
    return GridSample(grid.x, grid.y, area_scale_of(grid.values))


@st.cache_resource(max_entries=64, ttl=HOUR, show_spinner=False)
def input_part(texts: Texts, x_range: Range, y_range: Range) -> dict:
    """The input plane's heat map, grid and det J = 0 curve (shared: never modify it)."""
    F, _ = map_functions(texts)
    scale = scale_grid(texts, x_range, y_range, HEAT_GRID)
    signed = len(texts) == 2
    zero = level_line(scale.x, scale.y, scale.z, 0.0) if signed else None
    return input_base(scale, deformed_grid(F, x_range, y_range, LINES, 2), zero, signed=signed)


@st.cache_resource(max_entries=64, ttl=HOUR, show_spinner=False)
def output_part(texts: Texts, x_range: Range, y_range: Range) -> dict:
    """The output plane's deformed grid, or the 3D patch (shared: never modify it)."""
    F, _ = map_functions(texts)
    if len(texts) == 2:
        return output_base(deformed_grid(F, x_range, y_range, LINES, SAMPLES))
    # On the patch, half the samples: the lines follow its 50 x 50 mesh no closer anyway.
    lines = deformed_grid(F, x_range, y_range, LINES, SURFACE_GRID + 1)
    values = map_on_grid(texts, x_range, y_range, SURFACE_GRID)
    scale = scale_grid(texts, x_range, y_range, SURFACE_GRID).z
    return surface_base(values, scale, lines)


def covector_curve(
    texts: Texts, x_range: Range, y_range: Range, w: np.ndarray, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Where w·F(x, y) = level over the window, NaN-separated (the input grid of the heat map)."""
    values = map_on_grid(texts, x_range, y_range, HEAT_GRID)
    xs, ys = np.linspace(*x_range, HEAT_GRID), np.linspace(*y_range, HEAT_GRID)
    if not np.isfinite(level):
        return np.array([]), np.array([])
    return level_line(xs, ys, values @ np.asarray(w, dtype=np.float64), level)


def _simplified(expr: sympy.Expr) -> sympy.Expr:
    try:
        return simplify_guarded(expr, timeout=3.0)
    except ExpressionError:  # too costly to simplify: show it as it is
        return expr


@st.cache_data(max_entries=256, ttl=HOUR, show_spinner=False)
def area_scale_formula(texts: Texts) -> sympy.Expr:
    """det J (two outputs) or sqrt(det JᵀJ) (three) as a formula, simplified in the worker
    under a time limit (left unsimplified if that takes too long)."""
    J = jacobian_of(texts)
    if J.shape == (2, 2):
        return _simplified(J[0, 0] * J[1, 1] - J[0, 1] * J[1, 0])
    a, b = J[:, 0], J[:, 1]
    gram = a.dot(a) * b.dot(b) - a.dot(b) ** 2
    return sympy.sqrt(_simplified(gram))


__all__ = [
    "BOXES",
    "KINDS",
    "LAYER",
    "LAYER_KEYS",
    "LAYER_REACH",
    "PLANE",
    "POINT_CONTROLS",
    "PRESET_KEYS",
    "SHAPES",
    "SURFACE",
    "VIEW_KEYS",
    "PointView",
    "area_scale_formula",
    "area_scale_of",
    "covector_curve",
    "hold_view",
    "init_state",
    "init_view",
    "input_part",
    "jacobian_latex",
    "jacobian_of",
    "layer_formulas",
    "layer_weights",
    "linked_view",
    "map_functions",
    "output_part",
    "point_view",
    "presets_of",
    "put_back_held",
    "shrinking",
    "sync_preset",
    "use_layer",
    "use_preset",
]
