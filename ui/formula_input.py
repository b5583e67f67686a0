"""The formula box every page uses: presets, a typed formula, what was understood, kept state.

A rejected formula shows its one-sentence reason and the page goes on drawing the last formula
that worked, so a typo never blanks a chart or loses the other settings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import streamlit as st
import sympy

from calc_core.expressions import LIMITS, ExpressionError, to_latex
from ui.cache import parsed
from ui.links import BIND

CUSTOM = "Custom (type below)"


@dataclass(frozen=True)
class Formula:
    """What a formula box hands to its page."""

    text: str  # the formula being drawn: the typed one, or the last good one if it was rejected
    expr: sympy.Expr
    variables: tuple[str, ...]
    rejected: str | None = None  # the message shown for a rejected formula, else None


def _preset_name(text: str, presets: Mapping[str, str]) -> str:
    normal = text.replace(" ", "")
    for name, formula in presets.items():
        if formula.replace(" ", "") == normal:
            return name
    return CUSTOM


def formula_input(
    key: str,
    *,
    default: str,
    presets: Mapping[str, str] | None = None,
    variables: Sequence[str] = ("x",),
    name: str = "f(x)",
    label: str | None = None,
    check: Callable[[str], object] | None = None,
) -> Formula:
    """Draw a preset picker and a formula box; return the formula to draw.

    Args:
        key: page-prefixed widget key, e.g. "deriv.f"; state lives under "<key>.text",
            "<key>.preset" and "<key>.last_good".
        default: the formula shown first (must be valid).
        presets: display name → formula text; picking one fills the box.
        variables: the page's variable names, in argument order.
        name: how the formula is called in its LaTeX preview, e.g. "f(x, y)".
        label: the text box's label (default "name =").
        check: the page's own test of a parsed formula's text, e.g. that its derivative can
            be computed in time; an `ExpressionError` it raises rejects the formula like a
            parse error does (cache it: it runs on every rerun).

    Returns:
        `Formula` with the text and sympy expression to draw. When the typed text is rejected,
        the error is shown and the last good formula is returned with `rejected` set.
    """
    variables = tuple(variables)
    presets = dict(presets or {})
    text_key, preset_key, good_key = f"{key}.text", f"{key}.preset", f"{key}.last_good"
    named_key = f"{key}.preset_of"  # the formula the picker's choice was made for
    st.session_state.setdefault(text_key, default)
    st.session_state.setdefault(good_key, default)
    st.session_state.setdefault(preset_key, _preset_name(st.session_state[text_key], presets))
    st.session_state.setdefault(named_key, st.session_state[text_key])

    def use_preset() -> None:
        choice = st.session_state[preset_key]
        if choice in presets:
            st.session_state[text_key] = st.session_state[named_key] = presets[choice]

    def typed() -> None:
        st.session_state[preset_key] = _preset_name(st.session_state[text_key], presets)
        st.session_state[named_key] = st.session_state[text_key]

    picker, box = st.columns([2, 3]) if presets else (None, st.container())
    # The box is drawn first (the picker keeps its place to its left): it is bound to the URL
    # (a link's formula goes through the same checks as a typed one), and the picker then
    # names the preset the formula is, whether it came from a link, a preset or typing.
    box.text_input(
        label or f"{name} =",
        key=text_key,
        on_change=typed,
        max_chars=LIMITS.max_chars,
        bind=BIND,
        help="Use + − * / and ^ or ** for powers; functions such as sin, exp, log, sqrt, "
        "tanh, sigmoid, relu. Products need no star after a number: 2x means 2*x.",
    )
    if picker is not None:
        # A formula that changed without the picker or the box's callbacks (a link's): name it.
        if st.session_state.get(named_key) != st.session_state[text_key]:
            st.session_state[preset_key] = _preset_name(st.session_state[text_key], presets)
        st.session_state[named_key] = st.session_state[text_key]
        picker.selectbox("Preset", [*presets, CUSTOM], key=preset_key, on_change=use_preset)

    text = st.session_state[text_key]
    rejected = None
    try:
        expr = parsed(text, variables)
        if check is not None:
            check(text)
        st.session_state[good_key] = text
    except ExpressionError as error:
        rejected = str(error)
        st.error(rejected, icon=":material/error:")
        text = st.session_state[good_key]
        expr = parsed(text, variables)
    st.latex(f"{name} = {to_latex(expr)}")
    if rejected:
        st.caption("Still drawing the last formula that worked (above).")
    return Formula(text=text, expr=expr, variables=variables, rejected=rejected)
