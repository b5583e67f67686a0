"""The backpropagation page's figure and tables: decision boundary, loss curve, gradient norms.

One figure with three panels rather than three charts, so a training step costs one in-place
redraw; built as a plain dict over a cached layout, since it is rebuilt on every step. Arrays
travel as float32 (compact binary); the heat map is a 60×60 grid.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from calc_core.mlp import PLANTED_BUGS, ChainRuleTerm, CheckRow
from viz.contours import level_line
from viz.format import number
from viz.theme import BASE_FONT_SIZE, OKABE_ITO, themed_figure, typed_array

GRID = 60
BOUNDARY_PANEL = {"xaxis": "x", "yaxis": "y"}
LOSS_PANEL = {"xaxis": "x2", "yaxis": "y2"}
NORM_PANEL = {"xaxis": "x3", "yaxis": "y3"}
# Blue where the network says label 0, orange where it says label 1 (colour-blind safe), pale
# near p = 0.5 so the boundary line and the points stand out.
PROBABILITY_SCALE = [[0.0, "#5fa8d9"], [0.5, "#f7f7f7"], [1.0, "#f2c05c"]]
CLASS_STYLE = {
    0: {"name": "label 0", "color": OKABE_ITO["blue"], "symbol": "circle"},
    1: {"name": "label 1", "color": OKABE_ITO["vermillion"], "symbol": "diamond"},
}
LAYER_STYLE = (
    ("‖∂L/∂(W₁, b₁)‖ hidden layer", OKABE_ITO["green"], "solid"),
    ("‖∂L/∂(W₂, b₂)‖ output layer", OKABE_ITO["purple"], "dash"),
)
VERDICT_COLORS = {  # background, text: blue fine / orange suspicious / vermillion wrong
    "fine": ("#cfe3f2", "#0b3c5d"),
    "suspicious": ("#f8dfa6", "#5c3d00"),
    "wrong": (OKABE_ITO["vermillion"], "#ffffff"),
}


def grid_axes(X: ArrayLike, pad: float = 0.4) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """Grid coordinates along x₁ and x₂ covering the points, square, `GRID` values each.

    Args:
        X: the inputs, shape `(n, 2)`.
        pad: margin added on every side.

    Returns:
        (xs, ys), each float32 of shape `(GRID,)`, the same symmetric range for both.
    """
    reach = max(float(np.abs(np.asarray(X, dtype=float)).max()) + pad, 1.5)
    axis = np.linspace(-reach, reach, GRID, dtype=np.float32)
    return axis, axis.copy()


def _panel_title(text: str, x: float, y: float) -> dict:
    return {
        "text": text,
        "x": x,
        "y": y,
        "xref": "paper",
        "yref": "paper",
        "xanchor": "center",
        "yanchor": "bottom",
        "yshift": 6,
        "showarrow": False,
        "font": {"size": BASE_FONT_SIZE + 1},
    }


def _boundary_traces(
    X: NDArray, y: NDArray, xs: NDArray, ys: NDArray, probabilities: NDArray
) -> list[dict]:
    """Heat map of p(label 1), the p = 0.5 line, and the points by class (shape and colour)."""
    z = np.asarray(probabilities, dtype=np.float32)
    boundary_x, boundary_y = level_line(xs, ys, z, 0.5)
    traces: list[dict] = [
        {
            "type": "heatmap",
            "x": typed_array(xs),
            "y": typed_array(ys),
            "z": typed_array(z),
            "zmin": 0.0,
            "zmax": 1.0,
            "colorscale": PROBABILITY_SCALE,
            "colorbar": {
                "title": {"text": "p(label 1)", "side": "right"},
                "x": 0.44,
                "xanchor": "left",
                "len": 0.9,
                "thickness": 12,
            },
            "hovertemplate": "x₁ = %{x:.2f}<br>x₂ = %{y:.2f}<br>p = %{z:.3f}<extra></extra>",
            "name": "p(label 1)",
            **BOUNDARY_PANEL,
        },
        {  # a plain line: a contour trace is recomputed by the browser every redraw
            "type": "scatter",
            "x": typed_array(boundary_x),
            "y": typed_array(boundary_y),
            "mode": "lines",
            "line": {"color": "#1f2933", "width": 3},
            "hoverinfo": "skip",
            "name": "boundary p = 0.5",
            "connectgaps": False,
            **BOUNDARY_PANEL,
        },
    ]
    labels = np.asarray(y) > 0.5
    for label, style in CLASS_STYLE.items():
        chosen = labels == bool(label)
        traces.append(
            {
                "type": "scatter",
                "x": typed_array(X[chosen, 0]),
                "y": typed_array(X[chosen, 1]),
                "mode": "markers",
                "name": style["name"],
                "marker": {
                    "color": style["color"],
                    "symbol": style["symbol"],
                    "size": 9,
                    "line": {"color": "white", "width": 1},
                },
                "hovertemplate": style["name"]
                + "<br>x₁ = %{x:.2f}<br>x₂ = %{y:.2f}<extra></extra>",
                **BOUNDARY_PANEL,
            }
        )
    return traces


def _history_traces(
    loss_steps: NDArray, losses: NDArray, norm_steps: NDArray, grad_norms: NDArray
) -> list[dict]:
    """The loss per step, and one gradient-norm line per layer."""
    mode = "lines" if len(losses) > 1 else "markers"
    traces = [
        {
            "type": "scatter",
            "x": typed_array(loss_steps),
            "y": typed_array(losses),
            "mode": mode,
            "name": "loss L",
            "line": {"color": OKABE_ITO["black"], "width": 3},
            "hovertemplate": "step %{x}<br>L = %{y:.4g}<extra></extra>",
            **LOSS_PANEL,
        }
    ]
    norms = np.asarray(grad_norms, dtype=np.float32).reshape(-1, 2)
    norm_mode = "lines" if len(norms) > 1 else "markers"
    for layer, (name, color, dash) in enumerate(LAYER_STYLE):
        traces.append(
            {
                "type": "scatter",
                "x": typed_array(norm_steps),
                "y": typed_array(norms[:, layer]),
                "mode": norm_mode,
                "name": name,
                "line": {"color": color, "width": 3, "dash": dash},
                "hovertemplate": "step %{x}<br>‖∂L‖ = %{y:.3g}<extra></extra>",
                **NORM_PANEL,
            }
        )
    return traces


@functools.lru_cache(maxsize=64)
def _training_layout(low: float, high: float) -> str:
    """The three panels' layout for a boundary window [low, high]², as JSON (built once)."""
    fig = themed_figure(x_title="x₁", y_title="x₂")
    fig.update_layout(
        xaxis={"domain": [0.0, 0.42], "range": [low, high], "zeroline": False},
        yaxis={"range": [low, high], "zeroline": False},
        xaxis2={"domain": [0.66, 1.0], "anchor": "y2", "matches": "x3", "showticklabels": False},
        yaxis2={"domain": [0.58, 1.0], "anchor": "x2", "type": "log", "title": {"text": "L"}},
        xaxis3={
            "domain": [0.66, 1.0],
            "anchor": "y3",
            "title": {"text": "step"},
            "rangemode": "nonnegative",
        },
        yaxis3={"domain": [0.0, 0.42], "anchor": "x3", "type": "log", "title": {"text": "‖∂L‖"}},
        annotations=[
            _panel_title("Decision boundary  p(label 1) = 0.5", 0.21, 1.0),
            _panel_title("Loss (binary cross-entropy)", 0.83, 1.0),
            _panel_title("Gradient norm per layer", 0.83, 0.42),
        ],
        legend={"y": -0.16},
        margin={"t": 48, "b": 40},
    )
    return json.dumps(json.loads(fig.to_json())["layout"])


def training_figure(
    X: ArrayLike,
    y: ArrayLike,
    xs: ArrayLike,
    ys: ArrayLike,
    probabilities: ArrayLike,
    loss_steps: ArrayLike,
    losses: ArrayLike,
    norm_steps: ArrayLike,
    grad_norms: ArrayLike,
) -> dict:
    """Left: the decision boundary over the data; right: the loss and the gradient norms per step.

    Built as a JSON-ready dict rather than a `go.Figure`: a training step or a noise move
    redraws it, and plotly's validation of every property took 14 ms of each such rerun (this
    dict: under 1 ms); `go.Figure(training_figure(...))` validates it (the tests do).

    Args:
        X: inputs, shape `(n, 2)`; y: labels 0/1, shape `(n,)`.
        xs, ys: the grid's coordinates, shapes `(m,)` and `(k,)`, the same window for both.
        probabilities: p(label 1) on the grid, shape `(k, m)` (as `predict_grid` returns).
        loss_steps, losses: step numbers and the loss after that many steps, shape `(s,)`.
        norm_steps, grad_norms: step numbers `(t,)` and per-layer gradient norms `(t, 2)`.

    Returns:
        The figure as a dict (`data`, `layout`) with the boundary on axes (x, y), the loss on
        (x2, y2, log scale) and the gradient norms on (x3, y3, log scale).
    """
    X = np.asarray(X, dtype=float)
    xs = np.asarray(xs, dtype=np.float32)
    ys = np.asarray(ys, dtype=np.float32)
    data = _boundary_traces(X, np.asarray(y), xs, ys, np.asarray(probabilities))
    data += _history_traces(
        np.asarray(loss_steps), np.asarray(losses), np.asarray(norm_steps), grad_norms
    )
    return {"data": data, "layout": json.loads(_training_layout(float(xs[0]), float(xs[-1])))}


def training_summary(
    step: int,
    loss: float,
    accuracy: float,
    grad_norms: ArrayLike,
    diverged: bool,
    points: int,
) -> str:
    """What the training chart shows now, in words and the numbers a learner reads off it.

    Args:
        step: gradient steps taken.
        loss: the binary cross-entropy now (the loss curve's last point).
        accuracy: the fraction of points on the right side of the boundary, in [0, 1].
        grad_norms: the per-layer gradient norms so far, shape `(t, 2)` (hidden, output);
            the last row is the one read out.
        diverged: whether training blew up.
        points: how many data points the boundary panel shows.

    Returns:
        A few short sentences.

    Example:
        >>> training_summary(100, 0.3012, 0.875, [[0.5, 0.25], [0.2, 0.1]], False, 200)
        ... # doctest: +ELLIPSIS
        'Step 100: loss L = 0.3012, accuracy 87.5 % (175 of 200 points on the right side ...'
    """
    right = round(accuracy * points)
    text = (
        f"Step {step}: loss L = {number(loss)}, accuracy {100 * accuracy:.1f} % "
        f"({right} of {points} points on the right side of the decision boundary p = 0.5)."
    )
    norms = np.asarray(grad_norms, dtype=float).reshape(-1, 2)
    if len(norms):
        hidden, output = norms[-1]
        text += (
            f" Gradient norm at the last step: hidden layer {number(hidden)}, "
            f"output layer {number(output)}."
        )
    else:
        text += " No gradient step taken yet."
    if diverged:
        text += " Training diverged: the loss stopped being a number."
    return text


# --- tables and formulas ---------------------------------------------------------------------


def check_table(rows: Sequence[CheckRow]) -> dict[str, list]:
    """The gradient check as columns: parameter, analytic, numeric, relative error, verdict."""
    return {
        "parameter": [row.name for row in rows],
        "backward pass": [row.analytic for row in rows],
        "central difference": [row.numeric for row in rows],
        "relative error": [row.relative_error for row in rows],
        "verdict": [row.verdict for row in rows],
    }


def check_summary(rows: Sequence[CheckRow], bug: str | None) -> str:
    """One sentence: all parameters fine, or how many are wrong and whether a planted bug shows."""
    total = len(rows)
    wrong = sum(row.verdict == "wrong" for row in rows)
    suspicious = sum(row.verdict == "suspicious" for row in rows)
    if wrong == 0 and suspicious == 0:
        text = f"All {total} parameters fine: the backward pass agrees with central differences."
        if bug is not None:
            text += f" The planted bug ({bug.replace('_', ' ')}) went unnoticed."
        return text
    parts = []
    if wrong:
        parts.append(f"{wrong} of {total} parameters wrong")
    if suspicious:
        parts.append(f"{suspicious} suspicious")
    text = ", ".join(parts) + "."
    if bug is not None and wrong:
        text += f" The planted bug ({bug.replace('_', ' ')}) is caught: {PLANTED_BUGS[bug]}"
    return text


def verdict_style(verdict: str) -> str:
    """CSS for a table cell of this verdict (colour-blind safe, the word is shown too)."""
    background, text = VERDICT_COLORS.get(verdict, ("transparent", "inherit"))
    return f"background-color: {background}; color: {text}"


def tex_number(value: float, digits: int = 4) -> str:
    """A number for LaTeX: `number`'s rounding, with 1e-05 written as 1 × 10⁻⁵."""
    text = number(value, digits).replace("−", "-")
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return text


def _vector(values: Sequence[float]) -> str:
    return r"\left(" + ",\\ ".join(tex_number(v) for v in values) + r"\right)"


def forward_latex(terms: Sequence[ChainRuleTerm], activation_formula: str) -> str:
    """The forward pass of one sample with its numbers, as one LaTeX `aligned` block."""
    forward = {t.name: t.value for t in terms if t.role == "forward"}
    hidden = sum(name.startswith("z1[") for name in forward)
    z1 = [forward[f"z1[{j}]"] for j in range(hidden)]
    a1 = [forward[f"a1[{j}]"] for j in range(hidden)]
    lines = [
        rf"x &= {_vector([forward['x[0]'], forward['x[1]']])},\quad y = {tex_number(forward['y'])}",
        rf"z_1 &= W_1 x + b_1 = {_vector(z1)}",
        rf"a_1 &= \operatorname{{act}}(z_1) = {_vector(a1)}"
        rf"\qquad \operatorname{{act}}(z) = {activation_formula}",
        rf"z_2 &= W_2 a_1 + b_2 = {tex_number(forward['z2'])}",
        rf"p &= \sigma(z_2) = {tex_number(forward['p'])}",
        rf"L &= -\left[y \log p + (1 - y) \log(1 - p)\right] = {tex_number(forward['L'])}",
    ]
    return r"\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}"


def chain_rule_latex(terms: Sequence[ChainRuleTerm]) -> str:
    """The chain rule for one weight: the factors as symbols, then as numbers, then the product."""
    factors = [t for t in terms if t.role == "factor"]
    (gradient,) = [t for t in terms if t.role == "gradient"]
    symbols = r" \cdot ".join(t.symbol for t in factors)
    values = r" \cdot ".join(rf"\left({tex_number(t.value)}\right)" for t in factors)
    return (
        r"\begin{aligned}"
        rf"{gradient.symbol} &= {symbols} \\"
        rf"&= {values} \\"
        rf"&= {tex_number(gradient.value, 6)}"
        r"\end{aligned}"
    )
