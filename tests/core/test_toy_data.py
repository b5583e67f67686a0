"""The toy data sets: shapes, labels, reproducibility, noise, balance, and what each set means."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calc_core.toy_data import DATASETS, make_dataset


@pytest.mark.parametrize("name", DATASETS)
def test_shapes_and_dtypes(name):
    """X is (n, 2) float64, y is (n,) float64, and the name is kept."""
    data = make_dataset(name, n=137, noise=0.2, seed=3)
    assert data.X.shape == (137, 2)
    assert data.y.shape == (137,)
    assert data.X.dtype == np.float64 and data.y.dtype == np.float64
    assert data.name == name
    assert np.all(np.isfinite(data.X))


@given(
    name=st.sampled_from(DATASETS),
    n=st.integers(2, 400),
    noise=st.floats(0.0, 1.0),
    seed=st.integers(0, 2**32),
)
@settings(max_examples=60, deadline=None)
def test_labels_binary_and_balanced(name, n, noise, seed):
    """Labels are 0 or 1, with exactly n // 2 ones, for any arguments."""
    data = make_dataset(name, n=n, noise=noise, seed=seed)
    assert set(np.unique(data.y)) <= {0.0, 1.0}
    assert int(data.y.sum()) == n // 2


@pytest.mark.parametrize("name", DATASETS)
def test_same_seed_same_points(name):
    """The same arguments give identical arrays."""
    first = make_dataset(name, n=50, noise=0.3, seed=11)
    second = make_dataset(name, n=50, noise=0.3, seed=11)
    np.testing.assert_array_equal(first.X, second.X)
    np.testing.assert_array_equal(first.y, second.y)


@pytest.mark.parametrize("name", DATASETS)
def test_different_seeds_differ(name):
    """Another seed gives other points."""
    first = make_dataset(name, n=50, seed=1)
    second = make_dataset(name, n=50, seed=2)
    assert not np.allclose(first.X, second.X)


@pytest.mark.parametrize("name", DATASETS)
def test_noise_moves_the_same_points_further(name):
    """With one seed, the jitter scales with noise: X(σ) − X(0) is proportional to σ."""
    clean = make_dataset(name, n=80, noise=0.0, seed=5)
    low = make_dataset(name, n=80, noise=0.1, seed=5)
    high = make_dataset(name, n=80, noise=0.4, seed=5)
    np.testing.assert_array_equal(clean.y, high.y)
    assert not np.allclose(clean.X, low.X)
    np.testing.assert_allclose(high.X - clean.X, 4.0 * (low.X - clean.X), atol=1e-12)
    jitter = high.X - clean.X
    assert 0.3 < jitter.std() < 0.5  # a standard deviation of 0.4, measured on 160 numbers


@pytest.mark.parametrize("name", DATASETS)
def test_inputs_roughly_in_the_drawing_square(name):
    """With the default noise, points stay in [-1.5, 1.5]² give or take the jitter's tail."""
    data = make_dataset(name, n=1000, noise=0.1, seed=0)
    assert np.abs(data.X).max() < 1.5 + 4 * 0.1
    assert np.mean(np.all(np.abs(data.X) <= 1.5, axis=1)) > 0.99


def test_noise_free_sets_follow_their_rule():
    """Without noise each set is exactly what its name says."""
    circle = make_dataset("circle", n=300, noise=0.0)
    radius = np.hypot(*circle.X.T)
    assert np.all((radius <= 0.5) == (circle.y == 1))
    xor = make_dataset("xor", n=300, noise=0.0)
    assert np.all((xor.X[:, 0] * xor.X[:, 1] > 0) == (xor.y == 1))
    linear = make_dataset("linear", n=300, noise=0.0)
    signed_distance = (linear.X[:, 1] - linear.X[:, 0]) / np.sqrt(2)
    assert np.all((signed_distance >= 0.2) == (linear.y == 1))
    assert np.all(np.abs(signed_distance) >= 0.2 - 1e-12)


def test_noise_free_moons_lie_on_two_half_circles():
    """Scaled back, each moon is a unit half circle: one centred at (0, 0), one at (1, 0.5)."""
    moons = make_dataset("moons", n=200, noise=0.0)
    original = moons.X / 0.85 + np.array([0.5, 0.25])
    upper, lower = original[moons.y == 0], original[moons.y == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0)
    np.testing.assert_allclose(np.hypot(*(lower - [1.0, 0.5]).T), 1.0)
    assert np.all(upper[:, 1] >= 0) and np.all(lower[:, 1] <= 0.5)


@pytest.mark.parametrize(
    ("kwargs", "quoted"),
    [
        ({"name": "spiral"}, "'spiral'"),
        ({"name": "circle", "n": 1}, "1"),
        ({"name": "circle", "n": 10**6}, "1000000"),
        ({"name": "circle", "n": 20.5}, "20.5"),
        ({"name": "circle", "n": True}, "True"),
        ({"name": "circle", "noise": -0.1}, "-0.1"),
        ({"name": "circle", "noise": 2.0}, "2.0"),
        ({"name": "circle", "noise": float("nan")}, "nan"),
        ({"name": "circle", "noise": "0.1"}, "'0.1'"),
        ({"name": "circle", "seed": -1}, "-1"),
        ({"name": "circle", "seed": 1.5}, "1.5"),
    ],
)
def test_bad_arguments_are_refused_and_quoted(kwargs, quoted):
    """Each bad argument raises ValueError whose message quotes it."""
    with pytest.raises(ValueError, match=r"got|unknown") as error:
        make_dataset(**kwargs)
    assert quoted in str(error.value)
