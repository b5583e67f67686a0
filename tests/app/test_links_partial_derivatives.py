"""Every view of the partial-derivatives page is a link (AppTest).

A view's link, opened in a fresh session, gives the same widgets and the same charts: both the
link that names every setting (`link_params`) and the one a browser's address bar holds, which
leaves out each value equal to its widget's declared default (`browser_params`). A link with a
value the page cannot use shows that widget's default and still applies the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from tests.app.conftest import ok
from tests.app.links import (
    Params,
    bound_widgets,
    link_params,
    open_link,
    open_refused_formula,
    view_of,
)
from ui.sliders import steps_inside
from ui.two_variables import point_step

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "pages" / "partial_derivatives.py")
LINE, CIRCLE, TYPED = "a line through the point", "a circle around the point", "typed x(t), y(t)"
LIMITS = "Partials as limits"
LINKS = settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# (derandomized in CI by the "ci" profile of tests/conftest.py, which `settings` inherits)

Move = Callable[[AppTest], Any]


# --- what the address bar holds -------------------------------------------------------------------


def _declared(widget: Any) -> list[Any]:
    """A bound widget's declared default, in the form `widget_param` gives its value."""
    kind, default = type(widget).__name__, widget.proto.default
    if kind in ("Selectbox", "Radio"):
        return [widget.options[default]]
    if kind in ("Toggle", "Checkbox"):
        return ["true" if default else "false"]
    if kind == "Slider":
        return [float(v) for v in default]
    return [default]


def _tab_sets(at: AppTest) -> dict[str, str]:
    """Bound tab sets: key -> the label of their first (default) tab."""
    found, stack = {}, list(at._tree.children.values())
    while stack:
        element = stack.pop(0)
        proto = getattr(element, "proto", None)
        tabs = getattr(proto, "tab_container", None) if proto is not None else None
        if tabs is not None and proto.HasField("tab_container") and tabs.query_param_key:
            found[tabs.query_param_key] = tabs.default_tab_label
        stack.extend(getattr(element, "children", {}).values())
    return found


def browser_params(at: AppTest) -> Params:
    """The link as the browser's address bar holds it.

    Streamlit's frontend drops a widget's parameter while its value equals the widget's
    declared default (a tab set's, on its first tab): a page must open on those very values
    when a parameter is missing, or that view has no link.
    """
    params = link_params(at)
    for widget in bound_widgets(at):
        key = widget.proto.query_param_key
        value = params[key]
        if type(widget).__name__ == "Slider":
            value = [float(v) for v in value]
        if value == _declared(widget):
            del params[key]
    for key, first in _tab_sets(at).items():
        if params.get(key) == [first]:
            del params[key]
    return params


def assert_links_reproduce(script: str, at: AppTest) -> None:
    """Both forms of the view's link open the same view: widgets and chart revisions."""
    ok(at)
    view = view_of(at)
    for params in (link_params(at), browser_params(at)):
        again = ok(open_link(script, params))
        assert view_of(again) == view, params


def fresh(script: str = PAGE) -> AppTest:
    return ok(AppTest.from_file(script, default_timeout=60).run())


def on_step(at: AppTest, key: str, share: float) -> float:
    """The value `share` (0 to 1) of the way across slider `key`, on one of its steps."""
    slider = at.slider(key=key)
    low, high = float(slider.min), float(slider.max)
    step = point_step((low, high))
    return round(low + step * round(share * steps_inside(low, high, step)), 10)


# --- views reached by moving widgets --------------------------------------------------------------


def _formula(text: str) -> Move:
    return lambda at: at.text_input(key="pd.f.text").input(text).run()


def _preset(name: str) -> Move:
    return lambda at: at.selectbox(key="pd.f.preset").set_value(name).run()


def _slider(key: str, value: Any) -> Move:
    return lambda at: at.slider(key=key).set_value(value).run()


def _point(x_share: float, y_share: float) -> Move:
    def move(at: AppTest) -> None:
        at.slider(key="pd.x0").set_value(on_step(at, "pd.x0", x_share)).run()
        at.slider(key="pd.y0").set_value(on_step(at, "pd.y0", y_share)).run()

    return move


def _plane(on: bool) -> Move:
    return lambda at: at.toggle(key="pd.plane").set_value(on).run()


def _path(kind: str) -> Move:
    return lambda at: at.radio(key="pd.path").set_value(kind).run()


def _typed(x_of_t: str, y_of_t: str, span: str) -> Move:
    def move(at: AppTest) -> None:
        at.radio(key="pd.path").set_value(TYPED).run()
        at.text_input(key="pd.xt").input(x_of_t).run()
        at.text_input(key="pd.yt").input(y_of_t).run()
        at.selectbox(key="pd.t_span").set_value(span).run()

    return move


def _tab(label: str) -> Move:
    def move(at: AppTest) -> None:
        at.session_state["pd.study"] = label
        at.run()

    return move


VIEWS = {
    "formula, point at the window's ends, tangent plane": [
        _formula("sin(x)*cos(y)"),
        _point(0.0, 1.0),
        _plane(True),
    ],
    "preset's own view, line at 0°": [
        _preset("Rosenbrock"),
        _point(0.25, 0.5),
        _slider("pd.angle", 0),
    ],
    "full window, circle of the smallest radius": [
        _slider("pd.x_range", (-10.0, 10.0)),
        _slider("pd.y_range", (-0.5, 4.0)),
        _point(0.0, 0.0),
        _path(CIRCLE),
        _slider("pd.radius", 0.1),
    ],
    "typed path, its span, a squeezed window": [
        _typed("t^2", "1 - t", "0 to 1"),
        _slider("pd.x_range", (4.0, 4.0)),
        _point(1.0, 0.3),
    ],
    "a typed formula after a preset keeps the preset's window": [
        _preset("x² − y² (a saddle)"),
        _formula("x*y"),
        _point(0.9, 0.1),
        _plane(True),
    ],
    "the other study": [_formula("exp(-x^2 - y^2)"), _point(0.6, 0.4), _tab(LIMITS)],
}


@pytest.mark.parametrize("moves", VIEWS.values(), ids=VIEWS.keys())
def test_a_view_reached_by_moving_widgets_is_its_link(moves: list[Move]) -> None:
    """Every bound widget moved away from its default: the view's links open that view."""
    at = fresh()
    for move in moves:
        move(at)
        ok(at)
    assert_links_reproduce(PAGE, at)


def test_the_default_view_is_the_bare_address() -> None:
    """Nothing moved: every widget at its declared default but the formula box (declared
    empty, never written to the URL until typed in), so the bare address opens this view."""
    at = fresh()
    assert browser_params(at) == {"pd.f.text": ["x^2 + 3y^2"]}
    assert view_of(ok(open_link(PAGE, {}))) == view_of(at)
    assert_links_reproduce(PAGE, at)


def test_a_preset_chosen_after_a_link_takes_its_own_point() -> None:
    """Opened on x₀ = 2, y₀ = −2, then Rosenbrock: its own point (−1, 1), although the URL
    still says x₀ = 2 (the point's slider, whose ends changed, is new to Streamlit and would
    take the URL's value); and that view is a link too."""
    at = ok(open_link(PAGE, {"pd.x0": "2.0", "pd.y0": "-2.0"}))
    _preset("Rosenbrock")(at)
    assert (at.slider(key="pd.x0").value, at.slider(key="pd.y0").value) == (-1.0, 1.0)
    assert at.metric[0].label == "f(−1, 1)"
    assert_links_reproduce(PAGE, at)


FORMULAS = ["x^2 + 3y^2", "sin(x)*cos(y)", "x^2 - y^2", "(1 - x)^2 + 100(y - x^2)^2", "x*y^2"]
TYPED_PATHS = [("cos(t)", "sin(t)"), ("t", "t^3"), ("2t - 1", "exp(t)")]


@LINKS
@given(
    formula=st.sampled_from(FORMULAS),
    window=st.tuples(st.integers(-20, 19), st.integers(1, 40), st.integers(-20, 19)),
    point=st.tuples(st.floats(0, 1), st.floats(0, 1)),
    plane=st.booleans(),
    path=st.one_of(
        st.tuples(st.just(LINE), st.integers(0, 36).map(lambda k: 5 * k)),
        st.tuples(st.just(CIRCLE), st.integers(1, 30).map(lambda k: round(0.1 * k, 1))),
        st.tuples(st.just(TYPED), st.sampled_from(TYPED_PATHS)),
    ),
    study=st.booleans(),
)
def test_any_view_is_its_link(formula, window, point, plane, path, study) -> None:
    """Random formula, window (ends on the 0.5 grid), point on its steps, toggle, path and its
    parameter, study: the view's links open that view."""
    at = fresh()
    _formula(formula)(at)
    low, width, y_low = window
    x_range = (low / 2, min(low / 2 + width / 2, 10.0))
    _slider("pd.x_range", x_range)(at)
    _slider("pd.y_range", (y_low / 2, min(y_low / 2 + 3.0, 10.0)))(at)
    _point(*point)(at)
    _plane(plane)(at)
    kind, parameter = path
    if kind == TYPED:
        _typed(*parameter, "−1 to 1")(at)
    else:
        _path(kind)(at)
        _slider("pd.angle" if kind == LINE else "pd.radius", parameter)(at)
    if study:
        _tab(LIMITS)(at)
    assert_links_reproduce(PAGE, at)


# --- links with values the page cannot use --------------------------------------------------------

GOOD = {"pd.y0": "-1.0", "pd.plane": "true"}  # valid settings that must survive a bad one
REFUSED = {
    "x₀ not a number": ({"pd.x0": "abc"}, {}),
    "x₀ outside the window": ({"pd.x0": "50"}, {}),
    "x₀ not finite": ({"pd.x0": "nan"}, {}),
    "a window beyond the slider": ({"pd.x_range": ["-100", "100"]}, {}),
    "a window reversed": ({"pd.x_range": ["5", "-5"]}, {}),
    "a window of no width": ({"pd.y_range": ["2", "2"]}, {}),
    "one end of a window": ({"pd.x_range": "3"}, {}),
    "a toggle neither on nor off": ({"pd.plane": "maybe"}, {"pd.y0": "-1.0"}),
    "an unknown path": ({"pd.path": "a spiral"}, {}),
    "an angle not a number": ({"pd.angle": "abc"}, {}),
    "an angle out of range": ({"pd.angle": "999"}, {}),
    "a radius of 0": ({"pd.radius": "0"}, {"pd.path": CIRCLE}),
    "an unknown t span": ({"pd.t_span": "forever"}, {"pd.path": TYPED}),
    "an unknown study": ({"pd.study": "Nope"}, {}),
}


@pytest.mark.parametrize("bad, context", REFUSED.values(), ids=REFUSED.keys())
def test_a_value_the_page_cannot_use_gives_the_default(bad: Params, context: Params) -> None:
    """The link with a bad value opens exactly as the same link without it: that widget at its
    default, every other setting applied, every chart the same."""
    good = {key: value for key, value in {**GOOD, **context}.items() if key not in bad}
    at = ok(open_link(PAGE, {**good, **bad}))
    assert view_of(at) == view_of(open_link(PAGE, good))
    assert not at.error


HOSTILE = {
    "code": "__import__('os').system('touch {sentinel}')",
    "5000 characters": "x+" * 2499 + "x",
    "an unclosed bracket": "sin(x",
}


@pytest.mark.parametrize("formula", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_bad_formula_in_a_link_draws_the_default_formula(formula: str, tmp_path) -> None:
    """A formula the box refuses: one error, nothing run, the default formula drawn with the
    link's other settings."""
    at = open_refused_formula(PAGE, GOOD, "pd.f.text", formula, tmp_path / "pwned")
    assert at.slider(key="pd.y0").value == -1.0


@pytest.mark.parametrize("x_of_t", [HOSTILE["code"], "t+" * 2500 + "t"], ids=["code", "long"])
def test_a_bad_typed_path_in_a_link_draws_the_default_path(x_of_t: str, tmp_path) -> None:
    """x(t) refused: an error about the path, nothing run, the default typed path studied."""
    sentinel = tmp_path / "pwned"
    typed = {**GOOD, "pd.path": TYPED}
    at = ok(open_link(PAGE, {**typed, "pd.xt": x_of_t.format(sentinel=sentinel)}))
    assert len(at.error) == 1 and at.error[0].value.startswith("The path:")
    assert not sentinel.exists()
    assert view_of(at)["charts"] == view_of(open_link(PAGE, typed))["charts"]


def test_a_formula_that_overflows_everywhere_still_draws() -> None:
    """exp(exp(exp(exp(x)))) is a formula (its values overflow): no exception, and the view it
    opens is its own link."""
    at = ok(open_link(PAGE, {**GOOD, "pd.f.text": "exp(exp(exp(exp(x))))"}))
    assert_links_reproduce(PAGE, at)


KEYS = ["pd.f.text", "pd.x0", "pd.y0", "pd.x_range", "pd.y_range", "pd.plane", "pd.path",
        "pd.angle", "pd.radius", "pd.xt", "pd.yt", "pd.t_span", "pd.study"]  # fmt: skip
JUNK = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=30),
    st.floats().map(repr),
    st.sampled_from([LINE, CIRCLE, TYPED, "true", "false", "0 to 1", LIMITS, "1e309", "-0"]),
)


@LINKS
@given(st.dictionaries(st.sampled_from(KEYS), st.one_of(JUNK, st.lists(JUNK, min_size=2,
                                                                       max_size=3))))  # fmt: skip
def test_any_link_opens_a_page_whose_own_link_is_stable(params) -> None:
    """Whatever a link holds, the page opens without an exception, on a view that its own
    link reproduces."""
    params = {k: v if isinstance(v, list) else [v] for k, v in params.items()}
    at = ok(open_link(PAGE, params))
    assert_links_reproduce(PAGE, at)
