"""The derivatives page: the right numbers for the lesson's examples and the edge cases."""

from __future__ import annotations

import pytest

from tests.app.conftest import chart, metric, ok
from ui.live_chart import payload_from_element
from ui.presets import DERIVATIVE_PRESETS

PAGE = "pages/derivatives.py"


@pytest.fixture
def page(open_app):
    return open_app(PAGE)


def _open_tab(at, label: str):
    at.session_state["deriv.study"] = label
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _choose(at, preset: str):
    at.selectbox(key="deriv.f.preset").set_value(preset).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_lessons_example_at_two(page):
    """f = x² + 3x + 5 at x₀ = 2: f = 15, slope 7, f′ = 2x + 3 in LaTeX."""
    assert metric(page, "x₀") == "2"
    assert metric(page, "f(x₀)") == "15"
    assert metric(page, "slope f′(x₀)") == "7"
    assert any("2 x + 3" in latex.value for latex in page.latex)


def test_tangent_chart_is_positioned_at_x0(page):
    """The chart's slider and moving point sit at x₀ = 2; its frames cover the whole window."""
    figure = chart(page, "deriv.tangent_chart")
    slider = figure["layout"]["sliders"][0]
    assert float(slider["steps"][slider["active"]]["value"]) == 2.0
    point = next(t for t in figure["data"] if t.get("name") == "(x₀, f(x₀))")
    assert point["x"] == [2.0] and point["y"] == [15.0]
    assert len(figure["frames"]) == len(slider["steps"]) == 61


def test_moving_x0_updates_the_readout(page):
    """The x₀ slider at −1.5: slope 2·(−1.5) + 3 = 0, the bottom of the parabola."""
    page.slider(key="deriv.x0").set_value(-1.5).run()
    assert metric(page, "slope f′(x₀)") == "0"
    assert metric(page, "f(x₀)") == "2.75"


def test_chain_rule_example_steps_name_the_chain_rule(page):
    """sin(2x²): f′ = 4x·cos(2x²) and the steps name the chain rule."""
    _choose(page, "sin(2x²) (the chain-rule example)")
    assert any(r"4 x \cos" in latex.value for latex in page.latex)
    _open_tab(page, "Step by step")
    assert any("chain rule" in m.value for m in page.markdown)
    assert any("chain rule" in e.label for e in page.expander)


def test_corner_of_abs_gives_one_sided_slopes_not_a_number(page):
    """|x| at 0: no slope is printed; the note gives −1 from the left and 1 from the right."""
    _choose(page, "|x|")
    page.slider(key="deriv.x0").set_value(0.0).run()
    assert metric(page, "slope f′(x₀)") == "does not exist"
    note = page.warning[0].value
    assert "−1" in note and "1" in note


def test_ln_outside_its_domain_says_undefined(page):
    """ln x at x₀ = −1: f is undefined; the page says so and draws no tangent."""
    _choose(page, "ln x")
    page.slider(key="deriv.x0").set_value(-1.0).run()
    assert metric(page, "f(x₀)") == "undefined"
    assert page.warning, "a note explains why there is no slope"


def test_limit_table_matches_d2l(page):
    """3x² − 4x at x₀ = 1: the quotients 2.3, 2.03, 2.003 as h = 0.1, 0.01, 0.001."""
    _choose(page, "3x² − 4x (d2l's example)")
    page.slider(key="deriv.x0").set_value(1.0).run()
    table = page.dataframe[0].value
    quotients = [float(q) for q in table["(f(x₀+h) − f(x₀)) / h"]]
    assert quotients[1:4] == pytest.approx([2.3, 2.03, 2.003], abs=1e-9)


def test_show_the_code_reproduces_the_lesson(page):
    """The code shown is the lesson's exercise for the current f and x₀, with its output."""
    _open_tab(page, "Show the code")
    code, output = (c.value for c in page.code[:2])
    assert "numerical_gradient" in code and "diff(f, x)" in code
    assert "2*x + 3" in output and "7.0" in output


def test_a_bad_formula_keeps_the_picture_and_the_settings(page):
    """A typo: one short error; x₀, the formula drawn and the numbers stay."""
    page.slider(key="deriv.x0").set_value(1.0).run()
    page.text_input(key="deriv.f.text").input("x +* 2").run()
    assert not page.exception
    assert len(page.error) == 1
    assert page.slider(key="deriv.x0").value == 1.0
    assert metric(page, "slope f′(x₀)") == "5"


def test_a_new_window_keeps_x0_inside_it(page):
    """Narrowing the x range to [−1, 1] moves x₀ = 2 to the window's edge."""
    page.slider(key="deriv.range").set_value((-1.0, 1.0)).run()
    assert page.slider(key="deriv.x0").value == 1.0
    assert not page.exception


@pytest.mark.parametrize(
    "ends, window", [((-10.0, -10.0), (-10.0, -9.5)), ((3.0, 3.0), (2.5, 3.0))]
)
def test_a_window_squeezed_to_one_value_reopens(page, ends, window):
    """Both ends of the x range on one value (found by fuzzing: x₀'s slider raised, min = max):
    the window reopens half a unit wide towards 0, x₀ inside it, no exception."""
    page.slider(key="deriv.range").set_value(ends).run()
    assert not page.exception, [e.value for e in page.exception]
    assert tuple(page.session_state["deriv.range"]) == window
    assert window[0] <= page.slider(key="deriv.x0").value <= window[1]


def test_a_window_no_multiple_of_the_step_keeps_x0_and_frames_inside(page):
    """x from −10 to −0.5 moves in steps of 0.2 (found by fuzzing: x₀ rounded past the window's
    end): x₀ lands on the last step inside, and no frame of the tangent lies beyond the window."""
    page.slider(key="deriv.range").set_value((-10.0, -0.5)).run()
    assert not page.exception, [e.value for e in page.exception]
    assert page.slider(key="deriv.x0").value == -0.6
    frames = chart(page, "deriv.tangent_chart")["frames"]
    assert len(frames) == 48  # −10, −9.8, ..., −0.6


def test_a_formula_undefined_on_part_of_the_window_says_so(page):
    """ln x on x from −3 to 3: the curves have gaps and a note says so (none for the lesson's)."""
    assert not any("those are gaps" in c.value for c in page.caption)
    _choose(page, "ln x")
    assert any("those are gaps" in c.value for c in page.caption)


@pytest.mark.parametrize("text", ["log(1e-300)", "log(1e-300)*x", "x + log(1e-300)^2"])
def test_a_tiny_constant_sympy_rewrites_with_a_huge_integer_draws(page, text):
    """log(1e-300) is −log(10³⁰⁰) to SymPy (found by fuzzing: numpy's log of that integer raised
    a TypeError): drawn like any constant, no exception, no error."""
    page.text_input(key="deriv.f.text").input(text).run()
    assert not page.exception, [e.value for e in page.exception]
    assert not page.error, [e.value for e in page.error]
    assert page.session_state["deriv.f.last_good"] == text
    assert metric(page, "f(x₀)") != "undefined"
    _open_tab(page, "Show the code")  # the lesson's script runs numpy on it too
    assert len(page.code) == 2


@pytest.mark.parametrize("x0", [0.0, -1.0, 2.0])
def test_every_preset_draws_without_error(page, x0):
    """Each preset at x₀ = 0, −1 and 2 (corners, poles, 0/0 included): no exception, no error."""
    page.slider(key="deriv.x0").set_value(x0).run()
    for preset in DERIVATIVE_PRESETS:
        _choose(page, preset)
        assert not page.error, (preset, [e.value for e in page.error])
        assert page.get("component_instance"), preset


def test_sin_x_over_x_at_zero_is_a_hole_not_a_number(page):
    """sin(x)/x at 0 is 0/0: the page says f is undefined there and shows no slope."""
    _choose(page, "sin(x) / x")
    page.slider(key="deriv.x0").set_value(0.0).run()
    assert metric(page, "f(x₀)") == "undefined"
    assert metric(page, "slope f′(x₀)") == "does not exist"


def test_a_formula_too_costly_to_differentiate_keeps_the_last_good(page, monkeypatch):
    """When the worker gives up on f′, the learner reads why and the last good f stays drawn."""
    import sympy

    import ui.cache
    from calc_core.symbolic_worker import TOO_COSTLY, SymbolicTimeout

    real = ui.cache.derivative_guarded

    def gives_up_on_cosh(expr, variable="x", order=1, **kwargs):
        if expr.has(sympy.cosh):
            raise SymbolicTimeout()
        return real(expr, variable, order, **kwargs)

    monkeypatch.setattr(ui.cache, "derivative_guarded", gives_up_on_cosh)
    page.text_input(key="deriv.f.text").input("cosh(x)^7 + x/3").run()
    assert not page.exception
    assert [e.value for e in page.error] == [TOO_COSTLY]
    assert metric(page, "slope f′(x₀)") == "7"
    assert page.text_input(key="deriv.f.text").value == "cosh(x)^7 + x/3"


def test_numerical_tab_compares_four_methods_with_the_exact_slope(page):
    """At x₀ = 2 for the lesson's f: four estimates of 7, central and complex step to 1e-9."""
    _open_tab(page, "Numerical versus symbolic")
    table = page.dataframe[0].value
    assert list(table["method"]) == ["forward", "backward", "central", "complex step"]
    estimates = dict(zip(table["method"], (float(v) for v in table["estimate"]), strict=True))
    assert estimates["central"] == pytest.approx(7.0, abs=1e-9)
    assert estimates["complex step"] == pytest.approx(7.0, abs=1e-12)
    assert estimates["forward"] == pytest.approx(7.0, abs=1e-6)
    figure = chart(page, "deriv.error_chart")
    assert figure["layout"]["xaxis"]["type"] == "log" and figure["layout"]["yaxis"]["type"] == "log"


@pytest.mark.parametrize("tab", ["Numerical versus symbolic", "Step by step", "Show the code"])
def test_every_tab_works_for_every_preset(page, tab):
    """Each study tab, for each preset at the awkward x₀ = 0: no exception, no error."""
    page.slider(key="deriv.x0").set_value(0.0).run()
    _open_tab(page, tab)
    for preset in DERIVATIVE_PRESETS:
        _choose(page, preset)
        assert not page.error, (tab, preset, [e.value for e in page.error])


def _summaries(at) -> dict[str, str]:
    """Each live chart's text summary, by chart key."""
    payloads = [payload_from_element(el) for el in at.get("component_instance")]
    return {p["key"]: p["summary"] for p in payloads}


def test_every_chart_says_in_words_what_it_shows(page):
    """The lesson's f at x₀ = 2: the tangent chart, the secants and the error study each carry a
    summary with the numbers a learner reads off them (f(2) = 15, slope 7, the best h)."""
    summaries = _summaries(page)
    tangent = summaries["deriv.tangent_chart"]
    assert "f(x) = x^2 + 3x + 5" in tangent and "x from −3 to 3" in tangent
    assert "At x₀ = 2: f(x₀) = 15, slope f′(x₀) = 7" in tangent
    assert "y = 15 + 7·(x − 2)" in tangent
    secant = summaries["deriv.secant_chart"]
    assert "(x₀, f(x₀)) = (2, 15)" in secant and "f′(2) = 7" in secant
    assert "from 1 down to 1e-08" in secant
    _open_tab(page, "Numerical versus symbolic")
    error = _summaries(page)["deriv.error_chart"]
    assert "f′(2) = 7" in error and "complex step" in error
    caption = next(c.value for c in page.caption if c.value.startswith("Measured best h: "))
    best = caption.removeprefix("Measured best h: ").split(". Dotted")[0].split(", ")
    assert len(best) == 3
    for method, h in (part.split(" ") for part in best):  # the caption's numbers, in words
        assert f"{h} ({method})" in error


def test_the_tangent_summary_follows_x0_and_the_formula(page):
    """x³ at x₀ = 1: slope 3; |x| at 0: no tangent, and the one-sided slopes are named."""
    page.text_input(key="deriv.f.text").input("x^3").run()
    page.slider(key="deriv.x0").set_value(1.0).run()
    summary = _summaries(ok(page))["deriv.tangent_chart"]
    assert "f(x) = x^3" in summary and "At x₀ = 1: f(x₀) = 1, slope f′(x₀) = 3" in summary
    page.toggle(key="deriv.second").set_value(True).run()
    assert "f′ and f″" in _summaries(ok(page))["deriv.tangent_chart"]
    _choose(page, "|x|")
    page.slider(key="deriv.x0").set_value(0.0).run()
    summary = _summaries(ok(page))["deriv.tangent_chart"]
    assert "At x₀ = 0: f(x₀) = 0, no tangent." in summary and "−1" in summary
