"""Figures of the derivatives page: f with f′ and a sweeping tangent, the shrinking secant, and
the error of numerical derivatives against the step h.

Sweeps (x0 of the tangent, h of the secant) are plotly frames: they play in the browser.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from numpy.typing import NDArray

from calc_core.derivatives import PointDerivative, TangentSweep
from calc_core.numerical import ErrorStudy, SecantSweep
from viz.format import number
from viz.frames import play_button, sweep_slider, with_sweep
from viz.theme import (
    BASE_FONT_SIZE,
    DATA_COLOR,
    DERIVATIVE_COLOR,
    FUNCTION_COLOR,
    MUTED_COLOR,
    OKABE_ITO,
    POINT_COLOR,
    STEP_COLOR,
    TANGENT_COLOR,
    themed_figure,
)

SECOND_DERIVATIVE_COLOR = DATA_COLOR
METHOD_COLORS = {
    "forward": OKABE_ITO["orange"],
    "backward": OKABE_ITO["sky"],
    "central": OKABE_ITO["blue"],
    "complex_step": OKABE_ITO["green"],
}
METHOD_NAMES = {
    "forward": "forward",
    "backward": "backward",
    "central": "central",
    "complex_step": "complex step",
}


@dataclass(frozen=True)
class Curve:
    """A function sampled for drawing: x and y of shape (n,), NaN where it is undefined."""

    x: NDArray[np.float64]
    y: NDArray[np.float64]


def where_defined(curve: Curve, f: Curve) -> Curve:
    """`curve` with gaps wherever `f` (sampled on the same x) is undefined or infinite.

    A derivative's formula can outlive its function's domain (d/dx log x = 1/x is finite at
    x < 0): drawn there it would show a slope of nothing.
    """
    return Curve(x=curve.x, y=np.where(np.isfinite(f.y), curve.y, np.nan))


def sample_curve(f: Callable, x_range: tuple[float, float], n: int = 481) -> Curve:
    """Evaluate `f` on n points across `x_range` (NaN where undefined)."""
    x = np.linspace(*x_range, n)
    return Curve(x=x, y=np.asarray(f(x), dtype=np.float64))


def visible_range(*curves: Curve, pad: float = 0.08) -> tuple[float, float]:
    """A y-range that shows the curves' shape without chasing their asymptotes.

    The finite values' full extent, unless a few values dwarf the rest (a pole): then the 5th
    to the 95th percentile. Widened a little, and never thinner than 1 so a constant shows.
    """
    values = np.concatenate([c.y[np.isfinite(c.y)] for c in curves] or [np.zeros(0)])
    if values.size == 0:
        return -1.0, 1.0
    low, high = float(values.min()), float(values.max())
    p_low, p_high = np.percentile(values, [5, 95])
    if high - low > 3 * (p_high - p_low):  # a pole or a blow-up: show the body, not the spike
        low, high = float(p_low), float(p_high)
    if high - low < 1.0:
        middle = (high + low) / 2
        low, high = middle - 0.5, middle + 0.5
    span = high - low
    return float(low - pad * span), float(high + pad * span)


def gaps_not_spikes(curve: Curve, y_range: tuple[float, float]) -> NDArray[np.float32]:
    """The curve's y with a gap (NaN) wherever it leaves the view across an asymptote.

    Joining the last point before a pole to the first after it would draw a false vertical
    spike; a jump larger than the view's height between neighbours is treated as a break.
    """
    y = curve.y.copy()
    span = y_range[1] - y_range[0]
    with np.errstate(invalid="ignore", over="ignore"):  # inf − inf, and beyond float32: gaps
        jumps = np.abs(np.diff(y)) > 2 * span
        y[1:][jumps] = np.nan
        return y.astype(np.float32)


def _line(curve: Curve, y_range, name: str, color: str, **line) -> go.Scatter:
    return go.Scatter(
        x=curve.x.astype(np.float32),
        y=gaps_not_spikes(curve, y_range),
        mode="lines",
        name=name,
        line={"color": color, **line},
        connectgaps=False,
    )


def _readout(text: str) -> dict:
    """The chart's title: the numbers at the current frame (frames replace it as they play)."""
    return {"title": {"text": text, "font": {"size": BASE_FONT_SIZE + 1}, "x": 0.01, "y": 0.98,
                      "yanchor": "top"}}  # fmt: skip


LEGEND_ON_TOP = {"orientation": "h", "x": 0.0, "xanchor": "left", "y": 1.0, "yanchor": "bottom"}


def _tangent_readout(sweep: TangentSweep, i: int) -> str:
    x0, value, slope = sweep.x0s[i], sweep.values[i], sweep.slopes[i]
    if not np.isfinite(value):
        return f"x₀ = {number(x0, 3)}:  f is not defined here"
    if not np.isfinite(slope):
        return f"x₀ = {number(x0, 3)}:  f(x₀) = {number(value)},  f′(x₀) does not exist"
    return f"x₀ = {number(x0, 3)}:  f(x₀) = {number(value)},  slope f′(x₀) = {number(slope)}"


def _finite_or_none(values) -> list[float | None]:
    """Plain floats for a frame (short: 9 significant digits, more than a chart can show)."""
    return [float(f"{v:.9g}") if np.isfinite(v) else None for v in values]


def _tangent_traces(sweep: TangentSweep, i: int, x_range) -> list[dict]:
    """The moving parts at x0 number i: tangent line, point on f, point on f′ (plain dicts)."""
    x0, value, slope = float(sweep.x0s[i]), float(sweep.values[i]), float(sweep.slopes[i])
    ends = [float(x_range[0]), float(x_range[1])]
    tangent_y = [value + slope * (end - x0) for end in ends]
    return [
        {"x": ends, "y": _finite_or_none(tangent_y)},
        {"x": [x0], "y": _finite_or_none([value])},
        {"x": [x0], "y": _finite_or_none([slope])},
    ]


def tangent_figure(
    f: Curve,
    df: Curve,
    sweep: TangentSweep,
    *,
    active: int,
    d2f: Curve | None = None,
) -> dict:
    """f and f′ together, and the tangent at x0 sweeping along f as plotly frames.

    The point on f′ at the same x0 has the tangent's slope as its height: the derivative is
    the slope function. Where f′(x0) does not exist (a corner) or f is undefined, the tangent
    is left out rather than drawn with a wrong slope.

    Args:
        f, df: the function and its derivative, sampled on the same x.
        sweep: the tangent at each x0 of the slider (values and slopes, NaN where none).
        active: index into `sweep` of the x0 shown first.
        d2f: the second derivative, drawn dashed when given.

    Returns:
        The figure as a JSON-ready dict with frames (see `viz.frames.with_sweep`).
    """
    x_range = (float(f.x[0]), float(f.x[-1]))
    # A derivative exists only where f does: 1/x is no slope of log x at x < 0.
    df = where_defined(df, f)
    d2f = where_defined(d2f, f) if d2f is not None else None
    y_range = visible_range(f, df, *([d2f] if d2f is not None else []))
    fig = themed_figure(x_title="x", y_title="y")
    fig.add_trace(_line(f, y_range, "f(x)", FUNCTION_COLOR))
    fig.add_trace(_line(df, y_range, "f′(x), the slope of f", DERIVATIVE_COLOR))
    if d2f is not None:
        fig.add_trace(_line(d2f, y_range, "f″(x)", SECOND_DERIVATIVE_COLOR, dash="dash", width=2.5))
    first_moving = len(fig.data)
    tangent, on_f, on_df = _tangent_traces(sweep, active, x_range)
    fig.add_trace(
        go.Scatter(
            **tangent, mode="lines", name="tangent at x₀", line={"color": TANGENT_COLOR, "width": 4}
        )
    )
    fig.add_trace(
        go.Scatter(
            **on_f,
            mode="markers",
            name="(x₀, f(x₀))",
            showlegend=False,
            marker={"color": POINT_COLOR, "size": 15, "line": {"color": "white", "width": 2}},
        )
    )
    fig.add_trace(
        go.Scatter(
            **on_df,
            mode="markers",
            name="(x₀, f′(x₀))",
            showlegend=False,
            marker={
                "color": DERIVATIVE_COLOR,
                "size": 13,
                "symbol": "diamond",
                "line": {"color": "white", "width": 2},
            },
        )
    )
    moving = list(range(first_moving, first_moving + 3))
    frames = [
        {
            "name": str(i),
            "data": _tangent_traces(sweep, i, x_range),
            "traces": moving,
            "layout": _readout(_tangent_readout(sweep, i)),
        }
        for i in range(len(sweep.x0s))
    ]
    labels = [number(float(x0), 3) for x0 in sweep.x0s]
    values = [repr(float(x0)) for x0 in sweep.x0s]
    slider = sweep_slider(
        labels,
        values,
        active=active,
        prefix="x₀ = ",
        frame_names=[str(i) for i in range(len(labels))],
    )
    fig.update_layout(
        **_readout(_tangent_readout(sweep, active)),
        xaxis={"range": list(x_range)},
        yaxis={"range": list(y_range)},
        margin={"t": 96, "b": 24},
        legend=LEGEND_ON_TOP,
    )
    return with_sweep(fig, frames, slider)


def _secant_readout(sweep: SecantSweep, i: int, exact: float) -> str:
    h, q = float(sweep.hs[i]), float(sweep.quotients[i])
    return f"h = {number(h, 2)}:  secant slope {number(q, 10)}   (tangent {number(exact, 10)})"


def _decade_label(h: float) -> str:
    exponent = np.log10(h)
    if not np.isclose(exponent, round(exponent), atol=1e-9):
        return ""
    return "1" if round(exponent) == 0 else f"1e{round(exponent)}"


def _secant_traces(sweep: SecantSweep, i: int, window) -> list[dict]:
    """The moving parts for step number i: the secant line and the point at x0 + h."""
    h, q, y1 = float(sweep.hs[i]), float(sweep.quotients[i]), float(sweep.y1[i])
    ends = [float(window[0]), float(window[1])]
    return [
        {"x": ends, "y": _finite_or_none([sweep.y0 + q * (end - sweep.x0) for end in ends])},
        {"x": [sweep.x0 + h], "y": _finite_or_none([y1])},
    ]


def secant_figure(
    f: Curve, sweep: SecantSweep, exact_slope: float, *, active: int = 0
) -> go.Figure:
    """The secant through x0 and x0 + h turning into the tangent as h shrinks (frames + play).

    Args:
        f: the function sampled over the window shown (around x0).
        sweep: secant slopes for h from large to small.
        exact_slope: f′(x0), drawn as the dashed tangent the secants approach.
        active: index of the h shown first.

    Returns:
        The figure as a JSON-ready dict with frames and a play button.
    """
    window = (float(f.x[0]), float(f.x[-1]))
    y_range = visible_range(f)
    fig = themed_figure(x_title="x", y_title="y")
    fig.add_trace(_line(f, y_range, "f(x)", FUNCTION_COLOR))
    ends = np.array(window)
    fig.add_scatter(
        x=ends.astype(np.float32),
        y=(sweep.y0 + exact_slope * (ends - sweep.x0)).astype(np.float32),
        mode="lines",
        name="tangent",
        line={"color": TANGENT_COLOR, "width": 3, "dash": "dash"},
    )
    fig.add_scatter(
        x=[sweep.x0],
        y=[sweep.y0],
        mode="markers",
        name="(x₀, f(x₀))",
        showlegend=False,
        marker={"color": POINT_COLOR, "size": 14, "line": {"color": "white", "width": 2}},
    )
    secant, far_point = _secant_traces(sweep, active, window)
    fig.add_trace(
        go.Scatter(
            **secant,
            mode="lines",
            name="secant",
            line={"color": STEP_COLOR, "width": 4},
        )
    )
    fig.add_trace(
        go.Scatter(
            **far_point,
            mode="markers",
            name="(x₀ + h, f(x₀ + h))",
            showlegend=False,
            marker={"color": STEP_COLOR, "size": 13, "line": {"color": "white", "width": 2}},
        )
    )
    moving = [len(fig.data) - 2, len(fig.data) - 1]
    names = [f"h{i}" for i in range(len(sweep.hs))]
    frames = [
        {
            "name": names[i],
            "data": _secant_traces(sweep, i, window),
            "traces": moving,
            "layout": _readout(_secant_readout(sweep, i, exact_slope)),
        }
        for i in range(len(sweep.hs))
    ]
    # Labels only at powers of ten (the title reads out the exact h at every step).
    labels = [_decade_label(h) for h in sweep.hs]
    slider = sweep_slider(
        labels,
        [repr(float(h)) for h in sweep.hs],
        active=active,
        prefix=None,
        frame_names=names,
        start=0.24,
    )
    fig.update_layout(
        **_readout(_secant_readout(sweep, active, exact_slope)),
        xaxis={"range": list(window)},
        yaxis={"range": list(y_range)},
        margin={"t": 96, "b": 24},
        legend=LEGEND_ON_TOP,
    )
    return with_sweep(fig, frames, slider, buttons=[play_button(names, label="▶ Shrink h")])


def error_figure(study: ErrorStudy) -> go.Figure:
    """|estimate − exact| against h on log-log axes, one line per method, best h marked.

    Truncation error falls with h (slope 1 forward and backward, 2 central); round-off grows
    like ε/h; where they meet is the best h. The complex step has no subtraction, so no
    round-off: it stays flat at machine precision.
    """
    fig = themed_figure(x_title="step h", y_title="|error|")
    hs = study.hs.astype(np.float64)
    for method, errors in study.errors.items():
        fig.add_scatter(
            x=hs,
            y=np.asarray(errors, dtype=np.float64),
            mode="lines",
            name=METHOD_NAMES.get(method, method),
            line={
                "color": METHOD_COLORS.get(method, MUTED_COLOR),
                "width": 3,
                "dash": "dot" if method == "backward" else "solid",
            },
        )
    for method, best in study.best_h.items():
        errors = np.asarray(study.errors[method], dtype=np.float64)
        at = int(np.nanargmin(np.abs(np.log10(hs) - np.log10(best))))
        fig.add_scatter(
            x=[best],
            y=[errors[at]],
            mode="markers",
            name=f"best h, {METHOD_NAMES[method]}: {number(best, 2)}",
            marker={
                "color": METHOD_COLORS[method],
                "size": 14,
                "symbol": "star",
                "line": {"color": POINT_COLOR, "width": 1},
            },
        )
    # Theory's best steps: √ε for one-sided quotients, ∛ε for the central one (times max(1,|x0|)).
    theory = {
        "√ε": (study.theory_best_h.get("forward"), "right"),
        "∛ε": (study.theory_best_h.get("central"), "left"),
    }
    shapes, labels = [], []
    for label, (h, side) in theory.items():
        if h is None or not np.isfinite(h):
            continue
        shapes.append(
            {"type": "line", "xref": "x", "yref": "paper", "x0": h, "x1": h, "y0": 0, "y1": 1,
             "line": {"color": MUTED_COLOR, "dash": "dot", "width": 2}}
        )  # fmt: skip
        labels.append(
            {"text": label, "x": np.log10(h), "y": 1, "xref": "x", "yref": "paper",
             "xanchor": side, "yanchor": "bottom", "showarrow": False,
             "font": {"color": MUTED_COLOR}}
        )  # fmt: skip
    fig.update_xaxes(type="log", exponentformat="power")
    fig.update_yaxes(type="log", exponentformat="power")
    fig.update_layout(margin={"t": 40}, legend={"y": -0.3}, shapes=shapes, annotations=labels)
    return fig


# --- the charts as text (screen readers, and anyone who prefers reading) -------------------------


def _span(x_range: tuple[float, float]) -> str:
    return f"x from {number(float(x_range[0]))} to {number(float(x_range[1]))}"


def tangent_summary(
    formula: str, point: PointDerivative, x_range: tuple[float, float], *, second: bool = False
) -> str:
    """What the tangent chart shows now: f, its derivative, the window, and the tangent at x₀.

    Args:
        formula: f as the learner typed it, e.g. "x^3".
        point: f and its slope at x₀ (`calc_core.derivatives.derivative_at`).
        x_range: the window drawn.
        second: whether f″ is drawn too.

    Returns:
        Two sentences, numbers as `viz.format.number` writes them.

    Example:
        >>> from calc_core.derivatives import derivative_at
        >>> cube = derivative_at(lambda x: x**3, lambda x: 3 * x**2, 1.0)
        >>> print(tangent_summary("x^3", cube, (-3.0, 3.0)))  # doctest: +ELLIPSIS
        f(x) = x^3 and ... At x₀ = 1: f(x₀) = 1, slope f′(x₀) = 3, tangent line y = 1 + 3·(x − 1).
    """
    curves = "its derivatives f′ and f″" if second else "its derivative f′"
    head = f"f(x) = {formula} and {curves} (the slope of f at each x), for {_span(x_range)}."
    at = number(point.x0)
    if point.status == "differentiable":
        value, slope = number(point.value), number(point.slope)
        return (
            f"{head} At x₀ = {at}: f(x₀) = {value}, slope f′(x₀) = {slope}, "
            f"tangent line y = {value} + {slope}·(x − {at})."
        )
    if point.status == "undefined":
        return f"{head} At x₀ = {at}: f is not defined, so there is no tangent."
    return f"{head} At x₀ = {at}: f(x₀) = {number(point.value)}, no tangent. {point.note}"


def secant_summary(
    formula: str, sweep_ends: tuple[float, float], x0: float, value: float, slope: float
) -> str:
    """What the secant chart shows: secants through x₀ and x₀ + h approaching the tangent.

    Args:
        formula: f as typed.
        sweep_ends: the largest and the smallest h of the animation.
        x0, value, slope: the point, f(x₀) and f′(x₀).

    Example:
        >>> print(secant_summary("x^3", (1.0, 1e-8), 1.0, 1.0, 3.0))  # doctest: +ELLIPSIS
        Secant lines of f(x) = x^3 through (x₀, f(x₀)) = (1, 1) ... slope f′(1) = 3.
    """
    largest, smallest = (number(float(h), 2) for h in sweep_ends)
    at = number(x0)
    return (
        f"Secant lines of f(x) = {formula} through (x₀, f(x₀)) = ({at}, {number(value)}) and "
        f"(x₀ + h, f(x₀ + h)), for h from {largest} down to {smallest} (press Shrink h). "
        f"Their slopes approach the dashed tangent's slope f′({at}) = {number(slope)}."
    )


def error_summary(study: ErrorStudy) -> str:
    """What the error chart shows: each method's error against h, and the best steps measured.

    Example:
        >>> from calc_core.numerical import error_versus_step
        >>> study = error_versus_step(np.exp, 1.0, np.e, f_complex=np.exp)
        >>> print(error_summary(study))  # doctest: +ELLIPSIS
        The error of each estimate of f′(1) = 2.718 against the step h, from 1e-16 to 1, ...
    """
    methods = ", ".join(
        f"{number(h, 2)} ({METHOD_NAMES[m]})" for m, h in study.best_h.items() if np.isfinite(h)
    )
    text = (
        f"The error of each estimate of f′({number(study.x0)}) = {number(study.exact)} against "
        f"the step h, from {number(float(study.hs[0]), 2)} to {number(float(study.hs[-1]), 2)}, "
        "both axes logarithmic."
    )
    if methods:
        text += f" Smallest error at h = {methods}"
        text += (
            "; the complex step stays near machine precision."
            if "complex_step" in study.errors
            else "."
        )
    return text
