"""Cached views of one formula f(x, y) for the partial-derivative and gradient pages.

State lives under a page prefix: "<prefix>.x_range", "<prefix>.y_range", "<prefix>.x0",
"<prefix>.y0", each the key of a slider bound to the URL (a link holds them); "<prefix>.view"
is the window and point the formula opens on, which those sliders declare as their defaults.
Everything costly is keyed on the formula's text and plain numbers, so a move of
the point re-uses the surface, the compiled partials and the gradient field already computed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import streamlit as st

from calc_core.derivatives import PointDerivative, derivative_at
from calc_core.expressions import ExpressionError, parse_expression
from calc_core.multivariate import (
    GradientField,
    GridSample,
    TangentPlane,
    TotalDerivative,
    gradient_field,
    sample_grid,
    steepest_path,
    tangent_plane,
    total_derivative_along,
)
from calc_core.symbolic_worker import run_symbolic
from ui.cache import HOUR, compiled, compiled_derivative, derivative_of, parsed
from ui.fragments import rerun_only
from ui.links import BIND, linked_numbers
from ui.presets import SURFACE_VIEWS
from ui.sliders import on_step
from viz.partials import (
    PATH_VARIABLES,
    PathSample,
    contour_image,
    sample_path,
    surface_scene,
)

XY = ("x", "y")
SURFACE_GRID = 60  # per side: a 3D surface of 60 x 60 stays within the 3D budget
CONTOUR_GRID = 120  # per side for contour maps
FIELD_GRID = 17  # arrows per side
POINT_STEPS = 80  # the point's sliders have at most this many steps across the window
NICE_STEPS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1.0)
DEFAULT_VIEW = ((-3.0, 3.0), (-3.0, 3.0), (1.0, 1.0))

Range = tuple[float, float]
View = tuple[Range, Range, tuple[float, float]]  # x range, y range, (x0, y0)


def point_step(window: Range) -> float:
    """The smallest round step that crosses the window in at most POINT_STEPS steps."""
    width = window[1] - window[0]
    return next((s for s in NICE_STEPS if width / s <= POINT_STEPS), NICE_STEPS[-1])


def _snap(value: float, window: Range) -> float:
    return on_step(value, *window, point_step(window))


def linked_window(key: str) -> Range | None:
    """The URL's window for range slider `key` when it is one the page could show (both ends
    within ±WINDOW_LIMIT, at least MIN_WIDTH wide), else None."""
    linked = linked_numbers(key, 2)
    if linked is None or not all(abs(v) <= WINDOW_LIMIT for v in linked):
        return None
    return (linked[0], linked[1]) if linked[1] - linked[0] >= MIN_WIDTH else None


def init_view(prefix: str, text: str) -> None:
    """Set the window and point for this formula: a preset's own view when the formula changes
    to a preset, the defaults on first use (a link's window, if it has one); then keep the point
    inside the window, on a step.

    Call it after the formula box and before the sliders that own these keys.
    """
    state = st.session_state
    view = SURFACE_VIEWS.get(text)
    if state.get(f"{prefix}.view_of") != text:
        first = f"{prefix}.view_of" not in state
        state[f"{prefix}.view_of"] = text
        if view is not None or first:
            (x_range, y_range, (x0, y0)) = view or DEFAULT_VIEW
            if view is not None or f"{prefix}.x_range" not in state:
                state[f"{prefix}.x_range"] = x_range
                state[f"{prefix}.y_range"] = y_range
                state[f"{prefix}.x0"] = x0
                state[f"{prefix}.y0"] = y0
        if first:
            # Opened from a link: its window, read before any slider (the point's sliders come
            # first on the page and their ends are the window's). The point's sliders then take
            # the link's point themselves, or refuse it (outside the window, not a number).
            state[f"{prefix}.opening"] = True
            for axis in "xy":
                linked = linked_window(f"{prefix}.{axis}_range")
                if linked is not None:
                    state[f"{prefix}.{axis}_range"] = linked
    # Values the page had set when a slider took the URL's instead (`_keep_page_values`).
    put_back = state.pop(f"{prefix}.put_back", None)
    if put_back:
        state.update(put_back)
        state[f"{prefix}.to_url"] = {**state.get(f"{prefix}.to_url", {}), **put_back}
    # What the sliders declare as their defaults: the browser leaves a value equal to its
    # widget's default out of the link, so opening the link must give that same value.
    state[f"{prefix}.view"] = view or DEFAULT_VIEW
    for key, value in zip(("x_range", "y_range"), DEFAULT_VIEW[:2], strict=True):
        state.setdefault(f"{prefix}.{key}", value)
    state.setdefault(f"{prefix}.x0", DEFAULT_VIEW[2][0])
    state.setdefault(f"{prefix}.y0", DEFAULT_VIEW[2][1])
    snap_point(prefix)


MIN_WIDTH = 0.5  # a window narrower than this (both ends of a range slider together) reopens
WINDOW_LIMIT = 10.0  # the range sliders run from -WINDOW_LIMIT to WINDOW_LIMIT in steps of 0.5


def snap_point(prefix: str) -> None:
    """Keep the window open and (x0, y0) inside it, on the sliders' steps (a widget callback).

    A window squeezed to one value (both ends of a range slider together) is reopened to
    MIN_WIDTH: the point's slider needs a range to slide over.
    """
    state = st.session_state
    for axis in "xy":
        low, high = (float(v) for v in state[f"{prefix}.{axis}_range"])
        if high - low < MIN_WIDTH:
            fits = low + MIN_WIDTH <= WINDOW_LIMIT
            state[f"{prefix}.{axis}_range"] = (
                (low, low + MIN_WIDTH) if fits else (high - MIN_WIDTH, high)
            )
    # Written on every run, moved or not: a new window gives the point's slider a new identity,
    # which would otherwise start from its default rather than from the point.
    state[f"{prefix}.x0"] = _snap(state[f"{prefix}.x0"], tuple(state[f"{prefix}.x_range"]))
    state[f"{prefix}.y0"] = _snap(state[f"{prefix}.y0"], tuple(state[f"{prefix}.y_range"]))


def check_partials(text: str) -> None:
    """Reject (with `ExpressionError`) a formula whose partial derivatives are too costly."""
    derivative_of(text, "x", 1, XY)
    derivative_of(text, "y", 1, XY)


def functions(text: str) -> tuple[Callable, Callable, Callable]:
    """f, ∂f/∂x and ∂f/∂y as vectorised numpy functions of (x, y), cached on the text."""
    return (
        compiled(text, XY),
        compiled_derivative(text, "x", 1, XY),
        compiled_derivative(text, "y", 1, XY),
    )


@st.cache_data(max_entries=128, ttl=HOUR, show_spinner=False)
def surface(text: str, x_range: Range, y_range: Range, n: int = SURFACE_GRID) -> GridSample:
    """f on an n x n grid over the window (NaN where undefined)."""
    return sample_grid(compiled(text, XY), x_range, y_range, n)


@st.cache_data(max_entries=128, ttl=HOUR, show_spinner=False)
def has_gaps(text: str, x_range: Range, y_range: Range) -> bool:
    """Whether f is undefined or infinite somewhere on the contour maps' grid over the window."""
    return not np.isfinite(surface(text, x_range, y_range, CONTOUR_GRID).z).all()


@st.cache_data(max_entries=128, ttl=HOUR, show_spinner=False)
def field(text: str, x_range: Range, y_range: Range, n: int = FIELD_GRID) -> GradientField:
    """The gradient on an n x n grid of arrows over the window."""
    _, fx, fy = functions(text)
    return gradient_field(fx, fy, x_range, y_range, n)


@st.cache_data(max_entries=2048, ttl=HOUR, show_spinner=False)
def plane_at(text: str, x0: float, y0: float) -> TangentPlane:
    """f, ∂f/∂x and ∂f/∂y at (x0, y0), as the tangent plane there."""
    return tangent_plane(*functions(text), x0, y0)


@st.cache_data(max_entries=1024, ttl=HOUR, show_spinner=False)
def steepest_paths(
    text: str, x0: float, y0: float, x_range: Range, y_range: Range, steps: int = 60
) -> tuple[np.ndarray, np.ndarray]:
    """Paths of steepest ascent and descent from (x0, y0), fixed steps of 1/80 of the window."""
    _, fx, fy = functions(text)

    def grad(x: float, y: float) -> tuple[float, float]:
        return float(fx(np.float64(x), np.float64(y))), float(fy(np.float64(x), np.float64(y)))

    step = max(x_range[1] - x_range[0], y_range[1] - y_range[0]) / 80
    bounds = (x_range, y_range)
    up = steepest_path(grad, (x0, y0), step, steps, ascent=True, bounds=bounds)
    down = steepest_path(grad, (x0, y0), step, steps, ascent=False, bounds=bounds)
    return up, down


@st.cache_data(max_entries=512, ttl=HOUR, show_spinner=False)
def total_derivative(text: str, x_of_t: str, y_of_t: str) -> TotalDerivative:
    """d/dt f(x(t), y(t)) by the chain rule and directly, computed in the killable worker.

    Raises:
        ExpressionError: a path formula is invalid, or the derivatives are too costly.
    """
    path = (parse_expression(x_of_t, ("t",)), parse_expression(y_of_t, ("t",)))
    return run_symbolic(total_derivative_along, parsed(text, XY), path, XY, "t")


__all__ = [
    "CONTOUR_GRID",
    "FIELD_GRID",
    "SURFACE_GRID",
    "XY",
    "ExpressionError",
    "check_partials",
    "field",
    "functions",
    "has_gaps",
    "init_view",
    "plane_at",
    "point_step",
    "snap_point",
    "steepest_paths",
    "surface",
    "total_derivative",
]


# --- the partial-derivatives page: the 3D surface, the contour map, a path ----------------------


@st.cache_resource(max_entries=64, ttl=HOUR, show_spinner=False)
def surface_part(text: str, x_range: Range, y_range: Range) -> dict:
    """The 3D view's surface trace and scene (`viz.partials.surface_scene`), once per formula and
    window: moving the point re-uses this very object, so the surface's bytes never change.
    (A shared object: never modify it.)"""
    return surface_scene(surface(text, x_range, y_range))


@st.cache_resource(max_entries=64, ttl=HOUR, show_spinner=False)
def contour_part(text: str, x_range: Range, y_range: Range) -> dict:
    """f's contour map over the window as a layout image (`viz.partials.contour_image`), built
    once, on the contour maps' grid (CONTOUR_GRID, as the gradient page's map)."""
    return contour_image(surface(text, x_range, y_range, CONTOUR_GRID))


@st.cache_data(max_entries=256, ttl=HOUR, show_spinner=False)
def _derivative_along(text: str, x_of_t: str, y_of_t: str) -> TotalDerivative:
    """`total_derivative` for a path that may pass through a point (a, b) left symbolic."""
    path = (parsed(x_of_t, PATH_VARIABLES), parsed(y_of_t, PATH_VARIABLES))
    return run_symbolic(total_derivative_along, parsed(text, XY), path, XY, "t")


@st.cache_data(max_entries=1024, ttl=HOUR, show_spinner=False)
def path_sample(
    text: str, x_of_t: str, y_of_t: str, t_range: Range, point: tuple[float, float] = (0.0, 0.0)
) -> PathSample:
    """The path and d/dt f(x(t), y(t)) both ways (chain rule, direct) sampled over t_range.

    In the path's formulas, `a` and `b` stand for the point (x0, y0) = `point`: the symbolic
    work (the composition's derivative, in the killable worker) is done once per formula and
    path, so moving the point only evaluates compiled functions again (under 2 ms, against
    50-150 ms for a fresh derivative and its compilation).

    Raises:
        ExpressionError: a path formula is invalid, or the derivatives are too costly.
    """
    total = _derivative_along(text, x_of_t, y_of_t)
    path = (parsed(x_of_t, PATH_VARIABLES), parsed(y_of_t, PATH_VARIABLES))
    return sample_path(total, path, t_range, point)


@st.cache_data(max_entries=2048, ttl=HOUR, show_spinner=False)
def slice_derivatives(text: str, x0: float, y0: float) -> tuple[PointDerivative, PointDerivative]:
    """Whether the slices f(x, y0) and f(x0, y) have a slope at the point, and which.

    Decided as `calc_core.derivatives.derivative_at` decides it for f(x), from one-sided
    difference quotients: the symbolic partial alone misleads at a kink (∂|x|/∂x = sign(x)
    gives 0 at x = 0, where there is no slope).
    """
    f, fx, fy = functions(text)

    def along_x(g: Callable) -> Callable:
        return lambda x: g(np.asarray(x, dtype=float), np.full(np.shape(x), float(y0)))

    def along_y(g: Callable) -> Callable:
        return lambda y: g(np.full(np.shape(y), float(x0)), np.asarray(y, dtype=float))

    return (
        derivative_at(along_x(f), along_x(fx), x0),
        derivative_at(along_y(f), along_y(fy), y0),
    )


def _declared_view(prefix: str) -> View | None:
    """The view `init_view` opened the formula on (None for a page with its own init)."""
    return st.session_state.get(f"{prefix}.view")


def _value(value: Any) -> Any:
    """A slider's value as the page compares it: a range as a tuple of floats."""
    return tuple(float(v) for v in value) if isinstance(value, list | tuple) else value


def _write_url(prefix: str, keys: Sequence[str]) -> None:
    """After their sliders: write the values put back this run (`init_view`) into the address
    bar. Streamlit follows a value the page sets, but not in a run that `st.rerun()` started
    after the slider's first run: the link would hold the old point until the next move.

    Through Streamlit 1.67's own URL correction (`QueryParams.set_corrected_value`, what it
    calls for a value it clamps); without it, the address bar catches up at the next move.
    """
    state = st.session_state
    pending = state.get(f"{prefix}.to_url") or {}
    values = {key: _value(state[key]) for key in keys if key in pending}
    if not values:
        return
    state[f"{prefix}.to_url"] = {k: v for k, v in pending.items() if k not in values}
    try:
        from streamlit.runtime.state.session_state_proxy import get_session_state

        with get_session_state().query_params() as params:
            for key, value in values.items():
                numbers = [float(v) for v in value] if isinstance(value, tuple) else [value]
                params.set_corrected_value(key, numbers, "double_array_value")
    except (ImportError, AttributeError, TypeError):  # a Streamlit without it
        pass


def _keep_page_values(prefix: str, before: dict[str, Any], *, opening: bool) -> None:
    """After sliders bound to the URL: where a slider took the URL's value over the one the
    page had set just before it (`before`, key -> value), put the page's back, with one more run
    (`init_view` puts it back, before the sliders).

    A bound slider takes the URL's value whenever it is new to Streamlit: as the page opens
    (the link's value, kept, unless the page refused it: a window reversed or of no width), and
    whenever its ends change (the point's sliders, after a preset or a new window: the URL
    still holds the old point).
    """
    state = st.session_state
    marker = f"{prefix}.put_back_tried.{'+'.join(before)}"
    tried = state.pop(marker, None)
    if opening:  # the URL's value is the link's: the view asked for
        return
    taken = {key: value for key, value in before.items() if _value(state[key]) != value}
    if taken and taken != tried:  # the same twice in a row: no loop, whatever happens
        state[f"{prefix}.put_back"] = {**state.get(f"{prefix}.put_back", {}), **taken}
        state[marker] = taken
        st.rerun()


def point_sliders(
    prefix: str,
    columns: Sequence[Any],
    opens_on: View | None = None,
    *,
    redraws: Sequence[str] = (),
) -> None:
    """The x₀ and y₀ sliders, in the first two of `columns`, stepping across the window.

    `opens_on`: for a page with its own view handling (the Jacobian's), the view a fresh page
    opens on, which the sliders declare as their defaults (the browser leaves a value equal to
    its widget's default out of a link).

    `redraws`: the keys of the fragments a move of the point reruns in the browser, instead of
    the fragment the sliders are in (`ui.fragments.rerun_only`): the charts, without the sliders
    and everything else around them."""
    state = st.session_state
    view = _declared_view(prefix)
    declared = view if view is not None else opens_on
    keys = (f"{prefix}.x0", f"{prefix}.y0")
    before = {key: state[key] for key in keys}
    for index, (column, axis) in enumerate(zip(columns[:2], "xy", strict=True)):
        window = tuple(float(v) for v in state[f"{prefix}.{axis}_range"])
        column.slider(
            f"{axis}₀",
            min_value=window[0],
            max_value=window[1],
            value=None if declared is None else _snap(declared[2][index], window),
            step=point_step(window),
            key=f"{prefix}.{axis}0",
            on_change=rerun_only if redraws else None,
            args=tuple(redraws),
            bind=BIND,
        )
    if view is not None:  # a page of `init_view`'s (the Jacobian's has its own)
        _write_url(prefix, keys)
        _keep_page_values(prefix, before, opening=state.pop(f"{prefix}.opening", False))


def window_moved(prefix: str, *redraws: str) -> None:
    """A window slider's callback: the point follows (`snap_point`), then only the fragments
    `redraws` rerun (all of the sliders' own fragment when there are none)."""
    snap_point(prefix)
    rerun_only(*redraws)


def window_sliders(
    prefix: str,
    columns: Sequence[Any],
    opens_on: View | None = None,
    *,
    redraws: Sequence[str] = (),
) -> None:
    """The x range and y range sliders, in the first two of `columns`; the point follows.

    `redraws`: as in `point_sliders`, the fragments a new window reruns (those that draw with it).

    As a page opens, these sliders take any window within their ends from the URL, even one
    the page refused (`linked_window`) and drew the point's sliders and the charts without: the
    page then runs once more with its own (`_keep_page_values`).
    """
    state = st.session_state
    view = _declared_view(prefix)
    declared = view if view is not None else opens_on  # as in point_sliders
    keys = (f"{prefix}.x_range", f"{prefix}.y_range")
    before = {key: _value(state[key]) for key in keys}
    for index, (column, axis) in enumerate(zip(columns[:2], "xy", strict=True)):
        column.slider(
            f"{axis} range",
            min_value=-WINDOW_LIMIT,
            max_value=WINDOW_LIMIT,
            value=None if declared is None else declared[index],
            step=0.5,
            key=f"{prefix}.{axis}_range",
            on_change=window_moved,
            args=(prefix, *redraws),
            bind=BIND,
        )
    if view is not None:
        _write_url(prefix, keys)
        _keep_page_values(prefix, before, opening=False)
