"""Step-by-step differentiation: the lesson's examples, and agreement with sympy.diff."""

from __future__ import annotations

import time

import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from calc_core.expressions import ExpressionError, compile_expression, parse_expression, symbol
from calc_core.steps import (
    RULES,
    Derivation,
    DerivationStep,
    derive_step_by_step,
    flatten_steps,
)

x = symbol("x")


def derive(text: str) -> Derivation:
    return derive_step_by_step(parse_expression(text), "x")


def root(derivation: Derivation) -> DerivationStep:
    (step,) = derivation.steps
    return step


def rules_of(steps: tuple[DerivationStep, ...]) -> list[str]:
    return [s.rule for s in steps]


def assert_exact(derivation: Derivation) -> None:
    """The assembled derivative is sympy's, exactly: zero once written in exponentials."""
    difference = derivation.derivative - sympy.diff(derivation.expr, x)
    assert sympy.cancel(sympy.expand(difference.rewrite(sympy.exp))) == 0, difference


# --- the lesson's examples ---------------------------------------------------------------------


def test_polynomial_names_sum_power_constant_multiple_and_constant():
    """x² + 3x + 5: sum rule over three terms, result 2x + 3."""
    d = derive("x² + 3x + 5")
    assert d.derivative == 2 * x + 3
    assert {"sum rule", "power rule", "constant multiple rule", "constant rule"} <= set(
        d.rules_used
    )
    assert d.rules_used[0] == "sum rule"
    top = root(d)
    assert rules_of(top.substeps) == ["power rule", "constant multiple rule", "constant rule"]
    assert top.expression == r"\frac{d}{dx}\left[x^{2} + 3 x + 5\right]"
    assert top.result == "2 x + 3"


def test_chain_rule_sin_of_two_x_squared():
    """sin(2x²): chain rule with a trig outer step and a constant multiple of a power inside."""
    d = derive("sin(2x²)")
    assert d.derivative == 4 * x * sympy.cos(2 * x**2)
    top = root(d)
    assert top.rule == "chain rule"
    outer, inner = top.substeps
    assert outer.rule == "trig rule"
    assert outer.expression == r"\frac{d}{du}\left[\sin{\left(u \right)}\right]"
    assert inner.rule == "constant multiple rule"
    assert rules_of(inner.substeps) == ["power rule"]
    assert top.explanation.startswith("Chain rule: the derivative of the outer function sin(u)")
    assert "u = 2x²" in top.explanation


@pytest.mark.parametrize(
    ("text", "top_rule", "substep_rules", "also_used"),
    [
        ("x sin(x)", "product rule", ["variable rule", "trig rule"], []),
        ("sin(x)/x", "quotient rule", ["trig rule", "variable rule"], []),
        ("(x+1)/(x-1)", "quotient rule", ["sum rule", "sum rule"], ["variable rule"]),
        ("exp(x²)", "chain rule", ["exponential rule", "power rule"], []),
        ("ln(x²+1)", "chain rule", ["logarithm rule", "sum rule"], ["power rule"]),
        ("tanh(3x)", "chain rule", ["hyperbolic rule", "constant multiple rule"], []),
        ("sigmoid(2x)", "chain rule", ["sigmoid rule", "constant multiple rule"], []),
        ("relu(x)", "ReLU rule", [], []),
        ("softplus(x)", "softplus rule", [], []),
        ("abs(x)", "absolute value rule", [], []),
        ("x**x", "logarithmic differentiation", ["product rule"], ["logarithm rule"]),
        ("sqrt(x)", "power rule", [], []),
        ("1/x", "power rule", [], []),
        ("1/x²", "power rule", [], []),
        ("1/(x+1)", "chain rule", ["power rule", "sum rule"], []),
        ("atan(x²)", "chain rule", ["inverse trig rule", "power rule"], []),
        ("x/2", "constant multiple rule", ["variable rule"], []),
        ("2**x", "exponential rule", [], []),
        ("log(x, 2)", "logarithm rule", [], []),
        ("-cos(x)", "constant multiple rule", ["trig rule"], []),
        ("x sin(x) cos(x)", "product rule", ["variable rule", "trig rule", "trig rule"], []),
        ("1/(x(x+1))", "quotient rule", ["constant rule", "product rule"], []),
        # terms in SymPy's printing order, the order the learner reads them
        ("cosh(x) - sinh(x)", "sum rule", ["constant multiple rule", "hyperbolic rule"], []),
        ("asin(x) + acos(x) + tan(x)", "sum rule", ["trig rule"] + ["inverse trig rule"] * 2, []),
    ],
)
def test_rule_and_tree_shape(text, top_rule, substep_rules, also_used):
    """Each formula's top step uses the rule a learner would, with the expected substeps."""
    d = derive(text)
    top = root(d)
    assert top.rule == top_rule
    assert rules_of(top.substeps) == substep_rules
    assert {top_rule, *substep_rules, *also_used} <= set(d.rules_used)
    assert_exact(d)


def test_results_of_single_rules():
    """A few results as a learner writes them."""
    assert derive("sqrt(x)").derivative == 1 / (2 * sympy.sqrt(x))
    assert derive("1/x").derivative == -1 / x**2
    assert derive("relu(x)").derivative == sympy.Heaviside(x, 0)
    assert derive("abs(x)").derivative == sympy.sign(x)
    assert derive("x**x").derivative == x**x * (sympy.log(x) + 1)
    assert derive("tanh(3x)").derivative == 3 - 3 * sympy.tanh(3 * x) ** 2
    assert derive("log(x, 2)").derivative == 1 / (x * sympy.log(2))


def test_quotient_rule_result_is_one_fraction():
    """sin(x)/x gives (x cos x − sin x)/x², the quotient rule's own form."""
    d = derive("sin(x)/x")
    assert d.derivative == (x * sympy.cos(x) - sympy.sin(x)) / x**2
    assert root(d).result == (r"\frac{x \cos{\left(x \right)} - \sin{\left(x \right)}}{x^{2}}")


def test_constant_exponential_is_a_product_not_a_quotient():
    """x·exp(−x) and x·2^(−x) use the product rule: only numeric negative powers divide."""
    assert root(derive("x exp(-x)")).rule == "product rule"
    assert root(derive("x * 2**(-x)")).rule == "product rule"


def test_chain_rule_always_has_outer_then_inner():
    """Each chain-rule step has two substeps: the outer rule in u, then d/dx of the inner."""
    d = derive("sin(cos(x²)) + sqrt(1 + exp(3x)) + sigmoid(relu(x) - 1)")
    chains = [s for _, s in flatten_steps(d) if s.rule == "chain rule"]
    assert len(chains) >= 5
    for step in chains:
        outer, inner = step.substeps
        assert outer.expression.startswith(r"\frac{d}{du}")
        assert inner.expression.startswith(r"\frac{d}{dx}")
    assert_exact(d)


def test_flatten_steps_reading_order_and_depths():
    """Depth-first, a step before its substeps, with depths 0, 1, 2."""
    flat = flatten_steps(derive("x² + 3x + 5"))
    assert [(depth, s.rule) for depth, s in flat] == [
        (0, "sum rule"),
        (1, "power rule"),
        (1, "constant multiple rule"),
        (2, "variable rule"),
        (1, "constant rule"),
    ]


def test_other_variable_and_other_symbols_are_constants():
    """d/dt of y·t² treats y as a constant; the LaTeX says d/dt."""
    expr = parse_expression("y t^2 + y", ("t", "y"))
    d = derive_step_by_step(expr, "t")
    t, y = symbol("t"), symbol("y")
    assert sympy.expand(d.derivative - 2 * y * t) == 0
    assert root(d).expression.startswith(r"\frac{d}{dt}")
    assert "constant rule" in d.rules_used


def test_a_constant_formula():
    """A formula without the variable is one constant-rule step with derivative 0."""
    d = derive("pi^2 + 3")
    assert d.derivative == 0
    assert [s.rule for _, s in flatten_steps(d)] == ["constant rule"]


def test_bad_arguments_are_refused():
    """Non-sympy input and bad variable names raise TypeError, quoting the argument."""
    with pytest.raises(TypeError, match="'x\\*\\*2'"):
        derive_step_by_step("x**2")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="'x y'"):
        derive_step_by_step(x**2, "x y")


def test_rules_tuple_lists_every_rule_once():
    """RULES names the rules of the lesson, each once."""
    assert len(set(RULES)) == len(RULES)
    for name in (
        "constant rule",
        "variable rule",
        "power rule",
        "constant multiple rule",
        "sum rule",
        "product rule",
        "quotient rule",
        "chain rule",
        "exponential rule",
        "logarithm rule",
        "trig rule",
        "inverse trig rule",
        "hyperbolic rule",
        "absolute value rule",
        "sigmoid rule",
        "ReLU rule",
        "softplus rule",
        "logarithmic differentiation",
    ):
        assert name in RULES


# --- property: any formula, the steps agree with sympy.diff ------------------------------------

FUNCTIONS = [
    "sin",
    "cos",
    "tan",
    "exp",
    "log",
    "ln",
    "sqrt",
    "abs",
    "sinh",
    "cosh",
    "tanh",
    "asin",
    "acos",
    "atan",
    "sigmoid",
    "relu",
    "softplus",
]


def formula_text(max_leaves: int = 8) -> st.SearchStrategy[str]:
    """Formula text from a grammar of the parser's numbers, names, operators and functions."""
    leaves = st.one_of(
        st.just("x"),
        st.just("x"),
        st.integers(1, 5).map(str),
        st.sampled_from(["0.5", "pi", "e", "2x", "x^2", "x^3"]),
    )

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.tuples(inner, st.sampled_from(["+", "-", "*", "/"]), inner).map(
                lambda t: f"({t[0]}) {t[1]} ({t[2]})"
            ),
            st.tuples(inner, st.sampled_from(["2", "3", "-1", "-2", "0.5", "-0.5"])).map(
                lambda t: f"({t[0]})^({t[1]})"
            ),
            st.tuples(st.sampled_from(FUNCTIONS), inner).map(lambda t: f"{t[0]}({t[1]})"),
            st.tuples(inner, inner).map(lambda t: f"({t[0]})^({t[1]})"),
            st.tuples(st.sampled_from(["2", "e", "0.5"]), inner).map(lambda t: f"{t[0]}^({t[1]})"),
            st.tuples(inner, st.sampled_from(["2", "10"])).map(lambda t: f"log({t[0]}, {t[1]})"),
            inner.map(lambda a: f"-({a})"),
        )

    return st.recursive(leaves, extend, max_leaves=max_leaves)


def parsed(text: str) -> sympy.Expr:
    try:
        return parse_expression(text)
    except ExpressionError:
        assume(False)
        raise


POINTS = np.array([-2.3, -1.1, -0.37, 0.23, 0.61, 0.94, 1.7, 2.9, 4.1])


def assert_same_values(ours: sympy.Expr, reference: sympy.Expr) -> int:
    """Compare two formulas at fixed points, skipping points where either is not finite."""
    a = compile_expression(ours)(POINTS)
    b = compile_expression(reference)(POINTS)
    finite = np.isfinite(a) & np.isfinite(b) & (np.abs(b) < 1e12)
    scale = np.maximum(1.0, np.maximum(np.abs(a), np.abs(b)))
    with np.errstate(invalid="ignore"):
        bad = finite & (np.abs(a - b) > 1e-7 * scale)
    assert not bad.any(), (POINTS[bad], a[bad], b[bad])
    return int(finite.sum())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(formula_text())
def test_assembled_derivative_agrees_with_sympy(text):
    """For any parser-accepted formula, the steps' derivative equals sympy.diff numerically."""
    expr = parsed(text)
    reference = sympy.diff(expr, x)
    assume(not reference.has(sympy.nan, sympy.zoo))  # e.g. 0**x, where sympy gives nan
    d = derive_step_by_step(expr)
    assert d.expr == expr and d.variable == "x"
    assert_same_values(d.derivative, reference)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(formula_text(max_leaves=5))
def test_every_step_is_well_formed(text):
    """Every step: a known rule, non-empty LaTeX, one plain sentence ending with a period."""
    d = derive_step_by_step(parsed(text))
    seen = []
    for depth, step in flatten_steps(d):
        assert depth >= 0
        assert step.rule in RULES
        assert step.expression.startswith(r"\frac{d}{d") and step.expression.endswith(r"\right]")
        assert step.result.strip()
        assert step.explanation.endswith(".")
        assert "\n" not in step.explanation
        assert step.explanation[0].isupper()
        if step.rule not in seen:
            seen.append(step.rule)
    assert list(d.rules_used) == seen


def test_kinks_compare_away_from_zero():
    """relu and abs formulas agree with sympy away from their kinks."""
    for text in ["relu(x² - 1) * abs(x - 0.5)", "abs(sin(x)) + relu(3x)/(1 + x²)"]:
        expr = parse_expression(text)
        d = derive_step_by_step(expr)
        assert assert_same_values(d.derivative, sympy.diff(expr, x)) >= 8


# --- bounded work ------------------------------------------------------------------------------

LARGE = [
    "+".join(f"{k}x^{k}" for k in range(1, 13)),
    "sin(" * 20 + "x" + ")" * 20,
    "x^(" * 12 + "x" + ")" * 12,
    "*".join(f"(x+{k})" for k in range(1, 25)),
    "/".join(f"(x+{k})" for k in range(1, 25)),
    "sigmoid(" * 12 + "x^x" + ")" * 12,
    "*".join(["sin(x)", "cos(x)", "exp(x)", "log(x)", "tanh(x)", "atan(x)", "sqrt(x)"] * 3),
    "(" + "*".join(f"(x+{k})" for k in range(1, 12)) + ")/(1 + x^2 + sin(x)^2 + x^x)",
    "((x^x)^x)^x + " + "*".join(f"(sin(x)+{k})^(cos(x)+{k})" for k in range(1, 6)),
    "exp(sin(x) * cos(x) * tan(x) / (1 + x²)) ^ (sqrt(x) + abs(x) + relu(x) + softplus(x))",
]


@pytest.mark.parametrize("text", LARGE)
def test_large_formulas_finish_quickly(text):
    """A formula near the parser's size limit (up to 95 of 100 nodes) is derived in under 2 s."""
    expr = parse_expression(text)
    start = time.perf_counter()
    d = derive_step_by_step(expr)
    assert time.perf_counter() - start < 2.0
    assert_same_values(d.derivative, sympy.diff(expr, x))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(formula_text(max_leaves=40))
def test_any_parsed_formula_finishes_quickly(text):
    """Random formulas up to the parser's 100-node budget are derived in under 2 s."""
    expr = parsed(text)
    start = time.perf_counter()
    derive_step_by_step(expr)
    assert time.perf_counter() - start < 2.0
