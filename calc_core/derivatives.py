"""Derivatives of one variable: the exact one from SymPy and two numerical estimates.

The symbolic derivative is the reference; :func:`central_difference` is what a training
loop's gradient check does, and :func:`complex_step` is an estimate with no cancellation
error, exact to machine precision for analytic functions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import sympy
from numpy.typing import ArrayLike, NDArray

from calc_core.expressions import symbol

__all__ = [
    "MAX_ORDER",
    "TangentLine",
    "central_difference",
    "complex_step",
    "derivative",
    "tangent_line",
]

MAX_ORDER = 10
RealFunction = Callable[[NDArray[np.float64]], ArrayLike]


def derivative(expr: sympy.Expr, variable: str | sympy.Symbol = "x", order: int = 1) -> sympy.Expr:
    """Differentiate a formula with respect to one variable.

    Args:
        expr: a SymPy expression, usually from ``parse_expression``.
        variable: the variable's name, or its symbol (mapped to the shared real symbol).
        order: how many times to differentiate, from 1 to ``MAX_ORDER``.

    Returns:
        The derivative as a SymPy expression (not simplified).

    Raises:
        TypeError: if ``expr`` is not a SymPy expression or ``variable`` is not a name.
        ValueError: if ``order`` is not a whole number from 1 to ``MAX_ORDER``.

    Example:
        >>> from calc_core.expressions import parse_expression
        >>> derivative(parse_expression("x**2 + 3*x + 5"))
        2*x + 3
    """
    if not isinstance(expr, sympy.Expr):
        raise TypeError(f"derivative expects a sympy expression, got {expr!r}")
    x = _as_symbol(variable)
    if isinstance(order, bool) or not isinstance(order, int) or not 1 <= order <= MAX_ORDER:
        raise ValueError(f"order must be a whole number from 1 to {MAX_ORDER}, got {order!r}")
    return sympy.diff(expr, x, order)


def _as_symbol(variable: str | sympy.Symbol) -> sympy.Symbol:
    if isinstance(variable, sympy.Symbol):
        return symbol(variable.name)
    if isinstance(variable, str) and variable.isidentifier():
        return symbol(variable)
    raise TypeError(f"variable must be a name such as 'x' or a sympy Symbol, got {variable!r}")


def central_difference(f: RealFunction, x0: ArrayLike, h: float = 1e-6) -> NDArray[np.float64]:
    """Estimate ``f'(x0)`` by the central difference ``(f(x0 + h) - f(x0 - h)) / 2h``.

    This is the lesson's ``numerical_gradient``: its error shrinks like ``h**2`` until
    rounding error (about ``1e-16 * |f| / h``) takes over.

    Args:
        f: a vectorised function of one real array, e.g. from ``compile_expression``.
        x0: the point or points, any shape.
        h: the step, positive.

    Returns:
        The estimates, float64 with the shape of ``x0`` (0-d for a single point).

    Example:
        >>> float(central_difference(lambda x: x**2 + 3*x + 5, 2.0))  # exact: 7
        7.000000000...
    """
    if not h > 0:
        raise ValueError(f"step h must be positive, got {h!r}")
    x = np.asarray(x0, dtype=np.float64)
    with np.errstate(all="ignore"):
        upper = np.asarray(f(x + h), dtype=np.float64)
        lower = np.asarray(f(x - h), dtype=np.float64)
        return (upper - lower) / (2.0 * h)


def complex_step(
    f: Callable[[NDArray[np.complex128]], ArrayLike], x0: ArrayLike, h: float = 1e-20
) -> NDArray[np.float64]:
    """Estimate ``f'(x0)`` by the complex step ``Im f(x0 + ih) / h``.

    No difference of nearly equal numbers is taken, so ``h`` can be tiny and the result is
    exact to machine precision. ``f`` must accept complex arrays and be analytic near
    ``x0`` (``compile_complex`` gives such a function; ``abs`` and ``relu`` are not analytic).

    Args:
        f: a vectorised function that accepts complex arrays.
        x0: the real point or points, any shape.
        h: the imaginary step, positive.

    Returns:
        The estimates, float64 with the shape of ``x0``.

    Example:
        >>> float(complex_step(lambda x: x**3, 2.0))  # exact: 12
        12.0
    """
    if not h > 0:
        raise ValueError(f"step h must be positive, got {h!r}")
    x = np.asarray(x0, dtype=np.float64) + 1j * h
    with np.errstate(all="ignore"):
        return np.asarray(np.imag(f(x)), dtype=np.float64) / h


@dataclass(frozen=True)
class TangentLine:
    """The tangent line ``y = y0 + slope * (x - x0)`` at the point ``(x0, y0)``.

    Example:
        >>> TangentLine(x0=2.0, y0=15.0, slope=7.0).at(3.0)
        22.0
    """

    x0: float
    y0: float
    slope: float

    @property
    def intercept(self) -> float:
        """Where the line crosses the y axis."""
        return self.y0 - self.slope * self.x0

    def at(self, x: ArrayLike) -> NDArray[np.float64] | float:
        """Evaluate the line at ``x`` (a number or an array of any shape)."""
        values = self.y0 + self.slope * (np.asarray(x, dtype=np.float64) - self.x0)
        return float(values) if values.ndim == 0 else values


def tangent_line(f: RealFunction, df: RealFunction, x0: float) -> TangentLine:
    """Return the tangent line to ``f`` at ``x0``, given ``f`` and its derivative ``df``.

    Args:
        f, df: vectorised functions of one real array (e.g. compiled formulas).
        x0: the point of tangency.

    Returns:
        A :class:`TangentLine`; ``y0`` or ``slope`` is NaN where ``f`` or ``df`` is undefined.

    Example:
        >>> tangent_line(lambda x: x**2, lambda x: 2 * x, 3.0)
        TangentLine(x0=3.0, y0=9.0, slope=6.0)
    """
    x = float(x0)
    return TangentLine(x0=x, y0=float(np.asarray(f(x))), slope=float(np.asarray(df(x))))
