"""ui.fragments under AppTest: the readouts' element carries what their fragment was computed
with, and a keyed rerun never cuts a test's run short (AppTest models every interaction as a
full run). The browser side is tests/e2e/test_charts_first_browser.py."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from ui.live_chart import payload_from_element


def _app() -> None:
    import numpy as np
    import plotly.graph_objects as go
    import streamlit as st

    from ui.fragments import after_charts, rerun_only
    from ui.live_chart import live_chart

    @st.fragment(key="t.point")
    def point() -> None:
        st.slider(
            "w", -2.0, 2.0, 0.5, step=0.25, key="t.w", on_change=rerun_only, args=("t.chart",)
        )
        chart()

    @st.fragment(key="t.chart")
    def chart() -> None:
        x = np.linspace(-1, 1, 5, dtype=np.float32)
        w = np.float32(st.session_state["t.w"])
        live_chart(go.Figure(go.Scatter(x=x, y=w * x)), key="t.line", height=300)

    @st.fragment(key="t.readouts")
    def readouts() -> None:
        after_charts(("t.line", "t.gone"), key="t.after")
        st.metric("slope", f"{st.session_state['t.w']:g}")

    point()
    readouts()


def _after_charts_data(at: AppTest) -> dict:
    (element,) = [el for el in at.get("bidi_component")]
    return json.loads(element.proto.json)


def _sent_revision(at: AppTest) -> str:
    (chart,) = at.get("component_instance")
    return payload_from_element(chart)["revision"]


def test_the_readouts_know_the_revision_last_sent_to_each_chart() -> None:
    at = AppTest.from_function(_app, default_timeout=30).run()
    assert not at.exception
    data = _after_charts_data(at)
    assert data["name"] == "t.after"
    assert data["charts"] == ["t.line", "t.gone"]
    # the chart that was never drawn has no revision to wait for
    assert data["seen"] == {"t.line": _sent_revision(at)}


def test_a_move_under_apptest_is_a_full_run() -> None:
    """The slider's callback asks for the chart's fragment only; under AppTest it does nothing
    and the whole page runs: the chart and the readouts both follow."""
    at = AppTest.from_function(_app, default_timeout=30).run()
    first = _sent_revision(at)
    at.slider(key="t.w").set_value(1.5).run()
    assert not at.exception
    assert at.metric[0].value == "1.5"
    assert _sent_revision(at) != first
    assert _after_charts_data(at)["seen"] == {"t.line": _sent_revision(at)}
    assert len(at.slider) == 1  # the slider's fragment ran too
