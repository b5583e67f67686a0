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
from ui.live_chart import live_chart
from ui.navigation import concept_pages
from viz.format import number
from viz.intuition import intuition_figure

W_RANGE = (-1.0, 4.0)
W_START = 0.0
DATA = toy_data()

st.session_state.setdefault("home.w", W_START)
st.session_state.setdefault("home.history", [])


def _take_step() -> None:
    """Move w by one gradient step and remember where it was."""
    w = st.session_state["home.w"]
    step = gradient_step(w, st.session_state["home.lr"], DATA)
    st.session_state["home.history"] = [*st.session_state["home.history"], w][-50:]
    low, high = W_RANGE
    if not low <= step.w_next <= high:
        st.session_state["home.left_range"] = True  # stays until Reset or a drag of w
    st.session_state["home.w"] = round(min(max(step.w_next, low), high), 4)


def _reset() -> None:
    st.session_state["home.w"] = W_START
    st.session_state["home.history"] = []
    st.session_state["home.left_range"] = False


def _forget_steps() -> None:
    """Dragging w by hand starts a new descent."""
    st.session_state["home.history"] = []
    st.session_state["home.left_range"] = False


st.title("Training is going downhill")
st.markdown(
    "A network learns by **adjusting its weights to make a loss smaller**. Here the network is as "
    "small as it gets: one weight *w* in the model **ŷ = w·x**, fitted to six points. The loss "
    "*L(w)* measures how far the predictions are from the data. The **derivative dL/dw** is the "
    "slope of the loss at the current weight: its **sign says which way to move w**, its size "
    "says how steep the hill is there."
)


@st.fragment
def training_playground() -> None:
    """Controls, charts and readouts: a slider move reruns only this part of the page."""
    controls = st.columns([3, 3, 2, 2], vertical_alignment="bottom")
    controls[0].slider(
        "Weight w",
        min_value=W_RANGE[0],
        max_value=W_RANGE[1],
        step=0.01,
        key="home.w",
        on_change=_forget_steps,
        help="Drag to try a weight by hand; the tangent shows the slope of the loss there.",
    )
    controls[1].slider(
        "Learning rate η",
        min_value=0.01,
        max_value=0.30,
        value=0.05,
        step=0.01,
        key="home.lr",
        help="How far one gradient step moves: w ← w − η · dL/dw.",
    )
    controls[2].button(
        "Take a gradient step",
        key="home.step",
        on_click=_take_step,
        type="primary",
        width="stretch",
    )
    controls[3].button("Reset", key="home.reset", on_click=_reset, width="stretch")

    w = float(st.session_state["home.w"])
    lr = float(st.session_state["home.lr"])
    step = gradient_step(w, lr, DATA)
    tangent = TangentLine(x0=w, y0=step.loss, slope=step.slope)
    w_star = best_weight(DATA)

    live_chart(
        intuition_figure(
            DATA,
            W_RANGE,
            tangent,
            step,
            history=st.session_state["home.history"],
            best_w=w_star,
        ),
        key="home.chart",
        height=520,
        filename="one-weight-model-and-loss",
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
    st.markdown(
        f"{direction} A gradient step moves against the slope, in proportion to it: "
        f"w ← w − η·dL/dw = {number(w)} − {number(lr)} × ({number(step.slope)}) = "
        f"**{number(step.w_next)}**."
    )

    stable = largest_stable_learning_rate(DATA)
    if st.session_state.get("home.left_range"):
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

st.markdown(
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
