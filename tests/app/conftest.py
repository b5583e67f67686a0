"""AppTest helpers: run the real entry point and switch to a registered page."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui.live_chart import COMPONENT_NAME, figure_from_element, payload_from_element

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


def ok(at: AppTest) -> AppTest:
    """`at`, after asserting it shows no exception element (their texts are the message)."""
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric(at: AppTest, label: str) -> str:
    """The value of the metric labelled `label`."""
    return next(m.value for m in at.metric if m.label == label)


def chart(at: AppTest, key: str) -> dict:
    """The figure dict of the live chart with this key (arrays as plotly's base64 dicts)."""
    element = next(
        el
        for el in at.get("component_instance")
        if el.proto.component_name == COMPONENT_NAME and payload_from_element(el)["key"] == key
    )
    return figure_from_element(element)
