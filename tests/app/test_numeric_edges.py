"""Numeric edges are normal input on every page that takes a formula.

- NaN and infinities on a grid (log x, 1/x, √x on windows that cross 0) are drawn as gaps, with
  a note saying so: the chart holds more non-finite values than for a smooth formula, and the
  page does not fail.
- A formula constant in one variable, or in both, still draws (the computational graph and
  the lesson's code too, also at a point where f is undefined).
- A diverging optimiser stops, keeps only finite points, and says it diverged.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import numpy as np
import pytest

from tests.app.conftest import chart, ok, open_page


@dataclass(frozen=True)
class FormulaPage:
    """A page's formula box, the chart that draws it, and the note it shows for gaps."""

    path: str
    box: str  # the text box's key
    chart: str  # the live chart's key
    note: str  # words of the caption that names the gaps
    smooth: str  # a formula defined everywhere, for comparison
    two_variables: bool = True
    tab: tuple[str, str] | None = None  # (tabs key, label) to open before reading the chart
    surface: str | None = None  # a value for the page's surface picker, if it has one
    start: tuple[float, float] | None = None  # a start (x0, y0) where every formula is defined
    gaps: tuple[str, ...] | None = None  # formulas undefined on part of the window, if not the
    # usual ones (an optimiser must not walk off their domain: that is a divergence)


PAGES = [
    FormulaPage(
        "pages/derivatives.py",
        "deriv.f.text",
        "deriv.tangent_chart",
        "those are gaps",
        "x^2",
        two_variables=False,
    ),
    FormulaPage(
        "pages/chain_rule.py",
        "chain.inner.text",
        "chain.chart",
        "those are gaps",
        "x^2",
        two_variables=False,
    ),
    FormulaPage(
        "pages/partial_derivatives.py", "pd.f.text", "pd.surface_chart", "those are gaps", "x*y"
    ),
    FormulaPage(
        "pages/gradient.py",
        "grad.f.text",
        "grad.surface",
        "left blank",
        "x*y",
        tab=("grad.study", "On the surface (3D)"),
    ),
    FormulaPage("pages/jacobian.py", "jac.f1.text", "jac.output", "left blank", "x*y"),
    FormulaPage(
        "pages/hessian.py",
        "hess.f.text",
        "hess.taylor",
        "left blank",
        "x*y",
        tab=("hess.study", "Taylor models (3D)"),
    ),
    FormulaPage(
        "pages/gradient_descent.py",
        "gd.f.text",
        "gd.surface3d",
        "left blank",
        "x^2 + y^2",
        tab=("gd.study", "On the surface (3D)"),
        surface="typed",
        start=(0.5, 0.5),
        gaps=("x^2 + y^2 + log(x + 2)", "x^2 + y^2 + sqrt(x + 1)", "x^2 + y^2 + asin(x/2)"),
    ),
]
IDS = [page.path.removeprefix("pages/").removesuffix(".py") for page in PAGES]
GAPS_1D = ["log(x)", "1/x", "sqrt(x)"]
GAPS_2D = ["log(x)", "log(x*y)", "asin(x) * y"]  # NaN on the grids, not only between points


def _values(array: object) -> np.ndarray:
    """A trace's coordinates as floats, from a plain list or plotly's base64 typed array."""
    if isinstance(array, dict) and "bdata" in array:
        raw = base64.b64decode(array["bdata"])
        return np.frombuffer(raw, dtype=np.dtype(array["dtype"])).astype(float)
    try:
        return np.asarray(array, dtype=float).ravel()
    except (TypeError, ValueError):  # text, colours, nested lists of labels
        return np.zeros(0)


def _non_finite(figure: dict) -> int:
    """How many x, y and z values of the figure's traces are NaN or infinite."""
    return sum(
        int((~np.isfinite(_values(trace[axis]))).sum())
        for trace in figure["data"]
        for axis in ("x", "y", "z")
        if axis in trace
    )


def _open(page: FormulaPage):
    at = open_page(page.path)
    if page.surface is not None:
        at.selectbox(key="gd.surface").set_value(page.surface).run()
    if page.start is not None:
        at.slider(key="gd.x0").set_value(page.start[0]).run()
        at.slider(key="gd.y0").set_value(page.start[1]).run()
    return ok(at)


def _type(at, page: FormulaPage, text: str):
    at.text_input(key=page.box).input(text).run()
    if page.tab is not None:
        at.session_state[page.tab[0]] = page.tab[1]
        at.run()
    ok(at)
    assert not at.error, [e.value for e in at.error]
    assert at.session_state[f"{page.box.removesuffix('.text')}.last_good"] == text
    return at


def _notes(at) -> str:
    return "\n".join(c.value for c in at.caption)


def _gaps(page: FormulaPage) -> tuple[str, ...]:
    return page.gaps or (GAPS_2D if page.two_variables else GAPS_1D)


@pytest.mark.parametrize(
    "page, formula",
    [(page, formula) for page in PAGES for formula in _gaps(page)],
    ids=[f"{name}-{f}" for page, name in zip(PAGES, IDS, strict=True) for f in _gaps(page)],
)
def test_undefined_values_draw_as_gaps_with_a_note(page, formula):
    """A formula undefined on part of the window: gaps in the chart, a note, no error."""
    at = _open(page)
    smooth = _type(at, page, page.smooth)
    assert page.note not in _notes(smooth)
    baseline = _non_finite(chart(smooth, page.chart))
    _type(at, page, formula)
    assert page.note in _notes(at), _notes(at)
    assert _non_finite(chart(at, page.chart)) > baseline


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_a_constant_formula_still_draws(page):
    """f = 3 (and f = x² on a page of x and y): the chart is drawn, no exception, no error."""
    at = _open(page)
    for formula in ("3", "x**2") if page.two_variables else ("3",):
        _type(at, page, formula)
        figure = chart(at, page.chart)
        assert figure["data"], formula
        assert page.note not in _notes(at)


@pytest.mark.parametrize("formula", ["3", "x**2", "y", "log(x)"])
def test_the_computational_graph_of_a_formula_constant_in_a_variable(formula):
    """The chain rule's graph for a formula missing x or y (or undefined at the point): drawn,
    with its gradient, and no exception."""
    at = open_page("pages/chain_rule.py")
    at.session_state["chain.view"] = "Computational graph"
    ok(at.run())
    at.text_input(key="chain.graph.text").input(formula).run()
    ok(at)
    assert at.session_state["chain.graph.last_good"] == formula
    assert at.get("graphviz_chart")


@pytest.mark.parametrize("formula, x0", [("log(x)", -1.0), ("1/x", 0.0), ("3", 0.0)])
def test_the_lesson_code_for_an_undefined_point(formula, x0):
    """The exercises' coding section at a point where f is undefined or f is constant: the
    code and its output are shown, no exception."""
    at = open_page("pages/exercises.py")
    at.session_state["ex.section"] = "Coding"
    ok(at.run())
    at.text_input(key="ex.code_f.text").input(formula).run()
    at.number_input(key="ex.code_x0").set_value(x0).run()
    ok(at)
    assert len(at.code) >= 2


@pytest.mark.parametrize("surface", ["bowl", "rosenbrock", "himmelblau"])
def test_a_huge_learning_rate_diverges_stops_and_says_so(surface):
    """Gradient descent with η = 10: it stops at the step it blew up, every point drawn is
    finite, and an error says it diverged."""
    at = open_page("pages/gradient_descent.py")
    if surface != "bowl":
        at.selectbox(key="gd.surface").set_value(surface).run()
    at.select_slider(key="gd.gd.lr").set_value(10.0).run()
    ok(at)
    errors = [e.value for e in at.error]
    assert any("Gradient descent diverged" in e for e in errors), errors
    figure = chart(at, "gd.map")
    path = next(t for t in figure["data"] if t.get("name", "").startswith("GD η = 10"))
    assert "diverged" in path["name"]
    points = np.column_stack([_values(path["x"]), _values(path["y"])])
    assert 1 <= len(points) <= at.slider(key="gd.steps").value
    assert np.isfinite(points).all()
