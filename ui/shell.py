"""The app around every page: navigation, the shared sidebar, presentation mode, a lesson's bar
and the note about a link's unusable settings. ``dashboard.py`` runs it; tests run it too."""

from __future__ import annotations

import streamlit as st

from ui.lessons import lesson_bar
from ui.links import opened_with, report_link_problems
from ui.navigation import SECTIONS
from ui.presentation import apply_presentation
from ui.sidebar import render_sidebar


def build_navigation(default: str | None = None):
    """``st.navigation`` over every registered page, in its sections.

    Args:
        default: the url_path of the page opened at the app's root (None: the registered one);
            tests use it to open a page from a link on the first run.
    """
    return st.navigation(
        {
            section: [
                st.Page(
                    page.file,
                    title=page.title,
                    icon=page.icon,
                    url_path=page.url_path,
                    default=page.default if default is None else page.url_path == default,
                )
                for page in pages
            ]
            for section, pages in SECTIONS.items()
        }
    )


def run_page(navigation) -> None:
    """Run the chosen page inside the shell."""
    page = navigation.url_path
    opened_with(page)  # a link's settings, to report any the page cannot use
    render_sidebar(page)
    apply_presentation()
    notes = st.container()  # above the page: a lesson's bar, a link's ignored settings
    with notes:
        lesson_bar()
    navigation.run()
    report_link_problems(notes)
