"""Browser-side sweeps: frames, their slider, and positioning a cached figure at a frame."""

from __future__ import annotations

import json

import numpy as np

from viz.frames import at_frame, play_button, sweep_slider, with_sweep
from viz.theme import themed_figure


def _spec():
    fig = themed_figure(x_title="x", y_title="y")
    fig.add_scatter(x=np.arange(3, dtype=np.float32), y=np.zeros(3, dtype=np.float32), name="still")
    fig.add_scatter(x=[0.0], y=[0.0], name="moving")
    frames = [
        {"name": str(i), "traces": [1], "data": [{"x": [float(i)], "y": [float(i**2)]}],
         "layout": {"title": {"text": f"i = {i}"}}}
        for i in range(4)
    ]  # fmt: skip
    slider = sweep_slider([str(i) for i in range(4)], [str(i) for i in range(4)], active=0,
                          prefix="i = ", frame_names=[str(i) for i in range(4)])  # fmt: skip
    return with_sweep(fig, frames, slider, buttons=[play_button([str(i) for i in range(4)])])


def test_with_sweep_gives_json_ready_frames_and_controls():
    """Frames, one slider step per frame, a play button: all plain JSON."""
    spec = _spec()
    json.dumps(spec, allow_nan=False)
    assert len(spec["frames"]) == 4
    steps = spec["layout"]["sliders"][0]["steps"]
    assert [s["args"][0] for s in steps] == [["0"], ["1"], ["2"], ["3"]]
    assert spec["layout"]["updatemenus"][0]["buttons"][0]["args"][0] == ["0", "1", "2", "3"]
    assert spec["data"][0]["x"]["dtype"] == "f4"  # numpy stays compact binary


def test_at_frame_moves_only_the_moving_trace_and_leaves_the_cache_alone():
    """Positioned at frame 3: trace 1 and the slider follow; the cached spec is untouched."""
    spec = _spec()
    before = json.dumps(spec, sort_keys=True)
    shown = at_frame(spec, 3)
    assert shown["data"][1]["x"] == [3.0] and shown["data"][1]["y"] == [9.0]
    assert shown["data"][1]["name"] == "moving"
    assert shown["data"][0] is spec["data"][0]
    assert shown["layout"]["sliders"][0]["active"] == 3
    assert shown["layout"]["title"] == {"text": "i = 3"}
    assert json.dumps(spec, sort_keys=True) == before
