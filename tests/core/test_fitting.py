"""The one-weight model of the intuition page, checked against independent methods."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from calc_core.fitting import (
    best_weight,
    gradient_step,
    largest_stable_learning_rate,
    loss_curvature,
    mse_loss,
    mse_loss_derivative,
    predictions,
    toy_data,
)

DATA = toy_data()
weights = st.floats(min_value=-5, max_value=5, allow_nan=False)


def central(f, w: float, h: float = 1e-5) -> float:
    return float((f(w + h) - f(w - h)) / (2 * h))


def test_loss_is_the_mean_squared_error_written_out():
    """L(2) computed by a plain loop over the points."""
    by_hand = sum((2.0 * x - y) ** 2 for x, y in zip(DATA.x, DATA.y, strict=True)) / len(DATA.x)
    assert float(mse_loss(2.0, DATA)) == np.float64(by_hand)


@given(weights)
def test_derivative_matches_central_difference(w):
    """dL/dw agrees with a central difference of L."""
    expected = central(lambda v: mse_loss(v, DATA), w)
    assert np.isclose(float(mse_loss_derivative(w, DATA)), expected, rtol=1e-6, atol=1e-6)


@given(weights)
def test_curvature_matches_second_difference(w):
    """L'' is the same everywhere and equals a second difference of L."""
    h = 1e-3
    second = (mse_loss(w + h, DATA) - 2 * mse_loss(w, DATA) + mse_loss(w - h, DATA)) / h**2
    assert np.isclose(float(second), loss_curvature(DATA), rtol=1e-5)


def test_loss_is_vectorised_over_weights():
    """A grid of weights gives a grid of losses of the same shape."""
    grid = np.linspace(-1, 4, 12).reshape(3, 4)
    assert mse_loss(grid, DATA).shape == (3, 4)
    assert mse_loss_derivative(grid, DATA).shape == (3, 4)
    assert np.allclose(mse_loss(grid, DATA)[1, 2], mse_loss(grid[1, 2], DATA))


def test_best_weight_has_zero_slope_and_lowest_loss():
    """The least-squares weight is where dL/dw vanishes."""
    w_star = best_weight(DATA)
    assert abs(float(mse_loss_derivative(w_star, DATA))) < 1e-12
    grid = np.linspace(-1, 4, 1001)
    assert float(mse_loss(w_star, DATA)) <= mse_loss(grid, DATA).min() + 1e-12
    assert np.allclose(predictions(w_star, DATA), w_star * DATA.x)


@given(weights, st.floats(min_value=0.001, max_value=0.99))
def test_small_steps_lower_the_loss(w, fraction):
    """With lr below the stability limit a step never raises the loss."""
    lr = fraction * largest_stable_learning_rate(DATA)
    step = gradient_step(w, lr, DATA)
    assert step.w_next == w - lr * step.slope
    assert step.loss_next <= step.loss + 1e-12


def test_steps_above_the_limit_diverge():
    """Past lr = 2/L'' each step lands further from the minimum."""
    lr = 1.05 * largest_stable_learning_rate(DATA)
    w_star = best_weight(DATA)
    w = 0.0
    distances = []
    for _ in range(10):
        w = gradient_step(w, lr, DATA).w_next
        distances.append(abs(w - w_star))
    assert all(b > a for a, b in itertools.pairwise(distances))
