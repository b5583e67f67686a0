"""The gradient-descent playground in Chromium: playback in the browser, clicks, sliders."""

from __future__ import annotations

from typing import Any

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

ROUTE = "gradient_descent"


def _active(frame: Any) -> int:
    return chart_eval(frame, "chart._fullLayout.sliders[0].active")


def test_page_loads_with_its_frames(page: Any, streamlit_server: str) -> None:
    """The map is drawn once, with a frame per step (100 steps: 101 frames), no exception."""
    open_page(page, streamlit_server, ROUTE)
    assert not exceptions(page), exceptions(page)
    frame = live_chart_frames(page)[0]
    assert render_counts(page)[0] == 1
    assert chart_eval(frame, "chart._transitionData._frames.length") == 101
    assert _active(frame) == 0


def test_play_runs_frames_without_a_rerun(page: Any, streamlit_server: str) -> None:
    """▶ Play advances the step in the browser while the chart is never redrawn by Python;
    where it stopped comes back to the page once it ends."""
    open_page(page, streamlit_server, ROUTE)
    frame = live_chart_frames(page)[0]
    before = render_counts(page)
    frame.locator(".updatemenu-button", has_text="Play").click()
    seen = []
    for _ in range(12):
        seen.append(_active(frame))
        assert render_counts(page) == before, "a rerun redrew the chart mid-play"
        page.wait_for_timeout(100)
    assert seen[-1] > seen[0] >= 0 and len(set(seen)) > 5, seen
    # playing frames keeps every trace drawn (the loss panels' curves too); the ✕ marks of
    # runs that diverged are empty here, and plotly draws no group for an empty trace
    drawn = "document.querySelectorAll('.scatterlayer .trace').length"
    shown = "chart._fullData.filter((t) => t.visible === true).length"
    assert chart_eval(frame, drawn) == chart_eval(frame, shown) >= 18
    frame.wait_for_function(
        "() => document.getElementById('chart')._fullLayout.sliders[0].active === 100",
        timeout=30_000,
    )
    # where it ended is reported once, after the animation: the page's step slider follows
    wait_for_redraw(page, before)
    wait_idle(page)
    inspect = page.locator('[data-testid="stSlider"]', has_text="inspect step")
    assert inspect.locator('input[type="range"]').input_value() == "100"
    frame = live_chart_frames(page)[0]
    assert chart_eval(frame, drawn) == chart_eval(frame, shown)
    assert not exceptions(page), exceptions(page)


def test_pause_stops_the_playback(page: Any, streamlit_server: str) -> None:
    """❚❚ stops the frames where they are."""
    open_page(page, streamlit_server, ROUTE)
    frame = live_chart_frames(page)[0]
    frame.locator(".updatemenu-button", has_text="Play").click()
    page.wait_for_timeout(600)
    frame.locator(".updatemenu-button", has_text="❚❚").click()
    stopped = _active(frame)
    page.wait_for_timeout(800)
    assert 0 < _active(frame) == stopped < 100


def test_click_on_the_map_moves_the_start(page: Any, streamlit_server: str) -> None:
    """A click at (1, −1) on the contour map makes it the start: the sliders follow."""
    open_page(page, streamlit_server, ROUTE)
    frame = live_chart_frames(page)[0]
    chart = page.locator(LIVE_CHART_IFRAME).first
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    x, y = chart_eval(
        frame,
        "[chart._fullLayout.xaxis._offset + chart._fullLayout.xaxis.c2p(1),"
        " chart._fullLayout.yaxis._offset + chart._fullLayout.yaxis.c2p(-1)]",
    )
    before = render_counts(page)
    page.mouse.click(box["x"] + x, box["y"] + y)
    wait_for_redraw(page, before)
    wait_idle(page)
    sliders = page.locator(SLIDER_INPUT)
    start = [sliders.nth(i).input_value() for i in (1, 2)]
    assert start == ["1", "-1"], start
    assert chart_eval(frame, "chart.dataset.clicks") == "1"
    assert not exceptions(page), exceptions(page)


def test_keyboard_slider_redraws_the_map(page: Any, streamlit_server: str) -> None:
    """κ moved by keyboard (the first slider) redraws the map in place with new data."""
    open_page(page, streamlit_server, ROUTE)
    frame = live_chart_frames(page)[0]
    chart_eval(frame, "(chart.dataset.mark = 'kept')")
    before, revs = render_counts(page), revisions(page)
    move_first_slider(page)
    after = wait_for_redraw(page, before)
    wait_idle(page)
    assert after[0] == before[0] + 1
    assert revisions(page)[0] != revs[0]
    assert chart_eval(live_chart_frames(page)[0], "chart.dataset.mark") == "kept"
    assert not exceptions(page), exceptions(page)
