"""Launch a real Streamlit server and a headless Chromium, and read live charts in the page.

The one place for this: ``tests/e2e`` (fixtures and helpers) and ``bench/interaction.py`` both
import it. No pytest here; callers decide whether a missing browser is a skip or a failure.

DOM facts (Streamlit 1.67, checked in a real page):

* a ``live_chart`` is ``iframe[title="ui.live_chart.live_chart"]``
  (``data-testid="stCustomComponentV1"``); inside it the plotly div is ``#chart`` with
  ``data-render-count``, ``data-drawn-at`` and ``data-revision``;
* a slider (react-aria) is ``[data-testid="stSlider"] input[type="range"]``, visually hidden
  (1x1 px, clipped) inside the thumb; there is no ``[role="slider"]``. Focus the input and press
  ArrowRight / ArrowLeft (one step each);
* the "running" indicator is ``[data-testid="stStatusWidget"]``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from deploy.run_replicas import free_port, stop_process_group

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 900}

LIVE_CHART_IFRAME = 'iframe[title="ui.live_chart.live_chart"]'
PLOTLY_CHART = '[data-testid="stPlotlyChart"]'
SLIDER_INPUT = '[data-testid="stSlider"] input[type="range"]'
STATUS_WIDGET = '[data-testid="stStatusWidget"]'
EXCEPTION = '[data-testid="stException"]'


def find_chromium() -> str | None:
    """Path of a Chromium executable, or None."""
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    return shutil.which("chromium")


def playwright_available() -> bool:
    """Whether the playwright Python package is importable."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return True


@contextlib.contextmanager
def streamlit_server(
    script: str | Path = "dashboard.py",
    extra_args: Sequence[str] = (),
    timeout: float = 60.0,
) -> Iterator[str]:
    """Run ``streamlit run script`` on a free port of 127.0.0.1; yield its base URL.

    The server runs in its own process group and is terminated at exit, also on failure.
    """
    port = free_port()
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(script),
        "--server.address", "127.0.0.1",
        "--server.port", str(port),
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        *extra_args,
    ]  # fmt: skip
    # The server's output goes to a file, not an unread pipe: a full pipe would block it.
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below
    proc = subprocess.Popen(
        cmd, cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(proc, base_url, timeout, log)
        yield base_url
    finally:
        stop_process_group(proc)
        log.close()


def _wait_healthy(proc: subprocess.Popen[bytes], base_url: str, timeout: float, log: Any) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            err = log.read().decode(errors="replace")
            raise RuntimeError(f"streamlit exited with {proc.returncode}:\n{err[-2000:]}")
        try:
            with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"streamlit did not answer {base_url}/_stcore/health in {timeout:.0f} s")


def launch_browser(playwright: Any, executable_path: str | None = None) -> Any:
    """Headless Chromium (Debian's, never a downloaded one) with the project's flags."""
    return playwright.chromium.launch(
        executable_path=executable_path or find_chromium() or CHROMIUM,
        headless=True,
        args=CHROMIUM_ARGS,
    )


def new_page(browser: Any) -> Any:
    """A fresh page (own context, so no shared cache or cookies) at the standard viewport."""
    context = browser.new_context(viewport=VIEWPORT)
    return context.new_page()


# ---- reading the page -------------------------------------------------------------------


def live_chart_frames(page: Any) -> list[Any]:
    """The Playwright ``Frame`` of every live_chart iframe on the page, in page order."""
    frames = []
    for handle in page.query_selector_all(LIVE_CHART_IFRAME):
        frame = handle.content_frame()
        if frame is not None:
            frames.append(frame)
    return frames


def _chart_attr(frame: Any, name: str) -> str | None:
    try:
        return frame.evaluate(
            f"() => {{ const d = document.getElementById('chart');"
            f" return d ? d.getAttribute('{name}') : null; }}"
        )
    except Exception:  # the iframe may be reloading
        return None


def render_counts(page: Any) -> list[int]:
    """``data-render-count`` of each live chart (0 when not drawn yet)."""
    return [int(_chart_attr(f, "data-render-count") or 0) for f in live_chart_frames(page)]


def revisions(page: Any) -> list[str | None]:
    """``data-revision`` of each live chart (None when not drawn yet)."""
    return [_chart_attr(f, "data-revision") for f in live_chart_frames(page)]


def drawn_at(page: Any) -> list[int]:
    """``data-drawn-at`` (``Date.now()`` ms, painted) of each live chart; 0 when not drawn."""
    return [int(_chart_attr(f, "data-drawn-at") or 0) for f in live_chart_frames(page)]


# Readouts that follow their charts (ui/fragments.py) and have not caught up yet.
FOLLOWING = "() => window.__afterChartsBehind ? window.__afterChartsBehind.size : 0"


def wait_idle(page: Any, timeout: float = 30.0) -> None:
    """Wait until the script is not running (no status widget) and no readouts are still to
    follow their charts, for a short settle period."""
    deadline = time.monotonic() + timeout
    quiet_since = None
    while time.monotonic() < deadline:
        if page.query_selector(STATUS_WIDGET) is None and not page.evaluate(FOLLOWING):
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since > 0.3:
                return
        else:
            quiet_since = None
        time.sleep(0.05)
    raise TimeoutError(f"the app was still running after {timeout:.0f} s")


def wait_for_charts(page: Any, timeout: float = 30.0) -> None:
    """Wait until some chart is on the page and every live chart has drawn at least once."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        counts = render_counts(page)
        if counts and min(counts) >= 1:
            return
        if not page.query_selector(LIVE_CHART_IFRAME) and page.query_selector(PLOTLY_CHART):
            return
        if page.query_selector(EXCEPTION):
            return  # let the caller report it
        time.sleep(0.05)
    counts = render_counts(page)
    raise TimeoutError(f"no chart drawn after {timeout:.0f} s (render counts {counts})")


def open_page(
    page: Any, base_url: str, url_path: str = "", timeout: float = 60.0, charts: bool = True
) -> None:
    """Go to ``base_url/url_path`` and wait until the script is idle and the charts are drawn.

    ``charts=False`` for a page that draws none (it is then only waited on to be idle).
    """
    page.goto(f"{base_url.rstrip('/')}/{url_path.lstrip('/')}", wait_until="domcontentloaded")
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout * 1000)
    start = time.monotonic()
    if charts:
        wait_for_charts(page, timeout)
    else:
        page.wait_for_selector('[data-testid="stMain"] h1', timeout=timeout * 1000)
    wait_idle(page, max(1.0, timeout - (time.monotonic() - start)))


def has_slider(page: Any) -> bool:
    """Whether the page shows a Streamlit slider."""
    return page.query_selector(SLIDER_INPUT) is not None


def move_first_slider(page: Any, key: str = "ArrowRight") -> int:
    """Focus the first slider and press ``key``; return ``Date.now()`` just before the press.

    A slider already at its end does not move: then the opposite arrow is pressed instead.
    """
    slider = page.locator(SLIDER_INPUT).first
    slider.focus()
    before = slider.input_value()
    pressed_at = page.evaluate("() => Date.now()")
    page.keyboard.press(key)
    if slider.input_value() == before:
        opposite = {
            "ArrowRight": "ArrowLeft",
            "ArrowLeft": "ArrowRight",
            "ArrowUp": "ArrowDown",
            "ArrowDown": "ArrowUp",
        }.get(key, "ArrowLeft")
        pressed_at = page.evaluate("() => Date.now()")
        page.keyboard.press(opposite)
    return int(pressed_at)


def wait_for_redraw(page: Any, before_counts: Sequence[int], timeout: float = 10.0) -> list[int]:
    """Wait until some live chart's render count rises above ``before_counts``; return counts."""
    deadline = time.monotonic() + timeout
    counts = render_counts(page)
    while time.monotonic() < deadline:
        counts = render_counts(page)
        if any(c > b for c, b in zip(counts, before_counts, strict=False)):
            return counts
        time.sleep(0.1)  # the paint time is stamped in the page; polling hard would only slow it
    raise TimeoutError(f"no live chart redrew in {timeout:.0f} s: {before_counts} -> {counts}")
