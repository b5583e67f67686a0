"""Cached views of one formula f(x) for the single-variable pages.

Everything here is keyed on the formula's text and plain numbers, so a slider move re-uses
what was computed for the same formula: charts with frames are built once per formula and
window, then only positioned (`viz.frames.at_frame`) on each rerun.
"""

from __future__ import annotations

import json
import math

import numpy as np
import streamlit as st
from numpy.typing import NDArray
from streamlit.delta_generator import DeltaGenerator

from calc_core.derivatives import PointDerivative, derivative_at, tangent_sweep
from calc_core.expressions import compile_complex, is_analytic
from calc_core.lesson_code import derivative_code, derivative_code_output
from calc_core.numerical import (
    METHODS,
    ErrorStudy,
    default_step,
    difference_quotients,
    error_versus_step,
    numerical_derivative,
    secant_sweep,
)
from ui.cache import HOUR, compiled, compiled_derivative, parsed
from ui.links import BIND
from ui.sliders import on_step, steps_inside
from viz.derivatives import error_figure, sample_curve, secant_figure, tangent_figure

__all__ = [
    "SECANT_H",
    "central_difference_check",
    "error_chart",
    "follow_chart_slider",
    "grid_index",
    "has_gaps",
    "lesson_code",
    "method_table",
    "open_window",
    "point_derivative",
    "quotient_table",
    "secant_chart",
    "tangent_chart",
    "window_and_point",
    "x0_grid",
    "x0_step",
]

NICE_STEPS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5)
# Sizes that keep a move of x0 (which redraws three charts) within the 2D budget.
SECANT_STEPS = 25  # h from 1 to 1e-8, three per decade
SECANT_H = (1.0, 1e-8)  # the secant animation's largest and smallest h
ERROR_STEPS = 65  # h from 1e-16 to 1, four per decade
MAX_POINTS = 81  # frames of the x0 sweep: a slider of more steps costs the browser to draw


def x0_step(x_range: tuple[float, float]) -> float:
    """The smallest round step that covers the window in at most MAX_POINTS points."""
    width = x_range[1] - x_range[0]
    return next((s for s in NICE_STEPS if width / s <= MAX_POINTS - 1), NICE_STEPS[-1])


def x0_grid(x_range: tuple[float, float]) -> NDArray[np.float64]:
    """The points x0 the tangent can be placed at (the slider's steps), rounded to the step."""
    step = x0_step(x_range)
    count = steps_inside(*x_range, step) + 1
    return np.round(x_range[0] + step * np.arange(count), 10)


MIN_WIDTH = 0.5  # a window narrower than this (both ends of the range slider together) reopens


def open_window(ends: tuple[float, float]) -> tuple[float, float]:
    """The window a range slider's two ends make, reopened to MIN_WIDTH when they (nearly) meet
    or are reversed: towards 0, which stays inside a range slider whose ends are ±(a multiple
    of MIN_WIDTH). x₀'s slider needs a range to slide over.

    Example:
        >>> open_window((3.0, 3.0)), open_window((-10.0, -10.0)), open_window((-1.0, 2.0))
        ((2.5, 3.0), (-10.0, -9.5), (-1.0, 2.0))
    """
    low, high = (float(v) for v in ends)
    if high - low < MIN_WIDTH:
        low, high = (low - MIN_WIDTH, low) if low > 0 else (low, low + MIN_WIDTH)
    return low, high


def window_and_point(
    point_column: DeltaGenerator,
    window_column: DeltaGenerator,
    *,
    x0_key: str,
    range_key: str,
    x0_label: str,
    default_x0: float,
    default_range: tuple[float, float],
    limit: float,
) -> tuple[float, tuple[float, float]]:
    """The window's range slider, then x₀'s slider inside it; both bound to the URL.

    x₀'s ends are the window's, so the window is drawn first (in its own column, to the right
    of x₀'s): a link's window is then known before x₀'s slider is, whatever their order on the
    page. Each widget's default is the page's first view (x₀'s is the default x₀ put on the
    window's steps), so a view that equals a default is reproduced from a link without it.

    Before each slider is drawn, the window is kept open (`open_window`) and x₀ inside it on
    one of its steps. A link may hold what the sliders never produce (ends that meet, an x₀
    between two steps); Streamlit seeds such values before the page can correct them, so the
    page then reruns once to put them right.

    Args:
        point_column, window_column: where x₀'s slider and the window's go.
        x0_key, range_key: their keys (page-prefixed: the URL's parameter names).
        x0_label: x₀'s label.
        default_x0, default_range: the page's first view.
        limit: the window's slider runs from −limit to limit in steps of MIN_WIDTH.

    Returns:
        x₀ and the window (low, high), as the page draws them.
    """
    state = st.session_state
    if range_key in state and (opened := open_window(state[range_key])) != tuple(state[range_key]):
        state[range_key] = opened  # ends moved together (or a link's): reopened first
    ends = window_column.slider(
        "x range",
        min_value=-limit,
        max_value=limit,
        value=default_range,
        step=MIN_WIDTH,
        key=range_key,
        bind=BIND,
    )
    low, high = open_window(ends)
    step = x0_step((low, high))
    if x0_key in state and (snapped := on_step(state[x0_key], low, high, step)) != state[x0_key]:
        state[x0_key] = snapped  # a new window: x₀ inside it, on its steps
    x0 = point_column.slider(
        x0_label,
        min_value=low,
        max_value=high,
        value=on_step(default_x0, low, high, step),
        step=step,
        key=x0_key,
        bind=BIND,
    )
    on_grid = math.isclose(x0, on_step(x0, low, high, step), abs_tol=1e-9)
    settled = on_grid and (low, high) == tuple(ends)
    settling = f"{range_key}.settling"
    if not settled and not state.get(settling):
        state[settling] = True  # once: a value the page's rules cannot move is left as it is
        st.rerun()
    state[settling] = False
    return float(x0), (low, high)


def follow_chart_slider(x0_key: str, chart_key: str) -> None:
    """The learner stopped a chart's own x₀ slider: the page's x₀ follows (a chart callback)."""
    picked = st.session_state.get(chart_key)
    if picked and picked.get("value") is not None:
        st.session_state[x0_key] = float(picked["value"])


def grid_index(x0: float, x_range: tuple[float, float]) -> int:
    """The index in `x0_grid` nearest to x0."""
    grid = x0_grid(x_range)
    return int(np.argmin(np.abs(grid - x0)))


@st.cache_resource(max_entries=64, ttl=HOUR, show_spinner=False)
def tangent_chart(text: str, x_range: tuple[float, float], show_second: bool) -> dict:
    """f, f′ (and f″) with the tangent's frames over `x0_grid`, as a JSON-ready figure."""
    f, df = compiled(text), compiled_derivative(text, "x", 1)
    sweep = tangent_sweep(f, df, x0_grid(x_range))
    return tangent_figure(
        sample_curve(f, x_range),
        sample_curve(df, x_range),
        sweep,
        active=0,
        d2f=sample_curve(compiled_derivative(text, "x", 2), x_range) if show_second else None,
    )


@st.cache_data(max_entries=256, ttl=HOUR, show_spinner=False)
def has_gaps(text: str, x_range: tuple[float, float]) -> bool:
    """Whether f or f′ is undefined or infinite somewhere on the curves drawn over the window
    (log x or 1/x on a window that crosses 0): the chart leaves gaps there, and says so."""
    curves = (compiled(text), compiled_derivative(text, "x", 1))
    return not all(np.isfinite(sample_curve(g, x_range).y).all() for g in curves)


@st.cache_data(max_entries=1024, ttl=HOUR, show_spinner=False)
def point_derivative(text: str, x0: float) -> PointDerivative:
    """f(x0), f′(x0), or why f′(x0) does not exist, with the one-sided slopes."""
    return derivative_at(compiled(text), compiled_derivative(text, "x", 1), x0)


@st.cache_resource(max_entries=256, ttl=HOUR, show_spinner=False)
def secant_chart(text: str, x0: float, slope: float) -> dict:
    """The secant through x0 and x0 + h for h from 1 to 1e-8, as frames with a play button."""
    f = compiled(text)
    window = (x0 - 1.6, x0 + 1.6)
    steps = np.logspace(*np.log10(SECANT_H), SECANT_STEPS)
    return secant_figure(sample_curve(f, window, 301), secant_sweep(f, x0, steps), slope)


@st.cache_data(max_entries=1024, ttl=HOUR, show_spinner=False)
def quotient_table(text: str, x0: float, exact: float) -> list[dict[str, str]]:
    """The limit definition's table: (f(x0 + h) − f(x0)) / h as h shrinks, with its error."""
    rows = difference_quotients(compiled(text), x0, exact)
    return [
        {"h": f"{row.h:.0e}", "(f(x₀+h) − f(x₀)) / h": f"{row.quotient:.12g}",
         "error": f"{row.error:.3e}"}
        for row in rows
    ]  # fmt: skip


def _complex_version(text: str):
    """The formula compiled for complex input, or None where the complex step does not apply."""
    expr = parsed(text)
    return compile_complex(expr) if is_analytic(expr) else None


@st.cache_data(max_entries=1024, ttl=HOUR, show_spinner=False)
def method_table(text: str, x0: float, exact: float) -> list[dict[str, str]]:
    """Each numerical method at its default step: estimate and error against the exact value."""
    f, f_complex = compiled(text), _complex_version(text)
    rows = []
    for method in METHODS:
        if method == "complex_step" and f_complex is None:
            continue
        h = default_step(method, x0)
        estimate = float(numerical_derivative(f, x0, h, method, f_complex=f_complex))
        rows.append(
            {
                "method": method.replace("_", " "),
                "h": f"{h:.1e}",
                "estimate": f"{estimate:.15g}",
                "error": f"{abs(estimate - exact):.1e}",
            }
        )
    return rows


@st.cache_resource(max_entries=256, ttl=HOUR, show_spinner=False)
def error_chart(text: str, x0: float, exact: float) -> tuple[ErrorStudy, dict]:
    """The error-versus-h study at x0 and its log-log chart (JSON-ready)."""
    steps = np.logspace(-16, 0, ERROR_STEPS)
    study = error_versus_step(compiled(text), x0, exact, f_complex=_complex_version(text), hs=steps)
    return study, json.loads(error_figure(study).to_json())


@st.cache_data(max_entries=1024, ttl=HOUR, show_spinner=False)
def lesson_code(text: str, x0: float) -> tuple[str, str]:
    """The sympy + numpy script reproducing the page for f and x0, and what it prints."""
    expr = parsed(text)
    return derivative_code(expr, x0), derivative_code_output(expr, x0)


@st.cache_data(max_entries=1024, ttl=HOUR, show_spinner=False)
def central_difference_check(text: str, x0: float, eps: float = 1e-6) -> float | None:
    """|the lesson's numerical_gradient − the exact f′(x0)|, or None where f′(x0) does not exist."""
    point = point_derivative(text, x0)
    if point.status != "differentiable":
        return None
    estimate = float(numerical_derivative(compiled(text), x0, eps, "central"))
    return abs(estimate - point.slope)
