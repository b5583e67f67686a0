"""Backpropagation: a tiny network trained by hand, one sample's chain rule, a gradient check."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from calc_core.mlp import (
    ACTIVATIONS,
    PLANTED_BUGS,
    gradient_check,
    loss_and_gradients,
    one_sample_trace,
    predict_grid,
)
from calc_core.toy_data import DATASETS
from ui.links import BIND
from ui.live_chart import live_chart
from ui.network import (
    DEFAULTS,
    LEARNING_RATES,
    MAX_STEPS,
    NOISE_MAX,
    TRAIN_STEPS,
    current_dataset,
    current_params,
    current_training,
    current_window,
    progress,
    reset_network,
    step_once,
    train_more,
    whole_number_binding,
)
from ui.presentation import explain
from viz.backprop import (
    chain_rule_latex,
    check_summary,
    check_table,
    forward_latex,
    grid_axes,
    training_figure,
    training_summary,
    verdict_style,
)
from viz.format import number

DATASET_LABELS = {
    "circle": "circle",
    "xor": "XOR",
    "moons": "two moons",
    "linear": "linearly separable",
}
NO_BUG = "none (correct backward pass)"

st.title("Backpropagation")
explain(
    "A tiny network: **2 inputs → one hidden layer → one sigmoid output p**, trained by "
    "gradient descent on the **binary cross-entropy** L. Backpropagation is the chain rule "
    "applied layer by layer, from the loss back to every weight; here you can watch it train, "
    "follow one sample's numbers by hand, and check the gradients against finite differences."
)


def controls() -> None:
    """The data, the network and the training controls; every one of them is in the link."""
    data_row = st.columns([3, 3, 2], vertical_alignment="bottom")
    # The noise slider comes first among sliders: moving it redraws the points on the chart.
    data_row[0].slider(
        "Noise",
        min_value=0.0,
        max_value=NOISE_MAX,
        value=DEFAULTS["bp.noise"],
        step=0.05,
        key="bp.noise",
        on_change=reset_network,
        bind=BIND,
        help="Standard deviation of the jitter added to every point. Changes the data, so the "
        "network starts again.",
    )
    data_row[1].selectbox(
        "Data set",
        DATASETS,
        index=DATASETS.index(DEFAULTS["bp.dataset"]),
        format_func=DATASET_LABELS.get,
        key="bp.dataset",
        on_change=reset_network,
        bind=BIND,
    )
    data_row[2].number_input(
        "Seed",
        min_value=0,
        max_value=9999,
        step=1,
        key="bp.seed",
        on_change=reset_network,
        bind=whole_number_binding("bp.seed"),
        help="Draws the data and the starting weights.",
    )
    net_row = st.columns([3, 3, 2], vertical_alignment="bottom")
    net_row[0].slider(
        "Hidden units",
        min_value=1,
        max_value=8,
        value=DEFAULTS["bp.hidden"],
        key="bp.hidden",
        on_change=reset_network,
        bind=BIND,
    )
    net_row[1].select_slider(
        "Learning rate η",
        options=LEARNING_RATES,
        value=DEFAULTS["bp.lr"],
        key="bp.lr",
        bind=BIND,
        help="Each step moves every weight by −η · ∂L/∂weight. A new η replays the steps "
        "taken so far at that rate.",
    )
    net_row[2].selectbox(
        "Activation",
        tuple(ACTIVATIONS),
        index=tuple(ACTIVATIONS).index(DEFAULTS["bp.activation"]),
        key="bp.activation",
        on_change=reset_network,
        bind=BIND,
    )
    train_row = st.columns(4, vertical_alignment="bottom")
    train_row[0].number_input(
        "Gradient steps",
        min_value=0,
        max_value=MAX_STEPS,
        step=1,
        key="bp.steps",
        bind=whole_number_binding("bp.steps"),
        help="Full-batch gradient steps from the seeded start; the buttons add to it. Type a "
        "number to train to it.",
    )
    train_row[1].button("Step once", key="bp.step_once", on_click=step_once, width="stretch")
    train_row[2].button(
        f"Train {TRAIN_STEPS} steps",
        key="bp.train",
        on_click=train_more,
        args=(TRAIN_STEPS,),
        type="primary",
        width="stretch",
    )
    train_row[3].button("Reset", key="bp.reset", on_click=reset_network, width="stretch")


@st.fragment
def playground() -> None:
    """Controls, the live chart, readouts and the studies: a move reruns only this part."""
    controls()
    state = st.session_state
    data = current_dataset()
    run = current_training()
    activation = state["bp.activation"]
    now = progress(run, data, activation)
    xs, ys = grid_axes(current_window().X)
    live_chart(
        training_figure(
            data.X,
            data.y,
            xs,
            ys,
            predict_grid(run.params, activation, xs, ys),
            run.loss_steps,
            run.losses,
            run.norm_steps,
            run.grad_norms,
        ),
        key="bp.chart",
        height=560,
        filename="backpropagation-training",
        summary=training_summary(
            now.step, now.loss, now.accuracy, run.grad_norms, now.diverged, len(data.y)
        ),
    )

    readout = st.columns(3)
    readout[0].metric("step", str(now.step))
    readout[1].metric("loss L", number(now.loss))
    readout[2].metric("accuracy", f"{100 * now.accuracy:.1f} %")
    if now.diverged:
        st.warning(
            f"Training diverged with η = {number(state['bp.lr'])}: the steps overshoot until the "
            "loss is no longer a number. Lower the learning rate (the steps are replayed at the "
            "new rate) or press Reset."
        )

    # A study opens on demand: while one is open, every move also re-renders its formulas and
    # tables, which the chart above waits for (bench, noise slider p95: 150-163 ms closed,
    # 220 ms with the one-sample study open).
    studies = {"One sample, by hand": one_sample, "Gradient check": check}
    chosen = st.segmented_control(
        "Look closer",
        list(studies),
        key="bp.study",
        bind=BIND,
        help="Follow one sample's forward and backward pass with its numbers, or check every "
        "gradient against finite differences.",
    )
    if chosen is None:
        st.caption(
            "Pick a study above: one sample's chain rule written out layer by layer, or the "
            "gradient check that catches a wrong backward pass."
        )
    else:
        studies[chosen]()


def one_sample() -> None:
    """One sample's forward numbers and the chain rule for one weight, checked by backward()."""
    state = st.session_state
    data, params, activation = current_dataset(), current_params(), state["bp.activation"]
    pick = st.columns(2)
    pick[0].number_input(
        "Sample",
        min_value=0,
        max_value=len(data.y) - 1,
        step=1,
        key="bp.sample",
        bind=whole_number_binding("bp.sample"),
    )
    pick[1].selectbox("Weight", params.names(), key="bp.weight", bind=BIND)
    index, weight = int(state["bp.sample"]), state["bp.weight"]
    x, label = data.X[index], float(data.y[index])
    terms = one_sample_trace(params, x, label, activation, weight)
    st.markdown("**Forward pass** (left to right), with this sample's numbers:")
    st.latex(forward_latex(terms, ACTIVATIONS[activation].formula))
    st.markdown(
        f"**Backward pass** (right to left): the chain rule for `{weight}`, one factor per "
        f"layer it passes through. For {activation}, "
    )
    st.latex(rf"\operatorname{{act}}'(z) = {ACTIVATIONS[activation].derivative_formula}")
    st.latex(chain_rule_latex(terms))
    _, grads = loss_and_gradients(params, x[np.newaxis, :], np.array([label]), activation)
    backward = float(grads.flat()[params.names().index(weight)])
    result = st.columns(2)
    result[0].metric("chain rule, by hand", number(terms[-1].value, 6))
    result[1].metric("backward pass, this sample", number(backward, 6))
    st.caption(
        "Training uses the mean of this number over all samples: the full gradient is the "
        "average of the per-sample chain rules."
    )


def check() -> None:
    """Every parameter's gradient from the backward pass against central differences."""
    state = st.session_state
    choice = st.selectbox(
        "Plant a bug in the backward pass",
        (NO_BUG, *PLANTED_BUGS),
        format_func=lambda key: key if key == NO_BUG else key.replace("_", " "),
        key="bp.bug",
        bind=BIND,
    )
    bug = None if choice == NO_BUG else choice
    if bug is not None:
        st.caption(f"The bug: {PLANTED_BUGS[bug]}")
    data = current_dataset()
    rows = gradient_check(current_params(), data.X, data.y, state["bp.activation"], bug=bug)
    summary = check_summary(rows, bug)
    wrong = any(row.verdict != "fine" for row in rows)
    (st.error if wrong else st.success)(summary)
    table = pd.DataFrame(check_table(rows))
    styled = table.style.map(verdict_style, subset=["verdict"]).format(
        {
            "backward pass": "{:.6g}",
            "central difference": "{:.6g}",
            "relative error": "{:.1e}",
        }
    )
    st.dataframe(styled, hide_index=True, width="stretch", key="bp.check_table")
    st.caption(
        "Relative error |a − n| / max(|a| + |n|, 10⁻³): below 10⁻⁷ **fine**, above 10⁻⁴ "
        "**wrong**, in between **suspicious**. Central differences: "
        "(L(θ + h) − L(θ − h)) / 2h with h = 10⁻⁵."
    )


playground()
