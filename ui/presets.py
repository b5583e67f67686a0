"""Formulas each page offers to pick from, named as a learner knows them."""

from __future__ import annotations

# The lesson's examples first; then the functions deep learning uses, and the awkward cases.
DERIVATIVE_PRESETS = {
    "x² + 3x + 5 (the lesson)": "x^2 + 3x + 5",
    "sin(2x²) (the chain-rule example)": "sin(2x^2)",
    "x³ − 2x": "x^3 - 2x",
    "eˣ": "exp(x)",
    "ln x": "ln(x)",
    "sigmoid σ(x)": "sigmoid(x)",
    "tanh x": "tanh(x)",
    "ReLU": "relu(x)",
    "|x|": "abs(x)",
    "sin(x) / x": "sin(x)/x",
    "3x² − 4x (d2l's example)": "3x^2 - 4x",
}

# The lesson's coding exercise: its two functions first.
CODING_PRESETS = {
    "x² + 3x + 5 (the lesson)": "x**2 + 3*x + 5",
    "sin(2x²) (the chain-rule example)": "sin(2*x**2)",
    "sigmoid σ(x)": "sigmoid(x)",
    "tanh x": "tanh(x)",
    "eˣ": "exp(x)",
}
