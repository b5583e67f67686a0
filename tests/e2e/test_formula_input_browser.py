"""The shared formula box in a real browser against a real server: errors, kept state, worker."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench import harness
from tests.e2e.helpers import EXCEPTION, exceptions, wait_idle

APP = Path(__file__).resolve().parents[1] / "app" / "apps" / "formula_app.py"
ERROR = '[data-testid="stAlertContentError"]'


@pytest.fixture(scope="module")
def formula_server(chromium_path: str) -> Iterator[str]:
    """The formula box's own test app, served on a free port of 127.0.0.1."""
    with harness.streamlit_server(APP) as base_url:
        yield base_url


def _type_formula(page: Any, text: str) -> None:
    box = page.locator('[data-testid="stMain"] [data-testid="stTextInput"] input').first
    box.fill(text)
    box.press("Enter")
    page.wait_for_timeout(300)
    wait_idle(page)


def _body(page: Any) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


def test_hostile_formula_shows_a_short_error_and_keeps_the_last_good(
    page: Any, formula_server: str
) -> None:
    """A huge power is refused with one st.error; the last good formula and result stay."""
    page.goto(formula_server)
    page.get_by_text("f(2) = 15").wait_for(timeout=60_000)
    _type_formula(page, "9**9**9")
    page.locator(ERROR).wait_for(timeout=10_000)
    assert "too large" in page.locator(ERROR).inner_text()
    assert "f(2) = 15" in _body(page)
    assert not exceptions(page)
    assert page.query_selector(EXCEPTION) is None


def test_code_in_a_formula_is_refused_not_run(page: Any, formula_server: str) -> None:
    """An attempt to run code reads as an error message, never as a traceback."""
    page.goto(formula_server)
    page.get_by_text("f(2) = 15").wait_for(timeout=60_000)
    _type_formula(page, "__import__('os').system('true')")
    page.locator(ERROR).wait_for(timeout=10_000)
    assert not exceptions(page)
    assert "f(2) = 15" in _body(page)


def test_derivative_runs_in_the_worker_under_a_real_server(page: Any, formula_server: str) -> None:
    """The killable worker differentiates a typed formula inside `streamlit run`."""
    page.goto(formula_server)
    page.get_by_text("f(2) = 15").wait_for(timeout=60_000)
    _type_formula(page, "sin(2x^2)")
    page.get_by_text("f'(x) = 4*x*cos(2*x**2)").wait_for(timeout=20_000)
    assert not exceptions(page)
