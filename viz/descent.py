"""Figures of the gradient-descent playground: trajectories on a contour map, loss and distance
against the step, playback as plotly frames, and the same paths on the 3D surface.

Everything is a JSON-ready dict (arrays as float32 typed-array specs, no plotly validation):

* the map's background (filled contours at log-spaced levels, as a translucent PNG, and the
  known minima) depends only on the surface and its window: build it once (`map_base`);
* the runs add their paths, loss and distance curves (float32, one trace per optimiser and
  panel) and frames that move only light traces: each optimiser's marker with the arrow of its
  next step, the −∇f arrows, and a cursor on the loss panels (`descent_figure`);
* the 3D surface is built once per surface and window (`surface_base`); the runs' paths are
  added as light traces (`surface_figure`), so the surface's bytes never change.

A filled contour *trace* would cost the browser 100-200 ms on every redraw (the gradient page
measured it); a PNG is drawn once.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from calc_core.multivariate import GridSample
from calc_core.optimizers import OPTIMIZERS, Trajectory
from calc_core.surfaces import Surface
from viz.contours import background_image, png_data_uri, upsample
from viz.format import number
from viz.theme import BASE_FONT_SIZE, OKABE_ITO, themed_figure, typed_array

__all__ = [
    "MAX_FRAMES",
    "OPTIMIZER_STYLES",
    "SHORT_TITLES",
    "Style",
    "contour_levels",
    "descent_figure",
    "figure_at_step",
    "frame_steps",
    "loss_series",
    "map_base",
    "progress_series",
    "race_summary",
    "surface_base",
    "surface_figure",
]

Range = tuple[float, float]
MAX_FRAMES = 101  # frames of a playback: every step up to 100 steps, then a stride
LEVELS = 16  # contour levels, equally spaced in log10(f − f_low + δ)
FLOOR = 1e-16  # log panels: values at or below this are drawn here ("machine zero")
MIN_ARROW = 0.025  # the step arrows are at least this share of the window long
INK = OKABE_ITO["black"]  # follows the theme's text colour in the browser
CURSOR_COLOR = "rgba(127,127,127,0.9)"
BAND_GREY = 110  # contour bands and lines: translucent grey, darker (or lighter) = lower
LINE_ALPHA = 0.5
MAP_DOMAIN = (0.0, 0.56)
SIDE_DOMAIN = (0.72, 1.0)
LOSS_DOMAIN = (0.56, 1.0)
DISTANCE_DOMAIN = (0.0, 0.44)
SPEEDS = (("¼×", 480), ("½×", 240), ("1×", 120), ("2×", 60), ("4×", 30))  # ms per frame
DEFAULT_SPEED = 2
CONTROLS_Y = -0.17  # the play buttons and the step slider, under the axes' titles
SLIDER_X = 0.27


@dataclass(frozen=True)
class Style:
    """How one optimiser is drawn everywhere: colour, line dash and marker."""

    color: str
    dash: str
    symbol: str


# Okabe-Ito's colours, one per optimiser, told apart by dash and marker too. Okabe-Ito's yellow
# is unreadable on white, so AdamW takes Paul Tol's olive (#999933, also colour-blind safe).
OPTIMIZER_STYLES: dict[str, Style] = {
    "gd": Style(OKABE_ITO["blue"], "solid", "circle"),
    "momentum": Style(OKABE_ITO["vermillion"], "dash", "square"),
    "nesterov": Style(OKABE_ITO["orange"], "dot", "diamond"),
    "adagrad": Style(OKABE_ITO["green"], "dashdot", "triangle-up"),
    "rmsprop": Style(OKABE_ITO["purple"], "longdash", "triangle-down"),
    "adam": Style(OKABE_ITO["sky"], "solid", "pentagon"),
    "adamw": Style("#999933", "longdashdot", "hexagon"),
    "newton": Style(INK, "dot", "x"),
}


# Short names for the legend and the optimiser picker (the update rules give the full ones).
SHORT_TITLES = {
    "gd": "GD", "momentum": "Momentum", "nesterov": "Nesterov", "adagrad": "AdaGrad",
    "rmsprop": "RMSProp", "adam": "Adam", "adamw": "AdamW", "newton": "Newton",
}  # fmt: skip


def _short(values) -> list[float | None]:
    """Plain floats for frames: 5 significant digits, None (a gap) where not finite."""
    return [float(f"{v:.5g}") if np.isfinite(v) else None for v in np.asarray(values, float)]


def frame_steps(steps: int, max_frames: int = MAX_FRAMES) -> NDArray[np.int64]:
    """The steps shown as playback frames: all of them, or an even stride ending on the last.

    Example:
        >>> frame_steps(4).tolist(), frame_steps(500)[:4].tolist(), len(frame_steps(500))
        ([0, 1, 2, 3, 4], [0, 5, 10, 15], 101)
    """
    if steps + 1 <= max_frames:
        return np.arange(steps + 1)
    stride = int(np.ceil(steps / (max_frames - 1)))
    shown = np.arange(0, steps + 1, stride)
    return shown if shown[-1] == steps else np.append(shown, steps)


# --- the map's background: contours at log-spaced levels ---------------------------------------


def _floor_value(surface: Surface, z: NDArray) -> float:
    """The value contours count from: the lowest known minimum or the lowest value seen."""
    finite = z[np.isfinite(z)]
    low = float(finite.min()) if finite.size else 0.0
    if surface.minima:
        low = min(low, min(m.value for m in surface.minima))
    return low


def contour_levels(surface: Surface, z: NDArray, count: int = LEVELS) -> NDArray[np.float64]:
    """Contour levels of f spaced evenly in log10(f − f_low + δ), so a flat valley keeps its
    lines (Rosenbrock's floor is a thousand times below its walls).

    f_low is the lowest known minimum (or the lowest value in the window); δ is 1e-4 of the
    range up to the 95th percentile, so the levels reach about four decades below it.

    Returns:
        The levels as values of f, ascending, shape (count,).
    """
    finite = z[np.isfinite(z)]
    if finite.size == 0:
        return np.linspace(0.0, 1.0, count)
    low = _floor_value(surface, z)
    top = float(np.percentile(finite, 95)) - low
    if top <= 0:
        return np.linspace(low, low + 1.0, count)
    delta = 1e-4 * top
    exponents = np.linspace(np.log10(delta), np.log10(top + delta), count + 1)[1:]
    return low + 10.0**exponents - delta


def _band_image(z: NDArray, levels: NDArray, factor: int = 3) -> str:
    """Filled bands between levels with their edges, as a translucent PNG (top row = high y).

    Low bands are the most opaque grey: darker on a light page, lighter on a dark one, so
    "more shaded = lower" reads in both themes. NaN is transparent.
    """
    fine = upsample(np.asarray(z, dtype=np.float64), factor)[::-1]
    with np.errstate(invalid="ignore"):
        band = np.searchsorted(levels, np.nan_to_num(fine, nan=np.inf)).astype(np.float64)
    count = len(levels)
    alpha = 0.03 + 0.5 * (1.0 - band / count)
    edge = np.zeros(band.shape, dtype=bool)
    edge[:, 1:] |= band[:, 1:] != band[:, :-1]
    edge[1:, :] |= band[1:, :] != band[:-1, :]
    alpha = np.where(edge, LINE_ALPHA, alpha)
    alpha = np.where(np.isnan(fine), 0.0, alpha)
    grey = np.full(band.shape, BAND_GREY, dtype=np.uint8)
    return png_data_uri(np.stack([grey, (255 * alpha).round().astype(np.uint8)], axis=-1))


@functools.lru_cache(maxsize=64)
def _layout(x_range: Range, y_range: Range, equal_aspect: bool) -> str:
    """The three panels' axes as JSON, validated once by plotly."""
    fig = themed_figure(x_title="x", y_title="y")
    side = {"domain": list(SIDE_DOMAIN), "title": {"text": "step t"}}
    fig.update_layout(
        xaxis={"domain": list(MAP_DOMAIN), "range": list(x_range), "zeroline": False,
               "showgrid": False, "constrain": "domain"},
        yaxis={"range": list(y_range), "zeroline": False, "showgrid": False,
               "constrain": "domain",
               **({"scaleanchor": "x", "scaleratio": 1} if equal_aspect else {})},
        xaxis2={**side, "anchor": "y2", "matches": "x3", "showticklabels": False,
                "title": {"text": None}},
        yaxis2={"domain": list(LOSS_DOMAIN), "anchor": "x2", "type": "log",
                "exponentformat": "power"},
        xaxis3={**side, "anchor": "y3"},
        yaxis3={"domain": list(DISTANCE_DOMAIN), "anchor": "x3", "type": "log",
                "exponentformat": "power"},
        yaxis4={"domain": [0.0, 1.0], "anchor": "x2", "range": [0.0, 1.0], "visible": False,
                "fixedrange": True},
        legend={"orientation": "h", "x": 0.0, "xanchor": "left", "y": 1.02, "yanchor": "bottom",
                "font": {"size": BASE_FONT_SIZE - 2}},
        margin={"l": 60, "r": 12, "t": 64, "b": 125},
        hovermode="closest",
    )  # fmt: skip
    return json.dumps(json.loads(fig.to_json())["layout"])


def map_base(surface: Surface, grid: GridSample) -> dict:
    """The map's background for one surface and window: contour bands and the known minima.

    Args:
        surface: the loss surface (its minima are marked).
        grid: f on a grid over the window (100-150 per side), ``z[j, i] = f(x[i], y[j])``.

    Returns:
        ``{"layout": ..., "data": [minima trace], "levels": levels}``; never modify it (cache
        it and share it).
    """
    x_range = (float(grid.x[0]), float(grid.x[-1]))
    y_range = (float(grid.y[0]), float(grid.y[-1]))
    ratio = (y_range[1] - y_range[0]) / (x_range[1] - x_range[0])
    layout = json.loads(_layout(x_range, y_range, 1 / 3 <= ratio <= 3))
    levels = contour_levels(surface, grid.z)
    layout["images"] = [background_image(_band_image(grid.z, levels), x_range, y_range)]
    points = [m.point for m in surface.minima]
    minima = {
        "type": "scatter",
        "x": [p[0] for p in points],
        "y": [p[1] for p in points],
        "mode": "markers",
        "name": "minimum" if len(points) == 1 else "minima",
        "marker": {"symbol": "star", "size": 17, "color": INK,
                   "line": {"color": "#ffffff", "width": 1}},
        "hovertemplate": "known minimum (%{x:.4g}, %{y:.4g})<extra></extra>",
        "showlegend": bool(points),
        "xaxis": "x",
        "yaxis": "y",
    }  # fmt: skip
    return {"layout": layout, "data": [minima], "levels": levels}


# --- what the side panels show -------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    """One quantity against the step for every run, and how to label its axis."""

    values: tuple[NDArray[np.float64], ...]
    title: str
    log: bool


def loss_series(surface: Surface, runs: Sequence[Trajectory]) -> Series:
    """f(x_t) − f* where the minimum f* is known (log scale), else f(x_t) (log if all > 0)."""
    losses = tuple(np.asarray(run.losses, dtype=np.float64) for run in runs)
    if surface.minima:
        best = min(m.value for m in surface.minima)
        return Series(tuple(v - best for v in losses), "f(xₜ) − f*", True)
    finite = [v[np.isfinite(v)] for v in losses]
    positive = all(f.size == 0 or f.min() > 0 for f in finite)
    return Series(losses, "f(xₜ)", positive)


def progress_series(surface: Surface, runs: Sequence[Trajectory]) -> Series:
    """The distance to the nearest known minimum, or |∇f(x_t)| where none is known."""
    if surface.minima:
        values = tuple(surface.distance_to_minimum(run.points) for run in runs)
        return Series(values, "distance to a minimum", True)
    values = tuple(np.linalg.norm(surface.grad(run.points), axis=-1) for run in runs)
    return Series(values, "|∇f(xₜ)| (no known minimum)", True)


def _round_step(size: float) -> float:
    """The smallest of 1, 2 and 5 times a power of ten that is at least `size` (> 0)."""
    power = 10.0 ** np.floor(np.log10(size))
    return float(next(f * power for f in (1.0, 2.0, 5.0, 10.0) if f * power >= size * (1 - 1e-9)))


def panel_range(values: Sequence[NDArray], *, log: bool) -> list[float]:
    """A side panel's y range around every run's values (in decades when `log`, as plotly's
    log axes take their range), 4 % to spare, widened out to a round grid of about a sixteenth
    of the span.

    The grid keeps the range as it is over most small changes of the runs (a slider's step of κ
    or η): a new range is a relayout in the browser, 15-25 ms more for the move.

    Example:
        >>> panel_range([np.array([1.0, 100.0])], log=True)
        [-0.2, 2.2]
    """
    finite = np.concatenate([np.asarray(v, dtype=np.float64).ravel() for v in values] or [[]])
    finite = finite[np.isfinite(finite)]
    if log:
        finite = np.log10(finite[finite > 0])
    if finite.size == 0:
        return [0.0, 1.0]
    low, high = float(finite.min()), float(finite.max())
    pad = 0.04 * (high - low) if high > low else 0.5
    low, high = low - pad, high + pad
    step = _round_step((high - low) / 16)
    return [
        round(float(np.floor(low / step)) * step, 6),
        round(float(np.ceil(high / step)) * step, 6),
    ]


def _for_log(values: NDArray, log: bool) -> NDArray:
    return np.maximum(values, FLOOR) if log else values


# --- the runs ----------------------------------------------------------------------------------


def _label(run: Trajectory) -> str:
    text = f"{SHORT_TITLES[run.optimizer]} η = {number(run.lr, 3)}"
    return f"{text} ✕ diverged" if run.diverged is not None else text


def _static_traces(run: Trajectory, loss: NDArray, progress: NDArray, series: tuple) -> list:
    """A run's path on the map, its loss and progress curves (float32)."""
    style = OPTIMIZER_STYLES[run.optimizer]
    group = {"legendgroup": run.optimizer, "line": {"color": style.color, "width": 3,
                                                    "dash": style.dash}}  # fmt: skip
    title = OPTIMIZERS[run.optimizer].title
    path = {
        "type": "scatter",
        "x": typed_array(run.points[:, 0]),
        "y": typed_array(run.points[:, 1]),
        "mode": "lines",
        "name": _label(run),
        "hovertemplate": f"{title}<br>step %{{pointNumber}}<br>"
        "(%{x:.4g}, %{y:.4g})<extra></extra>",
        "xaxis": "x",
        "yaxis": "y",
        **group,
    }
    curves = []
    for values, (axis, what) in zip((loss, progress), series, strict=True):
        curves.append(
            {
                "type": "scatter",
                "x0": 0,
                "dx": 1,
                "y": typed_array(values),
                "mode": "lines",
                "name": f"{title}: {what}",
                "showlegend": False,
                "hovertemplate": f"{title}<br>step %{{x}}<br>{what} = %{{y:.4g}}<extra></extra>",
                "xaxis": axis[0],
                "yaxis": axis[1],
                **group,
            }
        )
    return [path, *curves]


def _diverged_marks(runs: Sequence[Trajectory], loss: Sequence[NDArray]) -> list[dict]:
    """✕ where each diverged run stopped: on the map and at the end of its loss curve."""
    gone = [(run, values) for run, values in zip(runs, loss, strict=True) if run.diverged]
    colors = [OPTIMIZER_STYLES[run.optimizer].color for run, _ in gone]
    text = [
        f"{OPTIMIZERS[run.optimizer].title} diverged at step {run.diverged}: {run.reason}"
        for run, _ in gone
    ]
    marker = {"symbol": "x-thin", "size": 22, "color": colors,
              "line": {"width": 4, "color": colors}}  # fmt: skip
    common = {"type": "scatter", "mode": "markers", "marker": marker, "text": text,
              "hovertemplate": "%{text}<extra></extra>", "showlegend": False}  # fmt: skip
    last = [run.points[-1] for run, _ in gone]
    on_map = {**common, "name": "diverged", "x": _short([p[0] for p in last]),
              "y": _short([p[1] for p in last]), "xaxis": "x", "yaxis": "y"}  # fmt: skip
    ends = [values[-1] if len(values) else np.nan for _, values in gone]
    on_loss = {**common, "name": "diverged (loss)", "x": [len(run.points) - 1 for run, _ in gone],
               "y": _short(ends), "xaxis": "x2", "yaxis": "y2"}  # fmt: skip
    return [on_map, on_loss]


def _arrows(run: Trajectory, shown: NDArray, span: float) -> tuple[NDArray, ...]:
    """The run's marker and next-step arrow, and its −∇f arrow, at each of the steps `shown`.

    The step arrow is the step the optimiser takes from x_t (its state turned into a move:
    momentum's velocity, Adam's rescaled moment, Newton's curvature-corrected step); the −∇f
    arrow, as long as that step, shows the steepest way down. Both are at least MIN_ARROW of
    the window long so their directions stay visible. A finished (or diverged) run shows its
    marker only.

    Returns:
        x and y of [marker, step tip], shape (F, 2) each, and x and y of [marker, −∇f tip,
        gap], shape (F, 3) each; NaN where nothing is drawn.
    """
    k = len(run.points) - 1
    i = np.minimum(np.asarray(shown, dtype=int), k)
    here = run.points[i]
    moving = i < k
    step = run.points[np.minimum(i + 1, k)] - here
    length = np.hypot(step[:, 0], step[:, 1])
    reach = np.maximum(length, MIN_ARROW * span)
    with np.errstate(all="ignore"):
        tip = here + step * np.where(length > 0, reach / length, 0.0)[:, None]
        g = run.gradients[np.minimum(i, k - 1)] if k > 0 else np.full((len(i), 2), np.nan)
        size = np.hypot(g[:, 0], g[:, 1])
        down = here - g * (reach / size)[:, None]
    down[~(np.isfinite(size) & (size > 0))] = np.nan
    tip[~moving] = np.nan
    down[~moving] = np.nan
    gap = np.full(len(i), np.nan)
    return (
        np.stack([here[:, 0], tip[:, 0]], axis=1),
        np.stack([here[:, 1], tip[:, 1]], axis=1),
        np.stack([here[:, 0], down[:, 0], gap], axis=1),
        np.stack([here[:, 1], down[:, 1], gap], axis=1),
    )


def _rows(values: NDArray, decimals: int) -> list[list[float | None]]:
    """Rows of an array as lists for JSON: rounded to `decimals`, None for NaN."""
    rounded = np.round(values, decimals).tolist()
    return [[v if v == v else None for v in row] for row in rounded]


def _cursor(t: int, steps: int) -> dict:
    """The step cursor across the side panels, "step t" written in the gap between them (a
    trace's text: frames played without a full redraw update data, not the layout)."""
    middle = (DISTANCE_DOMAIN[1] + LOSS_DOMAIN[0]) / 2
    return {
        "x": [t, t, None, t, t, None, t],
        "y": [0.0, DISTANCE_DOMAIN[1], None, LOSS_DOMAIN[0], 1.0, None, middle],
        "text": ["", "", "", "", "", "", f" step {t} "],
        "textposition": "middle left" if t > steps / 2 else "middle right",
    }


def _panel_rows(values: Sequence[NDArray], shown: NDArray) -> list[list[float | None]]:
    """Each run's value at each step shown (its last one after it stopped), 4 digits."""
    if not values:
        return [[] for _ in shown]
    table = np.stack([v[np.minimum(shown, len(v) - 1)] for v in values], axis=1)
    return [[float(f"{v:.4g}") if np.isfinite(v) else None for v in row] for row in table]


def _moving_frames(
    runs: Sequence[Trajectory],
    shown: NDArray,
    span: float,
    steps: int,
    panels: tuple[Sequence[NDArray], Sequence[NDArray]],
) -> list[list[dict]]:
    """For each step shown, the data of the traces a frame replaces: one per run (marker +
    step arrow), the −∇f arrows of all runs, the runs' current loss and progress on the side
    panels, and the step cursor across them.

    Every subplot has a trace in every frame: plotly, playing a frame without a full redraw,
    removes the traces of the subplots the frame does not touch.
    """
    shown = np.asarray(shown, dtype=int)
    decimals = max(0, 5 - int(np.floor(np.log10(span))))  # 1e-5 of the window
    per_run, grad_x, grad_y = [], [], []
    for run in runs:
        x, y, ax, ay = _arrows(run, shown, span)
        per_run.append((_rows(x, decimals), _rows(y, decimals)))
        grad_x.append(ax)
        grad_y.append(ay)
    empty = np.empty((len(shown), 0))
    gx = _rows(np.concatenate(grad_x, axis=1) if runs else empty, decimals)
    gy = _rows(np.concatenate(grad_y, axis=1) if runs else empty, decimals)
    loss, progress = (_panel_rows(values, shown) for values in panels)
    frames = []
    for f, t in enumerate(shown.tolist()):
        traces = [{"x": xs[f], "y": ys[f]} for xs, ys in per_run]
        traces.append({"x": gx[f], "y": gy[f]})
        traces.append({"x": [t] * len(runs), "y": loss[f]})
        traces.append({"x": [t] * len(runs), "y": progress[f]})
        traces.append(_cursor(t, steps))
        frames.append(traces)
    return frames


def _moving_styles(runs: Sequence[Trajectory]) -> list[dict]:
    """The moving traces' styles (their data comes from the frame shown)."""
    out = []
    for run in runs:
        style = OPTIMIZER_STYLES[run.optimizer]
        out.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": f"{OPTIMIZERS[run.optimizer].title} at step t",
                "legendgroup": run.optimizer,
                "showlegend": False,
                "line": {"color": style.color, "width": 3},
                "marker": {"symbol": [style.symbol, "arrow"], "size": [16, 13],
                           "angleref": "previous", "color": style.color,
                           "line": {"color": "#ffffff", "width": 1.5}},
                "hovertemplate": f"{OPTIMIZERS[run.optimizer].title} at step t<br>"
                "(%{x:.4g}, %{y:.4g})<extra></extra>",
                "xaxis": "x",
                "yaxis": "y",
            }
        )  # fmt: skip
    count = len(runs)
    out.append(
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": "−∇f",
            "line": {"color": INK, "width": 1.6, "dash": "dot"},
            "marker": {"symbol": ["circle", "arrow-open", "circle"] * count,
                       "size": [0, 11, 0] * count, "angleref": "previous", "color": INK},
            "hoverinfo": "skip",
            "connectgaps": False,
            "showlegend": bool(count),
            "xaxis": "x",
            "yaxis": "y",
        }
    )  # fmt: skip
    colors = [OPTIMIZER_STYLES[run.optimizer].color for run in runs]
    symbols = [OPTIMIZER_STYLES[run.optimizer].symbol for run in runs]
    for axes, what in ((("x2", "y2"), "loss"), (("x3", "y3"), "progress")):
        out.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": f"{what} at step t",
                "marker": {"color": colors, "symbol": symbols, "size": 10,
                           "line": {"color": "#ffffff", "width": 1}},
                "hoverinfo": "skip",
                "showlegend": False,
                "xaxis": axes[0],
                "yaxis": axes[1],
            }
        )  # fmt: skip
    out.append(
        {
            "type": "scatter",
            "mode": "lines+text",
            "name": "step t",
            "line": {"color": CURSOR_COLOR, "width": 1.5, "dash": "dot"},
            "textfont": {"size": BASE_FONT_SIZE - 2},
            "hoverinfo": "skip",
            "showlegend": False,
            "connectgaps": False,
            "xaxis": "x2",
            "yaxis": "y4",
        }
    )
    return out


def _controls(names: Sequence[str], labels: Sequence[str], active: int) -> tuple[dict, list]:
    """The step slider under the map and the play / pause / speed buttons left of it."""
    instant = {"mode": "immediate", "frame": {"duration": 0, "redraw": False},
               "transition": {"duration": 0}}  # fmt: skip
    slider = {
        "active": active,
        "currentvalue": {"visible": False},  # "step t" is written beside the cursor
        "pad": {"t": 4, "b": 0},
        "len": 1.0 - SLIDER_X,
        "x": SLIDER_X,
        "y": CONTROLS_Y,
        "yanchor": "top",
        "ticklen": 3,
        "minorticklen": 0,
        # No tick labels: 101 would collide, and plotly measures each (some 20 ms a redraw).
        "steps": [
            {"label": "", "value": label, "method": "animate", "args": [[name], instant]}
            for label, name in zip(labels, names, strict=True)
        ],
    }  # fmt: skip
    duration = SPEEDS[DEFAULT_SPEED][1]
    play = {
        "mode": "immediate",
        "fromcurrent": True,
        "frame": {"duration": duration, "redraw": False},
        "transition": {"duration": 0},
    }
    buttons = {
        "type": "buttons",
        "direction": "left",
        "showactive": False,
        "x": 0.0,
        "xanchor": "left",
        "y": CONTROLS_Y,
        "yanchor": "top",
        "pad": {"t": 4, "r": 4},
        "font": {"size": BASE_FONT_SIZE - 2},
        "buttons": [
            {"label": "▶ Play", "method": "animate", "args": [None, play]},
            {"label": "❚❚", "method": "animate", "args": [[None], instant]},
            {"label": "|◀", "method": "animate", "args": [[names[0]], instant]},
        ],
    }
    speed = {
        "type": "dropdown",
        "direction": "up",
        "showactive": True,
        "active": DEFAULT_SPEED,
        "x": 0.19,
        "xanchor": "left",
        "y": CONTROLS_Y,
        "yanchor": "top",
        "pad": {"t": 4},
        "font": {"size": BASE_FONT_SIZE - 3},
        "buttons": [
            {
                "label": label,
                "method": "relayout",
                "args": [{"updatemenus[0].buttons[0].args[1].frame.duration": ms}],
            }
            for label, ms in SPEEDS
        ],
    }
    return slider, [buttons, speed]


def descent_figure(
    base: dict, surface: Surface, runs: Sequence[Trajectory], steps: int, active_step: int = 0
) -> dict:
    """The playground's figure: the map with every run's path, loss and progress against the
    step, and frames that play the runs step by step in the browser.

    Args:
        base: `map_base` of the surface and window (not modified).
        surface: the loss surface.
        runs: one trajectory per optimiser (each run's optimiser once), with losses.
        steps: the steps asked for (diverged runs have fewer points; their marker stays put).
        active_step: the step the figure shows first (snapped to the nearest frame's step).

    Returns:
        A JSON-ready figure dict with ``frames``; each frame names the traces it replaces
        (``frame["traces"]``): the runs' markers, the −∇f arrows and the step cursor.
    """
    layout = dict(base["layout"])
    x_range, y_range = layout["xaxis"]["range"], layout["yaxis"]["range"]
    span = max(x_range[1] - x_range[0], y_range[1] - y_range[0])
    loss, progress = loss_series(surface, runs), progress_series(surface, runs)
    axes = (("x2", "y2"), ("x3", "y3"))
    series = tuple(zip(axes, (loss.title, progress.title), strict=True))
    data = list(base["data"])
    start = runs[0].points[0] if runs else np.array(surface.start)
    data.append(
        {
            "type": "scatter",
            "x": _short([start[0]]),
            "y": _short([start[1]]),
            "mode": "markers",
            "name": "start",
            "marker": {"symbol": "circle-open", "size": 20, "color": INK, "line": {"width": 3}},
            "hovertemplate": "start (%{x:.4g}, %{y:.4g})<extra></extra>",
            "xaxis": "x",
            "yaxis": "y",
        }
    )
    for run, lv, pv in zip(runs, loss.values, progress.values, strict=True):
        data += _static_traces(run, _for_log(lv, loss.log), _for_log(pv, progress.log), series)
    # Always there, empty while no run diverged: a run that starts or stops diverging (κ or η
    # moved across the bound) then changes traces, not how many there are (a full redraw).
    data += _diverged_marks(runs, [_for_log(v, loss.log) for v in loss.values])
    first_moving = len(data)
    data += _moving_styles(runs)
    moving = list(range(first_moving, len(data)))

    shown = frame_steps(steps)
    names = [f"t{t}" for t in shown]
    labels = [str(t) for t in shown]
    panels = (
        [_for_log(v, loss.log) for v in loss.values],
        [_for_log(v, progress.log) for v in progress.values],
    )
    frames = [
        {"name": name, "traces": moving, "data": data}
        for name, data in zip(names, _moving_frames(runs, shown, span, steps, panels), strict=True)
    ]
    active = int(np.argmin(np.abs(shown - active_step)))
    slider, menus = _controls(names, labels, active)
    layout["sliders"] = [slider]
    layout["updatemenus"] = menus
    layout["yaxis2"] = {**layout["yaxis2"], "title": {"text": loss.title},
                        "type": "log" if loss.log else "linear",
                        "range": panel_range(panels[0], log=loss.log)}  # fmt: skip
    layout["yaxis3"] = {**layout["yaxis3"], "title": {"text": progress.title},
                        "range": panel_range(panels[1], log=progress.log)}  # fmt: skip
    # Fixed ranges (not autorange): a new run then moves only its traces in the browser.
    layout["xaxis2"] = {**layout["xaxis2"], "range": [0.0, float(max(steps, 1))]}
    layout["xaxis3"] = {**layout["xaxis3"], "range": [0.0, float(max(steps, 1))]}
    for trace, values in zip(moving, frames[active]["data"], strict=True):
        data[trace] = {**data[trace], **values}
    return {"data": data, "layout": layout, "frames": frames}


# --- the 3D surface ----------------------------------------------------------------------------


def _height_range(surface: Surface, z: NDArray) -> Range:
    """Heights shown in 3D: from the floor to the 95th percentile (walls above are cut flat)."""
    finite = z[np.isfinite(z)]
    if finite.size == 0:
        return -1.0, 1.0
    low = min(_floor_value(surface, z), float(finite.min()))
    high = float(np.percentile(finite, 95))
    if high - low <= 1e-12:
        high = low + 1.0
    return low, high + 0.03 * (high - low)


@functools.lru_cache(maxsize=64)
def _scene_layout(x_range: Range, y_range: Range, z_range: Range) -> str:
    fig = themed_figure()

    def axis(title: str, bounds: Range) -> dict:
        return {"title": {"text": title}, "range": list(bounds), "nticks": 6,
                "tickfont": {"size": BASE_FONT_SIZE - 4}, "showspikes": False}  # fmt: skip

    fig.update_layout(
        scene={"xaxis": axis("x", x_range), "yaxis": axis("y", y_range),
               "zaxis": axis("f", z_range), "aspectmode": "manual",
               "aspectratio": {"x": 1.0, "y": 1.0, "z": 0.6},
               "camera": {"eye": {"x": -1.05, "y": -1.25, "z": 0.8}}},
        margin={"l": 0, "r": 0, "t": 8, "b": 0},
        legend={"orientation": "h", "x": 0.0, "y": 1.0, "yanchor": "top", "xanchor": "left",
                "font": {"size": BASE_FONT_SIZE - 2}},
        hovermode="closest",
    )  # fmt: skip
    return json.dumps(json.loads(fig.to_json())["layout"])


def surface_base(surface: Surface, grid: GridSample) -> dict:
    """The 3D surface (heights f, colour by log-spaced level) and its scene, built once per
    surface and window: `surface_figure` puts this very trace in every figure.

    Returns:
        ``{"surface": trace, "layout": layout, "z_range": (low, high)}``; never modify it.
    """
    z_range = _height_range(surface, grid.z)
    z = np.clip(grid.z, *z_range)
    levels = contour_levels(surface, grid.z)
    with np.errstate(invalid="ignore"):
        shade = np.searchsorted(levels, np.nan_to_num(grid.z, nan=np.inf)) / len(levels)
    trace = {
        "type": "surface",
        "x": typed_array(grid.x),
        "y": typed_array(grid.y),
        "z": typed_array(z),
        "surfacecolor": typed_array(np.where(np.isfinite(grid.z), shade, np.nan)),
        "cmin": 0.0,
        "cmax": 1.0,
        "colorscale": [[0.0, "#1d5a8a"], [0.5, "#6fa8d6"], [1.0, "#e3eef8"]],
        "showscale": False,
        "name": "f(x, y)",
        "opacity": 0.92,
        "lighting": {"ambient": 0.75, "diffuse": 0.55, "specular": 0.05, "roughness": 0.9},
        "hovertemplate": "(%{x:.3g}, %{y:.3g})<br>f = %{z:.4g}<extra></extra>",
    }
    x_range = (float(grid.x[0]), float(grid.x[-1]))
    y_range = (float(grid.y[0]), float(grid.y[-1]))
    layout = json.loads(_scene_layout(x_range, y_range, z_range))
    return {"surface": trace, "layout": layout, "z_range": z_range}


def surface_figure(
    base: dict, surface: Surface, runs: Sequence[Trajectory], step: int | None = None
) -> dict:
    """The 3D surface with each run's path lifted onto it and its position at `step`.

    Paths leave the shown heights where they climb walls cut flat by the view: they are clipped
    to its top, like the surface.
    """
    low, high = base["z_range"]
    lift = 0.01 * (high - low)
    data = [base["surface"]]
    xs, ys, zs, colors, symbols, names = [], [], [], [], [], []
    for run in runs:
        style = OPTIMIZER_STYLES[run.optimizer]
        z = np.clip(surface.loss(run.points), low, high) + lift
        data.append(
            {
                "type": "scatter3d",
                "x": typed_array(run.points[:, 0]),
                "y": typed_array(run.points[:, 1]),
                "z": typed_array(z),
                "mode": "lines",
                "name": _label(run),
                "legendgroup": run.optimizer,
                "line": {"color": style.color, "width": 6},
                "hovertemplate": f"{OPTIMIZERS[run.optimizer].title}<br>step %{{pointNumber}}"
                "<br>f = %{z:.4g}<extra></extra>",
            }
        )
        if step is not None:
            i = min(step, len(run.points) - 1)
            xs.append(run.points[i, 0])
            ys.append(run.points[i, 1])
            zs.append(z[i])
            colors.append(style.color)
            symbols.append("circle")
            names.append(OPTIMIZERS[run.optimizer].title)
    if runs and step is not None:
        data.append(
            {
                "type": "scatter3d",
                "x": _short(xs),
                "y": _short(ys),
                "z": _short(zs),
                "mode": "markers",
                "name": f"at step {step}",
                "text": names,
                "marker": {"size": 7, "color": colors, "symbol": symbols,
                           "line": {"color": "#ffffff", "width": 1}},
                "hovertemplate": "%{text}<br>f = %{z:.4g}<extra></extra>",
                "showlegend": False,
            }
        )  # fmt: skip
    minima = [m for m in surface.minima]
    if minima:
        data.append(
            {
                "type": "scatter3d",
                "x": [m.point[0] for m in minima],
                "y": [m.point[1] for m in minima],
                "z": [float(np.clip(m.value, low, high)) + lift for m in minima],
                "mode": "markers",
                "name": "minimum" if len(minima) == 1 else "minima",
                "marker": {"size": 6, "color": INK, "symbol": "diamond"},
                "hovertemplate": "known minimum<br>f = %{z:.4g}<extra></extra>",
            }
        )
    return {"data": data, "layout": base["layout"]}


def figure_at_step(
    spec: dict, surface: Surface, runs: Sequence[Trajectory], step: int, steps: int
) -> dict:
    """`descent_figure`'s figure showing a step that has no frame of its own (the moving
    traces computed for that exact step; the slider at the nearest frame). Not modified."""
    layout = dict(spec["layout"])
    x_range, y_range = layout["xaxis"]["range"], layout["yaxis"]["range"]
    span = max(x_range[1] - x_range[0], y_range[1] - y_range[0])
    data = list(spec["data"])
    loss, progress = loss_series(surface, runs), progress_series(surface, runs)
    panels = (
        [_for_log(v, loss.log) for v in loss.values],
        [_for_log(v, progress.log) for v in progress.values],
    )
    moving = _moving_frames(runs, np.array([step]), span, steps, panels)[0]
    for trace, values in zip(spec["frames"][0]["traces"], moving, strict=True):
        data[trace] = {**data[trace], **values}
    shown = frame_steps(steps)
    slider = {**layout["sliders"][0], "active": int(np.argmin(np.abs(shown - step)))}
    layout["sliders"] = [slider]
    return {**spec, "data": data, "layout": layout}


# --- the charts as text ---------------------------------------------------------------------------

_MAX_MINIMA = 4  # minima named in a summary (Himmelblau has four)


def _point(p: Sequence[float]) -> str:
    return f"({number(float(p[0]), 3)}, {number(float(p[1]), 3)})"


def _run_summary(surface: Surface, run: Trajectory, step: int) -> str:
    """One optimiser at `step`: where it is, its loss and how far it has to go."""
    name = f"{SHORT_TITLES[run.optimizer]} (η = {number(run.lr, 3)})"
    if run.diverged == 0:
        return f"{name}: f is not defined at the start, no step taken."
    t = min(step, run.steps)
    point = run.points[t]
    with np.errstate(all="ignore"):
        loss = float(run.losses[t]) if run.losses is not None else float(surface.loss(point))
        if surface.minima:
            distance = float(surface.distance_to_minimum(point))
            progress = f"{number(distance, 3)} from the nearest minimum"
        else:
            progress = f"|∇f| = {number(float(np.linalg.norm(surface.grad(point))), 3)}"
    where = f"at {_point(point)}, f = {number(loss, 4)}, {progress}"
    if run.diverged is None:
        return f"{name} {where}."
    if step < run.diverged:
        return f"{name} {where}; it diverges at step {run.diverged}."
    return f"{name} diverged at step {run.diverged}; last point {where}."


def race_summary(
    surface: Surface, runs: Sequence[Trajectory], step: int, steps: int, *, view: str = "map"
) -> str:
    """What the playground's chart shows at `step`, in a few sentences with its numbers (the
    chart's text for screen readers): the surface and window, the known minima, the start, and
    for each optimiser where it is, its loss f and its distance to the nearest known minimum
    (|∇f| where none is known), or the step at which it diverged.

    Args:
        surface: the loss surface shown.
        runs: the optimisers' trajectories, in the legend's order.
        step: the step shown (the playback position).
        steps: the steps each run was asked for.
        view: "map" (contour map with the loss and distance panels) or "3d" (the surface).

    Returns:
        Plain text, e.g. "Contour map ... Step 0 of 100, every optimiser from (−2.5, 1.5).
        GD (η = 0.15) at (−2.5, 1.5), f = 14.38, 2.92 from the nearest minimum."
    """
    progress = "the distance to a minimum" if surface.minima else "|∇f|"
    what = f"Contour map of f, with f and {progress} against the step"
    if view == "3d":
        what = "Surface z = f(x, y) with each optimiser's path"
    (a, b), (c, d) = surface.x_range, surface.y_range
    parts = [
        f"{what}: {surface.title}, x from {number(a, 3)} to {number(b, 3)}, "
        f"y from {number(c, 3)} to {number(d, 3)}."
    ]
    minima = [_point(m.point) for m in surface.minima[:_MAX_MINIMA]]
    if len(minima) == 1:
        parts.append(f"Known minimum at {minima[0]}.")
    elif minima:
        parts.append(f"Known minima at {', '.join(minima)}.")
    else:
        parts.append("No known minimum.")
    if runs:
        shown = min(step, steps)
        parts.append(f"Step {shown} of {steps}, every optimiser from {_point(runs[0].points[0])}.")
    parts += [_run_summary(surface, run, step) for run in runs]
    return " ".join(parts)
