"""The project's one look for every chart: readable on a projector, safe for colour-blind eyes.

`import streamlit` makes plotly's default template "streamlit", whose colours are placeholders
that only `st.plotly_chart` fills in; every figure here therefore names this template itself.
The in-place chart component recolours text, grid and background for Streamlit's dark theme on
the client, so figures are built once, for the light theme.
"""

from __future__ import annotations

import base64

import numpy as np
import plotly.graph_objects as go
from numpy.typing import ArrayLike

# Okabe & Ito (2008): eight colours that stay distinct under the common colour-vision deficiencies.
OKABE_ITO = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "black": "#000000",
}
PALETTE = [
    OKABE_ITO[name] for name in ("blue", "vermillion", "green", "orange", "purple", "sky", "black")
]

# What each colour means across pages, so a learner learns the code once.
FUNCTION_COLOR = OKABE_ITO["blue"]
DERIVATIVE_COLOR = OKABE_ITO["vermillion"]
TANGENT_COLOR = OKABE_ITO["orange"]
POINT_COLOR = OKABE_ITO["black"]
DATA_COLOR = OKABE_ITO["green"]
STEP_COLOR = OKABE_ITO["purple"]
MUTED_COLOR = "#7f7f7f"

FONT_FAMILY = "Source Sans Pro, Inter, Helvetica, Arial, sans-serif"
BASE_FONT_SIZE = 17
LINE_WIDTH = 3.5
MARKER_SIZE = 12
UIREVISION = "keep-view"  # constant, so a redraw keeps the user's zoom and 3D camera

# A sequential scale that reads in grey and for colour-blind eyes (perceptually uniform).
SEQUENTIAL_SCALE = "Viridis"
# A diverging scale for signed values (blue = negative, orange = positive, white = zero).
DIVERGING_SCALE = [[0.0, "#0072B2"], [0.5, "#f7f7f7"], [1.0, "#E69F00"]]

_AXIS = {
    "showgrid": True,
    "gridcolor": "rgba(128,128,128,0.25)",
    "zeroline": True,
    "zerolinecolor": "rgba(128,128,128,0.6)",
    "zerolinewidth": 1.5,
    "linecolor": "rgba(128,128,128,0.8)",
    "ticks": "outside",
    "tickfont": {"size": BASE_FONT_SIZE - 1},
    "title": {"font": {"size": BASE_FONT_SIZE + 2}, "standoff": 8},
    "automargin": True,
}

TEMPLATE = go.layout.Template(
    layout={
        "font": {"family": FONT_FAMILY, "size": BASE_FONT_SIZE, "color": "#1f2933"},
        "colorway": PALETTE,
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "xaxis": _AXIS,
        "yaxis": _AXIS,
        "legend": {
            "font": {"size": BASE_FONT_SIZE - 1},
            "bgcolor": "rgba(255,255,255,0)",
            # Below the plot: a legend on top collides with the title on narrow columns.
            "orientation": "h",
            "yanchor": "top",
            "y": -0.2,
            "xanchor": "left",
            "x": 0,
        },
        "hoverlabel": {"font": {"size": BASE_FONT_SIZE}},
        "margin": {"l": 64, "r": 24, "t": 56, "b": 56},
        "title": {"font": {"size": BASE_FONT_SIZE + 4}, "x": 0.01, "xanchor": "left"},
        "uirevision": UIREVISION,
        "colorscale": {"sequential": SEQUENTIAL_SCALE, "diverging": DIVERGING_SCALE},
    },
    data={
        "scatter": [go.Scatter(line={"width": LINE_WIDTH}, marker={"size": MARKER_SIZE})],
    },
)


def themed_figure(
    *, title: str | None = None, x_title: str | None = None, y_title: str | None = None
) -> go.Figure:
    """A new empty figure in the project's template, with its axes titled by their symbols.

    Args:
        title: shown top left; keep it to a few words.
        x_title, y_title: axis titles, e.g. "w" and "L(w)".

    Returns:
        A `go.Figure` whose layout carries the template and a constant `uirevision`.
    """
    # One constructor call: each update_* call re-validates the layout (8 ms against 3 ms).
    return go.Figure(
        layout={
            "template": TEMPLATE,
            "title": {"text": title},
            "xaxis": {"title": {"text": x_title}},
            "yaxis": {"title": {"text": y_title}},
            "uirevision": UIREVISION,
        }
    )


def typed_array(values: ArrayLike) -> dict[str, str]:
    """An array as plotly.js's compact typed-array spec in float32, as `fig.to_json()` writes it.

    For figures built as JSON-ready dicts (no `go.Figure` validation, which costs milliseconds
    per trace): `{"dtype": "f4", "bdata": base64 of the bytes}`, plus `"shape"` for 2D.
    """
    array = np.ascontiguousarray(values, dtype=np.float32)
    spec = {"dtype": "f4", "bdata": base64.b64encode(array.tobytes()).decode("ascii")}
    if array.ndim > 1:
        spec["shape"] = ", ".join(str(n) for n in array.shape)
    return spec


def with_arrays_decoded(spec: object) -> object:
    """`spec` with every typed-array spec turned back into a numpy array (for inspection)."""
    if isinstance(spec, dict):
        if "bdata" in spec and "dtype" in spec:
            array = np.frombuffer(base64.b64decode(spec["bdata"]), dtype=np.dtype(spec["dtype"]))
            shape = spec.get("shape")
            return array.reshape([int(n) for n in shape.split(",")]) if shape else array
        return {key: with_arrays_decoded(value) for key, value in spec.items()}
    if isinstance(spec, list):
        return [with_arrays_decoded(value) for value in spec]
    return spec
