"""Fuzz every registered page: random widget moves, clicks and typed formulas never break it.

Each example opens a page at its defaults, then applies a random sequence of one to six actions,
each chosen among the widgets the page shows *at that moment* (tabs, presets and toggles make
widgets come and go): a slider anywhere on its steps (both ends included), a number at an
extreme, every option of a select box, a radio or a select slider, a toggle flipped, a button
clicked, a tab opened, a formula typed (from a small grammar of x, y, t and functions, raw random
text, or the hostile corpus of `tests/core/test_hostile_inputs.py`). After each action:

- no exception element;
- every `st.error` is one short plain sentence, not a traceback or a repr (and no warning or
  note holds code junk either);
- a formula that cannot be parsed keeps every other setting where it was.

CI runs 6 examples per page (about 25 s for all ten pages on a 2-core machine) and, with
``CI=true``, the same ones every time (`tests/conftest.py` loads the derandomized profile). For
a deeper search, run by hand (200 per page: about 12 minutes)::

    FUZZ_EXAMPLES=200 python -m pytest tests/app/test_fuzz_pages.py

A failure prints the page and every drawn action, in order, so it can be replayed.
"""

from __future__ import annotations

import math
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from calc_core.expressions import ExpressionError, parse_expression
from tests.app.conftest import ok, open_page
from tests.core.test_hostile_inputs import CODE, HUGE, LOOKALIKES, NESTED
from ui.navigation import all_pages

PAGES = all_pages()
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)  # derandomized in CI by the "ci" profile of tests/conftest.py, which this inherits

MAX_ERROR = 300  # characters: an error a learner reads is a sentence or two
JUNK = ("Traceback", 'File "', "Error(", "<class ", " object at 0x", "sympy.core")
# Every variable a page uses: a text that none of them makes a formula is refused everywhere.
EVERY_VARIABLE = ("x", "y", "t", "u", "a", "b")
SENTINEL = Path(tempfile.gettempdir()) / "calculus-fuzz-pwned"
WIDGETS = (
    "slider",
    "select_slider",
    "number_input",
    "selectbox",
    "radio",
    "toggle",
    "checkbox",
    "button",
    "text_input",
    "text_area",
    "multiselect",
    "button_group",
)
TYPED = ("text_input", "text_area")
NUMBERS = (0.0, 1.0, -1.0, 1e12, -1e12, 1e-12, -1e-12)

# --- formulas ------------------------------------------------------------------------------------

FUNCTIONS = ("sin", "cos", "tan", "exp", "log", "ln", "sqrt", "tanh", "abs", "sigmoid", "relu")
OPERATORS = (" + ", " - ", "*", "/", "**", "^")
LEAVES = ("x", "y", "t", "u", "0", "1", "2", "0.5", "-1", "pi", "e", "1e300", "1e-300", "10")


def _hostile() -> list[str]:
    texts = [*CODE, *HUGE, *NESTED, *LOOKALIKES]
    return [t.replace("{sentinel}", str(SENTINEL)) for t in texts]


def _call(parts: tuple[str, str]) -> str:
    return f"{parts[0]}({parts[1]})"


def _operation(parts: tuple[str, str, str]) -> str:
    return f"({parts[0]}){parts[1]}({parts[2]})"


GRAMMAR = st.recursive(
    st.sampled_from(LEAVES),
    lambda inner: st.one_of(
        st.tuples(st.sampled_from(FUNCTIONS), inner).map(_call),
        st.tuples(inner, st.sampled_from(OPERATORS), inner).map(_operation),
    ),
    max_leaves=8,
)
FORMULAS = st.one_of(GRAMMAR, st.text(max_size=40), st.sampled_from(_hostile()))


def _rejected(at: AppTest, key: str) -> bool:
    """Whether the text typed in the box `key` was refused: a formula box ("<box>.text") keeps
    its last good formula under "<box>.last_good"; another box's text is judged by the parser
    with every variable any page uses."""
    text = at.session_state[key]
    good = key.removesuffix(".text") + ".last_good"
    if key.endswith(".text") and good in at.session_state:
        return at.session_state[good] != text
    try:
        parse_expression(text, EVERY_VARIABLE)
    except ExpressionError:
        return True
    return False


def _charts(at: AppTest) -> int:
    return len(at.get("component_instance")) + len(at.get("graphviz_chart"))


# --- what the page shows ---------------------------------------------------------------------


def _widgets(at: AppTest) -> list[Any]:
    """Every widget a user can use now (disabled ones left out), but the sidebar's lesson tools:
    they open another page (tests/app/test_links.py covers them)."""
    return [
        widget
        for kind in WIDGETS
        for widget in at.get(kind)
        if not getattr(widget.proto, "disabled", False)
        and not str(getattr(widget, "key", None) or "").startswith("lessons.")
    ]


def _tab_groups(at: AppTest) -> list[tuple[str, list[str]]]:
    """Keyed `st.tabs` as (key, labels): the key ends the container's id ("$$ID-<hash>-<key>")."""
    groups = []

    def walk(node: Any) -> None:
        if getattr(node, "type", None) == "tab_container":
            key = node.proto.tab_container.id.split("-", 2)[-1]
            groups.append((key, [tab.label for tab in node.children.values()]))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return groups


def _normal(value: Any) -> Any:
    """A widget value comparable across runs (lists and tuples alike, NaN equal to NaN)."""
    if isinstance(value, list | tuple):
        return tuple(_normal(v) for v in value)
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    return value


def _settings(at: AppTest) -> dict[str, Any]:
    """Every widget's value by key, buttons left out (a click is not a setting)."""
    return {w.key: _normal(w.value) for w in _widgets(at) if w.type != "button"}


def _raw_options(at: AppTest, widget: Any) -> list[Any]:
    """The option values behind a choice widget (its proto only holds their formatted labels)."""
    metadata = at.session_state._state._state._new_widget_state.widget_metadata.get(widget.id)
    serde = getattr(getattr(metadata, "deserializer", None), "__self__", None)
    options = getattr(serde, "options", None)
    return list(options) if options is not None else list(widget.options)


def _check(at: AppTest) -> None:
    """No exception; every widget keyed (the fuzzer finds them by key); every error a short
    plain sentence; no hostile code ran."""
    ok(at)
    unkeyed = [(w.type, getattr(w, "label", "")) for w in _widgets(at) if w.key is None]
    assert not unkeyed, f"widgets without a key: {unkeyed}"
    for error in at.error:
        text = str(error.value)
        assert len(text) <= MAX_ERROR, f"error too long ({len(text)}): {text[:400]}"
        assert not any(junk in text for junk in JUNK), f"error with code junk: {text}"
    for note in [*at.warning, *at.info]:
        assert not any(junk in str(note.value) for junk in JUNK), f"code junk: {note.value}"
    assert not SENTINEL.exists(), "a typed formula ran code"


# --- one action -----------------------------------------------------------------------------------


def _slider_values(widget: Any) -> st.SearchStrategy:
    """Values on the slider's steps, both ends included (a pair for a range slider)."""
    low, high, step = widget.min, widget.max, widget.step
    pair = isinstance(widget.value, list | tuple)
    integer = isinstance(widget.value[0] if pair else widget.value, int)

    def value_at(k: int) -> float | int:
        value = min(round(low + k * step, 10), high)  # the last step may stop short of high
        return int(value) if integer else value

    one = st.integers(0, round((high - low) / step)).map(value_at)
    return st.tuples(one, one).map(lambda ends: tuple(sorted(ends))) if pair else one


def _number_values(widget: Any) -> st.SearchStrategy:
    """The box's ends when set, else 0, ±1e12 and ±1e-12; anything drawn between the ends."""
    low, high = widget.min, widget.max
    picks = [v for v in (low, high) if v is not None]
    picks += [v for v in NUMBERS if (low is None or v >= low) and (high is None or v <= high)]
    integer = isinstance(widget.value, int)
    strategy = st.sampled_from(picks)
    if low is not None and high is not None:
        between = st.integers(int(low), int(high)) if integer else st.floats(low, high)
        strategy = st.one_of(strategy, between)
    return strategy.map(int) if integer else strategy.map(float)


def _act(data: st.DataObject, at: AppTest) -> str | None:
    """Draw one action among what the page shows now, apply it and run; the typed widget's key
    when a formula was typed."""
    widgets = _widgets(at)
    tabs = _tab_groups(at)
    choices = [(w.type, w.key) for w in widgets] + [("tab", key) for key, _ in tabs]
    kind, key = data.draw(st.sampled_from(choices), label="widget")
    if kind == "tab":
        labels = dict(tabs)[key]
        at.session_state[key] = data.draw(st.sampled_from(labels), label=f"tab {key}")
        at.run()
        return None
    widget = next(w for w in widgets if w.key == key and w.type == kind)
    if kind == "slider":
        widget.set_value(data.draw(_slider_values(widget), label=key))
    elif kind == "number_input":
        widget.set_value(data.draw(_number_values(widget), label=key))
    elif kind in ("selectbox", "radio", "select_slider"):
        options = _raw_options(at, widget)
        if kind == "select_slider" and isinstance(widget.value, list | tuple):
            pair = st.tuples(st.sampled_from(options), st.sampled_from(options))
            widget.set_value(list(data.draw(pair, label=key)))
        else:
            widget.set_value(data.draw(st.sampled_from(options), label=key))
    elif kind in ("toggle", "checkbox"):
        widget.set_value(not widget.value)
    elif kind == "button":
        widget.click()
    elif kind in ("multiselect", "button_group"):
        options = _raw_options(at, widget)
        single = kind == "button_group" and widget._is_single_select
        if single:
            widget.set_value(data.draw(st.sampled_from([None, *options]), label=key))
        else:
            chosen = data.draw(st.lists(st.sampled_from(options), unique=True), label=key)
            widget.set_value(chosen)
    elif kind in TYPED:
        text = data.draw(FORMULAS, label=key)
        limit = widget.proto.max_chars or None  # the browser never sends more than max_chars
        widget.set_value(text[:limit])
    at.run()
    return key if kind in TYPED else None


def _kept(before: dict[str, Any], after: dict[str, Any], typed: str) -> list[str]:
    """Keys whose value changed, other than the typed box and the preset pickers (which name
    what the boxes show: "Custom" once a formula of one's own is typed)."""
    return [
        f"{key}: {value!r} -> {after.get(key, '<gone>')!r}"
        for key, value in before.items()
        if key != typed
        and not key.rsplit(".", 1)[-1].endswith("preset")
        and after.get(key, "<gone>") != value
    ]


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.url_path)
@FUZZ
@given(data=st.data())
def test_random_actions_never_break_the_page(page, data):
    """1-6 random actions on what the page shows: no exception, plain short errors, and a bad
    formula keeps every other setting and every chart (the last good formula still draws)."""
    at = open_page(page.path)
    _check(at)
    for _ in range(data.draw(st.integers(1, 6), label="actions")):
        before, charts = _settings(at), _charts(at)
        typed = _act(data, at)
        _check(at)
        if typed is not None and _rejected(at, typed):
            changed = _kept(before, _settings(at), typed)
            assert not changed, f"a bad formula in {typed} changed other settings: {changed}"
            assert _charts(at) == charts, f"a bad formula in {typed} took a chart away"
