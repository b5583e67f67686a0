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

# The partial-derivative and gradient pages: f(x, y), each with a window that shows its shape
# and a point where something happens. Keyed by display name; `SURFACE_VIEWS` by formula text.
SURFACE_PRESETS = {
    "x² + 3y² (a bowl)": "x^2 + 3y^2",
    "sin x · cos y": "sin(x)*cos(y)",
    "x² − y² (a saddle)": "x^2 - y^2",
    "Rosenbrock": "(1 - x)^2 + 100(y - x^2)^2",
    "Himmelblau": "(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
    "x·y·e^(−x²−y²)": "x*y*exp(-x^2 - y^2)",
    "peaks": "3(1 - x)^2 exp(-x^2 - (y + 1)^2) - 10(x/5 - x^3 - y^5) exp(-x^2 - y^2)"
    " - exp(-(x + 1)^2 - y^2)/3",
}
SURFACE_VIEWS = {  # formula text -> (x range, y range, (x0, y0))
    SURFACE_PRESETS["x² + 3y² (a bowl)"]: ((-3.0, 3.0), (-3.0, 3.0), (1.0, 1.0)),
    SURFACE_PRESETS["sin x · cos y"]: ((-3.0, 3.0), (-3.0, 3.0), (1.0, 0.5)),
    SURFACE_PRESETS["x² − y² (a saddle)"]: ((-2.0, 2.0), (-2.0, 2.0), (1.0, 0.5)),
    SURFACE_PRESETS["Rosenbrock"]: ((-2.0, 2.0), (-1.0, 3.0), (-1.0, 1.0)),
    SURFACE_PRESETS["Himmelblau"]: ((-5.0, 5.0), (-5.0, 5.0), (1.0, 1.0)),
    SURFACE_PRESETS["x·y·e^(−x²−y²)"]: ((-2.0, 2.0), (-2.0, 2.0), (0.5, 1.0)),
    SURFACE_PRESETS["peaks"]: ((-3.0, 3.0), (-3.0, 3.0), (0.5, -0.5)),
}

# The Hessian page: f(x, y) whose curvature tells a story, the lesson's surfaces among them.
HESSIAN_PRESETS = {
    "x² + 3y² (a bowl)": "x^2 + 3y^2",
    "x² + 25y² (an ill-conditioned bowl)": "x^2 + 25y^2",
    "x² − y² (a saddle, where gradient descent stalls)": "x^2 - y^2",
    "x⁴ + y⁴ (degenerate: the Hessian is 0 at the minimum)": "x^4 + y^4",
    "Rosenbrock": "(1 - x)^2 + 100(y - x^2)^2",
    "Himmelblau": "(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
    "peaks": SURFACE_PRESETS["peaks"],
    "x⁴ − 2x² + y⁴ − 2y² (plain Newton climbs to the hilltop)": "x^4 - 2x^2 + y^4 - 2y^2",
}

# The Jacobian page: maps F(x, y) with two outputs (R² → R²) or three (R² → R³, a surface
# patch), each with a window and a point. "layer" holds a network layer's default weights
# (w11, w12, w21, w22, b1, b2): its formulas are tanh(W·(x, y) + b) written out with them.
JACOBIAN_PRESETS = {
    "Polar → Cartesian (x = r, y = θ)": {
        "formulas": ("x*cos(y)", "x*sin(y)"),
        "window": ((0.0, 3.0), (-3.0, 3.0)),
        "point": (2.0, 0.5),
    },
    "z ↦ z² as (x² − y², 2xy)": {
        "formulas": ("x^2 - y^2", "2*x*y"),
        "window": ((-2.0, 2.0), (-2.0, 2.0)),
        "point": (1.0, 1.0),
    },
    "Rotation and shear (linear)": {
        "formulas": ("cos(0.5)*(x + 0.8*y) - sin(0.5)*y", "sin(0.5)*(x + 0.8*y) + cos(0.5)*y"),
        "window": ((-2.0, 2.0), (-2.0, 2.0)),
        "point": (1.0, 0.5),
    },
    "Network layer tanh(W·x + b)": {
        "formulas": ("tanh(1.5*x - 1*y + 0.5)", "tanh(1*x + 1*y - 0.5)"),
        "window": ((-3.0, 3.0), (-3.0, 3.0)),
        "point": (0.5, 0.5),
        "layer": (1.5, -1.0, 1.0, 1.0, 0.5, -0.5),
    },
    "A fold: (x, y³ + x·y)": {
        "formulas": ("x", "y^3 + x*y"),
        "window": ((-2.0, 1.0), (-1.0, 1.0)),
        "point": (-1.0, 0.5),
    },
    "Paraboloid patch (x, y, x² + y²)": {
        "formulas": ("x", "y", "x^2 + y^2"),
        "window": ((-1.5, 1.5), (-1.5, 1.5)),
        "point": (-0.5, 0.5),
    },
    "Sphere patch (x = longitude φ, y = polar angle θ)": {
        "formulas": ("cos(x)*sin(y)", "sin(x)*sin(y)", "cos(y)"),
        "window": ((-2.0, 1.0), (0.5, 2.5)),
        "point": (-0.5, 1.0),
    },
    "Saddle patch (x, y, x² − y²)": {
        "formulas": ("x", "y", "x^2 - y^2"),
        "window": ((-1.5, 1.5), (-1.5, 1.5)),
        "point": (0.5, 0.5),
    },
}
