"""Numbers of a function of two variables on grids and at points: samples, gradient fields,
directional derivatives, tangent planes and paths of steepest ascent and descent.

Grids follow plotly and ``numpy.meshgrid``: ``z[j, i] = f(x[i], y[j])``, rows along y.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from calc_core.multivariate.symbolic import Function2, Range

__all__ = [
    "GradientField",
    "GridSample",
    "TangentPlane",
    "directional_derivative",
    "gradient_field",
    "sample_grid",
    "steepest_path",
    "tangent_plane",
]


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
