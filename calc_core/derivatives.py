"""Derivatives of one variable: the exact one from SymPy, numerical estimates, tangents.

The symbolic derivative is the reference; :func:`central_difference` is what a training
loop's gradient check does, and :func:`complex_step` is an estimate with no cancellation
error, exact to machine precision for analytic functions. :func:`derivative_at` decides
whether a slope exists at a point at all (corners, gaps, vertical tangents), so the page
never shows a symbolic value such as ``sign(0) = 0`` as "the slope" of ``|x|`` at 0.
The error studies (forward/backward/central, error versus step) live in
``calc_core.numerical``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import sympy
from numpy.typing import ArrayLike, NDArray

from calc_core.expressions import symbol

__all__ = [
    "MAX_ORDER",
    "PointDerivative",
    "TangentLine",
    "TangentSweep",
    "central_difference",
    "complex_step",
    "derivative",
    "derivative_at",
    "tangent_line",
    "tangent_sweep",
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


# --- does a slope exist at a point? ----------------------------------------------------------

Status = Literal["differentiable", "corner", "undefined", "not_differentiable"]
_STATUSES: tuple[Status, ...] = ("differentiable", "corner", "undefined", "not_differentiable")
_EPS = float(np.finfo(np.float64).eps)
# One-sided steps h = 1e-2 ... 1e-7 times max(1, |x0|). Features closer to x0 than about
# 1e-7 * max(1, |x0|) (a kink, the edge of the domain) are seen as being at x0.
_LADDER = 10.0 ** -np.arange(2.0, 8.0)
_CONVERGED = 1e-5  # consecutive one-sided estimates must agree to this relative size
_AGREE = 1e-4  # left and right slopes closer than this (relative, plus their spread) are equal
_SETTLED, _NO_SIDE, _BLOWS_UP, _UNSETTLED = 0, 1, 2, 3


@dataclass(frozen=True)
class _Sides:
    """Per point, ``(n,)`` arrays: one-sided estimates, their spread and their kind."""

    estimate: NDArray[np.float64]
    spread: NDArray[np.float64]
    kind: NDArray[np.int_]


def _values(f: RealFunction, x: ArrayLike) -> NDArray[np.float64]:
    with np.errstate(all="ignore"):
        return np.asarray(f(np.asarray(x, dtype=np.float64)), dtype=np.float64)


def _one_sided(f: RealFunction, xs: NDArray, f0: NDArray, side: float) -> _Sides:
    """One-sided slopes by the second-order formula ``(4f(x+h) - f(x+2h) - 3f(x)) / 2h``.

    Each point gets a ladder of shrinking steps; the estimate is taken where two consecutive
    ones agree best, and counts as settled when they agree to ``_CONVERGED`` (plus an allowance
    for rounding, ``100 eps |f| / h``).
    """
    h = side * _LADDER[None, :] * np.maximum(1.0, np.abs(xs))[:, None]
    x = xs[:, None]
    f1, f2 = _values(f, x + h), _values(f, x + 2.0 * h)
    with np.errstate(all="ignore"):
        est = (4.0 * f1 - f2 - 3.0 * f0[:, None]) / (2.0 * h)
        spread = np.abs(np.diff(est, axis=1))
        size = _CONVERGED * np.maximum(1.0, np.abs(est[:, 1:]))
        ratio = spread / (size + 100.0 * _EPS * np.abs(f0)[:, None] / np.abs(h[:, 1:]))
        magnitude = np.abs(est[:, -3:])
        growing = np.all(np.diff(magnitude, axis=1) > 0, axis=1) & (magnitude[:, -1] > 10.0)
    ratio = np.where(np.isfinite(ratio), ratio, np.inf)
    best = np.argmin(ratio, axis=1)
    rows = np.arange(xs.size)
    estimate, settled = est[rows, best + 1], ratio[rows, best] <= 1.0
    defined = np.isfinite(f1[:, -1]) & np.isfinite(f2[:, -1])
    kind = np.select(
        [~defined, settled, growing], [_NO_SIDE, _SETTLED, _BLOWS_UP], default=_UNSETTLED
    )
    estimate = np.where(kind == _SETTLED, estimate, np.nan)
    return _Sides(estimate, np.where(kind == _SETTLED, spread[rows, best], np.nan), kind)


def _snap(df: RealFunction, x: NDArray, estimate: NDArray, spread: NDArray) -> NDArray:
    """Prefer ``df`` just beside the point to a numerical slope it agrees with (cleaner)."""
    exact = _values(df, x)
    close = np.abs(exact - estimate) <= _AGREE * np.maximum(1.0, np.abs(estimate)) + spread
    return np.where(np.isfinite(exact) & close, exact, estimate)


def _classify(f: RealFunction, df: RealFunction, x0s: ArrayLike) -> dict[str, NDArray]:
    """The vectorised core of :func:`derivative_at` and :func:`tangent_sweep`."""
    xs = np.asarray(x0s, dtype=np.float64).reshape(-1)
    f0 = _values(f, xs).reshape(-1)
    left, right = _one_sided(f, xs, f0, -1.0), _one_sided(f, xs, f0, 1.0)
    both = (left.kind == _SETTLED) & (right.kind == _SETTLED)
    mid = (left.estimate + right.estimate) / 2.0
    spread = left.spread + right.spread
    with np.errstate(all="ignore"):
        gap = np.abs(left.estimate - right.estimate)
        tolerance = _AGREE * np.maximum(
            1.0, np.maximum(np.abs(left.estimate), np.abs(right.estimate))
        )
    agree = both & (gap <= tolerance + spread)
    status = np.select(
        [~np.isfinite(f0), agree, both], [2, 0, 1], default=3
    )  # indices into _STATUSES
    slope = np.where(status == 0, _snap(df, xs, mid, spread), np.nan)
    delta = 64.0 * _EPS * np.maximum(1.0, np.abs(xs))
    corner = status == 1
    lefts = np.where(corner, _snap(df, xs - delta, left.estimate, left.spread), left.estimate)
    rights = np.where(corner, _snap(df, xs + delta, right.estimate, right.spread), right.estimate)
    lefts = np.where(status == 0, slope, np.where(status == 2, np.nan, lefts))
    rights = np.where(status == 0, slope, np.where(status == 2, np.nan, rights))
    return {
        "x0": xs, "value": np.where(np.isfinite(f0), f0, np.nan), "f0": f0, "slope": slope,
        "left": lefts, "right": rights, "status": status,
        "left_kind": left.kind, "right_kind": right.kind,
    }  # fmt: skip


@dataclass(frozen=True)
class PointDerivative:
    """Whether ``f`` has a slope at ``x0``, the slope and one-sided slopes, and why not.

    Attributes:
        x0: the point.
        value: ``f(x0)``; NaN when ``f`` is undefined (or infinite) there.
        slope: ``f'(x0)``; NaN unless ``status`` is ``"differentiable"``.
        left, right: the one-sided derivatives; NaN where they do not exist.
        status: ``"differentiable"``, ``"corner"`` (both one-sided slopes exist and differ),
            ``"undefined"`` (no finite ``f(x0)``) or ``"not_differentiable"`` (a vertical
            tangent, the edge of the domain, or quotients that do not settle).
        note: one sentence for a learner.
    """

    x0: float
    value: float
    slope: float
    left: float
    right: float
    status: Status
    note: str


def _show(v: float) -> str:
    """A number as a learner reads it: 6 significant digits and a true minus sign."""
    return f"{v + 0.0:.6g}".replace("-", "−")


def _note(row: dict[str, float]) -> str:
    at, status = _show(row["x0"]), _STATUSES[int(row["status"])]
    kinds = (int(row["left_kind"]), int(row["right_kind"]))
    missing = f"so f′({at}) does not exist."
    if status == "differentiable":
        return (
            f"f is differentiable at x = {at}: its slope there is f′({at}) = {_show(row['slope'])}."
        )
    if status == "corner":
        return (
            f"f has a corner at x = {at}: the slope is {_show(row['left'])} from the left and "
            f"{_show(row['right'])} from the right, {missing}"
        )
    if status == "undefined":
        if np.isinf(row["f0"]):
            return f"f has no finite value at x = {at} (it blows up there), {missing}"
        if kinds == (_NO_SIDE, _NO_SIDE):
            return f"f is not defined at x = {at}, {missing}"
        if _NO_SIDE in kinds:
            where = "right" if kinds[0] == _NO_SIDE else "left"
            return f"f is not defined at x = {at} (only to its {where}), {missing}"
        return (
            f"f is not defined at x = {at} itself (the formula breaks down there, e.g. 0/0), "
            f"although it is defined on both sides, {missing}"
        )
    if _BLOWS_UP in kinds:
        return (
            f"The graph of f turns vertical at x = {at}: the difference quotients grow without "
            f"bound, {missing}"
        )
    if _NO_SIDE in kinds:
        side = "left" if kinds[1] == _NO_SIDE else "right"
        slope = row["right"] if side == "right" else row["left"]
        known = f" (its slope from the {side} is {_show(slope)})" if np.isfinite(slope) else ""
        return (
            f"f is defined only to the {side} of x = {at}{known}, but a derivative needs "
            f"both sides, {missing}"
        )
    return f"The difference quotients of f at x = {at} do not settle to one number, {missing}"


def derivative_at(f: RealFunction, df: RealFunction, x0: float) -> PointDerivative:
    """Decide numerically whether ``f`` is differentiable at ``x0``, and give its slope.

    The symbolic derivative alone can mislead at special points (``d|x|/dx = sign(x)`` is 0
    at 0), so the answer comes from one-sided difference quotients on a ladder of steps
    (``1e-2`` to ``1e-7`` times ``max(1, |x0|)``, second-order, compared to a relative
    ``1e-5``); ``df`` supplies the precise value when it agrees with them to ``1e-4``.

    Args:
        f, df: vectorised functions of one real array (compiled formula and its derivative).
        x0: the point.

    Returns:
        A :class:`PointDerivative`.

    Example:
        >>> point = derivative_at(np.abs, np.sign, 0.0)
        >>> point.status, point.slope, point.left, point.right
        ('corner', nan, -1.0, 1.0)
        >>> derivative_at(np.square, lambda x: 2 * x, 1.5).slope
        3.0
    """
    data = {k: float(v[0]) for k, v in _classify(f, df, [float(x0)]).items()}
    return PointDerivative(
        x0=data["x0"],
        value=data["value"],
        slope=data["slope"],
        left=data["left"],
        right=data["right"],
        status=_STATUSES[int(data["status"])],
        note=_note(data),
    )


@dataclass(frozen=True)
class TangentSweep:
    """Tangent data for many points, the frames of the tangent animation.

    Attributes:
        x0s, values, slopes: ``(n,)`` arrays; ``values`` is NaN where ``f`` is undefined and
            ``slopes`` is NaN wherever :func:`derivative_at` would not say "differentiable".
    """

    x0s: NDArray[np.float64]
    values: NDArray[np.float64]
    slopes: NDArray[np.float64]


def tangent_sweep(f: RealFunction, df: RealFunction, x0s: ArrayLike) -> TangentSweep:
    """Compute value and slope at each point, with the same checks as :func:`derivative_at`.

    Args:
        f, df: vectorised functions of one real array.
        x0s: ``(n,)`` points.

    Returns:
        A :class:`TangentSweep` of ``(n,)`` arrays.

    Example:
        >>> tangent_sweep(np.abs, np.sign, [-1.0, 0.0, 2.0]).slopes
        array([-1., nan,  1.])
    """
    data = _classify(f, df, x0s)
    return TangentSweep(data["x0"], data["value"], data["slope"])
