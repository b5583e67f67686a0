"""The computational graph's DOT text at each step of the forward and backward pass."""

from __future__ import annotations

import re

from calc_core.expressions import parse_expression
from calc_core.graph import build_graph, forward_backward
from viz.format import number
from viz.graph_dot import FONT_SIZE, escape, graph_dot, step_caption, step_count, step_position


def _lesson():
    graph = build_graph(parse_expression("sin(2x^2)"), ("x",))
    return graph, forward_backward(graph, {"x": 1.3})


def _current(dot: str) -> list[str]:
    return re.findall(r"(n\d+) \[[^\n]*penwidth=4", dot)


def test_every_step_highlights_the_next_node():
    """Forward in order_forward, then backward in order_backward: one highlighted node each."""
    graph, pass_ = _lesson()
    assert step_count(graph) == 10
    seen = []
    for index in range(step_count(graph)):
        stage, step = step_position(graph, index)
        dot = graph_dot(graph, pass_, stage=stage, step=step)
        assert dot.count("[label=") >= len(graph.nodes)
        assert len(re.findall(r"^  n\d+ \[", dot, re.M)) == len(graph.nodes)
        assert len(_current(dot)) == 1
        seen.append(_current(dot)[0])
    assert seen == [f"n{i}" for i in (*pass_.order_forward, *pass_.order_backward)]


def test_values_then_adjoints_and_local_derivatives_appear():
    """Forward: values only of reached nodes. Backward: adjoints and edge labels with locals."""
    graph, pass_ = _lesson()
    first = graph_dot(graph, pass_, stage="forward", step=0)
    assert number(pass_.values[-1]) not in first
    done = graph_dot(graph, pass_, stage="forward", step=4)
    assert f"= {number(pass_.values[-1])}" in done and "∂y/∂·" not in done
    end = graph_dot(graph, pass_, stage="backward", step=4)
    assert f"∂y/∂· = {number(pass_.gradient['x'])}" in end
    assert f"local {number(pass_.local[-1])}" in end  # ∂sin/∂(2x²) = cos(3.38)
    # Streamlit fixes graphviz text at ~9.6 px; the drawing is scaled up to the column instead.
    assert "rankdir=LR" in end and f"fontsize={FONT_SIZE}" in end and 'size="9.5,4.2!"' in end


def test_a_shared_node_shows_its_contributions_adding_up():
    """sin(x)·exp(sin(x)) + x: the sin node's adjoint is the sum of two contributions."""
    graph = build_graph(parse_expression("sin(x)*exp(sin(x)) + x"), ("x",))
    pass_ = forward_backward(graph, {"x": 0.4})
    sin = next(n.id for n in graph.nodes if n.op == "sin")
    parts = [c for c, e in zip(pass_.contributions, graph.edges, strict=True) if e.source == sin]
    assert len(parts) == 2
    dot = graph_dot(graph, pass_, stage="backward", step=len(graph.nodes) - 1)
    total = number(pass_.adjoints[sin])
    assert f"{number(parts[0])} + {number(parts[1])} = {total}" in dot
    caption = step_caption(graph, pass_, "backward", pass_.order_backward.index(sin))
    assert "2 consumers" in caption and caption.endswith("local derivative)")


def test_labels_are_escaped():
    """Quotes, backslashes and newlines cannot break out of a DOT string."""
    assert escape('a"b\\c\nd') == 'a\\"b\\\\c\\nd'


def test_forward_caption_shows_the_arithmetic():
    """The × node of 2x² at x = 1.3: value = 2 × 1.69 = 3.38."""
    graph, pass_ = _lesson()
    assert step_caption(graph, pass_, "forward", 3) == "node 3 (×): value = 2 × 1.69 = 3.38"
