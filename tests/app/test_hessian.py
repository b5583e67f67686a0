"""The Hessian page: the right numbers for known cases, after moving each control."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.app.conftest import chart, metric, ok
from ui.live_chart import payload_from_element
from ui.presets import HESSIAN_PRESETS
from viz.format import number
from viz.theme import with_arrays_decoded

PAGE = "pages/hessian.py"
SADDLE = "x² − y² (a saddle, where gradient descent stalls)"
CLIMBER = "x⁴ − 2x² + y⁴ − 2y² (plain Newton climbs to the hilltop)"


@pytest.fixture
def page(open_app):
    return ok(open_app(PAGE))


def _keys(at) -> list[str]:
    return [payload_from_element(el)["key"] for el in at.get("component_instance")]


def _study(at, label: str):
    at.session_state["hess.study"] = label
    return ok(at.run())


def _preset(at, name: str):
    at.selectbox(key="hess.f.preset").set_value(name).run()
    return ok(at)


def _table(at) -> list[dict]:
    return at.dataframe[0].value.to_dict("records")


def _caption_with(at, words: str) -> str:
    return next(c.value for c in at.caption if words in c.value)


def test_bowl_has_the_hessian_2_6_and_a_minimum_at_the_origin(page):
    """x² + 3y²: H = [[2, 0], [0, 6]] everywhere, λ = 2 and 6, κ = 3, one minimum at (0, 0)."""
    assert page.slider[0].key == "hess.x0"  # the first slider moves the point
    assert r"H(x_0, y_0) = \begin{pmatrix} 2 & 0 \\ 0 & 6 \end{pmatrix}" in [
        latex.value.strip("$\n") for latex in page.latex
    ]
    assert any(r"\begin{pmatrix} 2 & 0 \\ 0 & 6 \end{pmatrix}" in x.value for x in page.latex)
    assert metric(page, "λ₁ (smallest)") == "2"
    assert metric(page, "λ₂ (largest)") == "6"
    assert metric(page, "κ") == "3"
    assert metric(page, "shape at the point") == "positive definite"
    assert "1 minimum (symbolic)" in _caption_with(page, "In this window")
    figure = chart(page, "hess.map")
    assert figure["layout"]["title"]["text"] == "H at (−2, 1.5): λ₁ = 2, λ₂ = 6"
    assert figure["layout"]["yaxis"]["scaleanchor"] == "x"
    minimum = next(t for t in figure["data"] if t["name"] == "minimum")
    assert (minimum["x"], minimum["y"]) == ([0.0], [0.0])
    _study(page, "Critical points")
    assert _table(page) == [
        {
            "kind": "minimum",
            "point (x, y)": "(0, 0)",
            "exact": "(0, 0)",
            "f there": "0",
            "λ₁": "2",
            "λ₂": "6",
        }
    ]


def test_moving_the_point_redraws_the_map_and_keeps_the_surface(page):
    """x₀ moves the map's point; the 3D surface's bytes stay; the Taylor numbers follow."""
    assert "hess.taylor" not in _keys(page)  # the 3D view waits for its tab
    _study(page, "Taylor models (3D)")
    surface_before = json.dumps(chart(page, "hess.taylor")["data"][0], sort_keys=True)
    page.slider(key="hess.x0").set_value(1.0).run()
    page.slider(key="hess.y0").set_value(-0.5).run()
    ok(page)
    figure = chart(page, "hess.map")
    assert figure["data"][-1]["x"] == [1.0] and figure["data"][-1]["y"] == [-0.5]
    assert metric(page, "∇f(x₀, y₀)") == "(2, −3)"
    assert metric(page, "f(x₀, y₀)") == "1.75"
    taylor = chart(page, "hess.taylor")
    assert json.dumps(taylor["data"][0], sort_keys=True) == surface_before
    assert taylor["data"][-1]["x"] == [1.0]
    # f is quadratic: the quadratic model is exact, the plane is off by up to (r² + 3r²)
    radius = page.session_state["hess.radius"]
    assert metric(page, f"largest |f − quadratic| within r = {radius:g}") == "0"
    assert float(metric(page, f"largest |f − plane| within r = {radius:g}")) == pytest.approx(
        4 * radius**2
    )


def test_direction_u_reads_the_curvature_between_the_eigenvalues(page):
    """uᵀHu is 2cos²30° + 6sin²30° = 3 at first, 6 along y, 4 at 45°, 2 along x; the
    buttons turn u along v₁ and v₂."""
    assert metric(page, "curvature along u: uᵀHu") == "3"
    page.slider(key="hess.angle").set_value(0.0).run()
    assert metric(page, "curvature along u: uᵀHu") == "2"
    page.slider(key="hess.angle").set_value(90.0).run()
    assert metric(page, "curvature along u: uᵀHu") == "6"
    page.slider(key="hess.angle").set_value(45.0).run()
    assert metric(page, "curvature along u: uᵀHu") == "4"
    assert chart(page, "hess.curvature")["layout"]["title"]["text"] == "uᵀHu at 45°: 4"
    next(b for b in page.button if b.label == "u along v₁").click().run()
    assert metric(ok(page), "curvature along u: uᵀHu") == "2"
    next(b for b in page.button if b.label == "u along v₂").click().run()
    assert metric(ok(page), "curvature along u: uᵀHu") == "6"


def test_window_sliders_and_taylor_controls_move(page):
    """The ranges re-draw the map's window; r and the two boxes change the 3D models."""
    _study(page, "Taylor models (3D)")
    page.slider(key="hess.x_range").set_value((-1.0, 4.0)).run()
    ok(page)
    assert chart(page, "hess.map")["layout"]["xaxis"]["range"] == [-1.0, 4.0]
    page.slider(key="hess.y_range").set_value((-2.0, 2.0)).run()
    assert chart(ok(page), "hess.map")["layout"]["yaxis"]["range"] == [-2.0, 2.0]
    assert page.session_state["hess.y0"] == 1.5
    page.slider(key="hess.radius").set_value(0.5).run()
    models = with_arrays_decoded(chart(ok(page), "hess.taylor"))["data"][1:3]
    assert np.nanmax(models[0]["x"]) - np.nanmin(models[0]["x"]) == pytest.approx(1.0, abs=1e-5)
    page.checkbox(key="hess.first").uncheck().run()
    page.checkbox(key="hess.second").uncheck().run()
    visible = [t.get("visible") for t in chart(ok(page), "hess.taylor")["data"][1:3]]
    assert visible == ["legendonly", "legendonly"]
    page.slider(key="hess.x_range").set_value((1.0, 1.0)).run()  # squeezed: opens one step
    assert chart(ok(page), "hess.map")["layout"]["xaxis"]["range"] == [1.0, 1.5]
    assert 1.0 <= page.session_state["hess.x0"] <= 1.5


def test_saddle_preset_shows_a_saddle_where_plain_newton_heads(page):
    """x² − y²: a saddle at 0; plain Newton steps to it (uphill), a fix makes it descend."""
    _preset(page, SADDLE)
    assert metric(page, "shape at the point") == "indefinite"
    assert "1 saddle (symbolic)" in _caption_with(page, "In this window")
    _study(page, "Critical points")
    (row,) = _table(page)
    assert (row["kind"], row["point (x, y)"]) == ("saddle", "(0, 0)")
    _study(page, "Newton vs gradient descent")
    assert metric(page, "Newton heads for") == "saddle"
    assert any("plain Newton jumps straight to it" in w.value for w in page.warning)
    newton = with_arrays_decoded(
        next(t for t in chart(page, "hess.newton")["data"] if t["name"] == "Newton's method")
    )
    assert np.allclose([newton["x"][-1], newton["y"][-1]], [0.0, 0.0])  # lands on the saddle
    page.slider(key="hess.x0").set_value(0.5).run()
    page.slider(key="hess.y0").set_value(1.0).run()  # ∇f = (1, −2), step (−0.5, −1): uphill
    assert metric(ok(page), "Newton heads for") == "saddle"
    assert metric(page, "downhill?") == "no"
    page.selectbox(key="hess.fix").set_value("abs").run()
    assert metric(ok(page), "Newton heads for") == "minimum"
    assert metric(page, "downhill?") == "yes"
    page.selectbox(key="hess.fix").set_value("none").run()
    page.slider(key="hess.damping").set_value(3.0).run()  # H + 3I = diag(5, 1)
    assert metric(ok(page), "downhill?") == "yes"


def test_gradient_descent_controls_and_the_condition_number(page):
    """lr and steps change gradient descent's path; 2/λmax is read out; a big lr diverges."""
    _study(page, "Newton vs gradient descent")
    assert metric(page, "condition number κ") == "3"
    assert metric(page, "lr below") == "0.3333"

    def descent_length() -> int:
        trace = next(
            t for t in chart(page, "hess.newton")["data"] if t["name"] == "gradient descent"
        )
        return len(with_arrays_decoded(trace)["x"])

    assert descent_length() == 31
    page.slider(key="hess.steps").set_value(10).run()
    assert descent_length() == 11
    page.slider(key="hess.lr").set_value(0.5).run()  # 1 − 0.5·6 = −2: each step doubles y
    ok(page)
    assert descent_length() == 11
    page.slider(key="hess.steps").set_value(100).run()
    assert any("Gradient descent stopped" in c.value for c in page.caption)


def test_ill_conditioned_bowl_button_shows_kappa_25(page):
    """The zig-zag button switches to x² + 25y² with a learning rate just under 2/λmax."""
    _study(page, "Newton vs gradient descent")
    next(b for b in page.button if b.label.startswith("See the zig-zag")).click().run()
    ok(page)
    assert (
        page.session_state["hess.f.text"] == HESSIAN_PRESETS["x² + 25y² (an ill-conditioned bowl)"]
    )
    assert metric(page, "condition number κ") == "25"
    assert metric(page, "lr below") == "0.04"
    assert page.session_state["hess.lr"] == pytest.approx(0.035)
    path = with_arrays_decoded(
        next(t for t in chart(page, "hess.newton")["data"] if t["name"] == "gradient descent")
    )
    signs = np.sign(np.diff(path["y"]))
    assert (signs[:-1] != signs[1:]).mean() > 0.9  # y overshoots every step: a zig-zag


def test_plain_newton_climbs_to_the_hilltop_and_a_fix_descends(page):
    """x⁴ − 2x² + y⁴ − 2y² near 0: H is negative definite, Newton heads for the maximum."""
    _preset(page, CLIMBER)
    assert metric(page, "shape at the point") == "negative definite"
    _study(page, "Newton vs gradient descent")
    assert metric(page, "Newton heads for") == "maximum"
    page.selectbox(key="hess.fix").set_value("shift").run()
    assert metric(ok(page), "Newton heads for") == "minimum"
    assert metric(page, "downhill?") == "yes"


def test_himmelblau_has_four_minima_one_maximum_four_saddles(page):
    """The numeric search (the exact solve times out) finds all nine critical points."""
    _preset(page, "Himmelblau")
    assert "4 minima, 1 maximum, 4 saddles" in _caption_with(page, "In this window")
    _study(page, "Critical points")
    kinds = [row["kind"] for row in _table(page)]
    assert sorted(kinds) == ["maximum"] + ["minimum"] * 4 + ["saddle"] * 4
    minimum = next(row for row in _table(page) if row["point (x, y)"] == "(3, 2)")
    assert minimum["kind"] == "minimum" and minimum["f there"] == "0"


def test_degenerate_minimum_of_x4_plus_y4(page):
    """x⁴ + y⁴: H = 0 at the origin, so the test cannot tell: degenerate, exactly (0, 0)."""
    _preset(page, "x⁴ + y⁴ (degenerate: the Hessian is 0 at the minimum)")
    _study(page, "Critical points")
    (row,) = _table(page)
    assert (row["kind"], row["exact"], row["λ₁"], row["λ₂"]) == ("degenerate", "(0, 0)", "0", "0")


def test_bad_formula_shows_an_error_and_keeps_the_last_good_one(page):
    """A typo: a short error, the bowl still drawn, the point and numbers kept."""
    page.slider(key="hess.x0").set_value(1.0).run()
    page.text_input(key="hess.f.text").input("x^^2 + y").run()
    ok(page)
    assert page.error and "x^^2" not in page.latex[0].value
    assert page.latex[0].value.strip("$\n") == "f(x, y) = x^{2} + 3 y^{2}"
    assert metric(page, "λ₂ (largest)") == "6"
    assert page.session_state["hess.x0"] == 1.0
    assert "hess.map" in _keys(page)


def test_long_hessian_is_shown_entry_by_entry(page):
    """peaks: H's entries are too long for one line of LaTeX, so they are listed as text."""
    _preset(page, "peaks")
    assert any(r"f_{xx} & f_{xy}" in x.value and "pmatrix} =" not in x.value for x in page.latex)
    codes = [c.value for c in page.code]
    assert [c.split(" = ")[0] for c in codes] == ["f_xx", "f_xy", "f_yy"]
    assert "exp(-x^2 - y^2)" in codes[0]


def test_a_formula_whose_second_derivatives_are_too_costly_is_rejected(page, monkeypatch):
    """When the mixed partial runs out of time in the worker, the box says so and the bowl
    stays."""
    import ui.curvature
    from calc_core.symbolic_worker import SymbolicTimeout

    def too_slow(*args, **kwargs):
        raise SymbolicTimeout()

    monkeypatch.setattr(ui.curvature, "derivative_guarded", too_slow)
    page.text_input(key="hess.f.text").input("x*y^3 + cosh(x)*y + 7").run()
    ok(page)
    assert any("too costly" in e.value for e in page.error)
    assert page.latex[0].value.strip("$\n") == "f(x, y) = x^{2} + 3 y^{2}"
    assert metric(page, "λ₁ (smallest)") == "2"


def test_a_kink_has_no_hessian_and_is_refused_with_a_reason(page):
    """abs(x) + y²: f_xx is a Dirac delta, which no number stands for."""
    page.text_input(key="hess.f.text").input("abs(x) + y^2").run()
    ok(page)
    assert any("Dirac delta" in e.value for e in page.error)
    assert metric(page, "λ₂ (largest)") == "6"


def test_a_formula_undefined_on_part_of_the_window_says_so(page):
    """log(x) + y on x from −3 to 3: a note that those places are left blank (none for x·y)."""
    page.text_input(key="hess.f.text").input("x*y").run()
    assert not any("left blank" in c.value for c in ok(page).caption)
    page.text_input(key="hess.f.text").input("log(x) + y").run()
    assert any("undefined, or infinite" in c.value for c in ok(page).caption)


def _summaries(at) -> dict[str, str]:
    payloads = [payload_from_element(el) for el in at.get("component_instance")]
    return {p["key"]: p["summary"] for p in payloads}


def test_every_chart_says_what_it_shows(page):
    """Each chart's text summary holds the numbers of the view: x² + 3y² at (−2, 1.5), where
    H = diag(2, 6), f = 10.75, Newton lands on (0, 0) and gradient descent shrinks each
    coordinate by 1 − 2·lr and 1 − 6·lr a step."""
    summaries = _summaries(page)
    assert set(summaries) == {"hess.map", "hess.curvature"}
    assert "at (−2, 1.5): λ₁ = 2 along 0° and λ₂ = 6 along 90°" in summaries["hess.map"]
    assert "uᵀHu = 3. In this window: 1 minimum." in summaries["hess.map"]
    assert "3 at 30°" in summaries["hess.curvature"]
    _study(page, "Taylor models (3D)")
    radius = page.session_state["hess.radius"]
    taylor = _summaries(page)["hess.taylor"]
    assert "at (−2, 1.5), where f = 10.75" in taylor
    plane = metric(page, f"largest |f − plane| within r = {radius:g}")
    assert f"r = {number(radius)}: the tangent plane is off by up to {plane}" in taylor
    assert "the quadratic model by up to 0." in taylor
    _study(page, "Newton vs gradient descent")
    newton = _summaries(page)["hess.newton"]
    assert "heads for its model's minimum; its path ends at (0, 0) after 1 step" in newton
    end = f"({number(-2 * 0.8**30)}, {number(1.5 * 0.4**30)})"
    assert f"Gradient descent with lr = 0.1 ends at {end} after 30 steps" in newton
