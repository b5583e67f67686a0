"""A point moving over a heat map, for live_chart's quick path: it must not take it (plotly's
partial redraw would wipe the heat map), so the chart is redrawn in full and says why.

Served by ``tests/e2e/test_quick_redraw_browser.py``; not part of the dashboard.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from ui.live_chart import live_chart
from viz.theme import typed_array

x0 = st.slider("x0", min_value=-1.0, max_value=1.0, value=0.0, step=0.1, key="demo.x0")
grid = np.linspace(-1, 1, 30)
heat = {"type": "heatmap", "x": typed_array(grid), "y": typed_array(grid),
        "z": typed_array(np.add.outer(grid, grid)), "showscale": False}  # fmt: skip
point = {"type": "scatter", "x": [x0], "y": [0.0], "mode": "markers",
         "marker": {"size": 16, "color": "#000000"}}  # fmt: skip
layout = {"xaxis": {"range": [-1, 1]}, "yaxis": {"range": [-1, 1]}, "showlegend": False,
          "margin": {"l": 30, "r": 10, "t": 10, "b": 30}}  # fmt: skip
live_chart({"data": [heat, point], "layout": layout}, key="demo.heat", height=320)
