"""Critical points of f(x, y): solved exactly under a time budget, found numerically always,
classified by the Hessian's eigenvalues."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import sympy
from numpy.typing import ArrayLike, NDArray

from calc_core.expressions import compile_expression, symbol
from calc_core.multivariate.curvature import _solve_by_eigen, hessian_eigen
from calc_core.multivariate.fields import _finite
from calc_core.multivariate.jacobians import (
    MatrixFunction,
    VectorFunction,
    compile_map,
    compile_matrix,
)
from calc_core.multivariate.symbolic import Range, Variables, _scalar, _symbols, gradient, hessian
from calc_core.symbolic_worker import SymbolicTimeout, run_symbolic

__all__ = [
    "CriticalPoint",
    "CriticalPoints",
    "critical_points",
    "find_critical_points",
]


# --- critical points ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CriticalPoint:
    """A point where ∇f = 0, classified by the Hessian's eigenvalues there.

    Attributes:
        point: (x0, y0, ...) as floats.
        value: f there.
        kind: ``"minimum"``, ``"maximum"``, ``"saddle"`` or ``"degenerate"``.
        eigenvalues: (n,) of the Hessian, ascending; eigenvectors: (n, n) as columns.
        gradient_norm: |∇f| there (0 up to rounding).
        exact: the coordinates as SymPy numbers when the symbolic solve found them and they
            are short enough to show, else None.
    """

    point: tuple[float, ...]
    value: float
    kind: str
    eigenvalues: NDArray[np.float64]
    eigenvectors: NDArray[np.float64]
    gradient_norm: float
    exact: tuple[sympy.Expr, ...] | None = None


@dataclass(frozen=True)
class CriticalPoints:
    """The critical points of f in a window and how they were found.

    Attributes:
        points: `CriticalPoint` s sorted by coordinates.
        method: ``"symbolic"`` (all found by solving ∇f = 0 exactly), ``"symbolic+numeric"``
            (the exact solve missed some that Newton's method found) or ``"numeric"``
            (the exact solve failed or ran out of time).
        note: one sentence for the learner where something needs saying (a timeout, a
            whole curve of critical points, a constant f), else None.
    """

    points: tuple[CriticalPoint, ...]
    method: str
    note: str | None


def _bounds(bounds: Sequence[Range], n: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    if len(bounds) != n:
        raise ValueError(f"bounds needs one (low, high) per variable ({n}), got {bounds!r}")
    lows = np.array([float(b[0]) for b in bounds])
    highs = np.array([float(b[1]) for b in bounds])
    if not (np.all(np.isfinite(lows)) and np.all(np.isfinite(highs)) and np.all(lows < highs)):
        raise ValueError(f"bounds must be finite (low, high) pairs, low < high; got {bounds!r}")
    return lows, highs


def _critical_point(
    f: Callable[..., ArrayLike],
    grad: VectorFunction,
    hess: MatrixFunction,
    point: NDArray[np.float64],
    tol: float,
    exact: tuple[sympy.Expr, ...] | None = None,
) -> CriticalPoint | None:
    """Classify one point, or None where f's derivatives are undefined there."""
    n = len(point)
    g, H = _finite(grad(*point), (n,)), _finite(hess(*point), (n, n))
    if not (np.all(np.isfinite(g)) and np.all(np.isfinite(H))):
        return None
    eigen = hessian_eigen((H + H.T) / 2, tol=tol)
    return CriticalPoint(
        tuple(float(c) for c in point),
        float(_finite(f(*point), ())),
        eigen.kind,
        eigen.eigenvalues,
        eigen.eigenvectors,
        float(np.linalg.norm(g)),
        exact,
    )


def _newton_roots(
    grad: VectorFunction,
    hess: MatrixFunction,
    starts: NDArray[np.float64],
    box: tuple[NDArray[np.float64], NDArray[np.float64]],
    iterations: int,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_]]:
    """Newton's method on ∇f = 0 from all starts at once: end points, last step lengths, and
    which runs stayed finite and inside the box."""
    x = starts.copy()
    last = np.full(len(x), np.inf)
    alive = np.ones(len(x), dtype=bool)
    diagonal = float(np.linalg.norm(box[1] - box[0]))
    for _ in range(iterations):
        active = np.flatnonzero(alive & (last > 1e-13 * diagonal))
        if active.size == 0:
            break
        coords = x[active].T
        g, H = grad(*coords), hess(*coords)
        ok = np.all(np.isfinite(g), axis=-1) & np.all(np.isfinite(H), axis=(-2, -1))
        alive[active[~ok]] = False
        active, g, H = active[ok], g[ok], H[ok]
        values, vectors = np.linalg.eigh((H + np.swapaxes(H, -1, -2)) / 2)
        step = _solve_by_eigen(values, vectors, g)
        length = np.linalg.norm(step, axis=-1)
        # far from a root the model is poor: cap each step at a quarter of the window
        shrink = np.minimum(1.0, 0.25 * diagonal / np.where(length > 0, length, 1.0))
        x[active] -= step * shrink[:, None]
        last[active] = length * shrink
        inside = np.all((x[active] >= box[0]) & (x[active] <= box[1]), axis=-1)
        alive[active[~inside]] = False
    return x, last, alive


def _start_grid(
    lows: NDArray[np.float64], highs: NDArray[np.float64], starts: int
) -> NDArray[np.float64]:
    n, k = len(lows), int(starts)
    if k < 2 or k**n > 20_000:
        raise ValueError(f"starts must be at least 2 with starts ** n <= 20000, got {starts!r}")
    axes = [np.linspace(lo, hi, k) for lo, hi in zip(lows, highs, strict=True)]
    return np.stack([a.ravel() for a in np.meshgrid(*axes, indexing="ij")], axis=-1)


def _median_size(values: NDArray[np.float64], axes: tuple[int, ...]) -> float:
    """The median size (Euclidean or spectral norm) of the finite vectors or matrices."""
    finite = np.all(np.isfinite(values), axis=axes)
    if not finite.any():
        return 0.0
    sizes = np.linalg.norm(values[finite], ord=2 if len(axes) == 2 else None, axis=axes)
    return float(np.median(sizes))


def _numeric_candidates(
    grad: VectorFunction,
    hess: MatrixFunction,
    lows: NDArray[np.float64],
    highs: NDArray[np.float64],
    starts: int,
    iterations: int,
) -> tuple[NDArray[np.float64], float]:
    """End points of Newton runs that reached ∇f = 0 inside the window, best first, and the
    typical size of the Hessian there (what "zero curvature" is measured against)."""
    grid = _start_grid(lows, highs, starts)
    g0, h0 = grad(*grid.T), hess(*grid.T)
    g_scale, h_scale = _median_size(g0, (-1,)), _median_size(h0, (-2, -1))
    if g_scale == 0.0:  # f is flat at every start: no isolated critical points to find
        return np.empty((0, len(lows))), h_scale
    width = highs - lows
    diagonal = float(np.linalg.norm(width))
    x, last, alive = _newton_roots(
        grad, hess, grid, (lows - 0.25 * width, highs + 0.25 * width), iterations
    )
    slack = 1e-9 * width
    inside = np.all((x >= lows - slack) & (x <= highs + slack), axis=-1)
    x = x[alive & inside & (last <= 1e-6 * diagonal)]
    norms = np.linalg.norm(grad(*x.T), axis=-1) if len(x) else np.empty(0)
    good = norms <= 1e-8 * g_scale
    return x[good][np.argsort(norms[good], kind="stable")], h_scale


def _collect(
    f: Callable[..., ArrayLike],
    grad: VectorFunction,
    hess: MatrixFunction,
    candidates: Sequence[tuple[NDArray[np.float64], tuple[sympy.Expr, ...] | None]],
    h_scale: float,
    diagonal: float,
) -> tuple[tuple[CriticalPoint, ...], int]:
    """Classify candidates in order, skipping those close to one already kept; return the
    points sorted by coordinates and the index of the last candidate kept (−1 if none)."""
    kept: list[CriticalPoint] = []
    last_used = -1
    for index, (point, exact) in enumerate(candidates):
        if any(np.linalg.norm(point - np.array(p.point)) <= 1e-4 * diagonal for p in kept):
            continue
        found = _critical_point(f, grad, hess, point, 1e-8 * h_scale, exact)
        if found is not None:
            kept.append(found)
            last_used = index
    return tuple(sorted(kept, key=lambda p: p.point)), last_used


def find_critical_points(
    f: Callable[..., ArrayLike],
    grad: VectorFunction,
    hess: MatrixFunction,
    bounds: Sequence[Range],
    *,
    starts: int = 16,
    iterations: int = 200,
) -> tuple[CriticalPoint, ...]:
    """Critical points in a window, numerically: Newton's method on ∇f = 0 from a grid of starts.

    Newton's method on the gradient (not on f) converges to minima, maxima and saddles alike.
    Runs that leave the window, or stop where |∇f| is not small, are dropped; end points
    closer than 1e-4 of the window's diagonal are merged. A curve of critical points shows as
    several points along it; a constant f gives none.

    Args:
        f, grad, hess: compiled f, ∇f (`compile_map`) and H (`compile_matrix`).
        bounds: one (low, high) per variable: the window searched.
        starts: starts per side of the grid (``starts ** n`` in all, at most 20 000).
        iterations: the most Newton steps per start.

    Returns:
        `CriticalPoint` s sorted by coordinates.

    Example:
        >>> from calc_core.expressions import parse_expression
        >>> f = parse_expression("x^2 - y^2", ("x", "y"))
        >>> grad = compile_map(gradient(f, ("x", "y")), ("x", "y"))
        >>> hess = compile_matrix(hessian(f, ("x", "y")), ("x", "y"))
        >>> found = find_critical_points(compile_expression(f, ("x", "y")), grad, hess,
        ...                              [(-1, 1), (-1, 1)])
        >>> [(p.point, p.kind) for p in found]
        [((0.0, 0.0), 'saddle')]
    """
    lows, highs = _bounds(bounds, len(bounds))
    roots, h_scale = _numeric_candidates(grad, hess, lows, highs, starts, iterations)
    diagonal = float(np.linalg.norm(highs - lows))
    return _collect(f, grad, hess, [(r, None) for r in roots], h_scale, diagonal)[0]


_SHORT_EXACT = 40  # sympy.count_ops of the coordinates beyond which they are not worth showing


def _solve_gradient(
    expr: sympy.Expr, names: tuple[str, ...]
) -> tuple[list[tuple[tuple[float, ...], tuple[sympy.Expr, ...] | None]], bool] | None:
    """Solve ∇f = 0 with SymPy (module level: it runs in a worker process).

    Returns:
        (real solutions as (floats, exact or None), whether a solution leaves a variable free,
        i.e. a curve of critical points), or None if SymPy cannot solve the system.
    """
    syms = tuple(symbol(n) for n in names)
    try:
        solutions = sympy.solve([sympy.diff(expr, s) for s in syms], syms, dict=True)
    except Exception:  # sympy raises many kinds (NotImplementedError, PolynomialError, ...)
        return None
    points, curve = [], False
    for solution in solutions:
        if any(s not in solution or solution[s].free_symbols for s in syms):
            curve = True
            continue
        try:
            values = [complex(sympy.N(solution[s], 30)) for s in syms]
        except (TypeError, ValueError):
            continue
        if not all(np.isfinite(v) and abs(v.imag) <= 1e-12 * (1 + abs(v.real)) for v in values):
            continue
        exact = tuple(solution[s] for s in syms)
        short = sum(sympy.count_ops(e) for e in exact) <= _SHORT_EXACT
        points.append((tuple(v.real for v in values), exact if short else None))
    return points, curve


def _exact_points(
    f: sympy.Expr,
    names: tuple[str, ...],
    lows: NDArray[np.float64],
    highs: NDArray[np.float64],
    timeout: float,
) -> tuple[list[tuple[NDArray[np.float64], tuple[sympy.Expr, ...] | None]] | None, list[str]]:
    """The exact solve in a worker: the real solutions inside the window (None if the solve
    failed or ran out of time), and notes for the learner."""
    try:
        solved = run_symbolic(_solve_gradient, f, names, timeout=timeout)
    except SymbolicTimeout:
        return None, [f"Solving ∇f = 0 exactly took over {timeout:g} s"]
    if solved is None:
        return None, ["SymPy could not solve ∇f = 0 exactly"]
    slack = 1e-9 * (highs - lows)
    inside = []
    for values, exact in solved[0]:
        p = np.array(values)
        if np.all((p >= lows - slack) & (p <= highs + slack)):
            inside.append((p, exact))
    curve = "Some critical points fill a whole curve; a few points along it show"
    return inside, [curve] if solved[1] else []


def critical_points(
    expr: sympy.Expr,
    variables: Variables = ("x", "y"),
    bounds: Sequence[Range] = ((-3.0, 3.0), (-3.0, 3.0)),
    *,
    timeout: float = 2.0,
    starts: int = 16,
) -> CriticalPoints:
    """Solve ∇f = 0 in a window: exactly within a time budget, and numerically, then classify.

    SymPy's ``solve`` runs in a killable worker process (`symbolic_worker.run_symbolic`) for at
    most `timeout` seconds; it may miss solutions (periodic families, some real roots of
    polynomial systems), so Newton's method from a grid of starts (`find_critical_points`)
    always runs too and adds what the exact solve missed. Exact points win where both agree.

    Args:
        expr: f, a SymPy expression in `variables`.
        variables: names or symbols, e.g. ``("x", "y")``.
        bounds: one (low, high) per variable: the window.
        timeout: seconds the exact solve may take (a fresh worker's start included).
        starts: starts per side of the numeric search's grid.

    Returns:
        `CriticalPoints`, each classified minimum / maximum / saddle / degenerate by the
        Hessian's eigenvalues.

    Example:
        >>> from calc_core.expressions import parse_expression
        >>> found = critical_points(parse_expression("x^3 - 3x + y^2", ("x", "y")))
        >>> [(p.exact, p.kind) for p in found.points], found.method
        ([((-1, 0), 'saddle'), ((1, 0), 'minimum')], 'symbolic')
    """
    f = _scalar(expr, "critical_points")
    names = tuple(s.name for s in _symbols(variables, "critical_points"))
    lows, highs = _bounds(bounds, len(names))
    grad_exprs = gradient(f, names)
    if all(g == 0 for g in grad_exprs):
        return CriticalPoints((), "symbolic", "f is constant: every point is a critical point.")
    f_num = compile_expression(f, names)
    grad = compile_map(grad_exprs, names)
    hess = compile_matrix(hessian(f, names), names)
    exact_points, notes = _exact_points(f, names, lows, highs, timeout)
    roots, h_scale = _numeric_candidates(grad, hess, lows, highs, starts, 200)
    candidates = (exact_points or []) + [(r, None) for r in roots]
    diagonal = float(np.linalg.norm(highs - lows))
    points, last_used = _collect(f_num, grad, hess, candidates, h_scale, diagonal)
    if exact_points is None:
        method = "numeric"
        notes.append("these were found numerically (Newton's method from a grid of starts)")
    else:
        method = "symbolic+numeric" if last_used >= len(exact_points) else "symbolic"
    note = "; ".join(notes) + "." if notes else None
    return CriticalPoints(points, method, note)
