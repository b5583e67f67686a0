"""Symbolic derivatives of several variables: gradient, Hessian, Jacobian, and the total
derivative along a path.

Shapes follow autograd and JAX: the gradient of a scalar over ``n`` variables has ``n``
entries, the Hessian is ``(n, n)``, and the Jacobian of ``m`` outputs is ``(m, n)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sympy
from numpy.typing import ArrayLike

from calc_core.expressions import symbol

__all__ = [
    "TotalDerivative",
    "gradient",
    "hessian",
    "jacobian",
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
