"""Numerical derivatives and how their error depends on the step ``h``.

Four finite-difference estimates of ``f'(x)`` and the studies the derivatives page draws:
the limit definition's table of difference quotients, the error versus step size on a
log-log plot (truncation error falls as ``h`` shrinks until rounding error, about
``eps * |f| / h``, takes over), and the secant line turning into the tangent.

The formulas are the textbook ones with the nominal ``h`` (no re-rounding of ``x + h``), so
the numbers are those a learner gets by typing the formula into numpy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from calc_core.derivatives import complex_step

__all__ = [
    "METHODS",
    "DifferenceQuotient",
    "ErrorStudy",
    "Method",
    "SecantSweep",
    "default_step",
    "difference_quotients",
    "error_versus_step",
    "numerical_derivative",
    "secant_sweep",
]

Method = Literal["forward", "backward", "central", "complex_step"]
METHODS: tuple[Method, ...] = ("forward", "backward", "central", "complex_step")
EPS = float(np.finfo(np.float64).eps)
RealFunction = Callable[[NDArray[np.float64]], ArrayLike]
ComplexFunction = Callable[[NDArray[np.complex128]], ArrayLike]

# The error of a one-sided quotient is about |f''| h / 2 + 2 eps |f| / h (best near sqrt(eps)),
# of a central one |f'''| h**2 / 6 + eps |f| / h (best near cbrt(eps)).
_STEP_EXPONENT = {"forward": 1 / 2, "backward": 1 / 2, "central": 1 / 3}
COMPLEX_STEP_H = 1e-20


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")


def default_step(method: Method, x0: float = 0.0) -> float:
    """Return a near-optimal step ``h`` for a finite-difference method at ``x0``.

    Args:
        method: one of :data:`METHODS`.
        x0: the point; steps grow with ``max(1, |x0|)`` so that ``x0 + h`` differs from ``x0``.

    Returns:
        ``sqrt(eps) * max(1, |x0|)`` for forward and backward, ``cbrt(eps) * max(1, |x0|)`` for
        central, and ``1e-20`` for the complex step (it has no cancellation error).

    Raises:
        ValueError: if ``method`` is not one of :data:`METHODS`.

    Example:
        >>> default_step("forward"), default_step("central", 100.0)
        (1.4901161193847656e-08, 0.0006055454452393343)
    """
    _check_method(method)
    if method == "complex_step":
        return COMPLEX_STEP_H
    return float(EPS ** _STEP_EXPONENT[method] * max(1.0, abs(float(x0))))


def numerical_derivative(
    f: RealFunction,
    x: ArrayLike,
    h: float | None = None,
    method: Method = "central",
    *,
    f_complex: ComplexFunction | None = None,
) -> NDArray[np.float64] | float:
    """Estimate ``f'(x)`` by a finite difference or by the complex step.

    ``forward`` is ``(f(x + h) - f(x)) / h``, ``backward`` is ``(f(x) - f(x - h)) / h``,
    ``central`` is ``(f(x + h) - f(x - h)) / 2h`` (the lesson's ``numerical_gradient``) and
    ``complex_step`` is ``Im f(x + ih) / h``.

    Args:
        f: a vectorised real function, e.g. from ``compile_expression``.
        x: the point or points, any shape.
        h: the step, positive; by default :func:`default_step` at each point.
        method: one of :data:`METHODS`.
        f_complex: the same formula compiled for complex input (``compile_complex``);
            required by ``complex_step`` and ignored by the others.

    Returns:
        A float for a scalar ``x``, otherwise a float64 array with the shape of ``x``; NaN
        where ``f`` is undefined.

    Raises:
        ValueError: for an unknown method, a step that is not positive, or ``complex_step``
            without ``f_complex``.

    Example:
        >>> f = lambda x: x**2 + 3 * x + 5
        >>> numerical_derivative(f, 2.0, 1e-3, "forward")  # exact: 7
        7.000999999998925
    """
    _check_method(method)
    if h is not None and not (isinstance(h, int | float) and h > 0 and np.isfinite(h)):
        raise ValueError(f"step h must be a positive number, got {h!r}")
    xs = np.asarray(x, dtype=np.float64)
    if method == "complex_step":
        if f_complex is None:
            raise ValueError(
                "method 'complex_step' needs f_complex, the formula compiled for complex "
                "input (compile_complex(expr)); f itself only takes real numbers"
            )
        out = complex_step(f_complex, xs, COMPLEX_STEP_H if h is None else float(h))
    else:
        step = (
            EPS ** _STEP_EXPONENT[method] * np.maximum(1.0, np.abs(xs)) if h is None else float(h)
        )
        out = _difference(f, xs, step, method)
    return float(out) if np.ndim(out) == 0 else np.asarray(out, dtype=np.float64)


def _values(f: RealFunction, x: ArrayLike) -> NDArray[np.float64]:
    with np.errstate(all="ignore"):
        return np.asarray(f(np.asarray(x, dtype=np.float64)), dtype=np.float64)


def _difference(f: RealFunction, x: NDArray, h: ArrayLike, method: str) -> NDArray[np.float64]:
    with np.errstate(all="ignore"):
        if method == "forward":
            return (_values(f, x + h) - _values(f, x)) / h
        if method == "backward":
            return (_values(f, x) - _values(f, x - h)) / h
        return (_values(f, x + h) - _values(f, x - h)) / (2.0 * np.asarray(h))


@dataclass(frozen=True)
class DifferenceQuotient:
    """One row of the limit definition's table: ``(f(x0 + h) - f(x0)) / h`` and its error.

    Attributes:
        h: the step.
        quotient: the forward difference quotient.
        error: ``quotient - exact`` (signed).
    """

    h: float
    quotient: float
    error: float


def difference_quotients(
    f: RealFunction,
    x0: float,
    exact: float,
    hs: Sequence[float] = (1.0, 1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8),
) -> tuple[DifferenceQuotient, ...]:
    """Tabulate forward difference quotients as ``h`` shrinks toward 0.

    Args:
        f: a vectorised real function.
        x0: the point.
        exact: the exact derivative ``f'(x0)``, for the error column.
        hs: the steps, in the order of the table's rows.

    Returns:
        One :class:`DifferenceQuotient` per step, in the order of ``hs``.

    Example:
        >>> rows = difference_quotients(lambda x: 3 * x**2 - 4 * x, 1.0, 2.0, (0.1, 0.01))
        >>> [round(r.quotient, 9) for r in rows]
        [2.3, 2.03]
    """
    steps = np.asarray(hs, dtype=np.float64)
    if steps.ndim != 1 or not np.all(steps > 0):
        raise ValueError(f"hs must be positive steps, got {hs!r}")
    quotients = _difference(f, np.float64(x0), steps, "forward")
    return tuple(
        DifferenceQuotient(h=float(h), quotient=float(q), error=float(q - exact))
        for h, q in zip(steps, quotients, strict=True)
    )


@dataclass(frozen=True)
class ErrorStudy:
    """The absolute error of each method against the step, for a log-log plot.

    Attributes:
        hs: ``(n,)`` log-spaced steps, increasing.
        errors: method -> ``(n,)`` array of ``|estimate - exact|``; NaN where an estimate is
            undefined, and errors below :attr:`floor` raised to it (a log axis cannot show 0).
            ``complex_step`` is present only when ``f_complex`` was given.
        best_h: measured step with the smallest error, for forward, backward and central
            (``log(error)`` averaged over 5 neighbouring steps first, so that one lucky
            cancellation does not count as the best step).
        theory_best_h: ``eps**(1/2)`` (forward, backward) or ``eps**(1/3)`` (central), times
            ``max(1, |x0|)``.
        exact: the exact derivative used as reference.
        x0: the point.
        floor: ``eps / 2 * max(1, |exact|)``, half a unit in the last place of the exact value:
            no float estimate can be meaningfully closer than that.
    """

    hs: NDArray[np.float64]
    errors: dict[str, NDArray[np.float64]]
    best_h: dict[str, float]
    theory_best_h: dict[str, float]
    exact: float
    x0: float
    floor: float


def error_versus_step(
    f: RealFunction,
    x0: float,
    exact: float,
    *,
    f_complex: ComplexFunction | None = None,
    hs: ArrayLike | None = None,
) -> ErrorStudy:
    """Measure how the error of each method depends on the step ``h``.

    Args:
        f: a vectorised real function.
        x0: the point.
        exact: the exact derivative ``f'(x0)`` (e.g. from the symbolic derivative).
        f_complex: the formula compiled for complex input, to include the complex step.
        hs: the steps, positive; default ``np.logspace(-16, 0, 97)`` (6 per decade).

    Returns:
        An :class:`ErrorStudy`; all arrays have shape ``(len(hs),)``.

    Raises:
        ValueError: if ``exact`` or ``x0`` is not finite or a step is not positive.

    Example:
        >>> study = error_versus_step(np.exp, 1.0, float(np.e))
        >>> 1e-7 < study.best_h["central"] < 1e-4
        True
    """
    if not (np.isfinite(x0) and np.isfinite(exact)):
        raise ValueError(f"x0 and exact must be finite numbers, got {x0!r} and {exact!r}")
    steps = np.logspace(-16, 0, 97) if hs is None else np.sort(np.asarray(hs, dtype=np.float64))
    if steps.ndim != 1 or steps.size == 0 or not np.all(steps > 0):
        raise ValueError(f"hs must be positive steps, got {hs!r}")
    x = np.float64(x0)
    floor = 0.5 * EPS * max(1.0, abs(float(exact)))
    estimates = {m: _difference(f, x, steps, m) for m in ("forward", "backward", "central")}
    if f_complex is not None:
        with np.errstate(all="ignore"):
            shifted = np.asarray(f_complex(x + 1j * steps), dtype=np.complex128)
            estimates["complex_step"] = shifted.imag / steps
    errors = {}
    for method, estimate in estimates.items():
        error = np.abs(estimate - float(exact))
        errors[method] = np.where(np.isfinite(error), np.maximum(error, floor), np.nan)
    best_h = {m: _best_step(steps, errors[m]) for m in ("forward", "backward", "central")}
    theory = {m: default_step(m, x0) for m in ("forward", "backward", "central")}
    return ErrorStudy(steps, errors, best_h, theory, float(exact), float(x0), floor)


def _best_step(steps: NDArray[np.float64], errors: NDArray[np.float64]) -> float:
    """The step where the error, averaged in log over 5 neighbouring steps, is smallest.

    Round-off makes single errors scatter by orders of magnitude (a lucky cancellation can
    give a tiny error at a poor step); averaging ``log(error)`` over a short window finds the
    bottom of the V that the log-log plot shows.
    """
    logs = np.log10(errors)
    finite = np.isfinite(logs)
    if not finite.any():
        return float("nan")
    window = np.ones(min(5, steps.size))
    total = np.convolve(np.where(finite, logs, 0.0), window, mode="same")
    count = np.convolve(finite.astype(float), window, mode="same")
    with np.errstate(all="ignore"):
        smooth = np.where(finite & (count > 0), total / count, np.inf)
    return float(steps[np.argmin(smooth)])


@dataclass(frozen=True)
class SecantSweep:
    """Secant lines through ``(x0, y0)`` and ``(x0 + h, y1)`` as ``h`` shrinks.

    Attributes:
        x0, y0: the fixed point on the graph.
        hs: ``(n,)`` steps, decreasing (the order of the animation).
        quotients: ``(n,)`` slopes ``(y1 - y0) / h``; NaN where ``f`` is undefined.
        y1: ``(n,)`` values ``f(x0 + h)``.
    """

    x0: float
    y0: float
    hs: NDArray[np.float64]
    quotients: NDArray[np.float64]
    y1: NDArray[np.float64]


def secant_sweep(f: RealFunction, x0: float, hs: ArrayLike | None = None) -> SecantSweep:
    """Compute the secant slopes at ``x0`` for a sweep of steps, the frames of an animation.

    Args:
        f: a vectorised real function.
        x0: the fixed point.
        hs: the steps, positive (negative steps give secants to the left); default
            ``np.logspace(0, -8, 41)``, from 1 down to ``1e-8``.

    Returns:
        A :class:`SecantSweep` with ``(n,)`` arrays.

    Example:
        >>> sweep = secant_sweep(lambda x: x**2, 1.0, [1.0, 0.1])
        >>> sweep.quotients
        array([3. , 2.1])
    """
    steps = np.logspace(0, -8, 41) if hs is None else np.asarray(hs, dtype=np.float64)
    if steps.ndim != 1 or not np.all(np.isfinite(steps)) or np.any(steps == 0):
        raise ValueError(f"hs must be non-zero finite steps, got {hs!r}")
    x = np.float64(x0)
    y0 = float(_values(f, x))
    y1 = _values(f, x + steps)
    with np.errstate(all="ignore"):
        quotients = (y1 - y0) / steps
    return SecantSweep(float(x0), y0, steps, quotients, y1)
