"""Cached views of f(x, y)'s second derivatives for the Hessian page; its state lives under
"hess." ("hess.x_range", "hess.y_range", "hess.x0", "hess.y0", "hess.angle", "hess.lr", ...).

Everything costly is keyed on the formula's text and plain numbers: the Hessian's entries are
differentiated once, in the killable worker (`ui.cache.derivative_of`), the critical points are
solved once per formula and window, and a move of the point only evaluates compiled functions.

Every view slider is bound to the URL and declares as its default what a link without it opens
on (`view_defaults`); the link's window, point, u and reach are read on the first run, before
the sliders whose ends or whose charts need them (`init_hessian_view`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import streamlit as st
import sympy
from numpy.typing import NDArray

from calc_core.expressions import ExpressionError, to_latex
from calc_core.multivariate import (
    CriticalPoints,
    HessianEigen,
    NewtonStep,
    TaylorPatch,
    compile_map,
    compile_matrix,
    critical_points,
    hessian_eigen,
    newton_path,
    newton_step,
    taylor_model,
    taylor_patch,
)
from calc_core.optimizers import largest_stable_learning_rate, run_optimizer
from calc_core.symbolic_worker import derivative_guarded, warm_up
from ui.cache import HOUR, compiled, derivative_of, parsed
from ui.links import linked_numbers
from ui.maps import linked_view, put_back_held
from ui.presets import HESSIAN_PRESETS, SURFACE_VIEWS
from ui.sliders import on_step
from ui.two_variables import (
    CONTOUR_GRID,
    DEFAULT_VIEW,
    XY,
    init_view,
    point_step,
    snap_point,
    surface,
)
from viz.hessian import map_base, surface_base

PREFIX = "hess"
CRITICAL_TIMEOUT = 2.0  # seconds the exact solve of ∇f = 0 may take before the numbers decide
TAYLOR_GRID = 25  # points per side of the Taylor models' patch
DEFAULT_LR = 0.1
WINDOW_STEP = 0.5  # the range sliders' step; -10 to 10

Range = tuple[float, float]


@dataclass(frozen=True)
class View:
    """Where a preset is best seen: the window, a point where something happens, and a
    learning rate that shows gradient descent's character there."""

    x_range: Range
    y_range: Range
    point: tuple[float, float]
    lr: float
    radius: float | None = None  # the Taylor models' reach; None: a twelfth of the window


VIEWS = {  # formula text -> View
    HESSIAN_PRESETS["x² + 3y² (a bowl)"]: View((-3.0, 3.0), (-3.0, 3.0), (-2.0, 1.5), 0.1),
    HESSIAN_PRESETS["x² + 25y² (an ill-conditioned bowl)"]: View(
        (-3.0, 3.0), (-3.0, 3.0), (-2.5, 0.8), 0.035
    ),
    HESSIAN_PRESETS["x² − y² (a saddle, where gradient descent stalls)"]: View(
        (-2.0, 2.0), (-2.0, 2.0), (1.5, 0.05), 0.1
    ),
    HESSIAN_PRESETS["x⁴ + y⁴ (degenerate: the Hessian is 0 at the minimum)"]: View(
        (-2.0, 2.0), (-2.0, 2.0), (1.5, 1.0), 0.02
    ),
    # Rosenbrock's valley bends sharply: only close by does the quadratic beat the plane.
    HESSIAN_PRESETS["Rosenbrock"]: View((-2.0, 2.0), (-1.0, 3.0), (-1.0, 1.0), 0.001, 0.2),
    HESSIAN_PRESETS["Himmelblau"]: View((-5.0, 5.0), (-5.0, 5.0), (0.0, 0.0), 0.01),
    HESSIAN_PRESETS["peaks"]: View((-3.0, 3.0), (-3.0, 3.0), (0.6, -0.4), 0.05, 0.3),
    HESSIAN_PRESETS["x⁴ − 2x² + y⁴ − 2y² (plain Newton climbs to the hilltop)"]: View(
        (-2.0, 2.0), (-2.0, 2.0), (0.3, 0.25), 0.05
    ),
}


ANGLE = 30.0  # u's direction at first: off the axes, to show that uᵀHu lies between the λs


def default_view(text: str) -> View:
    """Where a formula is seen first: a preset's own view, a surface preset's window and point,
    or the default window (also what a link that leaves them out opens with)."""
    if text in VIEWS:
        return VIEWS[text]
    x_range, y_range, point = SURFACE_VIEWS.get(text, DEFAULT_VIEW)
    return View(x_range, y_range, point, DEFAULT_LR)


def view_defaults(text: str, x_range: Range, y_range: Range) -> dict[str, Any]:
    """The `value=` of each view slider: what the page shows for this formula and window when a
    link leaves the setting out (a link leaves out a value equal to its widget's default, so
    the two must agree)."""
    view = default_view(text)
    return {
        f"{PREFIX}.x0": on_step(view.point[0], *x_range, point_step(x_range)),
        f"{PREFIX}.y0": on_step(view.point[1], *y_range, point_step(y_range)),
        f"{PREFIX}.x_range": view.x_range,
        f"{PREFIX}.y_range": view.y_range,
        f"{PREFIX}.lr": view.lr,
        f"{PREFIX}.radius": _fitted_radius(view.radius, x_range, y_range),
    }


def init_hessian_view(text: str) -> None:
    """Set the window, point and learning rate for this formula: a preset's own view when the
    formula changes to a preset, the link's on the page's first run, then
    `ui.two_variables.init_view`'s defaults and snapping.

    Call it after the formula box and before the sliders that own these keys.
    """
    state = st.session_state
    put_back_held(PREFIX)
    first = f"{PREFIX}.view_of" not in state
    if (first or text in VIEWS) and state.get(f"{PREFIX}.view_of") != text:
        view = default_view(text)
        state[f"{PREFIX}.view_of"] = text  # init_view then leaves this view alone
        state[f"{PREFIX}.x_range"], state[f"{PREFIX}.y_range"] = view.x_range, view.y_range
        state[f"{PREFIX}.x0"], state[f"{PREFIX}.y0"] = view.point
        state[f"{PREFIX}.lr"] = view.lr
        state.pop(f"{PREFIX}.radius", None)  # `fit_radius` sets the view's own or the default
        if view.radius is not None:
            state[f"{PREFIX}.radius"] = view.radius
    init_view(PREFIX, text)
    state.setdefault(f"{PREFIX}.lr", DEFAULT_LR)
    if first:
        _open_link()


def _open_link() -> None:
    """On the page's first run: the link's window, point, u and reach into state. The map uses
    u's angle before its slider is drawn, the point's sliders come before the window's, and the
    reach is fitted to the window before its slider (`fit_radius`, `hold_view`)."""
    state = st.session_state
    linked_view(PREFIX)
    snap_point(PREFIX)
    angle = linked_numbers(f"{PREFIX}.angle", 1)
    if angle is not None and 0.0 <= angle[0] <= 180.0:
        state[f"{PREFIX}.angle"] = angle[0]
    radius = linked_numbers(f"{PREFIX}.radius", 1)
    low, high, _ = radius_bounds(state[f"{PREFIX}.x_range"], state[f"{PREFIX}.y_range"])
    if radius is not None and low <= radius[0] <= high:
        state[f"{PREFIX}.radius"] = radius[0]


def window_changed() -> None:
    """The range sliders' callback: a window squeezed to nothing (both ends on one value)
    opens by one step, then the point is kept inside it and on its step."""
    state = st.session_state
    for axis in ("x", "y"):
        low, high = (float(v) for v in state[f"{PREFIX}.{axis}_range"])
        if high - low < WINDOW_STEP:
            low, high = (low, low + WINDOW_STEP) if low < 10.0 else (high - WINDOW_STEP, high)
            state[f"{PREFIX}.{axis}_range"] = (low, high)
    snap_point(PREFIX)


@st.cache_resource(show_spinner=False)
def warm_symbolic_worker() -> bool:
    """Start the symbolic worker once per server, before the first formula needs it."""
    warm_up()
    return True


# --- the Hessian: symbolic entries in the killable worker, compiled once ---------------------


@st.cache_data(max_entries=1024, ttl=HOUR, show_spinner=False)
def _mixed_partial(text: str) -> sympy.Expr:
    """∂²f/∂x∂y, differentiating the cached ∂f/∂x in the killable worker."""
    return derivative_guarded(derivative_of(text, "x", 1, XY), "y", 1)


@st.cache_data(max_entries=1024, ttl=HOUR, show_spinner=False)
def hessian_of(text: str) -> sympy.Matrix:
    """The Hessian [[f_xx, f_xy], [f_xy, f_yy]] of f(x, y) as a SymPy matrix.

    Raises:
        ExpressionError: the formula is invalid or its second derivatives are too costly.
    """
    fxx = derivative_of(text, "x", 2, XY)
    fyy = derivative_of(text, "y", 2, XY)
    fxy = _mixed_partial(text)
    return sympy.Matrix([[fxx, fxy], [fxy, fyy]])


MATRIX_LATEX_CHARS = 160  # a symbolic H longer than this in LaTeX is shown entry by entry


@dataclass(frozen=True)
class SymbolicHessian:
    """H as a learner reads it: the matrix in LaTeX when it fits on a line (else None), and
    the three distinct entries f_xx, f_xy, f_yy as plain text (powers as ^)."""

    matrix: str | None
    entries: tuple[str, str, str]


@st.cache_data(max_entries=1024, ttl=HOUR, show_spinner=False)
def hessian_latex(text: str) -> SymbolicHessian:
    """f's symbolic Hessian, printed once per formula (LaTeX printing costs milliseconds)."""
    H = hessian_of(text)
    cells = [[to_latex(H[i, j]) for j in range(2)] for i in range(2)]
    body = r" \\ ".join(" & ".join(row) for row in cells)
    matrix = rf"\begin{{pmatrix}} {body} \end{{pmatrix}}"
    entries = tuple(str(H[i, j]).replace("**", "^") for i, j in ((0, 0), (0, 1), (1, 1)))
    return SymbolicHessian(matrix if len(matrix) <= MATRIX_LATEX_CHARS else None, entries)


@st.cache_data(max_entries=1024, ttl=600, show_spinner=False)
def _second_derivatives_problem(text: str) -> str | None:
    """Why f's Hessian cannot be had (one sentence), or None. Cached, unlike an exception, so
    a rejected formula left in the box does not run the worker to its time limit each rerun."""
    try:
        H = hessian_of(text)
    except ExpressionError as error:
        return str(error)
    if H.has(sympy.DiracDelta):
        return (
            "The second derivatives of this formula are a Dirac delta at its kink (as for abs "
            "or relu): 0 on either side and undefined on it. Try a smooth formula."
        )
    try:
        with np.errstate(all="ignore"):
            compiled_hessian(text)(np.float64(0.3), np.float64(0.7))
    except (NameError, TypeError, ValueError, ArithmeticError):
        return "The Hessian of this formula cannot be evaluated numerically; try another one."
    return None


def check_second_derivatives(text: str) -> None:
    """Reject (with `ExpressionError`) a formula whose second derivatives are too costly; pass
    it to `formula_input` as `check=`."""
    problem = _second_derivatives_problem(text)
    if problem is not None:
        raise ExpressionError(problem)


@st.cache_resource(max_entries=256, ttl=HOUR, show_spinner=False)
def compiled_gradient(text: str) -> Callable:
    """∇f as one vectorised function: (x, y) -> (..., 2)."""
    return compile_map([derivative_of(text, v, 1, XY) for v in XY], XY)


@st.cache_resource(max_entries=256, ttl=HOUR, show_spinner=False)
def compiled_hessian(text: str) -> Callable:
    """H as one vectorised function: (x, y) -> (..., 2, 2)."""
    return compile_matrix(hessian_of(text), XY)


# --- at the point ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PointCurvature:
    """f, ∇f and H at one point, with H's eigen-decomposition.

    Attributes:
        value: f(x0, y0) (NaN where undefined); gradient: (2,); hessian: (2, 2), NaN entries
            where undefined; eigen: None unless H is finite there.
    """

    x0: float
    y0: float
    value: float
    gradient: NDArray[np.float64]
    hessian: NDArray[np.float64]
    eigen: HessianEigen | None


@st.cache_data(max_entries=4096, ttl=HOUR, show_spinner=False)
def curvature_at(text: str, x0: float, y0: float) -> PointCurvature:
    """f, ∇f, H and H's eigenvalues and eigenvectors at (x0, y0)."""
    with np.errstate(all="ignore"):
        value = float(np.asarray(compiled(text, XY)(np.float64(x0), np.float64(y0)), float))
        g = np.asarray(compiled_gradient(text)(x0, y0), dtype=np.float64).reshape(2)
        H = np.asarray(compiled_hessian(text)(x0, y0), dtype=np.float64).reshape(2, 2)
        eigen = hessian_eigen((H + H.T) / 2) if np.all(np.isfinite(H)) else None
    return PointCurvature(x0, y0, value if np.isfinite(value) else np.nan, g, H, eigen)


@st.cache_data(max_entries=256, ttl=HOUR, show_spinner=False)
def critical_of(text: str, x_range: Range, y_range: Range) -> CriticalPoints:
    """f's critical points in the window: exact within CRITICAL_TIMEOUT, numeric always."""
    try:
        with np.errstate(over="ignore", invalid="ignore"):  # f overflows: those samples are NaN
            return critical_points(
                parsed(text, XY), XY, (x_range, y_range), timeout=CRITICAL_TIMEOUT
            )
    except (ValueError, TypeError, ArithmeticError):  # ExpressionError is a ValueError
        note = "The critical points of this formula could not be searched for."
        return CriticalPoints((), "numeric", note)


@st.cache_data(max_entries=2048, ttl=HOUR, show_spinner=False)
def taylor_at(text: str, x0: float, y0: float, radius: float) -> TaylorPatch | None:
    """f and its first- and second-order Taylor models on a square of half-side `radius`
    around the point, or None where f or its derivatives are undefined at the point."""
    f, grad, hess = compiled(text, XY), compiled_gradient(text), compiled_hessian(text)
    with np.errstate(all="ignore"):
        model = taylor_model(f, grad, hess, (x0, y0))
        if not (np.isfinite(model.value) and np.all(np.isfinite(model.hessian))):
            return None
        if not np.all(np.isfinite(model.gradient)):
            return None
        return taylor_patch(f, model, radius, TAYLOR_GRID)


def largest_gaps(patch: TaylorPatch) -> tuple[float, float]:
    """The largest |f − tangent plane| and |f − quadratic model| over the patch (NaN if f is
    undefined all over it); gaps at the level of rounding (1e-12 of f's size) count as 0."""
    with np.errstate(invalid="ignore"):
        if not np.isfinite(patch.surface).any():
            return np.nan, np.nan
        size = float(np.nanmax(np.abs(patch.surface)))
        gaps = []
        for model in (patch.first, patch.second):
            gap = float(np.nanmax(np.abs(patch.surface - model)))
            gaps.append(0.0 if gap <= 1e-12 * max(1.0, size) else gap)
        return gaps[0], gaps[1]


# --- Newton's method against gradient descent ----------------------------------------------------


@dataclass(frozen=True)
class Race:
    """Newton's method and gradient descent from one point.

    Attributes:
        step: both first steps and what decides between them (`newton_step`), or None where
            ∇f or H is undefined at the point.
        newton: (k + 1, 2) Newton's path (stops at a critical point or the window's edge).
        descent: (m + 1, 2) gradient descent's path (`run_optimizer("gd", ...)`).
        diverged: why gradient descent stopped early (a phrase), or None.
        stable_lr: 2 / λmax of H at the point: larger steps make gradient descent overshoot
            along the steepest direction (inf if no eigenvalue is positive).
    """

    step: NewtonStep | None
    newton: NDArray[np.float64]
    descent: NDArray[np.float64]
    diverged: str | None
    stable_lr: float


@st.cache_data(max_entries=1024, ttl=HOUR, show_spinner=False)
def race(
    text: str,
    x0: float,
    y0: float,
    lr: float,
    steps: int,
    fix: str,
    damping: float,
    x_range: Range,
    y_range: Range,
) -> Race:
    """Newton's method (with `fix` and `damping`, see `newton_step`) and gradient descent with
    learning rate `lr`, `steps` steps each from (x0, y0)."""
    f, grad, hess = compiled(text, XY), compiled_gradient(text), compiled_hessian(text)
    here = curvature_at(text, x0, y0)
    step, stable = None, np.inf
    if np.all(np.isfinite(here.gradient)) and here.eigen is not None:
        H = (here.hessian + here.hessian.T) / 2
        step = newton_step(here.gradient, H, lr=lr, fix=fix, damping=damping)
        stable = largest_stable_learning_rate(H)
    with np.errstate(all="ignore"):
        newton = newton_path(
            grad, hess, (x0, y0), steps, fix=fix, damping=damping, bounds=(x_range, y_range)
        )
        descent = run_optimizer(
            "gd",
            lambda p: grad(p[0], p[1]),
            (x0, y0),
            lr,
            steps,
            loss=lambda points: np.broadcast_to(
                np.asarray(f(points[:, 0], points[:, 1]), float), len(points)
            ),
        )
    return Race(step, newton, np.array(descent.points), descent.reason, stable)


# --- the figures' heavy parts, once per formula and window ---------------------------------------


@st.cache_resource(max_entries=32, ttl=HOUR, show_spinner=False)
def map_part(text: str, x_range: Range, y_range: Range) -> dict:
    """The contour map with the critical points (`viz.hessian.map_base`); shared, never modified:
    moving the point re-uses this very object."""
    return map_base(
        surface(text, x_range, y_range, CONTOUR_GRID), critical_of(text, x_range, y_range)
    )


@st.cache_resource(max_entries=32, ttl=HOUR, show_spinner=False)
def surface_part(text: str, x_range: Range, y_range: Range) -> dict:
    """The 3D surface and its scene (`viz.hessian.surface_base`), byte-identical as the point
    moves; shared, never modified."""
    return surface_base(surface(text, x_range, y_range))


def radius_bounds(x_range: Range, y_range: Range) -> tuple[float, float, float]:
    """(smallest, largest, step) of the Taylor models' reach for this window."""
    span = min(x_range[1] - x_range[0], y_range[1] - y_range[0])
    step = point_step((0.0, span))
    return step, round(step * max(2, int(span / 2 / step)), 10), step


def _fitted_radius(radius: float | None, x_range: Range, y_range: Range) -> float:
    """`radius` (a twelfth of the window if None) inside this window's bounds, on its step."""
    low, high, step = radius_bounds(x_range, y_range)
    span = min(x_range[1] - x_range[0], y_range[1] - y_range[0])
    value = min(max(float(span / 12 if radius is None else radius), low), high)
    return round(low + step * round((value - low) / step), 10)


def fit_radius(x_range: Range, y_range: Range) -> None:
    """Keep "hess.radius" inside this window's bounds and on its step (a twelfth of the
    window at first), before its slider is drawn."""
    state = st.session_state
    state[f"{PREFIX}.radius"] = _fitted_radius(state.get(f"{PREFIX}.radius"), x_range, y_range)
