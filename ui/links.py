"""Every view is a link: the page's settings live in the URL's query string.

Widgets that hold a view's state are bound to the URL with Streamlit's own
``bind="query-params"`` (``BIND``): their key is the parameter's name (keys are page-prefixed,
"pd.x0"), moving them updates the address bar, and a link seeds them when it is opened.
Streamlit drops a value its widget cannot take (not a number, out of range, not an option);
:func:`report_link_problems` tells the learner which ones, once, at the top of the page.

A page whose widgets depend on one another (a point slider whose range is another slider's
value) reads the link first with :func:`linked_values` so that the order of the widgets on the
page does not decide what a link can hold.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

BIND = "query-params"  # every widget of a view's state: st.slider(..., bind=BIND)
GLOBAL_PARAMS = ("present", "lesson", "step")  # presentation mode and a lesson's place
_OPENED = "_links.opened"  # the query string the page was opened with (session state)
_PAGE = "_links.page"  # the page the session last opened
_NOTE = 160  # characters of one bad value shown in the note


def linked_values(key: str) -> list[str]:
    """The values the current URL gives parameter `key` ([] when it has none)."""
    return list(st.query_params.get_all(key))


def linked_numbers(key: str, count: int) -> tuple[float, ...] | None:
    """The URL's value(s) for `key` as `count` finite numbers, or None when it has none or they
    are not that (the widget then rejects them, and the learner is told)."""
    values = linked_values(key)
    if len(values) != count:
        return None
    try:
        numbers = tuple(float(v) for v in values)
    except ValueError:
        return None
    return numbers if all(math.isfinite(v) and abs(v) < 1e12 for v in numbers) else None


def opened_with(page: str) -> dict[str, list[str]]:
    """When this run opens a page (a new session, a link, a page switch), remember the query
    string it started with; on later runs of the same page, nothing (call before the page runs;
    `page` names it, e.g. its url_path).
    """
    if st.session_state.get(_PAGE) == page:
        # Kept until reported: a page may rerun itself once to correct a link's value before
        # its first run ends (the note then comes at the end of that second run).
        return st.session_state.get(_OPENED) or {}
    st.session_state[_PAGE] = page
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    st.session_state[_OPENED] = params
    return params


def _shown(values: list[str]) -> str:
    text = ", ".join(values)
    return text if len(text) <= _NOTE else f"{text[:_NOTE]}… ({len(text)} characters)"


def _asked_for_default(key: str, raw: list[str]) -> bool:
    """Whether the link gave widget `key` its default value (Streamlit then drops it from the
    URL, as it drops a value it rejects). Decided as Streamlit decides it, with the widget's own
    parser; on any doubt, False."""
    try:
        from streamlit.runtime.state.query_params import parse_url_param

        ctx = get_script_run_ctx()
        state = ctx.session_state._state  # type: ignore[union-attr]
        widget_id = state._key_id_mapper.get_id_from_key(key, None)
        metadata = state._new_widget_state.widget_metadata[widget_id]
        parsed = parse_url_param(raw if len(raw) > 1 else raw[0], metadata.value_type)
        return bool(metadata.deserializer(parsed) == metadata.deserializer(None))
    except Exception:  # Streamlit internals: when in doubt, report the value
        return False


def _same(value: object, raw: list[str]) -> bool:
    """Whether a widget's value is what the link's text says (a link may give a widget its
    default value, which Streamlit then drops from the URL: that is no problem)."""
    values = list(value) if isinstance(value, list | tuple) else [value]
    if len(values) != len(raw):
        return False
    for held, text in zip(values, raw, strict=True):
        if isinstance(held, bool):
            if text.lower() != str(held).lower():
                return False
        elif isinstance(held, int | float):
            try:
                if float(text) != float(held):
                    return False
            except ValueError:
                return False
        elif str(held) != text:
            return False
    return True


def link_problems(
    opened: dict[str, list[str]],
    now: dict[str, list[str]],
    widget_keys: Iterable[str],
    widget_values: dict[str, object] | None = None,
) -> list[str]:
    """What a link asked for that the page could not use, one short sentence each.

    Args:
        opened: the query string the run started with (key -> values).
        now: the query string after the page ran (Streamlit has removed values its bound
            widgets rejected).
        widget_keys: the keys of the widgets this run drew.
        widget_values: their values (a dropped parameter that equals its widget's value was its
            default, not a problem).

    Returns:
        Sentences naming each rejected value ("x₀ ... 'abc'") and each unknown setting.
    """
    widgets = set(widget_keys)
    held = widget_values or {}
    problems = []
    for key, values in opened.items():
        if key in GLOBAL_PARAMS:
            continue
        if key not in widgets:
            problems.append(f"“{key}” is not a setting of this page")
        elif (
            now.get(key) != values
            and not (key in held and _same(held[key], values))
            and not _asked_for_default(key, values)
        ):
            problems.append(f"“{key}” cannot be “{_shown(values)}” here")
    return problems


def report_link_problems(slot: st.delta_generator.DeltaGenerator) -> None:
    """After the page ran: say (in `slot`, at the top) which settings of the link it opened
    with were ignored, and drop unknown ones from the URL so the note is shown once."""
    opened = st.session_state.get(_OPENED) or {}
    if not opened:
        return
    ctx = get_script_run_ctx()
    widget_keys = set(ctx.shared.widget_user_keys_this_run.snapshot()) if ctx is not None else set()
    now = {key: st.query_params.get_all(key) for key in st.query_params}
    held = {key: st.session_state[key] for key in widget_keys if key in st.session_state}
    problems = link_problems(opened, now, widget_keys, held)
    for key in opened:
        if key not in GLOBAL_PARAMS and key not in widget_keys and key in st.query_params:
            del st.query_params[key]
    st.session_state[_OPENED] = {}
    if problems:
        slot.warning(
            "This link holds settings the page could not use, so their defaults are shown: "
            + "; ".join(problems[:6])
            + ("; …" if len(problems) > 6 else "")
            + ".",
            icon=":material/link_off:",
        )
