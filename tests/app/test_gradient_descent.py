"""The gradient-descent playground under AppTest: defaults, every control, right numbers."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pytest
from streamlit.runtime.memory_media_file_storage import _calculate_file_id

from calc_core.optimizers import run_optimizer
from calc_core.surfaces import quadratic_bowl, surface
from ui.descent import SurfaceKey, apply_map_event, trajectories_csv
from ui.live_chart import figure_from_element, payload_from_element
from viz.theme import with_arrays_decoded

PAGE = "pages/gradient_descent.py"


def _ok(at) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _map(at) -> dict:
    charts = [
        el for el in at.get("component_instance") if payload_from_element(el)["key"] == "gd.map"
    ]
    assert len(charts) == 1
    return figure_from_element(charts[0])


def _text(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in at.error]
    return "\n".join(parts)


def _table(at, index: int = 0) -> list[dict]:
    """The results table (index 0) or the index-th optimiser's state table (Markdown)."""
    if index == 0:
        tables = [m.value for m in at.markdown if m.value.startswith("| optimiser |")]
        assert len(tables) == 1
        text = tables[0]
    else:
        tables = [m.value for m in at.markdown if m.value.startswith("| quantity |")]
        text = tables[index - 1]
    head, _, *lines = text.splitlines()
    names = [c.strip() for c in head.strip("|").split("|")]
    return [
        dict(zip(names, (c.strip() for c in line.strip("|").split("|")), strict=True))
        for line in lines
    ]


@pytest.fixture
def at(open_app):
    at = open_app(PAGE)
    _ok(at)
    return at


def test_defaults_draw_three_runs_with_frames(at):
    """Default: the κ = 10 bowl, GD, momentum and Adam, all converging, frames to play."""
    assert at.title[0].value == "Gradient descent playground"
    figure = _map(at)
    names = [t.get("name", "") for t in figure["data"]]
    assert "GD η = 0.15" in names
    assert "Momentum η = 0.02" in names and "Adam η = 0.1" in names
    assert len(figure["frames"]) == 101  # 100 steps: every step a frame
    rows = _table(at)
    assert [r["optimiser"] for r in rows] == ["Gradient descent", "Momentum", "Adam"]
    assert all(r["outcome"] == "✓ all steps" for r in rows)
    assert "✓ stable on this quadratic for η < 2/λmax = 0.2" in _text(at)
    assert not at.error


def test_gd_above_two_over_kappa_diverges_with_the_bound(at):
    """GD on the bowl with κ = 10 and η = 0.25 > 2/10: divergence reported with the bound."""
    at.select_slider(key="gd.gd.lr").set_value(0.25).run()
    _ok(at)
    errors = [e.value for e in at.error]
    assert len(errors) == 1
    assert errors[0].startswith("Gradient descent diverged at step ")
    assert "on this quadratic it must stay below 2/λmax = 0.2, and η = 0.25" in errors[0]
    assert ":red[⚠ stable on this quadratic for η < 2/λmax = 0.2: η = 0.25 is too large]" in [
        m.value for m in at.markdown
    ]
    row = _table(at)[0]
    assert row["outcome"].startswith("✕ diverged at step")
    # the options are plain numbers (a link holds the one chosen as the slider shows it)
    assert {"0.15", "0.2", "10.0"} <= set(at.select_slider(key="gd.gd.lr").options)
    # the divergence is marked on the map (✕ at the last point) and named in the legend
    figure = _map(at)
    marks = [t for t in figure["data"] if t.get("name") == "diverged"]
    assert len(marks) == 1 and "Gradient descent diverged at step" in marks[0]["text"][0]
    assert any(t.get("name") == "GD η = 0.25 ✕ diverged" for t in figure["data"])


def test_kappa_moves_the_bound(at):
    """κ = 11: the bound on GD's learning rate is 2/11 = 0.18 (the issue's example)."""
    at.slider(key="gd.kappa").set_value(11.0).run()
    _ok(at)
    assert "2/λmax = 0.18" in _text(at)
    at.select_slider(key="gd.gd.lr").set_value(0.2).run()
    assert "it must stay below 2/λmax = 0.18, and η = 0.2" in at.error[0].value


def test_first_step_numbers_in_the_state_table(at):
    """Step 0 of GD on the bowl from (−2.5, 1.5), η = 0.15: g = (−2.5, 15), step (0.375, −2.25)."""
    at.slider(key="gd.step").set_value(0).run()
    _ok(at)
    rows = {r["quantity"]: (r["x"], r["y"]) for r in _table(at, 1)}
    assert rows["point xₜ"] == ("−2.5", "1.5")
    assert rows["g = ∇f(xₜ)"] == ("−2.5", "15")
    assert rows["step xₜ₊₁ − xₜ"] == ("0.375", "−2.25")
    momentum = {r["quantity"]: (r["x"], r["y"]) for r in _table(at, 2)}
    assert momentum["velocity b"] == ("−2.5", "15")  # the buffer starts as the first gradient
    adam = {r["quantity"]: (r["x"], r["y"]) for r in _table(at, 3)}
    assert adam["step xₜ₊₁ − xₜ"] == ("0.1", "−0.1")  # Adam's first step: η per coordinate


def test_step_slider_moves_the_frame_and_the_table(at):
    """Inspecting step 5 plays frame 5 and shows x₅ of gradient descent."""
    at.slider(key="gd.step").set_value(5).run()
    _ok(at)
    payload = payload_from_element(at.get("component_instance")[0])
    assert payload["frame_name"] == "t5"
    x5 = run_optimizer("gd", quadratic_bowl(10).grad, (-2.5, 1.5), 0.15, 5).points[-1]
    row = _table(at, 1)[0]
    assert row["quantity"] == "point xₜ"
    assert float(row["x"].replace("−", "-")) == pytest.approx(x5[0], rel=1e-3)


def test_rosenbrock_runs(at):
    """Rosenbrock: 500 steps from (−1.2, 1), its window, distances to (1, 1), no divergence."""
    at.selectbox(key="gd.surface").set_value("rosenbrock").run()
    _ok(at)
    assert at.slider(key="gd.steps").value == 500
    assert (at.slider(key="gd.x0").value, at.slider(key="gd.y0").value) == (-1.2, 1.0)
    figure = _map(at)
    assert figure["layout"]["xaxis"]["range"] == [-2.0, 2.0]
    assert figure["layout"]["yaxis2"]["title"]["text"] == "f(xₜ) − f*"
    assert len(figure["frames"]) == 101
    rows = _table(at)
    assert all(r["steps"] == "500" for r in rows)
    assert "near the minimum (1, 1)" in _text(at)
    gd = run_optimizer("gd", surface("rosenbrock").grad, (-1.2, 1.0), 0.001, 500)
    distance = float(np.hypot(*(gd.points[-1] - 1.0)))
    assert rows[0]["distance to a minimum"] == f"{distance:.3g}"


@pytest.mark.parametrize("name", ["himmelblau", "beale", "saddle", "plateau", "ackley"])
def test_other_surfaces_run(at, name):
    """Each named surface runs at its defaults with no exception."""
    at.selectbox(key="gd.surface").set_value(name).run()
    _ok(at)
    assert _map(at)["frames"]


def test_typed_formula_bad_then_good(at):
    """A bad formula: st.error, the last good formula still drawn; a good one: its bound."""
    at.selectbox(key="gd.surface").set_value("typed").run()
    _ok(at)
    first = _map(at)
    at.text_input(key="gd.f.text").set_value("x^^2 +").run()
    _ok(at)
    assert at.error, "a rejected formula shows an error"
    assert _map(at)["data"] == first["data"]  # the last good formula is still drawn
    at.text_input(key="gd.f.text").set_value("x^2 + 10y^2").run()
    _ok(at)
    assert not at.error
    assert "on this quadratic for η < 2/λmax = 0.1" in _text(at)  # H = diag(2, 20)


def test_every_control_moves(at):
    """All optimisers, every hyperparameter, schedule and noise: no exception, numbers change."""
    at.button_group(key="gd.optimizers").set_value(
        ["gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw", "newton"]
    ).run()
    _ok(at)
    assert len(_table(at)) == 8
    before = _table(at)
    for slider in at.slider:
        if slider.key in ("gd.step",):
            continue
        slider.set_value(slider.max).run()
        _ok(at)
    for box in at.select_slider:
        box.set_value(float(box.options[0].split()[0])).run()  # options are shown as text
        _ok(at)
    for toggle in at.toggle:
        toggle.set_value(True).run()
        _ok(at)
    for schedule in ("step_decay", "cosine", "linear_warmup"):
        at.selectbox(key="gd.schedule").set_value(schedule).run()
        _ok(at)
    at.slider(key="gd.noise").set_value(0.5).run()
    at.number_input(key="gd.seed").set_value(3).run()
    _ok(at)
    assert "Gradient noise: σ =" in _text(at)
    assert _table(at) != before


def test_click_on_the_map_moves_the_start():
    """A click report from the map snaps the start to the sliders' steps inside the window."""
    bowl = quadratic_bowl(10.0)
    state = {"gd.x0": -2.5, "gd.y0": 1.5, "gd.step": 3, "gd.steps": 100}
    apply_map_event(state, {"click": {"x": 1.013, "y": -0.987, "subplot": "xy"}}, bowl)
    assert (state["gd.x0"], state["gd.y0"]) == (1.0, -1.0)
    apply_map_event(state, {"click": {"x": 50.0, "y": 0.0, "subplot": "x2y2"}}, bowl)
    assert state["gd.x0"] == 1.0  # a click on the loss panel is no start
    apply_map_event(state, {"click": {"x": 9.0, "y": -9.0, "subplot": "xy"}}, bowl)
    assert (state["gd.x0"], state["gd.y0"]) == (3.0, -3.0)  # clamped into the window
    apply_map_event(state, {"slider": 0, "label": "40", "value": "40"}, bowl)
    assert state["gd.step"] == 40


def test_export_buttons_and_csv(at):
    """Export: CSV and HTML buttons; the CSV served is the runs' points, step by step."""
    at.session_state["gd.study"] = "Export"
    at.run()
    _ok(at)
    buttons = {b.proto.label: b.proto for b in at.get("download_button")}
    assert set(buttons) == {"Trajectories (CSV)", "Animated figure (HTML)"}
    bowl = quadratic_bowl(10.0)
    runs = [
        run_optimizer("gd", bowl.grad, (-2.5, 1.5), 0.15, 100, loss=bowl.loss),
        run_optimizer("momentum", bowl.grad, (-2.5, 1.5), 0.02, 100, loss=bowl.loss),
        run_optimizer("adam", bowl.grad, (-2.5, 1.5), 0.1, 100, loss=bowl.loss),
    ]
    text = trajectories_csv(bowl, runs)
    served = Path(buttons["Trajectories (CSV)"].url).stem
    assert served == _calculate_file_id(text.encode(), "text/csv", "trajectories.csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 3 * 101
    first, second = rows[0], rows[1]
    assert first["optimizer"] == "gd" and first["step"] == "0"
    assert (float(first["x"]), float(first["y"])) == (-2.5, 1.5)
    assert (float(first["grad_x"]), float(first["grad_y"])) == (-2.5, 15.0)
    # one step of gradient descent by hand: (−2.5, 1.5) − 0.15·(−2.5, 15)
    assert (float(second["x"]), float(second["y"])) == pytest.approx((-2.125, -0.75))
    assert float(second["f"]) == pytest.approx(0.5 * (2.125**2 + 10 * 0.75**2))
    assert rows[100]["grad_x"] == ""  # the last point takes no step
    code = at.code[0].value
    assert "torch.optim.SGD([w], lr=0.15, weight_decay=0.0)" in code
    assert "return x**2/2 + 5*y**2" in code
    compile(code, "snippet.py", "exec")


def test_html_export_is_standalone():
    """The HTML export carries plotly.js and the figure's frames."""
    from ui.descent import standalone_html
    from viz.descent import descent_figure, map_base

    bowl = quadratic_bowl(10.0)
    run = run_optimizer("gd", bowl.grad, (-2.5, 1.5), 0.15, 20, loss=bowl.loss)
    figure = descent_figure(map_base(bowl, bowl.grid(40)), bowl, [run], 20)
    html = standalone_html(figure, "test")
    assert html.startswith("<!doctype html>") and "<title>test</title>" in html
    assert "plotly.js v" in html or "Plotly" in html[:200_000]
    assert '"name":"t20"' in html.replace(" ", "")
    assert len(html) > 3_000_000  # plotly.js inside: it plays offline


def test_surface_key_is_hashable():
    """Surface keys key the caches: equal settings, equal keys."""
    assert hash(SurfaceKey("bowl", 10.0)) == hash(SurfaceKey("bowl", 10.0))
    assert with_arrays_decoded({"a": 1}) == {"a": 1}


def test_an_optimiser_dropped_and_picked_again_gets_its_defaults(at):
    """Adam removed, then added back: its learning rate is the surface's default again."""
    at.select_slider(key="gd.adam.lr").set_value(0.5).run()
    at.button_group(key="gd.optimizers").set_value(["gd", "momentum"]).run()
    _ok(at)
    assert len(_table(at)) == 2
    at.button_group(key="gd.optimizers").set_value(["gd", "momentum", "adam"]).run()
    _ok(at)
    assert at.select_slider(key="gd.adam.lr").value == 0.1
    assert [r["η"] for r in _table(at)] == ["0.15", "0.02", "0.1"]


def test_schedules_change_the_run(at):
    """Step decay halves η every 25 steps: GD's state table shows η = 0.075 at step 30."""
    at.selectbox(key="gd.schedule").set_value("step_decay").run()
    _ok(at)
    at.slider(key="gd.step").set_value(30).run()
    rows = {r["quantity"]: r["x"] for r in _table(at, 1)}
    assert rows["η of this step"] == "0.075"


def test_a_typed_loss_undefined_at_the_start_says_so_once(at):
    """log(x) + y² from x₀ = −1.5: one error naming the start (not "try a smaller learning rate"
    three times, once per optimiser) and a note on the map's blank half."""
    at.selectbox(key="gd.surface").set_value("typed").run()
    at.text_input(key="gd.f.text").input("log(x) + y^2").run()
    _ok(at)
    assert at.slider(key="gd.x0").value < 0
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and errors[0].startswith("f is not defined at the start (−1.5, ")
    assert "learning rate" not in errors[0]
    assert "those places are left blank" in _text(at)


def test_a_run_that_steps_off_the_domain_says_so(at):
    """log(x) + y² from x₀ = 1: the runs head for x = 0 and step past it, where f is undefined;
    the errors say that (nothing blew up), not merely "the loss is not a finite number"."""
    at.selectbox(key="gd.surface").set_value("typed").run()
    at.text_input(key="gd.f.text").input("log(x) + y^2").run()
    at.slider(key="gd.x0").set_value(1.0).run()
    _ok(at)
    errors = [e.value for e in at.error]
    assert errors and all("stepped to where the loss is not defined" in e for e in errors)
    assert "| ✕ diverged at step 6 |" in _text(at)


def _summary(at, key: str) -> str:
    (payload,) = [
        p for p in map(payload_from_element, at.get("component_instance")) if p["key"] == key
    ]
    return payload["summary"]


def _reading(summary: str, name: str) -> tuple[float, ...]:
    """x, y, f and the distance to the minimum the summary gives for optimiser `name`."""
    found = re.search(
        re.escape(name) + r" at \((\S+), (\S+)\), f = (\S+), (\S+) from the nearest minimum",
        summary,
    )
    assert found, summary
    return tuple(float(g.replace("−", "-")) for g in found.groups())


def test_every_chart_says_what_it_shows_at_the_step(at):
    """The map and the 3D view each carry a text summary: at step 5, where GD is (x₅ of an
    independent run), its loss and its distance to the minimum (0, 0)."""
    at.slider(key="gd.step").set_value(5).run()
    _ok(at)
    bowl = quadratic_bowl(10.0)
    x5 = run_optimizer("gd", bowl.grad, (-2.5, 1.5), 0.15, 5).points[-1]
    expected = (x5[0], x5[1], float(bowl.loss(x5)), float(np.hypot(*x5)))
    summary = _summary(at, "gd.map")
    assert summary.startswith("Contour map of f") and "Step 5 of 100" in summary
    assert _reading(summary, "GD (η = 0.15)") == pytest.approx(expected, rel=5e-3)
    assert "Momentum (η = 0.02) at (" in summary and "Adam (η = 0.1) at (" in summary
    at.session_state["gd.study"] = "On the surface (3D)"
    at.run()
    _ok(at)
    surface3d = _summary(at, "gd.surface3d")
    assert surface3d.startswith("Surface z = f(x, y)") and "Step 5 of 100" in surface3d
    assert _reading(surface3d, "GD (η = 0.15)") == pytest.approx(expected, rel=5e-3)
