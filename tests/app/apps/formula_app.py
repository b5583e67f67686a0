"""A minimal page around the shared formula box, so its behaviour is tested on its own."""

import streamlit as st

from ui.cache import compiled, derivative_of
from ui.formula_input import formula_input

PRESETS = {"Quadratic": "x**2 + 3*x + 5", "Chain rule": "sin(2*x**2)"}

st.slider("Other setting", 0, 10, 3, key="demo.other")
formula = formula_input("demo.f", default="x**2 + 3*x + 5", presets=PRESETS)
st.text(f"drawing: {formula.text}")
st.text(f"f(2) = {float(compiled(formula.text)(2.0)):.6g}")
st.text(f"f'(x) = {derivative_of(formula.text)}")
