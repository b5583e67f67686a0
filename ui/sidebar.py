"""The sidebar every page shares, below the navigation."""

from __future__ import annotations

import streamlit as st


def render_sidebar() -> None:
    """Draw the shared sidebar: what the dashboard is and how to use its charts."""
    with st.sidebar:
        st.caption(
            "The calculus deep learning runs on, as pictures you move: derivatives, the chain "
            "rule, gradients, Jacobians, Hessians and gradient descent."
        )
        st.caption(
            "Sliders move with the arrow keys once focused. Charts keep your zoom while you "
            "move them; double-click a chart to reset its view, or use its camera icon to "
            "save it as a PNG."
        )
