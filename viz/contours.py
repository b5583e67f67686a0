"""Level lines of a function sampled on a grid, as plain line segments for one scatter trace.

Plotly's own contour trace is recomputed by the browser on every redraw; a level line that
moves with a slider (the decision boundary, the level curve through a point) is cheaper as
segments computed here once.
"""

from __future__ import annotations

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
