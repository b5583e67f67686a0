"""The backpropagation page through the dashboard: training buttons, resets, chain rule, check."""

from __future__ import annotations

import base64

import numpy as np
import pytest

from calc_core.mlp import PLANTED_BUGS, init_params, train
from calc_core.toy_data import make_dataset
from tests.app.conftest import metric
from ui.live_chart import figure_from_element, payload_from_element
from viz.format import number

PAGE = "pages/backprop.py"


def _loss(at) -> float:
    return float(metric(at, "loss L").replace("−", "-"))


def _chart(at) -> dict:
    (chart,) = at.get("component_instance")
    return figure_from_element(chart)


def _open_study(at, label: str) -> None:
    at.session_state["bp.study"] = label
    at.run()


@pytest.fixture
def page(open_app):
    return open_app(PAGE)


def test_default_run_shows_step_zero_and_a_chart(page):
    """The page runs without exception, at step 0, with the boundary and the data points."""
    assert not page.exception
    assert metric(page, "step") == "0"
    names = [trace.get("name") for trace in _chart(page)["data"]]
    assert {"label 0", "label 1", "loss L"} <= set(names)


def test_training_lowers_the_loss_and_redraws_the_chart(page):
    """Train 100 steps: step 100, a lower loss, and a new chart payload."""
    before_loss, before_chart = _loss(page), _chart(page)
    page.button(key="bp.train").click().run()
    assert not page.exception
    assert metric(page, "step") == "100"
    assert _loss(page) < before_loss
    after_chart = _chart(page)
    assert after_chart["data"] != before_chart["data"]
    loss = next(t for t in after_chart["data"] if t.get("name") == "loss L")
    assert len(figure_x(loss)) == 101


def figure_x(trace: dict) -> np.ndarray:
    """The x values of a trace, whether a plain list or plotly's base64 typed array."""
    x = trace["x"]
    if isinstance(x, dict):
        return np.frombuffer(base64.b64decode(x["bdata"]), dtype=np.dtype(x["dtype"]))
    return np.asarray(x)


def test_step_once_adds_one_step_and_reset_returns_to_zero(page):
    """Step once increments the counter by one; Reset goes back to step 0 and the first loss."""
    first_loss = metric(page, "loss L")
    page.button(key="bp.step_once").click().run()
    assert metric(page, "step") == "1"
    page.button(key="bp.step_once").click().run()
    assert metric(page, "step") == "2"
    page.button(key="bp.reset").click().run()
    assert metric(page, "step") == "0"
    assert metric(page, "loss L") == first_loss


@pytest.mark.parametrize(
    ("kind", "key", "value"),
    [
        ("slider", "bp.hidden", 7),
        ("selectbox", "bp.activation", "relu"),
        ("selectbox", "bp.dataset", "xor"),
        ("number_input", "bp.seed", 3),
    ],
)
def test_changing_the_network_or_data_resets_training(page, kind, key, value):
    """A new hidden size, activation, data set or seed starts a fresh network at step 0."""
    page.button(key="bp.train").click().run()
    assert metric(page, "step") == "100"
    getattr(page, kind)(key=key).set_value(value).run()
    assert not page.exception
    assert metric(page, "step") == "0"


def test_gradient_check_is_fine_without_a_bug(page):
    """With the correct backward pass every parameter is fine (4·4 + 1 = 17 of them)."""
    _open_study(page, "Gradient check")
    table = page.dataframe[0].value
    assert len(table) == 17
    assert set(table["verdict"]) == {"fine"}
    assert page.success[0].value.startswith("All 17 parameters fine")


@pytest.mark.parametrize("bug", list(PLANTED_BUGS))
def test_gradient_check_catches_each_planted_bug(page, bug):
    """Each planted bug makes some parameters wrong, and the summary says it is caught."""
    page.button(key="bp.train").click().run()
    _open_study(page, "Gradient check")
    page.selectbox(key="bp.bug").set_value(bug).run()
    table = page.dataframe[0].value
    assert "wrong" in set(table["verdict"])
    assert "is caught" in page.error[0].value


@pytest.mark.parametrize("weight", ["W1[0,0]", "b1[2]", "W2[0,1]", "b2[0]"])
def test_chain_rule_product_equals_the_backward_pass(page, weight):
    """For one sample, the product of the chain-rule factors is backward()'s number."""
    page.button(key="bp.train").click().run()
    _open_study(page, "One sample, by hand")
    page.number_input(key="bp.sample").set_value(17).run()
    page.selectbox(key="bp.weight").set_value(weight).run()
    assert not page.exception
    by_hand = metric(page, "chain rule, by hand")
    assert by_hand == metric(page, "backward pass, this sample")
    assert float(by_hand.replace("−", "-")) != 0.0 or weight.startswith("W1")
    assert any(weight.split("[")[0][0] in latex.value for latex in page.latex)


def test_switching_hidden_size_keeps_a_valid_weight(page):
    """After shrinking the layer, the weight picker holds a weight that still exists."""
    _open_study(page, "One sample, by hand")
    page.slider(key="bp.hidden").set_value(8).run()
    page.selectbox(key="bp.weight").set_value("W2[0,7]").run()
    page.slider(key="bp.hidden").set_value(1).run()
    assert not page.exception
    assert page.selectbox(key="bp.weight").value in {"W1[0,0]"}


def test_the_chart_summary_reads_out_step_loss_accuracy_and_norms(page):
    """After 100 steps the chart's text holds the readouts and the last step's gradient norms."""
    page.button(key="bp.train").click().run()
    (chart,) = page.get("component_instance")
    summary = payload_from_element(chart)["summary"]
    loss, accuracy = metric(page, "loss L"), metric(page, "accuracy")
    assert summary.startswith(f"Step 100: loss L = {loss}, accuracy {accuracy} (")
    data = make_dataset("circle", n=200, noise=0.1, seed=0)
    run = train(init_params(4, 0, activation="tanh"), data.X, data.y, "tanh", 1.0, 100)
    hidden, output = run.grad_norms[-1]
    assert f"hidden layer {number(hidden)}, output layer {number(output)}." in summary


def test_a_typed_step_count_trains_like_the_buttons(page):
    """Typing 201 in the step box gives the chart and loss of Train, Train, Step once."""
    for key in ("bp.train", "bp.train", "bp.step_once"):
        page.button(key=key).click().run()
    by_buttons = (metric(page, "loss L"), _chart(page))
    page.button(key="bp.reset").click().run()
    assert page.number_input(key="bp.steps").value == 0
    page.number_input(key="bp.steps").set_value(201).run()
    assert metric(page, "step") == "201"
    assert (metric(page, "loss L"), _chart(page)) == by_buttons


def test_a_new_learning_rate_replays_the_steps_at_that_rate(page):
    """Train 100 steps, then η = 0.1: the network is the one 100 steps at η = 0.1 make."""
    page.button(key="bp.train").click().run()
    page.select_slider(key="bp.lr").set_value(0.1).run()
    assert metric(page, "step") == "100"
    data = make_dataset("circle", n=200, noise=0.1, seed=0)
    run = train(init_params(4, 0, activation="tanh"), data.X, data.y, "tanh", 0.1, 100)
    assert metric(page, "loss L") == number(float(run.losses[-1]))
