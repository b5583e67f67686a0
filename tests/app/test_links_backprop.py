"""The backpropagation page's links: data, network, learning rate, the steps trained and the
study open all travel in the URL, so a link replays the same training; bad URLs are refused."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from calc_core.mlp import ACTIVATIONS
from calc_core.toy_data import DATASETS
from tests.app.conftest import ENTRY, TIMEOUT, metric, ok
from tests.app.links import Params, link_params, view_of
from ui.network import LEARNING_RATES, MAX_STEPS

PAGE = "pages/backprop.py"
DEFAULTS = {
    "bp.noise": 0.1,
    "bp.dataset": "circle",
    "bp.seed": 0,
    "bp.hidden": 4,
    "bp.lr": 1.0,
    "bp.activation": "tanh",
    "bp.steps": 0,
    "bp.study": None,
}
FEW = settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _open(params: Params | dict[str, str]) -> AppTest:
    """A fresh session opening the page's URL with these query parameters."""
    at = AppTest.from_file(str(ENTRY), default_timeout=TIMEOUT)
    for key, values in params.items():
        at.query_params[key] = values if isinstance(values, str) or len(values) != 1 else values[0]
    return ok(at.switch_page(PAGE).run())


def _reopened(at: AppTest) -> AppTest:
    return _open(link_params(at))


def _settings(at: AppTest) -> dict[str, Any]:
    return {key: at.session_state[key] for key in DEFAULTS}


def _move(at: AppTest, **moves: Any) -> AppTest:
    """Set widgets in the order a learner would: data and network (which restart training)
    first, then the rate, the steps and the study."""
    kinds = {
        "noise": "slider",
        "dataset": "selectbox",
        "seed": "number_input",
        "hidden": "slider",
        "activation": "selectbox",
        "lr": "select_slider",
        "steps": "number_input",
        "study": "segmented_control",
        "sample": "number_input",
        "weight": "selectbox",
        "bug": "selectbox",
    }
    for name, kind in kinds.items():
        if name in moves:
            getattr(at, kind)(key=f"bp.{name}").set_value(moves[name]).run()
            ok(at)
    return at


STATES = [
    {
        "noise": 0.35,
        "dataset": "moons",
        "seed": 7,
        "hidden": 1,
        "activation": "relu",
        "lr": 0.3,
        "steps": 137,
        "study": "One sample, by hand",
        "sample": 17,
        "weight": "W2[0,0]",
    },
    {
        "noise": 0.0,
        "dataset": "xor",
        "seed": 9999,
        "hidden": 8,
        "activation": "sigmoid",
        "lr": 3.0,
        "steps": 250,
        "study": "Gradient check",
        "bug": "wrong_sign_output",
    },
    {"noise": 0.5, "dataset": "linear", "seed": 1, "hidden": 2, "lr": 0.001, "steps": 1},
]


@pytest.mark.parametrize("moves", STATES, ids=["one-sample", "gradient-check", "no-study"])
def test_a_moved_view_is_its_own_link(moves):
    """Every setting away from its default: the link opens the same widgets, chart and numbers."""
    at = _move(_open({}), **moves)
    assert all(at.session_state[f"bp.{name}"] == value for name, value in moves.items())
    again = _reopened(at)
    assert view_of(again) == view_of(at)
    for label in ("step", "loss L", "accuracy"):
        assert metric(again, label) == metric(at, label)


def test_training_with_the_buttons_and_a_new_rate_is_in_the_link():
    """Train 100, Step once, a new η, Train 100: the link replays the same network."""
    at = _move(_open({}), dataset="xor", hidden=6)
    at.button(key="bp.train").click().run()
    at.button(key="bp.step_once").click().run()
    _move(at, lr=0.3)
    at.button(key="bp.train").click().run()
    assert metric(at, "step") == "201"
    assert link_params(at)["bp.steps"] == ["201"]
    again = _reopened(at)
    assert view_of(again) == view_of(at)
    assert metric(again, "loss L") == metric(at, "loss L")


@FEW
@given(
    dataset=st.sampled_from(DATASETS),
    noise=st.integers(0, 10).map(lambda k: k * 0.05),
    hidden=st.integers(1, 8),
    activation=st.sampled_from(list(ACTIVATIONS)),
    lr=st.sampled_from(LEARNING_RATES),
    steps=st.integers(0, 400),
)
def test_any_view_reached_by_the_controls_is_its_own_link(
    dataset, noise, hidden, activation, lr, steps
):
    """Any data set, noise, size, activation, rate and step count: the link reproduces it."""
    noise = round(noise, 2)
    at = _move(
        _open({}),
        dataset=dataset,
        noise=noise,
        hidden=hidden,
        activation=activation,
        lr=lr,
        steps=steps,
    )
    assert view_of(_reopened(at)) == view_of(at)


LONG = "3" * 5000
BAD = {
    "bp.noise": ["abc", "0.9", "-0.1", "nan", LONG],
    "bp.dataset": ["spiral", "CIRCLE", LONG],
    "bp.seed": ["-1", "10000", "seven", "1e309", "-inf", LONG],
    "bp.hidden": ["0", "99", "many", LONG],
    "bp.lr": ["0.5", "fast", "-1", LONG],
    "bp.activation": ["gelu", "__import__('os')", LONG],
    "bp.steps": [str(MAX_STEPS + 1), "-3", "1e9", "all", "inf", LONG],
    "bp.study": ["Everything", LONG],
}
GOOD = {
    "bp.noise": "0.25",
    "bp.dataset": "XOR",
    "bp.seed": "5",
    "bp.hidden": "3",
    "bp.lr": "0.3",
    "bp.activation": "relu",
    "bp.steps": "40",
    "bp.study": "Gradient check",
}
APPLIED = {
    "bp.noise": 0.25,
    "bp.dataset": "xor",
    "bp.seed": 5,
    "bp.hidden": 3,
    "bp.lr": 0.3,
    "bp.activation": "relu",
    "bp.steps": 40,
    "bp.study": "Gradient check",
}


@pytest.mark.parametrize(
    ("key", "bad"), [(key, value) for key, values in BAD.items() for value in values]
)
def test_a_bad_value_shows_the_default_and_the_rest_of_the_link_applies(key, bad):
    """A value a widget cannot take: no exception, that widget at its default, every other
    setting of the link applied (and the network trained to match them)."""
    at = _open({**GOOD, key: bad})
    assert _settings(at) == {**APPLIED, key: DEFAULTS[key]}
    expected_steps = DEFAULTS["bp.steps"] if key == "bp.steps" else APPLIED["bp.steps"]
    assert metric(at, "step") == str(expected_steps)


@pytest.mark.parametrize(
    ("params", "key", "default"),
    [
        ({"bp.study": "One sample, by hand", "bp.weight": "W2[0,7]"}, "bp.weight", "W1[0,0]"),
        ({"bp.study": "One sample, by hand", "bp.sample": "200"}, "bp.sample", 0),
        ({"bp.study": "One sample, by hand", "bp.sample": "1e309"}, "bp.sample", 0),
        ({"bp.study": "Gradient check", "bp.bug": "off_by_one"}, "bp.bug", None),
    ],
)
def test_a_study_setting_the_page_cannot_take_falls_back_to_its_default(params, key, default):
    """A weight the network does not have, a sample past the data, an unknown bug: default."""
    at = _open({**params, "bp.hidden": "2"})
    assert at.session_state["bp.hidden"] == 2
    value = at.session_state[key]
    assert value == default or (default is None and value.startswith("none"))


@FEW
@given(text=st.text(max_size=60))
def test_any_text_in_the_link_runs_the_page(text):
    """Random text for every setting: the page runs and trains what its widgets say."""
    at = _open(dict.fromkeys(DEFAULTS, text))
    assert at.session_state["bp.dataset"] in DATASETS
    assert metric(at, "step") == str(at.session_state["bp.steps"])
