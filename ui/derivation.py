"""A derivation drawn step by step: one collapsible step per named rule, in LaTeX."""

from __future__ import annotations

import streamlit as st

from calc_core.steps import Derivation, flatten_steps


def show_derivation(derivation: Derivation, *, expand_all: bool = False) -> None:
    """Draw the rules used, then each step as an expander (inner steps marked with ↳).

    Args:
        derivation: from `calc_core.steps.derive_step_by_step` (or its cached wrapper).
        expand_all: open every step (a full worked solution) instead of the first only.
    """
    st.markdown("Rules used: " + ", ".join(f"**{rule}**" for rule in derivation.rules_used))
    for order, (depth, step) in enumerate(flatten_steps(derivation), start=1):
        with st.expander(f"{'↳ ' * depth}{order}. {step.rule}", expanded=expand_all or depth == 0):
            st.latex(rf"{step.expression} = {step.result}")
            st.caption(step.explanation)
