"""Numerical derivatives, their error versus step, and where a slope exists at all.

References are independent of the code under test: SymPy's symbolic derivative (evaluated
with ``evalf`` at 30 digits where round-off matters) and hand-checked textbook numbers.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from calc_core.derivatives import derivative, derivative_at, tangent_sweep
from calc_core.expressions import (
    ExpressionError,
    compile_complex,
    compile_expression,
    parse_expression,
    symbol,
)
from calc_core.numerical import (
    METHODS,
    default_step,
    difference_quotients,
    error_versus_step,
    numerical_derivative,
    secant_sweep,
)
from tests.core.test_expressions import formulas

EPS = float(np.finfo(np.float64).eps)
x = symbol("x")


def _compiled(text: str):
    expr = parse_expression(text)
    return expr, compile_expression(expr), compile_expression(derivative(expr))


def _exact(expr: sympy.Expr, x0: float, order: int = 1) -> float:
    """The derivative at x0 to 30 digits, rounded once to float."""
    plain = derivative(expr, order=order).rewrite(sympy.exp)
    try:
        value = complex(plain.evalf(30, subs={x: sympy.Float(x0, 30)}))
    except (TypeError, ValueError):  # zoo, nan: undefined there
        return math.nan
    return value.real if value.imag == 0 else math.nan


# --- the lesson's numbers --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "tolerance"),
    [("forward", 1e-6), ("backward", 1e-6), ("central", 1e-9), ("complex_step", 1e-15)],
)
def test_lesson_polynomial_every_method(method, tolerance):
    """f = x² + 3x + 5 at 2: every method gives 7 (default steps)."""
    expr, f, _ = _compiled("x**2 + 3*x + 5")
    value = numerical_derivative(f, 2.0, method=method, f_complex=compile_complex(expr))
    assert isinstance(value, float)
    assert value == pytest.approx(7.0, abs=tolerance)


def test_limit_definition_table():
    """d2l's table for 3x² − 4x at 1: 2.3, 2.03, 2.003, ... approaching 2."""
    rows = difference_quotients(lambda v: 3 * v**2 - 4 * v, 1.0, 2.0)
    assert [r.h for r in rows] == [1.0, 1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8]
    assert [r.quotient for r in rows[1:4]] == pytest.approx([2.3, 2.03, 2.003], abs=1e-9)
    for row in rows:
        assert row.error == row.quotient - 2.0
        assert abs(row.error) == pytest.approx(3 * row.h, rel=1e-6, abs=1e-7)


def test_default_steps():
    """sqrt(eps) for one-sided, cbrt(eps) for central, scaled by max(1, |x0|); 1e-20 complex."""
    assert default_step("forward") == default_step("backward", -0.5) == math.sqrt(EPS)
    assert default_step("central", -10.0) == pytest.approx(10 * EPS ** (1 / 3))
    assert default_step("complex_step", 1e6) == 1e-20
    with pytest.raises(ValueError, match="'secant'"):
        default_step("secant")  # type: ignore[arg-type]


def test_numerical_derivative_arguments():
    """Vectorised over x; complex step needs f_complex; bad steps and methods are quoted."""
    xs = np.linspace(-2, 2, 12).reshape(3, 4)
    for method in METHODS:
        out = numerical_derivative(np.sin, xs, method=method, f_complex=np.sin)
        assert out.shape == (3, 4)
        np.testing.assert_allclose(out, np.cos(xs), atol=1e-7)
    with pytest.raises(ValueError, match="compile_complex"):
        numerical_derivative(np.sin, 1.0, method="complex_step")
    with pytest.raises(ValueError, match=r"-0\.1"):
        numerical_derivative(np.sin, 1.0, h=-0.1)
    with pytest.raises(ValueError, match="'Forward'"):
        numerical_derivative(np.sin, 1.0, method="Forward")  # type: ignore[arg-type]
    assert math.isnan(numerical_derivative(np.log, -1.0, method="backward"))


# --- agreement with the symbolic derivative ---------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(formulas(("x",)), st.floats(-2.0, 2.0))
def test_central_difference_within_its_error_bound(text, x0):
    """|central - f'| <= M3 h²/6 + round-off, with M3 = max |f'''| on [x0 - h, x0 + h]
    (sampled, doubled) and round-off 2 * 1000 ulp(max(1, |f|)) / 2h."""
    try:
        expr, f, _ = _compiled(text)
    except ExpressionError:
        assume(False)
    h = default_step("central", x0)
    around = np.array([x0 - h, x0, x0 + h])
    values = f(around)
    third = compile_expression(derivative(expr, order=3))(np.linspace(x0 - h, x0 + h, 5))
    assume(np.all(np.isfinite(values)) and np.all(np.isfinite(third)))
    assume(np.max(np.abs(values)) < 1e6)
    exact = _exact(expr, x0)
    assume(math.isfinite(exact))
    truncation = 2.0 * np.max(np.abs(third)) * h**2 / 6
    round_off = 1000 * EPS * np.max(np.maximum(1.0, np.abs(values))) / h
    estimate = numerical_derivative(f, x0, method="central")
    assert abs(estimate - exact) <= truncation + round_off + 4 * EPS * abs(exact)


ANALYTIC = st.sampled_from(["sin", "exp", "tanh", "sigmoid", "softplus", "cos", "atan"])


@st.composite
def analytic_formulas(draw):
    """Compositions of analytic functions and polynomials, e.g. tanh(2x + x**3)."""
    inner = draw(st.sampled_from(["x", "2x - 1", "x**3 - x", "0.5x**2 + x", "x/3"]))
    for _ in range(draw(st.integers(1, 3))):
        inner = f"{draw(ANALYTIC)}({inner})"
    return inner + draw(st.sampled_from(["", " + x**2", " * x", " + log(2 + x**2)"]))


@settings(max_examples=80, deadline=None)
@given(analytic_formulas(), st.floats(-1.5, 1.5))
def test_complex_step_exact_to_rounding(text, x0):
    """The complex step matches the 30-digit derivative to about 1e-13 relative."""
    expr = parse_expression(text)
    exact = _exact(expr, x0)
    assume(abs(exact) > 1e-3)
    estimate = numerical_derivative(
        None, x0, method="complex_step", f_complex=compile_complex(expr)
    )
    assert estimate == pytest.approx(exact, rel=1e-13)


def test_complex_step_of_log_on_its_domain():
    """log on the positive axis: exact to rounding at several points."""
    expr = parse_expression("log(x) * x")
    xs = np.array([0.1, 1.0, 3.0, 50.0])
    out = numerical_derivative(None, xs, method="complex_step", f_complex=compile_complex(expr))
    np.testing.assert_allclose(out, np.log(xs) + 1, rtol=1e-14)


# --- error versus step ------------------------------------------------------------------------

SMOOTH = st.sampled_from(["exp(x)", "sin(x)", "tanh(x) + x^2", "sigmoid(2x) + x^3", "log(x + 3)"])


def _slope(hs, errors, low, high):
    keep = (hs >= low) & (hs <= high)
    return np.polyfit(np.log10(hs[keep]), np.log10(errors[keep]), 1)[0]


@settings(max_examples=40, deadline=None)
@given(SMOOTH, st.floats(-1.5, 1.5))
def test_error_versus_step_shape(text, x0):
    """Forward/backward errors fall like h, central like h², until round-off (∝ eps/h) wins;
    the measured best h is within 100x of theory; the complex step stays at rounding level."""
    expr, f, _ = _compiled(text)
    second, third = _exact(expr, x0, 2), _exact(expr, x0, 3)
    value = float(f(x0))
    assume(abs(second) > 0.1 and abs(third) > 0.1 and 0.1 < abs(value) < 10)
    exact = _exact(expr, x0)
    study = error_versus_step(f, x0, exact, f_complex=compile_complex(expr))
    hs, errors = study.hs, study.errors
    assert hs.shape == (97,) and all(e.shape == (97,) for e in errors.values())
    assert set(errors) == {"forward", "backward", "central", "complex_step"}
    for method in ("forward", "backward"):
        assert 0.8 < _slope(hs, errors[method], 1e-4, 1e-2) < 1.2
        assert -1.6 < _slope(hs, errors[method], 1e-14, 1e-10) < -0.4
    assert 1.7 < _slope(hs, errors["central"], 1e-4, 1e-2) < 2.3
    assert -1.6 < _slope(hs, errors["central"], 1e-14, 1e-10) < -0.4
    for method in ("forward", "backward", "central"):
        ratio = study.best_h[method] / study.theory_best_h[method]
        assert 1e-2 <= ratio <= 1e2, (method, study.best_h[method])
    flat = hs <= 1e-8  # truncation |f'''| h² / 6 is below rounding there
    assert np.all(errors["complex_step"][flat] <= 4 * EPS * max(1.0, abs(exact)))
    assert np.all(np.concatenate(list(errors.values())) >= study.floor)


def test_error_study_floor_and_nan():
    """Exact estimates sit on the floor (a log axis cannot show 0); undefined ones are NaN."""
    study = error_versus_step(lambda v: 2.0 * v, 0.0, 2.0, hs=[0.5, 0.25])
    np.testing.assert_array_equal(study.errors["central"], [study.floor, study.floor])
    assert study.floor == EPS  # eps / 2 * max(1, |2|)
    gap = error_versus_step(np.sqrt, 0.0, 1.0, hs=[1e-3, 1e-2])
    assert np.all(np.isnan(gap.errors["backward"])) and np.all(np.isfinite(gap.errors["forward"]))
    with pytest.raises(ValueError, match="nan"):
        error_versus_step(np.sin, 0.0, float("nan"))


# --- secants ----------------------------------------------------------------------------------


def test_secant_sweep_approaches_the_tangent():
    """For exp at 1 the secant slope error falls like h down to 1e-8, then round-off."""
    sweep = secant_sweep(np.exp, 1.0)
    assert sweep.hs.shape == sweep.quotients.shape == sweep.y1.shape == (41,)
    assert sweep.hs[0] == 1.0 and sweep.hs[-1] == pytest.approx(1e-8)
    assert sweep.y0 == math.e
    np.testing.assert_array_equal(sweep.y1, np.exp(1.0 + sweep.hs))
    errors = np.abs(sweep.quotients - math.e)
    truncation_zone = sweep.hs >= 1e-6
    assert np.all(np.diff(errors[truncation_zone]) < 0)
    np.testing.assert_allclose(errors[truncation_zone], math.e * sweep.hs[truncation_zone] / 2,
                               rtol=0.6)  # fmt: skip
    assert errors[-1] < 1e-7 and errors[-1] > 1e-12  # round-off is visible but small


# --- does a slope exist? ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "x0", "status", "slope", "left", "right"),
    [
        ("abs(x)", 0.0, "corner", None, -1.0, 1.0),
        ("relu(x)", 0.0, "corner", None, 0.0, 1.0),
        ("abs(x^2 - 1)", 1.0, "corner", None, -2.0, 2.0),
        ("abs(sin(x))", 0.0, "corner", None, -1.0, 1.0),
        ("x^2", 0.0, "differentiable", 0.0, 0.0, 0.0),
        ("tanh(x)", 0.3, "differentiable", 1 - math.tanh(0.3) ** 2, None, None),
        ("relu(x)", 1.0, "differentiable", 1.0, 1.0, 1.0),
        ("relu(x)", -2.0, "differentiable", 0.0, 0.0, 0.0),
        ("relu(x) - relu(-x)", 0.0, "differentiable", 1.0, 1.0, 1.0),  # df says 0 here
        ("x^2 + 1000000", 0.0, "differentiable", 0.0, 0.0, 0.0),
        ("exp(x)", 30.0, "differentiable", math.exp(30.0), None, None),
        ("sin(100x)", 0.2, "differentiable", 100 * math.cos(20.0), None, None),
        ("ln(x)", -1.0, "undefined", None, None, None),
        ("ln(x)", 0.0, "undefined", None, None, None),
        ("sin(x)/x", 0.0, "undefined", None, None, None),
        ("1/x", 0.0, "undefined", None, None, None),
        ("sqrt(x)", 0.0, "not_differentiable", None, None, None),
        ("x**(1/3)", 0.0, "not_differentiable", None, None, None),
        ("sqrt(abs(x))", 0.0, "not_differentiable", None, None, None),
        ("x**1.5", 0.0, "not_differentiable", None, None, None),
    ],
)
def test_derivative_at_cases(text, x0, status, slope, left, right):
    """Corners, gaps and vertical tangents are named; a slope is shown only where it exists."""
    _, f, df = _compiled(text)
    point = derivative_at(f, df, x0)
    assert point.status == status, point.note
    if slope is None:
        assert math.isnan(point.slope)
    else:
        assert point.slope == pytest.approx(slope, rel=1e-12, abs=1e-12)
    for got, want in ((point.left, left), (point.right, right)):
        if want is not None:
            assert got == pytest.approx(want, rel=1e-9, abs=1e-9)
    if status == "undefined":
        assert math.isnan(point.value) and math.isnan(point.left) and math.isnan(point.right)
    assert point.note.endswith(".") and "nan" not in point.note


def test_derivative_at_notes():
    """The notes quote the one-sided slopes and the reason, with a true minus sign."""
    _, f, df = _compiled("abs(x)")
    assert derivative_at(f, df, 0.0).note == (
        "f has a corner at x = 0: the slope is −1 from the left and 1 from the right, "
        "so f′(0) does not exist."
    )
    _, f, df = _compiled("ln(x)")
    assert (
        derivative_at(f, df, -1.0).note == "f is not defined at x = −1, so f′(−1) does not exist."
    )
    _, f, df = _compiled("sin(x)/x")
    assert "0/0" in derivative_at(f, df, 0.0).note
    _, f, df = _compiled("sqrt(x)")
    assert "vertical" in derivative_at(f, df, 0.0).note
    _, f, df = _compiled("x**1.5")
    assert "only to the right" in derivative_at(f, df, 0.0).note


@settings(max_examples=60, deadline=None)
@given(formulas(("x",)), st.floats(-2.0, 2.0))
def test_smooth_formulas_are_differentiable_with_the_symbolic_slope(text, x0):
    """No false corners: a smooth formula is differentiable and its slope is f′(x0)."""
    try:
        _, f, df = _compiled(text)
    except ExpressionError:
        assume(False)
    xs = np.linspace(x0 - 0.03, x0 + 0.03, 7)
    values, slopes = f(xs), df(xs)
    assume(np.all(np.isfinite(values)) and np.all(np.isfinite(slopes)))
    assume(np.max(np.abs(values)) < 1e4 and np.max(np.abs(slopes)) < 1e4)
    point = derivative_at(f, df, x0)
    assert point.status == "differentiable", point.note
    # Equal to 12 digits: numpy's vectorised and scalar
    # paths for sin, exp, ... may round differently.
    assert point.slope == pytest.approx(float(df(x0)), rel=1e-12, abs=1e-15)


def test_tangent_sweep():
    """NaN slopes at corners and where f is undefined; elsewhere the symbolic slope."""
    _, f, df = _compiled("abs(x) + log(x + 2)")
    xs = np.linspace(-3, 3, 13)
    sweep = tangent_sweep(f, df, xs)
    assert sweep.x0s.shape == sweep.values.shape == sweep.slopes.shape == (13,)
    undefined = xs <= -2
    assert np.all(np.isnan(sweep.values[undefined])) and np.all(np.isnan(sweep.slopes[undefined]))
    assert np.isnan(sweep.slopes[6])  # the corner at 0
    smooth = ~undefined & (xs != 0)
    np.testing.assert_array_equal(sweep.slopes[smooth], df(xs[smooth]))
    _, f, df = _compiled("relu(x)")
    np.testing.assert_array_equal(tangent_sweep(f, df, [-1.0, 0.0, 1.0]).slopes, [0, np.nan, 1])


@settings(max_examples=30, deadline=None)
@given(
    st.sampled_from(["abs(x - 1)", "relu(x) + sqrt(x + 1)", "log(x)", "sin(x)/x", "x^2"]),
    st.lists(st.sampled_from([-1.0, 0.0, 0.5, 1.0, 2.0]).map(float), min_size=1, max_size=6),
)
def test_tangent_sweep_agrees_with_derivative_at(text, points):
    """The vectorised sweep gives exactly derivative_at's value and slope at every point."""
    _, f, df = _compiled(text)
    sweep = tangent_sweep(f, df, points)
    for i, x0 in enumerate(points):
        point = derivative_at(f, df, x0)
        np.testing.assert_array_equal(
            [sweep.values[i], sweep.slopes[i]], [point.value, point.slope]
        )
