"""The live_chart component on its own, in Chromium, through tests/e2e/apps/live_chart_app.py.

Charts in page order: 0 = 2D line (a·x²), 1 = 3D saddle, 2 = animation with plotly's slider.
"""

from __future__ import annotations

from typing import Any

from tests.e2e.helpers import (
    chart_eval,
    exceptions,
    live_chart_frames,
    move_first_slider,
    open_page,
    render_counts,
    revisions,
    wait_for_redraw,
)

LINE, SURFACE, ANIMATION = 0, 1, 2


def _wait_both_redrawn(page: Any, before: list[int]) -> list[int]:
    """Wait until the line and the surface (both driven by the slider) have redrawn."""
    counts = wait_for_redraw(page, before)
    for _ in range(200):
        if counts[LINE] > before[LINE] and counts[SURFACE] > before[SURFACE]:
            return counts
        page.wait_for_timeout(50)
        counts = render_counts(page)
    raise AssertionError(f"not both redrawn: {before} -> {counts}")


def _move_and_wait(page: Any) -> None:
    """Move the slider and wait until the line and the surface have both redrawn."""
    before = render_counts(page)
    move_first_slider(page)
    _wait_both_redrawn(page, before)


def test_slider_redraws_in_place(page: Any, live_chart_app_server: str) -> None:
    """A slider move redraws the charts whose figure changed, in the same div, once each."""
    open_page(page, live_chart_app_server)
    frames = live_chart_frames(page)
    assert len(frames) == 3
    for frame in frames:  # mark the divs: a remount would lose the mark
        chart_eval(frame, "(chart.dataset.mark = 'kept')")
    before, revs = render_counts(page), revisions(page)
    assert before == [1, 1, 1]
    move_first_slider(page)
    counts = _wait_both_redrawn(page, before)
    page.wait_for_timeout(300)
    after = revisions(page)
    assert after[LINE] != revs[LINE] and after[SURFACE] != revs[SURFACE]
    assert after[ANIMATION] == revs[ANIMATION]  # unchanged figure: not redrawn
    assert render_counts(page) == [2, 2, 1] == counts
    assert [chart_eval(f, "chart.dataset.mark") for f in live_chart_frames(page)] == ["kept"] * 3
    assert not exceptions(page)


def test_a_chart_that_follows_waits_for_the_page_charts(
    page: Any, live_chart_app_server: str
) -> None:
    """The 3D surface (``follows=True``) draws only once the line the same slider moved has
    painted this rerun's figure, even when the line is slow: in software WebGL a 3D redraw holds
    the page's main thread for 100-200 ms, so it must not start before the 2D charts are done."""
    open_page(page, live_chart_app_server)
    line, surface = live_chart_frames(page)[LINE], live_chart_frames(page)[SURFACE]
    # Make every draw of the line 600 ms slow: a surface that did not wait would paint first.
    line.evaluate(
        """() => {
            const pause = () => new Promise((resolve) => setTimeout(resolve, 600));
            for (const name of ["react", "animate"]) {
                const draw = window.Plotly[name];
                window.Plotly[name] = async (...args) => { await pause(); return draw(...args); };
            }
        }"""
    )
    for _ in range(2):
        _move_and_wait(page)
        line_at = int(chart_eval(line, "chart.dataset.drawnAt"))
        surface_received = int(chart_eval(surface, "chart.dataset.receivedAt"))
        surface_at = int(chart_eval(surface, "chart.dataset.drawnAt"))
        assert surface_received < line_at - 300  # the surface had its figure long before ...
        assert surface_at >= line_at  # ... and drew it only after the line had painted
        # The line changed long after the frame requested at its (delayed) call: its time is
        # the frame after the draw, not that early one.
        assert chart_eval(line, "chart.dataset.paintedBy") == "after"
        assert line_at - int(chart_eval(line, "chart.dataset.receivedAt")) >= 600


def test_drawn_at_is_the_frame_that_paints_the_draw(page: Any, live_chart_app_server: str) -> None:
    """A 2D draw's time is the start of the frame that paints it: no visible change reached the
    line's chart after that frame (else it would say "after"), and the time lies between the
    figure's arrival and the moment the draw finished. The 3D chart, drawn by WebGL in plotly's
    own frames, is timed from the frame after the draw resolved."""
    open_page(page, live_chart_app_server)
    line, surface = live_chart_frames(page)[LINE], live_chart_frames(page)[SURFACE]
    for _ in range(3):
        _move_and_wait(page)
        received = int(chart_eval(line, "chart.dataset.receivedAt"))
        drawn = int(chart_eval(line, "chart.dataset.drawnAt"))
        assert chart_eval(line, "chart.dataset.paintedBy") == "frame"
        assert received <= drawn <= received + 1000
        assert int(chart_eval(line, "chart.dataset.drawMs")) == drawn - received
        assert chart_eval(surface, "chart.dataset.paintedBy") == "after"


def test_3d_charts_skip_multisampling_in_software_webgl(
    page: Any, live_chart_app_server: str
) -> None:
    """Chromium here renders WebGL in software (no GPU): the 3D chart's context is made without
    antialiasing (4x multisampling roughly doubles each 3D redraw there)."""
    open_page(page, live_chart_app_server)
    surface = live_chart_frames(page)[SURFACE]
    assert surface.evaluate("() => document.documentElement.dataset.softwareWebgl") == "true"
    attributes = chart_eval(
        surface,
        "[...chart.querySelectorAll('canvas')].map((c) => c.getContext('webgl') ||"
        " c.getContext('experimental-webgl')).filter(Boolean)"
        ".map((gl) => gl.getContextAttributes().antialias)",
    )
    assert attributes and not any(attributes), attributes


def test_zoom_and_camera_survive_a_data_update(page: Any, live_chart_app_server: str) -> None:
    """A user's 2D zoom and 3D camera are kept when new data arrives (constant uirevision)."""
    open_page(page, live_chart_app_server)
    line_box = page.locator('iframe[title="ui.live_chart.live_chart"]').nth(LINE).bounding_box()
    surface_box = page.locator('iframe[title="ui.live_chart.live_chart"]').nth(SURFACE)
    surface_box.scroll_into_view_if_needed()
    # Drag-zoom the 2D chart along x (a real mouse gesture, so plotly records it as the user's).
    x0, y = line_box["x"] + line_box["width"] * 0.45, line_box["y"] + line_box["height"] * 0.5
    page.mouse.move(x0, y)
    page.mouse.down()
    page.mouse.move(x0 + 60, y, steps=5)
    page.mouse.up()
    # Rotate the 3D camera by dragging in the scene.
    box = surface_box.bounding_box()
    cx, cy = box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5
    page.mouse.move(cx, cy)
    page.mouse.down()
    page.mouse.move(cx + 80, cy + 30, steps=8)
    page.mouse.up()
    page.wait_for_timeout(300)
    line, surface = live_chart_frames(page)[LINE], live_chart_frames(page)[SURFACE]
    zoomed = chart_eval(line, "chart._fullLayout.xaxis.range.slice()")
    eye = chart_eval(surface, "Object.assign({}, chart._fullLayout.scene.camera.eye)")
    assert zoomed[1] - zoomed[0] < 3, zoomed  # zoomed in from [-3, 3]
    assert eye != {"x": 1.25, "y": 1.25, "z": 1.25}, eye  # rotated from plotly's default

    before = render_counts(page)
    move_first_slider(page)
    _wait_both_redrawn(page, before)
    assert chart_eval(line, "chart._fullLayout.xaxis.range.slice()") == zoomed
    new_eye = chart_eval(surface, "Object.assign({}, chart._fullLayout.scene.camera.eye)")
    assert new_eye == eye


def test_frames_animation_runs_from_plotly_slider(page: Any, live_chart_app_server: str) -> None:
    """Clicking the last step of plotly's own slider plays that frame, no server round trip."""
    open_page(page, live_chart_app_server)
    frame = live_chart_frames(page)[ANIMATION]
    assert chart_eval(frame, "chart._transitionData._frames.length") == 4
    y0 = chart_eval(frame, "chart._fullData[0].y[0]")
    rail = frame.locator(".slider-rail-touch-rect").first
    rail.scroll_into_view_if_needed()
    box = rail.bounding_box()
    page.mouse.click(box["x"] + box["width"] - 2, box["y"] + box["height"] / 2)
    page.wait_for_function("() => true", timeout=1000)  # let plotly's animation callback run
    frame.wait_for_function(
        "() => document.getElementById('chart')._fullLayout.sliders[0].active === 3",
        timeout=5000,
    )
    frame.wait_for_function(
        "() => Math.abs(document.getElementById('chart')._fullData[0].y[0] - Math.sin(1.5)) < 1e-3",
        timeout=5000,
    )
    assert abs(y0) < 1e-6
    assert render_counts(page)[ANIMATION] == 1  # the animation never went through Streamlit


def test_plotly_slider_position_reaches_python(page: Any, live_chart_app_server: str) -> None:
    """Where the user leaves plotly's own slider comes back to the script as the chart's value."""
    open_page(page, live_chart_app_server)
    assert page.get_by_text("plotly slider stopped at: not moved").count() == 1
    frame = live_chart_frames(page)[ANIMATION]
    rail = frame.locator(".slider-rail-touch-rect").first
    rail.scroll_into_view_if_needed()
    box = rail.bounding_box()
    page.mouse.click(box["x"] + box["width"] - 2, box["y"] + box["height"] / 2)
    page.get_by_text("plotly slider stopped at: 1.5").wait_for(timeout=10_000)
    assert not exceptions(page)


def _theme_colors(page: Any) -> dict[str, Any]:
    frame = live_chart_frames(page)[LINE]
    return chart_eval(
        frame,
        "({font: chart._fullLayout.font.color, paper: chart._fullLayout.paper_bgcolor,"
        " grid: chart._fullLayout.xaxis.gridcolor,"
        " body: getComputedStyle(document.body).backgroundColor})",
    )


def test_chart_follows_light_and_dark_theme(
    page: Any, live_chart_app_server: str, live_chart_dark_server: str
) -> None:
    """Font and grid colours come from Streamlit's theme: dark text on light, light on dark."""

    def luminance(color: str) -> float:
        r, g, b = (float(v) for v in color[color.index("(") + 1 : color.index(")")].split(",")[:3])
        return (0.299 * r + 0.587 * g + 0.114 * b) / 255

    def rgb(color: str) -> str:
        if color.startswith("#"):
            return "rgb({},{},{})".format(*(int(color[i : i + 2], 16) for i in (1, 3, 5)))
        return color

    open_page(page, live_chart_app_server)
    light = _theme_colors(page)
    open_page(page, live_chart_dark_server)
    dark = _theme_colors(page)
    assert light["paper"].replace(" ", "") == dark["paper"].replace(" ", "") == "rgba(0,0,0,0)"
    assert luminance(rgb(light["font"])) < 0.4 < 0.6 < luminance(rgb(dark["font"]))
    assert luminance(light["body"]) > 0.8 and luminance(dark["body"]) < 0.2
    assert luminance(rgb(dark["grid"])) < 0.5  # faint lines on a dark page, not white ones


def test_a_click_on_the_plot_reaches_python(page: Any, live_chart_app_server: str) -> None:
    """With clicks=True a click reports its data coordinates; a drag (a zoom) and a
    double-click (a reset of the view) do not."""
    open_page(page, live_chart_app_server)
    assert page.get_by_text("line chart clicked at: nowhere").count() == 1
    iframe = page.locator('iframe[title="ui.live_chart.live_chart"]').nth(LINE)
    iframe.scroll_into_view_if_needed()
    box = iframe.bounding_box()
    frame = live_chart_frames(page)[LINE]
    x, y = chart_eval(
        frame,
        "[chart._fullLayout.xaxis._offset + chart._fullLayout.xaxis.c2p(1.5),"
        " chart._fullLayout.yaxis._offset + chart._fullLayout.yaxis.c2p(4)]",
    )
    page.mouse.move(box["x"] + x - 80, box["y"] + y)
    page.mouse.down()
    page.mouse.move(box["x"] + x - 20, box["y"] + y, steps=5)
    page.mouse.up()
    page.wait_for_timeout(800)
    assert page.get_by_text("line chart clicked at: nowhere").count() == 1  # a drag zooms
    chart_eval(frame, "Plotly.relayout(chart, {'xaxis.autorange': true})")
    page.wait_for_timeout(300)
    x, y = chart_eval(
        frame,
        "[chart._fullLayout.xaxis._offset + chart._fullLayout.xaxis.c2p(1.5),"
        " chart._fullLayout.yaxis._offset + chart._fullLayout.yaxis.c2p(4)]",
    )
    page.mouse.dblclick(box["x"] + x, box["y"] + y)  # resets the view: no click reported
    page.wait_for_timeout(800)
    assert page.get_by_text("line chart clicked at: nowhere").count() == 1
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.get_by_text("line chart clicked at: 1.5, 4.0 in xy").wait_for(timeout=10_000)
    assert not exceptions(page)


def test_charts_without_clicks_report_none(page: Any, live_chart_app_server: str) -> None:
    """A chart drawn without clicks=True ignores a click (the animation chart here)."""
    open_page(page, live_chart_app_server)
    iframe = page.locator('iframe[title="ui.live_chart.live_chart"]').nth(ANIMATION)
    iframe.scroll_into_view_if_needed()
    box = iframe.bounding_box()
    before = render_counts(page)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.4)
    page.wait_for_timeout(1000)
    assert render_counts(page) == before
    assert chart_eval(live_chart_frames(page)[ANIMATION], "chart.dataset.clicks") is None
    assert page.get_by_text("plotly slider stopped at: not moved").count() == 1
