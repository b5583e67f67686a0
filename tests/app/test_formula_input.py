"""The shared formula box: presets, LaTeX of what was understood, rejection keeps the last good."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parent / "apps" / "formula_app.py"


@pytest.fixture
def app() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    assert not at.exception
    return at


def _texts(at) -> str:
    return " | ".join(t.value for t in at.text)


def test_default_formula_is_understood_and_evaluated(app):
    """The lesson's f(x) = x² + 3x + 5: LaTeX shown, f(2) = 15, f'(x) = 2x + 3."""
    assert "x^{2} + 3 x + 5" in app.latex[0].value
    assert "f(2) = 15" in _texts(app)
    assert "f'(x) = 2*x + 3" in _texts(app)
    assert app.selectbox(key="demo.f.preset").value == "Quadratic"


def test_picking_a_preset_fills_the_box(app):
    """Choosing the chain-rule preset puts sin(2x²) in the box and its derivative on the page."""
    app.selectbox(key="demo.f.preset").set_value("Chain rule").run()
    assert app.text_input(key="demo.f.text").value == "sin(2*x**2)"
    assert "f'(x) = 4*x*cos(2*x**2)" in _texts(app)


def test_typing_a_custom_formula_switches_the_preset_to_custom(app):
    """A typed formula that matches no preset shows as custom, written as the learner means."""
    app.text_input(key="demo.f.text").input("2x^3").run()
    assert app.selectbox(key="demo.f.preset").value.startswith("Custom")
    assert "f(2) = 16" in _texts(app)
    assert "f'(x) = 6*x**2" in _texts(app)


@pytest.mark.parametrize(
    ("typed", "fragment"),
    [
        ("x +* 2", "could not be read"),
        ("__import__('os').system('echo hacked')", ""),
        ("9**9**9", "too large"),
        ("a*x", "Unknown name 'a'"),
    ],
)
def test_bad_formula_shows_one_error_and_keeps_everything_else(app, typed, fragment):
    """A rejected formula: one st.error, no traceback, last good formula and other settings kept."""
    app.slider(key="demo.other").set_value(7).run()
    app.text_input(key="demo.f.text").input(typed).run()
    assert not app.exception
    assert len(app.error) == 1
    assert fragment in app.error[0].value
    assert "drawing: x**2 + 3*x + 5" in _texts(app)
    assert "f(2) = 15" in _texts(app)
    assert app.slider(key="demo.other").value == 7
    assert app.text_input(key="demo.f.text").value == typed  # the learner's text is not erased


def test_fixing_the_formula_clears_the_error(app):
    """After a rejection, a valid formula is drawn and the error goes away."""
    app.text_input(key="demo.f.text").input("x +* 2").run()
    app.text_input(key="demo.f.text").input("x^2").run()
    assert not app.error
    assert "f(2) = 4" in _texts(app)
