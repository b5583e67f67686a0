"""The backpropagation page's network: a pure function of the page's widgets, cached.

The view is the widgets (all under the key prefix "bp.", all in the link): the data set, its
noise and seed, the hidden size, the activation, the learning rate and "bp.steps", the number of
full-batch gradient steps asked for. The weights, the step count reached and the histories of
losses and gradient norms are *computed* from them (:func:`training`), so a link replays the
same training to the last bit. Buttons only change "bp.steps" (`step_once`, `train_more`,
`reset_network`); a change of data or network sends it back to 0. The mathematics is
`calc_core.mlp`; this module only keeps score.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass

import numpy as np
import streamlit as st
from numpy.typing import NDArray
from streamlit.errors import StreamlitAPIException

from calc_core.mlp import Params, forward, init_params, train
from calc_core.toy_data import Dataset, make_dataset
from ui.cache import HOUR
from ui.links import BIND, linked_values

N_POINTS = 200
HISTORY = 2000  # losses kept for the curve; older ones are dropped
TRAIN_STEPS = 100
CHUNK = 100  # training to n steps continues the cached run to the last multiple of CHUNK
MAX_STEPS = 5000  # the step box's largest value: replaying it from scratch takes ~0.3 s
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


def whole_number_binding(key: str) -> str | None:
    """`BIND` for the whole-number box `key`, or None for a run whose link gives it an infinite
    number ("1e309", 400 digits).

    Streamlit 1.67 seeds an integer `st.number_input` with ``int(float(value))``, which raises
    OverflowError for those instead of dropping them (the page would show a traceback). Left
    unbound for that one run, the box shows its default; the value is taken out of the URL, so
    the page's note names it and the next run binds the box again.
    """
    values = linked_values(key)
    try:
        finite = all(math.isfinite(float(value)) for value in values)
    except ValueError:  # not a number: Streamlit drops it itself
        finite = True
    if finite:
        return BIND
    # KeyError: already gone; StreamlitAPIException: bound by an earlier run of this session.
    with contextlib.suppress(KeyError, StreamlitAPIException):
        del st.query_params[key]
    return None


@dataclass(frozen=True, eq=False)
class Training:
    """A network trained by full-batch gradient descent from its seeded start.

    Attributes:
        params: the weights now (after divergence: the last with a finite loss).
        step: the gradient steps taken (fewer than asked for if training diverged).
        loss_steps, losses: step numbers and the loss after that many steps, shape `(s,)`,
            the last `HISTORY` of them.
        norm_steps, grad_norms: step numbers `(t,)` and the gradient norm of each layer at
            that step `(t, 2)` (hidden layer, output layer), the last `HISTORY`.
        diverged: True if the loss stopped being finite; training stopped there.
    """

    params: Params
    step: int
    loss_steps: NDArray[np.int64]
    losses: NDArray[np.float64]
    norm_steps: NDArray[np.int64]
    grad_norms: NDArray[np.float64]
    diverged: bool


@dataclass(frozen=True)
class Progress:
    """What the readouts show: the steps taken so far and how the network does now.

    Attributes:
        step: gradient steps since the last reset.
        loss: the mean binary cross-entropy on the whole data set now.
        accuracy: the fraction of points on the right side of p = 0.5, in [0, 1].
        diverged: True if training blew up (its loss stopped being finite).
    """

    step: int
    loss: float
    accuracy: float
    diverged: bool


@st.cache_data(max_entries=64, ttl=HOUR, show_spinner=False)
def dataset(name: str, noise: float, seed: int) -> Dataset:
    """The toy data set for these settings (the same arguments always give the same points)."""
    return make_dataset(name, n=N_POINTS, noise=noise, seed=seed)


@st.cache_data(max_entries=256, ttl=HOUR, show_spinner=False)
def training(
    name: str, noise: float, seed: int, hidden: int, activation: str, lr: float, steps: int
) -> Training:
    """The network after `steps` gradient steps on this data from its seeded start.

    Continues the (cached) run to the last multiple of `CHUNK` below `steps`, so "Train 100
    steps" costs 100 steps, and any way of reaching `steps` (buttons, the step box, a link)
    does the same arithmetic: the result depends on the arguments only.

    Args:
        name, noise, seed: the data set (`dataset`); `seed` also draws the starting weights.
        hidden, activation: the network.
        lr: the learning rate, > 0.
        steps: gradient steps asked for, 0 to `MAX_STEPS`.
    """
    data = dataset(name, noise, seed)
    if steps <= 0:
        params = init_params(hidden, seed, activation=activation)
        return Training(
            params=params,
            step=0,
            loss_steps=np.zeros(1, dtype=np.int64),
            losses=np.array([forward(params, data.X, data.y, activation).loss]),
            norm_steps=np.zeros(0, dtype=np.int64),
            grad_norms=np.zeros((0, 2)),
            diverged=False,
        )
    base = training(name, noise, seed, hidden, activation, lr, (steps - 1) // CHUNK * CHUNK)
    if base.diverged:
        return base
    more = steps - base.step
    run = train(base.params, data.X, data.y, activation, lr, more)
    taken = int(np.isfinite(run.losses[1:]).sum()) if run.diverged else more
    new_steps = base.step + 1 + np.arange(taken)
    return Training(
        params=run.params,
        step=base.step + taken,
        loss_steps=np.concatenate([base.loss_steps, new_steps])[-HISTORY:],
        losses=np.concatenate([base.losses, run.losses[1 : taken + 1]])[-HISTORY:],
        norm_steps=np.concatenate([base.norm_steps, new_steps])[-HISTORY:],
        grad_norms=np.concatenate([base.grad_norms, run.grad_norms[:taken]])[-HISTORY:],
        diverged=bool(run.diverged),
    )


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


def current_training() -> Training:
    """The network the widgets describe now (call after the widgets are drawn)."""
    state = st.session_state
    return training(
        state["bp.dataset"],
        float(state["bp.noise"]),
        int(state["bp.seed"]),
        int(state["bp.hidden"]),
        state["bp.activation"],
        float(state["bp.lr"]),
        int(state.get("bp.steps", 0)),
    )


def current_params() -> Params:
    """The network's weights now."""
    return current_training().params


def reset_network() -> None:
    """Back to step 0 (new data or a new network starts again from its seeded weights)."""
    state = st.session_state
    state["bp.steps"] = 0
    # A weight name that exists for every hidden size, so the picker never holds a stale one.
    state["bp.weight"] = FIRST_WEIGHT
    state["bp.sample"] = 0


def train_more(steps: int = TRAIN_STEPS) -> None:
    """Ask for `steps` more gradient steps (the button "Train 100 steps")."""
    state = st.session_state
    state["bp.steps"] = min(int(state.get("bp.steps", 0)) + steps, MAX_STEPS)


def step_once() -> None:
    """One gradient step (the button "Step once")."""
    train_more(1)


def progress(run: Training, data: Dataset, activation: str) -> Progress:
    """The step count, the loss and the accuracy of `run`'s weights on `data`."""
    result = forward(run.params, data.X, data.y, activation)
    accuracy = float(np.mean((result.p.ravel() > 0.5) == (data.y > 0.5)))
    return Progress(run.step, float(result.loss), accuracy, run.diverged)
