"""Gradient, Hessian and Jacobian: shapes, symmetry, bad arguments, agreement with numerics."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from calc_core.derivatives import central_difference, complex_step
from calc_core.expressions import (
    ExpressionError,
    compile_complex,
    compile_expression,
    parse_expression,
    symbol,
)
from calc_core.multivariate import gradient, hessian, jacobian
from tests.core.test_expressions import formulas

x, y, z = symbol("x"), symbol("y"), symbol("z")
XY = ("x", "y")


def test_gradient_of_a_simple_loss():
    """grad (x²y) = (2xy, x²); strings and Symbols name the same variables."""
    f = parse_expression("x^2 y", XY)
    assert gradient(f, XY) == (2 * x * y, x**2)
    assert gradient(f, (sympy.Symbol("y"), x)) == (x**2, 2 * x * y)


def test_hessian_is_symmetric_and_square():
    """The Hessian of a 3-variable formula is a symmetric 3x3 matrix."""
    f = parse_expression("x y z + sin(x) y^2 + exp(z x)", ("x", "y", "z"))
    H = hessian(f, ("x", "y", "z"))
    assert H.shape == (3, 3)
    assert H == H.T
    assert H[0, 1] == sympy.diff(f, x, y)


def test_hessian_of_rosenbrock():
    """Rosenbrock's Hessian at its minimum (1, 1) is [[802, -400], [-400, 200]]."""
    f = parse_expression("(1 - x)^2 + 100(y - x^2)^2", XY)
    assert hessian(f, XY).subs({x: 1, y: 1}) == sympy.Matrix([[802, -400], [-400, 200]])


def test_jacobian_shape_is_outputs_by_inputs():
    """m formulas over n variables give an (m, n) Jacobian."""
    exprs = [parse_expression(t, ("x", "y", "z")) for t in ("x y", "y + z")]
    J = jacobian(exprs, ("x", "y", "z"))
    assert J.shape == (2, 3)
    assert sympy.Matrix([[y, x, 0], [0, 1, 1]]) == J


@pytest.mark.parametrize(
    ("call", "quoted"),
    [
        (lambda: gradient("x**2", XY), "'x**2'"),
        (lambda: gradient([x, y], XY), "Try jacobian"),
        (lambda: gradient(x, "xy"), "'xy'"),
        (lambda: gradient(x, ()), "()"),
        (lambda: gradient(x, ("x", 3)), "3"),
        (lambda: gradient(x, ("x", "x y")), "'x y'"),
        (lambda: gradient(x, ("x", "x")), "('x', 'x')"),
        (lambda: hessian(sympy.Matrix([x]), XY), "Matrix([[x]])"),
        (lambda: jacobian(x**2, XY), "x**2"),
        (lambda: jacobian([], XY), "[]"),
        (lambda: jacobian([x, "y"], XY), "'y'"),
    ],
)
def test_bad_arguments_are_quoted(call, quoted):
    """Each bad argument is refused with the argument in the message."""
    with pytest.raises((TypeError, ValueError)) as info:
        call()
    assert quoted in str(info.value)


def _agree(exact: float, estimate: float, scale: float, rtol: float) -> bool:
    return abs(exact - estimate) <= rtol * (1.0 + abs(exact) + scale)


def _point_is_tame(values: list[float]) -> bool:
    return all(math.isfinite(v) and abs(v) < 1e5 for v in values)


def _parse_or_skip(text: str) -> sympy.Expr:
    try:
        return parse_expression(text, XY)
    except ExpressionError:
        assume(False)
        raise


points = st.tuples(st.floats(-2.0, 2.0), st.floats(-2.0, 2.0))


@settings(max_examples=40, deadline=None)
@given(formulas(XY, max_leaves=5), points)
def test_gradient_and_hessian_agree_with_numerical_ones(text, point):
    """Each partial derivative matches central differences and complex steps along its axis."""
    expr = _parse_or_skip(text)
    x0, y0 = point
    f = compile_expression(expr, XY)
    grad = [float(compile_expression(g, XY)(x0, y0)) for g in gradient(expr, XY)]
    H = hessian(expr, XY)
    hess = [[float(compile_expression(H[i, j], XY)(x0, y0)) for j in range(2)] for i in range(2)]
    value = float(f(x0, y0))
    assume(_point_is_tame([value, *grad, *hess[0], *hess[1]]))
    along = [lambda t: (t, y0), lambda t: (x0, t)]
    start = [x0, y0]
    fc = compile_complex(expr, XY)
    for i in range(2):
        cd = float(central_difference(lambda t, i=i: f(*along[i](t)), start[i]))
        cs = float(complex_step(lambda t, i=i: fc(*along[i](t)), start[i]))
        assert _agree(grad[i], cd, abs(value), 1e-4)
        assert _agree(grad[i], cs, 0.0, 1e-9)
        for j in range(2):
            g_j = compile_complex(gradient(expr, XY)[j], XY)
            cs2 = float(complex_step(lambda t, i=i, g_j=g_j: g_j(*along[i](t)), start[i]))
            assert _agree(hess[i][j], cs2, 0.0, 1e-8)
    assert hess[0][1] == pytest.approx(hess[1][0], rel=1e-9, abs=1e-9)


@settings(max_examples=30, deadline=None)
@given(st.lists(formulas(XY, max_leaves=4), min_size=1, max_size=3), points)
def test_jacobian_agrees_with_numerical_columns(texts, point):
    """Column j of the Jacobian is the central difference of the outputs along variable j."""
    exprs = [_parse_or_skip(t) for t in texts]
    J = jacobian(exprs, XY)
    assert J.shape == (len(exprs), 2)
    x0, y0 = point
    outputs = [compile_expression(e, XY) for e in exprs]
    exact = np.array(
        [
            [float(compile_expression(J[i, j], XY)(x0, y0)) for j in range(2)]
            for i in range(len(exprs))
        ]
    )
    values = [float(o(x0, y0)) for o in outputs]
    assume(_point_is_tame([*values, *exact.ravel()]))
    for i, out in enumerate(outputs):
        cols = [
            central_difference(lambda t, out=out: out(t, y0), x0),
            central_difference(lambda t, out=out: out(x0, t), y0),
        ]
        for j in range(2):
            assert _agree(exact[i, j], float(cols[j]), abs(values[i]), 1e-4)
