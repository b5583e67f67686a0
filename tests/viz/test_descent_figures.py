"""The gradient-descent figures: one trace per optimiser, float32, light frames, divergence."""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from calc_core.optimizers import run_optimizer
from calc_core.surfaces import quadratic_bowl, surface, typed_surface
from viz.descent import (
    OPTIMIZER_STYLES,
    contour_levels,
    descent_figure,
    figure_at_step,
    frame_steps,
    map_base,
    panel_range,
    race_summary,
    surface_base,
    surface_figure,
)
from viz.theme import with_arrays_decoded

BOWL = quadratic_bowl(10.0)
START = (-2.5, 1.5)


def _runs(lrs: dict[str, float], s=BOWL, steps: int = 60):
    return [
        run_optimizer(name, s.grad, s.start if s is not BOWL else START, lr, steps,
                      hessian=s.hessian, loss=s.loss)
        for name, lr in lrs.items()
    ]  # fmt: skip


@pytest.fixture(scope="module")
def base():
    return map_base(BOWL, BOWL.grid(60))


@pytest.fixture(scope="module")
def figure(base):
    runs = _runs({"gd": 0.15, "momentum": 0.02, "adam": 0.1})
    return descent_figure(base, BOWL, runs, 60), runs


def _named(figure: dict, name: str) -> list[dict]:
    return [t for t in figure["data"] if t.get("name") == name]


def test_gradient_descent_one_path_and_two_curves_per_optimiser(figure):
    """Each optimiser: one path on the map (in the legend), a loss and a distance curve."""
    spec, _ = figure
    for short, title, lr in (
        ("GD", "Gradient descent", "0.15"),
        ("Momentum", "Momentum", "0.02"),
        ("Adam", "Adam", "0.1"),
    ):
        paths = _named(spec, f"{short} η = {lr}")
        assert len(paths) == 1 and paths[0]["xaxis"] == "x"
        curves = [t for t in spec["data"] if t.get("name", "").startswith(f"{title}: ")]
        assert sorted(c["yaxis"] for c in curves) == ["y2", "y3"]
        group = {t["legendgroup"] for t in [*paths, *curves]}
        assert group == {paths[0]["legendgroup"]}
    colours = {t["line"]["color"] for t in spec["data"] if t.get("legendgroup") and "line" in t}
    assert colours == {OPTIMIZER_STYLES[n].color for n in ("gd", "momentum", "adam")}


def test_gradient_descent_arrays_are_float32(figure):
    """Paths and curves travel as float32 typed arrays."""
    spec, runs = figure
    path = _named(spec, "GD η = 0.15")[0]
    assert path["x"]["dtype"] == "f4" and path["y"]["dtype"] == "f4"
    x = np.frombuffer(base64.b64decode(path["x"]["bdata"]), dtype=np.float32)
    np.testing.assert_allclose(x, runs[0].points[:, 0], rtol=1e-6)
    curve = _named(spec, "Gradient descent: f(xₜ) − f*")[0]
    assert curve["y"]["dtype"] == "f4" and "x" not in curve  # x is the step: x0 + dx
    loss = with_arrays_decoded(curve)["y"]
    np.testing.assert_allclose(loss, np.maximum(runs[0].losses, 1e-16), rtol=1e-6)


def test_gradient_descent_frames_carry_only_the_moving_traces(figure):
    """Every frame replaces the markers, the −∇f arrows and the cursor (with its "step t"):
    data only, no layout."""
    spec, runs = figure
    assert len(spec["frames"]) == 61
    moving = spec["frames"][0]["traces"]
    names = [spec["data"][i]["name"] for i in moving]
    assert names == [
        "Gradient descent at step t", "Momentum at step t", "Adam at step t",
        "−∇f", "loss at step t", "progress at step t", "step t",
    ]  # fmt: skip
    for frame in spec["frames"]:
        assert frame["traces"] == moving and set(frame) == {"name", "traces", "data"}
        assert all(set(d) == {"x", "y"} for d in frame["data"][:-1])
        assert frame["data"][-1]["text"][-1] == f" step {frame['name'][1:]} "  # the cursor
    # every subplot has a trace in every frame (plotly drops the traces of untouched ones)
    subplots = {t["xaxis"] + t["yaxis"] for t in spec["data"]}
    assert {spec["data"][i]["xaxis"] + spec["data"][i]["yaxis"] for i in moving} == subplots
    heavy = len(json.dumps(spec["frames"]))
    assert heavy < 40_000, heavy  # light: a few numbers per optimiser per frame
    # frame t puts gradient descent's marker on x_t and its arrow along the next step
    t = 7
    gd = spec["frames"][t]["data"][0]
    here, step = runs[0].points[t], runs[0].points[t + 1] - runs[0].points[t]
    assert gd["x"][0] == pytest.approx(here[0], rel=1e-4)
    tip = np.array([gd["x"][1], gd["y"][1]]) - here
    cross = tip[0] * step[1] - tip[1] * step[0]
    assert cross == pytest.approx(0.0, abs=1e-3 * np.hypot(*step) ** 2)
    assert np.dot(tip, step) > 0
    # the −∇f arrow points against the gradient
    arrows = spec["frames"][t]["data"][3]
    down = np.array([arrows["x"][1], arrows["y"][1]]) - np.array(arrows["x"][:1] + arrows["y"][:1])
    assert np.dot(down, runs[0].gradients[t]) < 0


def test_gradient_descent_frames_subsample_long_runs():
    """500 steps play as at most 101 frames, the last step included."""
    shown = frame_steps(500)
    assert len(shown) <= 101 and shown[0] == 0 and shown[-1] == 500
    assert np.all(np.diff(shown) > 0)
    assert frame_steps(30).tolist() == list(range(31))


def test_gradient_descent_divergence_is_marked(base):
    """A diverged run: ✕ in the legend name, on the map at its last point, on the loss curve."""
    runs = _runs({"gd": 0.25, "adam": 0.1})
    spec = descent_figure(base, BOWL, runs, 60)
    assert runs[0].diverged is not None
    assert len(_named(spec, "GD η = 0.25 ✕ diverged")) == 1
    mark = _named(spec, "diverged")[0]
    assert mark["x"] == [pytest.approx(runs[0].points[-1][0], rel=1e-4)]
    assert f"diverged at step {runs[0].diverged}" in mark["text"][0]
    on_loss = _named(spec, "diverged (loss)")[0]
    assert on_loss["x"] == [len(runs[0].points) - 1]
    # its marker holds at the last point in later frames, with no arrows
    late = spec["frames"][-1]["data"][0]
    assert late["x"][1] is None


def test_gradient_descent_log_spaced_contours_show_rosenbrocks_valley():
    """Rosenbrock's levels span four decades, evenly in log(f − f* + δ)."""
    s = surface("rosenbrock")
    grid = s.grid(80)
    levels = contour_levels(s, grid.z)
    top = np.percentile(grid.z, 95)
    delta = 1e-4 * top
    ratios = np.diff(np.log10(levels + delta))
    np.testing.assert_allclose(ratios, ratios[0], rtol=1e-9)
    assert levels[0] < 1.0 and levels[-1] > 100.0
    spec = map_base(s, grid)
    assert spec["layout"]["images"][0]["source"].startswith("data:image/png;base64,")
    assert spec["data"][0]["x"] == [1.0] and spec["data"][0]["name"] == "minimum"


def test_gradient_descent_equal_aspect_only_where_the_window_allows():
    """A square window keeps x and y at one scale; a 1 : 10 window does not."""
    square = map_base(BOWL, BOWL.grid(20))["layout"]["yaxis"]
    assert square["scaleanchor"] == "x"
    thin = typed_surface("x^2 + y^2", (-10.0, 10.0), (-1.0, 1.0))
    assert "scaleanchor" not in map_base(thin, thin.grid(20))["layout"]["yaxis"]


def test_gradient_descent_figure_at_an_exact_step():
    """A step between frames: the moving traces for that exact step, the slider nearby."""
    long = descent_figure(map_base(BOWL, BOWL.grid(30)), BOWL, _runs({"gd": 0.15}, steps=300), 300)
    moved = figure_at_step(long, BOWL, _runs({"gd": 0.15}, steps=300), 7, 300)
    gd = moved["data"][moved["frames"][0]["traces"][0]]
    assert gd["x"][0] == pytest.approx(_runs({"gd": 0.15}, steps=300)[0].points[7][0], rel=1e-4)
    assert moved["layout"]["sliders"][0]["active"] == 2  # frames at 0, 3, 6, 9, ...
    assert long["data"][long["frames"][0]["traces"][0]]["x"] != gd["x"]  # not modified


def test_gradient_descent_surface_bytes_stay_identical_when_runs_change():
    """The 3D surface trace is the very same object, whatever the runs and the step."""
    base3d = surface_base(BOWL, BOWL.grid(30))
    one = surface_figure(base3d, BOWL, _runs({"gd": 0.15}), 3)
    two = surface_figure(base3d, BOWL, _runs({"gd": 0.05, "adam": 0.1}), 40)
    assert json.dumps(one["data"][0]) == json.dumps(two["data"][0])
    assert one["data"][0]["z"]["dtype"] == "f4"
    paths = [t for t in two["data"] if t["type"] == "scatter3d" and t["mode"] == "lines"]
    assert len(paths) == 2  # one per optimiser


def test_gradient_descent_side_panels_have_fixed_ranges_around_every_curve(figure):
    """The loss and distance panels carry their ranges (so a new run redraws only its traces in
    the browser): every finite value lies inside, in decades on a log axis."""
    spec, _ = figure
    layout = spec["layout"]
    assert layout["xaxis2"]["range"] == layout["xaxis3"]["range"] == [0.0, 60.0]
    for axis, y in (("yaxis2", "y2"), ("yaxis3", "y3")):
        low, high = layout[axis]["range"]
        log = layout[axis]["type"] == "log"
        for trace in spec["data"]:
            if trace.get("yaxis") != y or trace.get("mode") != "lines":
                continue
            values = np.asarray(with_arrays_decoded(trace)["y"], dtype=float)
            values = values[np.isfinite(values)]
            shown = np.log10(values[values > 0]) if log else values
            assert low <= shown.min() and shown.max() <= high, (axis, trace["name"])


# --- the charts as text -----------------------------------------------------------------------


def _number(text: str) -> float:
    return float(text.replace("−", "-"))


def _reading(text: str, name: str) -> tuple[float, float, float, float]:
    """x, y, f and the distance a summary gives for the optimiser shown as `name`."""
    where = re.search(
        re.escape(name) + r" at \((\S+), (\S+)\), f = (\S+), (\S+) from the nearest minimum", text
    )
    assert where, text
    return tuple(_number(g) for g in where.groups())


def test_race_summary_reads_each_optimiser_off_the_map_at_the_step():
    """Step 1 of GD on the κ = 10 bowl from (−2.5, 1.5), η = 0.15, worked by hand:
    ∇f = (x, 10y) = (−2.5, 15), so x₁ = (−2.125, −0.75), f = (2.125² + 10·0.75²)/2; Adam's
    first step is η along each coordinate, against the gradient's sign."""
    runs = _runs({"gd": 0.15, "adam": 0.1}, steps=20)
    text = race_summary(BOWL, runs, 1, 20)
    assert text.startswith("Contour map of f, with f and the distance to a minimum against")
    assert "Quadratic bowl (κ = 10), x from −3 to 3, y from −3 to 3." in text
    assert "Known minimum at (0, 0). Step 1 of 20, every optimiser from (−2.5, 1.5)." in text
    f1 = (2.125**2 + 10 * 0.75**2) / 2
    expected = (-2.125, -0.75, f1, float(np.hypot(2.125, 0.75)))
    assert _reading(text, "GD (η = 0.15)") == pytest.approx(expected, rel=5e-3)
    f_adam = (2.4**2 + 10 * 1.4**2) / 2
    expected = (-2.4, 1.4, f_adam, float(np.hypot(2.4, 1.4)))
    assert _reading(text, "Adam (η = 0.1)") == pytest.approx(expected, rel=5e-3)


def test_race_summary_counts_every_run_and_follows_the_step():
    """One sentence per optimiser; a later step moves the numbers; a step past the end shows
    the last point."""
    runs = _runs({"gd": 0.15, "momentum": 0.02, "adam": 0.1}, steps=20)
    early, late = race_summary(BOWL, runs, 0, 20), race_summary(BOWL, runs, 20, 20)
    for short in ("GD (η = 0.15)", "Momentum (η = 0.02)", "Adam (η = 0.1)"):
        assert early.count(short) == late.count(short) == 1
    assert "GD (η = 0.15) at (−2.5, 1.5), f = 14.38" in early
    x, y = runs[0].points[20]
    assert _reading(late, "GD (η = 0.15)")[:2] == pytest.approx((x, y), rel=5e-3, abs=1e-12)
    assert race_summary(BOWL, runs, 99, 20) == late  # past the end: the last point


def test_race_summary_names_the_step_a_run_diverged():
    """GD with η = 0.25 > 2/10 diverges: before that step it says when; after, where it
    stopped."""
    (run,) = _runs({"gd": 0.25}, steps=60)
    assert run.diverged is not None
    before = race_summary(BOWL, [run], 3, 60)
    assert f"; it diverges at step {run.diverged}." in before
    after = race_summary(BOWL, [run], 60, 60)
    assert f"GD (η = 0.25) diverged at step {run.diverged}; last point at (" in after


def test_race_summary_without_a_known_minimum_gives_the_gradient():
    """The saddle has no minimum: the summary says so and gives |∇f| where each run is."""
    saddle = surface("saddle")
    (run,) = _runs({"gd": 0.01}, s=saddle, steps=30)
    text = race_summary(saddle, [run], 30, 30)
    assert "No known minimum." in text and "|∇f| against the step" in text
    grad = float(np.linalg.norm(saddle.grad(run.points[30])))
    assert _number(text.split("|∇f| = ")[1].rstrip(".")) == pytest.approx(grad, rel=1e-2)


def test_race_summary_of_the_3d_view_and_of_many_minima():
    """The 3D view says so; Himmelblau's four minima are all named; no run, no step."""
    himmelblau = surface("himmelblau")
    text = race_summary(himmelblau, [], 0, 200, view="3d")
    assert text.startswith("Surface z = f(x, y) with each optimiser's path: Himmelblau")
    assert "Known minima at (3, 2), (−2.81, 3.13), (−3.78, −3.28), (3.58, −1.85)." in text
    assert "Step" not in text


def test_race_summary_when_f_is_undefined_at_the_start():
    """log x at x < 0: no step is taken, and the summary says why."""
    log = typed_surface("log(x) + y^2")
    run = run_optimizer("gd", log.grad, log.start, 0.1, 10, loss=log.loss)
    assert run.diverged == 0
    assert "GD (η = 0.1): f is not defined at the start, no step taken." in race_summary(
        log, [run], 5, 10
    )


@given(st.lists(st.floats(1e-12, 1e12), min_size=1, max_size=30), st.booleans())
def test_a_panel_range_holds_the_values_on_a_round_grid(values, log):
    """The side panels' fixed y range holds every value (in decades on a log axis), its ends
    lie on a grid of 1, 2 or 5 times a power of ten no wider than a sixth of the range, so the
    range changes only when a value crosses a grid line."""
    low, high = panel_range([np.array(values)], log=log)
    shown = np.log10(values) if log else np.array(values)
    assert low < shown.min() and shown.max() < high
    span = high - low
    step = 10.0 ** np.floor(np.log10(span / 16))
    steps = [f * step for f in (1, 2, 5, 10) if f * step <= span / 6 + 1e-9]

    def on_grid(end: float, size: float) -> bool:
        return abs(end / size - round(end / size)) < 1e-5 * max(1.0, abs(end / size))

    assert any(on_grid(low, s) and on_grid(high, s) for s in steps), (low, high)


def test_a_slider_step_mostly_keeps_the_panel_range():
    """Losses of a run shrinking from 10 to 1e-6: 1 % more or less leaves the range as it is
    (a new range costs the browser a relayout)."""
    losses = 10.0 * 0.8 ** np.arange(62)
    kept = [
        panel_range([losses * s], log=True) == panel_range([losses], log=True)
        for s in np.linspace(0.97, 1.03, 13)
    ]
    assert sum(kept) >= 10
