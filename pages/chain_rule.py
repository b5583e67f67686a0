"""The chain rule: compositions whose rates multiply, and computational graphs step by step."""

from __future__ import annotations

import math
from functools import partial

import streamlit as st

from calc_core.composition import (
    LINK_VARIABLE,
    Chain,
    ChainAtPoint,
    compose,
    stage_names,
)
from calc_core.expressions import plain_text, symbol, to_latex
from ui.cache import derivative_of
from ui.chains import (
    U,
    chain_chart,
    chain_has_gaps,
    chain_of,
    graph_of,
    passes_of,
    point_of,
)
from ui.formula_input import formula_input
from ui.links import BIND
from ui.live_chart import live_chart
from ui.presentation import explain
from ui.presets import CHAIN_PRESETS, GRAPH_PRESETS
from ui.single_variable import follow_chart_slider, grid_index, window_and_point
from ui.tabs import lazy_tabs
from viz.chain_rule import chain_summary
from viz.format import number
from viz.graph_dot import graph_dot, step_caption, step_count, step_position

DEFAULT_RANGE = (-2.0, 2.0)
DEFAULT_X0 = 1.0
DEFAULT_DX = 0.2
LESSON = "sin(2x²) (the lesson)"


# --- composition ---------------------------------------------------------------------------------


def _use_chain_preset() -> None:
    links = CHAIN_PRESETS[st.session_state["chain.preset"]]
    st.session_state["chain.three"] = len(links) == 3
    st.session_state["chain.outer.text"] = links[0]
    st.session_state["chain.inner.text"] = links[-1]
    if len(links) == 3:
        st.session_state["chain.middle.text"] = links[1]


def _link_inputs() -> tuple[str, ...]:
    top = st.columns([3, 2], vertical_alignment="bottom")
    top[0].selectbox(
        "Preset chain",
        list(CHAIN_PRESETS),
        key="chain.preset",
        on_change=_use_chain_preset,
        bind=BIND,
    )
    three = top[1].toggle("three links: f(g(h(x)))", key="chain.three", bind=BIND)
    defaults = CHAIN_PRESETS[LESSON]
    boxes = st.columns(3 if three else 2)
    names = ("f(u)", "g(u)", "h(x)") if three else ("f(u)", "g(x)")
    keys = (
        ("chain.outer", "chain.middle", "chain.inner") if three else ("chain.outer", "chain.inner")
    )
    texts = []
    for box, name, key in zip(boxes, names, keys, strict=True):
        variables = ("x",) if key == "chain.inner" else U
        default = {"chain.outer": defaults[0], "chain.middle": "u^2", "chain.inner": defaults[1]}
        with box:
            formula = formula_input(
                key,
                default=default[key],
                variables=variables,
                name=name,
                label=f"{name} =",
                check=lambda t, v=variables: derivative_of(t, v[0], 1, v),
            )
        texts.append(formula.text)
    return tuple(texts)


def _chain_latex(chain: Chain, point: ChainAtPoint) -> None:
    """dy/dx = f′(u)·g′(x) in symbols, in x, and in numbers at x₀."""
    count = len(chain.links)
    names = stage_names(count)
    u = symbol(LINK_VARIABLE)
    symbolic, in_x = [], []
    for i, d in enumerate(chain.link_derivatives):  # outermost first
        own = names[count - 1 - i]
        shown = d.subs(u, symbol(own)) if i < count - 1 else d
        symbolic.append(rf"\left({to_latex(shown)}\right)")
        inner = compose(chain.links[i + 1 :]) if i < count - 1 else None
        in_x.append(rf"\left({to_latex(d.subs(u, inner) if inner is not None else d)}\right)")
    letters = ("f", "g", "h")[:count]
    rule = r" \cdot ".join(
        rf"{letter}'({names[count - 1 - i]})" for i, letter in enumerate(letters)
    )
    numbers = r" \cdot ".join(f"({number(s)})" for s in reversed(point.slopes))
    dot = r" \cdot "
    st.latex(rf"\frac{{dy}}{{dx}} = {rule} = {dot.join(symbolic)} = {dot.join(in_x)}")
    st.latex(
        rf"\left.\frac{{dy}}{{dx}}\right|_{{x_0 = {number(point.x0)}}} = {numbers}"
        rf" = {number(point.product)}"
    )


def composition_view() -> None:
    """Links, the linked panels at x₀, the step Δx through the chain, and the two derivatives."""
    texts = _link_inputs()
    controls = st.columns([4, 3, 3], vertical_alignment="bottom")
    x0, x_range = window_and_point(
        controls[0],
        controls[1],
        x0_key="chain.x0",
        range_key="chain.range",
        x0_label="x₀, the point",
        default_x0=DEFAULT_X0,
        default_range=DEFAULT_RANGE,
        limit=6.0,
    )
    dx = float(
        controls[2].slider(
            "Δx, a small step", 0.01, 0.5, value=DEFAULT_DX, step=0.01, key="chain.dx", bind=BIND
        )
    )
    chain, point = chain_of(texts), point_of(texts, x0)
    live_chart(
        chain_chart(texts, x_range, dx),
        frame=grid_index(x0, x_range),
        key="chain.chart",
        height=560,
        filename="chain-rule",
        on_change=partial(follow_chart_slider, "chain.x0", "chain.chart"),
        summary=chain_summary(texts, point, x_range, dx),
    )
    if chain_has_gaps(texts, x_range, dx):
        st.caption(
            "A link or the composition is undefined, or infinite, at some points of this window: "
            "those are gaps."
        )
    _chain_latex(chain, point)
    if math.isfinite(point.product) and math.isclose(
        point.product, point.direct, rel_tol=1e-9, abs_tol=1e-12
    ):
        st.success(
            f"Chain rule: dy/dx = {number(point.product, 10)}.   Direct derivative of "
            f"y = {plain_text(chain.composition)}: {number(point.direct, 10)}. They agree.",
            icon=":material/check_circle:",
        )
    else:
        st.warning(
            f"Chain rule: {number(point.product, 10)}; direct derivative: "
            f"{number(point.direct, 10)} (a link is undefined or not differentiable here).",
            icon=":material/info:",
        )
    step = point.propagate(dx)
    names = stage_names(len(chain.links))
    rows = [
        {
            "change": f"Δ{name}",
            "by the tangents": number(lin),
            "actually": number(act),
            "slope passed on": number(point.slopes[i]) if i < len(point.slopes) else "",
        }
        for i, (name, lin, act) in enumerate(zip(names, step.linear, step.actual, strict=True))
    ]
    explain(
        f"A step **Δx = {number(dx)}** moves u by about g′(x₀)·Δx, which moves y by about "
        "f′(u₀)·Δu: the slopes multiply. The horizontal segments in the chart are the input's "
        "step, the vertical ones the output's; the same colour is the same change."
    )
    st.dataframe(rows, hide_index=True, width="content")


# --- computational graph -------------------------------------------------------------------------


def _move(delta: int | None) -> None:
    """Back, Next or Reset (a button's callback): the step slider's value, counted from 1."""
    state = st.session_state
    state["chain.step"] = 1 if delta is None else int(state.get("chain.step", 1)) + delta


def graph_view() -> None:
    """A formula's graph, its forward then backward pass one node at a time."""
    formula = formula_input(
        "chain.graph",
        default=GRAPH_PRESETS[LESSON],
        presets=GRAPH_PRESETS,
        variables=("x", "y"),
        name="f(x, y)",
    )
    try:
        graph = graph_of(formula.text)
    except ValueError as error:
        st.error(str(error), icon=":material/error:")
        return
    point = st.columns(2)
    x = point[0].number_input("x", value=1.3, step=0.1, key="chain.gx", format="%.3f", bind=BIND)
    y = point[1].number_input("y", value=0.5, step=0.1, key="chain.gy", format="%.3f", bind=BIND)
    pass_, sympy_gradient = passes_of(formula.text, float(x), float(y))
    total = step_count(graph)
    state = st.session_state
    # The graph's size is known (the formula comes first): the step stays inside it.
    if (
        "chain.step" in state
        and (kept := min(max(int(state["chain.step"]), 1), total)) != state["chain.step"]
    ):
        state["chain.step"] = kept
    buttons = st.columns([1, 1, 1, 5], vertical_alignment="bottom")
    # The slider first (in the last column): the buttons' states follow its value.
    index = buttons[3].slider("Step", 1, total, value=1, key="chain.step", bind=BIND) - 1
    buttons[0].button(
        "◀ Back", key="chain.back", on_click=_move, args=(-1,), disabled=index == 0, width="stretch"
    )
    buttons[1].button(
        "Next ▶",
        key="chain.next",
        on_click=_move,
        args=(1,),
        disabled=index == total - 1,
        type="primary",
        width="stretch",
    )
    buttons[2].button("Reset", key="chain.reset", on_click=_move, args=(None,), width="stretch")
    stage, step = step_position(graph, index)
    st.markdown(f"**Step {index + 1} of {total}**: {stage} pass")
    st.info(step_caption(graph, pass_, stage, step), icon=":material/arrow_forward:")
    st.graphviz_chart(
        graph_dot(graph, pass_, stage=stage, step=step, variables_point={"x": x, "y": y}),
        width="stretch",
    )
    st.caption(
        "Orange: the current node. Blue: values known (forward pass). Green: adjoints known "
        "(backward pass). A node used twice receives two contributions; its adjoint is their sum."
    )
    finished = index == total - 1
    columns = st.columns(2)
    columns[0].markdown("**Backpropagation's gradient**")
    columns[1].markdown("**sympy's gradient**")
    for name in graph.variables:
        shown = number(pass_.gradient[name], 10) if finished else "…"
        columns[0].markdown(f"∂f/∂{name} = {shown}")
        columns[1].markdown(f"∂f/∂{name} = {number(sympy_gradient[name], 10)}")
    if not finished:
        st.caption("Press Next ▶ to the end of the backward pass to read the gradient.")


st.title("The chain rule: rates multiply")
explain(
    "If u = g(x) changes g′(x) times as fast as x, and y = f(u) changes f′(u) times as fast as "
    "u, then y changes **f′(g(x))·g′(x)** times as fast as x. Backpropagation is this rule "
    "applied node by node on a computational graph."
)
VIEWS = {"Composition": composition_view, "Computational graph": graph_view}
lazy_tabs(VIEWS, key="chain.view")
