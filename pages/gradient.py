"""The gradient: steepest ascent, perpendicular to the level curves, and every directional
derivative at once."""

from __future__ import annotations

from functools import partial

import numpy as np
import streamlit as st

from calc_core.expressions import to_latex
from calc_core.multivariate import TangentPlane
from ui.cache import HOUR, derivative_of
from ui.formula_input import formula_input
from ui.fragments import after_charts
from ui.links import BIND, linked_numbers
from ui.live_chart import live_chart
from ui.presentation import explain
from ui.presets import SURFACE_PRESETS
from ui.single_variable import follow_chart_slider
from ui.tabs import lazy_tabs
from ui.two_variables import (
    CONTOUR_GRID,
    XY,
    check_partials,
    field,
    functions,
    init_view,
    plane_at,
    point_sliders,
    steepest_paths,
    surface,
    window_sliders,
)
from viz.contours import level_line
from viz.format import number
from viz.gradient import (
    ANGLE_STEP,
    CLIP_PERCENTILE,
    GradientMap,
    angle_index,
    at_angle,
    directional_value,
    gradient_angle,
    gradient_defined,
    gradient_figure,
    gradient_map,
    lifted_traces,
    map_summary,
    polar_figure,
    polar_summary,
    surface_base,
    surface_figure,
    surface_summary,
    without_angle_frames,
)

Range = tuple[float, float]
# Arrows per side of the field, which the browser redraws with every move of the point: 15²
# rather than the shared 17² keeps that redraw cheap and the map uncluttered.
ARROWS = 15

# --- cached views: the map per formula and window, the point's layer per point -----------------


@st.cache_resource(max_entries=32, ttl=HOUR, show_spinner=False)
def map_of(text: str, x_range: Range, y_range: Range) -> GradientMap:
    """Contours and the gradient field of f over the window (shared, never modified)."""
    grid = surface(text, x_range, y_range, CONTOUR_GRID)
    return gradient_map(grid, field(text, x_range, y_range, ARROWS))


@st.cache_data(max_entries=1024, ttl=HOUR, show_spinner=False)
def paths_on_f(
    text: str, x0: float, y0: float, x_range: Range, y_range: Range
) -> tuple[np.ndarray, np.ndarray]:
    """The steepest paths as (k, 3) points (x, y, f), each cut where f stops being defined."""
    f = functions(text)[0]
    cut = []
    for path in steepest_paths(text, x0, y0, x_range, y_range):
        with np.errstate(all="ignore"):
            z = np.broadcast_to(np.asarray(f(path[:, 0], path[:, 1]), float), len(path))
        bad = np.flatnonzero(~np.isfinite(z))
        end = bad[0] if bad.size else len(path)
        cut.append(np.column_stack([path, z])[:end])
    return cut[0], cut[1]


@st.cache_resource(max_entries=128, ttl=HOUR, show_spinner=False)
def map_at(text: str, x_range: Range, y_range: Range, x0: float, y0: float) -> dict:
    """The map with the point's gradient, level curve, u's frames and the steepest paths."""
    up, down = paths_on_f(text, x0, y0, x_range, y_range)
    grid = surface(text, x_range, y_range, CONTOUR_GRID)
    plane = plane_at(text, x0, y0)
    return gradient_figure(map_of(text, x_range, y_range), grid, plane, up[:, :2], down[:, :2])


@st.cache_resource(max_entries=32, ttl=HOUR, show_spinner=False)
def surface_of(text: str, x_range: Range, y_range: Range) -> dict:
    """The 3D surface of f over the window (shared: it stays byte-identical as the point moves)."""
    return surface_base(surface(text, x_range, y_range))


@st.cache_resource(max_entries=128, ttl=HOUR, show_spinner=False)
def surface_at(text: str, x_range: Range, y_range: Range, x0: float, y0: float) -> dict:
    """The 3D view with the point's lifted gradient, level curve and steepest paths."""
    plane = plane_at(text, x0, y0)
    grid = surface(text, x_range, y_range, CONTOUR_GRID)
    level = level_line(grid.x, grid.y, grid.z, plane.z0) if np.isfinite(plane.z0) else ([], [])
    up, down = paths_on_f(text, x0, y0, x_range, y_range)
    base = surface_of(text, x_range, y_range)
    return surface_figure(base, lifted_traces(plane, base, level, up, down))


@st.cache_resource(max_entries=256, ttl=HOUR, show_spinner=False)
def polar_of(text: str, x0: float, y0: float) -> dict:
    """D_u f in every direction at the point, with u's frames."""
    return polar_figure(plane_at(text, x0, y0))


def init_angle() -> None:
    """u's direction: on first use, the link's if the angle slider can take it, else 0°.

    Read from the URL before anything is drawn: the map and the polar chart, drawn before the
    slider, already show u at this angle."""
    if "grad.angle" in st.session_state:
        return
    linked = linked_numbers("grad.angle", 1)
    usable = linked is not None and 0.0 <= linked[0] <= 360.0
    st.session_state["grad.angle"] = linked[0] if usable else 0.0


def view() -> tuple[Range, Range, float, float, float]:
    """The window, the point and u's angle, as the sliders hold them."""
    state = st.session_state
    x_range = (float(state["grad.x_range"][0]), float(state["grad.x_range"][1]))
    y_range = (float(state["grad.y_range"][0]), float(state["grad.y_range"][1]))
    return (
        x_range,
        y_range,
        float(state["grad.x0"]),
        float(state["grad.y0"]),
        float(state["grad.angle"]),
    )


def point_u(text: str, x0: float, y0: float, turn: float) -> None:
    """Turn u to ∇f's direction plus `turn` degrees (a button's callback)."""
    along = gradient_angle(plane_at(text, x0, y0))
    if along is not None:
        st.session_state["grad.angle"] = (along + turn) % 360


# --- the page -------------------------------------------------------------------------------------

init_angle()

st.title("The gradient: the direction of steepest ascent")
explain(
    "The gradient **∇f = (∂f/∂x, ∂f/∂y)** collects the partial derivatives into one arrow. "
    "It points where f rises fastest, its length |∇f| is that fastest rate, and it always "
    "crosses the level curve through its point **at a right angle**. Training a network walks "
    "the other way: gradient descent steps along −∇f of the loss. Move the point (x₀, y₀), "
    "turn the direction u, or press ▶ under the map to roll along ±∇f."
)

formula = formula_input(
    "grad.f",
    default=SURFACE_PRESETS["x² + 3y² (a bowl)"],
    presets=SURFACE_PRESETS,
    variables=XY,
    name="f(x, y)",
    check=check_partials,
)
text = formula.text
init_view("grad", text)


# Below the formula the page is three fragments, so that a move of the point sends the browser
# its charts first and nothing else (ui/fragments.py): the point's and the window's sliders,
# the charts nested under them, and the readouts and studies, which follow once the charts
# have painted.


@st.fragment
def point_view(text: str) -> None:
    """The point's and the window's sliders, with the charts nested under them: a new window
    reruns only this part of the page, a new point only the charts."""
    # A fragment rerun skips the page's top: widget keys a full run set are set again here (a
    # widget not drawn in the last full run, say in a closed tab, lost its key at its end).
    init_angle()
    init_view("grad", text)
    controls = st.columns(4)
    point_sliders("grad", controls[:2], redraws=("grad.charts",))
    window_sliders("grad", controls[2:])
    point_charts(text)


@st.fragment(key="grad.charts")
def point_charts(text: str) -> None:
    """The map and the polar chart with u's controls: what a move of the point redraws at once
    (the point's sliders rerun only this; the readouts follow once it has painted)."""
    x_range, y_range, x0, y0, angle = view()
    plane: TangentPlane = plane_at(text, x0, y0)
    frame = angle_index(angle)

    def positioned(spec: dict) -> dict:
        """The polar chart as it stands at u's angle: a frame when the angle is on one (the
        browser then plays it), else u drawn exactly (after a button turned it along ∇f, say).
        The map draws u exactly at any angle (`without_angle_frames`)."""
        return spec if frame is not None else at_angle(spec, plane, angle)

    map_column, polar_column = st.columns([3, 2], gap="medium")
    with map_column:
        live_chart(
            without_angle_frames(at_angle(map_at(text, x_range, y_range, x0, y0), plane, angle)),
            key="grad.map",
            height=620,
            filename="gradient-map",
            summary=map_summary(text, plane, angle, x_range, y_range),
        )
    with polar_column:
        # u's controls stand above the polar chart but are written after it: the chart then
        # reaches the browser ahead of the five widgets (each element sent before a chart delays
        # its drawing).
        u_controls = st.container()
        live_chart(
            positioned(polar_of(text, x0, y0)),
            frame=frame,
            key="grad.polar",
            height=430,
            filename="directional-derivative",
            on_change=partial(follow_chart_slider, "grad.angle", "grad.polar"),
            summary=polar_summary(plane, angle),
        )
    with u_controls:
        st.slider(
            "direction of u (degrees from the x axis)",
            min_value=0.0,
            max_value=360.0,
            step=float(ANGLE_STEP),
            format="%.0f°",
            key="grad.angle",
            bind=BIND,
        )
        has_direction = gradient_angle(plane) is not None
        turns = st.columns([1.1, 1, 1.5, 1], vertical_alignment="center")
        turns[0].caption("Turn u along")
        for column, label, degrees, where in zip(
            turns[1:],
            ("∇f", "level curve", "−∇f"),
            (0.0, 90.0, 180.0),
            ("along ∇f", "along the level curve", "against ∇f"),
            strict=True,
        ):
            column.button(
                label,
                key=f"grad.u_{int(degrees)}",
                on_click=point_u,
                args=(text, x0, y0, degrees),
                disabled=not has_direction,
                help=f"Turn u {where}.",
                width="stretch",
            )


@st.fragment
def point_readouts(text: str) -> None:
    """What the point's charts do not need at once (notes, numbers, formulas, studies): it
    reruns once the map and the polar chart have painted a move, so it never delays them."""
    after_charts(("grad.map", "grad.polar"), key="grad.after")
    # Read only: the point's fragment, run before this one, owns and sets these keys.
    x_range, y_range, x0, y0, angle = view()
    plane: TangentPlane = plane_at(text, x0, y0)

    base = map_of(text, x_range, y_range)
    st.caption(
        "On the map: the bold arrow labelled ∇f is the gradient at (x₀, y₀); green, the level "
        "curve through the point and its tangent (dashed), with the right-angle mark; purple, the "
        "unit direction u, its "
        "shaded part the shadow of ∇f's arrow on it; orange and blue, the steepest ascent and "
        f"descent. Small arrows: ∇f on a {ARROWS} × {ARROWS} grid, their length growing "
        f"with |∇f| up to |∇f| = {number(base.clip, 3)} (the {CLIP_PERCENTILE}th percentile here) "
        "and capped beyond, so a few huge gradients do not shrink the rest to dots; an arrow's "
        "colour is its true |∇f|, in the colorbar's six bands (hover it for the numbers). Blue "
        "shading: lower f."
    )
    st.caption(
        "Polar chart: in each direction u, the distance from the centre is |D_u f| as a share of "
        "|∇f| (the outer circle). Solid orange where f rises (D_u f > 0), dashed blue where it "
        "falls (D_u f < 0, drawn as |D_u f|). Both are circles through the centre because "
        "D_u f = |∇f| cos α, with α the angle between u and ∇f: largest along ∇f, zero along the "
        "level curve (green), most negative against ∇f. At 0° D_u f is ∂f/∂x, at 90° ∂f/∂y. Drag "
        "the slider under it: u turns in your browser, and the page follows when you let go."
    )
    if base.has_gaps:
        st.caption(
            "f or its gradient is undefined (or infinite) on part of this window: those places "
            "are left blank, with no arrows."
        )

    # --- readouts ---------------------------------------------------------------------------------

    defined = gradient_defined(plane)
    size = float(np.hypot(plane.fx, plane.fy)) if defined else float("nan")
    value = directional_value(plane, angle)
    readout = st.columns(4)
    readout[0].metric("f(x₀, y₀)", number(plane.z0))
    readout[1].metric(
        "∇f(x₀, y₀)", f"({number(plane.fx)}, {number(plane.fy)})" if defined else "undefined"
    )
    readout[2].metric("|∇f|", number(size))
    readout[3].metric("D_u f = ∇f·u", number(value))

    fx_expr, fy_expr = (derivative_of(text, v, 1, XY) for v in XY)
    st.latex(
        r"\nabla f = \left(\frac{\partial f}{\partial x},\ \frac{\partial f}{\partial y}\right) = "
        rf"\left({to_latex(fx_expr)},\ {to_latex(fy_expr)}\right)"
    )
    if defined:
        theta = np.radians(angle)
        cos_t, sin_t = (number(round(float(g(theta)), 12)) for g in (np.cos, np.sin))
        st.latex(
            rf"D_u f = \nabla f \cdot u = ({number(plane.fx)})\cos {number(angle)}^\circ + "
            rf"({number(plane.fy)})\sin {number(angle)}^\circ = ({number(plane.fx)})({cos_t}) + "
            rf"({number(plane.fy)})({sin_t}) = {number(value)}".replace("−", "-")
        )
    if size == 0:
        st.info(
            "∇f = 0 here: a critical point (a minimum, a maximum or a saddle). To first order f is "
            "flat, so D_u f = 0 in every direction and there is no steepest way up.",
            icon=":material/info:",
        )
    elif not defined:
        st.warning("f or ∇f is not defined at this point: move it.", icon=":material/info:")

    # --- studies ----------------------------------------------------------------------------------

    def steepest_study() -> None:
        """Where the paths along ±∇f lead, and how this differs from gradient descent."""
        up, down = paths_on_f(text, x0, y0, x_range, y_range)
        step = max(x_range[1] - x_range[0], y_range[1] - y_range[0]) / 80
        explain(
            f"From (x₀, y₀) the paths take steps of fixed length h = {number(step, 3)} "
            "along +∇f (ascent) and −∇f (descent), re-reading the gradient after each step, so "
            "they cross every level curve at a right angle. They stop at a peak or a valley "
            "floor (the gradient turns back), at the edge of the window, or after 60 steps. Press "
            "**▶ Roll up and down** under the map to watch them."
        )
        # A markdown list, not a table widget: this tab is open while the point moves, and every
        # element redrawn competes with the map for the browser's time.
        lines = []
        for name, path in (("**Ascent** (along +∇f)", up), ("**Descent** (along −∇f)", down)):
            if len(path):
                end = path[-1]
                lines.append(
                    f"- {name}: {len(path) - 1} steps, ends at "
                    f"({number(end[0])}, {number(end[1])}) where f = {number(float(end[2]))} "
                    f"(a change of {number(end[2] - plane.z0)})."
                )
        st.markdown("\n".join(lines) or "- f is not defined at the point: no path.")
        explain(
            "**Gradient descent** in deep learning uses the same direction but a step that "
            "scales with the gradient: **w ← w − η ∇L(w)**, with learning rate η. Where the loss "
            "is steep, it jumps far; near a minimum, where ∇L shrinks, it slows down by itself."
        )

    def surface_study() -> None:
        """The surface with ∇f lifted onto it: the steepest way up the tangent plane."""
        explain(
            "The same point on the surface z = f(x, y). The ∇f arrow climbs the tangent plane "
            "in the direction of ∇f, rising |∇f| per unit of ground covered; its shadow on the "
            "floor is ∇f on the map. The green level curve runs at the point's height, flat; "
            "the paths climb and descend the surface."
        )
        live_chart(
            surface_at(text, x_range, y_range, x0, y0),
            key="grad.surface",
            height=560,
            filename="gradient-on-the-surface",
            follows=True,
            summary=surface_summary(text, plane, x_range, y_range),
        )

    def right_angle_study() -> None:
        """Why ∇f is perpendicular to the level curve, with this point's numbers."""
        explain(
            "Walk along the level curve through the point and f does not change, so the rate of "
            "change in that direction t is zero: **D_t f = ∇f·t = 0**. A zero dot product means a "
            "right angle: ∇f is perpendicular to the level curve, at every point where ∇f ≠ 0. "
            "Any other direction u splits into a part along t (no change) and a part along ∇f, "
            "so the part along ∇f is all that counts: D_u f = |∇f| cos α."
        )
        along = gradient_angle(plane)
        if along is None:
            st.info("Here ∇f = 0 (or is undefined): there is no single level-curve direction.")
            return
        t_angle = (along + 90.0) % 360
        st.latex(
            rf"t = (\cos {number(t_angle)}^\circ,\ \sin {number(t_angle)}^\circ),\qquad "
            rf"\nabla f \cdot t = {number(directional_value(plane, t_angle))}"
        )

    STUDIES = {
        "Steepest paths": steepest_study,
        "On the surface (3D)": surface_study,
        "Why a right angle?": right_angle_study,
    }
    lazy_tabs(STUDIES, key="grad.study")


point_view(text)
point_readouts(text)
