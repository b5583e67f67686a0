"""Derivatives of several variables: symbolic (gradient, Hessian, Jacobian, the total derivative
along a path) and numeric (grids, gradient fields, directional derivatives, tangent planes,
steepest paths).

Shapes follow autograd and JAX: the gradient of a scalar over ``n`` variables has ``n``
entries, the Hessian is ``(n, n)``, and the Jacobian of ``m`` outputs is ``(m, n)``. Grids
follow plotly and ``numpy.meshgrid``: ``z[j, i] = f(x[i], y[j])``, rows along y.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import sympy
from numpy.typing import ArrayLike, NDArray

from calc_core.expressions import symbol

__all__ = [
    "GradientField",
    "GridSample",
    "TangentPlane",
    "TotalDerivative",
    "directional_derivative",
    "gradient",
    "gradient_field",
    "hessian",
    "jacobian",
    "sample_grid",
    "steepest_path",
    "tangent_plane",
    "total_derivative_along",
]

Function2 = Callable[[ArrayLike, ArrayLike], ArrayLike]
Range = tuple[float, float]

Variables = Sequence[str | sympy.Symbol]


def _symbols(variables: Variables, caller: str) -> tuple[sympy.Symbol, ...]:
    """Validate variables and map each to the shared real symbol of its name."""
    if isinstance(variables, str | sympy.Basic) or not isinstance(variables, Sequence):
        raise TypeError(
            f"{caller} expects a sequence of variables such as ('x', 'y'), got {variables!r}"
        )
    if not variables:
        raise ValueError(f"{caller} needs at least one variable, got {variables!r}")
    names = []
    for v in variables:
        if isinstance(v, sympy.Symbol):
            names.append(v.name)
        elif isinstance(v, str) and v.isidentifier():
            names.append(v)
        else:
            raise TypeError(f"{caller}: variable {v!r} is not a name or a sympy Symbol")
    if len(set(names)) != len(names):
        raise ValueError(f"{caller}: variables must be distinct, got {tuple(names)!r}")
    return tuple(symbol(n) for n in names)


def _scalar(expr: object, caller: str) -> sympy.Expr:
    if not isinstance(expr, sympy.Expr):
        hint = " Try jacobian for several outputs." if isinstance(expr, Sequence) else ""
        raise TypeError(f"{caller} expects one sympy expression, got {expr!r}.{hint}")
    return expr


def gradient(expr: sympy.Expr, variables: Variables) -> tuple[sympy.Expr, ...]:
    """Return the partial derivatives of a scalar formula, one per variable.

    Args:
        expr: a SymPy expression.
        variables: names or symbols, e.g. ``("x", "y")``; the order of the result.

    Returns:
        A tuple of ``n`` expressions ``(df/dv1, ..., df/dvn)``.

    Raises:
        TypeError, ValueError: for a non-expression or bad variables (quoted in the message).

    Example:
        >>> from calc_core.expressions import parse_expression
        >>> gradient(parse_expression("x**2*y", ("x", "y")), ("x", "y"))
        (2*x*y, x**2)
    """
    f = _scalar(expr, "gradient")
    return tuple(sympy.diff(f, v) for v in _symbols(variables, "gradient"))


def hessian(expr: sympy.Expr, variables: Variables) -> sympy.Matrix:
    """Return the matrix of second partial derivatives of a scalar formula.

    Args:
        expr: a SymPy expression.
        variables: names or symbols, e.g. ``("x", "y")``.

    Returns:
        A symmetric ``(n, n)`` SymPy Matrix with entries ``d2f / dvi dvj``.

    Example:
        >>> from calc_core.expressions import parse_expression
        >>> hessian(parse_expression("x**2*y", ("x", "y")), ("x", "y"))
        Matrix([
        [2*y, 2*x],
        [2*x,   0]])
    """
    f = _scalar(expr, "hessian")
    syms = _symbols(variables, "hessian")
    first = [sympy.diff(f, v) for v in syms]
    n = len(syms)
    rows = [[None] * n for _ in range(n)]
    for i in range(n):
        for j in range(i, n):
            rows[i][j] = rows[j][i] = sympy.diff(first[i], syms[j])
    return sympy.Matrix(rows)


def jacobian(exprs: Sequence[sympy.Expr], variables: Variables) -> sympy.Matrix:
    """Return the matrix of partial derivatives of several formulas.

    Args:
        exprs: ``m`` SymPy expressions (the outputs).
        variables: ``n`` names or symbols (the inputs).

    Returns:
        An ``(m, n)`` SymPy Matrix with entry ``(i, j)`` equal to ``d exprs[i] / d vars[j]``.

    Example:
        >>> from calc_core.expressions import parse_expression
        >>> jacobian([parse_expression(t, ("x", "y")) for t in ("x*y", "x + y")], ("x", "y"))
        Matrix([
        [y, x],
        [1, 1]])
    """
    if isinstance(exprs, sympy.Expr) or not isinstance(exprs, Sequence):
        raise TypeError(f"jacobian expects a sequence of sympy expressions, got {exprs!r}")
    if not exprs:
        raise ValueError(f"jacobian needs at least one expression, got {exprs!r}")
    for e in exprs:
        if not isinstance(e, sympy.Expr):
            raise TypeError(f"jacobian: {e!r} is not a sympy expression")
    syms = _symbols(variables, "jacobian")
    return sympy.Matrix([[sympy.diff(e, v) for v in syms] for e in exprs])


# --- numbers on grids and at points -----------------------------------------------------------


def _finite(values: ArrayLike, shape: tuple[int, ...]) -> NDArray[np.float64]:
    """float64 of `shape`, NaN wherever the value is not a finite real number."""
    with np.errstate(all="ignore"):
        out = np.broadcast_to(np.asarray(values, dtype=np.float64), shape).copy()
    out[~np.isfinite(out)] = np.nan
    return out


def _axis(bounds: Range, n: int, name: str) -> NDArray[np.float64]:
    low, high = float(bounds[0]), float(bounds[1])
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ValueError(f"{name} must be two finite numbers, low < high; got {bounds!r}")
    if int(n) < 2:
        raise ValueError(f"a grid needs at least 2 points per side, got {n!r}")
    return np.linspace(low, high, int(n))


@dataclass(frozen=True)
class GridSample:
    """A function of (x, y) sampled on a rectangular grid.

    Attributes:
        x: (n,) the grid's x values; y: (m,) its y values.
        z: (m, n) with ``z[j, i] = f(x[i], y[j])``; NaN where f is undefined or not finite.
    """

    x: NDArray[np.float64]
    y: NDArray[np.float64]
    z: NDArray[np.float64]


def sample_grid(f: Function2, x_range: Range, y_range: Range, n: int) -> GridSample:
    """Sample a vectorised f(x, y) on an n x n grid over the window.

    Args:
        f: numpy-vectorised function of two arrays (as `compile_expression` returns).
        x_range, y_range: (low, high) of the window, low < high.
        n: points per side, at least 2.

    Returns:
        A `GridSample`; a constant formula still gives an (n, n) array.

    Example:
        >>> grid = sample_grid(lambda x, y: x + y, (0, 1), (0, 2), 3)
        >>> grid.z[2, 1]  # f(0.5, 2.0)
        np.float64(2.5)
    """
    xs, ys = _axis(x_range, n, "x range"), _axis(y_range, n, "y range")
    gx, gy = np.meshgrid(xs, ys)
    return GridSample(xs, ys, _finite(f(gx, gy), gx.shape))


@dataclass(frozen=True)
class GradientField:
    """The gradient sampled on a grid, flattened: one arrow per grid point.

    Attributes:
        x, y: (k,) where each arrow starts.
        u, v: (k,) the gradient's components ∂f/∂x and ∂f/∂y there (NaN where undefined).
        magnitude: (k,) the gradient's length |∇f|.
    """

    x: NDArray[np.float64]
    y: NDArray[np.float64]
    u: NDArray[np.float64]
    v: NDArray[np.float64]
    magnitude: NDArray[np.float64]


def gradient_field(
    fx: Function2, fy: Function2, x_range: Range, y_range: Range, n: int
) -> GradientField:
    """The gradient (∂f/∂x, ∂f/∂y) on an n x n grid over the window.

    Args:
        fx, fy: vectorised partial derivatives of f.
        x_range, y_range: the window; n: arrows per side.

    Returns:
        A `GradientField` of n² arrows, row by row (y outer, x inner).
    """
    xs, ys = _axis(x_range, n, "x range"), _axis(y_range, n, "y range")
    gx, gy = np.meshgrid(xs, ys)
    u = _finite(fx(gx, gy), gx.shape).ravel()
    v = _finite(fy(gx, gy), gx.shape).ravel()
    return GradientField(gx.ravel(), gy.ravel(), u, v, np.hypot(u, v))


def directional_derivative(gradient_at_point: Sequence[float], angle: ArrayLike) -> ArrayLike:
    """D_u f = ∇f · u for the unit vector u = (cos angle, sin angle).

    Args:
        gradient_at_point: (∂f/∂x, ∂f/∂y) at the point.
        angle: the direction's angle in radians from the positive x axis (a number or array).

    Returns:
        The rate of change of f per unit distance in that direction: largest (|∇f|) along the
        gradient, zero along the level curve, most negative (−|∇f|) against the gradient.

    Example:
        >>> float(directional_derivative((3.0, 4.0), 0.0))
        3.0
    """
    gx, gy = (float(g) for g in gradient_at_point)
    theta = np.asarray(angle, dtype=np.float64)
    result = gx * np.cos(theta) + gy * np.sin(theta)
    return float(result) if result.ndim == 0 else result


@dataclass(frozen=True)
class TangentPlane:
    """The first-order model of f at (x0, y0): z = z0 + fx·(x − x0) + fy·(y − y0).

    Attributes:
        x0, y0: the point; z0: f there; fx, fy: the partial derivatives there.
    """

    x0: float
    y0: float
    z0: float
    fx: float
    fy: float

    def at(self, x: ArrayLike, y: ArrayLike) -> ArrayLike:
        """The plane's height at (x, y), numbers or arrays."""
        return self.z0 + self.fx * (np.asarray(x) - self.x0) + self.fy * (np.asarray(y) - self.y0)

    @property
    def normal(self) -> tuple[float, float, float]:
        """A normal vector of the plane (and of the surface at the point): (fx, fy, −1)."""
        return (self.fx, self.fy, -1.0)


def tangent_plane(f: Function2, fx: Function2, fy: Function2, x0: float, y0: float) -> TangentPlane:
    """The tangent plane of z = f(x, y) at (x0, y0); NaN entries where f is undefined there."""
    values = [float(_finite(g(np.float64(x0), np.float64(y0)), ())) for g in (f, fx, fy)]
    return TangentPlane(float(x0), float(y0), *values)


def steepest_path(
    grad: Callable[[float, float], Sequence[float]],
    start: Sequence[float],
    step: float,
    steps: int,
    *,
    ascent: bool = True,
    bounds: tuple[Range, Range] | None = None,
) -> NDArray[np.float64]:
    """Follow ±∇f from `start` in steps of fixed length (the direction, not the size, of ∇f).

    The path stops early where the gradient vanishes or is undefined, where it would leave
    `bounds`, and where the direction turns back on itself (the path has reached a peak or a
    valley floor, within one step).

    Args:
        grad: (x, y) -> (∂f/∂x, ∂f/∂y) at one point.
        start: (x0, y0).
        step: the length of each step, > 0.
        steps: the most steps to take.
        ascent: True to climb (along ∇f), False to descend (against it).
        bounds: ((x_low, x_high), (y_low, y_high)) the path stays in, or None.

    Returns:
        (k + 1, 2) points, the start first, k <= steps.
    """
    if not step > 0:
        raise ValueError(f"step must be positive, got {step!r}")
    sign = 1.0 if ascent else -1.0
    point = np.asarray(start, dtype=np.float64)
    points = [point]
    previous = None
    for _ in range(int(steps)):
        g = np.asarray(grad(float(point[0]), float(point[1])), dtype=np.float64)
        norm = float(np.hypot(g[0], g[1]))
        if not np.isfinite(norm) or norm < 1e-12:
            break
        direction = sign * g / norm
        if previous is not None and float(direction @ previous) < -0.5:
            break  # crossed the crest or the floor: the next step would come straight back
        candidate = point + step * direction
        if bounds is not None and not (
            bounds[0][0] <= candidate[0] <= bounds[0][1]
            and bounds[1][0] <= candidate[1] <= bounds[1][1]
        ):
            break
        point, previous = candidate, direction
        points.append(point)
    return np.array(points)


# --- the total derivative along a path ---------------------------------------------------------


@dataclass(frozen=True)
class TotalDerivative:
    """d/dt f(x(t), y(t)) two ways, as SymPy expressions in t.

    Attributes:
        composition: f(x(t), y(t)) itself.
        chain_rule: ∂f/∂x(x(t), y(t))·x′(t) + ∂f/∂y(x(t), y(t))·y′(t).
        terms: the two products of that sum, (f_x·x′, f_y·y′).
        direct: the derivative of the composition, differentiated as one formula of t.
    """

    composition: sympy.Expr
    chain_rule: sympy.Expr
    terms: tuple[sympy.Expr, sympy.Expr]
    direct: sympy.Expr


def total_derivative_along(
    expr: sympy.Expr,
    path: Sequence[sympy.Expr],
    variables: Variables = ("x", "y"),
    parameter: str = "t",
) -> TotalDerivative:
    """The total derivative of f along a path, by the chain rule and directly.

    Args:
        expr: f, a SymPy expression in `variables`.
        path: (x(t), y(t)), one SymPy expression in `parameter` per variable.
        variables: f's variables, in the path's order.
        parameter: the path's parameter.

    Returns:
        A `TotalDerivative`; `chain_rule` and `direct` are equal as functions of t (the tests
        check it numerically); neither is simplified (simplification can be costly).

    Example:
        >>> from calc_core.expressions import parse_expression
        >>> f = parse_expression("x*y", ("x", "y"))
        >>> path = [parse_expression(s, ("t",)) for s in ("cos(t)", "sin(t)")]
        >>> total_derivative_along(f, path).chain_rule
        -sin(t)**2 + cos(t)**2
    """
    f = _scalar(expr, "total_derivative_along")
    syms = _symbols(variables, "total_derivative_along")
    if len(path) != len(syms):
        raise ValueError(
            f"total_derivative_along: the path has {len(path)} coordinates for "
            f"{len(syms)} variables"
        )
    t = symbol(parameter)
    on_path = dict(zip(syms, path, strict=True))
    terms = tuple(
        sympy.diff(f, v).subs(on_path, simultaneous=True) * sympy.diff(c, t)
        for v, c in zip(syms, path, strict=True)
    )
    composition = f.subs(on_path, simultaneous=True)
    return TotalDerivative(composition, sympy.Add(*terms), terms, sympy.diff(composition, t))
