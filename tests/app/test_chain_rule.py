"""The chain-rule page: the lesson's numbers, three links, and the graph stepped to the end."""

from __future__ import annotations

import math
import re

import pytest

from tests.app.conftest import chart, ok
from ui.live_chart import payload_from_element
from viz.format import number

PAGE = "pages/chain_rule.py"


@pytest.fixture
def page(open_app):
    return open_app(PAGE)


def _graph_tab(at):
    at.session_state["chain.view"] = "Computational graph"
    return ok(at.run())


def _dot(at) -> str:
    return at.get("graphviz_chart")[0].proto.spec


def _current(dot: str) -> str:
    (node,) = re.findall(r"(n\d+) \[[^\n]*penwidth=4", dot)
    return node


def test_the_lessons_chain_at_the_default_point(page):
    """sin(2x²) at x₀ = 1: the chain rule and the direct derivative both give 4·1·cos(2)."""
    ok(page)
    x0 = page.session_state["chain.x0"]
    expected = number(4 * x0 * math.cos(2 * x0**2), 10)
    (success,) = page.success
    assert success.value.count(expected) == 2 and "agree" in success.value
    assert any("4 x" in latex.value and r"\cos" in latex.value for latex in page.latex)
    figure = chart(page, "chain.chart")
    slider = figure["layout"]["sliders"][0]
    assert float(slider["steps"][slider["active"]]["value"]) == x0
    assert len(figure["frames"]) == len(slider["steps"])


def test_three_links(page):
    """The three-link preset ln(1 + tanh²x): three boxes, four panels, and still agreeing."""
    page.selectbox(key="chain.preset").set_value("ln(1 + tanh²x) (three links)").run()
    ok(page)
    assert page.toggle(key="chain.three").value
    assert page.text_input(key="chain.middle.text").value == "1 + u^2"
    figure = chart(page, "chain.chart")
    assert "xaxis4" in figure["layout"]
    (success,) = page.success
    assert "agree" in success.value
    page.toggle(key="chain.three").set_value(False).run()
    ok(page)
    assert "xaxis4" not in chart(page, "chain.chart")["layout"]


def test_stepping_through_both_passes(page):
    """Next ▶ moves the highlight node by node forward then backward; the gradient is sympy's."""
    at = _graph_tab(page)
    dot = _dot(at)
    count = len(re.findall(r"^  n\d+ \[", dot, re.M))
    seen = [_current(dot)]
    for _ in range(2 * count - 1):
        at.button(key="chain.next").click().run()
        ok(at)
        seen.append(_current(_dot(at)))
    forward, backward = seen[:count], seen[count:]
    assert forward == [f"n{i}" for i in range(count)]
    assert backward == forward[::-1]
    assert at.button(key="chain.next").disabled
    texts = [m.value for m in at.markdown if m.value.startswith("∂f/∂x")]
    assert len(texts) == 2 and texts[0] == texts[1]
    x = 1.3
    assert texts[0] == f"∂f/∂x = {number(4 * x * math.cos(2 * x * x), 10)}"
    at.button(key="chain.reset").click().run()
    assert _current(_dot(ok(at))) == "n0"


def test_a_shared_sub_expression_adds_two_contributions(page):
    """sin(x)·exp(sin(x)) + x at the end of the backward pass: an adjoint "a + b = c"."""
    at = _graph_tab(page)
    at.selectbox(key="chain.graph.preset").set_value(
        "sin(x)·exp(sin(x)) + x (shared sub-expression)"
    ).run()
    last = at.slider(key="chain.step").max
    ok(at.slider(key="chain.step").set_value(last).run())
    assert re.search(r"∂y/∂· = −?[\d.]+ [+−] [\d.]+ = −?[\d.]+", _dot(at))
    caption = next(i.value for i in at.info if i.value.startswith("node 0"))
    assert "2 consumers" in caption


def test_a_bad_formula_is_refused_and_settings_kept(page):
    """A typo shows one error; the last good formula and x₀ stay."""
    page.slider(key="chain.x0").set_value(0.5).run()
    page.text_input(key="chain.outer.text").set_value("sin(u").run()
    ok(page)
    assert len(page.error) == 1
    assert page.session_state["chain.x0"] == 0.5
    (success,) = page.success
    assert number(4 * 0.5 * math.cos(0.5), 10) in success.value


def test_graph_of_a_bad_formula(page):
    """In the graph tab, a typo is one error and the graph of the last good formula stays."""
    at = _graph_tab(page)
    at.text_input(key="chain.graph.text").set_value("x*y +").run()
    ok(at)
    assert len(at.error) == 1
    assert "n4" in _dot(at)


def test_a_window_squeezed_to_one_value_reopens(page):
    """Both ends of the x range on one value (found by fuzzing: x₀'s slider raised, min = max):
    the window reopens half a unit wide, x₀ inside it, no exception."""
    page.slider(key="chain.range").set_value((6.0, 6.0)).run()
    ok(page)
    assert tuple(page.session_state["chain.range"]) == (5.5, 6.0)
    assert 5.5 <= page.slider(key="chain.x0").value <= 6.0


def test_a_link_undefined_on_part_of_the_window_says_so(page):
    """g(x) = log(x) on x from −2 to 2: the chart has gaps and a note says so."""
    assert not any("gaps" in c.value for c in page.caption)
    page.text_input(key="chain.inner.text").input("log(x)").run()
    assert any("those are gaps" in c.value for c in ok(page).caption)


def test_a_smaller_graph_keeps_the_step_inside_it(page):
    """At the neuron's last step (12 of 12), the lesson's graph of 10 steps opens at its last."""
    at = _graph_tab(page)
    at.selectbox(key="chain.graph.preset").set_value("σ(2x + y) (a neuron)").run()
    ok(at.slider(key="chain.step").set_value(12).run())
    at.selectbox(key="chain.graph.preset").set_value("sin(2x²) (the lesson)").run()
    assert at.slider(key="chain.step").value == at.slider(key="chain.step").max == 10
    assert any(m.value.startswith("**Step 10 of 10**") for m in ok(at).markdown)


def _summary(at) -> str:
    (payload,) = (payload_from_element(el) for el in at.get("component_instance"))
    assert payload["key"] == "chain.chart"
    return payload["summary"]


def test_the_chart_says_in_words_what_it_shows(page):
    """sin(2x²) at x₀ = 1: the links, u₀ = 2, the slopes cos(2) and 4 and their product, the
    step Δx = 0.2; with three links, all three and the product of three slopes."""
    summary = _summary(ok(page))
    assert "y = f(g(x)) with f(u) = sin(u), g(x) = 2x^2, for x from −2 to 2" in summary
    assert "x₀ = 1, u₀ = 2, y₀ = " + number(math.sin(2)) in summary
    product = number(4 * math.cos(2))
    assert f"= ({number(math.cos(2))})·(4) = {product}." in summary
    assert f"Δx = 0.2 changes y by about dy/dx·Δx = {number(0.2 * 4 * math.cos(2))}." in summary
    page.selectbox(key="chain.preset").set_value("ln(1 + tanh²x) (three links)").run()
    summary = _summary(ok(page))
    assert "f(g(h(x))) with f(u) = ln(u), g(u) = 1 + u^2, h(x) = tanh(x)" in summary
    assert "dy/dx = f′(v₀)·g′(u₀)·h′(x₀)" in summary
