"""Shared Streamlit pieces: the formula box, the in-place chart, caches, navigation, sidebar."""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def _use_the_dashboards_navigation() -> None:
    """Leave Streamlit's legacy multipage mode before a page runs on its own.

    Streamlit treats an app with a `pages/` folder as a legacy multipage app until the entry
    point calls `st.navigation`. On a freshly started server, a learner whose first address is
    a page's (say /derivatives) would get that script run alone: no wide layout, a menu of file
    names. The first import of `ui` in a server process switches to the entry point's
    navigation and reruns, once; outside a running app the flag is unset and nothing happens.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


_use_the_dashboards_navigation()
