"""The chain-rule page's figure: each link of y = f(g(x)) and the composition, side by side.

One figure with one panel per link (innermost first) and a last panel for the composition, so
a move of x₀ is one redraw. In every panel the point, its tangent, and a small step: the
horizontal segment is the input's change, the vertical one the output's change. The colours
carry the step along the chain: the Δu that leaves g (vertical, in g's panel) is the Δu that
enters f (horizontal, in f's panel). x₀ sweeps as plotly frames, played in the browser.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from calc_core.composition import ChainAtPoint, stage_names
from viz.derivatives import Curve, gaps_not_spikes, visible_range
from viz.format import number
from viz.frames import sweep_slider, with_sweep
from viz.theme import (
    BASE_FONT_SIZE,
    FUNCTION_COLOR,
    OKABE_ITO,
    POINT_COLOR,
    TANGENT_COLOR,
    themed_figure,
)

# The colour of each quantity's change, input first: Δx, Δu, (Δv,) Δy.
DELTA_COLORS = (OKABE_ITO["green"], OKABE_ITO["purple"], OKABE_ITO["sky"], OKABE_ITO["vermillion"])
GAP = 0.07  # between panels, as a fraction of the figure's width


def delta_colors(count: int) -> tuple[str, ...]:
    """The colours of Δx, Δu, ..., Δy for a chain of ``count`` links (Δy always vermillion)."""
    return (*DELTA_COLORS[:count], DELTA_COLORS[-1])


def _finite(values: Sequence[float]) -> list[float | None]:
    return [float(f"{v:.5g}") if np.isfinite(v) else None for v in values]


def _axis_name(i: int) -> tuple[str, str]:
    """Trace references and layout keys of panel i: ("x2", "xaxis2")."""
    suffix = "" if i == 0 else str(i + 1)
    return f"x{suffix}", f"xaxis{suffix}"


def _panel_traces(
    a: float, b: float, slope: float, da: float, db: float, window: tuple[float, float]
) -> list[dict]:
    """Moving parts of one panel: tangent, point, input step (horizontal), output step."""
    ends = [float(window[0]), float(window[1])]
    return [
        {"x": ends, "y": _finite([b + slope * (e - a) for e in ends])},
        {"x": _finite([a]), "y": _finite([b])},
        {"x": _finite([a, a + da]), "y": _finite([b, b])},
        {"x": _finite([a + da, a + da]), "y": _finite([b, b + db])},
    ]


def _frame_traces(point: ChainAtPoint, dx: float, windows: Sequence) -> list[dict]:
    """Moving traces of every panel at one x₀: each link, then the composition."""
    steps = point.propagate(dx).actual
    values, slopes = point.values, point.slopes
    traces: list[dict] = []
    for i, slope in enumerate(slopes):
        traces += _panel_traces(values[i], values[i + 1], slope, steps[i], steps[i + 1], windows[i])
    traces += _panel_traces(values[0], values[-1], point.direct, dx, steps[-1], windows[-1])
    return traces


def chain_readout(point: ChainAtPoint) -> str:
    """The title at one x₀: the values along the chain and dy/dx as the product of slopes."""
    names = stage_names(len(point.slopes))
    values = ",  ".join(f"{n}₀ = {number(v)}" for n, v in zip(names, point.values, strict=True))
    factors = " · ".join(f"({number(s)})" for s in reversed(point.slopes))
    return f"{values}     dy/dx = {factors} = {number(point.product)}"


def chain_figure(
    curves: Sequence[Curve],
    composition: Curve,
    sweep: Sequence[ChainAtPoint],
    *,
    dx: float,
    active: int,
) -> dict:
    """Each link and the composition in panels side by side, with x₀ swept as frames.

    Args:
        curves: each link sampled over the inputs it receives, innermost first
            (g over the x window, then f over the values g takes, ...).
        composition: y = f(g(x)) sampled over the x window.
        sweep: the chain at every x₀ of the slider.
        dx: the step Δx followed through the chain (drawn with actual Δu, Δy).
        active: index into ``sweep`` of the x₀ shown first.

    Returns:
        The figure as a JSON-ready dict with frames (see ``viz.frames.with_sweep``); its traces
        named "point: <panel>" and "tangent: <panel>" are the moving ones.
    """
    count = len(curves)
    names = stage_names(count)
    colors = delta_colors(count)
    panels = [*curves, composition]
    inputs = [*names[:-1], "x"]
    outputs = [*names[1:], "y"]
    titles = [f"{o} of {i}" for i, o in zip(inputs[:-1], outputs[:-1], strict=True)]
    titles.append("y of x: the composition")
    width = (1.0 - GAP * count) / (count + 1)
    fig = themed_figure()
    windows = [(float(c.x[0]), float(c.x[-1])) for c in panels]
    layout: dict = {}
    for i, curve in enumerate(panels):
        x_ref, x_key = _axis_name(i)
        y_ref, y_key = "y" + x_ref[1:], "yaxis" + x_key[5:]
        y_range = visible_range(curve)
        start = i * (width + GAP)
        layout[x_key] = {
            "domain": [start, start + width],
            "range": list(windows[i]),
            "title": {"text": inputs[i]},
            "anchor": y_ref,
        }
        layout[y_key] = {"range": list(y_range), "title": {"text": outputs[i]}, "anchor": x_ref}
        with np.errstate(over="ignore"):  # an input beyond float32 (exp of exp ...): inf
            x = curve.x.astype(np.float32)
        fig.add_trace(
            go.Scatter(
                x=x,
                y=gaps_not_spikes(curve, y_range),
                mode="lines",
                name=titles[i],
                showlegend=False,
                line={"color": FUNCTION_COLOR},
                xaxis=x_ref,
                yaxis=y_ref,
            )
        )
    layout["annotations"] = [
        {
            "text": title,
            "x": i * (width + GAP) + width / 2,
            "y": 1.0,
            "xref": "paper",
            "yref": "paper",
            "xanchor": "center",
            "yanchor": "bottom",
            "yshift": 8,
            "showarrow": False,
            "font": {"size": BASE_FONT_SIZE + 1},
        }
        for i, title in enumerate(titles)
    ]
    first_moving = len(fig.data)
    first = _frame_traces(sweep[active], dx, windows)
    for i in range(count + 1):
        x_ref, _ = _axis_name(i)
        refs = {"xaxis": x_ref, "yaxis": "y" + x_ref[1:]}
        d_in, d_out = (colors[i], colors[i + 1]) if i < count else (colors[0], colors[-1])
        d_in_name = f"Δ{inputs[i]}"
        d_out_name = f"Δ{outputs[i]}"
        tangent, point, step_in, step_out = first[4 * i : 4 * i + 4]
        fig.add_scatter(
            **tangent,
            mode="lines",
            name=f"tangent: {titles[i]}",
            showlegend=False,
            line={"color": TANGENT_COLOR, "width": 3, "dash": "dash"},
            **refs,
        )
        fig.add_scatter(
            **point,
            mode="markers",
            name=f"point: {titles[i]}",
            showlegend=False,
            marker={"color": POINT_COLOR, "size": 13, "line": {"color": "white", "width": 2}},
            **refs,
        )
        fig.add_scatter(
            **step_in,
            mode="lines",
            name=d_in_name,
            showlegend=i < count,
            legendgroup=d_in_name,
            line={"color": d_in, "width": 6},
            **refs,
        )
        fig.add_scatter(
            **step_out,
            mode="lines",
            name=d_out_name,
            showlegend=i == count - 1,
            legendgroup=d_out_name,
            line={"color": d_out, "width": 6},
            **refs,
        )
    moving = list(range(first_moving, len(fig.data)))
    frames = [
        {
            "name": str(k),
            "data": _frame_traces(p, dx, windows),
            "traces": moving,
            "layout": {"title": {"text": chain_readout(p)}},
        }
        for k, p in enumerate(sweep)
    ]
    slider = sweep_slider(
        [number(p.x0, 3) for p in sweep],
        [repr(p.x0) for p in sweep],
        active=active,
        prefix="x₀ = ",
        frame_names=[str(k) for k in range(len(sweep))],
    )
    fig.update_layout(
        title={
            "text": chain_readout(sweep[active]),
            "font": {"size": BASE_FONT_SIZE + 1},
            "x": 0.01,
            "y": 0.98,
            "yanchor": "top",
        },
        margin={"t": 110, "b": 24},
        legend={"orientation": "h", "x": 1.0, "xanchor": "right", "y": 1.12, "yanchor": "bottom"},
        **layout,
    )
    return with_sweep(fig, frames, slider)


def chain_summary(
    formulas: Sequence[str], point: ChainAtPoint, x_range: tuple[float, float], dx: float
) -> str:
    """What the chain chart shows now, as text: the links, the values at x₀, the slopes that
    multiply, and the step Δx followed through the chain.

    Args:
        formulas: the links as typed, outermost first (f(u), then g(x); or f, g, h).
        point: the chain at x₀ (`calc_core.composition.chain_at`).
        x_range: the window of x drawn.
        dx: the step Δx drawn.

    Returns:
        Three sentences, numbers as `viz.format.number` writes them.

    Example:
        >>> from calc_core.composition import chain_at, make_chain
        >>> from calc_core.expressions import parse_expression
        >>> chain = make_chain([parse_expression("u^2", ("u",)), parse_expression("3x")])
        >>> print(chain_summary(["u^2", "3x"], chain_at(chain, 1.0), (-2, 2), 0.1))
        ... # doctest: +ELLIPSIS
        y = f(g(x)) with f(u) = u^2, g(x) = 3x, ... dy/dx = f′(u₀)·g′(x₀) = (6)·(3) = 18. ...
    """
    count = len(formulas)
    letters = ("f", "g", "h")[:count]
    inputs = ["u"] * (count - 1) + ["x"]
    links = ", ".join(
        f"{letter}({v}) = {text}" for letter, v, text in zip(letters, inputs, formulas, strict=True)
    )
    nested = "(".join(letters) + "(x" + ")" * count
    names = stage_names(count)
    values = ", ".join(f"{n}₀ = {number(v)}" for n, v in zip(names, point.values, strict=True))
    rule = "·".join(f"{letter}′({names[count - 1 - i]}₀)" for i, letter in enumerate(letters))
    factors = "·".join(f"({number(s)})" for s in reversed(point.slopes))
    low, high = (number(float(v)) for v in x_range)
    return (
        f"y = {nested} with {links}, for x from {low} to {high}: one panel per link, the last "
        f"for y. At {values}, dy/dx = {rule} = {factors} = {number(point.product)}. "
        f"A step Δx = {number(dx)} changes y by about dy/dx·Δx = {number(point.product * dx)}."
    )
