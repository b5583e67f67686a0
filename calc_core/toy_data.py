"""Two-dimensional toy data sets for a tiny classifier: circle, XOR, two moons, linear.

Each set has two classes (labels 0 and 1) in roughly equal numbers, with inputs roughly inside
[-1.5, 1.5]². The points are drawn once from ``numpy.random.default_rng(seed)`` and then moved by
Gaussian jitter of standard deviation ``noise``; the jitter is drawn from the same stream for
every noise level, so a noise slider moves the same points further rather than drawing new ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

DATASETS = ("circle", "xor", "moons", "linear")
MAX_POINTS = 100_000
MAX_NOISE = 1.0


@dataclass(frozen=True, eq=False)
class Dataset:
    """Labelled points for binary classification.

    Attributes:
        X: inputs, shape `(n, 2)`, float64.
        y: labels, shape `(n,)`, float64 with values 0.0 and 1.0.
        name: which of `DATASETS` made it.
    """

    X: NDArray[np.float64]
    y: NDArray[np.float64]
    name: str


def make_dataset(name: str, n: int = 200, noise: float = 0.1, seed: int = 0) -> Dataset:
    """Draw a toy data set: the same arguments always give the same points.

    Args:
        name: one of `DATASETS`: "circle" (a disc of 1s inside a ring of 0s), "xor" (1s where
            x₁·x₂ > 0), "moons" (two interleaved half circles), "linear" (1s above the line
            x₂ = x₁, with a margin of 0.2 before the noise).
        n: number of points, 2 to 100 000; `n // 2` of them are labelled 1.
        noise: standard deviation of the Gaussian jitter added to every point, 0 to 1.
        seed: a non-negative integer for `numpy.random.default_rng`.

    Returns:
        A `Dataset` with `X` of shape `(n, 2)` and `y` of shape `(n,)`, in shuffled order.

    Raises:
        ValueError: for an unknown name or an argument out of range (the message quotes it).

    Example:
        >>> data = make_dataset("xor", n=4, noise=0.0, seed=1)
        >>> data.X.shape, data.y.tolist()
        ((4, 2), [0.0, 0.0, 1.0, 1.0])
        >>> bool(np.all((data.X[:, 0] * data.X[:, 1] > 0) == (data.y == 1)))
        True
    """
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or not 2 <= n <= MAX_POINTS:
        raise ValueError(f"n must be a whole number from 2 to {MAX_POINTS}, got {n!r}")
    if isinstance(noise, bool) or not isinstance(noise, int | float | np.floating):
        raise ValueError(f"noise must be a number from 0 to {MAX_NOISE}, got {noise!r}")
    if not 0.0 <= float(noise) <= MAX_NOISE:  # also rejects nan
        raise ValueError(f"noise must be a number from 0 to {MAX_NOISE}, got {noise!r}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative whole number, got {seed!r}")

    rng = np.random.default_rng(int(seed))
    n = int(n)
    y = np.zeros(n)
    y[: n // 2] = 1.0
    X = _MAKERS[name](rng, y == 1.0)
    X = X + float(noise) * rng.standard_normal((n, 2))
    order = rng.permutation(n)
    return Dataset(X=X[order], y=y[order], name=name)


def _circle(rng: np.random.Generator, positive: NDArray[np.bool_]) -> NDArray[np.float64]:
    # Radius uniform in [0, 0.5] for the 1s and [0.8, 1.2] for the 0s: a gap of 0.3 between.
    radius = np.where(
        positive, rng.uniform(0.0, 0.5, positive.size), rng.uniform(0.8, 1.2, positive.size)
    )
    angle = rng.uniform(0.0, 2.0 * np.pi, positive.size)
    return np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])


def _xor(rng: np.random.Generator, positive: NDArray[np.bool_]) -> NDArray[np.float64]:
    # Each coordinate's size in [0.1, 1.2], away from the axes; the signs pick the quadrant.
    size = rng.uniform(0.1, 1.2, (positive.size, 2))
    sign_x = rng.choice([-1.0, 1.0], positive.size)
    sign_y = np.where(positive, sign_x, -sign_x)  # same signs: x₁·x₂ > 0
    return size * np.column_stack([sign_x, sign_y])


def _moons(rng: np.random.Generator, positive: NDArray[np.bool_]) -> NDArray[np.float64]:
    # scikit-learn's two moons (x in [-1, 2], y in [-0.5, 1]), centred on the origin and scaled
    # by 0.85 so that, with some noise, they stay inside [-1.5, 1.5]².
    t = rng.uniform(0.0, np.pi, positive.size)
    upper = np.column_stack([np.cos(t), np.sin(t)])
    lower = np.column_stack([1.0 - np.cos(t), 0.5 - np.sin(t)])
    return 0.85 * (np.where(positive[:, None], lower, upper) - np.array([0.5, 0.25]))


def _linear(rng: np.random.Generator, positive: NDArray[np.bool_]) -> NDArray[np.float64]:
    # Along the line x₂ = x₁ anywhere in [-1, 1]; across it 0.2 to 0.9 away, on the label's side.
    along = rng.uniform(-1.0, 1.0, positive.size)
    across = rng.uniform(0.2, 0.9, positive.size) * np.where(positive, 1.0, -1.0)
    direction = np.array([1.0, 1.0]) / np.sqrt(2.0)
    normal = np.array([-1.0, 1.0]) / np.sqrt(2.0)
    return along[:, None] * direction + across[:, None] * normal


_MAKERS = {"circle": _circle, "xor": _xor, "moons": _moons, "linear": _linear}
