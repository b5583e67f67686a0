"""The intuition page's figure: the one-weight model on its data beside its loss curve L(w).

One figure with two panels rather than two charts: a slider move then costs one in-place redraw,
not two (measured: the later of two charts sets what the learner waits for).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from calc_core.derivatives import TangentLine
from calc_core.fitting import GradientStep, ToyData, mse_loss, predictions
from viz.format import number
from viz.theme import (
    BASE_FONT_SIZE,
    DATA_COLOR,
    DERIVATIVE_COLOR,
    FUNCTION_COLOR,
    MUTED_COLOR,
    POINT_COLOR,
    STEP_COLOR,
    TANGENT_COLOR,
    themed_figure,
)

X_RANGE = (0.0, 3.4)
Y_RANGE = (-2.0, 9.0)
FIT_PANEL = {"xaxis": "x", "yaxis": "y"}
LOSS_PANEL = {"xaxis": "x2", "yaxis": "y2"}


def _segments(x0: np.ndarray, y0: np.ndarray, x1: np.ndarray, y1: np.ndarray) -> tuple:
    """Many line segments as one trace's x and y, separated by NaN (one trace draws fast)."""
    nan = np.full_like(x0, np.nan)
    xs = np.column_stack([x0, x1, nan]).ravel().astype(np.float32)
    ys = np.column_stack([y0, y1, nan]).ravel().astype(np.float32)
    return xs, ys


def _panel_title(text: str, x: float) -> dict:
    return {
        "text": text,
        "x": x,
        "y": 1.0,
        "xref": "paper",
        "yref": "paper",
        "xanchor": "center",
        "yanchor": "bottom",
        "yshift": 12,
        "showarrow": False,
        "font": {"size": BASE_FONT_SIZE + 3},
    }


def _fit_traces(data: ToyData, w: float) -> list[go.Scatter]:
    """Errors as dashed segments, the model's line ŷ = w·x, and the data points."""
    xs, ys = _segments(data.x, data.y, data.x, predictions(w, data))
    line_x = np.array(X_RANGE, dtype=np.float32)
    return [
        go.Scatter(
            x=xs,
            y=ys,
            mode="lines",
            name="error ŷ − y",
            line={"color": DERIVATIVE_COLOR, "width": 2.5, "dash": "dot"},
            hoverinfo="skip",
            **FIT_PANEL,
        ),
        go.Scatter(
            x=line_x,
            y=(w * line_x).astype(np.float32),
            mode="lines",
            name="model ŷ = w·x",
            line={"color": FUNCTION_COLOR},
            **FIT_PANEL,
        ),
        go.Scatter(
            x=data.x.astype(np.float32),
            y=data.y.astype(np.float32),
            mode="markers",
            name="data (x, y)",
            marker={"color": DATA_COLOR, "size": 14, "line": {"color": "white", "width": 1.5}},
            hovertemplate="x = %{x}<br>y = %{y}<extra></extra>",
            **FIT_PANEL,
        ),
    ]


def _loss_traces(
    data: ToyData,
    w_range: tuple[float, float],
    tangent: TangentLine,
    step: GradientStep,
    history: Sequence[float],
    top: float,
) -> list[go.Scatter]:
    """The loss curve, the tangent at w, the steps taken, the next step and the point w."""
    ws = np.linspace(*w_range, 401)
    half_width = 0.12 * (w_range[1] - w_range[0])
    tangent_w = np.array([tangent.x0 - half_width, tangent.x0 + half_width])
    traces = [
        go.Scatter(
            x=ws.astype(np.float32),
            y=mse_loss(ws, data).astype(np.float32),
            mode="lines",
            name="loss L(w)",
            line={"color": FUNCTION_COLOR},
            **LOSS_PANEL,
        ),
        go.Scatter(
            x=tangent_w.astype(np.float32),
            y=np.asarray(tangent.at(tangent_w), dtype=np.float32),
            mode="lines",
            name=f"tangent, slope dL/dw = {number(tangent.slope)}",
            line={"color": TANGENT_COLOR, "width": 5},
            **LOSS_PANEL,
        ),
    ]
    if history:
        visited = np.asarray(history, dtype=float)
        traces.append(
            go.Scatter(
                x=visited.astype(np.float32),
                y=mse_loss(visited, data).astype(np.float32),
                mode="lines+markers",
                name="steps taken",
                line={"color": STEP_COLOR, "width": 2, "dash": "dot"},
                marker={"color": STEP_COLOR, "size": 9},
                **LOSS_PANEL,
            )
        )
    if step.w_next != step.w:
        landing_w = float(np.clip(step.w_next, *w_range))
        traces.append(
            go.Scatter(
                x=[step.w, landing_w],
                y=[step.loss, min(step.loss_next, top)],
                mode="lines+markers",
                name=f"next step, to w = {number(step.w_next)}",
                line={"color": STEP_COLOR, "width": 4},
                marker={"symbol": "arrow", "angleref": "previous", "size": [0, 24]},
                hoverinfo="skip",
                **LOSS_PANEL,
            )
        )
    traces.append(
        go.Scatter(
            x=[step.w],
            y=[step.loss],
            mode="markers",
            name="current w",
            marker={"color": POINT_COLOR, "size": 16, "line": {"color": "white", "width": 2}},
            hovertemplate="w = %{x:.4g}<br>L = %{y:.4g}<extra></extra>",
            **LOSS_PANEL,
        )
    )
    return traces


def intuition_figure(
    data: ToyData,
    w_range: tuple[float, float],
    tangent: TangentLine,
    step: GradientStep,
    history: Sequence[float] = (),
    best_w: float | None = None,
) -> go.Figure:
    """Left: data, the line ŷ = w·x and each error; right: L(w), the tangent and the step.

    Args:
        data: the points the model is fitted to.
        w_range: the weights shown on the loss panel, (low, high).
        tangent: the tangent to L at the current w; its slope is dL/dw.
        step: the gradient step from the current w (where it would land).
        history: weights visited by earlier steps, oldest first.
        best_w: the minimiser of L, marked with a dashed line when given.

    Returns:
        A figure with the fit on axes (x, y) and the loss on axes (x2, y2).
    """
    top = float(mse_loss(np.linspace(*w_range, 401), data).max()) * 1.05
    fig = themed_figure(x_title="x", y_title="y")
    fig.add_traces(
        _fit_traces(data, step.w) + _loss_traces(data, w_range, tangent, step, history, top)
    )
    annotations = [
        _panel_title(f"Model  ŷ = w·x  with  w = {number(step.w)}", 0.21),
        _panel_title("Loss  L(w) = mean (w·xᵢ − yᵢ)²", 0.79),
    ]
    shapes = []
    if best_w is not None:
        shapes.append(
            {
                "type": "line",
                "xref": "x2",
                "yref": "y2 domain",
                "x0": best_w,
                "x1": best_w,
                "y0": 0,
                "y1": 1,
                "line": {"color": MUTED_COLOR, "dash": "dash", "width": 2},
            }
        )
        annotations.append(
            {
                "text": "minimum",
                "x": best_w,
                "y": 1,
                "xref": "x2",
                "yref": "y2 domain",
                "yanchor": "top",
                "xanchor": "left",
                "xshift": 6,
                "showarrow": False,
                "font": {"color": MUTED_COLOR},
            }
        )
    fig.update_layout(
        xaxis={"domain": [0.0, 0.42], "range": list(X_RANGE)},
        yaxis={"range": list(Y_RANGE)},
        xaxis2={"domain": [0.58, 1.0], "range": list(w_range), "title": {"text": "w"}},
        yaxis2={"anchor": "x2", "range": [-0.03 * top, top], "title": {"text": "L(w)"}},
        annotations=annotations,
        shapes=shapes,
        margin={"t": 64},
    )
    return fig


def intuition_summary(step: GradientStep, steps_taken: int, best_w: float) -> str:
    """What the chart shows now, in words and the numbers a learner reads off it.

    Args:
        step: the gradient step from the current weight (w, L(w), dL/dw, η and where it lands).
        steps_taken: gradient steps taken so far from the starting weight.
        best_w: the minimiser of L.

    Returns:
        A few short sentences.

    Example:
        >>> from calc_core.fitting import gradient_step, toy_data
        >>> intuition_summary(gradient_step(0.0, 0.05, toy_data()), 0, 1.985).split(": ")[0]
        'Weight w = 0, loss L(w) = 14.97, slope dL/dw = −15.05'
    """
    if abs(step.slope) < 1e-3:
        way = "the loss is flat here, at its minimum"
    elif step.slope > 0:
        way = "the loss rises to the right, so a step moves w left"
    else:
        way = "the loss falls to the right, so a step moves w right"
    plural = "" if steps_taken == 1 else "s"
    return (
        f"Weight w = {number(step.w)}, loss L(w) = {number(step.loss)}, "
        f"slope dL/dw = {number(step.slope)}: {way}. "
        f"{steps_taken} gradient step{plural} taken with learning rate η = {number(step.lr)}; "
        f"the next goes to w = {number(step.w_next)}, loss {number(step.loss_next)}. "
        f"The loss is lowest at w = {number(best_w)}."
    )
