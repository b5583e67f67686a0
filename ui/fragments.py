"""A move of the point reaches the browser charts first, the rest after.

A slider in a fragment reruns the whole fragment, and the browser renders every element the
rerun re-sends before the charts that come with it are drawn (bench/README: a slider or a
LaTeX line costs it some 2-4 ms, a metric ~1.6 ms). On a page whose point moves a map, numbers
and formulas, the map then waits for the sliders and the numbers. Two pieces avoid that:

* :func:`rerun_only`, a widget callback: the point's sliders rerun only the fragment that holds
  the charts (``@st.fragment(key=...)``, Streamlit's keyed ``st.rerun``), not the sliders
  themselves nor anything else around the charts;
* :func:`after_charts`, called first in the fragment that holds what only reads the point
  (readouts, formulas, studies): an invisible element whose JavaScript watches the charts
  named, and once each has painted the figure it was last sent, asks for a rerun of its own
  fragment. The readouts follow the charts some 50-100 ms later instead of delaying them.

Each live chart books, on the page's window, the revision it received
(``__liveChartsReceived``) and the one it painted (``__liveChartsPainted``) and announces both
with a ``live-chart`` event; :func:`after_charts` sends the browser the revisions its fragment
was computed with (the last ones sent, :func:`ui.live_chart.last_sent`). It asks for a rerun
when a chart received, after those readouts arrived, a revision other than the one they saw,
and every watched chart has painted (or failed to draw) what it received, or 1.5 s after a
chart received a figure it has not painted (a chart that was removed). One request at a time:
the rerun it asks for runs after the one that sent the charts, so its answer has seen them all;
unanswered after 0.7 s (the browser folded it into a learner's move made at that moment, whose
run replaced it), it asks again.
A full run (a typed formula, a link) runs every fragment in order, so the readouts are never
behind there.

A callback that sets the value of a widget must rerun the fragment that draws that widget
(name it in :func:`rerun_only`): the browser knows a widget's value from its last drawing and
sends it back with the next rerun request, where it would undo the callback's (the readouts'
own rerun is such a request). So a new surface, which resets the settings under the chart,
reruns the chart's fragment and then theirs, and a new window reruns the point's sliders.

Under AppTest, which builds each run's tree from that run alone and models every interaction
as a full run, :func:`rerun_only` does nothing (the full run follows) and :func:`after_charts`
never fires: the page's text is always complete there. The browser tests check both pieces.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import streamlit as st
from streamlit.errors import StreamlitAPIException
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from ui.live_chart import last_sent

__all__ = ["after_charts", "rerun_only"]


def _serving_a_browser() -> bool:
    """True in a session of a real server; False under AppTest (its Runtime is a stand-in)."""
    return Runtime.exists() and type(Runtime.instance()) is Runtime


def rerun_only(*fragments: str) -> None:
    """A widget callback: rerun only the fragments named (their ``@st.fragment(key=...)``)
    instead of the one the widget is in, so the browser gets only what they draw.

    Example:
        >>> st.slider("x₀", ..., on_change=rerun_only, args=("grad.charts",))  # doctest: +SKIP
    """
    if not fragments or not _serving_a_browser():
        return
    ctx = get_script_run_ctx()
    known = []
    for name in fragments:  # one not drawn in this session yet would be an error: skip it
        try:
            ctx.fragment_storage.resolve_target(name)
        except StreamlitAPIException:
            continue
        known.append(name)
    if known:
        st.rerun(known)


_JS = """
const MAX_WAIT_MS = 1500; // for a chart to paint what it received (one removed never does)
// For the rerun asked for to come back. The browser may fold the request into a learner's
// move made at the same moment, whose run then replaces it: the readouts ask again.
const ANSWER_MS = 700;
export default function (component) {
  const { data, setTriggerValue, parentElement } = component;
  const host = parentElement;
  const state = host.__afterCharts || (host.__afterCharts = { timer: null });
  // Each run of the fragment sends new data (`run` differs): the readouts were computed now,
  // with the charts' revisions `seen`. A chart that received its figure before this is not
  // ahead of them: its figure is one of these, or a newer one is on its way.
  state.dataAt = Date.now();
  state.askedAt = null;
  state.name = data.name;
  state.charts = data.charts || [];
  state.seen = data.seen || {};
  state.send = setTriggerValue;
  const check = () => {
    const received = window.__liveChartsReceived;
    const painted = window.__liveChartsPainted;
    if (!received || !painted) return;
    let behind = false;
    let waitingSince = null;
    for (const key of state.charts) {
      const got = received.get(key);
      if (got && got.at >= state.dataAt && got.revision !== state.seen[key]) behind = true;
      if (got && painted.get(key) !== got.revision) {
        waitingSince = Math.min(waitingSince ?? got.at, got.at);
      }
    }
    // Readouts still to follow their charts, by name: tests wait for this to empty.
    const following = window.__afterChartsBehind || (window.__afterChartsBehind = new Set());
    if (!behind) {
      following.delete(state.name);
      return;
    }
    following.add(state.name);
    if (state.askedAt !== null && Date.now() - state.askedAt < ANSWER_MS) return; // one at a time
    if (waitingSince !== null && Date.now() - waitingSince < MAX_WAIT_MS) {
      clearTimeout(state.timer);
      state.timer = setTimeout(state.handler, MAX_WAIT_MS - (Date.now() - waitingSince));
      return;
    }
    state.askedAt = Date.now();
    state.send("painted", state.askedAt);
    clearTimeout(state.timer);
    state.timer = setTimeout(state.handler, ANSWER_MS + 20);
  };
  state.check = check;
  if (!state.handler) {
    // One listener per element, dropped once the element has left the page.
    state.handler = () => {
      if (!host.isConnected) {
        window.removeEventListener("live-chart", state.handler);
        if (window.__afterChartsBehind) window.__afterChartsBehind.delete(state.name);
        state.handler = null;
        return;
      }
      state.check();
    };
    window.addEventListener("live-chart", state.handler);
  }
  check();
}
"""

_component = None


def _mount():
    global _component
    if _component is None:
        _component = st.components.v2.component("after_charts", js=_JS, isolate_styles=False)
    return _component


def after_charts(charts: Sequence[str], *, key: str) -> None:
    """Rerun the calling fragment once the live charts `charts` (their keys) have painted what
    the page last sent them; call it first in the fragment that holds the readouts.

    Example:
        >>> @st.fragment
        ... def readouts() -> None:  # doctest: +SKIP
        ...     after_charts(("grad.map", "grad.polar"), key="grad.after")
        ...     st.metric("|∇f|", ...)
    """
    seen = {chart: last_sent(chart) for chart in charts}
    _mount()(
        key=key,
        data={
            "name": key,
            "charts": list(charts),
            "seen": {k: v for k, v in seen.items() if v},
            "run": time.monotonic_ns(),  # new data each run: the browser knows when it came
        },
        height=0,
        on_painted_change=lambda: None,
    )
