"""Training in one dimension: a one-weight model y = w·x fitted to a handful of points.

The loss L(w) is the mean squared error; its derivative dL/dw says how much, and which way,
to tweak the weight. This is the whole of training in miniature: gradient descent on L.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray


@dataclass(frozen=True)
class ToyData:
    """Points (x_i, y_i) for the one-weight model, shapes `(n,)` each."""

    x: NDArray[np.float64]
    y: NDArray[np.float64]


@dataclass(frozen=True)
class GradientStep:
    """One step of gradient descent on L(w): w_next = w - lr · dL/dw(w)."""

    w: float
    loss: float
    slope: float
    lr: float
    w_next: float
    loss_next: float


def toy_data() -> ToyData:
    """Six points that lie near the line y = 2x, as a measured quantity would.

    Returns:
        `ToyData` with `x` and `y` of shape `(6,)`. The best weight is about 1.985.
    """
    x = np.array([0.5, 1.0, 1.5, 2.0, 2.5, 3.0])
    y = np.array([1.2, 1.8, 3.3, 3.9, 4.8, 6.0])
    return ToyData(x=x, y=y)


def predictions(w: float, data: ToyData) -> NDArray[np.float64]:
    """The model's outputs ŷ_i = w·x_i, shape `(n,)`."""
    return w * data.x


def mse_loss(w: ArrayLike, data: ToyData) -> NDArray[np.float64]:
    """Mean squared error L(w) = mean_i (w·x_i − y_i)², vectorised over `w`.

    Args:
        w: a weight or an array of weights of any shape.
        data: the points.

    Returns:
        L at each weight, same shape as `w`.

    Example:
        >>> round(float(mse_loss(2.0, toy_data())), 4)
        0.0367
    """
    w = np.asarray(w, dtype=float)
    residuals = w[..., None] * data.x - data.y
    return np.mean(residuals**2, axis=-1)


def mse_loss_derivative(w: ArrayLike, data: ToyData) -> NDArray[np.float64]:
    """dL/dw = mean_i 2·x_i·(w·x_i − y_i), vectorised over `w` (same shape as `w`)."""
    w = np.asarray(w, dtype=float)
    residuals = w[..., None] * data.x - data.y
    return np.mean(2.0 * data.x * residuals, axis=-1)


def best_weight(data: ToyData) -> float:
    """The w where dL/dw = 0: Σ x_i·y_i / Σ x_i² (least squares through the origin)."""
    return float(np.dot(data.x, data.y) / np.dot(data.x, data.x))


def loss_curvature(data: ToyData) -> float:
    """d²L/dw² = 2·mean(x_i²), the same at every w because L is a parabola."""
    return float(2.0 * np.mean(data.x**2))


def largest_stable_learning_rate(data: ToyData) -> float:
    """Gradient descent on this parabola converges exactly when lr < 2 / L''."""
    return 2.0 / loss_curvature(data)


def gradient_step(w: float, lr: float, data: ToyData) -> GradientStep:
    """One gradient-descent step from `w` with learning rate `lr`.

    Example:
        >>> step = gradient_step(0.0, 0.1, toy_data())
        >>> round(step.slope, 3), round(step.w_next, 4)
        (-15.05, 1.505)
    """
    loss = float(mse_loss(w, data))
    slope = float(mse_loss_derivative(w, data))
    w_next = w - lr * slope
    return GradientStep(
        w=w,
        loss=loss,
        slope=slope,
        lr=lr,
        w_next=w_next,
        loss_next=float(mse_loss(w_next, data)),
    )
