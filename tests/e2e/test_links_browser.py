"""Every view a link, presentation mode, lessons, exports and charts as text, in Chromium.

Against a real ``streamlit run dashboard.py``: the address bar a learner copies reopens the same
view in a fresh browser; a bad link is named and ignored; a teacher's presentation mode and
lesson work with the keyboard; every chart exports and reads out as text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.e2e.helpers import (
    LIVE_CHART_IFRAME,
    SLIDER_INPUT,
    chart_eval,
    exceptions,
    live_chart_frames,
    move_first_slider,
    open_page,
    render_counts,
    revisions,
    wait_for_redraw,
    wait_idle,
)
from ui.navigation import all_pages

RANGE = 'input[type="range"]'
MOVING = [p for p in all_pages() if p.charts and p.url_path not in ("exercises",)]


def _settle(page: Any, before: list[int]) -> None:
    wait_for_redraw(page, before)
    wait_idle(page, 10)
    page.wait_for_timeout(400)


@pytest.mark.parametrize("spec", MOVING, ids=[p.url_path for p in MOVING])
def test_a_moved_view_reopens_from_its_address(page: Any, browser: Any, streamlit_server, spec):
    """Move the page's first slider twice; the address bar now holds the view: opened in a fresh
    browser context it shows the same slider value and the same charts (figure revisions)."""
    open_page(page, streamlit_server, spec.route)
    for _ in range(2):
        before = render_counts(page)
        move_first_slider(page)
        _settle(page, before)
    url = page.url
    assert "?" in url, url
    value = page.locator(SLIDER_INPUT).first.input_value()
    charts = revisions(page)
    fresh = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    try:
        fresh.goto(url, wait_until="domcontentloaded")
        fresh.wait_for_selector('[data-testid="stApp"]')
        fresh.wait_for_selector(LIVE_CHART_IFRAME)
        wait_idle(fresh, 30)
        fresh.wait_for_function(
            f"() => document.querySelectorAll('{LIVE_CHART_IFRAME}').length >= {len(charts)}"
        )
        for _ in range(100):
            if revisions(fresh) == charts:
                break
            fresh.wait_for_timeout(100)
        assert fresh.locator(SLIDER_INPUT).first.input_value() == value
        assert revisions(fresh) == charts
        assert not exceptions(fresh)
    finally:
        fresh.context.close()


def test_a_bad_link_is_named_and_ignored(page: Any, streamlit_server: str) -> None:
    """A non-number, an unknown setting and a hostile formula: the page names what it ignored,
    refuses the formula like a typed one, and draws its defaults."""
    hostile = quote("__import__('os').system('true')")
    open_page(
        page, streamlit_server, f"derivatives?deriv.x0=abc&deriv.nonsense=1&deriv.f.text={hostile}"
    )
    note = page.get_by_text("This link holds settings the page could not use").inner_text()
    assert "deriv.x0" in note and "deriv.nonsense" in note
    assert page.locator('[data-testid="stAlertContentError"]').count() >= 1
    assert not exceptions(page)
    assert len(live_chart_frames(page)) >= 1


def test_copy_link_copies_the_view_as_it_is(page: Any, streamlit_server: str) -> None:
    """After a move that reran only the page's fragment, the button still copies the address
    of the view shown (the address bar, kept current by the bound widgets)."""
    open_page(page, streamlit_server, "gradient")
    before = render_counts(page)
    move_first_slider(page)
    _settle(page, before)
    page.get_by_role("button", name="Copy link to this view").click()
    page.wait_for_function("() => window.cfdlCopiedLink !== undefined")
    copied = page.evaluate("() => window.cfdlCopiedLink")
    assert copied == page.url and "grad.x0=" in copied


def _tick_size(page: Any) -> float:
    return chart_eval(live_chart_frames(page)[0], "chart._fullLayout.xaxis.tickfont.size")


def test_presentation_mode_by_link_and_keyboard(page: Any, streamlit_server: str) -> None:
    """``?present=true``: no sidebar, chart text at 22 px or more; Ctrl+Shift+P ends it."""
    open_page(page, streamlit_server, "derivatives?present=true")
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    frame = live_chart_frames(page)[0]
    sizes = chart_eval(
        frame,
        "[chart._fullLayout.font.size, chart._fullLayout.xaxis.tickfont.size,"
        " chart._fullLayout.xaxis.title.font.size]",
    )
    assert min(sizes) >= 22, sizes
    page.locator('[data-testid="stMain"]').click(position={"x": 5, "y": 5})
    page.keyboard.press("Control+Shift+P")
    page.locator('[data-testid="stSidebar"]').wait_for(state="visible", timeout=15_000)
    wait_idle(page, 10)
    for _ in range(50):
        if _tick_size(page) < 22:
            break
        page.wait_for_timeout(100)
    assert _tick_size(page) < 22
    assert "present" not in page.url


def test_a_lesson_walks_forward(page: Any, streamlit_server: str) -> None:
    """The shipped lesson's first step, then Next: the next page with its settings."""
    open_page(page, streamlit_server, "derivatives?lesson=whole-lesson&step=1&deriv.x0=1.5")
    page.get_by_text("step 1 of 8").wait_for()
    page.get_by_role("button", name="Next").click()
    page.wait_for_url("**/chain_rule?**", timeout=30_000)
    page.get_by_text("step 2 of 8").wait_for(timeout=30_000)
    assert "lesson=whole-lesson" in page.url and "step=2" in page.url
    assert not exceptions(page)


def test_charts_export_and_read_out_as_text(page: Any, streamlit_server: str) -> None:
    """Every chart's tool bar saves an interactive HTML file and its data as CSV, its buttons
    are reachable by keyboard, and "Chart as text" says what it shows."""
    open_page(page, streamlit_server, "derivatives")
    frame = live_chart_frames(page)[0]
    summary = chart_eval(frame, "chart.getAttribute('aria-label')")
    assert summary and any(ch.isdigit() for ch in summary)
    assert frame.locator("#as-text summary").inner_text() == "Chart as text"
    assert chart_eval(frame, "document.getElementById('summary-text').textContent") == summary
    iframe = page.locator(LIVE_CHART_IFRAME).first
    iframe.hover()
    csv_button = frame.get_by_role("button", name="Download the chart's data as CSV")
    assert csv_button.get_attribute("tabindex") == "0"
    with page.expect_download() as csv_download:
        csv_button.focus()
        page.keyboard.press("Enter")
    csv_text = Path(csv_download.value.path()).read_text(encoding="utf-8")
    assert csv_text.startswith("trace,point,x,y,z,r,theta\n") and csv_text.count("\n") > 50
    assert csv_download.value.suggested_filename.endswith(".csv")
    with page.expect_download(timeout=30_000) as html_download:
        frame.get_by_role("button", name="Download as an interactive HTML file").click()
    html = Path(html_download.value.path()).read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and "Plotly.newPlot" in html and len(html) > 1e6
    png = frame.get_by_role("button", name="Download plot as a PNG")
    assert png.count() == 1


def test_a_point_at_the_window_edge_reopens_from_its_address(
    page: Any, browser: Any, streamlit_server: str
) -> None:
    """Jacobian page: x₀ moved to the window's left end (Home key). The browser leaves a value
    equal to its widget's default out of the address, so the sliders must declare the view the
    page opens on as that default: the address then reopens the same point."""
    open_page(page, streamlit_server, "jacobian")
    x0 = page.locator('[data-testid="stSlider"]').filter(has_text="x₀").locator(RANGE)
    before = render_counts(page)
    x0.focus()
    page.keyboard.press("Home")
    _settle(page, before)
    value = x0.input_value()
    charts = revisions(page)
    fresh = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    try:
        fresh.goto(page.url, wait_until="domcontentloaded")
        fresh.wait_for_selector(LIVE_CHART_IFRAME)
        wait_idle(fresh, 30)
        for _ in range(100):
            if revisions(fresh) == charts:
                break
            fresh.wait_for_timeout(100)
        again = fresh.locator('[data-testid="stSlider"]').filter(has_text="x₀")
        assert again.locator(RANGE).input_value() == value
        assert revisions(fresh) == charts
    finally:
        fresh.context.close()
