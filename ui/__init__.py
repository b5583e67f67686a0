"""Shared Streamlit pieces: the formula box, the in-place chart, caches, navigation, sidebar."""

from __future__ import annotations

import gc

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


def _keep_garbage_collection_short() -> None:
    """Spare every slider move the long pauses of a full garbage collection.

    Measured on the derivatives page: with SymPy, plotly and Streamlit loaded, Python's
    oldest-generation collections took 165-260 ms and ran dozens of times in 30 slider moves,
    which alone broke the 200 ms budget. Freezing what is loaded at start-up takes it out of
    every later collection (the recipe of the `gc.freeze` documentation), and a larger first
    threshold makes collections rarer; reference counting still frees everything acyclic.
    """
    if not getattr(gc, "_calculus_dashboard_tuned", False):
        import plotly.graph_objects  # noqa: F401 - the heavy libraries, loaded before freezing
        import sympy  # noqa: F401

        import calc_core.expressions  # noqa: F401

        gc.collect()
        gc.freeze()
        gc.set_threshold(50_000, 20, 20)
        gc._calculus_dashboard_tuned = True  # once per process


_keep_garbage_collection_short()
_use_the_dashboards_navigation()
