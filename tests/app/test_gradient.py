"""The gradient page: the right numbers for known cases, after moving each control."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.app.conftest import chart, metric, ok
from ui.live_chart import payload_from_element
from viz.theme import with_arrays_decoded

PAGE = "pages/gradient.py"


@pytest.fixture
def page(open_app):
    return open_app(PAGE)


def _trace(figure: dict, name: str) -> dict:
    return with_arrays_decoded(next(t for t in figure["data"] if t.get("name") == name))


def _click(at, label: str):
    next(b for b in at.button if b.label == label).click().run()
    return ok(at)


def test_bowl_at_one_one(page):
    """x² + 3y² at (1, 1): f = 4, ∇f = (2, 6), |∇f| = 6.325; u at 0° reads ∂f/∂x = 2."""
    ok(page)
    assert metric(page, "f(x₀, y₀)") == "4"
    assert metric(page, "∇f(x₀, y₀)") == "(2, 6)"
    assert metric(page, "|∇f|") == "6.325"
    assert metric(page, "D_u f = ∇f·u") == "2"
    assert any(r"2 x,\ 6 y" in latex.value for latex in page.latex)
    figure = chart(page, "grad.map")
    assert figure["layout"]["title"]["text"] == "∇f(1, 1) = (2, 6),   |∇f| = 6.325"
    arrow = _trace(figure, "∇f at (x₀, y₀)")
    direction = np.array([arrow["x"][1] - 1, arrow["y"][1] - 1])
    assert np.allclose(direction / np.hypot(*direction), np.array([2, 6]) / np.hypot(2, 6))
    assert figure["layout"]["yaxis"]["scaleanchor"] == "x"


def test_u_along_the_gradient_gives_its_length_and_along_the_level_curve_zero(page):
    """The three buttons: D_u f = |∇f| along ∇f, 0 along the level curve, −|∇f| against ∇f."""
    _click(page, "∇f")
    assert page.session_state["grad.angle"] == pytest.approx(np.degrees(np.arctan2(6, 2)))
    assert metric(page, "D_u f = ∇f·u") == metric(page, "|∇f|") == "6.325"
    u = _trace(chart(page, "grad.map"), "u")  # drawn exactly along ∇f, between two frames
    direction = np.array([u["x"][1] - u["x"][0], u["y"][1] - u["y"][0]])
    assert np.allclose(direction / np.hypot(*direction), np.array([2, 6]) / np.hypot(2, 6))
    _click(page, "level curve")
    assert metric(page, "D_u f = ∇f·u") == "0"
    _click(page, "−∇f")
    assert metric(page, "D_u f = ∇f·u") == "−6.325"


def _payload(at, key: str) -> dict:
    return next(
        payload_from_element(el)
        for el in at.get("component_instance")
        if payload_from_element(el)["key"] == key
    )


def test_the_angle_slider_plays_a_frame_on_the_polar_chart_and_moves_u_on_the_map(page):
    """u at 90°: D_u f = ∂f/∂y = 6; the polar chart plays its frame of 90°; the map, which
    carries only the steepest paths' frames, draws u straight up from the point."""
    before = _payload(page, "grad.map")["figure"]
    page.slider(key="grad.angle").set_value(90.0).run()
    ok(page)
    assert metric(page, "D_u f = ∇f·u") == "6"
    on_map, polar = _payload(page, "grad.map"), _payload(page, "grad.polar")
    assert polar["frame_name"] == "u90"
    assert on_map["frame_name"] is None
    assert all(f["name"].startswith("path") for f in on_map["figure"]["frames"])
    u_before, u_after = _trace(before, "u"), _trace(on_map["figure"], "u")
    assert u_after["x"][0] == u_before["x"][0] and u_after["x"][-1] != u_before["x"][-1]
    changed = [
        t["name"] for t, b in zip(on_map["figure"]["data"], before["data"], strict=True) if t != b
    ]
    assert set(changed) <= {"u", "shadow of ∇f on u", "drop"}, changed  # only u moves
    assert polar["figure"]["layout"]["sliders"][0]["active"] == 18
    assert "<b>6</b>" in _trace(polar["figure"], "readout")["text"][0]


def test_moving_the_point_moves_the_gradient(page):
    """(x₀, y₀) = (−1.5, 0.5): ∇f = (−3, 3), |∇f| = 4.243, f = 3."""
    page.slider(key="grad.x0").set_value(-1.5).run()
    page.slider(key="grad.y0").set_value(0.5).run()
    ok(page)
    assert metric(page, "∇f(x₀, y₀)") == "(−3, 3)"
    assert metric(page, "|∇f|") == "4.243"
    assert metric(page, "f(x₀, y₀)") == "3"
    arrow = _trace(chart(page, "grad.map"), "∇f at (x₀, y₀)")
    assert arrow["x"][0] == -1.5 and arrow["y"][0] == 0.5
    direction = np.array([arrow["x"][1] + 1.5, arrow["y"][1] - 0.5])
    assert np.allclose(direction / np.hypot(*direction), np.array([-1, 1]) / np.sqrt(2))


def test_switching_to_rosenbrock_takes_its_view(page):
    """Rosenbrock opens on its own window at (−1, 1): ∇f = (−4, 0), |∇f| = 4."""
    page.selectbox(key="grad.f.preset").set_value("Rosenbrock").run()
    ok(page)
    assert page.session_state["grad.x_range"] == (-2.0, 2.0)
    assert page.session_state["grad.y_range"] == (-1.0, 3.0)
    assert metric(page, "∇f(x₀, y₀)") == "(−4, 0)"
    assert metric(page, "|∇f|") == "4"
    assert chart(page, "grad.map")["layout"]["xaxis"]["range"] == [-2.0, 2.0]
    assert any("capped" in caption.value for caption in page.caption)


def test_a_bad_formula_keeps_the_last_good_one(page):
    """A typo shows an error; the numbers and the chart stay those of x² + 3y²."""
    before = chart(page, "grad.map")
    page.text_input(key="grad.f.text").input("sin(x").run()
    ok(page)
    assert page.error
    assert metric(page, "∇f(x₀, y₀)") == "(2, 6)"
    assert json.dumps(chart(page, "grad.map")) == json.dumps(before)


def test_where_f_is_undefined_the_gradient_is_too(page):
    """log(x·y) at (1, 1): ∇f = (1, 1); at (1, −1) f is undefined, so is ∇f, with a note."""
    page.text_input(key="grad.f.text").input("log(x*y)").run()
    ok(page)
    assert metric(page, "∇f(x₀, y₀)") == "(1, 1)"
    assert any("left blank" in caption.value for caption in page.caption)
    page.slider(key="grad.y0").set_value(-1.0).run()
    ok(page)
    assert metric(page, "∇f(x₀, y₀)") == "undefined"
    assert metric(page, "D_u f = ∇f·u") == "undefined"
    assert page.warning


def test_the_3d_view_keeps_its_surface_when_the_point_moves(page):
    """The 3D tab draws the surface; moving y₀ changes the lifted gradient, not the surface."""
    page.session_state["grad.study"] = "On the surface (3D)"
    page.run()
    ok(page)
    before = chart(page, "grad.surface")
    assert before["data"][0]["type"] == "surface"
    page.slider(key="grad.y0").set_value(-0.5).run()
    after = chart(page, "grad.surface")
    assert after["data"][0] == before["data"][0]
    lifted = [t for t in after["data"] if t.get("name", "").startswith("∇f lifted")]
    assert lifted and lifted[0] != next(
        t for t in before["data"] if t.get("name", "").startswith("∇f lifted")
    )


@pytest.mark.parametrize(
    "page_path, prefix",
    [
        ("pages/gradient.py", "grad"),
        ("pages/partial_derivatives.py", "pd"),
        ("pages/jacobian.py", "jac"),
    ],
)
def test_a_window_squeezed_to_one_value_reopens(open_app, page_path, prefix):
    """Both ends of a range slider on one value: the window reopens half a unit wide, no error."""
    at = open_app(page_path)
    at.slider(key=f"{prefix}.x_range").set_value((10.0, 10.0)).run()
    assert not at.exception, [e.value for e in at.exception]
    assert tuple(at.session_state[f"{prefix}.x_range"]) == (9.5, 10.0)
    assert 9.5 <= at.session_state[f"{prefix}.x0"] <= 10.0


def test_every_chart_has_a_summary_with_the_numbers_shown(page):
    """x² + 3y² at (1, 1): the map and the polar chart say ∇f = (2, 6), |∇f| = 6.325 and D_u f
    at u's angle (2 at 0°, 6 at 90°); the 3D view (its tab) says the same point."""
    ok(page)
    summary = {key: _payload(page, key)["summary"] for key in ("grad.map", "grad.polar")}
    assert "At (1, 1): f = 4, ∇f = (2, 6), |∇f| = 6.325" in summary["grad.map"]
    assert summary["grad.map"].endswith("u at 0°: D_u f = 2.")
    assert "Largest along ∇f (71.57°): |∇f| = 6.325" in summary["grad.polar"]
    page.slider(key="grad.angle").set_value(90.0).run()
    ok(page)
    assert "u at 90°: D_u f = 6." in _payload(page, "grad.map")["summary"]
    assert "u at 90°: D_u f = 6." in _payload(page, "grad.polar")["summary"]
    page.session_state["grad.study"] = "On the surface (3D)"
    ok(page.run())
    surface = _payload(page, "grad.surface")["summary"]
    assert "x from −3 to 3, y from −3 to 3" in surface and "∇f = (2, 6)" in surface
