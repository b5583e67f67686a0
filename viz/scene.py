"""The 3D scene shared by the surface views: fixed axis ranges, projector-sized labels, a camera.

Fixed ranges matter: a view whose point moves must never rescale its box, and heights outside
the box are cut to gaps (`clipped`) rather than drawn as spikes.
"""

from __future__ import annotations

import base64
import functools
import json

import numpy as np
from numpy.typing import ArrayLike, NDArray

from viz.theme import BASE_FONT_SIZE, themed_figure, typed_array

Range = tuple[float, float]
ASPECT = {"x": 1.0, "y": 1.0, "z": 0.7}


def clipped(values: ArrayLike, z_range: Range) -> NDArray[np.float64]:
    """Heights outside the box become gaps (NaN): a pole or a model that shoots off is cut."""
    v = np.asarray(values, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return np.where((v >= z_range[0]) & (v <= z_range[1]), v, np.nan)


def grid_mesh(x: ArrayLike, y: ArrayLike, z: ArrayLike) -> dict:
    """A height grid as a plotly ``mesh3d`` trace's geometry: two triangles per grid cell.

    A moving surface is cheaper as a mesh: in Chromium's software WebGL, ``Plotly.react`` of
    the Hessian's 3D view (a 60 x 60 surface and two 25 x 25 models) took 270-290 ms per move
    with the models as ``surface`` traces and 120-130 ms with them as meshes of the same
    vertices (a bare page, 12 moves each, 2026-11-26). Cells with a NaN corner (a gap) are left
    out; vertices no triangle uses are dropped.

    Args:
        x: (n,) the grid's x values; y: (m,) its y values; z: (m, n) heights, z[j, i] at
            (x[i], y[j]), NaN for gaps.

    Returns:
        {"x", "y", "z"} (float32 typed arrays of the kept vertices) and {"i", "j", "k"} (int32
        typed arrays: each triangle's three vertex indices), ready to merge into a trace.

    Example:
        >>> from viz.theme import with_arrays_decoded
        >>> mesh = grid_mesh([0, 1], [0, 1], [[0, 1], [1, 2]])  # one cell: two triangles
        >>> len(with_arrays_decoded(mesh)["i"])
        2
    """
    heights = np.asarray(z, dtype=np.float64)
    xs, ys = np.meshgrid(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))
    finite = np.isfinite(heights)
    corners = (finite[:-1, :-1], finite[:-1, 1:], finite[1:, :-1], finite[1:, 1:])
    whole = corners[0] & corners[1] & corners[2] & corners[3]
    used = np.zeros_like(finite)
    for dj, di in ((0, 0), (0, 1), (1, 0), (1, 1)):
        used[dj : dj + whole.shape[0], di : di + whole.shape[1]] |= whole
    number = np.cumsum(used.ravel()).reshape(used.shape) - 1  # kept vertex -> its new index
    a, b = number[:-1, :-1][whole], number[:-1, 1:][whole]
    c, d = number[1:, :-1][whole], number[1:, 1:][whole]
    i, j, k = np.concatenate([a, a]), np.concatenate([b, d]), np.concatenate([d, c])
    return {
        "x": typed_array(xs[used]),
        "y": typed_array(ys[used]),
        "z": typed_array(heights[used]),
        "i": _typed_indices(i),
        "j": _typed_indices(j),
        "k": _typed_indices(k),
    }


def _typed_indices(values: ArrayLike) -> dict[str, str]:
    """Vertex indices as plotly.js's compact int32 typed-array spec."""
    array = np.ascontiguousarray(values, dtype=np.int32)
    return {"dtype": "i4", "bdata": base64.b64encode(array.tobytes()).decode("ascii")}


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
