"""Every view of the gradient page is a link (AppTest).

As for the partial-derivatives page (`test_links_partial_derivatives`): a view's link, in both
forms, opens the same widgets and charts; a value the page cannot use gives that widget's default
and leaves the rest applied. u's angle is also turned by buttons and by the polar chart's own
slider: a link restores it all the same, the map and the polar chart drawn at it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from tests.app.conftest import ok
from tests.app.links import Params, open_link, open_refused_formula, view_of
from tests.app.test_links_partial_derivatives import (
    JUNK,
    LINKS,
    Move,
    assert_links_reproduce,
    browser_params,
    fresh,
    on_step,
)
from ui.live_chart import payload_from_element

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "pages" / "gradient.py")
STUDIES = ("Steepest paths", "On the surface (3D)", "Why a right angle?")


def _payloads(at: AppTest) -> dict[str, dict]:
    payloads = (payload_from_element(el) for el in at.get("component_instance"))
    return {p["key"]: p for p in payloads}


# --- views reached by moving widgets --------------------------------------------------------------


def _formula(text: str) -> Move:
    return lambda at: at.text_input(key="grad.f.text").input(text).run()


def _preset(name: str) -> Move:
    return lambda at: at.selectbox(key="grad.f.preset").set_value(name).run()


def _slider(key: str, value: float | tuple[float, float]) -> Move:
    return lambda at: at.slider(key=key).set_value(value).run()


def _point(x_share: float, y_share: float) -> Move:
    def move(at: AppTest) -> None:
        at.slider(key="grad.x0").set_value(on_step(at, "grad.x0", x_share)).run()
        at.slider(key="grad.y0").set_value(on_step(at, "grad.y0", y_share)).run()

    return move


def _button(label: str) -> Move:
    return lambda at: next(b for b in at.button if b.label == label).click().run()


def _chart_slider(degrees: float) -> Move:
    """What the polar chart's own slider does when the learner lets go of it: its callback
    (`follow_chart_slider`) sets the angle before the rerun."""

    def move(at: AppTest) -> None:
        at.session_state["grad.angle"] = degrees
        at.run()

    return move


def _tab(label: str) -> Move:
    def move(at: AppTest) -> None:
        at.session_state["grad.study"] = label
        at.run()

    return move


VIEWS = {
    "formula, point at the window's ends, u by its slider": [
        _formula("sin(x)*cos(y)"),
        _point(1.0, 0.0),
        _slider("grad.angle", 355.0),
    ],
    "u turned along ∇f by the button (between frames)": [_point(0.3, 0.7), _button("∇f")],
    "u along the level curve, the 3D study": [
        _button("level curve"),
        _tab("On the surface (3D)"),
    ],
    "preset's own view, u by the chart's slider": [
        _preset("Rosenbrock"),
        _chart_slider(135.0),
        _tab("Why a right angle?"),
    ],
    "full window, point at its lowest corner": [
        _slider("grad.x_range", (-10.0, 10.0)),
        _slider("grad.y_range", (-10.0, -2.5)),
        _point(0.0, 0.0),
        _button("−∇f"),
    ],
    "a squeezed window, u at a frame": [
        _slider("grad.y_range", (10.0, 10.0)),
        _point(0.5, 0.5),
        _slider("grad.angle", 90.0),
    ],
}


@pytest.mark.parametrize("moves", VIEWS.values(), ids=VIEWS.keys())
def test_a_view_reached_by_moving_widgets_is_its_link(moves: list[Move]) -> None:
    """Every bound widget moved away from its default: the view's links open that view."""
    at = fresh(PAGE)
    for move in moves:
        move(at)
        ok(at)
    assert_links_reproduce(PAGE, at)


def test_a_link_draws_u_at_its_angle_on_both_charts() -> None:
    """u along ∇f at (1, 1) (71.57°, between frames): the link's map and polar chart draw u
    there, D_u f = |∇f| = 6.325, not at 0° first."""
    at = fresh(PAGE)
    _button("∇f")(at)
    angle = at.session_state["grad.angle"]
    assert angle == pytest.approx(np.degrees(np.arctan2(6, 2)))
    again = ok(open_link(PAGE, browser_params(at)))
    assert again.session_state["grad.angle"] == angle
    charts = _payloads(again)
    assert "D_u f = 6.325." in charts["grad.map"]["summary"]
    assert charts["grad.polar"]["frame_name"] is None  # drawn exactly, between two frames
    assert charts["grad.map"]["revision"] == _payloads(at)["grad.map"]["revision"]


def test_a_preset_chosen_after_a_link_takes_its_own_point() -> None:
    """Opened on (2, −2) with u at 45°, then Rosenbrock: its own point (−1, 1), not the URL's
    x₀; u stays at 45°."""
    at = ok(open_link(PAGE, {"grad.x0": "2.0", "grad.y0": "-2.0", "grad.angle": "45.0"}))
    _preset("Rosenbrock")(at)
    assert (at.slider(key="grad.x0").value, at.slider(key="grad.y0").value) == (-1.0, 1.0)
    assert "At (−1, 1): f = 4, ∇f = (−4, 0)" in _payloads(at)["grad.map"]["summary"]
    assert at.slider(key="grad.angle").value == 45.0
    assert_links_reproduce(PAGE, at)


@LINKS
@given(
    formula=st.sampled_from(["x^2 + 3y^2", "sin(x)*cos(y)", "x^2 - y^2", "log(x*y)", "x*y^2"]),
    window=st.tuples(st.integers(-20, 19), st.integers(1, 40), st.integers(-20, 19)),
    point=st.tuples(st.floats(0, 1), st.floats(0, 1)),
    turn=st.one_of(
        st.tuples(st.just("slider"), st.integers(0, 72).map(lambda k: 5.0 * k)),
        st.tuples(st.just("button"), st.sampled_from(["∇f", "level curve", "−∇f"])),
        st.tuples(st.just("chart"), st.floats(0, 360)),
    ),
    study=st.sampled_from(STUDIES),
)
def test_any_view_is_its_link(formula, window, point, turn, study) -> None:
    """Random formula, window, point, u (by the slider, a button or the chart's slider) and
    study: the view's links open that view."""
    at = fresh(PAGE)
    _formula(formula)(at)
    low, width, y_low = window
    _slider("grad.x_range", (low / 2, min(low / 2 + width / 2, 10.0)))(at)
    _slider("grad.y_range", (y_low / 2, min(y_low / 2 + 3.0, 10.0)))(at)
    _point(*point)(at)
    kind, value = turn
    if kind == "button" and at.button(key="grad.u_0").disabled:
        kind, value = "slider", 45.0  # no gradient here to turn u along: the buttons are off
    {"slider": lambda v: _slider("grad.angle", v), "button": _button, "chart": _chart_slider}[kind](
        value
    )(at)
    _tab(study)(at)
    assert_links_reproduce(PAGE, at)


# --- links with values the page cannot use --------------------------------------------------------

GOOD = {"grad.y0": "-1.0", "grad.study": "Why a right angle?"}
REFUSED = {
    "x₀ not a number": {"grad.x0": "abc"},
    "x₀ outside the window": {"grad.x0": "-50"},
    "a window beyond the slider": {"grad.y_range": ["-3", "30"]},
    "a window reversed": {"grad.x_range": ["2", "-2"]},
    "a window of no width": {"grad.x_range": ["9.5", "9.5"]},
    "an angle not a number": {"grad.angle": "abc"},
    "an angle beyond 360°": {"grad.angle": "400"},
    "a negative angle": {"grad.angle": "-5"},
    "an angle not finite": {"grad.angle": "inf"},
    "an unknown study": {"grad.study": "Nope"},
}


@pytest.mark.parametrize("bad", REFUSED.values(), ids=REFUSED.keys())
def test_a_value_the_page_cannot_use_gives_the_default(bad: Params) -> None:
    """The link with a bad value opens exactly as the same link without it: that widget at its
    default, every other setting applied, every chart the same."""
    good = {key: value for key, value in GOOD.items() if key not in bad}
    at = ok(open_link(PAGE, {**good, **bad}))
    assert view_of(at) == view_of(open_link(PAGE, good))
    assert not at.error


def test_an_angle_between_frames_in_a_link_is_used_as_it_is() -> None:
    """u at 71.5° (no frame there): the slider, the map and the polar chart all take it."""
    at = ok(open_link(PAGE, {**GOOD, "grad.angle": "71.5"}))
    assert at.slider(key="grad.angle").value == 71.5
    assert "u at 71.5°" in _payloads(at)["grad.polar"]["summary"]


HOSTILE = {
    "code": "__import__('os').system('touch {sentinel}')",
    "5000 characters": "x+" * 2499 + "x",
    "an unknown name": "foo(x) + y",
}


@pytest.mark.parametrize("formula", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_bad_formula_in_a_link_draws_the_default_formula(formula: str, tmp_path) -> None:
    """A formula the box refuses: one error, nothing run, the default formula drawn with the
    link's other settings."""
    at = open_refused_formula(PAGE, GOOD, "grad.f.text", formula, tmp_path / "pwned")
    assert at.slider(key="grad.y0").value == -1.0


@pytest.mark.parametrize("study", STUDIES)
def test_a_formula_that_overflows_everywhere_still_draws(study: str) -> None:
    """exp(exp(exp(exp(x)))): gradients beyond float32 get no arrow (no ∞ in a chart), each
    study draws, and the view it opens is its own link."""
    at = ok(open_link(PAGE, {"grad.f.text": "exp(exp(exp(exp(x))))", "grad.study": study}))
    assert any("left blank" in caption.value for caption in at.caption)
    assert_links_reproduce(PAGE, at)


KEYS = ["grad.f.text", "grad.x0", "grad.y0", "grad.x_range", "grad.y_range", "grad.angle",
        "grad.study"]  # fmt: skip


@LINKS
@given(st.dictionaries(st.sampled_from(KEYS), st.one_of(JUNK, st.lists(JUNK, min_size=2,
                                                                       max_size=3))))  # fmt: skip
def test_any_link_opens_a_page_whose_own_link_is_stable(params) -> None:
    """Whatever a link holds, the page opens without an exception, on a view that its own
    link reproduces."""
    params = {k: v if isinstance(v, list) else [v] for k, v in params.items()}
    at = ok(open_link(PAGE, params))
    assert_links_reproduce(PAGE, at)
