"""The page registry: every page exists, and its address is its file's name."""

from __future__ import annotations

from pathlib import Path

from ui.navigation import all_pages, page_for


def test_every_registered_page_exists():
    """No page is registered before its file is written."""
    for page in all_pages():
        assert page.file.is_file(), page.path


def test_each_address_is_the_file_name():
    """A fresh server treats the first request the legacy way, by file name, before the
    dashboard's navigation takes over: a different address would show "Page not found"."""
    for page in all_pages():
        if not page.default:
            assert page.url_path == Path(page.path).stem, page


def test_page_for_finds_registered_pages_only():
    """Links go to pages that exist; a planned page gives None."""
    assert page_for("derivatives").path == "pages/derivatives.py"
    assert page_for("not_a_page") is None
