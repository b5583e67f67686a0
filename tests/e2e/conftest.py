"""Fixtures for real-browser tests: a streamlit server, Debian's Chromium, a fresh page.

Server and browser launching live in ``bench/harness.py``, shared with ``bench/interaction.py``.
Without Chromium or playwright these tests skip, except in CI (``CI=true``), where they fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench import harness

E2E_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test under tests/e2e with ``e2e``."""
    for item in items:
        if E2E_DIR in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium; skip (fail in CI) when it or the playwright package is missing."""
    path = harness.find_chromium()
    if path is None or not harness.playwright_available():
        what = "playwright package not installed" if path else "Chromium not found"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{what}: CI must run the browser tests", pytrace=False)
        if path is None:
            pytest.skip(
                "Chromium not found at /usr/bin/chromium: install Debian's chromium package "
                "to run browser tests"
            )
        pytest.skip("playwright package not installed: pip install -r requirements-dev.txt")
    return path


@pytest.fixture(scope="session")
def streamlit_server(chromium_path: str) -> Iterator[str]:
    """The dashboard (dashboard.py) served on a free port of 127.0.0.1; yields the base URL."""
    with harness.streamlit_server(PROJECT_ROOT / "dashboard.py") as base_url:
        yield base_url


@pytest.fixture(scope="session")
def live_chart_app_server(chromium_path: str) -> Iterator[str]:
    """The component's own test app (tests/e2e/apps/live_chart_app.py); yields the base URL."""
    with harness.streamlit_server(E2E_DIR / "apps" / "live_chart_app.py") as base_url:
        yield base_url


@pytest.fixture(scope="session")
def quick_redraw_app_server(chromium_path: str) -> Iterator[str]:
    """A point over a heat map (tests/e2e/apps/quick_redraw_app.py); yields the base URL."""
    with harness.streamlit_server(E2E_DIR / "apps" / "quick_redraw_app.py") as base_url:
        yield base_url


@pytest.fixture(scope="session")
def live_chart_dark_server(chromium_path: str) -> Iterator[str]:
    """The component's test app with Streamlit's dark theme (``--theme.base dark``)."""
    app = E2E_DIR / "apps" / "live_chart_app.py"
    with harness.streamlit_server(app, ["--theme.base", "dark"]) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    """One headless Chromium for the session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = harness.launch_browser(playwright, chromium_path)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page in its own browser context, 1400x900."""
    page = harness.new_page(browser)
    try:
        yield page
    finally:
        page.context.close()
