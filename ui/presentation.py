"""Presentation mode: every page readable from the back of a classroom.

A toggle in the sidebar (and ``?present=true`` in a link) turns it on for the session:
the sidebar is hidden, text and controls are larger, explanations fold into "Explanation"
expanders (:func:`explain`), and every ``live_chart`` draws its axis labels and annotations at
22 px or more with thicker lines and larger markers (the browser scales the figure, so no
page builds two figures). The "Exit presentation" button at the top (shortcut: Ctrl+Shift+P)
turns it off again.
"""

from __future__ import annotations

import streamlit as st

from ui.links import BIND

KEY = "present"  # also the URL parameter
SHORTCUT = "ctrl+shift+p"
MIN_FONT_PX = 22  # the smallest chart text in presentation mode

_CSS = """
<style>
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
  [data-testid="stExpandSidebarButton"] { display: none !important; }
  html { font-size: 20px; }
  .stMainBlockContainer { max-width: 100% !important; padding-top: 2.5rem !important; }
  [data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li,
  [data-testid="stWidgetLabel"] p, [data-testid="stMetricLabel"] p { font-size: 1.15rem; }
  [data-testid="stMetricValue"] { font-size: 2.2rem; }
  .katex { font-size: 1.3em; }
</style>
"""


def presenting() -> bool:
    """Whether presentation mode is on for this session."""
    return bool(st.session_state.get(KEY, False))


def presentation_toggle() -> None:
    """The sidebar's toggle (bound to ``?present=``)."""
    st.toggle(
        "Presentation mode",
        key=KEY,
        bind=BIND,
        help="Large text and charts for a projector; the sidebar hides and explanations fold "
        f"away. Exit with the button at the top of the page or {SHORTCUT.title()}.",
    )


def _stop_presenting() -> None:
    st.session_state[KEY] = False


def apply_presentation() -> None:
    """In presentation mode: the larger style and the button that ends it (call before the
    page runs, in the main area)."""
    if not presenting():
        return
    st.html(_CSS)
    st.button(
        "Exit presentation",
        key="present.exit",
        icon=":material/close_fullscreen:",
        on_click=_stop_presenting,
        shortcut=SHORTCUT,
        help="Back to the normal layout, with the sidebar.",
    )


def explain(markdown: str) -> None:
    """An explanation (not a readout): shown as text, or folded into an "Explanation" expander
    in presentation mode, where the charts do the talking."""
    if presenting():
        with st.expander("Explanation", icon=":material/menu_book:"):
            st.markdown(markdown)
    else:
        st.markdown(markdown)
