"""A computational graph as DOT text for ``st.graphviz_chart``, one pass step at a time.

The forward pass fills in each node's value in ``order_forward``; the backward pass then fills
in each node's adjoint ∂y/∂node in ``order_backward`` and labels each edge with its local
derivative and what it passes down (adjoint × local). A node used twice receives two
contributions: its label shows them adding up. The current node is filled orange with a thick
border; nodes not reached yet are grey. Colours are Okabe-Ito, fonts sized for a projector.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from calc_core.graph import Graph, Pass
from viz.format import number
from viz.theme import OKABE_ITO

__all__ = ["FONT_SIZE", "graph_dot", "step_caption", "step_count", "step_position"]

Stage = Literal["forward", "backward"]
FONT_SIZE = 8  # points: what Streamlit renders graphviz text at (see graph_dot)
CURRENT_FILL = OKABE_ITO["orange"]
FORWARD_FILL = OKABE_ITO["sky"] + "55"  # translucent: black text stays readable
BACKWARD_FILL = OKABE_ITO["green"] + "55"
PENDING_FILL = "#eeeeee"
PENDING_TEXT = "#7f7f7f"
EDGE_COLOR = "#555555"
CONTRIBUTION_COLOR = OKABE_ITO["vermillion"]
_INFIX = {"add": " + ", "sub": " − ", "mul": " × ", "div": " ÷ ", "pow_general": " ^ "}


def escape(text: str) -> str:
    """Text as the inside of a DOT double-quoted string; newlines become centred line breaks."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def step_count(graph: Graph) -> int:
    """Steps of both passes together: one per node forward, then one per node backward."""
    return 2 * len(graph.nodes)


def step_position(graph: Graph, index: int) -> tuple[Stage, int]:
    """The stage and the step within it of overall step ``index`` (clamped to the range)."""
    n = len(graph.nodes)
    index = min(max(int(index), 0), 2 * n - 1)
    return ("forward", index) if index < n else ("backward", index - n)


def _adjoint_sum(graph: Graph, pass_: Pass, node: int) -> str:
    """∂y/∂node written as its contributions adding up: "0.5 + 0.25 = 0.75" or "0.75"."""
    if node == graph.output:
        return "1"
    parts = [pass_.contributions[k] for k, e in enumerate(graph.edges) if e.source == node]
    total = number(pass_.adjoints[node])
    if len(parts) < 2:
        return total
    return " + ".join(number(c) for c in parts).replace("+ −", "− ") + f" = {total}"


def _node_label(graph: Graph, pass_: Pass, node: int, valued: bool, adjoint: bool) -> str:
    item = graph.nodes[node]
    lines = [item.label if item.op != "input" else f"input {item.label}"]
    if valued and item.op != "const":
        lines.append(f"= {number(pass_.values[node])}")
    if adjoint:
        lines.append(f"∂y/∂· = {_adjoint_sum(graph, pass_, node)}")
    return "\n".join(lines)


def graph_dot(
    graph: Graph,
    pass_: Pass,
    *,
    stage: Stage,
    step: int,
    variables_point: Mapping[str, float] | None = None,
) -> str:
    """DOT text of the graph at one step of the forward or backward pass.

    Args:
        graph, pass_: from ``calc_core.graph.build_graph`` and ``forward_backward``.
        stage: "forward" (values appear in ``order_forward``) or "backward" (every value is
            known; adjoints appear in ``order_backward``).
        step: index into that stage's order of the current node (clamped).
        variables_point: the input values, shown in the graph's caption.

    Returns:
        DOT source, left to right, one node ``n<id>`` per node and one edge per argument.
    """
    n = len(graph.nodes)
    step = min(max(int(step), 0), n - 1)
    order = pass_.order_forward if stage == "forward" else pass_.order_backward
    current = order[step]
    valued = set(pass_.order_forward[: step + 1]) if stage == "forward" else set(range(n))
    adjoint = set(pass_.order_backward[: step + 1]) if stage == "backward" else set()
    caption = "forward pass: values" if stage == "forward" else "backward pass: adjoints ∂y/∂·"
    if variables_point:
        at = ", ".join(f"{k} = {number(v)}" for k, v in variables_point.items())
        caption += f" at {at}"
    lines = [
        "digraph computational_graph {",
        # Streamlit draws every graphviz text at a fixed ~9.6 px, whatever the DOT says: lay
        # the graph out for text that size, then let graphviz scale the drawing up (size "!")
        # to fill the column, which enlarges the text with it for the back of a classroom.
        '  rankdir=LR; ranksep=0.75; nodesep=0.2; size="9.5,4.2!";',
        '  bgcolor="transparent";',
        f'  label="{escape(caption)}"; labelloc=t; fontsize={FONT_SIZE + 2};',
        '  fontname="Helvetica";',
        f'  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize={FONT_SIZE},'
        ' margin="0.1,0.05", penwidth=1.5];',
        f'  edge [fontname="Helvetica", fontsize={FONT_SIZE - 2}, color="{EDGE_COLOR}",'
        f' fontcolor="{EDGE_COLOR}"];',
    ]
    for node in graph.nodes:
        i = node.id
        label = _node_label(graph, pass_, i, i in valued, i in adjoint)
        if i == current:
            style = f'fillcolor="{CURRENT_FILL}", penwidth=4, color="#000000"'
        elif i in adjoint:
            style = f'fillcolor="{BACKWARD_FILL}"'
        elif i in valued and stage == "forward":
            style = f'fillcolor="{FORWARD_FILL}"'
        elif stage == "backward":
            style = f'fillcolor="{FORWARD_FILL}", color="{PENDING_TEXT}"'
        else:
            style = f'fillcolor="{PENDING_FILL}", fontcolor="{PENDING_TEXT}", color="#bbbbbb"'
        lines.append(f'  n{i} [label="{escape(label)}", {style}];')
    for k, edge in enumerate(graph.edges):
        attrs = []
        if stage == "backward":
            text = f"local {number(pass_.local[k])}"
            if edge.target in adjoint:
                text += f"\n→ adds {number(pass_.contributions[k])}"
                attrs.append(f'fontcolor="{CONTRIBUTION_COLOR}", color="{CONTRIBUTION_COLOR}"')
                attrs.append("penwidth=2")
            attrs.insert(0, f'label="{escape(text)}"')
        elif edge.source not in valued:
            attrs.append('color="#bbbbbb"')
        suffix = f" [{', '.join(attrs)}]" if attrs else ""
        lines.append(f"  n{edge.source} -> n{edge.target}{suffix};")
    lines.append("}")
    return "\n".join(lines)


def _forward_text(graph: Graph, pass_: Pass, node: int) -> str:
    item = graph.nodes[node]
    value = number(pass_.values[node])
    args = [number(pass_.values[i]) for i in item.inputs]
    if item.op == "input":
        return f"input {item.label} = {value}"
    if item.op == "const":
        return f"constant {item.label}"
    if item.op in _INFIX:
        formula = _INFIX[item.op].join(args)
    elif item.op == "pow":
        formula = f"({args[0]}){item.label}"
    elif item.op == "neg":
        formula = f"−({args[0]})"
    else:
        formula = f"{item.label}({args[0]})"
    return f"value = {formula} = {value}"


def _backward_text(graph: Graph, pass_: Pass, node: int) -> str:
    if node == graph.output:
        return "adjoint ∂y/∂y = 1 (the output itself)"
    terms = [
        f"{number(pass_.adjoints[e.target])}·{number(pass_.local[k])}"
        for k, e in enumerate(graph.edges)
        if e.source == node
    ]
    total = number(pass_.adjoints[node])
    consumers = "its consumer's" if len(terms) == 1 else f"its {len(terms)} consumers'"
    return (
        f"adjoint ∂y/∂· = {' + '.join(terms)} = {total} "
        f"(sum over {consumers} adjoint × local derivative)"
    )


def step_caption(graph: Graph, pass_: Pass, stage: Stage, step: int) -> str:
    """What the current step computed, in words and numbers, e.g. "node 3 (×): value = …"."""
    order = pass_.order_forward if stage == "forward" else pass_.order_backward
    node = order[min(max(int(step), 0), len(order) - 1)]
    head = f"node {node} ({graph.nodes[node].label})"
    if stage == "forward":
        return f"{head}: {_forward_text(graph, pass_, node)}"
    return f"{head}: {_backward_text(graph, pass_, node)}"
