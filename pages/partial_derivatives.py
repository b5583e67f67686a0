"""Partial derivatives: slice a surface along x and along y; along a path, the partials add up."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import NamedTuple

import streamlit as st
import sympy

from calc_core.derivatives import PointDerivative
from calc_core.expressions import symbol, to_latex
from calc_core.multivariate import TangentPlane
from calc_core.numerical import difference_quotients
from ui.cache import derivative_of, parsed
from ui.formula_input import formula_input
from ui.fragments import after_charts, rerun_only
from ui.links import BIND
from ui.live_chart import live_chart
from ui.presentation import explain
from ui.presets import SURFACE_PRESETS
from ui.tabs import lazy_tabs
from ui.two_variables import (
    XY,
    ExpressionError,
    check_partials,
    contour_part,
    functions,
    init_view,
    path_sample,
    plane_at,
    point_sliders,
    slice_derivatives,
    surface_part,
    window_sliders,
)
from viz.format import number
from viz.partials import (
    PATH_VARIABLES,
    PathSample,
    path_figure,
    path_summary,
    sample_slices,
    slices_figure,
    slices_summary,
    surface_figure,
    surface_summary,
)

LINE, CIRCLE, TYPED = "a line through the point", "a circle around the point", "typed x(t), y(t)"
T_SPANS = {"0 to 2π": (0.0, 2 * math.pi), "−1 to 1": (-1.0, 1.0), "0 to 1": (0.0, 1.0),
           "−3 to 3": (-3.0, 3.0)}  # fmt: skip
TYPED_DEFAULT = ("cos(t)", "1 + sin(2t)/2")
LINE_ANGLE, RADIUS = 30, 1.0  # the line's direction (degrees) and the circle's radius at first


def _term(slope: float, variable: str, at: float) -> str:
    r"""One term of the tangent plane's equation, signs folded in: ``+ 2\,(x - 1)``."""
    sign = "-" if slope < 0 else "+"
    shift = f"{variable} - {number(at)}" if at >= 0 else f"{variable} + {number(-at)}"
    return rf"{sign} {number(abs(slope))}\,({shift})"


def _exact(value: float) -> sympy.Number:
    """The point's coordinate for a formula shown in LaTeX: 1 rather than 1.0."""
    return sympy.Integer(int(value)) if float(value).is_integer() else sympy.Float(value, 10)


def _no_slope(name: str, variable: str, point: PointDerivative) -> str:
    """Why the slice along `variable` has no slope at the point, in one sentence."""
    at = f"{variable}₀ = {number(point.x0)}"
    if point.status == "corner":
        return (
            f"Along {variable} the slice has a corner at {at}: slope {number(point.left)} from "
            f"the left, {number(point.right)} from the right, so {name} does not exist there."
        )
    return (
        f"Along {variable} the slice has no slope at {at} (it turns vertical, ends, or its "
        f"difference quotients do not settle), so {name} does not exist there."
    )


def _decimal(value: float) -> str:
    """A number for a path formula: plain decimals the formula box reads exactly."""
    return format(float(value), ".10g")


state = st.session_state
PARTIAL_X, PARTIAL_Y = r"\frac{\partial f}{\partial x}", r"\frac{\partial f}{\partial y}"


def init_path_state() -> None:
    """The last typed path that worked. (The path's controls take their defaults as `value=`:
    a bound widget drops a link's value equal to its own default, so that default must be
    the page's, not Streamlit's: the line's angle 0° or the radius 0.1 would otherwise come
    back from a link as 30° and 1.)"""
    state.setdefault("pd.typed_good", TYPED_DEFAULT)


init_path_state()

st.title("Partial derivatives: one variable at a time")
explain(
    "A function of two inputs is a surface z = f(x, y). A **partial derivative** changes one "
    "input and **holds the other constant**: cut the surface with the plane y = y₀ and you get "
    "an ordinary curve f(x, y₀), whose slope at x₀ is **∂f/∂x**; cut it with x = x₀ and the "
    "slope of f(x₀, y) is **∂f/∂y**. Move the point and watch both slices and their tangents."
)

formula = formula_input(
    "pd.f",
    default=SURFACE_PRESETS["x² + 3y² (a bowl)"],
    presets=SURFACE_PRESETS,
    variables=XY,
    name="f(x, y)",
    check=check_partials,  # partials too costly: rejected, the last good formula is kept
)
text = formula.text
init_view("pd", text)


class Here(NamedTuple):
    """The window and the point as the sliders hold them, and the partials there."""

    x_range: tuple[float, float]
    y_range: tuple[float, float]
    x0: float
    y0: float
    slope_x: PointDerivative
    slope_y: PointDerivative
    plane: TangentPlane


def here(text: str) -> Here:
    """Read the window and the point; the symbolic partials, kept only where the slice really
    has a slope at the point (at a kink the symbolic value, sign(0) = 0 for |x|, would be a
    wrong slope)."""
    x_low, x_high = state["pd.x_range"]
    y_low, y_high = state["pd.y_range"]
    x0, y0 = float(state["pd.x0"]), float(state["pd.y0"])
    slope_x, slope_y = slice_derivatives(text, x0, y0)
    plane = replace(plane_at(text, x0, y0), fx=slope_x.slope, fy=slope_y.slope)
    return Here(
        (float(x_low), float(x_high)), (float(y_low), float(y_high)), x0, y0, slope_x, slope_y,
        plane,
    )  # fmt: skip


# The page below the formula is four fragments, so that a move of the point sends the browser
# its charts first and nothing else (ui/fragments.py): the controls (with the slices and the 3D
# view nested in them), the readouts, which follow once the charts have painted, and the studies.
CHARTS, READOUTS, STUDY = "pd.charts", "pd.readouts", "pd.studies"


@st.fragment(key="pd.point")
def point_section(text: str) -> None:
    """The point's and the window's controls, with the charts they move nested below them: a
    control here reruns only this part of the page (or only the charts and the study)."""
    # A fragment rerun skips the page's top: widget keys a full run set are set again here (a
    # widget not drawn in the last full run, say in a closed tab, lost its key at its end).
    init_path_state()
    init_view("pd", text)
    # The point's sliders come first: they are what a learner moves (and what the browser tests
    # and the bench move); the window's sliders follow.
    point_row = st.columns([4, 4, 3], vertical_alignment="bottom")
    point_sliders("pd", point_row, redraws=(CHARTS, PATH_VIEW, LIMITS_VIEW))
    point_row[2].toggle(
        "tangent plane at the point",
        key="pd.plane",
        on_change=rerun_only,
        args=(CHARTS, READOUTS),  # the 3D view and the plane's equation
        bind=BIND,
    )
    window_row = st.columns(2)
    # A new window moves the point's sliders' ends (and may move the point): they are drawn again.
    window_sliders("pd", window_row, redraws=("pd.point", STUDY))
    point_charts(text)


@st.fragment(key=CHARTS)
def point_charts(text: str) -> None:
    """The slices and the 3D view at the point."""
    point = here(text)
    x_range, y_range, plane = point.x_range, point.y_range, point.plane
    x0, y0 = point.x0, point.y0
    show_plane = bool(state["pd.plane"])
    f, _, _ = functions(text)
    slices = sample_slices(f, x0, y0, x_range, y_range)
    scene = surface_part(text, x_range, y_range)

    # The two slices on the left, the 3D view beside them (as GeoGebra puts its 2D view left of its
    # 3D view). Every 2D chart a move redraws is sent before the 3D view (its column is filled
    # last) and the 3D view yields to them (`follows`): the slices and the path study move at 2D
    # speed (the first chart the point's sliders redraw is 2D), the surface catches up.
    view_2d, view_3d = st.columns([9, 11])
    with view_2d:
        live_chart(
            slices_figure(slices, plane, scene["z_range"]),
            key="pd.slices_chart",
            height=600,
            filename="partial-derivative-slices",
            summary=slices_summary(text, plane, x_range, y_range),
        )
    if scene["gaps"]:
        st.caption(
            "f is undefined, or too large to show, at some points of this window: those are gaps."
        )

    with view_3d:
        live_chart(
            surface_figure(scene, plane, slices, show_plane=show_plane),
            key="pd.surface_chart",
            height=600,
            filename="surface-and-slices",
            follows=True,
            summary=surface_summary(text, plane, x_range, y_range, show_plane=show_plane),
        )


@st.fragment(key=READOUTS)
def point_readouts(text: str) -> None:
    """The partials in symbols, f and the partials at the point as numbers, notes: they follow
    once the slices (and the path study's chart) have painted a move."""
    after_charts(("pd.slices_chart", "pd.path_chart"), key="pd.after")
    point = here(text)
    x0, y0, plane = point.x0, point.y0, point.plane
    slope_x, slope_y = point.slope_x, point.slope_y
    show_plane = bool(state["pd.plane"])
    dfdx, dfdy = derivative_of(text, "x", 1, XY), derivative_of(text, "y", 1, XY)
    st.latex(rf"{PARTIAL_X} = {to_latex(dfdx)}")
    st.latex(rf"{PARTIAL_Y} = {to_latex(dfdy)}")
    at = f"({number(x0)}, {number(y0)})"
    readout = st.columns(3)
    readout[0].metric(f"f{at}", number(plane.z0))
    for column, name, value in zip(
        readout[1:], ("∂f/∂x", "∂f/∂y"), (plane.fx, plane.fy), strict=True
    ):
        undefined = math.isnan(value) and math.isfinite(plane.z0)
        shown = "does not exist" if undefined else number(value)
        column.metric(f"{name} at {at}", shown)
    if not math.isfinite(plane.z0):
        st.warning(f"f is not defined at {at}: move the point.", icon=":material/info:")
    elif not (math.isfinite(plane.fx) and math.isfinite(plane.fy)):
        notes = [
            _no_slope(name, variable, point)
            for name, variable, point in (("∂f/∂x", "x", slope_x), ("∂f/∂y", "y", slope_y))
            if point.status != "differentiable"
        ]
        st.warning(" ".join(notes) + " No tangent is drawn for it.", icon=":material/info:")
    elif show_plane:
        st.latex(
            rf"\text{{tangent plane: }} z = {number(plane.z0)} {_term(plane.fx, 'x', x0)}"
            rf" {_term(plane.fy, 'y', y0)}"
        )
        st.caption(
            "Near the point, the surface and its tangent plane are hard to tell apart: f "
            "changes by about ∂f/∂x·Δx + ∂f/∂y·Δy for small steps Δx and Δy."
        )


def path_controls() -> None:
    """The path's controls (`chosen_path` reads their values back), and what is wrong with a
    typed path."""
    kind = st.radio("The path", [LINE, CIRCLE, TYPED], key="pd.path", horizontal=True, bind=BIND)
    if kind == LINE:
        st.slider(
            "direction of the line (degrees from the x axis)",
            0,
            180,
            value=LINE_ANGLE,
            step=5,
            key="pd.angle",
            bind=BIND,
        )
    elif kind == CIRCLE:
        st.slider("radius", 0.1, 3.0, value=RADIUS, step=0.1, key="pd.radius", bind=BIND)
    else:
        boxes = st.columns([3, 3, 2])
        for column, axis, default in zip(boxes[:2], "xy", TYPED_DEFAULT, strict=True):
            column.text_input(f"{axis}(t) =", value=default, key=f"pd.{axis}t", bind=BIND)
        boxes[2].selectbox("t runs from", list(T_SPANS), key="pd.t_span", bind=BIND)
        try:
            for part in (state["pd.xt"], state["pd.yt"]):
                parsed(part, ("t",))  # only t: a and b mean the point in the line and the circle
        except ExpressionError as error:
            st.error(f"The path: {error}", icon=":material/error:")
            st.caption("Still drawing the last path that worked.")


def chosen_path(point: Here) -> tuple[str, str, tuple[float, float], str]:
    """The path the controls hold: x(t), y(t) (a and b stand for x₀ and y₀), the t range, and
    the path in words; for a typed path that does not parse, the last one that did."""
    x_range, y_range = point.x_range, point.y_range
    at = f"({number(point.x0)}, {number(point.y0)})"
    kind = state.get("pd.path", LINE)
    if kind == LINE:
        angle = state.get("pd.angle", LINE_ANGLE)
        reach = _decimal(0.35 * min(x_range[1] - x_range[0], y_range[1] - y_range[0]))
        return (
            f"a + {reach}*cos({angle}*pi/180)*t",
            f"b + {reach}*sin({angle}*pi/180)*t",
            (-1.0, 1.0),
            f"the line through {at} at {angle}° from the x axis",
        )
    if kind == CIRCLE:
        radius = state.get("pd.radius", RADIUS)
        shown = _decimal(radius)
        return (
            f"a + {shown}*cos(t)",
            f"b + {shown}*sin(t)",
            (0.0, 2 * math.pi),
            f"the circle of radius {number(radius)} around {at}",
        )
    typed = (state.get("pd.xt", TYPED_DEFAULT[0]), state.get("pd.yt", TYPED_DEFAULT[1]))
    try:
        for part in typed:
            parsed(part, ("t",))
    except ExpressionError:
        typed = state["pd.typed_good"]
    return (*typed, T_SPANS[state.get("pd.t_span", next(iter(T_SPANS)))], "the typed path")


def _study_path(text: str, point: Here) -> tuple[str, str, PathSample, str] | None:
    """The chosen path sampled with both derivatives, and the path in words; for a typed path
    that fails, the last good one; None (after saying why) when there is nothing to draw."""
    x_of_t, y_of_t, t_range, name = chosen_path(point)
    typed = state.get("pd.path") == TYPED
    at = (point.x0, point.y0)
    try:
        sample = path_sample(text, x_of_t, y_of_t, t_range, at)
    except ExpressionError as error:
        st.error(f"The path: {error}", icon=":material/error:")
        if not typed or (x_of_t, y_of_t) == tuple(state["pd.typed_good"]):
            return None
        x_of_t, y_of_t = state["pd.typed_good"]
        try:
            sample = path_sample(text, x_of_t, y_of_t, t_range, at)
        except ExpressionError:
            return None
    if typed:
        state["pd.typed_good"] = (x_of_t, y_of_t)
        name = f"x(t) = {x_of_t}, y(t) = {y_of_t}"
    return x_of_t, y_of_t, sample, name


# The studies' parts that follow the point are fragments of their own, nested in their tab: a
# move of the point reruns them (with the charts), not the study's controls and text.
PATH_VIEW, LIMITS_VIEW = "pd.path_view", "pd.limits_view"


@st.fragment(key=PATH_VIEW)
def path_view(text: str) -> None:
    """The path on the map, d/dt f(x(t), y(t)) by the chain rule and directly, and how far
    apart the two are."""
    point = here(text)
    studied = _study_path(text, point)
    if studied is None:
        return
    x_of_t, y_of_t, sample, name = studied
    x0, y0, x_range, y_range = point.x0, point.y0, point.x_range, point.y_range
    at_point = {symbol("a"): _exact(x0), symbol("b"): _exact(y0)}
    path_x, path_y = (parsed(p, PATH_VARIABLES).subs(at_point) for p in (x_of_t, y_of_t))
    st.latex(
        rf"x(t) = {to_latex(path_x)}, \quad y(t) = {to_latex(path_y)}, \qquad "
        rf"\frac{{d}}{{dt}} f(x(t), y(t)) = {PARTIAL_X}\,x'(t) + {PARTIAL_Y}\,y'(t)"
    )
    live_chart(
        path_figure(contour_part(text, x_range, y_range), sample, (x0, y0), x_range, y_range),
        key="pd.path_chart",
        height=540,
        filename="total-derivative-along-a-path",
        summary=path_summary(sample, name),
    )
    gap = sample.max_difference
    left, right = st.columns([1, 3], vertical_alignment="center")
    left.metric("max |chain rule − direct|", number(gap, 2))
    if math.isfinite(gap):
        agreement = (
            f"they agree exactly at all {len(sample.t)} values of t"
            if gap == 0
            else f"over {len(sample.t)} values of t they differ by at most {number(gap, 2)}, "
            "rounding error"
        )
        right.markdown(
            "The thick line adds the two dotted terms (the chain rule); the dashed line "
            "differentiates f(x(t), y(t)) as one formula of t. They are the same function: "
            f"{agreement}."
        )
    else:
        right.info("f is undefined all along this path: move the point or change the path.")


@st.fragment(key=LIMITS_VIEW)
def limits_view(text: str) -> None:
    """Forward difference quotients along x and along y shrinking toward the two partials."""
    point = here(text)
    x0, y0, plane = point.x0, point.y0, point.plane
    if not (math.isfinite(plane.fx) and math.isfinite(plane.fy)):
        st.info("At this point a partial derivative does not exist: move the point.")
        return
    f, _, _ = functions(text)
    along_x = difference_quotients(lambda x: f(x, y0), x0, plane.fx)
    along_y = difference_quotients(lambda y: f(x0, y), y0, plane.fy)
    rows = [
        {
            "h": f"{a.h:.0e}",
            "(f(x₀+h, y₀) − f(x₀, y₀)) / h": f"{a.quotient:.12g}",
            "error in ∂f/∂x": f"{a.error:.2e}",
            "(f(x₀, y₀+h) − f(x₀, y₀)) / h": f"{b.quotient:.12g}",
            "error in ∂f/∂y": f"{b.error:.2e}",
        }
        for a, b in zip(along_x, along_y, strict=True)
    ]
    st.dataframe(rows, hide_index=True, width="stretch")
    st.caption(
        f"Exact values from the symbolic partials: ∂f/∂x = {plane.fx:.15g}, "
        f"∂f/∂y = {plane.fy:.15g}."
    )


@st.fragment(key=STUDY)
def point_study(text: str) -> None:
    """The studies of the point: the path's total derivative and the partials as limits."""

    def partial_versus_total() -> None:
        """A path through the window, and d/dt f(x(t), y(t)) by the chain rule and directly."""
        explain(
            "A **partial** derivative moves one input and holds the others still: ∂f/∂x is the "
            "slope of the slice y = y₀. The **total** derivative follows a path (x(t), y(t)) along "
            "which *both* inputs move, and adds what each movement contributes: "
            "**df/dt = ∂f/∂x·x′(t) + ∂f/∂y·y′(t)**. In a network, a weight's entry of the gradient "
            "is a partial derivative; the change of the loss during a training step, when all "
            "weights move together, is a total derivative."
        )
        path_controls()
        path_view(text)

    def partials_as_limits() -> None:
        """The limit that defines each partial, and the quotients that approach it."""
        explain(
            "Each partial is an ordinary derivative of a slice, so it has the usual limit: "
            r"$\frac{\partial f}{\partial x}(x_0, y_0) = \lim_{h \to 0} "
            r"\frac{f(x_0 + h, y_0) - f(x_0, y_0)}{h}$, and the same with y₀ + h for ∂f/∂y. "
            "Only one input is nudged; the other stays where it is."
        )
        limits_view(text)

    # Only the open study is computed and drawn, so a move of the point redraws at most one more
    # chart.
    STUDIES = {
        "Partial versus total derivative": partial_versus_total,
        "Partials as limits": partials_as_limits,
    }
    lazy_tabs(STUDIES, key="pd.study")


point_section(text)
# The readouts stand above the studies but run after them: in a full run they then know the
# revision the path study's chart was sent, and do not ask to run again once it has painted.
readouts_slot = st.container()
point_study(text)
with readouts_slot:
    point_readouts(text)
