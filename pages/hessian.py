"""The Hessian: how f curves at a point, its critical points, and Newton's method."""

from __future__ import annotations

import numpy as np
import streamlit as st

from calc_core.multivariate import NEWTON_FIXES, curvature_along
from ui.curvature import (
    ANGLE,
    PREFIX,
    WINDOW_STEP,
    check_second_derivatives,
    critical_of,
    curvature_at,
    fit_radius,
    hessian_latex,
    init_hessian_view,
    largest_gaps,
    map_part,
    race,
    radius_bounds,
    surface_part,
    taylor_at,
    view_defaults,
    warm_symbolic_worker,
    window_changed,
)
from ui.formula_input import formula_input
from ui.links import BIND
from ui.live_chart import live_chart
from ui.maps import hold_view
from ui.presentation import explain
from ui.presets import HESSIAN_PRESETS
from ui.tabs import lazy_tabs
from ui.two_variables import XY, has_gaps, point_step
from viz.format import number
from viz.hessian import (
    SUBSCRIPTS,
    critical_counts,
    curvature_figure,
    curvature_summary,
    map_figure,
    map_summary,
    newton_figure,
    newton_summary,
    taylor_figure,
    taylor_summary,
    tidy,
)

ILL_BOWL = "x² + 25y² (an ill-conditioned bowl)"
CLIMBER = "x⁴ − 2x² + y⁴ − 2y² (plain Newton climbs to the hilltop)"
FIX_LABELS = {
    "none": "none: plain Newton, −H⁻¹∇f",
    "shift": "shift: H + τI, τ just large enough to make it positive definite",
    "clip": "clip: curvatures below a small floor raised to it",
    "abs": "saddle-free: |λ| in place of each eigenvalue λ",
}
SHAPES = {
    "positive definite": "H is **positive definite** here: f curves up in every direction, "
    "like the bottom of a bowl. Where also ∇f = 0, that makes a minimum.",
    "negative definite": "H is **negative definite** here: f curves down in every direction, "
    "like a hilltop. Where also ∇f = 0, that makes a maximum.",
    "indefinite": "H is **indefinite** here: f curves up along one eigenvector and down along "
    "the other, like a saddle or a mountain pass. Where also ∇f = 0, that makes a saddle point.",
    "semidefinite": "H is **singular** here (an eigenvalue is 0): along that direction f is flat "
    "to second order, so the second-derivative test cannot tell what a critical point there is.",
}
METHODS = {
    "symbolic": "solving ∇f = 0 exactly with SymPy",
    "symbolic+numeric": "solving ∇f = 0 exactly with SymPy, plus Newton's method on ∇f = 0 "
    "from a grid of starts, which found more",
    "numeric": "Newton's method on ∇f = 0 from a grid of starts (numerically)",
}


def matrix_latex(rows) -> str:
    """A 2 x 2 matrix of LaTeX strings as a pmatrix."""
    body = r" \\ ".join(" & ".join(row) for row in rows)
    return rf"\begin{{pmatrix}} {body} \end{{pmatrix}}"


def latex_number(value: float) -> str:
    text = number(value).replace("−", "-").replace("∞", r"\infty")
    return text.replace("undefined", r"\text{undefined}")


def use_preset(name: str) -> None:
    """Switch the formula to a preset (a button's callback)."""
    st.session_state["hess.f.text"] = HESSIAN_PRESETS[name]
    st.session_state["hess.f.preset"] = name


def turn_u(degrees: float) -> None:
    """Turn u to an eigenvector's direction (a button's callback)."""
    st.session_state["hess.angle"] = round(degrees % 180.0, 6)


# --- the page -------------------------------------------------------------------------------------

st.title("The Hessian: curvature, critical points and Newton's method")
explain(
    "The gradient says which way f slopes; the **Hessian** H, the 2 × 2 matrix of second "
    "partial derivatives, says how that slope *changes*: how f **curves**. Its eigenvectors "
    "are the directions of strongest and weakest curvature and its eigenvalues how strong. "
    "That decides whether a flat point (∇f = 0) is a minimum, a maximum or a saddle, why "
    "gradient descent zig-zags down narrow valleys, and how Newton's method jumps to the "
    "bottom of a bowl in one step. Move the point (x₀, y₀) and watch the axes of curvature."
)

warm_symbolic_worker()
formula = formula_input(
    "hess.f",
    default=HESSIAN_PRESETS["x² + 3y² (a bowl)"],
    presets=HESSIAN_PRESETS,
    variables=XY,
    name="f(x, y)",
    check=check_second_derivatives,
)
text = formula.text
init_hessian_view(text)


@st.fragment
def point_section(text: str) -> None:
    """Everything the point, the window and the studies show: their controls rerun only this part
    of the page (the title, the text and the formula box stay as they are)."""
    # A fragment rerun skips the page's top: widget keys a full run set are set again here (a
    # widget not drawn in the last full run, say in a closed tab, lost its key at its end).
    init_hessian_view(text)
    state = st.session_state
    x_range = tuple(float(v) for v in state["hess.x_range"])
    y_range = tuple(float(v) for v in state["hess.y_range"])
    defaults = view_defaults(text, x_range, y_range)
    view_keys = [f"{PREFIX}.{name}" for name in ("x0", "y0", "x_range", "y_range")]
    before = {key: state[key] for key in view_keys}
    controls = st.columns(4)
    for column, axis, window in ((controls[0], "x", x_range), (controls[1], "y", y_range)):
        column.slider(
            f"{axis}₀",
            min_value=window[0],
            max_value=window[1],
            value=defaults[f"hess.{axis}0"],
            step=point_step(window),
            key=f"hess.{axis}0",
            bind=BIND,
        )
    for column, axis in ((controls[2], "x"), (controls[3], "y")):
        column.slider(
            f"{axis} range",
            min_value=-10.0,
            max_value=10.0,
            value=defaults[f"hess.{axis}_range"],
            step=WINDOW_STEP,
            key=f"hess.{axis}_range",
            on_change=window_changed,
            bind=BIND,
        )
    hold_view(PREFIX, before)
    x0, y0 = float(state["hess.x0"]), float(state["hess.y0"])
    here = curvature_at(text, x0, y0)
    eigen = here.eigen
    angle = float(state.get("hess.angle", ANGLE))  # its slider comes after the map
    u_curvature = float(curvature_along(here.hessian, np.radians(angle))) if eigen else np.nan
    found = critical_of(text, x_range, y_range)

    if eigen is not None:
        values = ", ".join(
            f"λ{SUBSCRIPTS[i]} = {number(float(v))}" for i, v in enumerate(eigen.eigenvalues)
        )
        title = f"H at ({number(x0)}, {number(y0)}): {values}"
    else:
        title = f"H is undefined at ({number(x0)}, {number(y0)})"

    map_column, side_column = st.columns([3, 2], gap="medium")
    with map_column:
        live_chart(
            map_figure(map_part(text, x_range, y_range), x0, y0, eigen, angle, u_curvature, title),
            key="hess.map",
            height=600,
            filename="hessian-map",
            summary=map_summary(x0, y0, eigen, angle, u_curvature, found),
        )
    with side_column:
        H = here.hessian
        st.latex(
            r"H(x_0, y_0) = "
            + matrix_latex([[latex_number(H[0, 0]), latex_number(H[0, 1])],
                            [latex_number(H[1, 0]), latex_number(H[1, 1])]])
        )  # fmt: skip
        readout = st.columns(3)
        if eigen is not None:
            readout[0].metric("λ₁ (smallest)", number(float(eigen.eigenvalues[0])))
            readout[1].metric("λ₂ (largest)", number(float(eigen.eigenvalues[1])))
            readout[2].metric(
                "κ",
                number(eigen.condition_number),
                help="The condition number |λ|max / |λ|min: how much more f curves one way than "
                "the other.",
            )
            vectors = ",  ".join(
                f"v{SUBSCRIPTS[i]} = ({number(float(v[0]), 3)}, {number(float(v[1]), 3)})"
                for i, v in enumerate(eigen.eigenvectors.T)
            )
            st.markdown(f"Eigenvectors: {vectors}.  \n{SHAPES[eigen.definiteness]}")
        else:
            st.warning("f's second derivatives are undefined at this point: move it.")
        st.slider(
            "direction of u (degrees from the x axis)",
            min_value=0.0,
            max_value=180.0,
            step=5.0,
            value=ANGLE,
            format="%.0f°",
            key="hess.angle",
            bind=BIND,
        )
        buttons = st.columns(2)
        for i, column in enumerate(buttons):
            direction = (
                float(np.degrees(np.arctan2(eigen.eigenvectors[1, i], eigen.eigenvectors[0, i])))
                if eigen is not None
                else 0.0
            )
            column.button(
                f"u along v{SUBSCRIPTS[i]}",
                key=f"hess.along_v{i + 1}",
                on_click=turn_u,
                args=(direction,),
                disabled=eigen is None,
                width="stretch",
            )
        st.metric("curvature along u: uᵀHu", number(u_curvature))
        if eigen is not None:
            live_chart(
                curvature_figure(H, eigen, angle),
                key="hess.curvature",
                height=290,
                filename="curvature-along-u",
                summary=curvature_summary(eigen, angle, u_curvature),
            )

    listed = critical_counts(found)
    st.caption(
        "On the map: shading darker where f is lower; the **axes at the point** are H's "
        "eigenvectors, each as long as its |λ| allows (the longer, the stronger the curvature): "
        "blue and solid where f curves up (λ > 0), vermillion and dashed where it curves down "
        "(λ < 0), sky and dotted where it is flat; the black arrow is u. Critical points: blue "
        "circles are minima, vermillion triangles maxima, orange crosses saddles, sky squares "
        "degenerate. "
        + (
            f"In this window: {listed} ({found.method})."
            if listed
            else "No critical points in this window."
        )
    )
    if has_gaps(text, x_range, y_range):
        st.caption(
            "f is undefined, or infinite, on part of this window: those places are left blank."
        )
    symbolic = hessian_latex(text)
    names = r"H = \begin{pmatrix} f_{xx} & f_{xy} \\ f_{yx} & f_{yy} \end{pmatrix}"
    if symbolic.matrix is not None:
        st.latex(f"{names} = {symbolic.matrix}")
    else:  # too wide for one line: the entries one by one, as text that wraps
        st.latex(names)
        with st.expander("H's entries, f_xx, f_xy = f_yx and f_yy (long formulas)"):
            for label, entry in zip(("f_xx", "f_xy", "f_yy"), symbolic.entries, strict=True):
                st.code(f"{label} = {entry}", language=None, wrap_lines=True)
    readouts = st.columns(3)
    readouts[0].metric("f(x₀, y₀)", number(here.value))
    readouts[1].metric(
        "∇f(x₀, y₀)", f"({number(float(here.gradient[0]))}, {number(float(here.gradient[1]))})"
    )
    readouts[2].metric(
        "shape at the point", eigen.definiteness if eigen is not None else "undefined"
    )

    # --- studies ----------------------------------------------------------------------------------

    def taylor_study() -> None:
        """The surface with its tangent plane and quadratic model at the point."""
        explain(
            "Near the point, f is almost its **Taylor model**. To first order it is the tangent "
            "plane f(p) + ∇f·(x − p); adding the Hessian's term ½ (x − p)ᵀ H (x − p) gives a "
            "quadratic surface that also bends as f does. Shrink the reach r: the plane's gap to "
            "f shrinks like r², the quadratic's like r³, so the quadratic hugs f far more closely."
        )
        fit_radius(x_range, y_range)
        low, high, step = radius_bounds(x_range, y_range)
        before = {"hess.radius": state["hess.radius"]}  # its slider's ends follow the window
        chart, side = st.columns([3, 2], gap="medium")
        with side:
            st.slider(
                "how far the models reach, r", min_value=low, max_value=high,
                value=defaults["hess.radius"], step=step, key="hess.radius", bind=BIND,
            )  # fmt: skip
            hold_view(PREFIX, before)
            boxes = st.columns(2)
            first = boxes[0].checkbox("tangent plane", value=True, key="hess.first", bind=BIND)
            second = boxes[1].checkbox("quadratic model", value=True, key="hess.second", bind=BIND)
        radius = float(state["hess.radius"])
        patch = taylor_at(text, x0, y0, radius)
        gaps = largest_gaps(patch) if patch is not None else None
        with chart:
            live_chart(
                taylor_figure(
                    surface_part(text, x_range, y_range),
                    patch,
                    (x0, y0, here.value),
                    first=first,
                    second=second,
                ),
                key="hess.taylor",
                height=520,
                filename="taylor-models",
                follows=True,
                summary=taylor_summary(
                    (x0, y0, here.value), radius, gaps, first=first, second=second
                ),
            )
        with side:
            if gaps is None:
                st.warning("f or its derivatives are undefined at this point: there is no model.")
                return
            plane_gap, quadratic_gap = gaps
            st.metric(f"largest |f − plane| within r = {number(radius)}", number(plane_gap))
            st.metric(f"largest |f − quadratic| within r = {number(radius)}", number(quadratic_gap))
            st.caption(
                "Orange: the tangent plane (first order). Green: the quadratic model (second "
                "order), drawn on the square x₀ ± r, y₀ ± r; where a model leaves the box it is "
                "cut off. Drag to turn the surface; click a legend entry to hide a model."
            )

    def critical_study() -> None:
        """The critical points in the window, how they were found, and the second-derivative
        test."""
        explain(
            "At a **critical point** ∇f = 0: the tangent plane is flat, so the first-order model "
            "says nothing and the Hessian decides. **Both eigenvalues positive**: f curves up "
            "every way, a minimum. **Both negative**: a maximum. **One of each sign**: a saddle, "
            "up one way and down the other. **An eigenvalue 0**: degenerate, the test cannot tell "
            "(x⁴ + y⁴ has a minimum at 0, x⁴ − y⁴ a saddle, and both have H = 0 there)."
        )
        st.caption(f"Found by {METHODS.get(found.method, found.method)}.")
        if found.note:
            st.info(found.note, icon=":material/info:")
        if not found.points:
            st.write("No critical points in this window.")
            return
        rows = []
        scale = max(abs(p.value) for p in found.points)
        for p in found.points:
            exact = (
                "(" + ", ".join(str(e).replace("**", "^") for e in p.exact) + ")" if p.exact else ""
            )
            rows.append(
                {
                    "kind": p.kind,
                    "point (x, y)": (
                        f"({number(tidy(p.point[0], 1))}, {number(tidy(p.point[1], 1))})"
                    ),
                    "exact": exact,
                    "f there": number(tidy(p.value, scale)),
                    "λ₁": number(float(p.eigenvalues[0])),
                    "λ₂": number(float(p.eigenvalues[1])),
                }
            )
        st.dataframe(rows, hide_index=True, width="stretch", key="hess.critical_table")
        if any(p.kind == "saddle" for p in found.points):
            explain(
                "**Saddles slow gradient descent down.** Near a saddle ∇f is small, so the steps "
                "−lr·∇f are small too: gradient descent crawls in along the direction that curves "
                "up, and only slowly picks up the direction that curves down. On the saddle "
                "preset, from a point just off the x axis, see it in *Newton vs gradient descent*."
            )

    def newton_study() -> None:
        """Newton's step and gradient descent's from the point, and their paths."""
        explain(
            "**Gradient descent** steps along −lr·∇f: the same learning rate for every direction. "
            "**Newton's method** steps to where the quadratic model is flat, −H⁻¹∇f: it divides "
            "each eigen-direction's slope by its own curvature, long steps where f is flat, short "
            "where it is steep. On a bowl that lands at the bottom in one step."
        )
        options = st.columns(4)
        options[0].slider(
            "learning rate lr", min_value=0.001, max_value=0.5, value=defaults["hess.lr"],
            step=0.001, format="%.3f", key="hess.lr", bind=BIND,
        )  # fmt: skip
        options[1].slider(
            "steps", min_value=1, max_value=100, value=30, key="hess.steps", bind=BIND
        )
        options[2].selectbox(
            "Newton's fix", NEWTON_FIXES, format_func=FIX_LABELS.get, key="hess.fix", bind=BIND
        )
        options[3].slider(
            "damping (added to H's diagonal)", min_value=0.0, max_value=10.0, value=0.0, step=0.1,
            key="hess.damping", bind=BIND,
        )  # fmt: skip
        lr = float(state["hess.lr"])
        fix = str(state["hess.fix"])
        damping = float(state["hess.damping"])
        result = race(text, x0, y0, lr, int(state["hess.steps"]), fix, damping, x_range, y_range)
        step = result.step
        if step is not None:
            heading = f"Newton heads for the model's {step.heads_for}"
        else:
            heading = "Newton's step is undefined here"
        chart, side = st.columns([3, 2], gap="medium")
        with chart:
            live_chart(
                newton_figure(
                    map_part(text, x_range, y_range), x0, y0, step, result.newton, result.descent,
                    heading,
                ),
                key="hess.newton",
                height=540,
                filename="newton-vs-gradient-descent",
                summary=newton_summary(x0, y0, step, result.newton, result.descent, lr),
            )  # fmt: skip
        with side:
            newton_readout(step, result, fix, damping)
        if step is not None:
            explain(zigzag_text(step.condition_number, result.stable_lr))
        demo = st.columns(2)
        zigzag = demo[0].button(
            "See the zig-zag on x² + 25y² (κ = 25)", key="hess.show_zigzag", on_click=use_preset,
            args=(ILL_BOWL,), width="stretch",
        )  # fmt: skip
        climb = demo[1].button(
            "See plain Newton climb to a hilltop", key="hess.show_climb", on_click=use_preset,
            args=(CLIMBER,), width="stretch",
        )  # fmt: skip
        if zigzag or climb:
            st.rerun()  # the preset rewrote the formula box, outside this fragment: the whole page

    def newton_readout(step, result, fix: str, damping: float) -> None:
        """Where Newton heads, whether it goes downhill, κ and 2/λmax, and what the fix did."""
        if step is None:
            st.warning("∇f or H is undefined at this point: move it.")
            return
        metrics = st.columns([3, 2])
        metrics[0].metric(
            "Newton heads for",
            step.heads_for,
            help="What the quadratic model it steps on has at the step's end.",
        )
        metrics[1].metric("downhill?", "yes" if step.descent else "no", help="Does ∇f·step < 0?")
        metrics = st.columns([3, 2])
        metrics[0].metric("condition number κ", number(step.condition_number))
        stable = number(result.stable_lr) if np.isfinite(result.stable_lr) else "none"
        metrics[1].metric(
            "lr below",
            stable,
            help="2/λmax: a larger learning rate makes gradient descent overshoot along the "
            "steepest direction; none if no eigenvalue is positive.",
        )
        if step.heads_for != "minimum" and fix == "none" and damping == 0:
            st.warning(
                f"Here H is not positive definite, so its quadratic model has a {step.heads_for}, "
                "not a minimum, and plain Newton jumps straight to it: it is attracted to *any* "
                "point where ∇f = 0, downhill or not. Pick a fix, or add damping larger than −λ₁, "
                "so that it only heads for minima.",
                icon=":material/warning:",
            )
        elif fix != "none" or damping > 0:
            used = ", ".join(number(float(v)) for v in step.used_eigenvalues)
            own = ", ".join(number(float(v)) for v in step.eigenvalues)
            verdict = (
                "all positive, so it heads for a minimum and goes downhill."
                if step.heads_for == "minimum"
                else "still not all positive: raise the damping."
            )
            st.info(
                f"With the fix Newton uses curvatures {used} in place of H's own ({own}): "
                f"{verdict}",
                icon=":material/info:",
            )
        if result.diverged:
            st.caption(
                f"Gradient descent stopped: {result.diverged} (the learning rate is too big)."
            )
        st.caption(
            "Purple: gradient descent's first step −lr·∇f and its path. Green, dashed: Newton's "
            "step −H⁻¹∇f (to the flat point of its quadratic model, named at its tip) and its "
            "path, which stops at a critical point or the window's edge."
        )

    def zigzag_text(kappa: float, stable_lr: float) -> str:
        """Why a large condition number makes gradient descent zig-zag, with this point's
        numbers."""
        if not np.isfinite(stable_lr):
            return (
                "**Why a large κ makes gradient descent zig-zag** shows near a minimum, where "
                "every eigenvalue is positive. Here none is: f curves down every way, so gradient "
                "descent slides away from this point whatever the learning rate."
            )
        return (
            f"**Why a large κ makes gradient descent zig-zag.** Here κ = |λ|max / |λ|min = "
            f"{number(kappa)}. Any learning rate above 2/λmax = {number(stable_lr)} overshoots "
            "along the steepest direction, so lr must stay below it; along the flattest direction "
            "gradient descent then covers only a share lr·λmin < 2/κ of the way per step. With a "
            "large κ it needs about κ steps, and steps near the limit bounce from wall to wall of "
            "the narrow valley: the zig-zag. Newton's method rescales each direction by its "
            "curvature, so κ does not slow it down."
        )

    # The first tab draws no chart that the point redraws: a move of (x₀, y₀) then repaints only
    # the two 2D charts above; the 3D view (a repaint of ~220 ms in software WebGL) waits for a
    # click.
    STUDIES = {
        "Critical points": critical_study,
        "Newton vs gradient descent": newton_study,
        "Taylor models (3D)": taylor_study,
    }
    lazy_tabs(STUDIES, key="hess.study")


point_section(text)
