"""Computational graphs and reverse-mode accumulation, checked against sympy's own derivatives."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from calc_core.expressions import (
    ExpressionError,
    compile_expression,
    parse_expression,
    symbol,
)
from calc_core.graph import MAX_DEPTH, MAX_NODES, Graph, build_graph, forward_backward
from calc_core.multivariate import gradient

XY = ("x", "y")
x, y = symbol("x"), symbol("y")


def graph_of(text: str, variables: tuple[str, ...] = XY) -> Graph:
    return build_graph(parse_expression(text, variables), variables)


def only(graph: Graph, op: str) -> int:
    """The id of the one node with this op."""
    (found,) = [n.id for n in graph.nodes if n.op == op]
    return found


def sympy_gradient(text: str, point: dict[str, float]) -> list[float]:
    expr = parse_expression(text, XY)
    return [float(compile_expression(g, XY)(point["x"], point["y"])) for g in gradient(expr, XY)]


def assert_structure(graph: Graph) -> None:
    """Topological ids, output last, edges mirroring inputs, orders usable by step buttons."""
    assert [n.id for n in graph.nodes] == list(range(len(graph.nodes)))
    assert graph.output == len(graph.nodes) - 1
    for node in graph.nodes:
        assert all(i < node.id for i in node.inputs)
    assert sorted((e.target, e.slot, e.source) for e in graph.edges) == sorted(
        (n.id, slot, i) for n in graph.nodes for slot, i in enumerate(n.inputs)
    )
    assert len(graph.edges) == sum(len(n.inputs) for n in graph.nodes)
    result = forward_backward(graph, dict.fromkeys(graph.variables, 0.7))
    done: set[int] = set()
    for i in result.order_forward:
        assert set(graph.nodes[i].inputs) <= done, "a node is evaluated before its inputs"
        done.add(i)
    assert done == set(range(len(graph.nodes)))
    visited: set[int] = set()
    for i in result.order_backward:
        consumers = {e.target for e in graph.edges if e.source == i}
        assert consumers <= visited, "an adjoint is visited before all its consumers"
        visited.add(i)
    assert visited == set(range(len(graph.nodes)))


# --- the lesson's example ---------------------------------------------------------------------


def test_the_lessons_sin_2x_squared():
    """sin(2x²): nodes x, 2, ^2, ×, sin; gradient 4x·cos(2x²); adjoints follow the chain rule."""
    g = graph_of("sin(2x^2)", ("x",))
    assert [(n.op, n.label) for n in g.nodes] == [
        ("input", "x"),
        ("const", "2"),
        ("pow", "^2"),
        ("mul", "×"),
        ("sin", "sin"),
    ]
    assert [n.inputs for n in g.nodes] == [(), (), (0,), (1, 2), (3,)]
    assert g.nodes[3].latex == "2 x^{2}"
    p = forward_backward(g, {"x": 1.3})
    u = 2 * 1.3**2
    assert p.values == pytest.approx([1.3, 2.0, 1.69, u, math.sin(u)], rel=1e-15)
    assert p.gradient["x"] == pytest.approx(4 * 1.3 * math.cos(u), rel=1e-12)
    assert p.adjoints[4] == 1.0
    assert p.adjoints[3] == pytest.approx(math.cos(u), rel=1e-12)  # ∂out/∂(2x²)
    assert p.adjoints[2] == pytest.approx(2 * math.cos(u), rel=1e-12)  # ∂out/∂(x²)
    assert p.adjoints[1] == pytest.approx(1.69 * math.cos(u), rel=1e-12)  # ∂out/∂2
    local = {(e.source, e.target): v for e, v in zip(g.edges, p.local, strict=True)}
    assert local[(3, 4)] == pytest.approx(math.cos(u))
    assert local[(0, 2)] == pytest.approx(2 * 1.3)
    assert local[(2, 3)] == 2.0
    assert p.order_forward == (0, 1, 2, 3, 4)
    assert p.order_backward == (4, 3, 2, 1, 0)


# --- shared sub-expressions: gradients add up ----------------------------------------------------


def test_a_shared_sub_expression_is_one_node_whose_adjoint_sums_its_consumers():
    """In sin(x)·exp(sin(x)) + x, sin(x) is one node with two consumers; contributions add."""
    text = "sin(x) exp(sin(x)) + x"
    g = graph_of(text)
    s = only(g, "sin")
    out_edges = [k for k, e in enumerate(g.edges) if e.source == s]
    assert len(out_edges) == 2
    point = {"x": 0.7, "y": 0.0}
    p = forward_backward(g, point)
    sv = math.sin(0.7)
    contributions = sorted(p.contributions[k] for k in out_edges)
    assert contributions == pytest.approx(sorted([math.exp(sv), sv * math.exp(sv)]), rel=1e-12)
    assert p.adjoints[s] == pytest.approx(sum(contributions), rel=1e-15)
    assert p.adjoints[s] == pytest.approx((1 + sv) * math.exp(sv), rel=1e-12)
    assert p.gradient["x"] == pytest.approx(sympy_gradient(text, point)[0], rel=1e-12)
    assert_structure(g)


def test_a_node_used_twice_by_one_parent_has_two_edges():
    """An unevaluated sin(x)·sin(x) + x: the product takes sin(x) in both slots, 2·sin·cos + 1."""
    s = sympy.sin(x)
    expr = sympy.Add(sympy.Mul(s, s, evaluate=False), x, evaluate=False)
    g = build_graph(expr, ("x",))
    sin_id, mul_id = only(g, "sin"), only(g, "mul")
    assert g.nodes[mul_id].inputs == (sin_id, sin_id)
    twice = [k for k, e in enumerate(g.edges) if e.source == sin_id]
    assert [g.edges[k].slot for k in twice] == [0, 1]
    p = forward_backward(g, {"x": 0.7})
    assert [p.local[k] for k in twice] == pytest.approx([math.sin(0.7)] * 2)
    assert p.adjoints[sin_id] == pytest.approx(2 * math.sin(0.7))
    assert p.gradient["x"] == pytest.approx(float(sympy.diff(expr, x).subs(x, 0.7)), rel=1e-12)


def test_x_times_y_plus_x_sums_two_paths_into_x():
    """x·y + x: x feeds × and +, so ∂f/∂x = y + 1 is the sum of two contributions."""
    g = graph_of("x y + x")
    p = forward_backward(g, {"x": 2.0, "y": -3.0})
    into_x = sorted(c for e, c in zip(g.edges, p.contributions, strict=True) if e.source == 0)
    assert into_x == [-3.0, 1.0]
    assert p.gradient == {"x": -2.0, "y": 2.0}
    assert p.values[g.output] == -4.0


# --- several variables and readable shapes ------------------------------------------------------


def test_two_variables():
    """f(x, y) = x·y + sin(x): ∂f/∂x = y + cos x, ∂f/∂y = x."""
    p = forward_backward(graph_of("x y + sin(x)"), {"x": 0.4, "y": 1.5})
    assert p.gradient["x"] == pytest.approx(1.5 + math.cos(0.4), rel=1e-14)
    assert p.gradient["y"] == pytest.approx(0.4, rel=1e-14)


def test_a_variable_the_formula_does_not_use_has_no_node_and_zero_gradient():
    """f(x, y) = x² has no y node; ∂f/∂y = 0. A constant formula is one const node."""
    g = graph_of("x^2")
    assert [n.label for n in g.nodes if n.op == "input"] == ["x"]
    assert forward_backward(g, {"x": 3.0, "y": 1.0}).gradient == {"x": 6.0, "y": 0.0}
    c = graph_of("2 pi")
    assert [n.op for n in c.nodes] == ["const"]
    assert forward_backward(c, {"x": 1.0, "y": 1.0}).gradient == {"x": 0.0, "y": 0.0}


def test_subtraction_and_negation_read_as_written():
    """x − y is a sub node (locals 1, −1); −x·y is neg of a product; −x − y is neg of a sum."""
    g = graph_of("x - y")
    assert [(n.op, n.label, n.inputs) for n in g.nodes][-1] == ("sub", "−", (0, 1))
    assert forward_backward(g, {"x": 5.0, "y": 2.0}).local == (1.0, -1.0)
    g = graph_of("x - 3y")
    assert g.nodes[-1].op == "sub"
    assert [n.label for n in g.nodes if n.op == "const"] == ["3"]
    assert [n.op for n in graph_of("-x y").nodes] == ["input", "input", "mul", "neg"]
    assert [n.op for n in graph_of("-x - y").nodes] == ["input", "input", "add", "neg"]


def test_division_reads_as_written():
    """x/y is a div node with locals 1/y and −x/y²; x/2, 1/x² and log(x, 2) are divisions too."""
    g = graph_of("x / y")
    assert [(n.op, n.label, n.inputs) for n in g.nodes][-1] == ("div", "÷", (0, 1))
    assert forward_backward(g, {"x": 3.0, "y": 2.0}).local == (0.5, -0.75)
    for text, labels in [
        ("x/2", ["x", "2", "÷"]),
        ("1/x^2", ["x", "1", "^2", "÷"]),
        ("log(x, 2)", ["x", "log", "log(2)", "÷"]),
        ("1/sqrt(x)", ["x", "1", "√", "÷"]),
    ]:
        assert [n.label for n in graph_of(text).nodes] == labels, text


@pytest.mark.parametrize(
    ("name", "at"),
    [
        ("sin", 0.3),
        ("cos", 0.3),
        ("tan", 0.3),
        ("exp", 0.3),
        ("log", 0.3),
        ("sqrt", 0.3),
        ("abs", -0.3),
        ("sinh", 0.3),
        ("cosh", 0.3),
        ("tanh", 0.3),
        ("asin", 0.3),
        ("acos", 0.3),
        ("atan", 0.3),
        ("sigmoid", 0.3),
        ("relu", 0.3),
        ("relu", -0.3),
        ("softplus", 0.3),
        ("abs", 0.0),
        ("relu", 0.0),
    ],
)
def test_each_functions_local_derivative_matches_sympy(name, at):
    """The hand-written local derivative of each function equals sympy's diff at a point."""
    expr = parse_expression(f"{name}(x)")
    g = build_graph(expr, ("x",))
    assert len(g.edges) == 1
    (local,) = forward_backward(g, {"x": at}).local
    expected = float(compile_expression(sympy.diff(expr, x))(at))
    assert local == pytest.approx(expected, rel=1e-14, abs=1e-300)


def test_general_powers_have_a_local_derivative_per_slot():
    """x^y: ∂/∂x = y·x^(y−1) on the base edge and x^y·ln x on the exponent edge."""
    g = graph_of("x^y")
    assert g.nodes[-1].op == "pow_general"
    p = forward_backward(g, {"x": 2.0, "y": 3.0})
    assert p.local == pytest.approx((12.0, 8.0 * math.log(2.0)))
    assert p.gradient == pytest.approx({"x": 12.0, "y": 8.0 * math.log(2.0)})


def test_undefined_points_give_nan_not_errors():
    """log(x) at x = −1 is NaN, and so is its gradient; nothing raises or warns."""
    p = forward_backward(graph_of("log(x) + y"), {"x": -1.0, "y": 0.0})
    assert math.isnan(p.values[-1])
    assert p.gradient["y"] == 1.0


def test_an_infinite_local_derivative_gives_nan_as_in_pytorch():
    """x^(3/2)·sin(√x) has derivative 0 at 0, but the path through √x (local ∞) gives 0·∞."""
    text = "x (sqrt(x) sin(sqrt(x)))"
    assert sympy_gradient(text, {"x": 0.0, "y": 0.0})[0] == 0.0
    g = graph_of(text)
    p = forward_backward(g, {"x": 0.0, "y": 0.0})
    root = only(g, "sqrt")
    (k,) = [k for k, e in enumerate(g.edges) if e.target == root]
    assert math.isinf(p.local[k])
    assert p.adjoints[root] == 0.0
    assert math.isnan(p.contributions[k])
    assert math.isnan(p.gradient["x"])


# --- structure, errors, size ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["sin(2x^2)", "x y + x", "sin(x) exp(sin(x)) + x", "(x - y)^2/(1 + x^2) - log(x, 2)", "x^x"],
)
def test_structure(text):
    """Ids topological, output last, edges match inputs, both orders valid for step buttons."""
    assert_structure(graph_of(text))


def test_one_node_per_distinct_sub_expression():
    """No two nodes compute the same sub-expression."""
    g = graph_of("(x + y) sin(x + y) + exp(x + y) - (x + y)^2")
    latex = [n.latex for n in g.nodes]
    assert len(latex) == len(set(latex))
    assert latex.count("x + y") == 1


def test_bad_arguments_are_refused_with_clear_messages():
    """Unknown names, unsupported operations, non-expressions and missing values."""
    with pytest.raises(ValueError, match="'z'"):
        build_graph(parse_expression("x + z", ("x", "z")), XY)
    with pytest.raises(ValueError, match="floor"):
        build_graph(sympy.floor(x), ("x",))
    with pytest.raises(TypeError, match="sympy expression"):
        build_graph("x**2", ("x",))
    with pytest.raises(ValueError, match="'y'"):
        forward_backward(graph_of("x y"), {"x": 1.0})


def test_huge_graphs_are_refused():
    """A 300-term polynomial or a 200-deep nesting raises ValueError naming the limit."""
    wide = sympy.expand((x + y + 1) ** 23)
    with pytest.raises(ValueError, match=f"more than {MAX_NODES} nodes"):
        build_graph(wide, XY)
    deep = x
    for _ in range(200):
        deep = sympy.sin(deep)
    with pytest.raises(ValueError, match=f"nested more than {MAX_DEPTH} levels"):
        build_graph(deep, ("x",))
    # x, sin(x), then k, k·x, sin(k·x) for k = 2..n, then the sum: 3n nodes
    at_limit = sum(sympy.sin(k * x) for k in range(1, 51))
    assert len(build_graph(at_limit, ("x",)).nodes) == MAX_NODES == 150
    over = sum(sympy.sin(k * x) for k in range(1, 52))
    with pytest.raises(ValueError, match=f"more than {MAX_NODES} nodes"):
        build_graph(over, ("x",))


# --- the property: every formula, every point, the same gradient as sympy ----------------------

FUNCTIONS = (
    *("sin", "cos", "tan", "exp", "log", "sqrt", "abs", "sinh", "cosh", "tanh"),
    *("asin", "acos", "atan", "sigmoid", "relu", "softplus"),
)


def formulas(max_leaves: int = 8) -> st.SearchStrategy[str]:
    """Formula text in x and y with every operation the graph knows, and repeated parts."""
    leaves = st.one_of(st.sampled_from(XY), st.sampled_from(["1", "2", "3", "0.5", "pi"]))

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.tuples(inner, st.sampled_from("+-*/"), inner).map(
                lambda t: f"({t[0]}){t[1]}({t[2]})"
            ),
            st.tuples(inner, st.sampled_from(["2", "3", "-1", "-2", "0.5", "1.5"])).map(
                lambda t: f"({t[0]})^({t[1]})"
            ),
            st.tuples(st.sampled_from(["2", "x", "y"]), inner).map(lambda t: f"{t[0]}^({t[1]})"),
            st.tuples(st.sampled_from(FUNCTIONS), inner).map(lambda t: f"{t[0]}({t[1]})"),
            # the same sub-formula used twice, so that adjoints must add up
            st.tuples(inner, st.sampled_from(FUNCTIONS)).map(lambda t: f"({t[0]})*{t[1]}({t[0]})"),
        )

    return st.recursive(leaves, extend, max_leaves=max_leaves)


@settings(max_examples=300, deadline=None)
@given(formulas(), st.floats(-3, 3), st.floats(-3, 3))
def test_forward_value_and_gradient_equal_sympys(text, x0, y0):
    """For random formulas and points: value = compiled formula, gradient = sympy's gradient."""
    try:
        expr = parse_expression(text, XY)
    except ExpressionError:
        assume(False)
    value = float(compile_expression(expr, XY)(x0, y0))
    expected = [float(compile_expression(g, XY)(x0, y0)) for g in gradient(expr, XY)]
    assume(math.isfinite(value) and all(math.isfinite(d) for d in expected))
    g = build_graph(expr, XY)
    p = forward_backward(g, {"x": x0, "y": y0})
    # The chain rule needs every piece differentiable at the point (see the test above).
    assume(all(math.isfinite(v) for v in (*p.values, *p.local)))
    # rounding grows with the size of the numbers the pass adds up
    scale = 1.0 + max(abs(v) for v in (*p.values, *p.contributions) if np.isfinite(v))
    # Near the float range's end (1e308) the order of the products decides what overflows.
    assume(scale < 1e150 and all(abs(d) < 1e150 for d in expected))
    assert math.isclose(p.values[g.output], value, rel_tol=1e-9, abs_tol=1e-12 * scale)
    for name, want in zip(XY, expected, strict=True):
        assert math.isclose(p.gradient[name], want, rel_tol=1e-9, abs_tol=1e-12 * scale), name
