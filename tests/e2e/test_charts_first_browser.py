"""Charts first, the rest after (ui/fragments.py), in Chromium against a real server.

A move of the point reruns only the fragment that draws the charts (a keyed ``st.rerun`` from
the slider's callback); the readouts, formulas and studies are a fragment of their own that
reruns once the charts have painted. AppTest models every interaction as a full run, so only a
browser shows the order, that the readouts do follow, and that nothing reruns in a loop.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from bench.harness import SLIDER_INPUT
from tests.e2e.helpers import (
    drawn_at,
    exceptions,
    move_first_slider,
    open_page,
    render_counts,
    wait_for_redraw,
    wait_idle,
)

# Records, in the page, when a metric's value last changed (Date.now()).
WATCH_METRICS = """() => {
  window.__metricChangedAt = 0;
  const main = document.querySelector('[data-testid="stMain"]');
  new MutationObserver((records) => {
    if (records.some((r) => {
      const node = r.target.nodeType === 3 ? r.target.parentElement : r.target;
      return node && node.closest && node.closest('[data-testid="stMetricValue"]');
    })) window.__metricChangedAt = Date.now();
  }).observe(main, { subtree: true, childList: true, characterData: true });
}"""

# Rerun requests the page sends (a websocket wrapper installed before the app loads).
COUNT_REQUESTS = """
(() => {
  const Native = window.WebSocket;
  window.__sent = 0;
  window.WebSocket = function (...args) {
    const socket = new Native(...args);
    const send = socket.send.bind(socket);
    socket.send = (data) => { window.__sent += 1; send(data); };
    return socket;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, Native);
})();
"""

# Every size a live chart's iframe takes (a ResizeObserver installed before the app loads).
WATCH_CHART_SIZES = """
(() => {
  if (window !== window.top) return;
  window.__chartSizes = [];
  const watch = new ResizeObserver((entries) => {
    for (const e of entries) {
      const { width, height } = e.contentRect;
      window.__chartSizes.push([e.target.dataset.watched, width, height]);
    }
  });
  let next = 0;
  new MutationObserver(() => {
    for (const frame of document.querySelectorAll('iframe[title="ui.live_chart.live_chart"]')) {
      if (frame.dataset.watched) continue;
      frame.dataset.watched = String(next++);
      watch.observe(frame);
    }
  }).observe(document, { subtree: true, childList: true });
})();
"""


def _metrics(page: Any) -> list[str]:
    return page.locator('[data-testid="stMetricValue"]').all_inner_texts()


def _slider_values(page: Any) -> list[float]:
    values = page.eval_on_selector_all(SLIDER_INPUT, "inputs => inputs.map((i) => i.value)")
    return [float(v) for v in values]


def _number(text: str) -> float:
    return float(text.replace("−", "-"))


def _move_and_settle(page: Any) -> int:
    """Move the first slider (the point's x₀) right; wait for the charts, then the readouts."""
    before = render_counts(page)
    pressed = move_first_slider(page)
    wait_for_redraw(page, before)
    wait_idle(page)
    return pressed


def test_gradient_readouts_follow_the_map(page: Any, streamlit_server: str) -> None:
    """Gradient page, f = x² + 3y²: after each move of x₀ the metrics read ∇f at the new point,
    and they change only after the map has painted it."""
    open_page(page, streamlit_server, "gradient")
    page.evaluate(WATCH_METRICS)
    for _ in range(3):
        _move_and_settle(page)
        x0, y0 = _slider_values(page)[:2]
        f, gradient, size, _ = _metrics(page)
        assert _number(f) == pytest.approx(x0**2 + 3 * y0**2, rel=1e-3)
        assert gradient == f"({2 * x0:g}, {6 * y0:g})", (gradient, x0, y0)
        assert _number(size) == pytest.approx(math.hypot(2 * x0, 6 * y0), rel=1e-3)
        map_drawn = drawn_at(page)[0]
        assert page.evaluate("window.__metricChangedAt") >= map_drawn
    assert not exceptions(page), exceptions(page)


def test_partial_derivatives_readouts_follow_the_slices(page: Any, streamlit_server: str) -> None:
    """Partial derivatives, f = x² + 3y²: the metrics follow the point, after the slices."""
    open_page(page, streamlit_server, "partial_derivatives")
    page.evaluate(WATCH_METRICS)
    for _ in range(2):
        _move_and_settle(page)
        x0, y0 = _slider_values(page)[:2]
        f, fx, fy = (_number(t) for t in _metrics(page)[:3])
        assert (f, fx, fy) == pytest.approx((x0**2 + 3 * y0**2, 2 * x0, 6 * y0), rel=1e-3)
        assert page.evaluate("window.__metricChangedAt") >= drawn_at(page)[0]
    assert not exceptions(page), exceptions(page)


def test_a_new_window_redraws_the_point_sliders(page: Any, streamlit_server: str) -> None:
    """Partial derivatives: the x range's upper end moved left by the keyboard gives the x₀
    slider that end (a window move reruns the sliders, not only the charts)."""
    open_page(page, streamlit_server, "partial_derivatives")
    x_range = page.locator('[data-testid="stSlider"]', has_text="x range")
    upper = x_range.get_by_role("slider").nth(1)
    upper.focus()
    before = render_counts(page)
    for _ in range(2):
        page.keyboard.press("ArrowLeft")
    wait_for_redraw(page, before)
    wait_idle(page)
    high = float(upper.input_value())
    assert high < 3.0
    x0_slider = page.locator('[data-testid="stSlider"]', has_text="x₀").get_by_role("slider")
    assert float(x0_slider.get_attribute("max")) == pytest.approx(high)
    assert not exceptions(page), exceptions(page)


@pytest.mark.parametrize("url_path", ["gradient", "partial_derivatives", "gradient_descent"])
def test_a_move_asks_for_two_runs_and_then_none(
    page: Any, streamlit_server: str, url_path: str
) -> None:
    """One move: the charts' run and the readouts' run, then the page stays quiet (the
    readouts' rerun never asks for another)."""
    page.add_init_script(COUNT_REQUESTS)
    open_page(page, streamlit_server, url_path)
    page.wait_for_timeout(1500)
    sent = page.evaluate("window.__sent")
    _move_and_settle(page)
    page.wait_for_timeout(1500)
    assert page.evaluate("window.__sent") - sent == 2
    assert not exceptions(page), exceptions(page)


def test_gradient_descent_cards_follow_the_map(page: Any, streamlit_server: str) -> None:
    """Gradient descent, bowl: moving κ (the first slider) changes the stability bound written
    under each learning rate, after the map has painted the new bowl."""
    open_page(page, streamlit_server, "gradient_descent")
    main = page.locator('[data-testid="stMain"]')
    bound = "stable on this quadratic for η < 2/λmax = "
    assert bound + "0.2\n" in main.inner_text()
    _move_and_settle(page)  # κ 10 -> 11: λmax = 11
    assert bound + "0.18\n" in main.inner_text()
    assert not exceptions(page), exceptions(page)


@pytest.mark.parametrize("url_path", ["partial_derivatives", "gradient", "gradient_descent"])
def test_a_move_never_resizes_a_chart(page: Any, streamlit_server: str, url_path: str) -> None:
    """Twenty moves of the point: no chart's iframe changes size, not even for a moment. A
    resized chart is drawn again from scratch (a 3D scene: 100-150 ms holding the page). An
    ``st.empty`` slot for the 3D view did that, in about one move in ten: the browser showed the
    slot's placeholder between two messages and the iframe collapsed to 0 x 0."""
    page.add_init_script(WATCH_CHART_SIZES)
    open_page(page, streamlit_server, url_path)
    page.wait_for_timeout(1000)
    sizes = page.evaluate("window.__chartSizes")
    shown = {chart: (width, height) for chart, width, height in sizes}
    assert shown, "no chart's size was observed"
    assert all(width > 0 and height > 0 for width, height in shown.values()), shown
    page.evaluate("window.__chartSizes = []")
    for move in range(20):
        before = render_counts(page)
        move_first_slider(page, "ArrowRight" if move < 10 else "ArrowLeft")
        wait_for_redraw(page, before)
        wait_idle(page)
    assert page.evaluate("window.__chartSizes") == []
    assert not exceptions(page), exceptions(page)
