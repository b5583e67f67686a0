"""Every registered page runs at its defaults and survives every slider, button and box."""

from __future__ import annotations

import pytest

from ui.navigation import all_pages

PAGES = all_pages()


def _no_exception(at) -> None:
    assert not at.exception, [e.value for e in at.exception]


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.url_path)
def test_page_runs_at_defaults(page, open_app):
    """Default run: no exception, a title, something drawn."""
    at = open_app(page.path)
    _no_exception(at)
    assert at.title, "every page starts with a title"


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.url_path)
def test_every_slider_moves_to_both_ends(page, open_app):
    """Each slider set to its minimum, its maximum and back: no exception."""
    at = open_app(page.path)
    for index in range(len(at.slider)):
        slider = at.slider[index]
        for value in (slider.min, slider.max, slider.value):
            at.slider[index].set_value(value).run()
            _no_exception(at)


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.url_path)
def test_every_button_clicks(page, open_app):
    """Each button pressed twice in a row: no exception."""
    at = open_app(page.path)
    for index in range(len(at.button)):
        for _ in range(2):
            at.button[index].click().run()
            _no_exception(at)


def test_switching_to_an_unregistered_page_is_refused(open_app):
    """Only registered pages can be reached."""
    at = open_app(PAGES[0].path)
    with pytest.raises(ValueError):
        at.switch_page("pages/does_not_exist.py")
