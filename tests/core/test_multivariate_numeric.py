"""Numbers of two variables: grids, gradient fields, directional derivatives, tangent planes,
steepest paths and the total derivative along a path, each against an independent method."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calc_core.expressions import compile_expression, parse_expression
from calc_core.multivariate import (
    directional_derivative,
    gradient,
    gradient_field,
    sample_grid,
    steepest_path,
    tangent_plane,
    total_derivative_along,
)

XY = ("x", "y")
# Smooth formulas of x and y: the pages' presets and a few more shapes.
SMOOTH = (
    "x^2 + 3y^2",
    "sin(x)*cos(y)",
    "x^2 - y^2",
    "(1 - x)^2 + 100(y - x^2)^2",
    "(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
    "x*y*exp(-x^2 - y^2)",
    "exp(x/2)*sin(y) + x*y^3",
    "log(1 + x^2 + y^2)",
)
coordinate = st.floats(-2.0, 2.0, allow_nan=False)


def _functions(text: str):
    expr = parse_expression(text, XY)
    fx, fy = gradient(expr, XY)
    return tuple(compile_expression(e, XY) for e in (expr, fx, fy))


def _central(f, x0: float, y0: float, h: float = 1e-6) -> tuple[float, float]:
    """∂f/∂x and ∂f/∂y by central differences (the independent method)."""
    dx = (f(x0 + h, y0) - f(x0 - h, y0)) / (2 * h)
    dy = (f(x0, y0 + h) - f(x0, y0 - h)) / (2 * h)
    return float(dx), float(dy)


def test_sample_grid_rows_run_along_y():
    """z[j, i] = f(x[i], y[j]); a constant formula still fills the grid; log(x) has gaps."""
    grid = sample_grid(compile_expression(parse_expression("x + 10y", XY), XY), (0, 1), (0, 2), 5)
    assert grid.z.shape == (5, 5)
    assert grid.z[4, 1] == pytest.approx(grid.x[1] + 10 * grid.y[4])
    constant = sample_grid(compile_expression(parse_expression("7", XY), XY), (0, 1), (0, 1), 4)
    assert constant.z.shape == (4, 4) and np.all(constant.z == 7)
    gaps = sample_grid(compile_expression(parse_expression("log(x)", XY), XY), (-1, 1), (0, 1), 5)
    assert np.isnan(gaps.z[:, 0]).all() and np.isfinite(gaps.z[:, -1]).all()


@pytest.mark.parametrize("bounds", [(1, 1), (2, 1), (0, math.inf), (math.nan, 1)])
def test_sample_grid_rejects_empty_or_infinite_windows(bounds):
    """A window that is empty, reversed or infinite is a ValueError naming the range."""
    with pytest.raises(ValueError, match="x range"):
        sample_grid(lambda x, y: x, bounds, (0, 1), 5)


@settings(max_examples=40, deadline=None)
@given(text=st.sampled_from(SMOOTH), x0=coordinate, y0=coordinate)
def test_gradient_field_matches_central_differences(text, x0, y0):
    """Every arrow of the field is (∂f/∂x, ∂f/∂y) there, checked by central differences."""
    f, fx, fy = _functions(text)
    field = gradient_field(fx, fy, (x0 - 0.5, x0 + 0.5), (y0 - 0.5, y0 + 0.5), 3)
    for px, py, u, v, m in zip(field.x, field.y, field.u, field.v, field.magnitude, strict=True):
        dx, dy = _central(f, px, py)
        scale = 1 + abs(dx) + abs(dy)
        assert u == pytest.approx(dx, abs=1e-5 * scale)
        assert v == pytest.approx(dy, abs=1e-5 * scale)
        assert m == pytest.approx(math.hypot(u, v))


@settings(max_examples=60, deadline=None)
@given(
    text=st.sampled_from(SMOOTH),
    x0=coordinate,
    y0=coordinate,
    angle=st.floats(0, 2 * math.pi, allow_nan=False),
)
def test_directional_derivative_is_the_rate_along_u(text, x0, y0, angle):
    """∇f·u equals (f(p + h u) − f(p − h u)) / 2h, the rate of change along u."""
    f, fx, fy = _functions(text)
    g = (float(fx(x0, y0)), float(fy(x0, y0)))
    h = 1e-6
    ux, uy = math.cos(angle), math.sin(angle)
    numeric = (f(x0 + h * ux, y0 + h * uy) - f(x0 - h * ux, y0 - h * uy)) / (2 * h)
    assert directional_derivative(g, angle) == pytest.approx(
        float(numeric), abs=1e-5 * (1 + abs(g[0]) + abs(g[1]))
    )


@settings(max_examples=40, deadline=None)
@given(text=st.sampled_from(SMOOTH), x0=coordinate, y0=coordinate)
def test_directional_derivative_is_largest_along_the_gradient(text, x0, y0):
    """Over all angles, D_u f peaks at |∇f| along ∇f, is −|∇f| against it, 0 across it."""
    _, fx, fy = _functions(text)
    g = np.array([float(fx(x0, y0)), float(fy(x0, y0))])
    norm = float(np.hypot(*g))
    angles = np.linspace(0, 2 * np.pi, 3601)
    rates = directional_derivative(g, angles)
    assert rates.max() == pytest.approx(norm, rel=1e-5, abs=1e-12)
    assert rates.min() == pytest.approx(-norm, rel=1e-5, abs=1e-12)
    along = math.atan2(g[1], g[0])
    assert directional_derivative(g, along) == pytest.approx(norm)
    assert directional_derivative(g, along + math.pi / 2) == pytest.approx(0, abs=1e-9 * (1 + norm))


@settings(max_examples=40, deadline=None)
@given(text=st.sampled_from(SMOOTH), x0=coordinate, y0=coordinate)
def test_gradient_is_orthogonal_to_the_level_curve(text, x0, y0):
    """Along the level curve's tangent (−f_y, f_x), f changes only at second order.

    The first-order change, (f(p + h t) − f(p − h t)) / 2h, vanishes: the gradient is
    perpendicular to the level curve through the point (independent check by differences).
    """
    f, fx, fy = _functions(text)
    g = np.array([float(fx(x0, y0)), float(fy(x0, y0))])
    norm = float(np.hypot(*g))
    if norm < 1e-6:
        return  # at a critical point the level curve has no single tangent
    tangent = np.array([-g[1], g[0]]) / norm
    h = 1e-6
    rate = (f(*(np.array([x0, y0]) + h * tangent)) - f(*(np.array([x0, y0]) - h * tangent))) / (
        2 * h
    )
    assert abs(float(rate)) <= 1e-5 * (1 + norm)
    assert float(g @ tangent) == pytest.approx(0, abs=1e-12 * (1 + norm))


@settings(max_examples=30, deadline=None)
@given(text=st.sampled_from(SMOOTH), x0=coordinate, y0=coordinate)
def test_tangent_plane_error_shrinks_as_the_square(text, x0, y0):
    """|f − plane| at distance r is O(r²): halving r divides the error by four (or more, where
    the second-order term vanishes in that direction)."""
    f, fx, fy = _functions(text)
    plane = tangent_plane(f, fx, fy, x0, y0)
    assert plane.z0 == pytest.approx(float(f(x0, y0)))
    assert (plane.fx, plane.fy) == pytest.approx(_central(f, x0, y0), rel=1e-5, abs=1e-5)
    errors = []
    for r in (1e-2, 5e-3):
        px, py = x0 + 0.6 * r, y0 + 0.8 * r
        errors.append(abs(float(f(px, py)) - float(plane.at(px, py))))
    if errors[0] > 1e-9:  # not (locally) flat or linear
        assert errors[1] / errors[0] <= 0.25 + 0.05


def test_tangent_plane_of_a_bowl():
    """x² + 3y² at (1, 1): z0 = 4, slopes (2, 6), normal (2, 6, −1)."""
    plane = tangent_plane(*_functions("x^2 + 3y^2"), 1.0, 1.0)
    assert (plane.z0, plane.fx, plane.fy) == (4.0, 2.0, 6.0)
    assert plane.normal == (2.0, 6.0, -1.0)
    assert plane.at(2.0, 0.0) == pytest.approx(4 + 2 - 6)


@settings(max_examples=30, deadline=None)
@given(text=st.sampled_from(SMOOTH[:3] + SMOOTH[5:]), x0=coordinate, y0=coordinate)
def test_steepest_paths_climb_and_descend(text, x0, y0):
    """f rises along the ascent path and falls along the descent path, step after step.

    The last step may cross a crest or a valley floor (the path stops there, within one step),
    so it may give back at most a second-order amount.
    """
    f, fx, fy = _functions(text)

    def grad(x, y):
        return float(fx(x, y)), float(fy(x, y))

    bounds = ((-3.0, 3.0), (-3.0, 3.0))
    up = steepest_path(grad, (x0, y0), 0.01, 50, ascent=True, bounds=bounds)
    down = steepest_path(grad, (x0, y0), 0.01, 50, ascent=False, bounds=bounds)
    for path, sign in ((up, 1), (down, -1)):
        assert path.shape[1] == 2 and tuple(path[0]) == (x0, y0)
        steps = np.linalg.norm(np.diff(path, axis=0), axis=1)
        assert np.allclose(steps, 0.01)
        changes = sign * np.diff(f(path[:, 0], path[:, 1]))
        assert np.all(changes[:-1] > -1e-9)
        assert len(changes) == 0 or changes[-1] > -10 * 0.01**2
        assert np.all((path >= -3.0) & (path <= 3.0))


def test_steepest_descent_stops_at_the_bottom_of_a_bowl():
    """From (1, 1) on x² + 3y², descent ends within a step of the minimum and stays put."""
    _, fx, fy = _functions("x^2 + 3y^2")
    path = steepest_path(
        lambda x, y: (float(fx(x, y)), float(fy(x, y))), (1.0, 1.0), 0.05, 500, ascent=False
    )
    assert len(path) < 500
    assert np.hypot(*path[-1]) < 0.1


def test_steepest_path_rejects_a_non_positive_step():
    with pytest.raises(ValueError, match="step"):
        steepest_path(lambda x, y: (1.0, 0.0), (0, 0), 0.0, 5)


PATHS = (("cos(t)", "sin(t)"), ("1 + 2t", "t^2 - 1"), ("t", "exp(-t)"), ("sin(3t)", "cos(t)/2"))


@settings(max_examples=40, deadline=None)
@given(
    text=st.sampled_from(SMOOTH),
    path=st.sampled_from(PATHS),
    t0=st.floats(-1.0, 1.0, allow_nan=False),
)
def test_total_derivative_chain_rule_equals_the_direct_one(text, path, t0):
    """f_x·x′ + f_y·y′ equals d/dt f(x(t), y(t)) and a central difference of the composition."""
    f = parse_expression(text, XY)
    curve = [parse_expression(c, ("t",)) for c in path]
    total = total_derivative_along(f, curve)
    chain, direct, composed = (
        compile_expression(e, ("t",)) for e in (total.chain_rule, total.direct, total.composition)
    )
    h = 1e-6
    numeric = (composed(t0 + h) - composed(t0 - h)) / (2 * h)
    value = float(chain(t0))
    assert value == pytest.approx(float(direct(t0)), rel=1e-9, abs=1e-9)
    assert value == pytest.approx(float(numeric), rel=1e-5, abs=1e-5 * (1 + abs(value)))
    term_x, term_y = (compile_expression(e, ("t",)) for e in total.terms)
    assert float(term_x(t0)) + float(term_y(t0)) == pytest.approx(value, rel=1e-12, abs=1e-12)


def test_total_derivative_needs_one_coordinate_per_variable():
    f = parse_expression("x*y", XY)
    with pytest.raises(ValueError, match="coordinates"):
        total_derivative_along(f, [parse_expression("t", ("t",))])
