"""live_chart's quick path in Chromium: a move that changes only some scatter traces redraws those
traces alone (Plotly.animate), and the picture is the one a full redraw of the same figure gives.

The gradient page is the case it was built for: a shaded contour map with a field of arrows, where
moving the point changes the point's traces, the title and the frames, never the map.
"""

from __future__ import annotations

import io
from typing import Any

from PIL import Image, ImageChops

from tests.e2e.helpers import (
    LIVE_CHART_IFRAME,
    chart_eval,
    exceptions,
    live_chart_frames,
    move_first_slider,
    open_page,
    render_counts,
    wait_for_redraw,
)

MAP, POLAR = 0, 1


def _moved(page: Any, times: int) -> None:
    for _ in range(times):
        before = render_counts(page)
        move_first_slider(page)
        wait_for_redraw(page, before)
        page.wait_for_timeout(400)  # the polar chart follows the map


def _picture(page: Any, index: int) -> Image.Image:
    page.mouse.move(0, 0)  # no hover label in the picture
    page.wait_for_timeout(200)
    shot = page.locator(LIVE_CHART_IFRAME).nth(index).screenshot()
    return Image.open(io.BytesIO(shot)).convert("RGB")


def _differing_pixels(a: Image.Image, b: Image.Image) -> int:
    diff = ImageChops.difference(a, b).convert("L").point(lambda v: 255 if v > 40 else 0)
    return sum(diff.histogram()[255:])


def test_moving_the_point_redraws_only_what_moved(page: Any, streamlit_server: str) -> None:
    """Both gradient charts take the quick path, and look exactly as a full redraw draws them."""
    open_page(page, streamlit_server, "gradient")
    _moved(page, 3)
    frames = live_chart_frames(page)
    # the map's title reads ∇f at the point: its text is swapped in place, without a relayout
    assert chart_eval(frames[MAP], "chart.dataset.swapped") == "title.text"
    for index in (MAP, POLAR):
        # data-full-draw is empty after a quick draw, else it says why the chart was redrawn
        assert chart_eval(frames[index], "chart.dataset.fullDraw") == ""
        quick = _picture(page, index)
        assert chart_eval(frames[index], "window.liveChartRedrawFully()") is True
        page.wait_for_timeout(300)
        full = _picture(page, index)
        assert quick.size == full.size
        # anti-aliasing may differ by a few pixels; a missing or stale trace would be thousands
        assert _differing_pixels(quick, full) < 0.002 * quick.size[0] * quick.size[1]
    assert not exceptions(page)


def test_the_jacobian_planes_take_the_quick_path(page: Any, streamlit_server: str) -> None:
    """det J is shaded as a picture, so both planes of the Jacobian page redraw quickly too."""
    open_page(page, streamlit_server, "jacobian")
    _moved(page, 2)
    for index, frame in enumerate(live_chart_frames(page)):
        assert chart_eval(frame, "chart.dataset.fullDraw") == "", index
        quick = _picture(page, index)
        assert chart_eval(frame, "window.liveChartRedrawFully()") is True
        page.wait_for_timeout(300)
        assert (
            _differing_pixels(quick, _picture(page, index)) < 0.002 * quick.size[0] * quick.size[1]
        )
    assert not exceptions(page)


def test_a_new_shading_is_swapped_in_place(page: Any, streamlit_server: str) -> None:
    """Gradient descent, bowl: a new κ reshapes the bowl. The map takes the quick path, its
    shading (a picture) is swapped in place, and it looks as a full redraw draws it."""
    open_page(page, streamlit_server, "gradient_descent")
    _moved(page, 2)
    frame = live_chart_frames(page)[0]
    assert chart_eval(frame, "chart.dataset.fullDraw") == ""
    assert "images[0].source" in chart_eval(frame, "chart.dataset.swapped").split()
    quick = _picture(page, 0)
    assert chart_eval(frame, "window.liveChartRedrawFully()") is True
    page.wait_for_timeout(300)
    full = _picture(page, 0)
    assert quick.size == full.size
    assert _differing_pixels(quick, full) < 0.002 * quick.size[0] * quick.size[1]
    assert not exceptions(page)


def test_a_heatmap_under_the_moved_traces_means_a_full_redraw(
    page: Any, quick_redraw_app_server: str
) -> None:
    """plotly's partial redraw would wipe a heat map: such a chart is redrawn in full, says why,
    and the heat map is still there after the move."""
    open_page(page, quick_redraw_app_server)
    _moved(page, 2)
    frame = live_chart_frames(page)[0]
    assert "heatmap" in chart_eval(frame, "chart.dataset.fullDraw")
    assert chart_eval(frame, "chart.querySelectorAll('.hm image').length") == 1
    assert not exceptions(page)


def test_the_map_is_never_relaid_and_rolls_the_new_paths(page: Any, streamlit_server: str) -> None:
    """Gradient, bowl: the steepest paths from the point have more or fewer frames as it moves.
    The play button names their group, so no move relayouts the map (a relayout redraws it
    whole, 60-80 ms); after the moves the button plays the new point's paths, in order."""
    open_page(page, streamlit_server, "gradient")
    frame = live_chart_frames(page)[MAP]
    counts = set()
    for _ in range(6):
        _moved(page, 1)
        assert chart_eval(frame, "chart.dataset.fullDraw") == ""
        assert chart_eval(frame, "chart.dataset.relaid") == ""
        counts.add(chart_eval(frame, "chart._transitionData._frames.length"))
    assert len(counts) > 1, "the moves should change how many frames the paths have"
    held = chart_eval(frame, "chart._transitionData._frames.map((f) => f.name)")
    assert held == [f"path{i}" for i in range(len(held))]
    listen = "(e) => window.__played.push(e.name)"
    chart_eval(frame, f"(window.__played = [], chart.on('plotly_animatingframe', {listen}), 1)")
    frame.get_by_text("▶ Roll up and down").click()
    frame.wait_for_function(f"() => (window.__played || []).length >= {len(held)}", timeout=10_000)
    assert chart_eval(frame, "window.__played") == held
    assert not exceptions(page)


def test_a_run_that_starts_diverging_is_drawn_quickly(page: Any, streamlit_server: str) -> None:
    """Gradient descent, bowl, κ from 10 up by steps of 0.1: near κ = 10.5 the default η of GD
    crosses 2/λmax and the run diverges. That move too takes the quick path: the ✕ marks are
    traces that were there, empty, all along, and the legend's new text ("✕ diverged") is
    restyled in. The picture is the one a full redraw gives."""
    open_page(page, streamlit_server, "gradient_descent")
    frame = live_chart_frames(page)[0]
    legend = "[...chart.querySelectorAll('.legendtext')].map((n) => n.textContent).join(' | ')"
    assert "✕ diverged" not in chart_eval(frame, legend)
    renamed = []
    for _ in range(6):
        _moved(page, 1)
        assert chart_eval(frame, "chart.dataset.fullDraw") == ""
        renamed.append(chart_eval(frame, "chart.dataset.renamed"))
        if "✕ diverged" in chart_eval(frame, legend):
            break
    assert "✕ diverged" in chart_eval(frame, legend), "GD should diverge by κ = 10.6"
    assert renamed[-1] != "", renamed  # the name came in by restyle on that move
    quick = _picture(page, 0)
    assert chart_eval(frame, "window.liveChartRedrawFully()") is True
    page.wait_for_timeout(300)
    full = _picture(page, 0)
    assert _differing_pixels(quick, full) < 0.002 * quick.size[0] * quick.size[1]
    assert not exceptions(page)
