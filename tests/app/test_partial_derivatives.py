"""The partial-derivatives page: the right partials at known points, a surface that stays put,
and the total derivative along a path agreeing with the chain rule."""

from __future__ import annotations

import json

import pytest

from tests.app.conftest import chart, ok
from ui.live_chart import payload_from_element
from ui.presets import SURFACE_PRESETS

PAGE = "pages/partial_derivatives.py"
CIRCLE, TYPED = "a circle around the point", "typed x(t), y(t)"


@pytest.fixture
def page(open_app):
    return open_app(PAGE)


def _metric(at, start: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(start))


def _open_tab(at, label: str):
    at.session_state["pd.study"] = label
    return ok(at.run())


def _as_float(text: str) -> float:
    return float(text.replace("−", "-"))


def test_the_bowl_at_one_one(page):
    """x² + 3y² at (1, 1): f = 4, ∂f/∂x = 2, ∂f/∂y = 6; the partials in LaTeX."""
    ok(page)
    assert _metric(page, "f(1, 1)") == "4"
    assert _metric(page, "∂f/∂x") == "2"
    assert _metric(page, "∂f/∂y") == "6"
    latex = " ".join(el.value for el in page.latex)
    assert "= 2 x" in latex and "= 6 y" in latex


def test_the_first_slider_is_the_point(page):
    """The browser tests and the bench move the first slider: it must be x₀ (or y₀)."""
    assert page.slider[0].key in {"pd.x0", "pd.y0"}


def test_moving_the_point_changes_the_partials(page):
    """x₀ = 2, then y₀ = −1: ∂f/∂x = 2x₀ = 4, ∂f/∂y = 6y₀ = −6, f = 7."""
    ok(page.slider(key="pd.x0").set_value(2.0).run())
    assert _metric(page, "∂f/∂x") == "4" and _metric(page, "∂f/∂y") == "6"
    ok(page.slider(key="pd.y0").set_value(-1.0).run())
    assert _metric(page, "∂f/∂x at (2, −1)") == "4"
    assert _metric(page, "∂f/∂y") == "−6"
    assert _metric(page, "f(2, −1)") == "7"


def test_the_surface_stays_byte_identical_when_the_point_moves(page):
    """Moving x₀ changes the slices and the light 3D traces, never the surface trace."""
    before = chart(page, "pd.surface_chart")
    slices_before = chart(page, "pd.slices_chart")
    ok(page.slider(key="pd.x0").set_value(-1.5).run())
    after = chart(page, "pd.surface_chart")
    assert json.dumps(before["data"][0]) == json.dumps(after["data"][0])
    assert before["data"][1] != after["data"][1]  # the plane x = x0 moved
    assert slices_before["data"] != chart(page, "pd.slices_chart")["data"]


def test_rosenbrock_preset_opens_its_own_view(page):
    """Rosenbrock at its preset point (−1, 1): f = 4, ∂f/∂x = −4, ∂f/∂y = 0, window y ∈ [−1, 3]."""
    page.selectbox(key="pd.f.preset").set_value("Rosenbrock")
    ok(page.run())
    assert page.slider(key="pd.y_range").value == (-1.0, 3.0)
    assert _metric(page, "f(−1, 1)") == "4"
    assert _metric(page, "∂f/∂x") == "−4"
    assert _metric(page, "∂f/∂y") == "0"


def test_a_bad_formula_keeps_the_last_good_one(page):
    """A typo: one error; the point, the numbers and the charts of the last good f stay."""
    ok(page.slider(key="pd.x0").set_value(2.0).run())
    page.text_input(key="pd.f.text").input("x +* y")
    ok(page.run())
    assert len(page.error) == 1
    assert page.slider(key="pd.x0").value == 2.0
    assert _metric(page, "∂f/∂x") == "4"
    assert chart(page, "pd.surface_chart")["data"][0]["type"] == "surface"


def test_tangent_plane_on_demand(page):
    """The toggle shows the tangent plane's patch and its equation z = 4 + 2(x − 1) + 6(y − 1)."""
    assert chart(page, "pd.surface_chart")["data"][-1]["visible"] is False
    ok(page.toggle(key="pd.plane").set_value(True).run())
    assert chart(page, "pd.surface_chart")["data"][-1]["visible"] is True
    plane = next(el.value for el in page.latex if "tangent plane" in el.value)
    assert r"4 + 2\,(x - 1) + 6\,(y - 1)" in plane


def test_circle_path_chain_rule_agrees_with_the_direct_derivative(page):
    """sin x · cos y on the circle around the point: the two ways differ by under 1e-9."""
    page.selectbox(key="pd.f.preset").set_value("sin x · cos y")
    ok(page.run())
    page.radio(key="pd.path").set_value(CIRCLE)
    ok(page.run())
    gap = _as_float(_metric(page, "max |chain rule − direct|"))
    assert 0 <= gap < 1e-9
    path = chart(page, "pd.path_chart")
    assert any(t.get("name") == "chain rule: their sum" for t in path["data"])
    assert any(r"\cos{\left(t \right)}" in el.value for el in page.latex)


def test_a_bad_typed_path_says_so_and_keeps_the_last_good(page):
    """x(t) = "cos(t" is refused with one error; the last good path is still studied."""
    page.radio(key="pd.path").set_value(TYPED)
    ok(page.run())
    good = chart(page, "pd.path_chart")["data"][1]
    page.text_input(key="pd.xt").input("cos(t")
    ok(page.run())
    assert len(page.error) == 1 and "path" in page.error[0].value
    assert chart(page, "pd.path_chart")["data"][1] == good
    assert _as_float(_metric(page, "max |chain rule − direct|")) < 1e-9


def test_partials_as_limits_approach_the_partials(page):
    """Forward quotients at h = 1e-6 are within 1e-5 of ∂f/∂x = 2 and ∂f/∂y = 6."""
    _open_tab(page, "Partials as limits")
    table = page.dataframe[0].value
    row = table[table["h"] == "1e-06"].iloc[0]
    assert float(row["(f(x₀+h, y₀) − f(x₀, y₀)) / h"]) == pytest.approx(2.0, abs=1e-5)
    assert float(row["(f(x₀, y₀+h) − f(x₀, y₀)) / h"]) == pytest.approx(6.0, abs=1e-5)


def test_undefined_values_get_a_note(page):
    """sqrt(4 − x² − y²) is undefined outside a disc: the page says the gaps are on purpose."""
    page.text_input(key="pd.f.text").input("sqrt(4 - x^2 - y^2)")
    ok(page.run())
    assert not page.error
    assert any("gaps" in c.value for c in page.caption)


def test_a_range_squeezed_to_one_value_keeps_a_window(page):
    """Both ends of the x range on 2: the window reopens to [2, 2.5] and x₀ moves into it."""
    page.slider(key="pd.x_range").set_value((2.0, 2.0))
    ok(page.run())
    assert page.slider(key="pd.x_range").value == (2.0, 2.5)
    assert 2.0 <= page.slider(key="pd.x0").value <= 2.5


def test_every_preset_draws(page):
    """Each preset at its own point: no error, the surface drawn, both partials numbers."""
    for name in SURFACE_PRESETS:
        page.selectbox(key="pd.f.preset").set_value(name)
        ok(page.run())
        assert not page.error and not page.warning, name
        assert chart(page, "pd.surface_chart")["data"][0]["type"] == "surface"
        for label in ("∂f/∂x", "∂f/∂y"):
            _as_float(_metric(page, label))  # a number, not "undefined"


def test_a_kink_has_no_partial_rather_than_a_wrong_one(page):
    """|x| + y at (0, 1): ∂f/∂x does not exist (slopes −1 and 1), ∂f/∂y = 1."""
    page.text_input(key="pd.f.text").input("abs(x) + y")
    ok(page.run())
    ok(page.slider(key="pd.x0").set_value(0.0).run())
    assert _metric(page, "∂f/∂x") == "does not exist"
    assert _metric(page, "∂f/∂y") == "1"
    note = page.warning[0].value
    assert "corner" in note and "−1" in note and "∂f/∂x does not exist" in note


def _summaries(at) -> dict[str, str]:
    """Each live chart's text summary, by chart key."""
    payloads = (payload_from_element(el) for el in at.get("component_instance"))
    return {p["key"]: p["summary"] for p in payloads}


def test_every_chart_has_a_summary_with_the_numbers_shown(page):
    """x² + 3y² at (1, 1): the slices, the 3D view and the path study say f = 4, ∂f/∂x = 2,
    ∂f/∂y = 6 (the tangent plane once it is on); the path's text follows a move of the point."""
    ok(page)
    texts = _summaries(page)
    assert set(texts) == {"pd.slices_chart", "pd.surface_chart", "pd.path_chart"}
    assert "through (1, 1), where f = 4" in texts["pd.slices_chart"]
    assert "∂f/∂x = 2;" in texts["pd.slices_chart"] and "∂f/∂y = 6." in texts["pd.slices_chart"]
    assert "(1, 1, 4). Slopes there: ∂f/∂x = 2, ∂f/∂y = 6." in texts["pd.surface_chart"]
    assert "the line through (1, 1) at 30° from the x axis" in texts["pd.path_chart"]
    ok(page.toggle(key="pd.plane").set_value(True).run())
    assert "Tangent plane: z = 4 + 2(x − 1) + 6(y − 1)." in _summaries(page)["pd.surface_chart"]
    ok(page.slider(key="pd.x0").set_value(-2.0).run())
    texts = _summaries(page)
    assert "∂f/∂x = −4;" in texts["pd.slices_chart"] and "f = 7," in texts["pd.slices_chart"]
    assert "the line through (−2, 1)" in texts["pd.path_chart"]
    page.radio(key="pd.path").set_value(CIRCLE)
    ok(page.run())
    assert "the circle of radius 1 around (−2, 1)" in _summaries(page)["pd.path_chart"]
