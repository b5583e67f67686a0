"""The backpropagation page's state: one tiny network in `st.session_state`, trained by callbacks.

Everything lives under the key prefix "bp.": the widgets' values, the current weights
("bp.params"), the step count and a bounded history of losses and gradient norms. Buttons call
`step_once`, `train_more` and `reset_network` as `on_click` callbacks, so the rerun that follows
already draws the new state. The mathematics is `calc_core.mlp`; this module only keeps score.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from calc_core.mlp import Params, forward, init_params, train
from calc_core.toy_data import Dataset, make_dataset
from ui.cache import HOUR

N_POINTS = 200
HISTORY = 2000  # losses kept for the curve; older ones are dropped
TRAIN_STEPS = 100
NOISE_MAX = 0.5  # the noise slider's range is 0 to NOISE_MAX
LEARNING_RATES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
DEFAULTS = {
    "bp.dataset": "circle",
    "bp.noise": 0.1,
    "bp.seed": 0,
    "bp.hidden": 4,
    "bp.activation": "tanh",
    "bp.lr": 1.0,
}
FIRST_WEIGHT = "W1[0,0]"


@dataclass(frozen=True)
class Progress:
    """What the readouts show: the steps taken so far and how the network does now.

    Attributes:
        step: gradient steps since the last reset.
        loss: the mean binary cross-entropy on the whole data set now.
        accuracy: the fraction of points on the right side of p = 0.5, in [0, 1].
        diverged: True if the last training run blew up (its loss stopped being finite).
    """

    step: int
    loss: float
    accuracy: float
    diverged: bool


@st.cache_data(max_entries=64, ttl=HOUR, show_spinner=False)
def dataset(name: str, noise: float, seed: int) -> Dataset:
    """The toy data set for these settings (the same arguments always give the same points)."""
    return make_dataset(name, n=N_POINTS, noise=noise, seed=seed)


def current_window() -> Dataset:
    """The same data set at the noise slider's largest value: its spread sets the chart's window.

    The jitter comes from one stream for every noise level, so these points reach furthest;
    a window fitted to them stays put while the noise slider moves the points.
    """
    state = st.session_state
    return dataset(state["bp.dataset"], NOISE_MAX, int(state["bp.seed"]))


def current_dataset() -> Dataset:
    """The data set the widgets select now."""
    state = st.session_state
    return dataset(state["bp.dataset"], float(state["bp.noise"]), int(state["bp.seed"]))


def init_state() -> None:
    """Set every default once per session and start a fresh network if there is none."""
    for key, value in DEFAULTS.items():
        st.session_state.setdefault(key, value)
    if "bp.params" not in st.session_state:
        reset_network()


def reset_network() -> None:
    """New random weights for the chosen size, activation and seed; step 0, empty history."""
    state = st.session_state
    params = init_params(
        int(state["bp.hidden"]), int(state["bp.seed"]), activation=state["bp.activation"]
    )
    data = current_dataset()
    state["bp.params"] = params
    state["bp.step"] = 0
    state["bp.loss_steps"] = np.zeros(1, dtype=np.int64)
    state["bp.losses"] = np.array([forward(params, data.X, data.y, state["bp.activation"]).loss])
    state["bp.norm_steps"] = np.zeros(0, dtype=np.int64)
    state["bp.grad_norms"] = np.zeros((0, 2))
    state["bp.diverged"] = False
    # A weight name that exists for every hidden size, so the picker never holds a stale one.
    state["bp.weight"] = FIRST_WEIGHT
    state["bp.sample"] = 0


def train_more(steps: int = TRAIN_STEPS) -> None:
    """Take `steps` full-batch gradient steps and append their losses and gradient norms."""
    state = st.session_state
    data = current_dataset()
    run = train(state["bp.params"], data.X, data.y, state["bp.activation"], state["bp.lr"], steps)
    start = int(state["bp.step"])
    finite = np.isfinite(run.losses[1:])
    taken = int(finite.sum()) if run.diverged else steps
    state["bp.params"] = run.params
    state["bp.step"] = start + taken
    new_steps = start + 1 + np.arange(taken)
    state["bp.loss_steps"] = np.concatenate([state["bp.loss_steps"], new_steps])[-HISTORY:]
    state["bp.losses"] = np.concatenate([state["bp.losses"], run.losses[1 : taken + 1]])[-HISTORY:]
    state["bp.norm_steps"] = np.concatenate([state["bp.norm_steps"], new_steps])[-HISTORY:]
    state["bp.grad_norms"] = np.concatenate([state["bp.grad_norms"], run.grad_norms[:taken]])[
        -HISTORY:
    ]
    state["bp.diverged"] = bool(run.diverged)


def step_once() -> None:
    """One gradient step (the button "Step once")."""
    train_more(1)


def progress() -> Progress:
    """The step count, the loss and the accuracy of the current weights on the current data."""
    state = st.session_state
    data = current_dataset()
    result = forward(state["bp.params"], data.X, data.y, state["bp.activation"])
    accuracy = float(np.mean((result.p.ravel() > 0.5) == (data.y > 0.5)))
    return Progress(int(state["bp.step"]), float(result.loss), accuracy, bool(state["bp.diverged"]))


def current_params() -> Params:
    """The network's weights now."""
    return st.session_state["bp.params"]
