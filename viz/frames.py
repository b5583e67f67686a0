"""Browser-side sweeps: a parameter's values precomputed as plotly frames with plotly's slider.

Architecture rule 2: a slider that sweeps a parameter whose values can be computed ahead (x0 of
a tangent, h of a secant) runs in the browser as frames, with no server round trip. The frames
replace only the traces that move; the rest of the figure is drawn once.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go
from plotly.io.json import to_json_plotly

from viz.theme import BASE_FONT_SIZE

_INSTANT = {
    "mode": "immediate",
    "frame": {"duration": 0, "redraw": False},
    "transition": {"duration": 0},
}


def sweep_slider(
    labels: Sequence[str],
    values: Sequence[str],
    *,
    active: int,
    prefix: str | None,
    frame_names: Sequence[str] | None = None,
    start: float = 0.0,
) -> dict[str, Any]:
    """A plotly slider whose steps jump instantly to the named frames.

    Args:
        labels: what each step shows (e.g. "1e-3").
        values: the step values reported back to Python when the user stops on a step.
        active: the index of the step shown first.
        prefix: the current-value caption, e.g. "x₀ = "; None hides it (when the chart's title
            already reads the value out, or labels are only shown at round values).
        frame_names: the frames' names; default the values.
        start: where the slider starts across the chart (0 to 1), leaving room for a button.
    """
    names = list(frame_names or values)
    return {
        "active": active,
        "currentvalue": (
            {"prefix": prefix, "font": {"size": BASE_FONT_SIZE + 1}}
            if prefix is not None
            else {"visible": False}
        ),
        "pad": {"t": 56, "b": 8},
        "len": 1.0 - start,
        "x": start,
        "steps": [
            {"label": label, "value": value, "method": "animate", "args": [[name], _INSTANT]}
            for label, value, name in zip(labels, values, names, strict=True)
        ],
    }


def play_button(
    frames: Sequence[str] | str, *, label: str = "▶ Play", duration_ms: int = 120
) -> dict:
    """A play button that runs through the frames in order (plotly's own animation).

    Args:
        frames: the frames' names in order, or the name of their group (the frames carry
            ``"group": name`` and play in the order the chart holds them). A group keeps the
            button the same when the number of frames changes with a move (the gradient map's
            paths from a new point): a changed button is a ``Plotly.relayout``, which redraws
            the whole chart (60-80 ms on the gradient map, against 25-40 ms for the move).
        label: the button's text.
        duration_ms: how long each frame is shown.
    """
    return {
        "type": "buttons",
        "showactive": False,
        "direction": "left",
        "x": 0.0,
        "xanchor": "left",
        "y": 0.0,
        "yanchor": "top",
        "pad": {"r": 8, "t": 62},
        "buttons": [
            {
                "label": label,
                "method": "animate",
                "args": [
                    frames if isinstance(frames, str) else list(frames),
                    {
                        "mode": "immediate",
                        "fromcurrent": False,
                        "frame": {"duration": duration_ms, "redraw": False},
                        "transition": {"duration": 0},
                    },
                ],
            }
        ],
    }


def at_frame(spec: dict[str, Any], index: int, slider: int = 0) -> dict[str, Any]:
    """The figure as it looks at frame `index`: its moving traces and its slider set there.

    `spec` is a JSON-ready figure dict (``json.loads(fig.to_json())``) whose frames each name
    the traces they replace (``frame["traces"]``). The figure is not modified; the result shares
    the unchanged parts with it, so it is cheap to call on a cached figure on every rerun.
    """
    frame = spec["frames"][index]
    data = list(spec["data"])
    for trace_index, trace in zip(frame["traces"], frame["data"], strict=True):
        data[trace_index] = {**data[trace_index], **trace}
    layout = dict(spec["layout"])
    sliders = copy.deepcopy(layout.get("sliders", []))
    if sliders:
        sliders[slider]["active"] = index
    layout["sliders"] = sliders
    layout.update(frame.get("layout", {}))  # e.g. the title that reads out the frame's numbers
    return {**spec, "data": data, "layout": layout}


def with_sweep(
    fig: go.Figure,
    frames: Sequence[dict[str, Any]],
    slider: dict[str, Any],
    *,
    buttons: Sequence[dict] = (),
) -> dict[str, Any]:
    """The figure as a JSON-ready dict, with its frames, their slider and any play buttons.

    Frames are plain dicts (``{"name", "traces", "data", "layout"}``) with small lists: plotly
    validating a hundred ``go.Frame`` objects would cost a rerun about 100 ms, serialising the
    dicts costs well under 1 ms. The static figure is still validated by plotly.
    """
    fig.update_layout(sliders=[slider], updatemenus=list(buttons))
    spec = json.loads(fig.to_json())
    spec["frames"] = json.loads(to_json_plotly(list(frames)))
    return spec
