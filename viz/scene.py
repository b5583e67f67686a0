"""The 3D scene shared by the surface views: fixed axis ranges, projector-sized labels, a camera.

Fixed ranges matter: a view whose point moves must never rescale its box, and heights outside
the box are cut to gaps (`clipped`) rather than drawn as spikes.
"""

from __future__ import annotations

import functools
import json

import numpy as np
from numpy.typing import ArrayLike, NDArray

from viz.theme import BASE_FONT_SIZE, themed_figure

Range = tuple[float, float]
ASPECT = {"x": 1.0, "y": 1.0, "z": 0.7}


def clipped(values: ArrayLike, z_range: Range) -> NDArray[np.float64]:
    """Heights outside the box become gaps (NaN): a pole or a model that shoots off is cut."""
    v = np.asarray(values, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return np.where((v >= z_range[0]) & (v <= z_range[1]), v, np.nan)


def scene_layout(
    x_range: Range,
    y_range: Range,
    z_range: Range,
    *,
    camera: dict,
    domain: tuple[Range, Range] = ((0.0, 1.0), (0.0, 0.92)),
    margin: int = 8,
) -> dict:
    """A figure layout with one 3D scene over the box, legend on top; a fresh dict each call.

    Args:
        x_range, y_range, z_range: the box's fixed ranges.
        camera: plotly's scene camera (eye, center).
        domain: the scene's (x, y) extent in the figure, as fractions.
        margin: left and right margins in pixels.
    """
    key = json.dumps([x_range, y_range, z_range, camera, domain, margin])
    return json.loads(_scene_layout(key))


@functools.lru_cache(maxsize=128)
def _scene_layout(key: str) -> str:
    x_range, y_range, z_range, camera, domain, margin = json.loads(key)

    def axis(title: str, bounds: Range) -> dict:
        return {
            "showspikes": False,
            "title": {"text": title, "font": {"size": BASE_FONT_SIZE + 1}},
            "range": list(bounds),
            "tickfont": {"size": BASE_FONT_SIZE - 4},  # 3D labels crowd: smaller, fewer
            "nticks": 6,
        }

    fig = themed_figure()
    fig.update_layout(
        scene={
            "xaxis": axis("x", x_range),
            "yaxis": axis("y", y_range),
            "zaxis": axis("f", z_range),
            "aspectmode": "manual",
            "aspectratio": ASPECT,
            "domain": {"x": list(domain[0]), "y": list(domain[1])},
            "camera": camera,
        },
        margin={"l": margin, "r": margin, "t": 8, "b": 8},
        showlegend=True,
        legend={"orientation": "h", "x": 0.0, "y": 1.0, "yanchor": "top", "xanchor": "left"},
        hovermode="closest",
    )
    return json.dumps(json.loads(fig.to_json())["layout"])
