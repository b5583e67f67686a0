"""Every registered page in a real browser: it draws a chart, and a slider redraws it in place.

Parametrised over ``ui.navigation.all_pages()``, so a newly registered page is covered at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench import harness
from tests.e2e.helpers import (
    LIVE_CHART_IFRAME,
    PLOTLY_CHART,
    exceptions,
    has_slider,
    live_chart_frames,
    move_first_slider,
    open_page,
    render_counts,
    revisions,
    wait_for_redraw,
    wait_idle,
)
from ui.navigation import PageSpec, all_pages

PAGES = all_pages()
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def page_not_found(page: Any) -> bool:
    """Whether Streamlit shows its "Page not found" dialog (a wrong url_path)."""
    dialog = page.query_selector('[role="dialog"]')
    return dialog is not None and "Page not found" in dialog.inner_text()


@pytest.mark.parametrize("spec", PAGES, ids=[p.url_path for p in PAGES])
def test_page_shows_a_chart(page: Any, streamlit_server: str, spec: PageSpec) -> None:
    """The page loads with no exception and draws its charts (pages registered with charts)."""
    open_page(page, streamlit_server, spec.route, charts=spec.charts)
    assert not page_not_found(page), f"/{spec.route} is not a registered page"
    assert not exceptions(page), exceptions(page)
    if spec.charts:
        drawn = [c for c in render_counts(page) if c >= 1]
        assert drawn or page.query_selector(PLOTLY_CHART), "no live chart drawn, no plotly chart"
    assert page.title(), "the page has no title"


@pytest.mark.parametrize("spec", PAGES, ids=[p.url_path for p in PAGES])
def test_slider_redraws_a_live_chart(page: Any, streamlit_server: str, spec: PageSpec) -> None:
    """A slider moved with the keyboard redraws a live chart with new data, no exception."""
    open_page(page, streamlit_server, spec.route, charts=spec.charts)
    if not has_slider(page):
        pytest.skip(f"{spec.path} has no slider")
    if not page.query_selector(LIVE_CHART_IFRAME):
        pytest.fail(f"{spec.path} has a slider but no live_chart: slider views draw in place")
    before, revs = render_counts(page), revisions(page)
    move_first_slider(page)
    after = wait_for_redraw(page, before)
    wait_idle(page)
    changed = [i for i, (b, a) in enumerate(zip(before, after, strict=False)) if a > b]
    new_revs = revisions(page)
    assert any(new_revs[i] != revs[i] for i in changed), (revs, new_revs)
    assert not exceptions(page), exceptions(page)


@pytest.mark.parametrize("spec", [p for p in PAGES if not p.default][:1], ids=lambda p: p.url_path)
def test_first_visit_to_a_page_on_a_fresh_server_uses_the_dashboard(
    page: Any, chromium_path: str, spec: PageSpec
) -> None:
    """A fresh server's very first request for a page gets the dashboard's menu and layout."""
    with harness.streamlit_server(PROJECT_ROOT / "dashboard.py") as fresh_server:
        open_page(page, fresh_server, spec.route)
        menu = page.locator('[data-testid="stSidebarNav"]').inner_text()
        assert spec.title in menu and "dashboard" not in menu.lower(), menu
        assert not exceptions(page), exceptions(page)


def test_derivatives_chart_slider_moves_the_readouts(page: Any, streamlit_server: str) -> None:
    """Leaving the tangent chart's own x₀ slider at its left end sets x₀ = −3 on the page."""
    open_page(page, streamlit_server, "derivatives")
    chart = page.locator(LIVE_CHART_IFRAME).first.content_frame
    rail = chart.locator(".slider-rail-touch-rect").first
    rail.scroll_into_view_if_needed()
    box = rail.bounding_box()
    page.mouse.click(box["x"] + 2, box["y"] + box["height"] / 2)
    metric = page.locator('[data-testid="stMetric"]').first
    page.wait_for_function(
        "el => el.innerText.includes('−3')", arg=metric.element_handle(), timeout=15_000
    )
    assert not exceptions(page), exceptions(page)


def test_derivatives_keyboard_slider_plays_the_frame_and_keeps_the_frames(
    page: Any, streamlit_server: str
) -> None:
    """The x₀ slider moved by keyboard moves the tangent; the chart keeps all its frames."""
    open_page(page, streamlit_server, "derivatives")
    before = render_counts(page)
    move_first_slider(page, "ArrowLeft")
    wait_for_redraw(page, before)
    wait_idle(page)
    tangent = live_chart_frames(page)[0]
    active = tangent.evaluate(
        "() => document.getElementById('chart')._fullLayout.sliders[0].active"
    )
    frames = tangent.evaluate(
        "() => document.getElementById('chart')._transitionData._frames.length"
    )
    title = tangent.evaluate("() => document.getElementById('chart')._fullLayout.title.text")
    assert active == 49 and frames == 61  # x₀ = 1.9 on the grid −3, −2.9, ..., 3
    assert title.startswith("x₀ = 1.9:")
