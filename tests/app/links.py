"""Links in tests: the URL a page's state makes, and opening a page from one (AppTest).

Widgets bound to the URL (``bind="query-params"``) carry ``query_param_key`` in their proto.
AppTest does not write the address bar, so :func:`link_params` writes what the browser would:
each bound widget's value in the form Streamlit reads back (numbers as text, an option by its
shown label, a range or a multi-select as repeated values, a toggle as true/false).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

from ui.live_chart import payload_from_element

Params = dict[str, list[str]]


def _number(value: Any) -> str:
    return repr(float(value)) if isinstance(value, float) else str(value)


def bound_widgets(at: AppTest) -> list[Any]:
    """Every widget of the run bound to the URL, in page order."""
    found = []
    for node in at._tree.children.values():
        stack = [node]
        while stack:
            element = stack.pop(0)
            proto = getattr(element, "proto", None)
            if getattr(proto, "query_param_key", ""):
                found.append(element)
            children = getattr(element, "children", None)
            if children:
                stack[:0] = list(children.values())
    return found


def widget_param(widget: Any) -> list[str]:
    """One bound widget's value as the URL holds it."""
    kind = type(widget).__name__
    value = widget.value
    if kind in ("Toggle", "Checkbox"):
        return ["true" if value else "false"]
    if kind in ("Selectbox", "Radio"):
        return [] if widget.index is None else [widget.options[widget.index]]
    if kind == "ButtonGroup":  # pills, segmented control: the chosen options' labels
        return [widget.options[i] for i in widget.indices]
    if kind == "Multiselect":
        return [widget.options[i] for i in widget.indices]
    if isinstance(value, list | tuple):
        return [_number(v) for v in value]
    return [_number(value)] if not isinstance(value, str) else [value]


def bound_tabs(at: AppTest) -> dict[str, str]:
    """Tab sets bound to the URL: key -> the open tab's label."""
    found = {}
    stack = list(at._tree.children.values())
    while stack:
        element = stack.pop(0)
        proto = getattr(element, "proto", None)
        tabs = getattr(proto, "tab_container", None) if proto is not None else None
        if tabs is not None and proto.HasField("tab_container") and tabs.query_param_key:
            key = tabs.query_param_key
            open_tab = at.session_state[key] if key in at.session_state else None  # noqa: SIM401
            found[key] = str(open_tab or tabs.default_tab_label)
        stack.extend(getattr(element, "children", {}).values())
    return found


def link_params(at: AppTest) -> Params:
    """The query parameters of the page's current view (what "copy link" would give)."""
    params = {w.proto.query_param_key: widget_param(w) for w in bound_widgets(at)}
    params.update({key: [label] for key, label in bound_tabs(at).items()})
    return params


def open_link(script: str, params: Params, timeout: float = 60) -> AppTest:
    """A fresh session opening `script` with these query parameters."""
    at = AppTest.from_file(script, default_timeout=timeout)
    for key, values in params.items():
        at.query_params[key] = values if len(values) != 1 else values[0]
    return at.run()


def view_of(at: AppTest) -> dict[str, Any]:
    """What a learner sees that a link must reproduce: every bound widget's value and every
    chart's figure revision."""
    widgets = {w.proto.query_param_key: w.value for w in bound_widgets(at)}
    widgets.update(bound_tabs(at))
    charts = {}
    for element in at.get("component_instance"):
        payload = payload_from_element(element)
        charts[payload["key"]] = payload["revision"]
    return {"widgets": json.loads(json.dumps(widgets, default=str)), "charts": charts}


def open_refused_formula(
    script: str, good: Params, param: str, formula: str, sentinel: Path
) -> AppTest:
    """Open the `good` link with its formula (`param`) replaced by one the formula box refuses
    (``{sentinel}`` in it is the path a successful injection would create).

    Asserts the page runs, shows one error, ran nothing and draws what `good` draws (the
    default formula with the link's other settings); returns the page for further checks."""
    at = open_link(script, {**good, param: formula.format(sentinel=sentinel)})
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.error) == 1
    assert not sentinel.exists()
    assert view_of(at)["charts"] == view_of(open_link(script, good))["charts"]
    return at
