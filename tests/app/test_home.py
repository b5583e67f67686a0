"""The intuition page: the right numbers after each control."""

from __future__ import annotations

import pytest

from calc_core.fitting import gradient_step, largest_stable_learning_rate, toy_data
from tests.app.conftest import metric
from ui.live_chart import figure_from_element, payload_from_element
from viz.format import number

HOME = "pages/home.py"
DATA = toy_data()


@pytest.fixture
def home(open_app):
    return open_app(HOME)


def test_defaults_show_the_loss_and_slope_at_w0(home):
    """At w = 0 the page reads out L(0) and dL/dw(0) from calc_core."""
    step = gradient_step(0.0, 0.05, DATA)
    assert metric(home, "weight w") == "0"
    assert metric(home, "loss L(w)") == number(step.loss) == "14.97"
    assert metric(home, "slope dL/dw") == number(step.slope) == "−15.05"
    assert "moving **w to the right**" in " ".join(m.value for m in home.markdown)


def test_the_chart_summary_reads_out_the_weight_loss_and_slope(home):
    """The chart's text summary holds the numbers the readouts show, and the step count."""
    home.button(key="home.step").click().run()
    (chart,) = home.get("component_instance")
    summary = payload_from_element(chart)["summary"]
    step = gradient_step(round(gradient_step(0.0, 0.05, DATA).w_next, 4), 0.05, DATA)
    assert f"Weight w = {number(step.w)}" in summary
    assert f"loss L(w) = {number(step.loss)}" in summary
    assert f"slope dL/dw = {number(step.slope)}" in summary
    assert "1 gradient step taken" in summary and "η = 0.05" in summary


def test_gradient_step_moves_w_against_the_slope(home):
    """Pressing the step button moves w to w − η·dL/dw and counts the step."""
    home.button(key="home.step").click().run()
    expected = gradient_step(0.0, 0.05, DATA).w_next
    assert home.slider(key="home.steps").value == 1
    assert home.slider(key="home.w").value == 0.0  # where the descent started
    assert metric(home, "weight w") == number(round(expected, 4))
    home.button(key="home.step").click().run()
    second = gradient_step(round(expected, 4), 0.05, DATA).w_next
    assert home.slider(key="home.steps").value == 2
    assert metric(home, "weight w") == number(round(second, 4))


def test_a_new_learning_rate_replays_the_steps_and_dragging_w_starts_again(home):
    """The steps taken are replayed at a new η; moving w by hand goes back to step 0."""
    home.slider(key="home.steps").set_value(3).run()
    home.slider(key="home.lr").set_value(0.1).run()
    w = 0.0
    for _ in range(3):
        w = round(gradient_step(w, 0.1, DATA).w_next, 4)
    assert metric(home, "weight w") == number(w)
    home.slider(key="home.w").set_value(3.0).run()
    assert home.slider(key="home.steps").value == 0
    assert metric(home, "weight w") == "3"


def test_slope_sign_flips_past_the_minimum(home):
    """Right of the minimum the slope is positive and the page says to move left."""
    home.slider(key="home.w").set_value(3.0).run()
    assert metric(home, "slope dL/dw").startswith("1") or "−" not in metric(home, "slope dL/dw")
    assert "moving **w to the left**" in " ".join(m.value for m in home.markdown)


def test_too_large_learning_rate_warns_and_steps_leave_the_chart(home):
    """Above 2/L'' the page warns, and repeated steps jump off the chart."""
    assert largest_stable_learning_rate(DATA) < 0.30
    home.slider(key="home.lr").set_value(0.30).run()
    assert any("overshoot" in w.value for w in home.warning)
    for _ in range(8):
        home.button(key="home.step").click().run()
    assert any("jumped off the chart" in w.value for w in home.warning)
    home.button(key="home.reset").click().run()
    assert home.slider(key="home.w").value == 0.0
    assert home.slider(key="home.steps").value == 0
    assert not any("jumped off" in w.value for w in home.warning)


def test_the_chart_follows_the_weight(home):
    """The live chart's payload puts the current point at the new w after a step."""
    home.button(key="home.step").click().run()
    (chart,) = home.get("component_instance")
    figure = figure_from_element(chart)
    point = next(t for t in figure["data"] if t.get("name") == "current w")
    assert point["x"][0] == pytest.approx(gradient_step(0.0, 0.05, DATA).w_next, abs=1e-4)
