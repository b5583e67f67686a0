"""Tabs that draw only the open one: a page's studies, views or exercise sections."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import streamlit as st

from ui.links import BIND


def lazy_tabs(tabs: Mapping[str, Callable[[], None]], *, key: str) -> None:
    """One tab per entry (label -> function drawing it); only the open tab's function runs.

    Opening another tab reruns the page (``on_change="rerun"``), so a closed tab costs nothing:
    no computation on the server, no elements for the browser to redraw when a slider moves.

    Example:
        >>> lazy_tabs({"Steepest paths": steepest_study, "Why?": why_study}, key="grad.study")
        ... # doctest: +SKIP
    """
    for tab, draw in zip(
        st.tabs(list(tabs), key=key, on_change="rerun", bind=BIND), tabs.values(), strict=True
    ):
        if tab.open:
            with tab:
                draw()
