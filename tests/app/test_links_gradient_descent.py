"""Every view of the gradient-descent playground is a link (AppTest).

A link reproduces a view when the page opened from it shows the same widgets and the same chart
revisions (`tests/app/links.py`). States are reached by moving widgets, as a learner would; the
hostile links check that a value the page cannot use leaves its widget at the default while the
link's other settings still apply.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from tests.app.conftest import ok
from tests.app.links import link_params, open_link, view_of
from ui.descent import DEFAULT_FORMULA, LR_GRID, SURFACE_LABELS, TYPED, option_label
from ui.live_chart import payload_from_element
from viz.descent import SHORT_TITLES

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "pages" / "gradient_descent.py")
TIMEOUT = 60  # a cold sympy import takes seconds
EXAMPLES = int(os.environ.get("LINK_EXAMPLES", "4"))
SLOW = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)  # derandomized in CI by the "ci" profile of tests/conftest.py
NAMED = [name for name in SURFACE_LABELS if name != TYPED]


def _fresh() -> AppTest:
    return ok(AppTest.from_file(PAGE, default_timeout=TIMEOUT).run())


def _reproduced(at: AppTest) -> AppTest:
    """The page opened from `at`'s link, after checking that it shows the same view, at the
    first run (the link's values read before the widgets that need them: no second run)."""
    ok(at)
    linked = ok(open_link(PAGE, link_params(at)))
    assert view_of(linked) == view_of(at)
    assert "gd.pending" not in linked.session_state, "the link needed a second run"
    return linked


def _charts(at: AppTest) -> dict[str, dict]:
    return {p["key"]: p for p in map(payload_from_element, at.get("component_instance"))}


def _results(at: AppTest) -> list[str]:
    tables = [m.value for m in at.markdown if m.value.startswith("| optimiser |")]
    return tables[0].splitlines()[2:] if tables else []


# --- any state reached by moving widgets is its link ---------------------------------------------


def test_a_bowl_with_every_optimiser_tuned_is_its_link():
    """κ, start, steps, all eight optimisers with their own learning rates and settings, a
    warm-up schedule, gradient noise and the inspected step: the link shows all of it."""
    at = _fresh()
    at.slider(key="gd.kappa").set_value(23.0).run()
    at.slider(key="gd.x0").set_value(0.6).run()
    at.slider(key="gd.y0").set_value(-1.2).run()
    at.slider(key="gd.steps").set_value(60).run()
    at.button_group(key="gd.optimizers").set_value(list(SHORT_TITLES)).run()
    for name, lr in (("gd", 0.05), ("nesterov", 0.01), ("rmsprop", 0.02), ("newton", 0.5)):
        at.select_slider(key=f"gd.{name}.lr").set_value(lr).run()
    for key, value in (
        ("gd.momentum.momentum", 0.5),
        ("gd.momentum.dampening", 0.2),
        ("gd.nesterov.momentum", 0.7),
        ("gd.rmsprop.alpha", 0.95),
        ("gd.adam.beta1", 0.8),
        ("gd.adamw.beta2", 0.99),
    ):
        at.slider(key=key).set_value(value).run()
    at.select_slider(key="gd.adagrad.lr_decay").set_value(0.01).run()
    at.select_slider(key="gd.adamw.weight_decay").set_value(0.1).run()
    at.select_slider(key="gd.newton.damping").set_value(1.0).run()
    at.toggle(key="gd.rmsprop.centered").set_value(True).run()
    at.toggle(key="gd.adam.amsgrad").set_value(True).run()
    at.selectbox(key="gd.schedule").set_value("linear_warmup").run()
    at.slider(key="gd.warmup").set_value(20).run()
    at.slider(key="gd.start_factor").set_value(0.5).run()
    at.slider(key="gd.noise").set_value(0.3).run()
    at.number_input(key="gd.seed").set_value(42).run()
    at.slider(key="gd.step").set_value(17).run()
    linked = _reproduced(at)
    assert len(_results(linked)) == 8
    assert any("Gradient noise: σ =" in c.value for c in linked.caption)
    assert _charts(linked)["gd.map"]["frame_name"] == "t17"


def test_rosenbrock_with_a_clicked_start_and_the_3d_view_is_its_link():
    """Another surface (its own window, start and steps), a start set by a click on the map,
    a step between playback frames and the 3D tab: both charts come back."""
    at = _fresh()
    at.selectbox(key="gd.surface").set_value("rosenbrock").run()
    at.slider(key="gd.y0").set_value(2.5).run()
    # A click on the map: its callback sets the start in session state, as this does.
    at.session_state["gd.x0"], at.session_state["gd.y0"] = 0.5, 2.0
    at.run()
    at.slider(key="gd.steps").set_value(250).run()
    at.slider(key="gd.momentum.dampening").set_value(0.3).run()
    at.selectbox(key="gd.schedule").set_value("cosine").run()
    at.slider(key="gd.step").set_value(124).run()  # 250 steps: a frame every 3rd step
    at.session_state["gd.study"] = "On the surface (3D)"
    at.run()
    linked = _reproduced(at)
    assert (linked.slider(key="gd.x0").value, linked.slider(key="gd.y0").value) == (0.5, 2.0)
    charts = _charts(linked)
    assert set(charts) == {"gd.map", "gd.surface3d"}
    assert charts["gd.map"]["frame_name"] is None  # drawn at the exact step
    assert "Step 124 of 250, every optimiser from (0.5, 2)." in charts["gd.map"]["summary"]


def test_a_typed_surface_with_its_window_is_its_link():
    """A typed formula, its window (which sets the start sliders' ends), Newton, the export
    tab with Newton's PyTorch code picked."""
    at = _fresh()
    at.selectbox(key="gd.surface").set_value(TYPED).run()
    at.text_input(key="gd.f.text").input("x^2 + 10y^2 + x").run()
    at.slider(key="gd.x_range").set_value((-2.0, 4.0)).run()
    at.slider(key="gd.y_range").set_value((-1.0, 3.0)).run()
    at.slider(key="gd.x0").set_value(3.5).run()
    at.button_group(key="gd.optimizers").set_value(["gd", "newton"]).run()
    at.select_slider(key="gd.newton.damping").set_value(0.5).run()
    at.slider(key="gd.step").set_value(9).run()
    at.session_state["gd.study"] = "Export"
    at.run()
    at.selectbox(key="gd.export_run").set_value("newton").run()
    linked = _reproduced(at)
    assert linked.text_input(key="gd.f.text").value == "x^2 + 10y^2 + x"
    assert linked.slider(key="gd.x0").value == 3.5
    assert "Newton" in linked.code[0].value.split("\n", 1)[0]


@SLOW
@given(
    name=st.sampled_from(NAMED),
    kappa=st.integers(1, 100),
    steps=st.integers(1, 50).map(lambda k: 10 * k),
    chosen=st.lists(st.sampled_from(list(SHORT_TITLES)), min_size=1, max_size=4, unique=True),
    lr=st.sampled_from(LR_GRID),
    noise=st.integers(0, 20).map(lambda k: round(0.05 * k, 2)),
    seed=st.integers(0, 10_000),
    share=st.floats(0, 1),
)
def test_any_moved_state_is_its_link(name, kappa, steps, chosen, lr, noise, seed, share):
    """Random surfaces, steps, optimisers, a learning rate, noise and step: always the link."""
    at = _fresh()
    at.selectbox(key="gd.surface").set_value(name).run()
    if name == "bowl":
        at.slider(key="gd.kappa").set_value(float(kappa)).run()
    at.slider(key="gd.steps").set_value(steps).run()
    at.button_group(key="gd.optimizers").set_value(chosen).run()
    at.select_slider(key=f"gd.{chosen[0]}.lr").set_value(lr).run()
    at.slider(key="gd.noise").set_value(noise).run()
    at.number_input(key="gd.seed").set_value(seed).run()
    at.slider(key="gd.step").set_value(round(share * steps)).run()
    _reproduced(at)


def test_a_link_then_another_surface_starts_at_that_surfaces_start():
    """Opened from a link with a start and a step, then Himmelblau: the new sliders take
    Himmelblau's start and step 0, not the link's (which the URL still holds)."""
    at = ok(open_link(PAGE, {"gd.x0": ["1.0"], "gd.y0": ["-1.0"], "gd.step": ["40"]}))
    assert (at.slider(key="gd.x0").value, at.slider(key="gd.step").value) == (1.0, 40)
    at.selectbox(key="gd.surface").set_value("himmelblau").run()
    ok(at)
    assert (at.slider(key="gd.x0").value, at.slider(key="gd.y0").value) == (0.0, 0.0)
    assert at.slider(key="gd.step").value == 0
    _reproduced(at)


def test_fewer_steps_than_the_inspected_step_keeps_the_last_one():
    """Step 40 of 100, then 30 steps: the step slider (new ends) shows 30, and so does the
    link."""
    at = ok(open_link(PAGE, {"gd.step": ["40"]}))
    at.slider(key="gd.steps").set_value(30).run()
    assert at.slider(key="gd.step").value == 30
    _reproduced(at)


def test_a_link_between_the_sliders_steps_is_snapped():
    """x₀ = 0.123 (the slider steps by 0.1 here) and 35 steps (by 10): the page shows the
    nearest steps, and that view is its link."""
    at = ok(open_link(PAGE, {"gd.x0": ["0.123"], "gd.steps": ["35"], "gd.kappa": ["20"]}))
    assert at.slider(key="gd.x0").value == 0.1
    assert at.slider(key="gd.steps").value in (30, 40)
    assert at.slider(key="gd.kappa").value == 20.0
    _reproduced(at)


# --- hostile or invalid links ---------------------------------------------------------------------

HOSTILE = [
    # (link, the rejected widget and its default, a valid setting and its value)
    ({"gd.x0": ["abc"], "gd.kappa": ["20"]}, ("gd.x0", -2.5), ("gd.kappa", 20.0)),
    ({"gd.x0": ["99"], "gd.steps": ["60"]}, ("gd.x0", -2.5), ("gd.steps", 60)),
    ({"gd.y0": ["nan"], "gd.x0": ["1.0"]}, ("gd.y0", 1.5), ("gd.x0", 1.0)),
    ({"gd.kappa": ["inf"], "gd.steps": ["60"]}, ("gd.kappa", 10.0), ("gd.steps", 60)),
    ({"gd.steps": ["1e9"], "gd.x0": ["1.0"]}, ("gd.steps", 100), ("gd.x0", 1.0)),
    ({"gd.step": ["-5"], "gd.kappa": ["30"]}, ("gd.step", 0), ("gd.kappa", 30.0)),
    ({"gd.step": ["101"], "gd.noise": ["0.5"]}, ("gd.step", 0), ("gd.noise", 0.5)),
    (
        {"gd.surface": ["Nowhere"], "gd.steps": ["60"], "gd.gd.lr": ["0.1"]},
        ("gd.surface", "bowl"),
        ("gd.gd.lr", 0.1),
    ),
    (
        {"gd.optimizers": ["Bogus"], "gd.noise": ["0.25"]},
        ("gd.optimizers", ["gd", "momentum", "adam"]),
        ("gd.noise", 0.25),
    ),
    ({"gd.gd.lr": ["0.123"], "gd.seed": ["7"]}, ("gd.gd.lr", 0.15), ("gd.seed", 7)),
    ({"gd.gd.lr": ["1e999"], "gd.adam.lr": ["0.5"]}, ("gd.gd.lr", 0.15), ("gd.adam.lr", 0.5)),
    (
        {"gd.adam.amsgrad": ["maybe"], "gd.adam.beta1": ["0.5"]},
        ("gd.adam.amsgrad", False),
        ("gd.adam.beta1", 0.5),
    ),
    (
        {"gd.schedule": ["exponential"], "gd.noise": ["0.25"]},
        ("gd.schedule", "constant"),
        ("gd.noise", 0.25),
    ),
    (
        {"gd.study": ["<script>alert(1)</script>"], "gd.kappa": ["30"]},
        ("gd.study", "Update rules and state at step t"),
        ("gd.kappa", 30.0),
    ),
    ({"gd.seed": ["-3"], "gd.kappa": ["30"]}, ("gd.seed", 0), ("gd.kappa", 30.0)),
]


@pytest.mark.parametrize(("link", "rejected", "kept"), HOSTILE, ids=lambda v: str(v)[:40])
def test_a_value_the_page_cannot_use_shows_the_default(link, rejected, kept):
    """The rejected value's widget shows its default, the link's valid setting is applied,
    and the view shown is itself a link."""
    at = ok(open_link(PAGE, link))
    widgets = view_of(at)["widgets"]
    assert widgets[rejected[0]] == rejected[1]
    assert widgets[kept[0]] == kept[1]
    _reproduced(at)


@pytest.mark.parametrize(
    "names", [["GD", "Bogus"], ["Bogus", "Adam"], ["GD", "Bogus", "Adam"], ["GD"] * 3]
)
def test_an_unknown_optimiser_is_never_raced(names):
    """An unknown name is dropped (Streamlit keeps the known ones, or shows the default
    choice); the optimisers shown race, and that view is its link."""
    at = ok(open_link(PAGE, {"gd.optimizers": names}))
    chosen = at.button_group(key="gd.optimizers").value
    assert chosen and set(chosen) <= set(SHORT_TITLES)
    assert len(_results(at)) == len(chosen)
    if names == ["GD", "Bogus"]:
        assert chosen == ["gd"]
    _reproduced(at)


@pytest.mark.parametrize(
    "formula",
    ["__import__('os').system('touch {sentinel}')", "x" * 5000, "x**" * 2000 + "2"],
    ids=["code", "5000 letters", "deep power tower"],
)
def test_a_hostile_formula_in_a_link_runs_nothing(formula, tmp_path):
    """A formula that is code, or far too long: an error, nothing executed, the default
    formula drawn, and the link's window and steps applied."""
    sentinel = tmp_path / "pwned"
    link = {
        "gd.surface": [SURFACE_LABELS[TYPED]],
        "gd.f.text": [formula.format(sentinel=sentinel)],
        "gd.x_range": ["-2.0", "4.0"],
        "gd.steps": ["60"],
    }
    at = ok(open_link(PAGE, link))
    assert not sentinel.exists()
    assert at.error, "the formula is refused with an error"
    assert at.session_state["gd.f.last_good"] == DEFAULT_FORMULA
    assert at.slider(key="gd.steps").value == 60
    assert at.slider(key="gd.x_range").value == (-2.0, 4.0)
    assert "x from −2 to 4" in _charts(at)["gd.map"]["summary"]


KEYS = [
    "gd.surface", "gd.kappa", "gd.x0", "gd.y0", "gd.optimizers", "gd.gd.lr", "gd.adam.lr",
    "gd.adam.beta2", "gd.adam.amsgrad", "gd.momentum.momentum", "gd.schedule", "gd.noise",
    "gd.seed", "gd.step", "gd.study", "gd.x_range", "gd.f.text",
]  # fmt: skip
JUNK = st.one_of(
    st.text(max_size=30),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**30), 10**30).map(str),
    st.sampled_from([*SURFACE_LABELS.values(), *SHORT_TITLES.values(), "true", "FALSE", ""]),
    st.sampled_from([option_label(v) for v in LR_GRID]),
)


@SLOW
@given(link=st.dictionaries(st.sampled_from(KEYS), st.lists(JUNK, min_size=1, max_size=3)))
def test_any_junk_link_opens_a_view_that_is_its_own_link(link):
    """Whatever a link holds: no exception, the valid steps setting applied, and the view the
    page settles on is reproduced by its own link."""
    at = ok(open_link(PAGE, {**link, "gd.steps": ["60"]}))
    assert at.slider(key="gd.steps").value == 60
    _reproduced(at)
