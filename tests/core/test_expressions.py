"""The formula door: accepted forms, refusals with their messages, budgets, compiling."""

from __future__ import annotations

import pickle
import time
import warnings

import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calc_core.expressions import (
    LIMITS,
    ExpressionError,
    compile_complex,
    compile_expression,
    compile_point,
    describe_variables,
    parse_expression,
    relu,
    sigmoid,
    softplus,
    symbol,
    to_latex,
)

x, y = symbol("x"), symbol("y")

# --- a grammar of formulas, shared with the derivative tests -----------------------------------

SMOOTH_FUNCTIONS = ("sin", "cos", "exp", "tanh", "atan", "sigmoid", "softplus")


def formulas(variables: tuple[str, ...] = ("x",), functions=SMOOTH_FUNCTIONS, max_leaves=6):
    """Formulas as text, written as a learner might (``2x``, ``^``, implicit products)."""
    leaves = st.one_of(
        st.sampled_from(variables),
        st.integers(1, 5).map(str),
        st.sampled_from(["0.5", "1.5", "pi", "2" + variables[0]]),
    )

    def extend(inner):
        return st.one_of(
            st.tuples(inner, st.sampled_from(["+", "-", "*"]), inner).map(
                lambda t: f"{t[0]} {t[1]} {t[2]}"
            ),
            st.tuples(inner, inner).map(lambda t: f"({t[0]})({t[1]})"),
            st.tuples(inner, st.sampled_from(["^2", "**3", "²"])).map(lambda t: f"({t[0]}){t[1]}"),
            st.tuples(st.sampled_from(functions), inner).map(lambda t: f"{t[0]}({t[1]})"),
            inner.map(lambda a: f"-({a})"),
            inner.map(lambda a: f"({a}) / (2 + ({a})^2)"),
            inner.map(lambda a: f"log(1 + ({a})^2)"),
            inner.map(lambda a: f"sqrt(1 + ({a})^2)"),
        )

    return st.recursive(leaves, extend, max_leaves=max_leaves)


# --- accepted forms ----------------------------------------------------------------------------

ACCEPTED = [
    ("x^2", x**2),
    ("x**2", x**2),
    ("2x", 2 * x),
    ("2 x", 2 * x),
    ("x²+3x+5", x**2 + 3 * x + 5),
    ("x³", x**3),
    ("x⁻¹", 1 / x),
    ("−x", -x),
    ("+x", x),
    ("3 × x", 3 * x),
    ("3·x ÷ 2", sympy.Rational(3, 2) * x),
    ("sin(2x²)", sympy.sin(2 * x**2)),
    ("ln(x)", sympy.log(x)),
    ("log(x)", sympy.log(x)),
    ("log(x, 2)", sympy.log(x) / sympy.log(2)),
    ("e**x", sympy.exp(x)),
    ("e^x", sympy.exp(x)),
    ("exp(x)", sympy.exp(x)),
    ("abs(x)", sympy.Abs(x)),
    ("sqrt(x)", sympy.sqrt(x)),
    ("√(x)", sympy.sqrt(x)),
    ("x**0.5", sympy.sqrt(x)),
    ("0.1x", x / 10),
    ("1e-3x", x / 1000),
    ("2e3", sympy.Integer(2000)),
    ("2e", 2 * sympy.E),
    ("2pi", 2 * sympy.pi),
    ("2π", 2 * sympy.pi),
    ("πx", sympy.pi * x),
    ("2(x+1)", 2 * (x + 1)),
    ("(x+1)(x-1)", (x + 1) * (x - 1)),
    ("x(x+1)", x * (x + 1)),
    ("3sin(x)", 3 * sympy.sin(x)),
    ("sin(x)cos(x)", sympy.sin(x) * sympy.cos(x)),
    ("x sin(x)", x * sympy.sin(x)),
    ("tanh(x)^2", sympy.tanh(x) ** 2),
    ("sinh(x) + cosh(x)", sympy.sinh(x) + sympy.cosh(x)),
    (
        "asin(x) + acos(x) + atan(x) + tan(x)",
        sympy.asin(x) + sympy.acos(x) + sympy.atan(x) + sympy.tan(x),
    ),
    ("sigmoid(x)", sigmoid(x)),
    ("relu(x)", relu(x)),
    ("softplus(x)", softplus(x)),
    ("x**x", x**x),
    ("2**(1000x)", 2 ** (1000 * x)),
    ("  x  ", x),
    ("x^100", x**100),
    ("3", sympy.Integer(3)),
]


@pytest.mark.parametrize(("text", "expected"), ACCEPTED)
def test_accepted_forms_give_the_exact_sympy_expression(text, expected):
    """Each friendly spelling reads as the formula a learner means."""
    assert parse_expression(text) == expected


def test_several_variables_and_products_of_them():
    """Juxtaposed variables multiply on a page with x and y."""
    assert parse_expression("2x y + x^2", ("x", "y")) == 2 * x * y + x**2


def test_symbols_are_real_and_shared():
    """The parsed x is the very symbol that symbol('x') returns, and it is real."""
    expr = parse_expression("x")
    assert expr is symbol("x") or expr == symbol("x")
    assert expr.is_real
    assert parse_expression("x") != sympy.Symbol("x")


# --- refusals and their messages ----------------------------------------------------------------

REFUSED = [
    ("", "Type a formula, for example"),
    ("   ", "Type a formula, for example"),
    ("a", "Unknown name 'a': this page's variable is x."),
    ("sin x", "Write sin(x) with parentheses."),
    ("2sin x", "Write sin(x) with parentheses."),
    ("sin", "Write sin(x) with parentheses."),
    ("sin^2(x)", "Write sin(x)**2"),
    ("x2", "write x**2 for a power"),
    ("2 3", "Write 2*3 for a product"),
    ("(x+1)2", "A number right after a bracket is unclear"),
    ("__import__('os')", "Quotes are not part of a formula"),
    ("__import__(x)", "Unknown function '__import__'"),
    ("x.real", "Attributes such as x.real"),
    ("lambda: x", "The character ':' is not understood"),
    ("lambda x", "The word 'lambda'"),
    ("x[0]", "round brackets"),
    ("(x for x in x)", "The word 'for'"),
    ("log(x, base=2)", "Type only the formula itself"),
    ("'x'", "Quotes"),
    ("f'{x}'", "Quotes"),
    ("(x := 2)", "The character ':'"),
    ("x < 1", "Comparisons are not formulas"),
    ("x == 1", "Type only the formula itself"),
    ("x and x", "The word 'and'"),
    ("x or x", "The word 'or'"),
    ("not x", "The word 'not'"),
    ("x if x else 1", "The word 'if'"),
    ("True", "The word 'True'"),
    ("foo(x)", "Unknown function 'foo': the functions you can use are sin, cos"),
    ("sin(x, x)", "exactly one argument"),
    ("sin()", "exactly one argument"),
    ("sin(*x)", "single argument"),
    ("x, x", "Commas only separate"),
    ("x // 2", "Use / for division"),
    ("x % 2", "not understood"),
    ("x @ x", "not understood"),
    ("...", "Only numbers, variables"),
    ("2j", "Imaginary numbers"),
    ("0x1f", "plain decimal digits"),
    ("1_000", "plain decimal digits"),
    ("(x+1", "every ( has a matching )"),
    ("x+1)", "could not be read"),
    ("x +", "could not be read"),
    ("x" * 201, "This formula is too long (201 characters); keep it under 200."),
    ("sin(" * 30 + "x" + ")" * 30, "nested too deeply"),
    ("+".join(["x"] * 60), "too many parts"),
    ("1000001 x", "The number 1000001 is too large"),
    ("1e16", "too large"),
    ("x^1000", "The exponent 1000 is too large; exponents can be at most 100."),
    ("x^-101", "The exponent -101 is too large"),
    ("2^100", "too large"),
    ("9**9**9", "The exponent 387420489 is too large"),
    ("1/0", "divides by zero"),
    ("x/(1-1)", "divides by zero"),
    ("sqrt(-1)", "not a real number"),
    ("log(0)", "undefined"),
    ("(-8)^(1/3)", "not a real number"),
    ("log(x, 1)", "base of log"),
    ("ｘ", "The character 'ｘ' is not understood"),
    ("x\u200b", "invisible character (U+200B)"),
]


@pytest.mark.parametrize(("text", "message"), REFUSED)
def test_refusals_say_what_to_write_instead(text, message):
    """Each refused input raises ExpressionError with a helpful one-sentence message."""
    with pytest.raises(ExpressionError) as info:
        parse_expression(text)
    assert message in str(info.value)
    assert str(info.value).count(". ") == 0 or str(info.value).startswith("Type a formula")


def test_unknown_name_lists_the_page_variables_and_suggests_products():
    """An unknown name lists the variables; a glued product is spelt out."""
    with pytest.raises(
        ExpressionError, match=r"Unknown name 'a': this page's variables are x and y\."
    ):
        parse_expression("a + x", ("x", "y"))
    with pytest.raises(ExpressionError, match=r"Unknown name 'xy': write x\*y for a product"):
        parse_expression("xy", ("x", "y"))
    assert describe_variables(["x"]) == "x"
    assert describe_variables(["x", "y", "z"]) == "x, y and z"


def test_bad_variable_lists_are_programming_errors():
    """Variables that are not plain names are refused with the argument quoted."""
    with pytest.raises(ValueError, match="'sin'"):
        parse_expression("x", ("sin",))
    with pytest.raises(TypeError, match="'xy'"):
        parse_expression("x", "xy")
    with pytest.raises(ValueError, match="distinct"):
        parse_expression("x", ("x", "x"))


def test_budgets_live_in_one_place():
    """The limits the messages quote are the named ones."""
    assert (LIMITS.max_chars, LIMITS.max_depth, LIMITS.max_nodes) == (200, 25, 100)
    assert LIMITS.max_integer == 10**6 and LIMITS.max_exponent == 100


def test_a_long_flat_sum_is_not_too_deep():
    """A chain a+b+c+... counts as one level, so a long polynomial is fine."""
    text = "+".join(["x", "y"] * 20)  # 79 nodes, 40 terms deep if nested naively
    assert parse_expression(text, ("x", "y")) == 20 * x + 20 * y


def test_parsing_is_cached_on_the_normalised_text():
    """Two spellings that normalise alike share one cached result."""
    assert parse_expression("x² + 1") is parse_expression("x**(2) + 1")


# --- activation functions -------------------------------------------------------------------


def test_activation_derivatives_and_latex():
    """Each activation carries its derivative and prints nicely."""
    assert sympy.diff(sigmoid(x), x) == sigmoid(x) * (1 - sigmoid(x))
    assert sympy.diff(softplus(x), x) == sigmoid(x)
    assert sympy.diff(relu(x), x) == sympy.Heaviside(x, 0)
    assert to_latex(sigmoid(x)) == r"\sigma\left(x\right)"
    assert r"\operatorname{ReLU}" in to_latex(relu(x))
    assert r"\operatorname{softplus}" in to_latex(softplus(x))
    assert sympy.simplify(sigmoid(x).rewrite(sympy.exp) - 1 / (1 + sympy.exp(-x))) == 0
    assert softplus(x).rewrite(sympy.exp) == sympy.log(1 + sympy.exp(x))
    assert pickle.loads(pickle.dumps(sigmoid(x) + relu(x))) == sigmoid(x) + relu(x)


def test_activations_numerically_match_explicit_formulas():
    """The stable numpy versions equal the textbook formulas, also at extreme inputs."""
    grid = np.linspace(-30, 30, 121)
    f = compile_expression(parse_expression("sigmoid(x)"))
    g = compile_expression(parse_expression("softplus(x)"))
    r = compile_expression(parse_expression("relu(x)"))
    np.testing.assert_allclose(f(grid), 1 / (1 + np.exp(-grid)), rtol=1e-12)
    np.testing.assert_allclose(g(grid), np.log1p(np.exp(grid)), rtol=1e-12)
    np.testing.assert_array_equal(r(grid), np.maximum(grid, 0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert f(np.array([-1000.0, 1000.0])).tolist() == [0.0, 1.0]
        assert g(np.array([-1000.0, 1000.0])).tolist() == [0.0, 1000.0]
    relu_slope = compile_expression(sympy.diff(relu(x), x))
    assert relu_slope(np.array([-1.0, 0.0, 1.0])).tolist() == [0.0, 0.0, 1.0]


# --- compiling ----------------------------------------------------------------------------------


def test_constant_formula_broadcasts_to_the_grid():
    """A constant formula gives an array of the inputs' broadcast shape."""
    X, Y = np.meshgrid(np.linspace(-1, 1, 4), np.linspace(0, 1, 3))
    Z = compile_expression(parse_expression("3"), ("x", "y"))(X, Y)
    assert Z.shape == (3, 4) and Z.dtype == np.float64 and np.all(Z == 3)
    W = compile_expression(parse_expression("x", ("x", "y")), ("x", "y"))(X[0], Y[:, :1])
    assert W.shape == (3, 4)


def test_scalars_give_zero_dimensional_arrays():
    """A Python float in gives a 0-d float64 array out."""
    out = compile_expression(parse_expression("x**2"))(3.0)
    assert out.shape == () and out.dtype == np.float64 and float(out) == 9.0


def test_undefined_points_are_nan_without_warnings():
    """log(-1), sqrt(-1), 0/0 and fractional powers of negatives are NaN, silently."""
    xs = np.array([-1.0, 0.0, 4.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan(compile_expression(parse_expression("log(x)"))(xs)[0])
        assert np.isnan(compile_expression(parse_expression("sqrt(x)"))(xs)[0])
        assert np.isnan(compile_expression(parse_expression("sin(x)/x"))(xs)[1])
        assert np.isnan(compile_expression(parse_expression("x^(1/3)"))(xs)[0])
        assert np.isnan(compile_expression(parse_expression("asin(x)"))(xs)[2])
        assert compile_expression(parse_expression("1/x"))(xs)[1] == np.inf
        assert compile_expression(parse_expression("x^100"))(np.array([1e10]))[0] == np.inf
    assert compile_expression(parse_expression("sqrt(x)"))(xs)[2] == 2.0


def test_compiled_functions_are_cached_and_accept_lists():
    """Compiling the same formula twice reuses the work; variables may be a list."""
    expr = parse_expression("x*y", ("x", "y"))
    assert compile_expression(expr, ("x", "y")) is compile_expression(expr, ("x", "y"))
    assert float(compile_expression(expr, ["y", "x"])(2.0, 3.0)) == 6.0


def test_complex_compilation_gives_the_complex_step():
    """compile_complex keeps the imaginary part that the complex-step method needs."""
    f = compile_complex(parse_expression("sigmoid(x) * softplus(x)"))
    h = 1e-20
    value = f(np.array([0.3 + 1j * h]))[0]
    s = 1 / (1 + np.exp(-0.3))
    sp = np.log1p(np.exp(0.3))
    assert value.imag / h == pytest.approx(s * (1 - s) * sp + s * s, rel=1e-12)


# --- properties ---------------------------------------------------------------------------------

FORMULA_ALPHABET = "x y e pi sin cos log exp sqrt abs relu ()()+-*/^.,0123456789² π−√'_[]=:"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=60), st.text(alphabet=FORMULA_ALPHABET, max_size=120)))
def test_any_text_returns_or_raises_expression_error_quickly(text):
    """Random text never raises anything but ExpressionError, and never takes 2 s."""
    start = time.perf_counter()
    try:
        expr = parse_expression(text, ("x", "y"))
    except ExpressionError:
        pass
    else:
        assert isinstance(expr, sympy.Expr)
    assert time.perf_counter() - start < 2.0


@settings(max_examples=150, deadline=None)
@given(
    formulas(("x", "y"), (*SMOOTH_FUNCTIONS, "log", "sqrt", "abs", "relu", "tan"), max_leaves=8),
    st.lists(st.floats(-5, 5), min_size=1, max_size=7),
)
def test_accepted_grammar_formulas_compile_to_float_arrays(text, points):
    """Grammar formulas that are accepted evaluate to float64 arrays of the grid's shape."""
    start = time.perf_counter()
    try:
        expr = parse_expression(text, ("x", "y"))
    except ExpressionError:
        return
    assert time.perf_counter() - start < 2.0
    xs = np.array(points)
    out = compile_expression(expr, ("x", "y"))(xs[:, None], xs[None, :])
    assert out.dtype == np.float64 and out.shape == (len(xs), len(xs))
    assert not np.any(np.iscomplex(out))


@pytest.mark.parametrize("text", ["sigmoid(x)^2", "relu(x)^3", "softplus(x)^2", "1/sigmoid(x)"])
def test_powers_of_activations_print_as_latex(text):
    """SymPy prints f(x)**n through the function's own printer with exp=: it must accept it."""
    latex = to_latex(parse_expression(text))
    assert "left(" in latex and "x" in latex


@settings(max_examples=60, deadline=None)
@given(
    texts=st.lists(formulas(("x", "y")), min_size=1, max_size=4),
    x0=st.floats(-3, 3, allow_nan=False),
    y0=st.floats(-3, 3, allow_nan=False),
)
def test_compile_point_agrees_with_compile_expression(texts, x0, y0):
    """Several formulas at one point in one call: each entry is what compile_expression gives."""
    exprs = [parse_expression(text, ("x", "y")) for text in texts]
    together = compile_point(exprs, ("x", "y"))(x0, y0)
    assert together.shape == (len(exprs),) and together.dtype == np.float64
    for value, expr in zip(together, exprs, strict=True):
        alone = float(compile_expression(expr, ("x", "y"))(x0, y0))
        assert value == alone or (np.isnan(value) and np.isnan(alone)), (expr, value, alone)


def test_compile_point_gives_nan_where_undefined_and_broadcasts_constants():
    """log(−1) is NaN, a constant entry is its value, 1/x at 0 is infinite."""
    exprs = [parse_expression(t, ("x", "y")) for t in ("log(x)", "7", "1/x", "sqrt(y)")]
    values = compile_point(exprs, ("x", "y"))(-1.0, 4.0)
    assert np.isnan(values[0]) and values[1] == 7 and values[3] == 2
    assert np.isinf(compile_point(exprs, ("x", "y"))(0.0, 4.0)[2])


def test_second_derivatives_of_kinks_are_zero_away_from_the_kink():
    """relu″ and |x|″ are impulses at 0 (SymPy's DiracDelta): 0 elsewhere, undefined (NaN) at 0."""
    x = symbol("x")
    for text in ("relu(x)", "abs(x)", "x*relu(x - 1)"):
        second = sympy.diff(parse_expression(text), x, 2)
        values = compile_expression(second)(np.array([-1.5, 0.0, 1.0, 2.5]))
        kink = 1.0 if "x - 1" in text else 0.0
        expected = {"relu(x)": 0.0, "abs(x)": 0.0}.get(text)
        assert np.isnan(values[[-1.5, 0.0, 1.0, 2.5].index(kink)])
        if expected is not None:
            assert values[0] == expected and values[-1] == expected


@pytest.mark.parametrize("length", [25, 120, 200])
def test_a_long_unknown_name_gets_a_short_message(length):
    """A pasted run of letters is named by its start and length, not quoted whole (a text box
    cuts input at 200 characters, so this is what a learner meets)."""
    with pytest.raises(ExpressionError) as caught:
        parse_expression("x" * length, ("x", "y"))
    message = str(caught.value)
    assert len(message) < 160, message
    assert f"({length} letters)" in message and "put * between factors" in message
