"""The browserless client and the classroom's /proc readings, without a server."""

from __future__ import annotations

import os
import subprocess
import sys

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.classroom import ClassResult, format_table, process_tree, server_pids, usage
from bench.streamlit_client import StreamlitSession, _make_state, _state_value

FRAGMENT = "f" * 32


def _new_session(session: StreamlitSession, fragment_ids: tuple[str, ...] = ()) -> None:
    msg = ForwardMsg()
    msg.new_session.page_script_hash = "main"
    msg.metadata.run.script_run_id = "run"
    msg.metadata.run.fragment_ids.extend(fragment_ids)
    session._handle(msg.SerializeToString())


def _slider(session: StreamlitSession, path: tuple[int, ...], key: str, fragment: str) -> None:
    msg = ForwardMsg()
    msg.hash = f"hash-{key}"
    msg.metadata.delta_path.extend(path)
    msg.delta.fragment_id = fragment
    slider = msg.delta.new_element.slider
    slider.id = f"$$ID-0123456789abcdef-{key}"
    slider.label, slider.min, slider.max, slider.step = key, -3.0, 3.0, 0.1
    slider.default.append(1.0)
    session._handle(msg.SerializeToString())


def _chart(session: StreamlitSession, path: tuple[int, ...], data: str, ref: bool = False) -> None:
    msg = ForwardMsg()
    msg.metadata.delta_path.extend(path)
    if ref:
        msg.ref_hash = f"hash-{data}"
    else:
        msg.hash = f"hash-{data}"
        msg.metadata.cacheable = True
        msg.delta.new_element.component_instance.json_args = data
    session._handle(msg.SerializeToString())


def _finished(session: StreamlitSession, status: int) -> None:
    msg = ForwardMsg()
    msg.script_finished = status  # type: ignore[assignment]
    session._handle(msg.SerializeToString())


def _navigation(session: StreamlitSession, page_hash: str) -> None:
    msg = ForwardMsg()
    msg.navigation.page_script_hash = page_hash
    session._handle(msg.SerializeToString())


def test_widgets_fragments_cache_and_stale_elements() -> None:
    """Sliders are found with their fragment; ref_hash reuses the cache; stale elements go."""
    session = StreamlitSession("http://127.0.0.1:1", "gradient", timeout=1)
    _new_session(session)
    _navigation(session, "gradient-hash")
    _slider(session, (0, 0), "grad.x0", FRAGMENT)
    _slider(session, (0, 1), "grad.other", "")
    _chart(session, (0, 2), "chart-1")
    _finished(session, ForwardMsg.FINISHED_SUCCESSFULLY)
    assert session.page_script_hash == "gradient-hash"  # navigation's, not new_session's
    x0 = session.widget("grad.x0")
    assert (x0.value, x0.fragment_id, x0.min, x0.max, x0.step) == ((1.0,), FRAGMENT, -3, 3, 0.1)
    assert [w.key for w in session.sliders()] == ["grad.x0", "grad.other"]
    assert "hash-chart-1" in session._cache
    assert session._finished.get_nowait().status == "finished"

    # a fragment run: the slider again, the chart by reference (unchanged)
    _new_session(session, (FRAGMENT,))
    _slider(session, (0, 0), "grad.x0", FRAGMENT)
    _chart(session, (0, 2), "chart-1", ref=True)
    _finished(session, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)
    run = session._finished.get_nowait()
    assert run and run.status == "fragment_finished" and run.changed == 0
    assert [c.json_args for c in session.elements("component_instance")] == ["chart-1"]

    # a full run that draws only the chart, changed: the sliders are gone
    _new_session(session)
    _chart(session, (0, 2), "chart-2")
    _finished(session, ForwardMsg.FINISHED_SUCCESSFULLY)
    assert session.widgets() == []
    assert [c.json_args for c in session.elements("component_instance")] == ["chart-2"]


def test_widget_states_round_trip() -> None:
    """Each widget kind's value goes into the WidgetState field the frontend uses."""
    cases = [
        ("slider", (), (0.5, 1.5), "double_array_value"),
        ("slider", ("a", "b"), ("b",), "string_array_value"),
        ("text_input", (), "x^2", "string_value"),
        ("checkbox", (), True, "bool_value"),
        ("number_input", (), 3.0, "double_value"),
        ("selectbox", (), "Adam", "string_value"),
    ]
    for kind, options, value, field in cases:
        state = _make_state("id", kind, options, value)
        assert state.WhichOneof("value") == field
        assert _state_value(state) == value


def test_proc_readings_of_a_process_tree() -> None:
    """A child started with --server.port is found, counted in the tree, and has memory."""
    child = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(30)", "--server.port", "1"]
    )
    try:
        assert child.pid in server_pids(1)
        assert child.pid in process_tree([os.getpid()])
        now = usage([os.getpid()])
        assert now.rss_mb > 1 and now.cpu_s > 0
    finally:
        child.kill()
        child.wait()


def test_table_has_whole_numbers_and_blanks() -> None:
    """Latencies in whole milliseconds; CPU and memory blank when not measured."""
    result = ClassResult(learners=3, latencies=[0.0404, 0.0606, 0.5], errors=1)
    lines = format_table([result]).splitlines()
    assert lines[0].split()[:6] == ["learners", "moves", "p50", "ms", "p95", "ms"]
    assert lines[1].split() == ["3", "3", "61", "456", "500", "1"]  # the rest blank
