"""The intuition page's links: every view it reaches opens again from its URL; bad URLs don't.

The home page is the app's default page, so a link to it is the dashboard's address with query
parameters: these tests open ``dashboard.py`` itself.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from tests.app.conftest import ENTRY, metric, ok
from tests.app.links import link_params, open_link, view_of

DASHBOARD = str(ENTRY)
DEFAULTS = {"home.w": 0.0, "home.lr": 0.05, "home.steps": 0}
FEW = settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _moved(w: float, lr: float, steps: int) -> AppTest:
    """The page after moving its sliders (w first: a hand-set w starts a new descent)."""
    at = ok(open_link(DASHBOARD, {}))
    at.slider(key="home.w").set_value(w).run()
    at.slider(key="home.lr").set_value(lr).run()
    at.slider(key="home.steps").set_value(steps).run()
    return ok(at)


def _reopened(at: AppTest) -> AppTest:
    return ok(open_link(DASHBOARD, link_params(at)))


def _values(at: AppTest) -> dict[str, float]:
    return {key: at.slider(key=key).value for key in DEFAULTS}


@pytest.mark.parametrize(
    ("w", "lr", "steps"), [(-1.0, 0.3, 2), (3.5, 0.17, 50), (1.23, 0.01, 7), (4.0, 0.3, 12)]
)
def test_a_moved_view_is_its_own_link(w, lr, steps):
    """Every slider away from its default: the link opens the same sliders and the same chart."""
    at = _moved(w, lr, steps)
    assert _values(at) == {"home.w": w, "home.lr": lr, "home.steps": steps}
    again = _reopened(at)
    assert view_of(again) == view_of(at)
    assert metric(again, "weight w") == metric(at, "weight w")


def test_steps_taken_with_the_buttons_and_a_new_rate_are_in_the_link():
    """Steps taken with the button, then a new η, then one more step: the link replays them."""
    at = _moved(0.5, 0.05, 0)
    for _ in range(3):
        at.button(key="home.step").click().run()
    at.slider(key="home.lr").set_value(0.2).run()
    at.button(key="home.step").click().run()
    assert link_params(at)["home.steps"] == ["4"]
    again = _reopened(at)
    assert view_of(again) == view_of(at)
    assert [w.value for w in again.warning] == [w.value for w in at.warning]


def test_a_descent_that_left_the_chart_is_in_the_link():
    """The largest η for eight steps jumps off the chart; its link shows the same warning."""
    at = _moved(0.0, 0.3, 8)
    assert any("jumped off the chart" in w.value for w in at.warning)
    again = _reopened(at)
    assert view_of(again) == view_of(at)
    assert any("jumped off the chart" in w.value for w in again.warning)


@FEW
@given(
    w=st.integers(-100, 400).map(lambda k: k / 100),
    lr=st.integers(1, 30).map(lambda k: k / 100),
    steps=st.integers(0, 50),
)
def test_any_view_reached_by_the_sliders_is_its_own_link(w, lr, steps):
    """Any weight, rate and step count on the sliders' steps: the link reproduces the view."""
    at = _moved(w, lr, steps)
    assert view_of(_reopened(at)) == view_of(at)


LONG = "7" * 5000
BAD = {
    "home.w": ["abc", "99", "-5", "nan", "1e309", LONG, ""],
    "home.lr": ["0", "-0.1", "fast", "0.31", LONG],
    "home.steps": ["51", "-1", "many", "1e3", LONG],
}


@pytest.mark.parametrize(
    ("key", "bad"), [(key, value) for key, values in BAD.items() for value in values]
)
def test_a_bad_value_shows_the_default_and_the_rest_of_the_link_applies(key, bad):
    """A value its slider cannot take: no exception, that slider at its default, the link's
    other settings applied."""
    good = {"home.w": "2.5", "home.lr": "0.12", "home.steps": "3"}
    at = ok(open_link(DASHBOARD, {**good, key: bad}))
    expected = {k: type(DEFAULTS[k])(float(v)) for k, v in good.items()}
    assert _values(at) == {**expected, key: DEFAULTS[key]}
    assert at.get("component_instance"), "the chart is still drawn"


@FEW
@given(text=st.text(max_size=60))
def test_any_text_in_the_link_runs_the_page(text):
    """Random text for every setting: the page runs, each slider holds a value it can take."""
    at = ok(open_link(DASHBOARD, dict.fromkeys(DEFAULTS, text)))
    assert -1.0 <= at.slider(key="home.w").value <= 4.0
    assert 0.01 <= at.slider(key="home.lr").value <= 0.30
    assert 0 <= at.slider(key="home.steps").value <= 50
