"""Page helpers for browser tests (thin re-exports of ``bench/harness.py``, shared with bench).

DOM facts, Streamlit 1.67: a live chart is ``iframe[title="ui.live_chart.live_chart"]``; a slider
is ``[data-testid="stSlider"] input[type="range"]`` (visually hidden, keyboard-focusable).
"""

from __future__ import annotations

from typing import Any

from bench.harness import (
    EXCEPTION,
    LIVE_CHART_IFRAME,
    PLOTLY_CHART,
    SLIDER_INPUT,
    drawn_at,
    has_slider,
    live_chart_frames,
    move_first_slider,
    open_page,
    render_counts,
    revisions,
    wait_for_redraw,
    wait_idle,
)

__all__ = [
    "EXCEPTION",
    "LIVE_CHART_IFRAME",
    "PLOTLY_CHART",
    "SLIDER_INPUT",
    "chart_eval",
    "drawn_at",
    "exceptions",
    "has_slider",
    "live_chart_frames",
    "move_first_slider",
    "open_page",
    "render_counts",
    "revisions",
    "wait_for_redraw",
    "wait_idle",
]


def exceptions(page: Any) -> list[str]:
    """Text of every Streamlit exception box on the page."""
    return [el.inner_text() for el in page.query_selector_all(EXCEPTION)]


def chart_eval(frame: Any, body: str) -> Any:
    """Evaluate ``body`` (a JS expression over ``chart``, the plotly div) inside a live chart."""
    return frame.evaluate(
        f"() => {{ const chart = document.getElementById('chart'); return {body}; }}"
    )
