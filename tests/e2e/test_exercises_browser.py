"""The exercises page in a real browser: typing an answer and checking it, a hint ladder."""

from __future__ import annotations

from typing import Any

from tests.e2e.helpers import exceptions, open_page, wait_idle

SUCCESS = '[data-testid="stAlertContentSuccess"]'
ERROR = '[data-testid="stAlertContentError"]'


def _practice(page: Any, server: str) -> None:
    open_page(page, server, "exercises", charts=False)
    page.get_by_role("tab", name="Math practice").click()
    page.get_by_text("Check my answer").wait_for(timeout=20_000)


def _check(page: Any, answer: str) -> None:
    box = page.locator('[data-testid="stForm"] input').first
    box.fill(answer)
    page.get_by_role("button", name="Check my answer").click()
    page.wait_for_timeout(300)
    wait_idle(page)


def test_a_correct_answer_in_any_form_is_accepted(page: Any, streamlit_server: str) -> None:
    """The lesson's first problem: '3 + 2x' is graded correct."""
    _practice(page, streamlit_server)
    _check(page, "3 + 2x")
    page.locator(SUCCESS).first.wait_for(timeout=20_000)
    assert not exceptions(page)


def test_a_wrong_answer_is_explained(page: Any, streamlit_server: str) -> None:
    """'2x' is graded wrong with a message, not a traceback."""
    _practice(page, streamlit_server)
    _check(page, "2x")
    page.locator(ERROR).first.wait_for(timeout=20_000)
    assert not exceptions(page)
