"""The Hessian at a point: curvature along directions, eigenvalues and classification,
conditioning, Taylor models, and Newton's step against the gradient step."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from calc_core.multivariate.fields import _axis, _finite
from calc_core.multivariate.jacobians import MatrixFunction, VectorFunction, _vector
from calc_core.multivariate.symbolic import Function2, Range

__all__ = [
    "CRITICAL_KINDS",
    "NEWTON_FIXES",
    "HessianEigen",
    "NewtonStep",
    "TaylorModel",
    "TaylorPatch",
    "classify_critical_point",
    "condition_number",
    "curvature_along",
    "hessian_eigen",
    "newton_path",
    "newton_step",
    "taylor_model",
    "taylor_patch",
]


# --- the Hessian at a point: curvatures, classification, conditioning --------------------------

CRITICAL_KINDS = ("minimum", "maximum", "saddle", "degenerate")
_KIND_OF = {
    "positive definite": "minimum",
    "negative definite": "maximum",
    "indefinite": "saddle",
    "semidefinite": "degenerate",
}


def _symmetric(value: ArrayLike, name: str) -> NDArray[np.float64]:
    H = np.asarray(value, dtype=np.float64)
    if H.ndim != 2 or H.shape[0] != H.shape[1] or H.size == 0 or not np.all(np.isfinite(H)):
        raise ValueError(f"{name} must be a finite square matrix, got {value!r}")
    if not np.allclose(H, H.T, rtol=1e-8, atol=1e-12):
        raise ValueError(f"{name} must be symmetric (a Hessian is), got {value!r}")
    return (H + H.T) / 2


@dataclass(frozen=True)
class HessianEigen:
    """The principal curvatures of f at a point: eigenvalues and eigenvectors of its Hessian.

    Attributes:
        eigenvalues: (n,) ascending: the curvatures along the principal directions.
        eigenvectors: (n, n) unit eigenvectors as columns, ``eigenvectors[:, i]`` for
            ``eigenvalues[i]``.
        condition_number: largest over smallest |eigenvalue| (``inf`` if one is zero).
        definiteness: ``"positive definite"`` (curves up every way), ``"negative definite"``,
            ``"indefinite"`` (up some ways, down others) or ``"semidefinite"`` (flat some way).
    """

    eigenvalues: NDArray[np.float64]
    eigenvectors: NDArray[np.float64]
    condition_number: float
    definiteness: str

    @property
    def kind(self) -> str:
        """What a critical point with this Hessian is: one of `CRITICAL_KINDS`."""
        return _KIND_OF[self.definiteness]


def _definiteness(eigenvalues: NDArray[np.float64], tol: float) -> str:
    if np.all(eigenvalues > tol):
        return "positive definite"
    if np.all(eigenvalues < -tol):
        return "negative definite"
    if np.any(eigenvalues > tol) and np.any(eigenvalues < -tol):
        return "indefinite"
    return "semidefinite"


def _zero_tolerance(eigenvalues: NDArray[np.float64], tol: float | None) -> float:
    return 1e-8 * max(1.0, float(np.max(np.abs(eigenvalues)))) if tol is None else float(tol)


def condition_number(hessian_at_point: ArrayLike) -> float:
    """κ(H) = largest |eigenvalue| / smallest |eigenvalue| of a symmetric matrix.

    On a quadratic bowl, gradient descent's step must stay below 2/λmax while progress along
    the flattest direction goes as lr·λmin, so it needs about κ steps and zig-zags across the
    steep direction; Newton's method does not care about κ.

    Returns:
        κ ≥ 1, or ``inf`` if the matrix is singular.

    Example:
        >>> condition_number([[2.0, 0.0], [0.0, 200.0]])
        100.0
    """
    magnitudes = np.abs(np.linalg.eigvalsh(_symmetric(hessian_at_point, "hessian_at_point")))
    top, bottom = float(magnitudes.max()), float(magnitudes.min())
    return top / bottom if bottom > 0 else np.inf


def hessian_eigen(hessian_at_point: ArrayLike, *, tol: float | None = None) -> HessianEigen:
    """Eigen-decompose a Hessian: its principal curvatures, directions and conditioning.

    Args:
        hessian_at_point: (n, n) symmetric, finite.
        tol: eigenvalues with |λ| <= tol count as zero; default 1e-8·max(1, max |λ|).

    Returns:
        A `HessianEigen`.

    Example:
        >>> e = hessian_eigen([[2.0, 0.0], [0.0, -2.0]])  # x² − y² at any point
        >>> e.eigenvalues, e.definiteness, e.kind
        (array([-2.,  2.]), 'indefinite', 'saddle')
    """
    H = _symmetric(hessian_at_point, "hessian_at_point")
    values, vectors = np.linalg.eigh(H)
    definiteness = _definiteness(values, _zero_tolerance(values, tol))
    return HessianEigen(values, vectors, condition_number(H), definiteness)


def classify_critical_point(hessian_at_point: ArrayLike, *, tol: float | None = None) -> str:
    """Second-derivative test: ``"minimum"``, ``"maximum"``, ``"saddle"`` or ``"degenerate"``.

    All eigenvalues positive: a minimum; all negative: a maximum; both signs: a saddle; some
    zero and no two of opposite sign: degenerate (the test cannot tell, e.g. x⁴ + y⁴ at 0).

    Example:
        >>> classify_critical_point([[802.0, -400.0], [-400.0, 200.0]])  # Rosenbrock at (1, 1)
        'minimum'
    """
    return hessian_eigen(hessian_at_point, tol=tol).kind


def curvature_along(hessian_at_point: ArrayLike, angle: ArrayLike) -> ArrayLike:
    """The second directional derivative uᵀHu along u = (cos angle, sin angle).

    Args:
        hessian_at_point: the (2, 2) Hessian.
        angle: radians from the positive x axis (a number or an array).

    Returns:
        How fast the slope changes along u: between the two eigenvalues, equal to each along
        its eigenvector. A float for a number, an array for an array.

    Example:
        >>> curvature_along([[2.0, 0.0], [0.0, 6.0]], np.pi / 2)
        6.0
    """
    H = _symmetric(hessian_at_point, "hessian_at_point")
    if H.shape != (2, 2):
        raise ValueError(f"curvature_along needs a 2 x 2 Hessian, got shape {H.shape}")
    theta = np.asarray(angle, dtype=np.float64)
    c, s = np.cos(theta), np.sin(theta)
    result = H[0, 0] * c * c + 2.0 * H[0, 1] * c * s + H[1, 1] * s * s
    return float(result) if result.ndim == 0 else result


# --- Taylor models -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaylorModel:
    """f's first- and second-order Taylor models at a point p.

    ``first_order(x) = f(p) + ∇f(p)·(x − p)`` (the tangent plane) and
    ``second_order(x) = first_order(x) + ½ (x − p)ᵀ H (x − p)``; their errors at distance r
    are O(r²) and O(r³).

    Attributes:
        point: (n,) p; value: f(p); gradient: (n,) ∇f(p); hessian: (n, n) H(p).
    """

    point: NDArray[np.float64]
    value: float
    gradient: NDArray[np.float64]
    hessian: NDArray[np.float64]

    def _offsets(self, coords: tuple[ArrayLike, ...]) -> NDArray[np.float64]:
        if len(coords) != len(self.point):
            raise TypeError(f"expected {len(self.point)} coordinates, got {len(coords)}")
        arrays = np.broadcast_arrays(*(np.asarray(c, dtype=np.float64) for c in coords))
        return np.stack(arrays, axis=-1) - self.point

    def first_order(self, *coords: ArrayLike) -> NDArray[np.float64]:
        """The tangent (hyper)plane at the coordinates (numbers or broadcastable arrays)."""
        return self.value + self._offsets(coords) @ self.gradient

    def second_order(self, *coords: ArrayLike) -> NDArray[np.float64]:
        """The quadratic model at the coordinates (numbers or broadcastable arrays)."""
        d = self._offsets(coords)
        quadratic = 0.5 * np.einsum("...i,ij,...j->...", d, self.hessian, d)
        return self.value + d @ self.gradient + quadratic


def taylor_model(
    f: Callable[..., ArrayLike], grad: VectorFunction, hess: MatrixFunction, point: Sequence[float]
) -> TaylorModel:
    """The Taylor models of f at a point, from compiled f, gradient and Hessian.

    Args:
        f: compiled f(*coords); grad: compiled ∇f (`compile_map` of `gradient`);
            hess: compiled H (`compile_matrix` of `hessian`).
        point: (n,) where to expand.

    Returns:
        A `TaylorModel` (NaN entries where f or a derivative is undefined at the point).

    Example:
        >>> m = taylor_model(np.exp, lambda x: np.exp(x)[None], lambda x: np.exp(x)[None, None],
        ...                  (0.0,))
        >>> float(m.first_order(0.1)), float(m.second_order(0.1))
        (1.1, 1.105)
    """
    p = np.asarray(point, dtype=np.float64)
    if p.ndim != 1 or p.size == 0 or not np.all(np.isfinite(p)):
        raise ValueError(f"point must be finite coordinates (x0, y0, ...), got {point!r}")
    n = len(p)
    value = float(_finite(f(*p), ()))
    g = _finite(grad(*p), (n,))
    H = _finite(hess(*p), (n, n))
    return TaylorModel(p, value, g, H)


@dataclass(frozen=True)
class TaylorPatch:
    """f and its two Taylor models on a small square grid around the point (z[j, i] layout).

    Attributes:
        x, y: (k,) the patch's axes, centred on the point.
        surface: (k, k) f itself; first: (k, k) the tangent plane; second: (k, k) the
            quadratic model. NaN where f is undefined.
    """

    x: NDArray[np.float64]
    y: NDArray[np.float64]
    surface: NDArray[np.float64]
    first: NDArray[np.float64]
    second: NDArray[np.float64]


def taylor_patch(f: Function2, model: TaylorModel, radius: float, n: int = 25) -> TaylorPatch:
    """Sample f and its Taylor models on an n x n grid over [x0 ± radius] x [y0 ± radius].

    Args:
        f: compiled f(x, y); model: its `TaylorModel` at (x0, y0); radius: > 0, how far
            the models are drawn; n: points per side.

    Returns:
        A `TaylorPatch`; light enough to redraw as the radius moves.
    """
    if len(model.point) != 2:
        raise ValueError(f"taylor_patch draws models of f(x, y), got a point {model.point!r}")
    if not (np.isfinite(radius) and radius > 0):
        raise ValueError(f"radius must be a positive number, got {radius!r}")
    x0, y0 = (float(c) for c in model.point)
    xs = _axis((x0 - radius, x0 + radius), n, "x range")
    ys = _axis((y0 - radius, y0 + radius), n, "y range")
    gx, gy = np.meshgrid(xs, ys)
    parts = (f(gx, gy), model.first_order(gx, gy), model.second_order(gx, gy))
    return TaylorPatch(xs, ys, *(_finite(p, gx.shape) for p in parts))


# --- Newton's method versus gradient descent -----------------------------------------------------

NEWTON_FIXES = ("none", "shift", "clip", "abs")
_FLAT_RTOL = 1e-12  # eigenvalues below this fraction of the largest have no curvature to use


def _solve_by_eigen(
    values: NDArray[np.float64], vectors: NDArray[np.float64], g: NDArray[np.float64]
) -> NDArray[np.float64]:
    """(V diag(values) Vᵀ)⁺ g for stacks (..., n), (..., n, n), (..., n); flat directions get 0.

    Along a direction without curvature Newton's method has nothing to divide by, so it
    leaves that coordinate alone instead of jumping to infinity (as a pseudo-inverse does).
    """
    top = np.max(np.abs(values), axis=-1, keepdims=True)
    keep = np.abs(values) > _FLAT_RTOL * top
    along = np.einsum("...ji,...j->...i", vectors, g)
    along = np.where(keep, along / np.where(keep, values, 1.0), 0.0)
    return np.einsum("...ij,...j->...i", vectors, along)


def _fixed_eigenvalues(values: NDArray[np.float64], fix: str, floor: float) -> NDArray[np.float64]:
    if fix == "shift":  # H + τI, the smallest τ ≥ 0 that makes every eigenvalue >= floor
        return values + max(0.0, floor - float(values.min()))
    if fix == "clip":
        return np.maximum(values, floor)
    if fix == "abs":  # "saddle-free Newton": curvature's size, never its sign
        return np.maximum(np.abs(values), floor)
    return values


@dataclass(frozen=True)
class NewtonStep:
    """Newton's step and the gradient step from one point, with what decides between them.

    Attributes:
        newton: (n,) −M⁻¹∇f, where M is H (+ damping·I), made positive definite by `fix`.
        gradient_step: (n,) −lr·∇f.
        eigenvalues: (n,) of H itself, ascending; eigenvectors: (n, n) as columns.
        used_eigenvalues: (n,) of M, in the same order (M has the same eigenvectors).
        condition_number: κ(H).
        descent: True if the Newton step points downhill (∇f·step < 0).
        heads_for: what M's quadratic model has at the step's end: ``"minimum"``, or for
            an indefinite or negative-definite M ``"saddle"`` / ``"maximum"``, where plain Newton
            steps towards a point that is not a minimum; ``"degenerate"`` if M is singular.
        predicted_change: f's change along the Newton step by the true quadratic model,
            ∇f·s + ½ sᵀHs.
    """

    newton: NDArray[np.float64]
    gradient_step: NDArray[np.float64]
    eigenvalues: NDArray[np.float64]
    eigenvectors: NDArray[np.float64]
    used_eigenvalues: NDArray[np.float64]
    condition_number: float
    descent: bool
    heads_for: str
    predicted_change: float


def newton_step(
    gradient_at_point: ArrayLike,
    hessian_at_point: ArrayLike,
    *,
    lr: float = 0.1,
    fix: str = "none",
    damping: float = 0.0,
    floor: float = 1e-3,
) -> NewtonStep:
    """Newton's step −H⁻¹∇f (plain, damped or made positive definite) and the step −lr·∇f.

    Args:
        gradient_at_point: (n,) ∇f at the point.
        hessian_at_point: (n, n) H at the point, symmetric.
        lr: the gradient step's learning rate.
        fix: ``"none"`` (plain Newton), ``"shift"`` (H + τI with the smallest τ that makes
            every eigenvalue at least `floor`), ``"clip"`` (eigenvalues below `floor` raised
            to it) or ``"abs"`` (|eigenvalues|, at least `floor`: saddle-free Newton).
        damping: added to the diagonal first (Levenberg's damped Newton), >= 0.
        floor: the smallest curvature a fix allows, > 0.

    Returns:
        A `NewtonStep`. With ``fix="none"`` and an indefinite H the step heads for the saddle
        of the quadratic model; every fix gives a downhill step wherever ∇f ≠ 0.

    Example:
        >>> s = newton_step([2.0, 4.0], [[2.0, 0.0], [0.0, -2.0]])  # x² − y² at (1, −2)
        >>> s.newton, s.heads_for
        (array([-1.,  2.]), 'saddle')
        >>> newton_step([2.0, 4.0], [[2.0, 0.0], [0.0, -2.0]], fix="abs").newton
        array([-1., -2.])
    """
    H = _symmetric(hessian_at_point, "hessian_at_point")
    g = _vector(gradient_at_point, H.shape[0], "gradient_at_point")
    if fix not in NEWTON_FIXES:
        raise ValueError(f"fix must be one of {NEWTON_FIXES}, got {fix!r}")
    if not (np.isfinite(damping) and damping >= 0):
        raise ValueError(f"damping must be a number >= 0, got {damping!r}")
    if not (np.isfinite(floor) and floor > 0):
        raise ValueError(f"floor must be a positive number, got {floor!r}")
    values, vectors = np.linalg.eigh(H)
    used = _fixed_eigenvalues(values + float(damping), fix, float(floor))
    step = -_solve_by_eigen(used, vectors, g)
    kind = _KIND_OF[_definiteness(used, _FLAT_RTOL * float(np.max(np.abs(used))))]
    return NewtonStep(
        newton=step,
        gradient_step=-float(lr) * g,
        eigenvalues=values,
        eigenvectors=vectors,
        used_eigenvalues=used,
        condition_number=condition_number(H),
        descent=bool(g @ step < 0),
        heads_for=kind,
        predicted_change=float(g @ step + 0.5 * step @ H @ step),
    )


def newton_path(
    grad: VectorFunction,
    hess: MatrixFunction,
    start: Sequence[float],
    steps: int,
    *,
    step_size: float = 1.0,
    fix: str = "none",
    damping: float = 0.0,
    floor: float = 1e-3,
    bounds: Sequence[Range] | None = None,
) -> NDArray[np.float64]:
    """Iterate x ← x + step_size · (Newton step of `newton_step`) from a start.

    Stops early where the gradient or Hessian is undefined, where the step vanishes (a
    critical point is reached), or where the path would leave `bounds`.

    Args:
        grad, hess: compiled ∇f and H of the coordinates.
        start: (n,) the first point; steps: the most steps to take.
        step_size: scales each Newton step (below 1: damped Newton by step length).
        fix, damping, floor: as in `newton_step`.
        bounds: one (low, high) per coordinate, or None.

    Returns:
        (k + 1, n) points, the start first, k <= steps.

    Example:
        >>> path = newton_path(lambda x, y: np.stack([2 * x, 8 * y], -1),
        ...                    lambda x, y: np.diag([2.0, 8.0]), (1.0, 1.0), 5)
        >>> path  # one step to the bottom of a quadratic bowl, then no more
        array([[1., 1.],
               [0., 0.]])
    """
    x = np.asarray(start, dtype=np.float64)
    n = len(x)
    points = [x]
    for _ in range(int(steps)):
        g = _finite(grad(*x), (n,))
        H = _finite(hess(*x), (n, n))
        if not (np.all(np.isfinite(g)) and np.all(np.isfinite(H))):
            break
        s = newton_step(g, (H + H.T) / 2, fix=fix, damping=damping, floor=floor).newton
        if float(np.linalg.norm(s)) <= 1e-12 * (1.0 + float(np.linalg.norm(x))):
            break
        candidate = x + float(step_size) * s
        if bounds is not None and not all(
            low <= c <= high for c, (low, high) in zip(candidate, bounds, strict=True)
        ):
            break
        x = candidate
        points.append(x)
    return np.array(points)
