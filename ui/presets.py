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

# The chain-rule page: the links of y = f(g(x)) (or f(g(h(x)))), outermost first; the
# outer links are formulas in u, the innermost in x.
CHAIN_PRESETS = {
    "sin(2x²) (the lesson)": ("sin(u)", "2x^2"),
    "e^(−x²)": ("exp(u)", "-x^2"),
    "(sin x)²": ("u^2", "sin(x)"),
    "σ(3x − 1)": ("sigmoid(u)", "3x - 1"),
    "ln(1 + tanh²x) (three links)": ("ln(u)", "1 + u^2", "tanh(x)"),
}

# The chain-rule page's computational graphs: formulas of x and y.
GRAPH_PRESETS = {
    "sin(2x²) (the lesson)": "sin(2x^2)",
    "x·y + sin(x)": "x*y + sin(x)",
    "sin(x)·exp(sin(x)) + x (shared sub-expression)": "sin(x)*exp(sin(x)) + x",
    "σ(2x + y) (a neuron)": "sigmoid(2x + y)",
}
