"""Contour maps drawn cheaply: level lines as plain segments, filled bands as a PNG background.

Plotly's own contour trace is recomputed by the browser on every redraw (50-100 ms, labels as
much again) and is dropped while frames play; a level line that moves with a slider is cheaper
as segments computed here once, and the shaded bands of a map as one image under the plot.
"""

from __future__ import annotations

import base64
import struct
import zlib

import numpy as np
from numpy.typing import NDArray


def level_line(
    xs: NDArray, ys: NDArray, z: NDArray, level: float
) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """Where z crosses `level`, as line segments separated by NaN (marching squares).

    Args:
        xs: (m,) and ys: (k,) grid coordinates; z: (k, m) values on the grid.
        level: the value whose level line is wanted.

    Returns:
        x and y arrays for one scatter trace: a segment per grid cell the line crosses.
    """
    z = np.asarray(z, dtype=np.float64)
    x0, x1 = np.asarray(xs[:-1], float)[None, :], np.asarray(xs[1:], float)[None, :]
    y0, y1 = np.asarray(ys[:-1], float)[:, None], np.asarray(ys[1:], float)[:, None]
    a, b, c, d = z[:-1, :-1], z[:-1, 1:], z[1:, 1:], z[1:, :-1]  # corners, counter-clockwise

    def crossing(p, q):
        with np.errstate(divide="ignore", invalid="ignore"):
            t = (level - p) / (q - p)
        return np.where(((p > level) != (q > level)) & np.isfinite(t), t, np.nan)

    shape = a.shape
    bottom = (x0 + crossing(a, b) * (x1 - x0), np.broadcast_to(y0, shape))
    right = (np.broadcast_to(x1, shape), y0 + crossing(b, c) * (y1 - y0))
    top = (x0 + crossing(d, c) * (x1 - x0), np.broadcast_to(y1, shape))
    left = (np.broadcast_to(x0, shape), y0 + crossing(a, d) * (y1 - y0))
    points = np.stack([np.stack(e) for e in (bottom, right, top, left)])  # (4, 2, k-1, m-1)
    found = ~np.isnan(points).any(axis=1)  # (4, k-1, m-1): which edges the line crosses
    segments = []
    # Two crossings: one segment between them. Four (a saddle): bottom-left and top-right.
    two = found.sum(axis=0) == 2
    first = np.argmax(found, axis=0)
    second = 3 - np.argmax(found[::-1], axis=0)
    rows, cols = np.nonzero(two)
    segments.append(
        (points[first[rows, cols], :, rows, cols], points[second[rows, cols], :, rows, cols])
    )
    rows, cols = np.nonzero(found.sum(axis=0) == 4)
    segments.append((points[0, :, rows, cols], points[3, :, rows, cols]))
    segments.append((points[2, :, rows, cols], points[1, :, rows, cols]))
    starts = np.concatenate([s for s, _ in segments]).reshape(-1, 2)
    ends = np.concatenate([e for _, e in segments]).reshape(-1, 2)
    gaps = np.full((len(starts), 2), np.nan)
    line = np.stack([starts, ends, gaps], axis=1).reshape(-1, 2)
    return line[:, 0].astype(np.float32), line[:, 1].astype(np.float32)


def upsample(z: NDArray, factor: int) -> NDArray[np.float64]:
    """Bilinear interpolation of a grid onto one `factor` times finer (NaN spreads to its cells).

    Example:
        >>> upsample(np.array([[0.0, 2.0], [2.0, 4.0]]), 2)[1]
        array([1., 2., 3.])
    """
    rows, cols = z.shape

    def weights(n: int) -> tuple[NDArray, NDArray]:
        at = np.linspace(0, n - 1, (n - 1) * factor + 1)
        low = np.minimum(at.astype(int), n - 2)
        return low, at - low

    i0, tx = weights(cols)
    j0, ty = weights(rows)
    along_x = z[:, i0] * (1 - tx) + z[:, i0 + 1] * tx
    return along_x[j0] * (1 - ty)[:, None] + along_x[j0 + 1] * ty[:, None]


def png_data_uri(pixels: NDArray[np.uint8]) -> str:
    """An (h, w, 2) grey + alpha or (h, w, 4) RGBA image as a PNG data URI (standard zlib).

    Row 0 is the top of the picture.
    """
    height, width, channels = pixels.shape
    colour_type = {2: 4, 4: 6}[channels]  # PNG: 4 = grey + alpha, 6 = RGBA, 8 bits each
    rows = np.concatenate([np.zeros((height, 1), np.uint8), pixels.reshape(height, -1)], axis=1)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows.tobytes(), 6))
        + chunk(b"IEND", b"")
    )
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def background_image(
    source: str, x_range: tuple[float, float], y_range: tuple[float, float]
) -> dict:
    """A layout image stretched over the window, under the traces (a map's shaded bands)."""
    return {
        "source": source,
        "xref": "x",
        "yref": "y",
        "x": x_range[0],
        "y": y_range[1],
        "sizex": x_range[1] - x_range[0],
        "sizey": y_range[1] - y_range[0],
        "sizing": "stretch",
        "xanchor": "left",
        "yanchor": "top",
        "layer": "below",
    }


def _rgba_stops(colorscale: list[list]) -> tuple[NDArray, NDArray]:
    """A plotly colorscale of "rgba(r,g,b,a)" / "rgb(r,g,b)" / "#rrggbb" stops as positions and
    RGBA rows (alpha 0-1)."""
    positions, colours = [], []
    for position, colour in colorscale:
        text = str(colour).strip()
        if text.startswith("#"):
            rgba = [int(text[i : i + 2], 16) for i in (1, 3, 5)] + [1.0]
        else:
            parts = [float(v) for v in text[text.index("(") + 1 : text.rindex(")")].split(",")]
            rgba = parts + [1.0] * (4 - len(parts))
        positions.append(float(position))
        colours.append(rgba)
    return np.array(positions), np.array(colours, dtype=np.float64)


def colorscale_image(
    z: NDArray, low: float, high: float, colorscale: list[list], factor: int = 3
) -> str:
    """z painted with a plotly colorscale from `low` to `high`, as a PNG data URI for a layout
    image (row 0 is the top, the largest y): what a heat map with that colorscale, zmin and
    zmax shows, smoothed `factor` times finer; NaN is transparent (a gap).

    A picture instead of a heat map trace: the browser then redraws only the traces that move
    over it (a heat map under them would make every move a full redraw).
    """
    positions, colours = _rgba_stops(colorscale)
    with np.errstate(invalid="ignore"):
        fine = upsample(np.asarray(z, dtype=np.float64), factor)[::-1]
        share = np.clip((fine - low) / ((high - low) or 1.0), 0.0, 1.0)
    channels = [np.interp(np.nan_to_num(share), positions, colours[:, k]) for k in range(4)]
    rgba = np.stack(channels, axis=-1)
    rgba[..., 3] = np.where(np.isnan(fine), 0.0, rgba[..., 3] * 255)
    return png_data_uri(rgba.round().clip(0, 255).astype(np.uint8))
