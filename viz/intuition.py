"""Figures of the intuition page: the one-weight model on its data, and its loss curve L(w)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from calc_core.derivatives import TangentLine
from calc_core.fitting import GradientStep, ToyData, mse_loss, predictions
from viz.format import number
from viz.theme import (
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


def _segments(x0: np.ndarray, y0: np.ndarray, x1: np.ndarray, y1: np.ndarray) -> tuple:
    """Many line segments as one trace's x and y, separated by NaN (one trace draws fast)."""
    nan = np.full_like(x0, np.nan)
    xs = np.column_stack([x0, x1, nan]).ravel().astype(np.float32)
    ys = np.column_stack([y0, y1, nan]).ravel().astype(np.float32)
    return xs, ys


def model_fit_figure(data: ToyData, w: float) -> go.Figure:
    """The data points, the model's line ŷ = w·x and each point's error as a dashed segment."""
    fig = themed_figure(title=f"Model  ŷ = w·x  with  w = {number(w)}", x_title="x", y_title="y")
    xs, ys = _segments(data.x, data.y, data.x, predictions(w, data))
    fig.add_scatter(
        x=xs,
        y=ys,
        mode="lines",
        name="error ŷ − y",
        line={"color": DERIVATIVE_COLOR, "width": 2.5, "dash": "dot"},
        hoverinfo="skip",
    )
    line_x = np.array(X_RANGE, dtype=np.float32)
    fig.add_scatter(
        x=line_x,
        y=(w * line_x).astype(np.float32),
        mode="lines",
        name="model ŷ = w·x",
        line={"color": FUNCTION_COLOR},
    )
    fig.add_scatter(
        x=data.x.astype(np.float32),
        y=data.y.astype(np.float32),
        mode="markers",
        name="data (x, y)",
        marker={"color": DATA_COLOR, "size": 14, "line": {"color": "white", "width": 1.5}},
        hovertemplate="x = %{x}<br>y = %{y}<extra></extra>",
    )
    fig.update_xaxes(range=list(X_RANGE))
    fig.update_yaxes(range=list(Y_RANGE))
    return fig


def loss_curve_figure(
    data: ToyData,
    w_range: tuple[float, float],
    tangent: TangentLine,
    step: GradientStep,
    history: Sequence[float] = (),
    best_w: float | None = None,
) -> go.Figure:
    """L(w) with the point w, its tangent, the next gradient step and the steps taken so far.

    Args:
        data: the points the loss is measured on.
        w_range: the weights shown, (low, high).
        tangent: the tangent to L at the current w; its slope is dL/dw.
        step: the gradient step from the current w (where it would land).
        history: weights visited by earlier steps, oldest first.
        best_w: the minimiser of L, marked with a dashed line when given.
    """
    fig = themed_figure(title="Loss  L(w) = mean (w·xᵢ − yᵢ)²", x_title="w", y_title="L(w)")
    ws = np.linspace(*w_range, 401)
    losses = mse_loss(ws, data)
    top = float(losses.max()) * 1.05
    fig.add_scatter(
        x=ws.astype(np.float32),
        y=losses.astype(np.float32),
        mode="lines",
        name="loss L(w)",
        line={"color": FUNCTION_COLOR},
    )
    if best_w is not None:
        fig.add_vline(
            x=best_w,
            line={"color": MUTED_COLOR, "dash": "dash", "width": 2},
            annotation_text="minimum",
            annotation_position="top",
        )
    half_width = 0.12 * (w_range[1] - w_range[0])
    tangent_w = np.array([tangent.x0 - half_width, tangent.x0 + half_width])
    fig.add_scatter(
        x=tangent_w.astype(np.float32),
        y=np.asarray(tangent.at(tangent_w), dtype=np.float32),
        mode="lines",
        name=f"tangent, slope dL/dw = {number(tangent.slope)}",
        line={"color": TANGENT_COLOR, "width": 5},
    )
    if history:
        visited = np.asarray(history, dtype=float)
        fig.add_scatter(
            x=visited.astype(np.float32),
            y=mse_loss(visited, data).astype(np.float32),
            mode="lines+markers",
            name="steps taken",
            line={"color": STEP_COLOR, "width": 2, "dash": "dot"},
            marker={"color": STEP_COLOR, "size": 9},
        )
    fig.add_scatter(
        x=[step.w],
        y=[step.loss],
        mode="markers",
        name="current w",
        marker={"color": POINT_COLOR, "size": 16, "line": {"color": "white", "width": 2}},
        hovertemplate="w = %{x:.3f}<br>L = %{y:.4f}<extra></extra>",
    )
    if step.w_next != step.w:
        landing = min(step.loss_next, top)
        fig.add_annotation(
            x=float(np.clip(step.w_next, *w_range)),
            y=landing,
            ax=step.w,
            ay=step.loss,
            xref="x",
            yref="y",
            axref="x",
            ayref="y",
            showarrow=True,
            arrowhead=3,
            arrowsize=1.4,
            arrowwidth=3,
            arrowcolor=STEP_COLOR,
            text="",
        )
    fig.update_xaxes(range=list(w_range))
    fig.update_yaxes(range=[-0.03 * top, top])
    return fig
