"""Loss surfaces of two weights: the classic test functions of optimisation, and any typed f(x, y).

Each `Surface` knows its formula (as typed text, as SymPy and as LaTeX), a window that shows its
shape, a default start, and its known global minima. Its value, gradient and Hessian are the
symbolic ones (`multivariate.gradient`, `multivariate.hessian`) compiled to numpy by
`expressions.compile_expression`, so a typed formula behaves exactly like a named one. All three
are vectorised over points: ``grad`` maps ``(..., 2)`` points to ``(..., 2)`` gradients, which is
the ``x -> (2,)`` form the optimisers call.

Decisions:
    * ``minima`` lists the global minima only (Rastrigin's many local ones are not listed). The
      saddle x² − y² has none: it is unbounded below.
    * The plateau is an inverted Gaussian well, 1 − exp(−(x² + y²)/2): its gradient,
      r·exp(−r²/2), all but vanishes a few units from the centre, as a saturated unit's does.
    * Ackley's minimum is a cone tip: f is not differentiable there and its gradient is NaN.

Sources for the formulas, windows and minima: the Virtual Library of Simulation Experiments
(Surjanovic & Bingham, Simon Fraser University) and the original papers (Rosenbrock 1960,
Himmelblau 1972, Beale 1958, Rastrigin 1974, Ackley 1987).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import sympy
from numpy.typing import ArrayLike, NDArray

from calc_core.expressions import (
    ExpressionError,
    compile_expression,
    compile_point,
    parse_expression,
    to_latex,
)
from calc_core.multivariate import GridSample, gradient, hessian, sample_grid
from calc_core.symbolic_worker import run_symbolic

__all__ = [
    "SURFACE_NAMES",
    "Minimum",
    "Surface",
    "quadratic_bowl",
    "surface",
    "typed_surface",
]

XY = ("x", "y")
Range = tuple[float, float]
Array = NDArray[np.float64]
MAX_KAPPA = 1e6
# Second derivatives of a long typed product grow fast: within expressions.LIMITS the largest
# measured was some 16 000 nodes (compiled in 0.4 s). Larger ones, should those limits grow,
# are refused rather than left to stall the page.
MAX_DERIVATIVE_NODES = 20_000


@dataclass(frozen=True)
class Minimum:
    """A known global minimum: where it is and the value there.

    Attributes:
        point: (x, y).
        value: f(x, y), as the literature gives it.
    """

    point: tuple[float, float]
    value: float


@dataclass(frozen=True)
class Surface:
    """A loss surface z = f(x, y) with everything an optimisation page needs.

    Attributes:
        name: the key, e.g. ``"rosenbrock"`` (``"typed"`` for a typed formula).
        title: the name a learner knows, e.g. ``"Rosenbrock"``.
        formula: the formula as text that ``parse_expression`` reads, e.g. for the formula box.
        latex: the formula in LaTeX, in its textbook form.
        x_range, y_range: the view window, (low, high) each.
        start: the default start (x0, y0).
        minima: the known global minima; empty where there is none (the saddle is unbounded
            below) or none is known (a typed formula).
        note: one sentence on what the surface shows a learner.
        expr: f as a SymPy expression in the real symbols x and y.
        gradient_expr: (∂f/∂x, ∂f/∂y) as SymPy expressions.
        hessian_expr: the 2 x 2 matrix of second partials, a SymPy ImmutableMatrix.
    """

    name: str
    title: str
    formula: str
    latex: str
    x_range: Range
    y_range: Range
    start: tuple[float, float]
    minima: tuple[Minimum, ...]
    note: str
    expr: sympy.Expr
    gradient_expr: tuple[sympy.Expr, sympy.Expr]
    hessian_expr: sympy.ImmutableMatrix
    # f, fx, fy, fxx, fxy, fyy compiled to numpy functions of (x, y)
    _compiled: tuple[Callable[..., Array], ...] = field(repr=False, compare=False)
    # the gradient and the Hessian's entries at one point, in one call each (optimiser steps)
    _at_point: tuple[Callable[..., Array], Callable[..., Array]] = field(repr=False, compare=False)

    def f(self, x: ArrayLike, y: ArrayLike) -> Array:
        """f on arrays of x and y (any broadcastable shapes); NaN where f is undefined.

        Example:
            >>> surface("booth").f(np.array([1.0, 0.0]), np.array([3.0, 0.0]))
            array([ 0., 74.])
        """
        return self._compiled[0](x, y)

    def loss(self, points: ArrayLike) -> Array:
        """f at points of shape (..., 2); returns shape (...).

        Example:
            >>> float(surface("rosenbrock").loss([1.0, 1.0]))
            0.0
        """
        p = _points(points)
        return self._compiled[0](p[..., 0], p[..., 1])

    def grad(self, points: ArrayLike) -> Array:
        """∇f at points of shape (..., 2); returns shape (..., 2).

        Example:
            >>> surface("rosenbrock").grad(np.array([0.0, 0.0]))
            array([-2.,  0.])
        """
        p = _points(points)
        if p.shape == (2,):  # one point, as optimisers ask: one call (5 µs against 24 µs)
            return self._at_point[0](p[0], p[1])
        x, y = p[..., 0], p[..., 1]
        out = np.empty(p.shape)
        out[..., 0] = self._compiled[1](x, y)
        out[..., 1] = self._compiled[2](x, y)
        return out

    def hessian(self, points: ArrayLike) -> Array:
        """The Hessian at points of shape (..., 2); returns shape (..., 2, 2), symmetric.

        Example:
            >>> quadratic_bowl(10.0).hessian(np.array([0.3, -0.2]))
            array([[ 1.,  0.],
                   [ 0., 10.]])
        """
        p = _points(points)
        if p.shape == (2,):
            return self._at_point[1](p[0], p[1]).reshape(2, 2)
        x, y = p[..., 0], p[..., 1]
        out = np.empty((*p.shape, 2))
        out[..., 0, 0] = self._compiled[3](x, y)
        out[..., 0, 1] = out[..., 1, 0] = self._compiled[4](x, y)
        out[..., 1, 1] = self._compiled[5](x, y)
        return out

    def grid(self, n: int = 100) -> GridSample:
        """f sampled on an n x n grid over the view window (``z[j, i] = f(x[i], y[j])``).

        Example:
            >>> surface("saddle").grid(3).z
            array([[ 0., -4.,  0.],
                   [ 4.,  0.,  4.],
                   [ 0., -4.,  0.]])
        """
        return sample_grid(self.f, self.x_range, self.y_range, n)

    def distance_to_minimum(self, points: ArrayLike) -> Array:
        """Euclidean distance from points (..., 2) to the nearest known minimum; NaN if none.

        Example:
            >>> surface("booth").distance_to_minimum([[1.0, 3.0], [4.0, 7.0]])
            array([0., 5.])
        """
        p = _points(points)
        if not self.minima:
            return np.full(p.shape[:-1], np.nan)
        centres = np.array([m.point for m in self.minima])
        return np.linalg.norm(p[..., None, :] - centres, axis=-1).min(axis=-1)


def _points(points: ArrayLike) -> Array:
    p = np.asarray(points, dtype=np.float64)
    if p.ndim == 0 or p.shape[-1] != 2:
        raise ValueError(f"points must have shape (..., 2), got shape {p.shape}")
    return p


def _check_window(x_range: Range, y_range: Range, start: Sequence[float]) -> None:
    for label, (low, high) in (("x range", x_range), ("y range", y_range)):
        if not (np.isfinite(low) and np.isfinite(high) and low < high):
            raise ValueError(f"{label} must be two finite numbers, low < high; got {(low, high)}")
    if len(start) != 2 or not np.all(np.isfinite(start)):
        raise ValueError(f"start must be two finite numbers (x0, y0), got {start!r}")


def _derivatives(expr: sympy.Expr) -> tuple[tuple[sympy.Expr, ...], sympy.ImmutableMatrix]:
    """∇f and the Hessian of f, symbolically (module level: it may run in a worker process)."""
    return gradient(expr, XY), sympy.ImmutableMatrix(hessian(expr, XY))


def _size(expr: sympy.Expr, limit: int) -> int:
    """Nodes of the expression tree, counted up to just past `limit`."""
    count = 0
    for _ in sympy.preorder_traversal(expr):
        count += 1
        if count > limit:
            break
    return count


def _make(
    name: str,
    title: str,
    text: str,
    latex: str | None,
    window: tuple[Range, Range],
    start: tuple[float, float],
    minima: Sequence[tuple[float, float, float]],
    note: str,
    *,
    guarded: bool = False,
) -> Surface:
    """Parse, differentiate and compile one surface (guarded: differentiate in a worker)."""
    (x_low, x_high), (y_low, y_high) = window
    x_range, y_range = (float(x_low), float(x_high)), (float(y_low), float(y_high))
    _check_window(x_range, y_range, start)
    expr = parse_expression(text, XY)
    grad_exprs, hess = run_symbolic(_derivatives, expr) if guarded else _derivatives(expr)
    if guarded:
        budget = MAX_DERIVATIVE_NODES
        for e in (*grad_exprs, hess[0, 0], hess[0, 1], hess[1, 1]):
            budget -= _size(e, budget)
            if budget < 0:
                raise ExpressionError(
                    "This formula's second derivatives are too large to use here; "
                    "try a simpler one."
                )
    parts = (expr, *grad_exprs, hess[0, 0], hess[0, 1], hess[1, 1])
    return Surface(
        name=name,
        title=title,
        formula=text,
        latex=to_latex(expr) if latex is None else latex,
        x_range=x_range,
        y_range=y_range,
        start=(float(start[0]), float(start[1])),
        minima=tuple(Minimum((float(x), float(y)), float(v)) for x, y, v in minima),
        note=note,
        expr=expr,
        gradient_expr=(grad_exprs[0], grad_exprs[1]),
        hessian_expr=hess,
        _compiled=tuple(compile_expression(e, XY) for e in parts),
        _at_point=(
            compile_point(grad_exprs, XY),
            compile_point((hess[0, 0], hess[0, 1], hess[1, 0], hess[1, 1]), XY),
        ),
    )


# --- the named surfaces ----------------------------------------------------------------------

# Six-hump camel's two global minima, refined with sympy.nsolve at 30 digits.
_CAMEL = (0.08984201310031806, -0.7126564030207396, -1.0316284534898774)

# name -> (title, formula text, LaTeX, window, start, global minima (x, y, f), note)
_NAMED: dict[str, tuple] = {
    "rosenbrock": (
        "Rosenbrock",
        "(1 - x)^2 + 100(y - x^2)^2",
        r"(1 - x)^{2} + 100\left(y - x^{2}\right)^{2}",
        ((-2.0, 2.0), (-1.0, 3.0)),
        (-1.2, 1.0),  # Rosenbrock's own start (1960)
        [(1.0, 1.0, 0.0)],
        "A long, curved, flat-bottomed valley: finding it is easy, following it to (1, 1) is slow.",
    ),
    "himmelblau": (
        "Himmelblau",
        "(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
        r"\left(x^{2} + y - 11\right)^{2} + \left(x + y^{2} - 7\right)^{2}",
        ((-5.0, 5.0), (-5.0, 5.0)),
        (0.0, 0.0),
        [
            (3.0, 2.0, 0.0),
            (-2.805118086952745, 3.131312518250573, 0.0),
            (-3.779310253377747, -3.2831859912861696, 0.0),
            (3.5844283403304917, -1.8481265269644036, 0.0),
        ],
        "Four equally deep minima: which one you reach depends on where you start.",
    ),
    "beale": (
        "Beale",
        "(1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2",
        r"(1.5 - x + xy)^{2} + (2.25 - x + xy^{2})^{2} + (2.625 - x + xy^{3})^{2}",
        ((-4.5, 4.5), (-4.5, 4.5)),
        (1.0, 1.5),
        [(3.0, 0.5, 0.0)],
        "Sharp ridges and a flat basin: gradients range over many orders of magnitude.",
    ),
    "booth": (
        "Booth",
        "(x + 2y - 7)^2 + (2x + y - 5)^2",
        r"(x + 2y - 7)^{2} + (2x + y - 5)^{2}",
        ((-10.0, 10.0), (-10.0, 10.0)),
        (-6.0, -8.0),
        [(1.0, 3.0, 0.0)],
        "A tilted quadratic bowl (Hessian eigenvalues 2 and 18): gradient descent zig-zags.",
    ),
    "saddle": (
        "Saddle",
        "x^2 - y^2",
        r"x^{2} - y^{2}",
        ((-2.0, 2.0), (-2.0, 2.0)),
        (-1.8, 0.05),
        [],  # unbounded below: no minimum; (0, 0) is a saddle point
        "A saddle point at (0, 0): the gradient vanishes there but it is no minimum, and the "
        "loss falls without bound along y.",
    ),
    "plateau": (
        "Plateau (inverted Gaussian)",
        "1 - exp(-(x^2 + y^2)/2)",
        r"1 - e^{-\left(x^{2} + y^{2}\right)/2}",
        ((-4.0, 4.0), (-4.0, 4.0)),
        (2.5, 2.5),
        [(0.0, 0.0, 0.0)],
        "An inverted Gaussian well: far from the centre the surface is almost flat and the "
        "gradient, r·exp(−r²/2), all but vanishes.",
    ),
    "six_hump_camel": (
        "Six-hump camel",
        "(4 - 2.1x^2 + x^4/3)x^2 + x*y + (-4 + 4y^2)y^2",
        r"\left(4 - 2.1x^{2} + \tfrac{x^{4}}{3}\right)x^{2} + xy + \left(-4 + 4y^{2}\right)y^{2}",
        ((-2.0, 2.0), (-1.0, 1.0)),
        (-1.5, 0.5),
        [(_CAMEL[0], _CAMEL[1], _CAMEL[2]), (-_CAMEL[0], -_CAMEL[1], _CAMEL[2])],
        "Six minima, two of them global: a start decides which one you fall into.",
    ),
    "rastrigin": (
        "Rastrigin",
        "20 + x^2 - 10cos(2pi x) + y^2 - 10cos(2pi y)",
        r"20 + x^{2} - 10\cos(2\pi x) + y^{2} - 10\cos(2\pi y)",
        ((-5.12, 5.12), (-5.12, 5.12)),
        (2.3, 3.3),
        [(0.0, 0.0, 0.0)],
        "A bowl covered in ripples: a local minimum near every integer point traps gradient "
        "descent.",
    ),
    "ackley": (
        "Ackley",
        "-20exp(-0.2sqrt(0.5(x^2 + y^2))) - exp(0.5(cos(2pi x) + cos(2pi y))) + e + 20",
        r"-20\exp\left(-0.2\sqrt{0.5\left(x^{2} + y^{2}\right)}\right)"
        r" - \exp\left(0.5\left(\cos 2\pi x + \cos 2\pi y\right)\right) + e + 20",
        ((-5.0, 5.0), (-5.0, 5.0)),
        (2.6, 3.4),
        # A cone tip: f is not differentiable at the minimum and the gradient there is NaN.
        [(0.0, 0.0, 0.0)],
        "A nearly flat, bumpy plain around one deep, sharp well: its minimum is a cone tip "
        "where the gradient is undefined.",
    ),
}
SURFACE_NAMES: tuple[str, ...] = ("bowl", *_NAMED)


def quadratic_bowl(kappa: float = 10.0) -> Surface:
    """The quadratic bowl f = (x² + κy²)/2, whose Hessian diag(1, κ) has condition number κ.

    Gradient descent on it converges for lr < 2/max(1, κ) and zig-zags more as κ grows.

    Args:
        kappa: the curvature along y, 0 < κ <= 1e6 (κ >= 1 makes it the condition number).

    Returns:
        A `Surface` named ``"bowl"`` with its minimum 0 at (0, 0).

    Raises:
        ValueError: for κ outside (0, 1e6].

    Example:
        >>> quadratic_bowl(10.0).formula
        '(x^2 + 10.0y^2)/2'
    """
    kappa = float(kappa)
    if not 0.0 < kappa <= MAX_KAPPA:
        raise ValueError(f"kappa must be in (0, {MAX_KAPPA:g}], got {kappa!r}")
    return _bowl(kappa)


@lru_cache(maxsize=64)
def _bowl(kappa: float) -> Surface:
    shown = f"{kappa:g}"
    return _make(
        "bowl",
        f"Quadratic bowl (κ = {shown})",
        f"(x^2 + {kappa!r}y^2)/2",
        rf"\tfrac{{1}}{{2}}\left(x^{{2}} + {shown}\,y^{{2}}\right)",
        ((-3.0, 3.0), (-3.0, 3.0)),
        (-2.5, 1.5),
        [(0.0, 0.0, 0.0)],
        f"Curvature 1 along x and {shown} along y: the larger κ, the narrower the valley "
        "and the more gradient descent zig-zags.",
    )


def surface(name: str) -> Surface:
    """A named loss surface (``"bowl"`` is `quadratic_bowl` with κ = 10), built once and cached.

    Args:
        name: one of `SURFACE_NAMES`.

    Returns:
        The `Surface`.

    Raises:
        ValueError: for an unknown name, listing the known ones.

    Example:
        >>> s = surface("himmelblau")
        >>> len(s.minima), s.x_range
        (4, (-5.0, 5.0))
    """
    if name == "bowl":
        return quadratic_bowl()
    if name not in _NAMED:
        raise ValueError(f"unknown surface {name!r}; choose one of {', '.join(SURFACE_NAMES)}")
    return _named(name)


@lru_cache(maxsize=32)  # one entry per named surface
def _named(name: str) -> Surface:
    return _make(name, *_NAMED[name])


def typed_surface(
    text: str,
    x_range: Range = (-3.0, 3.0),
    y_range: Range = (-3.0, 3.0),
    start: tuple[float, float] | None = None,
) -> Surface:
    """A surface from a typed formula f(x, y), with the same abilities as the named ones.

    Parsing goes through `parse_expression`; the gradient and Hessian are computed in a
    killable worker process (`run_symbolic`), since second derivatives of a long formula can
    be costly. Cached on the arguments.

    Args:
        text: the formula, e.g. ``"x^2 + 3y^2"``.
        x_range, y_range: the view window.
        start: the default start; None means a quarter of the way in from the window's
            top-left corner.

    Returns:
        A `Surface` named ``"typed"`` with no known minima.

    Raises:
        ExpressionError: for text that is not a usable formula of x and y, or whose
            derivatives are too costly (one sentence for the learner).
        ValueError: for a window that is not two finite (low, high) pairs.

    Example:
        >>> s = typed_surface("x^2 + 3y^2")
        >>> s.grad([1.0, 1.0]), s.start
        (array([2., 6.]), (-1.5, 1.5))
    """
    if not isinstance(text, str):
        raise ExpressionError("Type a formula of x and y, for example x^2 + 3y^2.")
    x_range = (float(x_range[0]), float(x_range[1]))
    y_range = (float(y_range[0]), float(y_range[1]))
    if start is None:
        start = (
            x_range[0] + 0.25 * (x_range[1] - x_range[0]),
            y_range[0] + 0.75 * (y_range[1] - y_range[0]),
        )
    return _typed(text, x_range, y_range, (float(start[0]), float(start[1])))


@lru_cache(maxsize=128)
def _typed(text: str, x_range: Range, y_range: Range, start: tuple[float, float]) -> Surface:
    return _make(
        "typed",
        "Your formula",
        text,
        None,
        (x_range, y_range),
        start,
        [],
        "A formula of your own: no minima are known in advance.",
        guarded=True,
    )
