"""Jacobians and Hessians as numbers, and the Jacobian's pictures: a map's deformed grid, the
image of a small square beside its linear approximation, the push-forward J·v (forward mode) and
the pull-back wᵀJ (reverse mode)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import sympy
from numpy.typing import ArrayLike, NDArray

from calc_core.expressions import compile_expression
from calc_core.multivariate.fields import GridSample, _axis
from calc_core.multivariate.symbolic import Range, Variables, _symbols

__all__ = [
    "DeformedGrid",
    "LocalImage",
    "MatrixGrid",
    "compile_map",
    "compile_matrix",
    "deformed_grid",
    "determinant_grid",
    "jvp",
    "local_image",
    "sample_matrix_grid",
    "vjp",
]


# --- Jacobians and Hessians as numbers ---------------------------------------------------------

# What compile_map and compile_matrix return: F(*coords) -> (..., m), M(*coords) -> (..., r, c).
VectorFunction = Callable[..., NDArray[np.float64]]
MatrixFunction = Callable[..., NDArray[np.float64]]


def _expressions(exprs: object, caller: str) -> tuple[sympy.Expr, ...]:
    if isinstance(exprs, sympy.Basic | str) or not isinstance(exprs, Sequence):
        raise TypeError(f"{caller} expects a sequence of sympy expressions, got {exprs!r}")
    if not exprs:
        raise ValueError(f"{caller} needs at least one expression, got {exprs!r}")
    for e in exprs:
        if not isinstance(e, sympy.Expr):
            raise TypeError(f"{caller}: {e!r} is not a sympy expression")
    return tuple(exprs)


def _stacked(
    entries: Sequence[Callable[..., NDArray[np.float64]]],
    tail: tuple[int, ...],
    names: tuple[str, ...],
) -> Callable[..., NDArray[np.float64]]:
    """One vectorised function whose last axes hold the entries (row by row) in shape `tail`."""

    def evaluate(*coords: ArrayLike) -> NDArray[np.float64]:
        if len(coords) != len(names):
            raise TypeError(f"expected {len(names)} coordinates {names!r}, got {coords!r}")
        args = [np.asarray(c, dtype=np.float64) for c in coords]
        shape = np.broadcast_shapes(*(a.shape for a in args))
        out = np.empty((*shape, len(entries)))
        for k, entry in enumerate(entries):
            out[..., k] = entry(*args)
        out[~np.isfinite(out)] = np.nan
        return out.reshape(*shape, *tail)

    return evaluate


def compile_map(exprs: Sequence[sympy.Expr], variables: Variables) -> VectorFunction:
    """Compile m formulas (a map F: Rⁿ → Rᵐ, or a gradient) to one vectorised numpy function.

    Args:
        exprs: m SymPy expressions, the outputs in order.
        variables: the n inputs, in argument order, e.g. ``("x", "y")``.

    Returns:
        ``F(*coords)``: n broadcastable arrays (or numbers) in, float64 of shape
        ``(*broadcast, m)`` out, NaN where an output is undefined or not finite.

    Example:
        >>> from calc_core.expressions import parse_expression
        >>> outputs = [parse_expression(t, ("x", "y")) for t in ("x*y", "x + y")]
        >>> compile_map(outputs, ("x", "y"))(2.0, 3.0)
        array([6., 5.])
    """
    outputs = _expressions(exprs, "compile_map")
    names = tuple(s.name for s in _symbols(variables, "compile_map"))
    entries = [compile_expression(e, names) for e in outputs]
    return _stacked(entries, (len(entries),), names)


def compile_matrix(matrix: sympy.MatrixBase, variables: Variables) -> MatrixFunction:
    """Compile a SymPy matrix of formulas (a Jacobian, a Hessian) to one vectorised function.

    Args:
        matrix: a ``(rows, cols)`` SymPy Matrix, e.g. from `jacobian` or `hessian`.
        variables: the inputs, in argument order.

    Returns:
        ``M(*coords)`` returning float64 of shape ``(*broadcast, rows, cols)``: at one point
        a plain ``(rows, cols)`` array, on an ``(a, b)`` grid an ``(a, b, rows, cols)`` stack;
        NaN where an entry is undefined.

    Example:
        >>> from calc_core.expressions import parse_expression
        >>> from calc_core.multivariate import hessian
        >>> H = hessian(parse_expression("x**2*y", ("x", "y")), ("x", "y"))
        >>> compile_matrix(H, ("x", "y"))(1.0, 3.0)
        array([[6., 2.],
               [2., 0.]])
    """
    if not isinstance(matrix, sympy.MatrixBase):
        raise TypeError(f"compile_matrix expects a sympy Matrix, got {matrix!r}")
    names = tuple(s.name for s in _symbols(variables, "compile_matrix"))
    entries = [compile_expression(e, names) for e in matrix]
    return _stacked(entries, tuple(matrix.shape), names)


@dataclass(frozen=True)
class MatrixGrid:
    """A matrix-valued function of (x, y) (a Jacobian, a Hessian) sampled on a grid.

    Attributes:
        x: (n,) the grid's x values; y: (n,) its y values.
        values: (n, n, rows, cols) with ``values[j, i] = M(x[i], y[j])``; NaN where undefined.
    """

    x: NDArray[np.float64]
    y: NDArray[np.float64]
    values: NDArray[np.float64]


def sample_matrix_grid(M: MatrixFunction, x_range: Range, y_range: Range, n: int) -> MatrixGrid:
    """Evaluate a compiled matrix function of (x, y) on an n x n grid (rows along y).

    Args:
        M: a compiled matrix function of (x, y), as `compile_matrix` returns.
        x_range, y_range: the window; n: points per side.

    Returns:
        A `MatrixGrid`, e.g. the Jacobian or Hessian at every grid point.

    Example:
        >>> M = lambda x, y: np.stack([np.stack([x, y], -1), np.stack([y, x], -1)], -2)
        >>> sample_matrix_grid(M, (0, 1), (0, 2), 3).values[2, 1]  # M(0.5, 2.0)
        array([[0.5, 2. ],
               [2. , 0.5]])
    """
    xs, ys = _axis(x_range, n, "x range"), _axis(y_range, n, "y range")
    gx, gy = np.meshgrid(xs, ys)
    values = np.asarray(M(gx, gy), dtype=np.float64)
    if values.ndim != 4 or values.shape[:2] != gx.shape:
        raise ValueError(f"M must return shape (n, n, rows, cols) on a grid, got {values.shape}")
    return MatrixGrid(xs, ys, values)


def determinant_grid(M: MatrixFunction, x_range: Range, y_range: Range, n: int) -> GridSample:
    """det M(x, y) on an n x n grid: for a Jacobian the local area scale factor (its sign flips
    where the map turns the plane over), for a Hessian the product of the curvatures.

    Args:
        M: a compiled square matrix function of (x, y), as `compile_matrix` returns.
        x_range, y_range: the window; n: points per side.

    Returns:
        A `GridSample` with ``z[j, i] = det M(x[i], y[j])``, NaN where an entry is undefined.

    Example:
        >>> from calc_core.expressions import parse_expression
        >>> from calc_core.multivariate import jacobian
        >>> F = [parse_expression(t, ("r", "t")) for t in ("r*cos(t)", "r*sin(t)")]
        >>> J = compile_matrix(jacobian(F, ("r", "t")), ("r", "t"))
        >>> determinant_grid(J, (1, 3), (0, 1), 3).z[0]  # det J = r
        array([1., 2., 3.])
    """
    grid = sample_matrix_grid(M, x_range, y_range, n)
    values = grid.values
    if values.shape[-1] != values.shape[-2]:
        raise ValueError(f"a determinant needs a square matrix, got {values.shape[-2:]}")
    finite = np.all(np.isfinite(values), axis=(-2, -1))
    det = np.full(finite.shape, np.nan)
    det[finite] = np.linalg.det(values[finite])
    return GridSample(grid.x, grid.y, det)


# --- the Jacobian's pictures: deformed grids, small squares, JVP and VJP --------------------------


@dataclass(frozen=True)
class DeformedGrid:
    """Grid lines of the input plane and their images under a map F (curves in R² or R³).

    Attributes:
        rows: (lines, samples, 2) the lines y = const, each running from low x to high x.
        columns: (lines, samples, 2) the lines x = const, from low y to high y.
        row_images, column_images: (lines, samples, m) F along those lines; NaN where F is
            undefined (the curve has a gap there).
    """

    rows: NDArray[np.float64]
    columns: NDArray[np.float64]
    row_images: NDArray[np.float64]
    column_images: NDArray[np.float64]


def deformed_grid(
    F: VectorFunction, x_range: Range, y_range: Range, lines: int = 11, samples: int = 101
) -> DeformedGrid:
    """The image of the window's grid lines under F: R² → Rᵐ, each line finely sampled.

    Args:
        F: a compiled map of (x, y), as `compile_map` returns.
        x_range, y_range: the input window.
        lines: grid lines per direction, at least 2; samples: points along each line.

    Returns:
        A `DeformedGrid`; a linear F maps every line to a straight line.

    Example:
        >>> grid = deformed_grid(lambda x, y: np.stack([2 * x, x + y], -1), (0, 1), (0, 1), 2, 3)
        >>> grid.row_images[1]  # the line y = 1 maps to (2x, x + 1)
        array([[0. , 1. ],
               [1. , 1.5],
               [2. , 2. ]])
    """
    at_x, at_y = _axis(x_range, lines, "x range"), _axis(y_range, lines, "y range")
    along_x, along_y = _axis(x_range, samples, "x range"), _axis(y_range, samples, "y range")
    rows = np.stack(np.broadcast_arrays(along_x[None, :], at_y[:, None]), axis=-1)
    columns = np.stack(np.broadcast_arrays(at_x[:, None], along_y[None, :]), axis=-1)
    images = [_image(F, p) for p in (rows, columns)]
    return DeformedGrid(rows, columns, images[0], images[1])


def _image(F: VectorFunction, points: NDArray[np.float64]) -> NDArray[np.float64]:
    """F at points (..., 2) as float64 (..., m), NaN where not finite."""
    with np.errstate(all="ignore"):
        out = np.array(F(points[..., 0], points[..., 1]), dtype=np.float64)
    if out.shape[:-1] != points.shape[:-1]:
        raise ValueError(f"F must return shape (..., m) for points {points.shape}, got {out.shape}")
    out[~np.isfinite(out)] = np.nan
    return out


def _matrix(value: ArrayLike, name: str) -> NDArray[np.float64]:
    M = np.asarray(value, dtype=np.float64)
    if M.ndim != 2 or M.size == 0:
        raise ValueError(f"{name} must be a 2-D matrix, got {value!r}")
    return M


def _vector(value: ArrayLike, size: int, name: str) -> NDArray[np.float64]:
    v = np.asarray(value, dtype=np.float64)
    if v.shape != (size,):
        raise ValueError(f"{name} must have {size} entries, got {value!r}")
    return v


def _polygon_area(points: NDArray[np.float64]) -> float:
    """Signed area of a closed plane polygon (k, 2) (positive counter-clockwise), or for a
    closed curve in R³ the length of its vector area (its area if it is flat)."""
    a, b = points[:-1], points[1:]
    if points.shape[1] == 2:
        return float(0.5 * np.sum(a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]))
    return float(0.5 * np.linalg.norm(np.sum(np.cross(a, b), axis=0)))


@dataclass(frozen=True)
class LocalImage:
    """A small square or circle around a point, its image under F and under F's linearisation.

    Attributes:
        point: (2,) the centre p; size: the square's half-width or the circle's radius.
        outline: (k, 2) the closed outline (last point = first), counter-clockwise.
        image: (k, m) F(outline), a curved shape.
        linear: (k, m) F(p) + J·(outline − p), a parallelogram (an ellipse for a circle).
        input_area: the outline's area.
        image_area, linear_area: their areas; for m = 2 signed (negative where F flips the
            orientation), for m = 3 the area of the surface patch, approximately.
        area_scale: det J for m = 2, sqrt(det JᵀJ) otherwise: the factor by which F scales
            small areas near p. ``image_area / input_area`` tends to it as size shrinks.
    """

    point: NDArray[np.float64]
    size: float
    outline: NDArray[np.float64]
    image: NDArray[np.float64]
    linear: NDArray[np.float64]
    input_area: float
    image_area: float
    linear_area: float
    area_scale: float


def local_image(
    F: VectorFunction,
    jacobian_at_point: ArrayLike,
    point: Sequence[float],
    size: float,
    *,
    shape: str = "square",
    samples: int = 200,
) -> LocalImage:
    """How F maps a small square (or circle) at a point, next to the linear picture J·square.

    Args:
        F: a compiled map of (x, y) to Rᵐ (m = 2 or 3).
        jacobian_at_point: (m, 2) J at the point.
        point: (x0, y0).
        size: the square's half-width or the circle's radius, > 0.
        shape: ``"square"`` or ``"circle"``.
        samples: points along the outline (a multiple of 4 keeps a square's corners).

    Returns:
        A `LocalImage`: image and linear image agree up to O(size²) and their areas up to
        O(size³), so both pictures merge as the square shrinks.

    Example:
        >>> J = np.array([[2.0, 0.0], [0.0, 3.0]])
        >>> small = local_image(lambda x, y: np.stack([2 * x, 3 * y], -1), J, (0, 0), 0.1)
        >>> round(small.image_area / small.input_area, 12), small.area_scale
        (6.0, 6.0)
    """
    J = _matrix(jacobian_at_point, "jacobian_at_point")
    p = _vector(point, 2, "point")
    if J.shape[1] != 2:
        raise ValueError(f"jacobian_at_point must have 2 columns (x, y), got shape {J.shape}")
    if not (np.isfinite(size) and size > 0):
        raise ValueError(f"size must be a positive number, got {size!r}")
    if shape not in ("square", "circle"):
        raise ValueError(f"shape must be 'square' or 'circle', got {shape!r}")
    k = max(int(samples), 8)
    if shape == "circle":
        angle = np.linspace(0.0, 2.0 * np.pi, k + 1)
        unit = np.stack([np.cos(angle), np.sin(angle)], axis=-1)
        unit[-1] = unit[0]
    else:
        corners = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1], [-1, -1]], dtype=np.float64)
        t = np.linspace(0.0, 4.0, k + 1)
        unit = np.stack([np.interp(t, np.arange(5), corners[:, i]) for i in range(2)], -1)
    outline = p + float(size) * unit
    image = _image(F, outline)
    linear = _image(F, p[None, :])[0] + (outline - p) @ J.T
    scale = float(np.linalg.det(J)) if J.shape[0] == 2 else float(np.sqrt(np.linalg.det(J.T @ J)))
    return LocalImage(
        p,
        float(size),
        outline,
        image,
        linear,
        _polygon_area(outline),
        _polygon_area(image),
        _polygon_area(linear),
        scale,
    )


def jvp(jacobian_at_point: ArrayLike, v: ArrayLike) -> NDArray[np.float64]:
    """The Jacobian-vector product J·v: the push-forward of an input direction v.

    What forward-mode autodiff computes, one input direction per pass: the velocity of
    F(p + t v) at t = 0, i.e. ``(F(p + h v) − F(p − h v)) / 2h`` as h → 0.

    Args:
        jacobian_at_point: (m, n) J at the point.
        v: (n,) a direction in the input space.

    Returns:
        (m,) J·v, a direction in the output space.

    Example:
        >>> jvp([[1.0, 2.0], [3.0, 4.0], [0.0, 1.0]], [1.0, 1.0])
        array([3., 7., 1.])
    """
    J = _matrix(jacobian_at_point, "jacobian_at_point")
    return J @ _vector(v, J.shape[1], "v")


def vjp(w: ArrayLike, jacobian_at_point: ArrayLike) -> NDArray[np.float64]:
    """The vector-Jacobian product wᵀ·J: the pull-back of an output covector w.

    What reverse-mode autodiff (backpropagation) computes, one output covector per pass: the
    gradient of the scalar w·F at the point. With one loss and many weights, a single
    reverse pass gives the whole gradient, where forward mode needs one pass per weight.

    Args:
        w: (m,) a covector on the outputs (e.g. ∂loss/∂outputs).
        jacobian_at_point: (m, n) J at the point.

    Returns:
        (n,) wᵀ·J, one entry per input.

    Example:
        >>> vjp([1.0, 0.0, 2.0], [[1.0, 2.0], [3.0, 4.0], [0.0, 1.0]])
        array([1., 4.])
    """
    J = _matrix(jacobian_at_point, "jacobian_at_point")
    return _vector(w, J.shape[0], "w") @ J
