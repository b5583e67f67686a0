"""Links to the chain-rule page: any view reached by moving widgets (links, window, x₀, Δx,
the graph's formula, point and step, the open view) opens again from its link, and a link's
unusable values fall back to defaults without touching its good ones."""

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
from ui.presets import CHAIN_PRESETS, GRAPH_PRESETS
from ui.single_variable import MIN_WIDTH, x0_grid
from viz.format import number

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "chain_rule.py")
GRAPH = "Computational graph"
LESSON = "sin(2x²) (the lesson)"
THREE = "ln(1 + tanh²x) (three links)"
LINKS = settings(  # LINK_EXAMPLES=100 for a deeper search by hand
    max_examples=int(os.environ.get("LINK_EXAMPLES", "6")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _compose(
    at: AppTest,
    *,
    preset: str | None = None,
    three: bool | None = None,
    links: dict[str, str] | None = None,
    window: tuple[float, float] | None = None,
    x0_at: float | None = None,
    dx: float | None = None,
) -> AppTest:
    """Move the composition's widgets in page order; `x0_at` in [0, 1] picks x₀'s step."""
    if preset is not None:
        ok(at.selectbox(key="chain.preset").set_value(preset).run())
    if three is not None:
        ok(at.toggle(key="chain.three").set_value(three).run())
    for key, text in (links or {}).items():
        ok(at.text_input(key=f"chain.{key}.text").input(text).run())
    if window is not None:
        ok(at.slider(key="chain.range").set_value(window).run())
    if x0_at is not None:
        grid = x0_grid(tuple(at.session_state["chain.range"]))
        ok(at.slider(key="chain.x0").set_value(float(grid[round(x0_at * (len(grid) - 1))])).run())
    if dx is not None:
        ok(at.slider(key="chain.dx").set_value(dx).run())
    return at


def _graph(
    at: AppTest,
    *,
    preset: str | None = None,
    formula: str | None = None,
    point: tuple[float, float] | None = None,
    nexts: int = 0,
    step_at: float | None = None,
) -> AppTest:
    """Open the graph view and move its widgets; `step_at` in [0, 1] picks a step."""
    at.session_state["chain.view"] = GRAPH
    ok(at.run())
    if preset is not None:
        ok(at.selectbox(key="chain.graph.preset").set_value(preset).run())
    if formula is not None:
        ok(at.text_input(key="chain.graph.text").input(formula).run())
    if point is not None:
        ok(at.number_input(key="chain.gx").set_value(point[0]).run())
        ok(at.number_input(key="chain.gy").set_value(point[1]).run())
    for _ in range(nexts):
        ok(at.button(key="chain.next").click().run())
    if step_at is not None:
        last = int(at.slider(key="chain.step").max)
        ok(at.slider(key="chain.step").set_value(1 + round(step_at * (last - 1))).run())
    return at


def _assert_link_reproduces(at: AppTest) -> None:
    again = ok(open_link(PAGE, link_params(at)))
    assert view_of(again) == view_of(at)


def _summary(at: AppTest) -> str:
    (payload,) = (payload_from_element(el) for el in at.get("component_instance"))
    return payload["summary"]


def _dot(at: AppTest) -> str:
    return at.get("graphviz_chart")[0].proto.spec


@pytest.mark.parametrize(
    "moves",
    [
        # the three-link preset, then every slider away from its default
        {"preset": THREE, "window": (-6.0, 1.5), "x0_at": 1.0, "dx": 0.01},
        # typed links, three of them, x₀ at its slider's left end, the widest window
        {
            "three": True,
            "links": {"outer": "exp(u)", "middle": "u^3", "inner": "sin(x)"},
            "window": (-6.0, 6.0),
            "x0_at": 0.0,
        },
        # a window squeezed to one value (reopened by the page), the largest step Δx
        {"preset": "σ(3x − 1)", "window": (6.0, 6.0), "dx": 0.5},
        # a preset, then one of its links changed by hand
        {"preset": "e^(−x²)", "links": {"inner": "x^3 - x"}, "x0_at": 0.25},
    ],
    ids=["three-link-preset", "typed-links", "squeezed", "preset-then-typed"],
)
def test_a_moved_composition_opens_again_from_its_link(moves):
    """Widgets and the chart's revision are the same in a fresh session opened on the link."""
    _assert_link_reproduces(_compose(ok(open_link(PAGE, {})), **moves))


@pytest.mark.parametrize(
    "moves",
    [
        {"preset": "σ(2x + y) (a neuron)", "point": (-0.7, 2.25), "nexts": 7},
        {"formula": "x*y*y + exp(x)", "step_at": 1.0},
        {"point": (12.5, -3.0), "step_at": 0.5},
    ],
    ids=["neuron-stepped", "typed-last-step", "point-and-step"],
)
def test_a_moved_graph_opens_again_from_its_link(moves):
    """The graph view: formula, point and step come back, and so does the graph drawn."""
    at = _graph(ok(open_link(PAGE, {})), **moves)
    again = ok(open_link(PAGE, link_params(at)))
    assert view_of(again) == view_of(at)
    assert _dot(again) == _dot(at)


@LINKS
@given(
    preset=st.sampled_from(list(CHAIN_PRESETS)),
    three=st.booleans(),
    ends=st.tuples(st.integers(-12, 12), st.integers(-12, 12)).map(
        lambda ends: tuple(sorted(MIN_WIDTH * e for e in ends))
    ),
    x0_at=st.floats(0, 1),
    dx=st.integers(1, 50).map(lambda k: round(0.01 * k, 2)),
)
def test_any_composition_opens_again_from_its_link(preset, three, ends, x0_at, dx):
    """Random presets, two or three links, windows, x₀ steps and Δx."""
    at = _compose(
        ok(open_link(PAGE, {})), preset=preset, three=three, window=ends, x0_at=x0_at, dx=dx
    )
    _assert_link_reproduces(at)


@LINKS
@given(
    preset=st.sampled_from(list(GRAPH_PRESETS)),
    point=st.tuples(*[st.integers(-40, 40).map(lambda k: k / 8)] * 2),
    step_at=st.floats(0, 1),
)
def test_any_graph_view_opens_again_from_its_link(preset, point, step_at):
    """Random graph presets, points and steps."""
    at = _graph(ok(open_link(PAGE, {})), preset=preset, point=point, step_at=step_at)
    again = ok(open_link(PAGE, link_params(at)))
    assert view_of(again) == view_of(at)
    assert _dot(again) == _dot(at)


# --- hostile or invalid values ------------------------------------------------------------------


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"chain.x0": "abc", "chain.dx": "0.3"}, {"chain.x0": 1.0}),
        ({"chain.dx": "7", "chain.x0": "-1.5"}, {"chain.dx": 0.2}),
        ({"chain.range": ["-60", "0"], "chain.dx": "0.3"}, {"chain.range": [-2.0, 2.0]}),
        ({"chain.preset": "Nope", "chain.x0": "-1.5"}, {"chain.preset": LESSON}),
        ({"chain.three": "perhaps", "chain.x0": "-1.5"}, {"chain.three": False}),
        ({"chain.view": "Nope", "chain.dx": "0.3"}, {"chain.view": "Composition"}),
    ],
    ids=["x0-text", "dx-far", "range-far", "preset", "toggle", "tab"],
)
def test_a_value_a_widget_cannot_take_falls_back_to_its_default(params, expected):
    """The refused value's widget shows its default; the link's other values are applied."""
    at = ok(open_link(PAGE, params))
    view = view_of(at)["widgets"]
    for key, value in expected.items():
        assert view[key] == value, key
    for key, value in params.items():
        if key not in expected:
            assert view[key] == float(value), key


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"chain.step": "99", "chain.gy": "2.0"}, {"chain.step": 1}),
        ({"chain.step": "abc", "chain.gy": "2.0"}, {"chain.step": 1}),
        ({"chain.gx": "nan", "chain.gy": "2.0"}, {"chain.gx": 1.3}),
        ({"chain.gx": "1e999", "chain.gy": "2.0"}, {"chain.gx": 1.3}),
        ({"chain.gx": "x", "chain.step": "4"}, {"chain.gx": 1.3}),
    ],
    ids=["step-far", "step-text", "x-nan", "x-inf", "x-text"],
)
def test_a_graph_value_a_widget_cannot_take_falls_back_to_its_default(params, expected):
    """The graph view from a link: refused values at their defaults, the others applied."""
    at = ok(open_link(PAGE, {"chain.view": GRAPH, **params}))
    view = view_of(at)["widgets"]
    for key, value in expected.items():
        assert view[key] == value, key
    for key, value in params.items():
        if key not in expected:
            assert view[key] == float(value), key
    assert _dot(at)


HOSTILE = [
    "__import__('os').system('touch {sentinel}')",
    "u" * 5000,
    "u +" * 1700 + " u",
    "().__class__.__bases__[0]",
]


@pytest.mark.parametrize("text", HOSTILE, ids=["code", "5000-letters", "5000-long-sum", "dunder"])
def test_a_hostile_link_formula_is_refused_and_the_rest_applied(text, tmp_path):
    """An error; the lesson's f drawn; x₀ and Δx from the same link applied; nothing run."""
    sentinel = tmp_path / "pwned"
    at = ok(
        open_link(
            PAGE,
            {
                "chain.outer.text": text.replace("{sentinel}", str(sentinel)),
                "chain.x0": "-1.5",
                "chain.dx": "0.3",
            },
        )
    )
    assert len(at.error) == 1 and len(at.error[0].value) < 300
    assert at.session_state["chain.outer.last_good"] == "sin(u)"
    summary = _summary(at)
    assert "f(u) = sin(u), g(x) = 2x^2" in summary and "x₀ = −1.5" in summary
    assert at.slider(key="chain.dx").value == 0.3
    assert not sentinel.exists()


@pytest.mark.parametrize("text", HOSTILE, ids=["code", "5000-letters", "5000-long-sum", "dunder"])
def test_a_hostile_graph_formula_is_refused_and_the_rest_applied(text, tmp_path):
    """The graph's formula box: an error, the lesson's graph drawn at the link's point."""
    sentinel = tmp_path / "pwned"
    hostile = text.replace("{sentinel}", str(sentinel)).replace("u", "x")
    at = ok(open_link(PAGE, {"chain.view": GRAPH, "chain.graph.text": hostile, "chain.gy": "2.0"}))
    assert len(at.error) == 1
    assert at.session_state["chain.graph.last_good"] == GRAPH_PRESETS[LESSON]
    assert at.number_input(key="chain.gy").value == 2.0
    assert _dot(at)
    assert not sentinel.exists()


def test_a_link_that_blows_up_runs():
    """exp(exp(exp(exp(x)))) as the inner link: drawn where finite, no exception."""
    at = ok(open_link(PAGE, {"chain.inner.text": "exp(exp(exp(exp(x))))", "chain.x0": "1.0"}))
    assert "g(x) = exp(exp(exp(exp(x))))" in _summary(at)
    assert at.slider(key="chain.x0").value == 1.0


@LINKS
@given(
    x0=st.one_of(st.text(max_size=12), st.floats().map(repr)),
    dx=st.one_of(st.text(max_size=8), st.floats(-1, 1).map(repr)),
    ends=st.lists(st.floats(-20, 20).map(repr), min_size=0, max_size=3),
)
def test_any_link_values_give_a_working_page(x0, dx, ends):
    """Random text and numbers for x₀, Δx and the window: no exception; the window drawn is
    open, x₀ inside it, and the chart's summary says the same x₀ and Δx."""
    params = {"chain.x0": x0, "chain.dx": dx, **({"chain.range": ends} if ends else {})}
    at = ok(open_link(PAGE, params))
    low, high = at.slider(key="chain.range").value
    shown = at.slider(key="chain.x0").value
    assert -6.0 <= low <= high - MIN_WIDTH <= 6.0 - MIN_WIDTH
    assert low <= shown <= high
    summary = _summary(at)
    assert f"x₀ = {number(shown)}," in summary
    assert f"Δx = {number(at.slider(key='chain.dx').value)} " in summary
