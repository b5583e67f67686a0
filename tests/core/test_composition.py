"""Compositions and the chain rule, checked against SymPy's derivative of the whole formula."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calc_core.composition import (
    chain_at,
    compose,
    make_chain,
    stage_names,
    sympy_gradient_at,
)
from calc_core.expressions import parse_expression

OUTER = ["sin(u)", "exp(u)", "u^2", "tanh(u)", "sigmoid(u)", "1 + u^2", "u^3 - u"]
INNER = ["2x^2", "sin(x)", "3x - 1", "tanh(x)", "x^2 + 1"]


def _chain(*texts: str):
    links = [parse_expression(t, ("u",)) for t in texts[:-1]]
    return make_chain([*links, parse_expression(texts[-1])])


def test_compose_substitutes_inner_for_u():
    """sin(u) after 2x² is sin(2x²); three links nest."""
    assert compose([parse_expression("sin(u)", ("u",)), parse_expression("2x^2")]) == (
        parse_expression("sin(2x^2)")
    )
    three = compose(
        [parse_expression("ln(u)", ("u",)), parse_expression("1 + u^2", ("u",)),
         parse_expression("tanh(x)")]
    )  # fmt: skip
    assert three == parse_expression("ln(1 + tanh(x)^2)")
    with pytest.raises(ValueError, match="at least one link"):
        compose([])


@pytest.mark.parametrize("x0", [-1.7, -0.5, 0.0, 0.3, 1.0, 2.2])
def test_the_lessons_sin_2x_squared(x0):
    """dy/dx of sin(2x²) is cos(2x²)·4x at every point, by the product and directly."""
    point = chain_at(_chain("sin(u)", "2x^2"), x0)
    expected = 4 * x0 * math.cos(2 * x0**2)
    assert point.values == pytest.approx((x0, 2 * x0**2, math.sin(2 * x0**2)))
    assert point.slopes == pytest.approx((4 * x0, math.cos(2 * x0**2)))
    assert point.product == pytest.approx(expected, abs=1e-12)
    assert point.direct == pytest.approx(expected, abs=1e-12)


@settings(max_examples=30, deadline=None)
@given(
    st.sampled_from(OUTER),
    st.sampled_from(OUTER),
    st.sampled_from(INNER),
    st.floats(-1.5, 1.5, allow_nan=False),
)
def test_three_links_multiply_to_the_direct_derivative(f, g, h, x0):
    """f′(v)·g′(u)·h′(x) equals SymPy's derivative of f(g(h(x))) for any links."""
    point = chain_at(_chain(f, g, h), x0)
    assert len(point.slopes) == 3
    assert point.product == pytest.approx(point.direct, rel=1e-9, abs=1e-9)


def test_linear_steps_converge_to_actual_changes():
    """Δy by the tangents differs from the actual Δy by O(Δx²): the ratio tends to 1."""
    point = chain_at(_chain("exp(u)", "-x^2"), 0.7)
    errors = []
    for dx in (1e-1, 1e-2, 1e-3, 1e-4):
        step = point.propagate(dx)
        assert step.linear[0] == step.actual[0] == dx
        assert step.linear[1] == pytest.approx(point.slopes[0] * dx)
        errors.append(abs(step.linear[-1] - step.actual[-1]))
    ratios = np.array(errors[:-1]) / np.array(errors[1:])
    assert np.all(ratios > 50)  # quadratic: about 100 per tenfold smaller step


def test_stage_names_and_sympy_gradient():
    """Values are named x, u, (v,) y; sympy's gradient of x·y + sin x at (1, 2)."""
    assert stage_names(2) == ("x", "u", "y")
    grad = sympy_gradient_at(parse_expression("x*y + sin(x)", ("x", "y")), ("x", "y"),
                             {"x": 1.0, "y": 2.0})  # fmt: skip
    assert grad == pytest.approx({"x": 2 + math.cos(1.0), "y": 1.0})
