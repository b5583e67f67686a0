"""Cached doors to calc_core for pages: a slider move never re-parses or re-differentiates.

Caches are keyed on the formula's text and bounded (`max_entries`, `ttl`), so a day of classes
on one server does not grow memory without limit.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st
import sympy

from calc_core.expressions import compile_expression, parse_expression
from calc_core.steps import Derivation, derive_step_by_step
from calc_core.symbolic_worker import derivative_guarded, run_symbolic

HOUR = 3600


@st.cache_data(max_entries=2048, ttl=HOUR, show_spinner=False)
def parsed(text: str, variables: tuple[str, ...] = ("x",)) -> sympy.Expr:
    """`parse_expression`, cached on the text (raises `ExpressionError` for bad input)."""
    return parse_expression(text, variables)


@st.cache_resource(max_entries=512, ttl=HOUR, show_spinner=False)
def compiled(text: str, variables: tuple[str, ...] = ("x",)) -> Callable:
    """The formula as a vectorised numpy function of `variables`, cached on the text."""
    return compile_expression(parsed(text, variables), variables)


@st.cache_data(max_entries=2048, ttl=HOUR, show_spinner=False)
def derivative_of(
    text: str, variable: str = "x", order: int = 1, variables: tuple[str, ...] = ("x",)
) -> sympy.Expr:
    """d^order f / d variable^order, computed in the killable worker (raises if too costly)."""
    return derivative_guarded(parsed(text, variables), variable, order)


@st.cache_resource(max_entries=512, ttl=HOUR, show_spinner=False)
def compiled_derivative(
    text: str, variable: str = "x", order: int = 1, variables: tuple[str, ...] = ("x",)
) -> Callable:
    """The derivative as a vectorised numpy function of `variables`, cached on the text."""
    return compile_expression(derivative_of(text, variable, order, variables), variables)


@st.cache_data(max_entries=1024, ttl=HOUR, show_spinner=False)
def derivation_of(
    text: str, variable: str = "x", variables: tuple[str, ...] = ("x",)
) -> Derivation:
    """The derivation of ∂f/∂variable naming each rule, computed in the killable worker."""
    return run_symbolic(derive_step_by_step, parsed(text, variables), variable)
