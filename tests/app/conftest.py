"""AppTest helpers: run the real entry point and switch to a registered page."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
ENTRY = ROOT / "dashboard.py"
TIMEOUT = 60  # a cold sympy import takes seconds; AppTest's default 3 s is too short


def open_page(path: str) -> AppTest:
    """Run dashboard.py, switch to the page at `path` (e.g. "pages/home.py") and run it."""
    at = AppTest.from_file(str(ENTRY), default_timeout=TIMEOUT)
    at.run()
    at.switch_page(path)
    at.run()
    return at


@pytest.fixture
def open_app():
    """The `open_page` function, as a fixture."""
    return open_page
