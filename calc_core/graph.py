"""The computational graph of a formula, and reverse-mode accumulation on it.

:func:`build_graph` turns a SymPy expression into plain data: one :class:`Node` per distinct
sub-expression, in topological order, and one :class:`Edge` per argument.
:func:`forward_backward` then runs the algorithm backpropagation uses: a forward pass gives
every node its value; each edge gets its local derivative from a rule written by hand next to
the operation (as in micrograd's ``engine.py``); a backward pass, from the output down, gives
every node its adjoint ``∂output/∂node`` as the sum, over the edges leaving it, of
``adjoint(consumer) × local(edge)``. SymPy's ``diff`` is never called here: it is the
independent check in the tests.

Decisions, made for a picture a learner can read:
    * A sub-expression that occurs twice is **one** node with several consumers, so the
      backward pass visibly adds their contributions (``sin(x)·sin(x)``: the ``sin`` node has
      two out-edges). ``x*x`` is sympy's ``x**2``, one ``^2`` node.
    * ``+`` and ``×`` stay n-ary, as sympy keeps them (``x + y + z`` is one ``+`` node with
      three inputs); the local derivative of a product is the product of the other factors.
    * Subtraction is a ``sub`` node: sympy's ``x + (-1)·y`` is drawn ``x − y``; terms with a
      negative coefficient are gathered on the right (``x − y − z`` is ``x − (y + z)``), and a
      formula with only negative terms is a ``neg`` node. A coefficient of exactly −1 is a
      ``neg`` node (``−x·y`` is ``−(x × y)``); other negative numbers stay constants (``−3 × x``).
    * Division is a ``div`` node ``a ÷ b``: factors with a negative numeric exponent and the
      denominator of a rational coefficient form ``b`` (``x/2``, ``x/y``, ``1/x²``,
      ``log(x, 2) = log(x) ÷ log(2)``).
    * Every sub-expression without a variable is one ``const`` node (``2``, ``π``,
      ``log(2)``); a constant exponent is part of its ``pow`` node (``^2``), not a node.
    * Graphs have at most :data:`MAX_NODES` nodes and :data:`MAX_DEPTH` levels of nesting;
      larger ones raise ``ValueError`` (a typed formula never comes close to the depth).
    * Undefined values (``log(-1)``, ``1/0``) are NaN or ±inf, as in the rest of ``calc_core``.
      ``abs'(0)`` and ``relu'(0)`` are 0, as SymPy's ``sign`` and ``Heaviside(x, 0)`` say.
      The chain rule needs every piece differentiable: where a local derivative is infinite
      (``√x`` at 0) the adjoints through it are NaN or inf, even when the whole formula has a
      derivative there (``x^(3/2)·sin(√x)`` at 0), exactly as in PyTorch.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

from calc_core.expressions import compile_expression, relu, sigmoid, softplus, to_latex

__all__ = [
    "MAX_DEPTH",
    "MAX_NODES",
    "Edge",
    "Graph",
    "Node",
    "Pass",
    "build_graph",
    "forward_backward",
]

MAX_NODES = 150
MAX_DEPTH = 100


@dataclass(frozen=True)
class Node:
    """One operation (or input, or constant) of a computational graph.

    Attributes:
        id: position in topological order: every input id is smaller; the output is last.
        op: the operation, one of :data:`OPS` (``"input"``, ``"const"``, ``"add"``, ``"sub"``,
            ``"neg"``, ``"mul"``, ``"div"``, ``"pow"``, ``"pow_general"``, ``"sin"``, ...).
        label: what a learner reads on the node: ``"x"``, ``"3"``, ``"×"``, ``"^2"``, ``"sin"``.
        latex: LaTeX of the sub-expression this node computes, e.g. ``"2 x^{2}"``.
        inputs: ids of the nodes feeding it, by argument (a node may appear twice).
        param: the number the node carries: a ``const`` node's value or a ``pow`` node's
            constant exponent; None for every other op.
    """

    id: int
    op: str
    label: str
    latex: str
    inputs: tuple[int, ...]
    param: float | None = None


@dataclass(frozen=True)
class Edge:
    """The value of node ``source`` flowing into argument ``slot`` of node ``target``."""

    source: int
    target: int
    slot: int


@dataclass(frozen=True)
class Graph:
    """A formula as a computational graph.

    Attributes:
        nodes: all nodes; ``nodes[i].id == i``, in topological order.
        edges: one per argument of each node, ordered by ``(target, slot)``.
        output: id of the node computing the whole formula (the last one).
        variables: the variables the formula is a function of, in gradient order; a variable
            the formula does not use has no node (its partial derivative is 0).
    """

    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    output: int
    variables: tuple[str, ...]


@dataclass(frozen=True)
class Pass:
    """The forward and backward pass of a graph at one point.

    Attributes:
        values: value of every node, by id (NaN or ±inf where undefined).
        local: ``∂target/∂source`` at the point for every edge, aligned with ``graph.edges``.
        contributions: ``adjoint(target) × local`` for every edge, aligned with
            ``graph.edges``: what the edge adds to its source's adjoint.
        adjoints: ``∂output/∂node`` for every node, by id; the sum of the contributions of
            the edges leaving the node (1 for the output itself).
        gradient: ``∂output/∂variable`` for every variable of the graph.
        order_forward: node ids in the order their values are computed.
        order_backward: node ids in the order the backward pass visits them; when a node is
            visited its adjoint is final (all its consumers came before), and it passes
            ``adjoint × local`` down each of its input edges.
    """

    values: tuple[float, ...]
    local: tuple[float, ...]
    contributions: tuple[float, ...]
    adjoints: tuple[float, ...]
    gradient: dict[str, float]
    order_forward: tuple[int, ...]
    order_backward: tuple[int, ...]


# --- each operation: its value and its local derivatives, side by side -------------------------
# forward(args, param) -> value; local(args, out, param) -> (∂out/∂args[0], ∂out/∂args[1], ...).
# Arguments are numpy float64 scalars, so undefined values become NaN/inf rather than errors.

Forward = Callable[[tuple[Any, ...], Any], Any]
Local = Callable[[tuple[Any, ...], Any, Any], tuple[Any, ...]]


def _unary(f: Callable[[Any], Any], df: Callable[[Any, Any], Any]) -> tuple[Forward, Local]:
    """A one-argument rule from ``f(u)`` and ``df(u, out)`` where ``out = f(u)``."""
    return (lambda a, p: f(a[0])), (lambda a, out, p: (df(a[0], out),))


def _sigmoid(u: Any) -> Any:
    t = np.exp(-np.abs(u))
    return 1.0 / (1.0 + t) if u >= 0 else t / (1.0 + t)


def _softplus(u: Any) -> Any:
    return np.maximum(u, 0.0) + np.log1p(np.exp(-np.abs(u)))


def _others(a: tuple[Any, ...], i: int) -> Any:
    return math.prod(a[:i] + a[i + 1 :])


_RULES: dict[str, tuple[Forward, Local]] = {
    "add": (lambda a, p: sum(a), lambda a, out, p: (1.0,) * len(a)),
    "sub": (lambda a, p: a[0] - a[1], lambda a, out, p: (1.0, -1.0)),
    "mul": (
        lambda a, p: math.prod(a),
        lambda a, out, p: tuple(_others(a, i) for i in range(len(a))),
    ),
    "div": (lambda a, p: a[0] / a[1], lambda a, out, p: (1.0 / a[1], -a[0] / a[1] ** 2)),
    "pow": (lambda a, p: a[0] ** p, lambda a, out, p: (p * a[0] ** (p - 1),)),
    "pow_general": (
        lambda a, p: a[0] ** a[1],
        lambda a, out, p: (a[1] * a[0] ** (a[1] - 1), out * np.log(a[0])),
    ),
    "neg": _unary(lambda u: -u, lambda u, out: -1.0),
    "sqrt": _unary(np.sqrt, lambda u, out: 0.5 / out),
    "exp": _unary(np.exp, lambda u, out: out),
    "log": _unary(np.log, lambda u, out: 1.0 / u),
    "sin": _unary(np.sin, lambda u, out: np.cos(u)),
    "cos": _unary(np.cos, lambda u, out: -np.sin(u)),
    "tan": _unary(np.tan, lambda u, out: 1.0 + out**2),
    "sinh": _unary(np.sinh, lambda u, out: np.cosh(u)),
    "cosh": _unary(np.cosh, lambda u, out: np.sinh(u)),
    "tanh": _unary(np.tanh, lambda u, out: 1.0 - out**2),
    "asin": _unary(np.arcsin, lambda u, out: 1.0 / np.sqrt(1.0 - u**2)),
    "acos": _unary(np.arccos, lambda u, out: -1.0 / np.sqrt(1.0 - u**2)),
    "atan": _unary(np.arctan, lambda u, out: 1.0 / (1.0 + u**2)),
    "abs": _unary(np.abs, lambda u, out: np.sign(u)),  # sign(0) = 0, as SymPy's sign
    "sigmoid": _unary(_sigmoid, lambda u, out: out * (1.0 - out)),
    "relu": _unary(lambda u: np.maximum(u, 0.0), lambda u, out: float(u > 0)),  # 0 at 0
    "softplus": _unary(_softplus, lambda u, out: _sigmoid(u)),
}

_FUNCTIONS: dict[type, str] = {
    sympy.exp: "exp",
    sympy.log: "log",
    sympy.sin: "sin",
    sympy.cos: "cos",
    sympy.tan: "tan",
    sympy.sinh: "sinh",
    sympy.cosh: "cosh",
    sympy.tanh: "tanh",
    sympy.asin: "asin",
    sympy.acos: "acos",
    sympy.atan: "atan",
    sympy.Abs: "abs",
    sigmoid: "sigmoid",
    relu: "relu",
    softplus: "softplus",
}
_LABELS = {
    "add": "+",
    "sub": "−",
    "neg": "−",
    "mul": "×",
    "div": "÷",
    "pow_general": "^",
    "sqrt": "√",
    "sigmoid": "σ",
    "relu": "ReLU",
}
OPS = ("input", "const", *_RULES)


# --- building the graph -------------------------------------------------------------------------


def _too_large() -> ValueError:
    return ValueError(
        f"This formula's computational graph would have more than {MAX_NODES} nodes, too many "
        "to draw or follow step by step; try a shorter formula."
    )


def _const_value(c: sympy.Expr) -> float:
    """A constant's float value; sigmoid, relu and softplus of numbers evaluate with numpy."""
    try:
        return float(c)
    except (TypeError, ValueError):
        return float(compile_expression(c, ())())


def _const_label(c: sympy.Expr, value: float) -> str:
    """A short label for a constant: ``3``, ``−1/2``, ``π``, ``e``, ``log(2)``, ``1.414``."""
    if c == sympy.pi:
        return "π"
    if c == sympy.E:
        return "e"
    text = f"{c.p}/{c.q}" if c.is_Rational and not c.is_Integer else sympy.sstr(c)
    if len(text) > 8:
        text = f"{value:.4g}"
    return text.replace("-", "−")


class _Builder:
    """Builds nodes bottom-up; a sub-expression seen before returns its existing node."""

    def __init__(self) -> None:
        self.nodes: list[Node] = []
        self.ids: dict[sympy.Expr, int] = {}

    def node(self, key: sympy.Expr, op: str, inputs: Sequence[int] = (), **kw: Any) -> int:
        if key in self.ids:
            return self.ids[key]
        if len(self.nodes) >= MAX_NODES:
            raise _too_large()
        label = kw.pop("label", _LABELS.get(op, op))
        self.nodes.append(Node(len(self.nodes), op, label, to_latex(key), tuple(inputs), **kw))
        self.ids[key] = len(self.nodes) - 1
        return self.ids[key]

    def visit(self, e: sympy.Expr) -> int:
        if e in self.ids:
            return self.ids[e]
        if not e.free_symbols:
            value = _const_value(e)
            return self.node(e, "const", label=_const_label(e, value), param=value)
        if e.is_Add:
            return self._add(e)
        if e.is_Mul:
            return self._mul(e)
        if e.is_Pow:
            return self._pow(e)
        op = _FUNCTIONS.get(type(e))
        if op is None or len(e.args) != 1:
            raise ValueError(
                f"The computational graph cannot show {type(e).__name__} yet (in {e}); "
                f"it knows + − × ÷, powers and {', '.join(_FUNCTIONS.values())}."
            )
        return self.node(e, op, [self.visit(e.args[0])])

    def _add(self, e: sympy.Expr) -> int:
        negative = [t for t in e.args if t.as_coeff_Mul()[0].is_negative]
        if not negative:
            return self.node(e, "add", [self.visit(t) for t in e.args])
        subtracted = self.visit(sympy.Add(*[-t for t in negative]))
        positive = [t for t in e.args if t not in negative]
        if not positive:
            return self.node(e, "neg", [subtracted])
        return self.node(e, "sub", [self.visit(sympy.Add(*positive)), subtracted])

    def _mul(self, e: sympy.Expr) -> int:
        coeff, rest = e.as_coeff_Mul()
        if coeff == -1:
            return self.node(e, "neg", [self.visit(rest)])
        numerator: list[sympy.Expr] = []
        denominator: list[sympy.Expr] = []
        if coeff.is_Rational:
            numerator += [sympy.Integer(coeff.p)] if coeff.p != 1 else []
            denominator += [sympy.Integer(coeff.q)] if coeff.q != 1 else []
        elif coeff != 1:
            numerator.append(coeff)
        for f in sympy.Mul.make_args(rest):
            if f.is_Pow and f.exp.is_Number and f.exp.is_negative:
                denominator.append(f.base ** (-f.exp))
            else:
                numerator.append(f)
        if denominator:
            top, bottom = sympy.Mul(*numerator), sympy.Mul(*denominator)
            return self.node(e, "div", [self.visit(top), self.visit(bottom)])
        return self.node(e, "mul", [self.visit(f) for f in numerator])

    def _pow(self, e: sympy.Expr) -> int:
        base, exp = e.args
        if exp.is_Number and exp.is_negative:
            return self.node(e, "div", [self.visit(sympy.Integer(1)), self.visit(base**-exp)])
        if exp == sympy.Rational(1, 2):
            return self.node(e, "sqrt", [self.visit(base)])
        if exp.free_symbols:
            return self.node(e, "pow_general", [self.visit(base), self.visit(exp)])
        n = _const_value(exp)
        shown = _const_label(exp, n)
        label = f"^{shown}" if exp.is_Integer else f"^({shown})"
        return self.node(e, "pow", [self.visit(base)], label=label, param=n)


def _check_size(expr: sympy.Expr) -> None:
    """Refuse huge or very deep expressions before recursing into them, without recursion.

    Counts the distinct sub-expressions that contain a variable plus the constants they take
    (each becomes at most one node, except that sub/div add one for a regrouped side), and
    the nesting depth, which bounds the builder's recursion.
    """
    height: dict[sympy.Basic, int] = {}
    constant: dict[sympy.Basic, bool] = {}
    stack: list[tuple[sympy.Basic, bool]] = [(expr, False)]
    while stack:
        e, children_done = stack.pop()
        if e in height:
            continue
        if not children_done:
            stack.append((e, True))
            stack.extend((a, False) for a in e.args if a not in height)
            if len(height) + len(stack) > 20 * MAX_NODES:
                raise _too_large()
            continue
        height[e] = 1 + max((height[a] for a in e.args), default=0)
        constant[e] = not e.is_Symbol and all(constant[a] for a in e.args)
    if height[expr] > MAX_DEPTH:
        raise ValueError(
            f"This formula is nested more than {MAX_DEPTH} levels deep, too deep to draw as a "
            "computational graph; try a shorter formula."
        )
    varying = [e for e in height if not constant[e]]
    constants = {a for e in varying for a in e.args if constant[a]}
    if len(varying) + len(constants) > 3 * MAX_NODES:
        raise _too_large()


def build_graph(expr: sympy.Expr, variables: Sequence[str]) -> Graph:
    """Build the computational graph of a formula.

    Args:
        expr: a SymPy expression, usually from ``parse_expression``.
        variables: the variable names, e.g. ``("x", "y")``; the order of the gradient.

    Returns:
        A :class:`Graph`: the variables' ``input`` nodes first (in ``variables`` order, only
        those the formula uses), then one node per distinct sub-expression in topological
        order, the whole formula last.

    Raises:
        TypeError: if ``expr`` is not a SymPy expression or ``variables`` not a sequence of names.
        ValueError: if the formula uses a name outside ``variables``, contains an operation
            the graph cannot show, or would need more than :data:`MAX_NODES` nodes or
            :data:`MAX_DEPTH` levels of nesting.

    Example:
        >>> from calc_core.expressions import parse_expression
        >>> g = build_graph(parse_expression("sin(2x^2)"), ("x",))
        >>> [(n.label, n.inputs) for n in g.nodes]
        [('x', ()), ('2', ()), ('^2', (0,)), ('×', (1, 2)), ('sin', (3,))]
    """
    if not isinstance(expr, sympy.Expr):
        raise TypeError(f"build_graph expects a sympy expression, got {expr!r}")
    if isinstance(variables, str) or not isinstance(variables, Sequence):
        raise TypeError(
            f"variables must be a sequence of names such as ('x', 'y'), got {variables!r}"
        )
    names = tuple(variables)
    if not all(isinstance(n, str) for n in names) or len(set(names)) != len(names):
        raise TypeError(f"variables must be distinct names such as ('x', 'y'), got {names!r}")
    by_name: dict[str, sympy.Symbol] = {}
    for s in sorted(expr.free_symbols, key=str):
        if s.name not in names:
            raise ValueError(f"The formula uses {s.name!r}, which is not one of {names!r}.")
        if s.name in by_name:
            raise ValueError(f"The formula has two different symbols named {s.name!r}.")
        by_name[s.name] = s
    _check_size(expr)
    builder = _Builder()
    for name in names:
        if name in by_name:
            builder.node(by_name[name], "input", label=name)
    output = builder.visit(expr)
    edges = tuple(
        Edge(source, node.id, slot)
        for node in builder.nodes
        for slot, source in enumerate(node.inputs)
    )
    return Graph(tuple(builder.nodes), edges, output, names)


# --- the two passes -----------------------------------------------------------------------------


def forward_backward(graph: Graph, point: Mapping[str, float]) -> Pass:
    """Run the forward pass and reverse-mode accumulation (backpropagation) at a point.

    Args:
        graph: from :func:`build_graph`.
        point: a number for every variable of the graph, e.g. ``{"x": 1.3}``.

    Returns:
        A :class:`Pass` with every node's value and adjoint, every edge's local derivative,
        and the gradient ``{variable: ∂output/∂variable}``.

    Raises:
        ValueError: if a variable has no value in ``point``.

    Example:
        >>> from calc_core.expressions import parse_expression
        >>> g = build_graph(parse_expression("sin(2x^2)"), ("x",))
        >>> p = forward_backward(g, {"x": 1.3})
        >>> round(p.values[-1], 4), round(p.gradient["x"], 4)   # sin(3.38), 4·1.3·cos(3.38)
        (-0.2362, -5.0529)
        >>> round(p.adjoints[3], 4)                             # ∂out/∂(2x²) = cos(3.38)
        -0.9717
    """
    missing = [v for v in graph.variables if v not in point]
    if missing:
        raise ValueError(f"forward_backward needs a value for {missing!r}; got {dict(point)!r}")
    n = len(graph.nodes)
    values: list[Any] = [np.float64(math.nan)] * n
    local_of: list[tuple[Any, ...]] = [()] * n
    with np.errstate(all="ignore"):
        for node in graph.nodes:  # ids are topological: inputs are ready
            if node.op == "input":
                values[node.id] = np.float64(point[node.label])
            elif node.op == "const":
                values[node.id] = np.float64(node.param)
            else:
                forward, local = _RULES[node.op]
                args = tuple(values[i] for i in node.inputs)
                values[node.id] = np.float64(forward(args, node.param))
                local_of[node.id] = local(args, values[node.id], node.param)
        local_by_edge = [np.float64(local_of[e.target][e.slot]) for e in graph.edges]
        into: list[list[int]] = [[] for _ in range(n)]
        for k, e in enumerate(graph.edges):
            into[e.target].append(k)
        adjoints: list[Any] = [np.float64(0.0)] * n
        adjoints[graph.output] = np.float64(1.0)
        contributions: list[Any] = [np.float64(0.0)] * len(graph.edges)
        order_backward = tuple(reversed(range(n)))
        for i in order_backward:  # every consumer of i has a larger id: adjoints[i] is final
            for k in into[i]:
                contributions[k] = adjoints[i] * local_by_edge[k]
                adjoints[graph.edges[k].source] += contributions[k]
    inputs = {node.label: node.id for node in graph.nodes if node.op == "input"}
    return Pass(
        values=tuple(float(v) for v in values),
        local=tuple(float(v) for v in local_by_edge),
        contributions=tuple(float(v) for v in contributions),
        adjoints=tuple(float(v) for v in adjoints),
        gradient={v: float(adjoints[inputs[v]]) if v in inputs else 0.0 for v in graph.variables},
        order_forward=tuple(range(n)),
        order_backward=order_backward,
    )
