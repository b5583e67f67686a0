"""Intuition: training means adjusting a weight to lower a loss, and the derivative says how."""

from __future__ import annotations

import streamlit as st

from calc_core.derivatives import TangentLine
from calc_core.fitting import (
    best_weight,
    gradient_step,
    largest_stable_learning_rate,
    toy_data,
)
from ui.links import BIND
from ui.live_chart import live_chart
from ui.navigation import concept_pages
from ui.presentation import explain
from viz.format import number
from viz.intuition import intuition_figure, intuition_summary

W_RANGE = (-1.0, 4.0)
W_START = 0.0
LR_START = 0.05
MAX_STEPS = 50
DATA = toy_data()


def descent(w0: float, lr: float, steps: int) -> tuple[list[float], bool]:
    """The weights visited by `steps` gradient steps from `w0`, and whether one left the chart.

    A step that lands outside `W_RANGE` is stopped at its edge (the chart shows no more), and
    every weight is rounded to the slider's precision, so a link replays the same descent.

    Returns:
        (weights, left_range): `steps + 1` weights, the start first.
    """
    low, high = W_RANGE
    weights, left_range = [w0], False
    for _ in range(steps):
        w_next = gradient_step(weights[-1], lr, DATA).w_next
        left_range = left_range or not low <= w_next <= high
        weights.append(round(min(max(w_next, low), high), 4))
    return weights, left_range


def _take_step() -> None:
    """One more gradient step from the starting weight (the link then holds the count)."""
    st.session_state["home.steps"] = min(st.session_state.get("home.steps", 0) + 1, MAX_STEPS)


def _reset() -> None:
    st.session_state["home.w"] = W_START
    st.session_state["home.steps"] = 0


def _forget_steps() -> None:
    """Dragging w by hand starts a new descent."""
    st.session_state["home.steps"] = 0


st.title("Training is going downhill")
explain(
    "A network learns by **adjusting its weights to make a loss smaller**. Here the network is as "
    "small as it gets: one weight *w* in the model **ŷ = w·x**, fitted to six points. The loss "
    "*L(w)* measures how far the predictions are from the data. The **derivative dL/dw** is the "
    "slope of the loss at the current weight: its **sign says which way to move w**, its size "
    "says how steep the hill is there."
)


@st.fragment
def training_playground() -> None:
    """Controls, charts and readouts: a slider move reruns only this part of the page."""
    controls = st.columns([3, 3, 3, 2, 2], vertical_alignment="bottom")
    controls[0].slider(
        "Weight w (where the steps start)",
        min_value=W_RANGE[0],
        max_value=W_RANGE[1],
        value=W_START,
        step=0.01,
        key="home.w",
        on_change=_forget_steps,
        bind=BIND,
        help="Drag to try a weight by hand; the tangent shows the slope of the loss there. "
        "Gradient steps start from this weight.",
    )
    controls[1].slider(
        "Learning rate η",
        min_value=0.01,
        max_value=0.30,
        value=LR_START,
        step=0.01,
        key="home.lr",
        bind=BIND,
        help="How far one gradient step moves: w ← w − η · dL/dw. Changing it replays the "
        "steps taken at the new rate.",
    )
    controls[2].slider(
        "Gradient steps taken",
        min_value=0,
        max_value=MAX_STEPS,
        step=1,
        key="home.steps",
        bind=BIND,
        help="How many steps w ← w − η · dL/dw have been taken from the starting weight; "
        "drag to replay the descent.",
    )
    controls[3].button(
        "Take a gradient step",
        key="home.step",
        on_click=_take_step,
        type="primary",
        width="stretch",
    )
    controls[4].button("Reset", key="home.reset", on_click=_reset, width="stretch")

    lr = float(st.session_state["home.lr"])
    steps = int(st.session_state["home.steps"])
    weights, left_range = descent(float(st.session_state["home.w"]), lr, steps)
    w = weights[-1]
    step = gradient_step(w, lr, DATA)
    tangent = TangentLine(x0=w, y0=step.loss, slope=step.slope)
    w_star = best_weight(DATA)

    live_chart(
        intuition_figure(DATA, W_RANGE, tangent, step, history=weights[:-1], best_w=w_star),
        key="home.chart",
        height=520,
        filename="one-weight-model-and-loss",
        summary=intuition_summary(step, steps, w_star),
    )

    readout = st.columns(4)
    readout[0].metric("weight w", number(w))
    readout[1].metric("loss L(w)", number(step.loss))
    readout[2].metric("slope dL/dw", number(step.slope))
    readout[3].metric(
        "after one step",
        f"w = {number(step.w_next)}",
        # An ASCII sign so Streamlit draws the arrow the right way; a falling loss shows green.
        delta=f"{step.loss_next - step.loss:+.4g} in L",
        delta_color="inverse",
    )

    if abs(step.slope) < 1e-3:
        direction = (
            "The slope is almost zero: this is the bottom of the loss, training has converged."
        )
    elif step.slope > 0:
        direction = (
            f"The slope is **positive** ({number(step.slope)}): the loss rises to the right, "
            "so lowering the loss means moving **w to the left** (smaller)."
        )
    else:
        direction = (
            f"The slope is **negative** ({number(step.slope)}): the loss falls to the right, "
            "so lowering the loss means moving **w to the right** (larger)."
        )
    explain(
        f"{direction} A gradient step moves against the slope, in proportion to it: "
        f"w ← w − η·dL/dw = {number(w)} − {number(lr)} × ({number(step.slope)}) = "
        f"**{number(step.w_next)}**."
    )

    stable = largest_stable_learning_rate(DATA)
    if left_range:
        st.warning(
            "That step jumped off the chart: the learning rate is too large, so each step "
            "overshoots the minimum by more than it corrects. Lower η and press Reset."
        )
    elif lr >= stable:
        st.warning(
            f"With η = {number(lr)} the steps overshoot and grow: on this loss, gradient "
            f"descent only settles when η < 2 / L'' = {number(stable)}. Take a few steps "
            "to watch it diverge."
        )
    elif lr > stable / 2:
        st.info(
            f"With η = {number(lr)} each step overshoots the minimum and bounces back "
            f"(η is above 1 / L'' = {number(stable / 2)}); it still converges."
        )


training_playground()

explain(
    "**From one weight to millions.** A real network has many weights, so instead of one slope "
    "it has a **gradient**: one partial derivative per weight, each saying how much the loss "
    "changes when that weight alone is tweaked. A training step moves every weight against its "
    "own partial derivative at once, and the **chain rule** (backpropagation) is how all those "
    "partial derivatives are computed in one backward pass through the layers."
)

pages = concept_pages()
if pages:
    st.subheader("Explore each idea")
    cards = st.columns(min(3, len(pages)))
    for index, page in enumerate(pages):
        with cards[index % len(cards)].container(border=True):
            st.page_link(str(page.file), label=page.title, icon=page.icon)
            st.caption(page.summary)
