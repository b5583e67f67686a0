"""Jacobians and Hessians as numbers: compiled matrices, deformed grids, JVP and VJP, curvature,
Taylor models, Newton steps and critical points, each checked against an independent method
(central differences, Taylor's remainder, np.linalg, a fine grid) or a known analytic case."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
import sympy
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from calc_core.expressions import compile_expression, parse_expression, symbol
from calc_core.multivariate import (
    CRITICAL_KINDS,
    NEWTON_FIXES,
    classify_critical_point,
    compile_map,
    compile_matrix,
    condition_number,
    critical_points,
    curvature_along,
    deformed_grid,
    determinant_grid,
    find_critical_points,
    gradient,
    hessian,
    hessian_eigen,
    jacobian,
    jvp,
    local_image,
    newton_path,
    newton_step,
    sample_matrix_grid,
    tangent_plane,
    taylor_model,
    taylor_patch,
    vjp,
)
from tests.core.test_expressions import formulas

XY = ("x", "y")
x, y, t = symbol("x"), symbol("y"), symbol("t")

# Maps R² -> R² and R² -> R³: the Jacobian page's presets and a few more shapes.
MAPS = {
    "polar": ("x cos(y)", "x sin(y)"),
    "z squared": ("x^2 - y^2", "2x y"),
    "shear": ("2x + y", "0.5x + y"),
    "layer": ("tanh(1.2x - 0.7y + 0.3)", "tanh(0.4x + 0.9y - 0.2)"),
    "swirl": ("x cos(x^2 + y^2) - y sin(x^2 + y^2)", "x sin(x^2 + y^2) + y cos(x^2 + y^2)"),
    "graph": ("x", "y", "sin(x) cos(y)"),
    "sphere": ("cos(x) cos(y)", "sin(x) cos(y)", "sin(y)"),
}
# Smooth f(x, y): the Hessian page's presets and a few more shapes.
SMOOTH = (
    "x^2 + 3y^2",
    "x^2 - y^2",
    "sin(x)*cos(y)",
    "(1 - x)^2 + 100(y - x^2)^2",
    "(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
    "x*y*exp(-x^2 - y^2)",
    "exp(x/2)*sin(y) + x*y^3",
    "log(1 + x^2 + y^2)",
    "x^4 + y^4 - x y",
)
PEAKS = (
    "3(1 - x)^2 exp(-x^2 - (y + 1)^2) - 10(x/5 - x^3 - y^5) exp(-x^2 - y^2)"
    " - exp(-(x + 1)^2 - y^2)/3"
)
HIMMELBLAU = "(x^2 + y - 11)^2 + (x + y^2 - 7)^2"
coordinate = st.floats(-2.0, 2.0, allow_nan=False)
angles = st.floats(0.0, 2 * math.pi, allow_nan=False)
unit_interval = st.floats(-1.0, 1.0, allow_nan=False)


def _map(name: str):
    exprs = [parse_expression(text, XY) for text in MAPS[name]]
    return compile_map(exprs, XY), compile_matrix(jacobian(exprs, XY), XY)


def _scalar(text: str):
    expr = parse_expression(text, XY)
    f = compile_expression(expr, XY)
    return expr, f, compile_map(gradient(expr, XY), XY), compile_matrix(hessian(expr, XY), XY)


def _columns(F, p: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """The Jacobian by central differences, one column per input (the independent method)."""
    columns = []
    for e in np.eye(len(p)):
        columns.append((np.asarray(F(*(p + h * e))) - np.asarray(F(*(p - h * e)))) / (2 * h))
    return np.stack(columns, axis=-1)


def _close(exact, estimate, rtol: float) -> bool:
    exact, estimate = np.asarray(exact, dtype=float), np.asarray(estimate, dtype=float)
    return bool(np.all(np.abs(exact - estimate) <= rtol * (1 + np.abs(exact).max())))


# --- compiled vectors and matrices ----------------------------------------------------------------


def test_compiled_shapes_at_a_point_and_on_a_grid():
    """A point gives (m,) and (m, n); an (a, b) grid gives (a, b, m) and (a, b, m, n)."""
    F, J = _map("graph")
    assert F(0.0, 0.0).shape == (3,) and J(0.0, 0.0).shape == (3, 2)
    gx, gy = np.meshgrid(np.linspace(0, 1, 4), np.linspace(0, 1, 5))
    assert F(gx, gy).shape == (5, 4, 3) and J(gx, gy).shape == (5, 4, 3, 2)
    assert np.all(J(gx, gy)[..., 0, :] == [1.0, 0.0])  # a constant row is broadcast
    assert J(gx, gy)[2, 3, 2, 0] == pytest.approx(math.cos(gx[2, 3]) * math.cos(gy[2, 3]))


def test_compiled_values_are_nan_where_undefined():
    """log(x) for x <= 0 and 1/x at 0 give NaN entries, never inf or a warning."""
    exprs = [parse_expression(s, XY) for s in ("log(x)", "1/x")]
    values = compile_map(exprs, XY)(np.array([-1.0, 0.0, 1.0]), 0.0)
    assert np.isnan(values[0, 0]) and values[0, 1] == -1.0 and np.isnan(values[1]).all()
    assert values[2, 0] == 0.0 and values[2, 1] == 1.0


@pytest.mark.parametrize(
    ("call", "quoted"),
    [
        (lambda: compile_map(x, XY), "x"),
        (lambda: compile_map([], XY), "[]"),
        (lambda: compile_map([x, "y"], XY), "'y'"),
        (lambda: compile_map([x], "xy"), "'xy'"),
        (lambda: compile_matrix([[x]], XY), "[[x]]"),
        (lambda: compile_map([x, y], XY)(1.0), "(1.0,)"),
        (lambda: jvp([[1.0, 2.0]], [1.0]), "[1.0]"),
        (lambda: vjp([1.0, 2.0], [[1.0, 2.0]]), "[1.0, 2.0]"),
        (lambda: hessian_eigen([[1.0, 2.0], [0.0, 1.0]]), "symmetric"),
        (lambda: hessian_eigen([[1.0, 2.0]]), "square"),
        (lambda: newton_step([1.0, 0.0], np.eye(2), fix="newton"), "'newton'"),
        (lambda: local_image(lambda a, b: a, np.eye(2), (0, 0), 0.0), "0.0"),
        (lambda: local_image(lambda a, b: a, np.eye(2), (0, 0), 1.0, shape="star"), "'star'"),
        (lambda: find_critical_points(None, None, None, [(0, 1)] * 2, starts=1), "1"),
        (lambda: critical_points(x, XY, [(1, 0), (0, 1)]), "(1, 0)"),
    ],
)
def test_bad_arguments_are_quoted(call, quoted):
    """Each bad argument is refused with the argument in the message."""
    with pytest.raises((TypeError, ValueError)) as info:
        call()
    assert quoted in str(info.value)


def test_matrix_grid_rows_run_along_y():
    """values[j, i] = M(x[i], y[j]); det of the saddle's Hessian is −4 everywhere."""
    _, _, _, H = _scalar("x^2 y - y^2")
    grid = sample_matrix_grid(H, (0, 1), (0, 2), 3)
    assert grid.values.shape == (3, 3, 2, 2)
    assert np.array_equal(grid.values[2, 1], H(grid.x[1], grid.y[2]))
    det = determinant_grid(_scalar("x^2 - y^2")[3], (-1, 1), (-1, 1), 4)
    assert det.z.shape == (4, 4) and np.allclose(det.z, -4.0)


# --- the Jacobian: entries, determinant, JVP and VJP ----------------------------------------------


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(sorted(MAPS)), x0=coordinate, y0=coordinate)
def test_jacobian_entries_match_central_differences(name, x0, y0):
    """Column j of J at p is (F(p + h e_j) − F(p − h e_j)) / 2h."""
    F, J = _map(name)
    p = np.array([x0, y0])
    assert _close(J(*p), _columns(F, p), 1e-6)


@settings(max_examples=40, deadline=None)
@given(
    texts=st.lists(formulas(XY, max_leaves=4), min_size=2, max_size=3), x0=coordinate, y0=coordinate
)
def test_jacobian_of_random_maps_matches_central_differences(texts, x0, y0):
    """The same for maps typed as a learner might, wherever they are tame."""
    exprs = [parse_expression(s, XY) for s in texts]
    F, J = compile_map(exprs, XY), compile_matrix(jacobian(exprs, XY), XY)
    p = np.array([x0, y0])
    exact = J(*p)
    assume(np.all(np.isfinite(exact)) and np.abs(exact).max() < 1e4)
    assume(np.all(np.isfinite(F(*p))) and np.abs(F(*p)).max() < 1e4)
    assert _close(exact, _columns(F, p), 1e-5)


@settings(max_examples=60, deadline=None)
@given(
    name=st.sampled_from(sorted(MAPS)),
    x0=coordinate,
    y0=coordinate,
    v=st.tuples(unit_interval, unit_interval),
)
def test_jvp_is_the_derivative_along_v(name, x0, y0, v):
    """J·v = (F(p + h v) − F(p − h v)) / 2h: forward mode without forming J."""
    F, J = _map(name)
    p, v = np.array([x0, y0]), np.array(v)
    h = 1e-6
    numeric = (F(*(p + h * v)) - F(*(p - h * v))) / (2 * h)
    assert _close(jvp(J(*p), v), numeric, 1e-6)


@settings(max_examples=60, deadline=None)
@given(
    name=st.sampled_from(sorted(MAPS)),
    x0=coordinate,
    y0=coordinate,
    w=st.tuples(unit_interval, unit_interval, unit_interval),
    v=st.tuples(unit_interval, unit_interval),
)
def test_vjp_is_the_gradient_of_w_dot_f(name, x0, y0, w, v):
    """wᵀJ is the gradient of the scalar p ↦ w·F(p) (central differences), and
    (wᵀJ)·v = w·(J v): reverse and forward mode agree."""
    F, J = _map(name)
    p = np.array([x0, y0])
    w = np.array(w[: len(F(*p))])
    pulled = vjp(w, J(*p))
    assert pulled.shape == (2,)
    assert _close(pulled, _columns(lambda a, b: w @ F(a, b), p), 1e-6)
    assert float(pulled @ np.array(v)) == pytest.approx(float(w @ jvp(J(*p), v)), abs=1e-12)


def test_polar_map_scales_areas_by_r():
    """det J of (r cos θ, r sin θ) is r: symbolically and on a grid."""
    exprs = [parse_expression(s, XY) for s in MAPS["polar"]]
    assert sympy.simplify(jacobian(exprs, XY).det()) == x
    det = determinant_grid(compile_matrix(jacobian(exprs, XY), XY), (-2, 3), (0, 6), 11)
    assert np.allclose(det.z, det.x[None, :], atol=1e-12)


def test_z_squared_map_scales_areas_by_four_abs_z_squared():
    """z ↦ z² as (x² − y², 2xy): det J = 4|z|² = 4(x² + y²), zero only at the origin."""
    exprs = [parse_expression(s, XY) for s in MAPS["z squared"]]
    assert sympy.expand(jacobian(exprs, XY).det()) == 4 * x**2 + 4 * y**2
    det = determinant_grid(compile_matrix(jacobian(exprs, XY), XY), (-2, 2), (-1, 1), 9)
    gx, gy = np.meshgrid(det.x, det.y)
    assert np.allclose(det.z, 4 * (gx**2 + gy**2))


def test_orientation_flips_where_det_changes_sign():
    """x ↦ (x, y³ − y) folds the plane: det J = 3y² − 1 changes sign at y = ±1/√3."""
    exprs = [parse_expression(s, XY) for s in ("x", "y^3 - y")]
    J = compile_matrix(jacobian(exprs, XY), XY)
    F = compile_map(exprs, XY)
    det = determinant_grid(J, (-1, 1), (-1, 1), 21)
    assert np.all(det.z[np.abs(det.y) < 0.5] < 0) and np.all(det.z[np.abs(det.y) > 0.6] > 0)
    for y0, sign in ((0.0, -1.0), (0.9, 1.0)):
        small = local_image(F, J(0.0, y0), (0.0, y0), 0.01)
        assert np.sign(small.image_area) == sign == np.sign(small.area_scale)


# --- the Jacobian's pictures ----------------------------------------------------------------------


def test_deformed_grid_is_f_along_the_grid_lines():
    """Every image point is F at the matching input point; polar lines r = c become circles."""
    F, _ = _map("polar")
    grid = deformed_grid(F, (0.5, 2.0), (0.0, 2 * math.pi), lines=4, samples=50)
    assert grid.rows.shape == (4, 50, 2) and grid.column_images.shape == (4, 50, 2)
    assert np.allclose(grid.row_images, F(grid.rows[..., 0], grid.rows[..., 1]))
    radii = np.linalg.norm(grid.column_images, axis=-1)
    assert np.allclose(radii, grid.columns[..., 0])
    assert np.all(grid.rows[:, :, 1] == grid.rows[:, :1, 1])  # rows: y constant
    assert np.all(grid.columns[:, :, 0] == grid.columns[:, :1, 0])  # columns: x constant


def test_a_linear_map_keeps_grid_lines_straight():
    """For the shear map every image line is straight (all cross products vanish)."""
    F, _ = _map("shear")
    grid = deformed_grid(F, (-1, 1), (-1, 1), lines=5, samples=7)
    for line in np.concatenate([grid.row_images, grid.column_images]):
        d = line[1:] - line[0]
        assert np.allclose(d[:, 0] * d[-1, 1] - d[:, 1] * d[-1, 0], 0.0, atol=1e-12)


def test_a_linear_map_equals_its_linearisation():
    """For a linear F the image of a square is exactly J·square and the area scale is det J."""
    F, J = _map("shear")
    for shape in ("square", "circle"):
        small = local_image(F, J(0.3, -0.2), (0.3, -0.2), 0.5, shape=shape)
        assert np.allclose(small.image, small.linear)
        assert small.image_area / small.input_area == pytest.approx(1.5)
        assert small.area_scale == pytest.approx(1.5)
    assert small.input_area == pytest.approx(math.pi * 0.25, rel=1e-3)  # 200-gon ≈ circle


@pytest.mark.parametrize(
    ("name", "point"),
    [
        ("polar", (1.5, 0.7)),
        ("z squared", (0.8, -0.6)),
        ("layer", (0.2, 0.1)),
        ("swirl", (0.6, 0.4)),
    ],
)
def test_the_image_of_a_small_square_approaches_j_square(name, point):
    """Image and linear image differ by O(size²); image area / input area → det J."""
    F, J = _map(name)
    gaps, area_errors = [], []
    for size in (0.04, 0.02, 0.01):
        small = local_image(F, J(*point), point, size)
        gaps.append(np.abs(small.image - small.linear).max())
        area_errors.append(abs(small.image_area / small.input_area - small.area_scale))
        assert small.area_scale == pytest.approx(np.linalg.det(J(*point)))
    assert gaps[1] <= 0.3 * gaps[0] and gaps[2] <= 0.3 * gaps[1]
    assert area_errors[2] <= 1e-3 * (1 + abs(small.area_scale))
    assert area_errors[2] <= area_errors[0]


def test_surface_patch_area_scale_is_the_graph_formula():
    """For (x, y, h(x, y)), sqrt(det JᵀJ) = sqrt(1 + h_x² + h_y²), and a small square's image
    has that many times its area."""
    F, J = _map("graph")
    for x0, y0 in ((0.3, 0.4), (-1.0, 2.0)):
        hx, hy = math.cos(x0) * math.cos(y0), -math.sin(x0) * math.sin(y0)
        small = local_image(F, J(x0, y0), (x0, y0), 1e-3)
        assert small.area_scale == pytest.approx(math.sqrt(1 + hx**2 + hy**2))
        assert small.image_area / small.input_area == pytest.approx(small.area_scale, rel=1e-5)
        assert small.image.shape == (201, 3)


# --- the Hessian: symmetry, eigenvalues, curvature ------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(text=st.sampled_from((*SMOOTH, PEAKS)), x0=coordinate, y0=coordinate)
def test_hessian_is_symmetric_and_the_jacobian_of_the_gradient(text, x0, y0):
    """H(p) is exactly symmetric and equals central differences of the compiled gradient."""
    _, _, grad, H = _scalar(text)
    p = np.array([x0, y0])
    exact = H(*p)
    assert np.array_equal(exact, exact.T)
    assert _close(exact, _columns(grad, p), 1e-6)


@settings(max_examples=40, deadline=None)
@given(text=formulas(XY, max_leaves=5), x0=coordinate, y0=coordinate)
def test_hessian_of_random_formulas_is_the_jacobian_of_the_gradient(text, x0, y0):
    """The same for formulas typed as a learner might, wherever they are tame."""
    expr = parse_expression(text, XY)
    grad = compile_map(gradient(expr, XY), XY)
    H = compile_matrix(hessian(expr, XY), XY)
    p = np.array([x0, y0])
    exact = H(*p)
    assume(np.all(np.isfinite(exact)) and np.abs(exact).max() < 1e4)
    assume(np.all(np.isfinite(grad(*p))) and np.abs(grad(*p)).max() < 1e4)
    assert np.array_equal(exact, exact.T)
    assert _close(exact, _columns(grad, p), 1e-5)


@settings(max_examples=40, deadline=None)
@given(text=st.sampled_from(SMOOTH), x0=coordinate, y0=coordinate, angle=angles)
def test_curvature_along_u_is_the_second_difference(text, x0, y0, angle):
    """uᵀHu = (f(p + h u) − 2 f(p) + f(p − h u)) / h², and it lies between the eigenvalues."""
    _, f, _, H = _scalar(text)
    u = np.array([math.cos(angle), math.sin(angle)])
    p, h = np.array([x0, y0]), 1e-4
    numeric = (f(*(p + h * u)) - 2 * f(*p) + f(*(p - h * u))) / h**2
    exact = curvature_along(H(*p), angle)
    scale = 1 + np.abs(H(*p)).max() + abs(float(f(*p))) * 1e-4
    assert exact == pytest.approx(float(numeric), abs=1e-4 * scale)
    eigen = hessian_eigen(H(*p))
    assert eigen.eigenvalues[0] - 1e-9 * scale <= exact <= eigen.eigenvalues[1] + 1e-9 * scale


@settings(max_examples=60, deadline=None)
@given(a=st.floats(-50, 50), b=st.floats(-50, 50), c=st.floats(-50, 50))
def test_eigen_decomposition_of_a_symmetric_matrix(a, b, c):
    """H v = λ v with orthonormal v; curvature along each eigenvector is its eigenvalue; the
    condition number is numpy's (by singular values); the kind follows the eigenvalue signs."""
    H = np.array([[a, b], [b, c]])
    eigen = hessian_eigen(H)
    V, lam = eigen.eigenvectors, eigen.eigenvalues
    assert np.allclose(H @ V, V * lam, atol=1e-9 * (1 + abs(H).max()))
    assert np.allclose(V.T @ V, np.eye(2))
    assert lam[0] <= lam[1]
    for i in range(2):
        along = curvature_along(H, math.atan2(V[1, i], V[0, i]))
        assert along == pytest.approx(lam[i], abs=1e-9 * (1 + abs(H).max()))
    sweep = curvature_along(H, np.linspace(0, np.pi, 2001))
    assert sweep.min() == pytest.approx(lam[0], abs=1e-5 * (1 + abs(H).max()))
    assert sweep.max() == pytest.approx(lam[1], abs=1e-5 * (1 + abs(H).max()))
    tol = 1e-8 * max(1.0, abs(lam).max())
    if abs(lam).min() > tol:
        assert eigen.condition_number == pytest.approx(np.linalg.cond(H), rel=1e-6)
        expected = {(True, True): "minimum", (False, False): "maximum"}.get(
            (lam[0] > 0, lam[1] > 0), "saddle"
        )
        assert eigen.kind == classify_critical_point(H) == expected
    assert eigen.kind in CRITICAL_KINDS


@pytest.mark.parametrize(
    ("H", "kind", "kappa"),
    [
        ([[802.0, -400.0], [-400.0, 200.0]], "minimum", 2508.00960),  # Rosenbrock at (1, 1)
        ([[2.0, 0.0], [0.0, -2.0]], "saddle", 1.0),
        ([[-1.0, 0.0], [0.0, -4.0]], "maximum", 4.0),
        ([[0.0, 0.0], [0.0, 0.0]], "degenerate", math.inf),  # x⁴ + y⁴ at 0
        ([[2.0, 0.0], [0.0, 0.0]], "degenerate", math.inf),  # x² + y⁴ at 0
        ([[2.0, 0.0], [0.0, 1e-12]], "degenerate", 2e12),
        ([[1.0, 0.0, 0.0], [0.0, -1.0, 0.0], [0.0, 0.0, 0.0]], "saddle", math.inf),
    ],
)
def test_second_derivative_test(H, kind, kappa):
    """Classification and condition number of textbook Hessians."""
    assert classify_critical_point(H) == kind
    assert condition_number(H) == pytest.approx(kappa, rel=1e-6)


# --- Taylor models -----------------------------------------------------------------------------


def _along(expr: sympy.Expr, p: np.ndarray, u: np.ndarray, order: int):
    """g⁽ᵏ⁾(t) for g(t) = f(p + t u), k = 0..order, compiled: the independent, exact 1-D view."""
    g = expr.subs({x: float(p[0]) + t * float(u[0]), y: float(p[1]) + t * float(u[1])})
    return [compile_expression(sympy.diff(g, t, k), ("t",)) for k in range(order + 1)]


def _largest(fn, r: float) -> float:
    return float(np.abs(fn(np.linspace(0.0, r, 65))).max())


@settings(max_examples=40, deadline=None)
@given(
    text=st.sampled_from(SMOOTH),
    x0=coordinate,
    y0=coordinate,
    angle=angles,
    r=st.floats(1e-3, 0.2),
)
def test_taylor_errors_obey_the_remainder_bounds(text, x0, y0, angle, r):
    """At distance r along u, Taylor's theorem bounds the errors:
    |f − first order| ≤ r²/2 · max|g″| and |f − second order| ≤ r³/6 · max|g‴|; and halving r
    divides them by 4 and 8 up to the next order: |E₂(r/2) − E₂(r)/8| ≤ (3/16)·r⁴/24·max|g⁗|
    (the ≤ holds even where the cubic term vanishes)."""
    expr, f, grad, H = _scalar(text)
    p, u = np.array([x0, y0]), np.array([math.cos(angle), math.sin(angle)])
    model = taylor_model(f, grad, H, p)
    g = _along(expr, p, u, 4)
    bounds = [_largest(g[k], r) * 1.05 for k in range(5)]
    size = abs(model.value) + r * np.abs(model.gradient).sum() + r * r * np.abs(model.hessian).sum()
    noise = 1e-11 * (1 + size)

    def errors(s: float) -> tuple[float, float]:
        q = p + s * u
        value = float(f(*q))
        return abs(value - float(model.first_order(*q))), value - float(model.second_order(*q))

    first, second = errors(r)
    half_first, half_second = errors(r / 2)
    assert first <= r**2 / 2 * bounds[2] + noise
    assert abs(second) <= r**3 / 6 * bounds[3] + noise
    assert abs(half_second - second / 8) <= 3 / 16 * r**4 / 24 * bounds[4] + noise
    assert half_first <= first / 4 + 3 / 8 * r**3 / 6 * bounds[3] + noise


@pytest.mark.parametrize(
    ("text", "point"),
    [("exp(x + y)", (0.0, 0.0)), ("sin(x)*cos(y)", (0.4, 0.3)), (HIMMELBLAU, (1.0, 1.0))],
)
def test_taylor_errors_shrink_as_the_square_and_the_cube(text, point):
    """Where the next term does not vanish, the log-log slopes of the errors are 2 and 3."""
    _, f, grad, H = _scalar(text)
    model = taylor_model(f, grad, H, point)
    u = np.array([0.6, 0.8])
    radii = np.geomspace(1e-2, 1e-3, 5)
    first, second = [], []
    for r in radii:
        q = np.array(point) + r * u
        first.append(abs(float(f(*q) - model.first_order(*q))))
        second.append(abs(float(f(*q) - model.second_order(*q))))
    assert np.polyfit(np.log(radii), np.log(first), 1)[0] == pytest.approx(2.0, abs=0.05)
    assert np.polyfit(np.log(radii), np.log(second), 1)[0] == pytest.approx(3.0, abs=0.05)


def test_taylor_models_of_a_quadratic_are_exact():
    """A quadratic equals its second-order model everywhere; the first-order model is the
    tangent plane of `tangent_plane`."""
    expr, f, grad, H = _scalar("3 - x + 2y + x^2 - 3x y + 0.5y^2")
    model = taylor_model(f, grad, H, (0.7, -1.2))
    patch = taylor_patch(f, model, 2.0, 9)
    assert patch.surface.shape == patch.first.shape == patch.second.shape == (9, 9)
    assert np.allclose(patch.second, patch.surface)
    fx, fy = (compile_expression(e, XY) for e in gradient(expr, XY))
    plane = tangent_plane(f, fx, fy, 0.7, -1.2)
    gx, gy = np.meshgrid(patch.x, patch.y)
    assert np.allclose(patch.first, plane.at(gx, gy))
    at_point = pytest.approx(float(f(0.7, -1.2)), rel=1e-12)
    assert patch.surface[4, 4] == at_point and patch.first[4, 4] == at_point
    assert patch.x[0] == pytest.approx(-1.3) and patch.y[-1] == pytest.approx(0.8)


# --- Newton's method ------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    entries=st.tuples(st.floats(0.1, 20), st.floats(0.1, 20), st.floats(-1, 1)),
    b=st.tuples(st.floats(-5, 5), st.floats(-5, 5)),
    p=st.tuples(coordinate, coordinate),
)
def test_one_newton_step_reaches_the_bottom_of_a_quadratic_bowl(entries, b, p):
    """On f = ½ xᵀAx + bᵀx with A positive definite, p + Newton step = −A⁻¹b (np.linalg)."""
    l1, l2, c = entries
    A = np.array([[l1, c * math.sqrt(l1 * l2)], [c * math.sqrt(l1 * l2), l2]])
    assume(np.linalg.eigvalsh(A).min() > 1e-3)
    p, b = np.array(p), np.array(b)
    step = newton_step(A @ p + b, A, lr=0.05)
    assert np.allclose(p + step.newton, np.linalg.solve(A, -b), atol=1e-8 * (1 + abs(b).max()))
    assert step.heads_for == "minimum" and np.array_equal(step.gradient_step, -0.05 * (A @ p + b))
    assert step.condition_number == pytest.approx(np.linalg.cond(A), rel=1e-8)
    assert step.predicted_change <= 1e-12


@settings(max_examples=60, deadline=None)
@given(
    H=st.tuples(st.floats(-10, 10), st.floats(-10, 10), st.floats(-10, 10)),
    g=st.tuples(unit_interval, unit_interval),
    fix=st.sampled_from(NEWTON_FIXES[1:]),
)
def test_a_positive_definite_fix_always_steps_downhill(H, g, fix):
    """With shift, clip or abs the step is M⁻¹-descent: ∇f·step < 0 wherever ∇f ≠ 0, and the
    curvatures used are at least the floor (checked against np.linalg.solve)."""
    a, b, c = H
    H, g = np.array([[a, b], [b, c]]), np.array(g)
    assume(np.linalg.norm(g) > 1e-3)
    step = newton_step(g, H, fix=fix, floor=0.1)
    assert step.descent and step.heads_for == "minimum"
    assert step.used_eigenvalues.min() >= 0.1 - 1e-12
    V = step.eigenvectors
    M = V @ np.diag(step.used_eigenvalues) @ V.T
    assert np.allclose(step.newton, np.linalg.solve(M, -g), atol=1e-9)


def test_plain_newton_heads_for_saddles_and_maxima():
    """On x² − y², plain Newton jumps onto the saddle; on −x² − y² it climbs to the maximum;
    the fixes step downhill instead, and damping is H + dI."""
    saddle = newton_step([2.0, 4.0], [[2.0, 0.0], [0.0, -2.0]])  # at (1, −2)
    assert np.allclose(saddle.newton, [-1.0, 2.0]) and saddle.heads_for == "saddle"
    assert not saddle.descent
    for fix in ("shift", "clip", "abs"):
        fixed = newton_step([2.0, 4.0], [[2.0, 0.0], [0.0, -2.0]], fix=fix)
        assert fixed.descent and fixed.predicted_change < 0
    top = newton_step([-2.0, -2.0], [[-2.0, 0.0], [0.0, -2.0]])  # −x² − y² at (1, 1)
    assert np.allclose(top.newton, [-1.0, -1.0]) and top.heads_for == "maximum"
    damped = newton_step([1.0, 3.0], [[4.0, 1.0], [1.0, 2.0]], damping=0.5)
    assert np.allclose(damped.newton, np.linalg.solve([[4.5, 1.0], [1.0, 2.5]], [-1.0, -3.0]))
    flat = newton_step([1.0, 0.0], [[0.0, 0.0], [0.0, 2.0]])  # no curvature along x: no step
    assert np.allclose(flat.newton, 0.0) and flat.heads_for == "degenerate"


def test_newton_paths_on_rosenbrock_and_a_saddle():
    """Newton reaches Rosenbrock's minimum from (−1.2, 1) in a few steps; on x² − y² plain
    Newton lands on the saddle, saddle-free Newton slides off it."""
    _, f, grad, H = _scalar("(1 - x)^2 + 100(y - x^2)^2")
    path = newton_path(grad, H, (-1.2, 1.0), 50)
    assert len(path) < 12 and np.allclose(path[-1], [1.0, 1.0], atol=1e-10)
    _, f, grad, H = _scalar("x^2 - y^2")
    plain = newton_path(grad, H, (1.0, 0.5), 10)
    assert np.allclose(plain, [[1.0, 0.5], [0.0, 0.0]])
    free = newton_path(grad, H, (1.0, 0.5), 10, fix="abs", bounds=[(-3, 3), (-3, 3)])
    assert np.allclose(free, [[1.0, 0.5], [0.0, 1.0], [0.0, 2.0]])  # next: (0, 4), outside
    assert np.all(np.diff(f(free[:, 0], free[:, 1])) < 0)


# --- critical points ------------------------------------------------------------------------------


def _found(text: str, bounds, **kwargs):
    return critical_points(parse_expression(text, XY), XY, bounds, **kwargs)


def _gradient_by_differences(f, point, h: float = 1e-6) -> np.ndarray:
    return _columns(lambda a, b: np.atleast_1d(f(a, b)), np.array(point))[0]


def test_rosenbrock_has_one_critical_point_a_minimum_at_one_one():
    """Solved exactly: (1, 1), a minimum with H = [[802, −400], [−400, 200]]."""
    found = _found("(1 - x)^2 + 100(y - x^2)^2", [(-2, 2), (-1, 3)])
    assert found.method == "symbolic" and len(found.points) == 1
    (point,) = found.points
    assert point.exact == (1, 1) and point.point == (1.0, 1.0) and point.kind == "minimum"
    assert np.allclose(point.eigenvalues, np.linalg.eigvalsh([[802, -400], [-400, 200]]))


@pytest.mark.parametrize(
    ("text", "kind", "eigenvalues"),
    [
        ("x^2 - y^2", "saddle", [-2.0, 2.0]),
        ("x^4 + y^4", "degenerate", [0.0, 0.0]),
        ("x^3 - 3x y^2", "degenerate", [0.0, 0.0]),
        ("-x^2 - 3y^2", "maximum", [-6.0, -2.0]),
    ],
)
def test_textbook_critical_points_at_the_origin(text, kind, eigenvalues):
    """Saddle, degenerate minimum, monkey saddle (degenerate) and maximum at (0, 0)."""
    found = _found(text, [(-2, 2), (-2, 2)])
    assert [p.point for p in found.points] == [(0.0, 0.0)]
    assert found.points[0].kind == kind and found.points[0].exact == (0, 0)
    assert np.allclose(found.points[0].eigenvalues, eigenvalues)


def test_himmelblau_has_four_minima_one_maximum_and_four_saddles():
    """Found numerically; the minima are the literature's, and |∇f| vanishes at all nine
    (by central differences)."""
    _, f, grad, H = _scalar(HIMMELBLAU)
    points = find_critical_points(f, grad, H, [(-5, 5), (-5, 5)])
    kinds = [p.kind for p in points]
    assert (kinds.count("minimum"), kinds.count("maximum"), kinds.count("saddle")) == (4, 1, 4)
    minima = sorted(p.point for p in points if p.kind == "minimum")
    known = sorted(
        [
            (3.0, 2.0),
            (-2.805118086952745, 3.131312518250573),
            (-3.779310253377747, -3.2831859912861696),
            (3.5844283403304917, -1.8481265269644036),
        ]
    )
    assert np.allclose(minima, known, atol=1e-9)
    (top,) = (p for p in points if p.kind == "maximum")
    assert top.point == pytest.approx((-0.270845, -0.923039), abs=1e-6)
    assert top.value == pytest.approx(181.617, abs=1e-3)
    for p in points:
        assert np.abs(_gradient_by_differences(f, p.point)).max() < 1e-5


def test_peaks_critical_points_are_classified_consistently():
    """MATLAB's peaks on [−3, 3]²: the points match the local minima of |∇f| on a fine grid,
    each kind agrees with the signs of the Hessian's eigenvalues (also by differences), and
    with f on a small circle around it (above, below, or changing sign four times)."""
    _, f, grad, H = _scalar(PEAKS)
    points = find_critical_points(f, grad, H, [(-3, 3), (-3, 3)])
    kinds = [p.kind for p in points]
    assert (kinds.count("minimum"), kinds.count("maximum"), kinds.count("saddle")) == (3, 3, 3)
    xs = np.linspace(-3, 3, 601)
    gx, gy = np.meshgrid(xs, xs)
    size = np.linalg.norm(grad(gx, gy), axis=-1)
    inner = size[1:-1, 1:-1]
    lowest = np.ones_like(inner, dtype=bool)
    for dj in (-1, 0, 1):
        for di in (-1, 0, 1):
            lowest &= (
                inner <= size[1 + dj : size.shape[0] - 1 + dj, 1 + di : size.shape[1] - 1 + di]
            )
    grid_points = np.stack([gx[1:-1, 1:-1][lowest], gy[1:-1, 1:-1][lowest]], axis=-1)
    assert len(grid_points) == len(points)
    for p in points:
        assert np.min(np.linalg.norm(grid_points - p.point, axis=-1)) < 0.02
        lam = np.linalg.eigvalsh(_columns(grad, np.array(p.point)))
        assert np.allclose(lam, p.eigenvalues, atol=1e-5)
        expected = {2: "minimum", -2: "maximum", 0: "saddle"}[int(np.sign(lam).sum())]
        assert p.kind == expected
        circle = np.linspace(0, 2 * np.pi, 73)
        ring = f(p.point[0] + 1e-3 * np.cos(circle), p.point[1] + 1e-3 * np.sin(circle)) - p.value
        if p.kind == "minimum":
            assert np.all(ring > 0)
        elif p.kind == "maximum":
            assert np.all(ring < 0)
        else:
            assert np.count_nonzero(np.diff(np.sign(ring))) == 4


def test_a_costly_symbolic_solve_falls_back_to_newton_within_its_budget():
    """SymPy needs seconds for Himmelblau's gradient: with a 0.5 s budget the worker is
    stopped and Newton's method still finds all nine points."""
    start = time.monotonic()
    found = _found(HIMMELBLAU, [(-5, 5), (-5, 5)], timeout=0.5)
    assert time.monotonic() - start < 0.5 + 1.5
    assert found.method == "numeric" and "0.5 s" in found.note
    assert len(found.points) == 9 and all(p.exact is None for p in found.points)


def test_numeric_search_completes_what_solve_misses():
    """sin(x)·cos(y): SymPy gives only principal solutions; Newton adds the rest in the window,
    and the exact ones keep their closed form."""
    found = _found("sin(x)*cos(y)", [(-3, 3), (-3, 3)])
    assert found.method == "symbolic+numeric"
    expected = [(-math.pi / 2, 0.0), (0.0, -math.pi / 2), (0.0, math.pi / 2), (math.pi / 2, 0.0)]
    assert np.allclose([p.point for p in found.points], expected, atol=1e-12)
    assert [p.kind for p in found.points] == ["minimum", "saddle", "saddle", "maximum"]
    assert (sympy.pi / 2, 0) in [p.exact for p in found.points]


def test_constant_and_curve_cases_say_so():
    """A constant f has no isolated critical points; x² has a whole line of them."""
    constant = _found("7", [(-1, 1), (-1, 1)])
    assert constant.points == () and "constant" in constant.note
    line = _found("x^2", [(-1, 1), (-1, 1)])
    assert "curve" in line.note and len(line.points) > 1
    assert all(p.point[0] == 0.0 and p.kind == "degenerate" for p in line.points)
