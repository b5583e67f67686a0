"""Derivatives of one variable: the lesson's examples and agreement of three methods."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from calc_core.derivatives import (
    TangentLine,
    central_difference,
    complex_step,
    derivative,
    tangent_line,
)
from calc_core.expressions import (
    ExpressionError,
    compile_complex,
    compile_expression,
    parse_expression,
    symbol,
)
from tests.core.test_expressions import formulas

x = symbol("x")


def test_lesson_polynomial():
    """d/dx (x**2 + 3x + 5) = 2x + 3, and the central difference at 2.0 is 7.0."""
    f = parse_expression("x**2 + 3*x + 5")
    assert derivative(f) == 2 * x + 3
    numeric = central_difference(compile_expression(f), 2.0)
    assert abs(float(numeric) - 7.0) < 1e-6


def test_lesson_chain_rule():
    """d/dx sin(2x²) = 4x cos(2x²)."""
    assert derivative(parse_expression("sin(2x²)"), "x") == 4 * x * sympy.cos(2 * x**2)


def test_higher_order_and_symbol_arguments():
    """Order 2 differentiates twice; a plain Symbol('x') means the formula's real x."""
    f = parse_expression("x^4")
    assert derivative(f, order=2) == 12 * x**2
    assert derivative(f, sympy.Symbol("x")) == 4 * x**3


@pytest.mark.parametrize(
    ("args", "kwargs", "quoted"),
    [
        (("x**2",), {}, "'x**2'"),
        ((x**2, 3), {}, "3"),
        ((x**2, "x y"), {}, "'x y'"),
        ((x**2,), {"order": 0}, "0"),
        ((x**2,), {"order": 11}, "11"),
        ((x**2,), {"order": 1.5}, "1.5"),
        ((x**2,), {"order": True}, "True"),
    ],
)
def test_bad_arguments_are_quoted(args, kwargs, quoted):
    """Each bad argument is refused with the argument in the message."""
    with pytest.raises((TypeError, ValueError)) as info:
        derivative(*args, **kwargs)
    assert quoted in str(info.value)


def test_numerical_methods_on_arrays():
    """Both estimates work elementwise and keep the shape of x0."""
    xs = np.linspace(-2, 2, 12).reshape(3, 4)
    cd = central_difference(np.sin, xs)
    cs = complex_step(np.sin, xs)
    assert cd.shape == cs.shape == (3, 4)
    np.testing.assert_allclose(cd, np.cos(xs), atol=1e-9)
    np.testing.assert_allclose(cs, np.cos(xs), rtol=1e-15, atol=0)
    with pytest.raises(ValueError, match="-1"):
        central_difference(np.sin, 0.0, h=-1)


def test_complex_step_has_no_cancellation_error():
    """At h = 1e-20 the complex step is exact where the central difference is ruined."""
    f = compile_complex(parse_expression("exp(x)"))
    assert float(complex_step(f, 1.0)) == pytest.approx(math.e, rel=1e-15)
    ruined = float(central_difference(np.exp, 1.0, h=1e-13))
    assert abs(ruined - math.e) > 1e-4


def test_tangent_line():
    """The tangent to x² at 3 is y = 9 + 6(x - 3), evaluated elementwise."""
    f = parse_expression("x^2")
    line = tangent_line(compile_expression(f), compile_expression(derivative(f)), 3)
    assert line == TangentLine(x0=3.0, y0=9.0, slope=6.0)
    assert line.intercept == -9.0
    assert line.at(4.0) == 15.0
    np.testing.assert_array_equal(line.at(np.array([[2.0, 3.0]])), [[3.0, 9.0]])
    with pytest.raises(AttributeError):
        line.slope = 1.0  # type: ignore[misc]


def _agree(exact: float, estimate: float, scale: float, rtol: float) -> bool:
    return abs(exact - estimate) <= rtol * (1.0 + abs(exact) + scale)


@settings(max_examples=60, deadline=None)
@given(formulas(("x",)), st.floats(-2.0, 2.0))
def test_symbolic_derivative_agrees_with_numerical_ones(text, x0):
    """For smooth formulas, SymPy's derivative matches central differences and the complex step."""
    try:
        expr = parse_expression(text)
    except ExpressionError:
        assume(False)
    f = compile_expression(expr)
    df = compile_expression(derivative(expr))
    value, exact = float(f(x0)), float(df(x0))
    assume(math.isfinite(value) and math.isfinite(exact) and abs(value) < 1e6 and abs(exact) < 1e6)
    curvature = float(compile_expression(derivative(expr, order=3))(x0))
    assume(math.isfinite(curvature) and abs(curvature) < 1e6)
    assert _agree(exact, float(central_difference(f, x0)), abs(value), 1e-5)
    assert _agree(exact, float(complex_step(compile_complex(expr), x0)), 0.0, 1e-9)
