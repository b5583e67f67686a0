"""Derivatives: the slope at every point, the limit that defines it, and how to compute it."""

from __future__ import annotations

import math
from functools import partial

import streamlit as st

from calc_core.expressions import to_latex
from ui.cache import derivation_of, derivative_of
from ui.derivation import show_derivation
from ui.formula_input import formula_input
from ui.links import BIND
from ui.live_chart import live_chart
from ui.presentation import explain
from ui.presets import DERIVATIVE_PRESETS
from ui.single_variable import (
    SECANT_H,
    error_chart,
    follow_chart_slider,
    grid_index,
    has_gaps,
    lesson_code,
    method_table,
    point_derivative,
    quotient_table,
    secant_chart,
    tangent_chart,
    window_and_point,
)
from ui.tabs import lazy_tabs
from viz.derivatives import error_summary, secant_summary, tangent_summary
from viz.format import number

DEFAULT_RANGE = (-3.0, 3.0)
DEFAULT_X0 = 2.0
GAPS_NOTE = "f or f′ is undefined, or infinite, at some points of this window: those are gaps."

st.title("Derivatives: the slope at every point")
explain(
    "A derivative measures **how a function changes as its input changes**: f′(x₀) is the "
    "slope of the tangent to f at x₀. Drag x₀ below the chart (it moves in your browser, "
    "instantly) or with the slider; the red curve f′ is that slope, drawn for every x."
)

formula = formula_input(
    "deriv.f",
    default=DERIVATIVE_PRESETS["x² + 3x + 5 (the lesson)"],
    presets=DERIVATIVE_PRESETS,
    check=lambda text: derivative_of(text, "x", 1),  # too costly: rejected, last good kept
)
text = formula.text


def tangent_view(text: str) -> None:
    """The controls, the tangent chart and its readouts."""
    controls = st.columns([4, 4, 2], vertical_alignment="bottom")
    x0, x_range = window_and_point(
        controls[0],
        controls[1],
        x0_key="deriv.x0",
        range_key="deriv.range",
        x0_label="x₀, the point of the tangent",
        default_x0=DEFAULT_X0,
        default_range=DEFAULT_RANGE,
        limit=10.0,
    )
    show_second = controls[2].toggle("show f″", key="deriv.second", bind=BIND)

    df_expr = derivative_of(text, "x", 1)  # computed when the formula box accepted it
    try:
        d2f_expr = derivative_of(text, "x", 2) if show_second else None
    except ValueError as error:  # f″ too costly: say so and draw without it
        st.error(str(error), icon=":material/error:")
        d2f_expr, show_second = None, False
    chart = tangent_chart(text, x_range, show_second)
    point = point_derivative(text, x0)

    live_chart(
        chart,
        frame=grid_index(x0, x_range),
        key="deriv.tangent_chart",
        height=560,
        filename="derivative-and-tangent",
        on_change=partial(follow_chart_slider, "deriv.x0", "deriv.tangent_chart"),
        summary=tangent_summary(text, point, x_range, second=show_second),
    )
    if has_gaps(text, x_range):
        st.caption(GAPS_NOTE)

    latex = [rf"f'(x) = {to_latex(df_expr)}"]
    if d2f_expr is not None:
        latex.append(rf"f''(x) = {to_latex(d2f_expr)}")
    st.latex(r"\qquad ".join(latex))

    readout = st.columns(3)
    readout[0].metric("x₀", number(x0))
    readout[1].metric("f(x₀)", number(point.value))
    if point.status == "differentiable":
        readout[2].metric("slope f′(x₀)", number(point.slope))
        value, slope, at = number(point.value), number(point.slope), number(x0)
        st.markdown(
            f"Tangent line: **y = {value} + {slope}·(x − {at})**. Near x₀ = {at}, f changes "
            f"about {slope} times as fast as x."
        )
    else:
        readout[2].metric("slope f′(x₀)", "does not exist")
        st.warning(point.note, icon=":material/info:")


tangent_view(text)

x0 = float(st.session_state["deriv.x0"])
point = point_derivative(text, x0)
differentiable = point.status == "differentiable" and math.isfinite(point.slope)


def limit_definition() -> None:
    """The secant through x₀ and x₀ + h turning into the tangent, and the quotients' table."""
    explain(
        "The tangent's slope is the limit of secant slopes: "
        r"$f'(x_0) = \lim_{h \to 0} \frac{f(x_0 + h) - f(x_0)}{h}$. Press **Shrink h** or drag h: "
        "the secant through x₀ and x₀ + h turns into the tangent."
    )
    if differentiable:
        left, right = st.columns([3, 2])
        with left:
            live_chart(
                secant_chart(text, x0, point.slope),
                key="deriv.secant_chart",
                height=520,
                filename="secant-to-tangent",
                summary=secant_summary(text, SECANT_H, x0, point.value, point.slope),
            )
        with right:
            st.dataframe(quotient_table(text, x0, point.slope), hide_index=True, width="stretch")
            st.caption(
                "Each time h shrinks tenfold, the error of this forward quotient shrinks about "
                "tenfold too (it is proportional to h), until rounding takes over near h = 1e-8."
            )
    else:
        st.info("At this x₀ there is no single slope to approach: move x₀ to see the limit.")


def numerical_versus_symbolic() -> None:
    """Four finite-difference estimates against the exact slope, and their error against h."""
    if differentiable:
        st.markdown(
            f"The exact value from the symbolic derivative is f′({number(x0)}) = "
            f"**{point.slope:.15g}**. Four ways to estimate it from values of f alone:"
        )
        left, right = st.columns([2, 3])
        with left:
            st.dataframe(method_table(text, x0, point.slope), hide_index=True, width="stretch")
            explain(
                "- **Forward** (f(x+h) − f(x))/h and **backward** (f(x) − f(x−h))/h: error ∝ h "
                "from the curvature they ignore.\n"
                "- **Central** (f(x+h) − f(x−h))/2h: the curvature terms cancel, error ∝ h², "
                "the lesson's `numerical_gradient`.\n"
                "- **Round-off**: for tiny h, f(x+h) − f(x) subtracts nearly equal numbers and "
                "loses digits, an error ∝ ε/h; the best h balances the two, near √ε for forward "
                "and ∛ε for central.\n"
                "- **Complex step** Im f(x + ih)/h subtracts nothing, so it stays exact to "
                "machine precision for any tiny h (analytic f only)."
            )
        with right:
            study, figure = error_chart(text, x0, point.slope)
            live_chart(
                figure,
                key="deriv.error_chart",
                height=500,
                filename="error-versus-h",
                summary=error_summary(study),
            )
            best = ", ".join(
                f"{name} {number(h, 2)}" for name, h in study.best_h.items() if math.isfinite(h)
            )
            st.caption(f"Measured best h: {best}. Dotted lines: theory's √ε and ∛ε.")
            if study.best_h.get("central", 0.0) >= 1e-2:
                st.caption(
                    "Here the central difference has no truncation error at all (it involves f‴, "
                    "which is zero for a polynomial of degree 2 or less): only round-off is left, "
                    "so the larger h, the better."
                )
    else:
        st.info("There is no exact f′(x₀) here to compare estimates with.")


def step_by_step_rules() -> None:
    """The derivation of f′, one named rule per step."""
    try:
        derivation = derivation_of(text)
    except ValueError as error:
        st.error(str(error), icon=":material/error:")
    else:
        show_derivation(derivation)


def show_the_code() -> None:
    """The lesson's coding exercise, regenerated for the current f and x₀, with its output."""
    explain("The sympy and numpy code that reproduces this page, ready to copy:")
    code, output = lesson_code(text, x0)
    st.code(code, language="python")
    st.caption("What it prints:")
    st.code(output, language="text")


# Deeper studies in tabs: only the open one is computed and drawn, so moving x₀ redraws the
# tangent and at most one more chart.
STUDIES = {
    "The limit definition": limit_definition,
    "Numerical versus symbolic": numerical_versus_symbolic,
    "Step by step": step_by_step_rules,
    "Show the code": show_the_code,
}
lazy_tabs(STUDIES, key="deriv.study")
