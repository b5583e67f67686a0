"""Links to the derivatives page: any view reached by moving widgets opens again from its link,
and a link's unusable values fall back to defaults without touching its good ones."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from tests.app.conftest import ok
from tests.app.links import link_params, open_link, view_of
from ui.live_chart import payload_from_element
from ui.presets import DERIVATIVE_PRESETS
from ui.single_variable import MIN_WIDTH, x0_grid
from viz.format import number

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "derivatives.py")
STUDIES = ("The limit definition", "Numerical versus symbolic", "Step by step", "Show the code")
DEFAULT_FORMULA = DERIVATIVE_PRESETS["x² + 3x + 5 (the lesson)"]
LINKS = settings(  # LINK_EXAMPLES=100 for a deeper search by hand
    max_examples=int(os.environ.get("LINK_EXAMPLES", "6")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _move(
    at: AppTest,
    *,
    formula: str | None = None,
    window: tuple[float, float] | None = None,
    x0_at: float | None = None,
    second: bool | None = None,
    study: str | None = None,
) -> AppTest:
    """Move the page's widgets as a learner would, in page order; `x0_at` in [0, 1] picks a
    step of x₀'s slider (0: its left end, 1: its right end)."""
    if formula is not None:
        ok(at.text_input(key="deriv.f.text").input(formula).run())
    if window is not None:
        ok(at.slider(key="deriv.range").set_value(window).run())
    if x0_at is not None:
        grid = x0_grid(tuple(at.session_state["deriv.range"]))
        x0 = float(grid[round(x0_at * (len(grid) - 1))])
        ok(at.slider(key="deriv.x0").set_value(x0).run())
    if second is not None:
        ok(at.toggle(key="deriv.second").set_value(second).run())
    if study is not None:
        at.session_state["deriv.study"] = study
        ok(at.run())
    return at


def _assert_link_reproduces(at: AppTest) -> None:
    again = ok(open_link(PAGE, link_params(at)))
    assert view_of(again) == view_of(at)


def _summary(at: AppTest, key: str = "deriv.tangent_chart") -> str:
    payloads = [payload_from_element(el) for el in at.get("component_instance")]
    return next(p["summary"] for p in payloads if p["key"] == key)


@pytest.mark.parametrize(
    "moves",
    [
        # every kind of widget away from its default, and the last tab
        {
            "formula": "x^3 - 2x",
            "window": (-10.0, -0.5),
            "x0_at": 1.0,
            "second": True,
            "study": "Numerical versus symbolic",
        },
        # x₀ at its slider's left end: Streamlit's own default for a slider without a value
        {"window": (-6.0, 4.0), "x0_at": 0.0, "study": "Show the code"},
        # a window squeezed to one value (reopened by the page), a preset, the steps tab
        {"formula": "sin(x)/x", "window": (3.0, 3.0), "x0_at": 0.0, "study": "Step by step"},
        # only the window: x₀ keeps its default value, the window does not
        {"window": (-10.0, 10.0)},
        # a corner: no tangent at x₀ = 0
        {"formula": "abs(x)", "x0_at": 0.5},
    ],
    ids=["everything", "x0-at-left-end", "squeezed", "window-only", "corner"],
)
def test_a_moved_view_opens_again_from_its_link(moves):
    """Widgets and every chart's revision are the same in a fresh session opened on the link."""
    at = _move(ok(open_link(PAGE, {})), **moves)
    _assert_link_reproduces(at)


@LINKS
@given(
    formula=st.sampled_from(list(DERIVATIVE_PRESETS.values())),
    ends=st.tuples(st.integers(-20, 20), st.integers(-20, 20)).map(
        lambda ends: tuple(sorted(MIN_WIDTH * e for e in ends))
    ),
    x0_at=st.floats(0, 1),
    second=st.booleans(),
    study=st.sampled_from(STUDIES),
)
def test_any_view_opens_again_from_its_link(formula, ends, x0_at, second, study):
    """Random presets, windows (ends on the slider's steps), x₀ steps, f″ and tabs."""
    at = _move(
        ok(open_link(PAGE, {})),
        formula=formula,
        window=ends,
        x0_at=x0_at,
        second=second,
        study=study,
    )
    _assert_link_reproduces(at)


def test_the_default_view_needs_no_parameters():
    """An empty link is the first view, the same as the link of the first view."""
    at = ok(open_link(PAGE, {}))
    assert view_of(ok(open_link(PAGE, link_params(at)))) == view_of(at)
    assert link_params(at)["deriv.x0"] == ["2.0"]


# --- hostile or invalid values ------------------------------------------------------------------


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"deriv.x0": "abc", "deriv.range": ["-10.0", "10.0"]}, {"deriv.x0": 2.0}),
        ({"deriv.x0": "1e6", "deriv.second": "true"}, {"deriv.x0": 2.0, "deriv.second": True}),
        ({"deriv.x0": "nan", "deriv.range": ["-4.0", "1.0"]}, {"deriv.x0": 1.0}),
        ({"deriv.range": ["-50", "50"], "deriv.x0": "-1.0"}, {"deriv.range": (-3.0, 3.0)}),
        ({"deriv.range": ["1.0"], "deriv.x0": "-1.0"}, {"deriv.range": (-3.0, 3.0)}),
        ({"deriv.second": "maybe", "deriv.x0": "-1.0"}, {"deriv.second": False}),
        ({"deriv.study": "Nope", "deriv.x0": "-1.0"}, {"deriv.study": "The limit definition"}),
    ],
    ids=["x0-text", "x0-far", "x0-nan", "range-far", "range-one-end", "toggle", "tab"],
)
def test_a_value_a_widget_cannot_take_falls_back_to_its_default(params, expected):
    """The refused value's widget shows its default; the link's other values are applied."""
    at = ok(open_link(PAGE, params))
    view = view_of(at)["widgets"]
    for key, value in expected.items():
        assert view[key] == (list(value) if isinstance(value, tuple) else value), key
    for key, value in params.items():
        if key not in expected:
            shown = view[key]
            assert shown == ([float(v) for v in value] if isinstance(value, list) else float(value))


@pytest.mark.parametrize(
    "ends, x0, window, shown_x0",
    [
        (["1.0", "1.0"], "1.0", (0.5, 1.0), 1.0),  # ends that meet: reopened towards 0
        (["2.0", "-2.0"], "0.0", (1.5, 2.0), 2.0),  # reversed ends; x₀ then the default
        (["-3.0", "3.0"], "0.123", (-3.0, 3.0), 0.1),  # x₀ between two steps: the nearest
    ],
)
def test_a_window_or_point_the_sliders_cannot_make_is_put_right(ends, x0, window, shown_x0):
    """The page's own rules apply to a link's values: the window open, x₀ inside it on a step,
    the chart positioned there."""
    at = ok(open_link(PAGE, {"deriv.range": ends, "deriv.x0": x0}))
    assert tuple(at.slider(key="deriv.range").value) == window
    assert at.slider(key="deriv.x0").value == pytest.approx(shown_x0)
    assert f"At x₀ = {number(shown_x0)}:" in _summary(at)


@pytest.mark.parametrize(
    "formula",
    [
        "__import__('os').system('touch {sentinel}')",
        "x" * 5000,
        "x +" * 1700 + " x",
        "open('/etc/passwd').read()",
    ],
    ids=["code", "5000-letters", "5000-long-sum", "file"],
)
def test_a_hostile_formula_is_refused_and_the_rest_applied(formula, tmp_path):
    """An error; the default formula drawn; x₀ and the tab from the same link applied; nothing
    executed."""
    sentinel = tmp_path / "pwned"
    text = formula.replace("{sentinel}", str(sentinel))
    at = ok(
        open_link(PAGE, {"deriv.f.text": text, "deriv.x0": "-1.0", "deriv.study": "Step by step"})
    )
    assert len(at.error) == 1 and len(at.error[0].value) < 300
    assert at.session_state["deriv.f.last_good"] == DEFAULT_FORMULA
    assert f"f(x) = {DEFAULT_FORMULA} " in _summary(at)
    assert at.slider(key="deriv.x0").value == -1.0
    assert view_of(at)["widgets"]["deriv.study"] == "Step by step"
    assert not sentinel.exists()


def test_a_formula_that_blows_up_runs_and_says_so():
    """exp(exp(exp(exp(x)))): accepted, drawn where it is finite; at x₀ = 1 it overflows, and
    the page says there is no slope (no exception, no traceback)."""
    at = ok(open_link(PAGE, {"deriv.f.text": "exp(exp(exp(exp(x))))", "deriv.x0": "1.0"}))
    assert not at.error
    assert at.slider(key="deriv.x0").value == 1.0
    assert "blows up" in at.warning[0].value
    assert "f(x) = exp(exp(exp(exp(x))))" in _summary(at)


@LINKS
@given(
    x0=st.one_of(st.text(max_size=12), st.floats().map(repr), st.integers().map(str)),
    ends=st.lists(
        st.one_of(st.text(max_size=8), st.floats(-30, 30).map(repr)), min_size=0, max_size=3
    ),
)
def test_any_link_values_give_a_working_page(x0, ends):
    """Random text and numbers for x₀ and the window: no exception; the window drawn is open and
    inside the slider's ends, x₀ inside it, and the chart's summary says the same x₀."""
    params = {"deriv.x0": x0, **({"deriv.range": ends} if ends else {})}
    at = ok(open_link(PAGE, params))
    low, high = at.slider(key="deriv.range").value
    x0_shown = at.slider(key="deriv.x0").value
    assert -10.0 <= low <= high - MIN_WIDTH <= 10.0 - MIN_WIDTH
    assert low <= x0_shown <= high
    assert f"At x₀ = {number(x0_shown)}:" in _summary(at)
