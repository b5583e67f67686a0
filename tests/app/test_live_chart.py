"""live_chart under AppTest: runs without error and carries the figure, arrays still binary."""

from __future__ import annotations

import base64

import numpy as np
import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest

from ui.live_chart import COMPONENT_NAME, figure_from_element, payload_from_element


def _app() -> None:
    import numpy as np
    import plotly.graph_objects as go
    import streamlit as st

    from ui.live_chart import live_chart

    w = st.slider("w", min_value=-2.0, max_value=2.0, value=0.5, step=0.25, key="t.w")
    x = np.linspace(-1, 1, 5, dtype=np.float32)
    fig = go.Figure(go.Scatter(x=x, y=np.float32(w) * x, name="w·x"))
    fig.frames = [go.Frame(data=[go.Scatter(y=x * k)], name=str(k)) for k in (1, 2)]
    fig.update_layout(template="plotly_white")
    live_chart(fig, key="t.chart", height=300)


@pytest.fixture
def at() -> AppTest:
    return AppTest.from_function(_app, default_timeout=30).run()


def _chart(at: AppTest):
    elements = at.get("component_instance")
    assert len(elements) == 1
    return elements[0]


def test_runs_without_exception(at: AppTest) -> None:
    """The component renders under AppTest with no exception."""
    assert not at.exception
    assert _chart(at).proto.component_name == COMPONENT_NAME


def test_payload_carries_the_figure_with_binary_arrays(at: AppTest) -> None:
    """The figure's traces travel as plotly's base64 dicts (dtype + bdata), not as lists."""
    payload = payload_from_element(_chart(at))
    assert payload["key"] == "t.chart"
    assert payload["height"] == 300
    assert payload["filename"] == "t.chart"
    figure = figure_from_element(_chart(at))
    trace = figure["data"][0]
    assert trace["name"] == "w·x"
    assert trace["x"]["dtype"] == "f4"
    x = np.frombuffer(base64.b64decode(trace["x"]["bdata"]), dtype=np.float32)
    np.testing.assert_allclose(x, np.linspace(-1, 1, 5))
    assert figure["layout"]["uirevision"] == "t.chart"  # camera and zoom kept by default
    assert [f["name"] for f in figure["frames"]] == ["1", "2"]
    assert go.Figure(figure).data[0].name == "w·x"  # the dict is a valid figure again


def test_key_is_stable_and_revision_follows_the_data(at: AppTest) -> None:
    """A slider move keeps the element's identity (its key) and changes the revision."""
    before = _chart(at).proto
    at.slider(key="t.w").set_value(1.5).run()
    after = _chart(at).proto
    assert not at.exception
    assert after.id == before.id
    assert "t.chart" in after.id
    old, new = payload_from_element(before), payload_from_element(after)
    assert old["revision"] != new["revision"]
    y = figure_from_element(_chart(at))["data"][0]["y"]
    np.testing.assert_allclose(
        np.frombuffer(base64.b64decode(y["bdata"]), dtype=np.float32), 1.5 * np.linspace(-1, 1, 5)
    )
    at.run()  # an unchanged rerun sends the same revision: the browser skips the redraw
    assert payload_from_element(_chart(at))["revision"] == new["revision"]


def _framed_app() -> None:
    import streamlit as st

    from ui.live_chart import live_chart
    from viz.frames import sweep_slider, with_sweep
    from viz.theme import themed_figure

    step = st.slider("step", min_value=0, max_value=2, value=0, key="t.step")
    fig = themed_figure(x_title="x", y_title="y")
    fig.add_scatter(x=[0.0], y=[0.0], name="moving")
    frames = [
        {"name": f"f{i}", "traces": [0], "data": [{"x": [float(i)], "y": [float(i)]}]}
        for i in range(3)
    ]
    names = [f"f{i}" for i in range(3)]
    spec = with_sweep(fig, frames, sweep_slider(names, names, active=0, prefix="step = "))
    live_chart(spec, key="t.framed", frame=step)
    live_chart(spec, key="t.follower", follows=True)


def test_a_frame_moved_from_outside_keeps_the_figure_and_frames_revisions():
    """Moving to frame 2: the figure's base and frames revisions stay, so the browser plays it."""
    at = AppTest.from_function(_framed_app, default_timeout=30).run()
    first = payload_from_element(at.get("component_instance")[0])
    at.slider(key="t.step").set_value(2).run()
    moved = payload_from_element(at.get("component_instance")[0])
    assert moved["frame_name"] == "f2" and first["frame_name"] == "f0"
    assert moved["base_revision"] == first["base_revision"]
    assert moved["frames_revision"] == first["frames_revision"]
    assert moved["revision"] != first["revision"]
    assert moved["figure"]["data"][0]["x"] == [2.0]
    assert moved["figure"]["layout"]["sliders"][0]["active"] == 2


def test_a_following_chart_draws_at_low_priority():
    """`follows=True` asks the browser to let the slider's own chart paint first."""
    at = AppTest.from_function(_framed_app, default_timeout=30).run()
    main, follower = (payload_from_element(el) for el in at.get("component_instance"))
    assert main["priority"] == "normal" and follower["priority"] == "low"


def test_clicks_are_asked_for_per_chart(at: AppTest) -> None:
    """Clicks are reported only by charts drawn with clicks=True (off by default)."""
    assert payload_from_element(_chart(at))["clicks"] is False

    def clickable() -> None:
        import plotly.graph_objects as go

        from ui.live_chart import live_chart

        live_chart(go.Figure(go.Scatter(x=[0.0, 1.0], y=[0.0, 1.0])), key="t.map", clicks=True)

    app = AppTest.from_function(clickable, default_timeout=30).run()
    assert not app.exception
    assert payload_from_element(app.get("component_instance")[0])["clicks"] is True


def _page_with_a_follower() -> None:
    import plotly.graph_objects as go
    import streamlit as st

    from ui.live_chart import live_chart

    a = st.slider("a", 0, 5, 1, key="p.a")
    live_chart(go.Figure(go.Scatter(y=[a, 2])), key="p.first")
    if a < 3:  # a chart that leaves the page when a reaches 3
        live_chart(go.Figure(go.Scatter(y=[a, 3])), key="p.second")
    live_chart(go.Figure(go.Scatter(y=[1, a])), key="other.chart")  # another page's prefix
    live_chart(go.Figure(go.Scatter3d(x=[0], y=[0], z=[a])), key="p.surface", follows=True)


def test_a_follower_carries_the_revisions_this_run_sent_to_its_page() -> None:
    """``after`` names the charts of the follower's page sent earlier in the same run, with
    their revisions: the browser waits for exactly these to paint. Other pages' charts and
    charts no longer on the page are not waited for."""
    at = AppTest.from_function(_page_with_a_follower, default_timeout=30).run()
    payloads = {p["key"]: p for p in map(payload_from_element, at.get("component_instance"))}
    assert payloads["p.surface"]["after"] == {
        "p.first": payloads["p.first"]["revision"],
        "p.second": payloads["p.second"]["revision"],
    }
    assert payloads["p.first"]["after"] == {} and payloads["p.surface"]["priority"] == "low"
    at.slider(key="p.a").set_value(4).run()
    payloads = {p["key"]: p for p in map(payload_from_element, at.get("component_instance"))}
    assert payloads["p.surface"]["after"] == {"p.first": payloads["p.first"]["revision"]}


def _summarised() -> None:
    import plotly.graph_objects as go
    import streamlit as st

    from ui.live_chart import live_chart

    st.session_state.setdefault("present", False)
    live_chart(go.Figure(go.Scatter(y=[1, 2])), key="s.chart", summary="a line from 1 to 2")


def test_the_summary_and_presentation_mode_travel_with_the_figure() -> None:
    """The chart's text summary goes to the browser with the figure; so does presentation mode
    (the browser scales the figure for a projector)."""
    at = AppTest.from_function(_summarised, default_timeout=30).run()
    payload = payload_from_element(at.get("component_instance")[0])
    assert payload["summary"] == "a line from 1 to 2" and payload["presentation"] is False
    at.session_state["present"] = True
    at.run()
    assert payload_from_element(at.get("component_instance")[0])["presentation"] is True
