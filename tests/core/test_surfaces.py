"""The loss surfaces: known minima against the literature, gradients and Hessians against
central differences, the bowl's eigenvalues, and typed formulas."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import calc_core.surfaces as surfaces_module
from calc_core.expressions import ExpressionError
from calc_core.surfaces import SURFACE_NAMES, quadratic_bowl, surface, typed_surface

# (surface, point, value, one unit of the literature's last decimal: it truncates, 0.7126564 is
# quoted as 0.7126) from Surjanovic & Bingham's Virtual Library of Simulation Experiments, and
# Himmelblau (1972) for his minima.
LITERATURE = [
    ("rosenbrock", (1.0, 1.0), 0.0, 0.0),
    ("himmelblau", (3.0, 2.0), 0.0, 0.0),
    ("himmelblau", (-2.805118, 3.131312), 0.0, 1e-6),
    ("himmelblau", (-3.779310, -3.283186), 0.0, 1e-6),
    ("himmelblau", (3.584428, -1.848126), 0.0, 1e-6),
    ("beale", (3.0, 0.5), 0.0, 0.0),
    ("booth", (1.0, 3.0), 0.0, 0.0),
    ("six_hump_camel", (0.0898, -0.7126), -1.0316, 1e-4),
    ("six_hump_camel", (-0.0898, 0.7126), -1.0316, 1e-4),
    ("rastrigin", (0.0, 0.0), 0.0, 0.0),
    ("ackley", (0.0, 0.0), 0.0, 0.0),
    ("bowl", (0.0, 0.0), 0.0, 0.0),
    ("plateau", (0.0, 0.0), 0.0, 0.0),
]


@pytest.mark.parametrize(("name", "point", "value", "precision"), LITERATURE)
def test_known_minima_match_the_literature(name, point, value, precision):
    """Each literature minimum is listed, to the literature's precision, with its value; f
    computed there agrees."""
    s = surface(name)
    nearest = min(s.minima, key=lambda m: np.hypot(*np.subtract(m.point, point)))
    assert nearest.point == pytest.approx(point, abs=precision + 1e-15)
    assert nearest.value == pytest.approx(value, abs=precision + 1e-15)
    assert float(s.loss(nearest.point)) == pytest.approx(nearest.value, abs=1e-12)


def test_minima_counts():
    """Global minima: four for Himmelblau, two for the camel, none for the saddle."""
    counts = {name: len(surface(name).minima) for name in SURFACE_NAMES}
    assert counts == {
        "bowl": 1,
        "rosenbrock": 1,
        "himmelblau": 4,
        "beale": 1,
        "booth": 1,
        "saddle": 0,
        "plateau": 1,
        "six_hump_camel": 2,
        "rastrigin": 1,
        "ackley": 1,
    }


@pytest.mark.parametrize("name", [n for n in SURFACE_NAMES if n != "ackley"])
def test_gradient_vanishes_and_hessian_is_positive_at_each_minimum(name):
    """At a smooth minimum ∇f = 0 and the Hessian is positive definite."""
    s = surface(name)
    for m in s.minima:
        assert np.abs(s.grad(m.point)).max() < 1e-9
        assert np.linalg.eigvalsh(s.hessian(m.point)).min() > 0


def test_ackleys_minimum_is_a_cone_tip():
    """Ackley's f is not differentiable at 0: the gradient there is NaN, the one-sided slopes
    are positive in every direction, and f is 0 there and larger all around."""
    s = surface("ackley")
    assert np.isnan(s.grad([0.0, 0.0])).all()
    angles = np.linspace(0, 2 * np.pi, 16, endpoint=False)
    ring = 1e-6 * np.stack([np.cos(angles), np.sin(angles)], axis=-1)
    slopes = s.loss(ring) / 1e-6
    assert np.all(slopes > 1.0)  # a cone: f ≈ 2.83·r near 0
    assert abs(float(s.loss([0.0, 0.0]))) < 1e-12


@pytest.mark.parametrize("name", [n for n in SURFACE_NAMES if n != "saddle"])
def test_minima_are_global_on_the_window(name):
    """No point of a fine grid over the view window is lower than the listed minimum."""
    s = surface(name)
    grid = s.grid(301)
    lowest = min(m.value for m in s.minima)
    assert np.nanmin(grid.z) >= lowest - 1e-9


def test_saddle_has_a_critical_point_but_no_minimum():
    """x² − y²: ∇f(0, 0) = 0, the Hessian there is indefinite, and f is unbounded below."""
    s = surface("saddle")
    assert s.minima == ()
    assert s.grad([0.0, 0.0]).tolist() == [0.0, 0.0]
    assert np.linalg.eigvalsh(s.hessian([0.0, 0.0])).tolist() == [-2.0, 2.0]
    assert np.isnan(s.distance_to_minimum([1.0, 1.0]))


def test_plateau_is_flat_far_from_the_centre():
    """The inverted Gaussian: |∇f| = r·exp(−r²/2) is below 1e-2 at the default start."""
    s = surface("plateau")
    r = np.hypot(*s.start)
    assert np.linalg.norm(s.grad(s.start)) == pytest.approx(r * np.exp(-(r**2) / 2))
    assert np.linalg.norm(s.grad(s.start)) < 1e-2


@pytest.mark.parametrize("name", SURFACE_NAMES)
def test_every_surface_is_complete(name):
    """A window, a start inside it where f is finite, minima inside it, a formula and LaTeX."""
    s = surface(name)
    (x0, x1), (y0, y1) = s.x_range, s.y_range
    assert x0 < s.start[0] < x1 and y0 < s.start[1] < y1
    assert np.isfinite(s.loss(s.start)) and np.all(np.isfinite(s.grad(s.start)))
    for m in s.minima:
        assert x0 <= m.point[0] <= x1 and y0 <= m.point[1] <= y1
    assert s.formula and s.latex and s.title and s.note
    assert s.name == name


# --- derivatives against an independent method ------------------------------------------------


@st.composite
def surface_points(draw):
    name = draw(st.sampled_from(SURFACE_NAMES))
    s = surface(name)
    u = draw(st.floats(0.0, 1.0))
    v = draw(st.floats(0.0, 1.0))
    x = s.x_range[0] + u * (s.x_range[1] - s.x_range[0])
    y = s.y_range[0] + v * (s.y_range[1] - s.y_range[0])
    if name == "ackley" and np.hypot(x, y) < 1e-2:  # the kink at 0
        x += 0.1
    return s, np.array([x, y])


def _central_gradient(f, p, h):
    e = np.eye(2) * h
    return np.array([(f(p + e[i]) - f(p - e[i])) / (2 * h) for i in range(2)])


@settings(max_examples=300, deadline=None)
@given(surface_points())
def test_gradient_matches_central_differences(case):
    """∇f from SymPy equals central differences of f, relative to the size of f's slope."""
    s, p = case
    numeric = _central_gradient(lambda q: float(s.loss(q)), p, 1e-6)
    # truncation error ~ h² times the third derivative; rounding error ~ 1e-16·|f|/h
    tolerance = 1e-6 * (1.0 + np.abs(numeric).max()) + 1e-9 * abs(float(s.loss(p)))
    assert np.abs(s.grad(p) - numeric).max() <= tolerance


@settings(max_examples=300, deadline=None)
@given(surface_points())
def test_hessian_matches_central_differences_of_the_gradient(case):
    """Each Hessian column equals central differences of ∇f; the Hessian is symmetric."""
    s, p = case
    H = s.hessian(p)
    columns = _central_gradient(s.grad, p, 1e-6)  # row i: ∂∇f/∂x_i
    tolerance = 1e-6 * (1.0 + np.abs(H).max()) + 1e-9 * np.abs(s.grad(p)).max()
    assert np.abs(H - columns.T).max() <= tolerance
    assert H[0, 1] == H[1, 0]


@settings(max_examples=50, deadline=None)
@given(st.floats(0.01, 1e4))
def test_bowl_hessian_eigenvalues_are_one_and_kappa(kappa):
    """(x² + κy²)/2 has Hessian diag(1, κ) everywhere: eigenvalues (1, κ)."""
    s = quadratic_bowl(kappa)
    for point in ([0.0, 0.0], [1.3, -2.0]):
        assert sorted(np.linalg.eigvalsh(s.hessian(point))) == pytest.approx(sorted([1.0, kappa]))
    assert float(s.loss([1.0, 1.0])) == pytest.approx((1 + kappa) / 2)


def test_bowl_validation():
    with pytest.raises(ValueError, match="kappa"):
        quadratic_bowl(0.0)
    with pytest.raises(ValueError, match="kappa"):
        quadratic_bowl(float("inf"))
    assert surface("bowl") is quadratic_bowl(10.0)


# --- vectorised evaluation ----------------------------------------------------------------------


def test_evaluation_is_vectorised_over_points_and_grids():
    """loss, grad and hessian take (..., 2) points; f and grid take arrays; all agree."""
    s = surface("himmelblau")
    points = np.random.default_rng(0).uniform(-4, 4, size=(3, 5, 2))
    assert s.loss(points).shape == (3, 5)
    assert s.grad(points).shape == (3, 5, 2) and s.hessian(points).shape == (3, 5, 2, 2)
    one = points[1, 2]
    assert s.grad(points)[1, 2].tolist() == s.grad(one).tolist()
    assert s.hessian(points)[1, 2].tolist() == s.hessian(one).tolist()
    assert s.loss(points)[1, 2] == s.f(one[0], one[1])
    grid = s.grid(7)
    assert grid.z.shape == (7, 7)
    assert grid.z[5, 2] == pytest.approx(float(s.f(grid.x[2], grid.y[5])))


def test_distance_to_the_nearest_minimum():
    s = surface("himmelblau")
    d = s.distance_to_minimum([[3.0, 2.0], [3.0, 5.0], [0.0, 0.0]])
    assert d[0] == 0.0 and d[1] == pytest.approx(3.0)
    assert d[2] == pytest.approx(min(np.hypot(*m.point) for m in s.minima))


def test_unknown_surface_names_the_known_ones():
    with pytest.raises(ValueError, match="rosenbrock, himmelblau"):
        surface("griewank")
    with pytest.raises(ValueError, match=r"\(\.\.\., 2\)"):
        surface("booth").grad([1.0, 2.0, 3.0])


# --- typed formulas -----------------------------------------------------------------------------


def test_typed_surface_works_like_a_named_one():
    """The Rosenbrock formula typed in gives the named surface's numbers."""
    typed = typed_surface("(1 - x)^2 + 100(y - x^2)^2", (-2, 2), (-1, 3))
    named = surface("rosenbrock")
    points = np.array([[-1.2, 1.0], [0.3, 0.7], [1.0, 1.0]])
    assert np.array_equal(typed.grad(points), named.grad(points))
    assert np.array_equal(typed.hessian(points), named.hessian(points))
    assert typed.minima == () and typed.name == "typed"
    assert typed.start == (-1.0, 2.0)  # a quarter in from the top-left corner


def test_typed_surface_refuses_bad_text_with_expression_error():
    for text in ("x^2 +", "import os", "z^2", "", "9**9**9", None):
        with pytest.raises(ExpressionError):
            typed_surface(text)
    with pytest.raises(ValueError, match="x range"):
        typed_surface("x*y", (1.0, -1.0))


def test_typed_surface_refuses_derivatives_too_large(monkeypatch):
    """Second derivatives past the node budget are refused in a sentence for the learner."""
    monkeypatch.setattr(surfaces_module, "MAX_DERIVATIVE_NODES", 30)
    with pytest.raises(ExpressionError, match="too large"):
        typed_surface("sin(x*y)*exp(x - y)*tanh(x + 2y)")


def test_typed_surface_keeps_numeric_edges_as_nan():
    """log(x) is undefined for x <= 0: NaN there, finite elsewhere."""
    s = typed_surface("log(x) + y^2", (0.5, 3.0), (-1.0, 1.0))
    assert np.isnan(s.loss([-1.0, 0.0])) and np.isfinite(s.loss([1.0, 0.0]))
    assert s.grad([2.0, 0.5]).tolist() == [0.5, 1.0]
