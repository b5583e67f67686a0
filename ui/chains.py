"""Cached views of chains of formulas and of computational graphs, for the chain-rule page.

Keyed on the formulas' texts and plain numbers, like `ui/single_variable.py`: a chart with
frames is built once per chain and window, then only positioned on each rerun.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from calc_core.composition import (
    LINK_VARIABLE,
    Chain,
    ChainAtPoint,
    chain_at,
    make_chain,
    sympy_gradient_at,
)
from calc_core.graph import Graph, Pass, build_graph, forward_backward
from ui.cache import HOUR, parsed
from ui.single_variable import x0_grid
from viz.chain_rule import chain_figure
from viz.derivatives import Curve, sample_curve

U = (LINK_VARIABLE,)


@st.cache_resource(max_entries=128, ttl=HOUR, show_spinner=False)
def chain_of(texts: tuple[str, ...]) -> Chain:
    """The chain of typed links (outermost first), differentiated and compiled."""
    variables = [U] * (len(texts) - 1) + [("x",)]
    return make_chain([parsed(t, v) for t, v in zip(texts, variables, strict=True)])


@st.cache_resource(max_entries=2048, ttl=HOUR, show_spinner=False)
def point_of(texts: tuple[str, ...], x0: float) -> ChainAtPoint:
    """The chain at x₀ (it holds compiled functions: a resource, not pickled data)."""
    return chain_at(chain_of(texts), x0)


def _window(values: np.ndarray) -> tuple[float, float]:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return -1.0, 1.0
    low, high = float(finite.min()), float(finite.max())
    pad = max(0.15 * (high - low), 0.5)
    return low - pad, high + pad


@st.cache_resource(max_entries=64, ttl=HOUR, show_spinner=False)
def _chain_curves(
    texts: tuple[str, ...], x_range: tuple[float, float], dx: float
) -> tuple[list[Curve], Curve, list[ChainAtPoint]]:
    """Every link (innermost first) over the inputs it receives, the composition over the
    window, and the chain at each x₀ of `x0_grid` (shared, never modified)."""
    chain = chain_of(texts)
    sweep = [chain_at(chain, float(x0)) for x0 in x0_grid(x_range)]
    values = np.array([p.values for p in sweep])
    moved = np.array([chain.values_along(p.x0 + dx) for p in sweep])
    curves = []
    for i, f in enumerate(reversed(chain.functions)):
        window = x_range if i == 0 else _window(np.concatenate([values[:, i], moved[:, i]]))
        curves.append(sample_curve(f, window, 201))
    return curves, sample_curve(chain.output, x_range, 201), sweep


@st.cache_resource(max_entries=64, ttl=HOUR, show_spinner=False)
def chain_chart(texts: tuple[str, ...], x_range: tuple[float, float], dx: float) -> dict:
    """Every link and the composition, with x₀ swept over `x0_grid` as frames."""
    curves, composition, sweep = _chain_curves(texts, x_range, dx)
    return chain_figure(curves, composition, sweep, dx=dx, active=0)


def chain_has_gaps(texts: tuple[str, ...], x_range: tuple[float, float], dx: float) -> bool:
    """Whether a link or the composition is undefined or infinite somewhere on its curve in
    the chart (log u fed negative values, say): the chart leaves gaps there, and says so."""
    curves, composition, _ = _chain_curves(texts, x_range, dx)
    return not all(np.isfinite(curve.y).all() for curve in (*curves, composition))


@st.cache_resource(max_entries=64, ttl=HOUR, show_spinner=False)
def graph_of(text: str) -> Graph:
    """The computational graph of a formula of x and y (raises ValueError if too large)."""
    return build_graph(parsed(text, ("x", "y")), ("x", "y"))


@st.cache_data(max_entries=512, ttl=HOUR, show_spinner=False)
def passes_of(text: str, x: float, y: float) -> tuple[Pass, dict[str, float]]:
    """The forward and backward pass at (x, y), and sympy's gradient there as the check."""
    point = {"x": x, "y": y}
    return forward_backward(graph_of(text), point), sympy_gradient_at(
        parsed(text, ("x", "y")), ("x", "y"), point
    )
