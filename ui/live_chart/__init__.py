"""The in-place chart: one plotly div that survives reruns and is redrawn with ``Plotly.react``.

Why this exists (numbers from ARCHITECTURE.md, "Fast interaction: what was measured";
Streamlit 1.67, 2-core machine, software WebGL, slider key press to chart painted, 20 moves):

=============================  ===========================  ==========================
chart                          ``st.plotly_chart`` med/p95  ``live_chart`` med/p95
=============================  ===========================  ==========================
3D surface that changes        1101 / 1300 ms               322 / 394 ms
2D contour + moving marker     163 / 216 ms                 128 / 154 ms
=============================  ===========================  ==========================

``st.plotly_chart`` derives a chart's identity from its content, so a rerun that changes the
data mounts a brand-new chart: a new WebGL context for 3D (1-2 s in software) and the user's
camera and zoom are lost. This component's identity is its ``key``, so new data reaches the
*same* plotly div and plotly.js updates it in place; a constant ``layout.uirevision`` keeps the
camera and zoom.

How it works:

* A Streamlit components-v1 component (an iframe, no npm, no build step). Its frontend is
  ``frontend/index.html`` and ``frontend/live_chart.js``. plotly.js is *not* in git: at import,
  the two files and the installed plotly package's ``package_data/plotly.min.js`` are gathered
  in a serving folder under the temp dir named with plotly's version and a hash of the frontend
  files (built under a temporary name and renamed into place, so concurrent processes agree).
  Streamlit refuses symlinks that leave a component's folder, hence a hard link or a copy.
* Python sends ``json.loads(fig.to_json())``: numpy arrays travel as compact base64 dicts
  (``{"dtype": "f4", "bdata": "..."}``) that plotly.js decodes; never lists. Each trace, the
  layout and the frames go as JSON text, written once: the hash of these texts is the figure's
  ``revision``, and the browser compares traces by their text and parses only those that
  changed (writing the figure three times, for two hashes and for Streamlit, cost the gradient
  page 10 ms a move). With them go the height and the download filename.
* The JS loads plotly once, keeps only the newest figure and draws it with
  ``await Plotly.react(div, {data, layout, frames, config})`` in a loop, so updates that arrive
  mid-draw merge into one. Frames (``fig.frames``, plotly's own slider or play button) work.
  It follows Streamlit's light/dark theme: transparent backgrounds; font, axis, grid, legend and
  hover colours from the theme, overriding the template's.
* When only some scatter traces changed (a point moved on a map whose shading, arrows and level
  lines stay put), the JS redraws just those traces with ``Plotly.animate`` (``redraw: false``)
  and applies the few layout changes that are cheap (the title's text, a slider's active step, a
  background image), instead of ``Plotly.react`` redrawing every trace. A new plain title or a
  new ``data:`` picture is swapped in the chart's SVG directly (and in plotly's layout):
  ``Plotly.relayout`` would first work out every trace's defaults again (gradient map, in-page
  draw median 72 -> 54 ms); ``data-swapped`` lists what was. It falls back to a full
  draw for anything else: a new trace count, other layout changes, a trace whose type, legend
  entry (a new name in the legend is restyled in after the move: ``data-renamed`` lists those
  traces) or axes changed or that lost an attribute, an autoranged axis (it must follow the new
  data), and any non-scatter trace on the chart's 2D axes (plotly's partial redraw would wipe a
  heatmap). Moving labels are therefore text traces, not annotations (a relayout of annotations
  costs 20-40 ms here). New frames replace the old by name.
* Charts of one page take turns: a chart drawn with ``follows=True`` (a 3D view) waits until
  the page's other charts have painted what the same rerun sent them (see ``follows``), and
  any other chart of the page (same key prefix) that received a figure it has not painted yet
  (one a later fragment of the same run sent, a study's chart).
* Each chart books, on the page's window, the revision it received and the one it painted
  (``__liveChartsReceived``, ``__liveChartsPainted``) and announces both with a ``live-chart``
  event: readouts that follow the charts (``ui/fragments.py``) rerun once they have painted.
  :func:`last_sent` gives Python the revision last sent to a chart in the session. In
  software WebGL (no GPU: SwiftShader, llvmpipe) 3D scenes are drawn without multisampling,
  which plotly asks for and which there roughly doubles the cost of a 3D redraw (partial
  derivatives' 3D view, p95 576 -> 347 ms); with a GPU nothing changes.
* What the user does in the chart comes back as the component's value: where a plotly slider
  stopped (reported once a drag or a playing animation ends, so playback never triggers a
  rerun), and, for a chart drawn with ``clicks=True``, where the plot area was clicked, in data
  coordinates (a press and release without a drag; ``data-clicks`` counts them).
* After each completed, painted draw the div ``#chart`` carries ``data-render-count``,
  ``data-drawn-at`` (``Date.now()`` when the frame that paints the draw began: a 2D draw
  changes the chart's SVG in the microtasks after the plotly call, so that is the frame
  requested at the call, checked by a MutationObserver; for WebGL, or a chart that changed
  after that frame, the frame after plotly's promise resolved), ``data-painted-by`` ("frame" or
  "after", which of the two), ``data-revision``, ``data-received-at`` (when the figure reached
  the iframe), ``data-draw-ms`` (from then to painted) and ``data-full-draw`` (empty after a
  quick draw, else why the figure was drawn in full), ``data-swapped`` (the layout changes a
  quick draw made in the SVG itself) and ``data-relaid`` (those it left to ``Plotly.relayout``,
  which redraws much of the chart: a play button whose frames changed, say): tests and
  ``bench/`` read them.
  ``window.liveChartRedrawFully()`` in the iframe draws the figure shown again from scratch (a
  test compares the two pictures).

In the browser the iframe is ``iframe[title="ui.live_chart.live_chart"]``
(``data-testid="stCustomComponentV1"``). Under AppTest it is an unknown element: read its
figure with :func:`figure_from_element`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import plotly
import plotly.graph_objects as go
import streamlit as st
import streamlit.components.v1 as components
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from viz.frames import at_frame

__all__ = [
    "COMPONENT_NAME",
    "figure_from_element",
    "last_sent",
    "live_chart",
    "payload_from_element",
]

_FRONTEND = Path(__file__).resolve().parent / "frontend"
_FRONTEND_FILES = ("index.html", "live_chart.js")
# Streamlit names a v1 component "<declaring module>.<name>"; the iframe's title is that name.
COMPONENT_NAME = "ui.live_chart.live_chart"
# Session State key of the revisions last sent to each chart of the session (chart key -> revision).
_LAST_SENT = "live_chart.sent"


def _plotly_js() -> Path:
    """The plotly.js bundle shipped inside the installed plotly package."""
    return Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"


def _serving_folder() -> Path:
    """Build (once per plotly version and frontend content) the folder Streamlit serves.

    Returns:
        An absolute folder holding ``index.html``, ``live_chart.js`` and ``plotly.min.js``.
    """
    digest = hashlib.sha256()
    for name in _FRONTEND_FILES:
        digest.update((_FRONTEND / name).read_bytes())
    base = Path(os.environ.get("LIVE_CHART_CACHE_DIR") or Path(tempfile.gettempdir()))
    folder = base / f"live_chart-plotly{plotly.__version__}-{digest.hexdigest()[:12]}"
    if (folder / "plotly.min.js").is_file():
        return folder
    base.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=folder.name + ".tmp-", dir=base))
    try:
        for name in _FRONTEND_FILES:
            shutil.copyfile(_FRONTEND / name, building / name)
        try:
            os.link(_plotly_js(), building / "plotly.min.js")
        except OSError:  # another file system, or links not allowed
            shutil.copyfile(_plotly_js(), building / "plotly.min.js")
        os.chmod(building, 0o755)
        try:
            os.replace(building, folder)
        except OSError:  # another process won the race: its folder is as good as ours
            if not (folder / "plotly.min.js").is_file():
                raise
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return folder


_SERVING_FOLDER = _serving_folder()
_component: Any = None


def _declared_component() -> Any:
    """The declared component, registered with the running Streamlit server.

    Declared lazily, from inside a script run: imported outside one (a test importing
    :func:`figure_from_element`), ``declare_component`` would skip the registration and the
    server would then answer 404 for the component's files.
    """
    global _component
    if _component is None or (
        Runtime.exists()
        and Runtime.instance().component_registry.get_component_path(COMPONENT_NAME) is None
    ):
        _component = components.declare_component("live_chart", path=str(_SERVING_FOLDER))
    return _component


def live_chart(
    fig: go.Figure | dict[str, Any],
    *,
    key: str,
    height: int = 460,
    filename: str | None = None,
    on_change: Callable[[], None] | None = None,
    frame: int | None = None,
    follows: bool = False,
    clicks: bool = False,
    summary: str | None = None,
) -> dict[str, Any] | None:
    """Draw ``fig`` in a chart that updates in place on every rerun.

    Use it for every chart that a slider, a typed formula or a button redraws. The chart keeps
    its plotly div across reruns (its identity is ``key``), so only the data changes: no
    remount, camera and zoom kept (``layout.uirevision`` defaults to ``key``).

    Args:
        fig: the figure; numpy arrays in it travel as compact binary, keep them numpy
            (float32 where precision allows). ``fig.frames`` animate in the browser. Or the
            figure as a JSON-ready dict (``json.loads(fig.to_json())``), e.g. a cached one.
        key: page-prefixed and stable across reruns, e.g. ``"home.loss_chart"``.
        height: the chart's height in pixels (the figure's own ``layout.height`` is ignored).
        filename: name of the PNG the camera button saves; defaults to ``key``.
        frame: for a figure with frames, the frame to show. When only this changes between
            reruns, the browser plays that frame instead of redrawing the figure (a slider
            outside the chart then moves it as fast as the chart's own slider).
        follows: True for a 3D chart that follows a slider the page's 2D charts show: it
            gets the revisions this run sent to the other charts of its page (same key
            prefix, drawn before it in the script) and the browser draws it once they have
            painted them, not in competition with them (a 3D redraw holds the page for
            100-200 ms in software WebGL; partial derivatives, every 2D chart painted, p95
            377 -> 310 ms). Call it after those charts: a column or container made before
            them keeps its place on the page. Never an ``st.empty`` slot: the browser may show
            the slot's placeholder between two messages, which collapses the chart's iframe to
            0 x 0 for a moment, and plotly then draws the 3D scene again from scratch (one
            move in ten; partial derivatives, slices p95 225 -> 148 ms). Not for a 2D chart:
            waiting made "every chart painted" later (Jacobian page, interleaved A/B: p95
            233 -> 188 ms without it).
        on_change: called before the next rerun, like a widget callback, when the user moves
            one of the figure's own plotly sliders (or clicks the plot, with ``clicks``); it
            reads what happened from ``st.session_state[key]`` (the return value below).
        summary: what the chart shows now, in words and the numbers a learner would read off
            it (for screen readers and for anyone who prefers reading): the plot's label, and
            a "Chart as text" line under it. Every page passes one.
        clicks: True to report a click on the plot area (a press and release without a drag,
            reported 300 ms later unless it was a double-click: a drag still zooms and a
            double-click still resets the view). Off by default: a click then does nothing.

    Returns:
        None until the user moves a plotly slider of the figure or clicks it; then the latest
        of these, either where a slider stopped, as
        ``{"slider": index, "label": the step's label, "value": the step's value}``
        (``value`` is the string given as the step's ``value`` in the figure; a slider moved by
        the chart's own play button is reported once, when the animation ends or is paused),
        or, with ``clicks``, where the plot was clicked, in data coordinates, as
        ``{"click": {"x": x, "y": y, "subplot": "xy", "at": time in ms}}`` (``subplot`` names
        the axes pair, e.g. ``"x2y2"``; ``at`` tells two clicks on one spot apart).

    Example:
        >>> fig = go.Figure(go.Scatter(x=np.linspace(-2, 2, 50, dtype=np.float32), y=...))
        >>> live_chart(fig, key="home.loss_chart")  # doctest: +SKIP
    """
    spec = json.loads(fig.to_json()) if isinstance(fig, go.Figure) else fig
    base_revision = frame_name = None
    frames = spec.get("frames") or []
    # Each part is written as JSON text once: its hash is the revision, and the text is what is
    # sent (the browser compares traces by their text and parses only those that changed).
    frames_text = _text(frames) if frames else None
    known: dict[int, str] = {}  # id of a trace dict -> its text, within this call
    if frame is not None:
        base_revision = _figure_revision(*_part_texts(spec, known), frames_text)
        frame_name = frames[frame]["name"]
        spec = at_frame(spec, frame)  # shares the traces the frame does not change
    # A shallow copy: the caller's (perhaps cached) figure is never modified.
    spec = {**spec, "layout": {"uirevision": key, **spec.get("layout", {})}}
    traces, layout = _part_texts(spec, known)
    revision = _figure_revision(traces, layout, frames_text)
    return _declared_component()(
        traces=traces,
        layout=layout,
        frames=frames_text,
        revision=revision,
        frames_revision=_hash(frames_text) if frames_text else None,
        base_revision=base_revision,
        frame_name=frame_name,
        priority="low" if follows else "normal",
        after=_sent_before(key, revision, follows),
        summary=summary or "",
        presentation=bool(st.session_state.get("present", False)),
        height=int(height),
        filename=filename or key,
        clicks=bool(clicks),
        key=key,
        default=None,
        on_change=on_change,
    )


def _sent_before(key: str, revision: str, follows: bool) -> dict[str, str]:
    """Record that chart `key` is sent `revision` in this script run; for a chart that follows,
    the revisions sent earlier in this run to the other charts of its page (keys with the same
    prefix: "pd." for "pd.surface"), which the browser waits to see painted before drawing it.

    The record lives on the run's context and starts empty with each run (a new ``cursors``
    dict marks a new run, a fragment's included), so a chart that left the page is never
    waited for."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return {}
    if not follows:
        st.session_state.setdefault(_LAST_SENT, {})[key] = revision
    marker, sent = getattr(ctx, "_live_chart_sent", (None, {}))
    if marker is not ctx.cursors:
        sent = {}
        ctx._live_chart_sent = (ctx.cursors, sent)  # type: ignore[attr-defined]
    if follows:
        prefix = key.split(".", 1)[0] + "."
        return {k: v for k, v in sent.items() if k.startswith(prefix) and k != key}
    sent[key] = revision
    return {}


def last_sent(key: str) -> str | None:
    """The revision of the figure last sent to chart `key` in this session (in any run), or
    None if it was never drawn (or was drawn with ``follows``)."""
    return st.session_state.get(_LAST_SENT, {}).get(key)


def _text(value: Any) -> str:
    """JSON-ready data as compact JSON text (NaN refused: plotly.js cannot read it)."""
    return json.dumps(value, separators=(",", ":"), allow_nan=False)


def _hash(text: str) -> str:
    """A short hash of a text: the browser redraws (or re-adds frames) only when it changes."""
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def _part_texts(spec: dict[str, Any], known: dict[int, str]) -> tuple[list[str], str]:
    """The figure's traces, one JSON text each, and its layout's JSON text. `known` holds the
    texts of trace dicts already written (by id, within one call: the dicts are alive), and
    gets those written here."""
    traces = []
    for trace in spec.get("data", []):
        if id(trace) not in known:
            known[id(trace)] = _text(trace)
        traces.append(known[id(trace)])
    return traces, _text(spec.get("layout", {}))


def _figure_revision(traces: list[str], layout: str, frames: str | None) -> str:
    """The revision of a figure given as its parts' texts (a hash of all of them)."""
    return _hash("\n".join([*traces, layout, frames or ""]))


def payload_from_element(el: Any) -> dict[str, Any]:
    """The arguments a ``live_chart`` element carries, read from an AppTest element, with the
    figure they describe as ``"figure"``.

    Under AppTest the component is an ``UnknownElement``; its proto is a ``ComponentInstance``
    whose ``json_args`` is the JSON of ``{traces, layout, frames, revision, height, key, ...}``
    (each trace, the layout and the frames as JSON text).

    Example:
        >>> at = AppTest.from_file(path, default_timeout=30).run()  # doctest: +SKIP
        >>> payload_from_element(at.get("component_instance")[0])["key"]  # doctest: +SKIP
        'home.loss_chart'
    """
    proto = getattr(el, "proto", el)
    if getattr(proto, "component_name", COMPONENT_NAME) != COMPONENT_NAME:
        raise ValueError(f"not a live_chart element: {proto.component_name!r}")
    payload = json.loads(proto.json_args)
    figure = {
        "data": [json.loads(trace) for trace in payload["traces"]],
        "layout": json.loads(payload["layout"]),
    }
    if payload.get("frames"):
        figure["frames"] = json.loads(payload["frames"])
    return {**payload, "figure": figure}


def figure_from_element(el: Any) -> dict[str, Any]:
    """The figure dict (``data``, ``layout``, maybe ``frames``) of an AppTest live_chart element.

    Arrays stay as plotly's base64 dicts (``{"dtype": "f4", "bdata": "..."}``): decode one with
    ``np.frombuffer(base64.b64decode(a["bdata"]), dtype=a["dtype"])`` (``a.get("shape")`` for 2D
    arrays such as a surface's ``z``).
    """
    return payload_from_element(el)["figure"]
