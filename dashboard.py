"""Calculus for Deep Learning: the entry point (page config, navigation, shared shell)."""

from __future__ import annotations

import streamlit as st

from ui.shell import build_navigation, run_page

st.set_page_config(
    page_title="Calculus for Deep Learning",
    page_icon="∂",
    layout="wide",
    initial_sidebar_state="expanded",
)

run_page(build_navigation())
