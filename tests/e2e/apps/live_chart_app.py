"""A tiny app that exercises ``live_chart`` on its own: a 2D line, a 3D surface, an animation.

Served by ``tests/e2e/test_live_chart_browser.py``; not part of the dashboard.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from ui.live_chart import live_chart

TEMPLATE = "plotly_white"  # streamlit's default template only works inside st.plotly_chart

st.title("live_chart test app")
a = st.slider("a", min_value=0.0, max_value=5.0, value=1.0, step=0.1, key="demo.a")

x = np.linspace(-3, 3, 200, dtype=np.float32)
line = go.Figure(go.Scatter(x=x, y=np.float32(a) * x**2, name="a·x²"))
line.update_layout(template=TEMPLATE, xaxis_title="x", yaxis_title="y", title="a·x²")
clicked = live_chart(line, key="demo.line", height=320, clicks=True)

grid = np.linspace(-2, 2, 40, dtype=np.float32)
gx, gy = np.meshgrid(grid, grid)
surface = go.Figure(go.Surface(x=grid, y=grid, z=np.float32(a) * (gx**2 - gy**2)))
surface.update_layout(template=TEMPLATE, title="saddle")
live_chart(surface, key="demo.surface", height=360, follows=True)  # after the line

ts = np.linspace(0, 2 * np.pi, 60, dtype=np.float32)
steps = [0.0, 0.5, 1.0, 1.5]
frames = [
    go.Frame(data=[go.Scatter(x=ts, y=np.sin(ts + np.float32(s)))], name=f"s{s}") for s in steps
]
slider_steps = [
    {
        "label": f"{s}",
        "value": f"{s}",
        "method": "animate",
        "args": [[f"s{s}"], {"mode": "immediate", "frame": {"duration": 0, "redraw": False}}],
    }
    for s in steps
]
animation = go.Figure(data=[go.Scatter(x=ts, y=np.sin(ts))], frames=frames)
animation.update_layout(
    template=TEMPLATE,
    title="phase",
    sliders=[{"steps": slider_steps, "currentvalue": {"prefix": "phase = "}}],
    yaxis_range=[-1.2, 1.2],
)
picked = live_chart(animation, key="demo.frames", height=380, filename="phase-animation")
st.text(f"plotly slider stopped at: {picked['value'] if picked else 'not moved'}")
# Last, so the charts above keep their places on the page (the browser tests drag on them).
where = clicked["click"] if clicked and "click" in clicked else None
st.text(
    f"line chart clicked at: {where['x']:.1f}, {where['y']:.1f} in {where['subplot']}"
    if where
    else "line chart clicked at: nowhere"
)
