"""Compositions y = f(g(x)) and the chain rule: rates of change multiply along the chain.

A chain is a list of links, outermost first. Every link is a formula in its own variable:
the innermost one in ``x``, the others in ``u`` (``sin(u)`` after ``2x²`` is ``sin(2x²)``).
Composing substitutes each inner link for the next outer link's ``u``.

:func:`chain_at` evaluates a chain at a point: every intermediate value, every link's
derivative at its own input, their product (the chain rule) and the derivative of the whole
composition computed directly, the independent check. :meth:`ChainAtPoint.propagate` follows a
small step Δx through the chain: Δu ≈ g′(x0)·Δx, then Δy ≈ f′(u0)·Δu, beside the actual changes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import sympy
from numpy.typing import NDArray

from calc_core.derivatives import derivative
from calc_core.expressions import compile_expression, symbol
from calc_core.multivariate import gradient

__all__ = [
    "LINK_VARIABLE",
    "Chain",
    "ChainAtPoint",
    "Propagation",
    "chain_at",
    "compose",
    "make_chain",
    "stage_names",
    "sympy_gradient_at",
]

LINK_VARIABLE = "u"  # the variable of every link but the innermost (which is in x)


def compose(links: Sequence[sympy.Expr]) -> sympy.Expr:
    """The composition of links given outermost first: ``compose([f, g]) = f(g(x))``.

    Args:
        links: at least one SymPy expression; the last in ``x``, the others in ``u``.

    Returns:
        The composed formula in ``x``.

    Raises:
        ValueError: for an empty chain.

    Example:
        >>> from calc_core.expressions import parse_expression
        >>> compose([parse_expression("sin(u)", ("u",)), parse_expression("2x^2")])
        sin(2*x**2)
    """
    if not links:
        raise ValueError("A chain needs at least one link, e.g. [sin(u), 2x²].")
    u = symbol(LINK_VARIABLE)
    result = links[-1]
    for outer in reversed(links[:-1]):
        result = outer.subs(u, result)
    return result


def stage_names(count: int) -> tuple[str, ...]:
    """Names of the values along a chain of ``count`` links, input first, output last.

    Example:
        >>> stage_names(2), stage_names(3)
        (('x', 'u', 'y'), ('x', 'u', 'v', 'y'))
    """
    middle = ("u", "v", "w", "s", "t")[: count - 1]
    return ("x", *middle, "y")


@dataclass(frozen=True)
class Chain:
    """A chain of links with the derivatives the chain rule needs.

    Attributes:
        links: the links, outermost first; the last in ``x``, the others in ``u``.
        link_derivatives: each link's derivative in its own variable, aligned with ``links``.
        composition: the whole formula in ``x``.
        direct_derivative: d/dx of ``composition``, by SymPy: the independent check.
    """

    links: tuple[sympy.Expr, ...]
    link_derivatives: tuple[sympy.Expr, ...]
    composition: sympy.Expr
    direct_derivative: sympy.Expr
    functions: tuple[Callable, ...] = field(repr=False, compare=False, default=())
    slopes: tuple[Callable, ...] = field(repr=False, compare=False, default=())
    direct: Callable | None = field(repr=False, compare=False, default=None)

    def values_along(self, x: float) -> tuple[float, ...]:
        """The values ``(x, u, ..., y)`` along the chain at ``x`` (NaN where undefined)."""
        values = [float(x)]
        for f in reversed(self.functions):
            values.append(float(f(values[-1])))
        return tuple(values)

    def output(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        """y = f(g(...(x))) for an array of x, with the compiled links (NaN where undefined)."""
        value = np.asarray(x, dtype=np.float64)
        for f in reversed(self.functions):
            value = f(value)
        return value


def make_chain(links: Sequence[sympy.Expr]) -> Chain:
    """Differentiate and compile a chain given outermost first.

    Args:
        links: SymPy expressions; the last in ``x``, the others in ``u``.

    Returns:
        A :class:`Chain` ready for :func:`chain_at`.

    Example:
        >>> from calc_core.expressions import parse_expression
        >>> c = make_chain([parse_expression("sin(u)", ("u",)), parse_expression("2x^2")])
        >>> c.link_derivatives
        (cos(u), 4*x)
    """
    links = tuple(links)
    composition = compose(links)
    names = [(LINK_VARIABLE,)] * (len(links) - 1) + [("x",)]
    link_derivatives = tuple(derivative(e, v[0]) for e, v in zip(links, names, strict=True))
    direct_derivative = derivative(composition, "x")
    return Chain(
        links=links,
        link_derivatives=link_derivatives,
        composition=composition,
        direct_derivative=direct_derivative,
        functions=tuple(compile_expression(e, v) for e, v in zip(links, names, strict=True)),
        slopes=tuple(
            compile_expression(e, v) for e, v in zip(link_derivatives, names, strict=True)
        ),
        direct=compile_expression(direct_derivative, ("x",)),
    )


@dataclass(frozen=True)
class Propagation:
    """A step Δx followed through a chain.

    Attributes:
        linear: ``(Δx, Δu, ..., Δy)`` by the tangents: each Δ is the link's slope times the
            previous linear Δ (the chain rule in differences).
        actual: ``(Δx, Δu, ..., Δy)`` as the functions really change.
    """

    linear: tuple[float, ...]
    actual: tuple[float, ...]


@dataclass(frozen=True)
class ChainAtPoint:
    """A chain at one point x0.

    Attributes:
        x0: the point.
        values: ``(x0, u0, ..., y0)``: the input, each link's output, the last is y0.
        slopes: each link's derivative at its own input, innermost first:
            ``(g′(x0), f′(u0))`` for ``y = f(g(x))``.
        product: the product of ``slopes``: dy/dx by the chain rule.
        direct: dy/dx from the derivative of the whole composition.
    """

    x0: float
    values: tuple[float, ...]
    slopes: tuple[float, ...]
    product: float
    direct: float
    chain: Chain = field(repr=False, compare=False)

    def propagate(self, dx: float) -> Propagation:
        """Follow a step ``dx`` through the chain, by the tangents and actually.

        Example:
            >>> from calc_core.expressions import parse_expression
            >>> c = make_chain([parse_expression("u^2", ("u",)), parse_expression("3x")])
            >>> chain_at(c, 1.0).propagate(0.1).linear   # Δu = 3·0.1, Δy = 6·Δu
            (0.1, 0.30000000000000004, 1.8000000000000003)
        """
        linear = [float(dx)]
        for slope in self.slopes:
            linear.append(slope * linear[-1])
        moved = self.chain.values_along(self.x0 + dx)
        actual = tuple(b - a for a, b in zip(self.values, moved, strict=True))
        return Propagation(linear=tuple(linear), actual=(float(dx), *actual[1:]))


def chain_at(chain: Chain, x0: float) -> ChainAtPoint:
    """Evaluate a chain, its links' slopes and both derivatives at ``x0``.

    Args:
        chain: from :func:`make_chain`.
        x0: the point.

    Returns:
        A :class:`ChainAtPoint`; NaN where a value or a slope is undefined.

    Example:
        >>> from calc_core.expressions import parse_expression
        >>> c = make_chain([parse_expression("sin(u)", ("u",)), parse_expression("2x^2")])
        >>> p = chain_at(c, 1.0)
        >>> round(p.product, 6) == round(4 * math.cos(2.0), 6) == round(p.direct, 6)
        True
    """
    values = chain.values_along(x0)
    slopes = tuple(float(df(u)) for df, u in zip(reversed(chain.slopes), values[:-1], strict=True))
    direct = float(chain.direct(float(x0))) if chain.direct is not None else math.nan
    return ChainAtPoint(
        x0=float(x0),
        values=values,
        slopes=slopes,
        product=float(np.prod(slopes)),
        direct=direct,
        chain=chain,
    )


def sympy_gradient_at(
    expr: sympy.Expr, variables: Sequence[str], point: Mapping[str, float]
) -> dict[str, float]:
    """SymPy's gradient of a formula at a point: the check for a graph's backward pass.

    Args:
        expr: a SymPy expression in ``variables``.
        variables: names, e.g. ``("x", "y")``; the order of the result.
        point: a number for every variable.

    Returns:
        ``{variable: ∂expr/∂variable at point}`` (NaN where undefined).

    Example:
        >>> from calc_core.expressions import parse_expression
        >>> sympy_gradient_at(parse_expression("x*y", ("x", "y")), ("x", "y"), {"x": 2, "y": 3})
        {'x': 3.0, 'y': 2.0}
    """
    names = tuple(variables)
    args = [float(point[v]) for v in names]
    return {
        v: float(compile_expression(d, names)(*args))
        for v, d in zip(names, gradient(expr, names), strict=True)
    }
