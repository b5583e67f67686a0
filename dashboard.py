"""Calculus for Deep Learning: the entry point (page config, navigation, shared sidebar)."""

from __future__ import annotations

import streamlit as st

from ui.navigation import SECTIONS
from ui.sidebar import render_sidebar

st.set_page_config(
    page_title="Calculus for Deep Learning",
    page_icon="∂",
    layout="wide",
    initial_sidebar_state="expanded",
)

navigation = st.navigation(
    {
        section: [
            st.Page(
                page.file,
                title=page.title,
                icon=page.icon,
                url_path=page.url_path,
                default=page.default,
            )
            for page in pages
        ]
        for section, pages in SECTIONS.items()
    }
)
render_sidebar()
navigation.run()
