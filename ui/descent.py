"""The gradient-descent playground's state, cached runs and figures, and its exports.

State lives under "gd.": the surface ("gd.surface", "gd.kappa", "gd.f.*" for a typed formula,
"gd.x_range", "gd.y_range"), the start ("gd.x0", "gd.y0"), "gd.steps", the optimisers
("gd.optimizers", and "gd.<optimiser>.<hyperparameter>" each, e.g. "gd.adam.lr"), the schedule
("gd.schedule", "gd.step_size", "gd.gamma", "gd.warmup", "gd.start_factor"), the gradient
noise ("gd.noise", "gd.seed"), the step inspected ("gd.step") and the open study tab
("gd.study"). Every one of these widgets is bound to the URL (its key is the query parameter),
with this surface's default as the widget's own (`view_defaults`), so a link holds exactly the
settings that differ from the defaults and any view is a link.

Everything costly is cached on plain values: a surface on its `SurfaceKey`, a run on its
settings, the figure on the runs; so moving the inspected step re-uses them all, and changing one
optimiser's learning rate recomputes that optimiser alone.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import parse_qs

import numpy as np
import plotly.io as pio
import streamlit as st
import sympy
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.runtime.state.session_state_proxy import get_session_state
from sympy.printing.str import StrPrinter

from calc_core.multivariate import GridSample
from calc_core.optimizers import (
    OPTIMIZERS,
    OUTSIDE,
    Schedule,
    Trajectory,
    largest_stable_learning_rate,
    make_schedule,
    run_optimizer,
    torch_arguments,
)
from calc_core.surfaces import SURFACE_NAMES, Surface, quadratic_bowl, surface, typed_surface
from ui.cache import HOUR
from ui.links import linked_numbers, linked_values
from ui.sliders import on_step
from viz.descent import descent_figure, frame_steps, map_base, surface_base, surface_figure
from viz.format import number

Range = tuple[float, float]
TYPED = "typed"
# Streamlit hashes a dataclass argument field by field (some 3 ms a call here); their repr says
# the same in one string.
_KEYS = {"ui.descent.SurfaceKey": repr, "ui.descent.RunSettings": repr}
MAP_GRID = 120  # per side: the contour bands
SURFACE_GRID = 60  # per side: the 3D surface
MAX_STEPS = 500
DEFAULT_OPTIMIZERS = ("gd", "momentum", "adam")
DEFAULT_FORMULA = "x^2 + 3y^2 + x*y"
TYPED_WINDOW = (-3.0, 3.0)

SURFACE_LABELS = {
    "bowl": "Quadratic bowl (condition number κ)",
    "rosenbrock": "Rosenbrock (curved valley)",
    "himmelblau": "Himmelblau (four minima)",
    "beale": "Beale (sharp ridges)",
    "booth": "Booth (tilted bowl)",
    "saddle": "Saddle x² − y²",
    "plateau": "Plateau (vanishing gradient)",
    "six_hump_camel": "Six-hump camel",
    "rastrigin": "Rastrigin (many local minima)",
    "ackley": "Ackley (bumpy plain, deep well)",
    TYPED: "Your own f(x, y)",
}
assert tuple(SURFACE_LABELS)[:-1] == SURFACE_NAMES

# Per surface: steps, and a learning rate per optimiser that runs well and shows its character
# (measured: 200 steps from the surface's start for each optimiser over 1e-4 .. 1).
_LR = ("gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw", "newton")
DEFAULTS: dict[str, tuple[int, dict[str, float]]] = {
    name: (steps, dict(zip(_LR, rates, strict=True)))
    for name, steps, rates in (
        ("bowl", 100, (0.15, 0.02, 0.02, 0.5, 0.05, 0.1, 0.1, 1.0)),
        ("rosenbrock", 500, (0.001, 0.001, 0.001, 0.5, 0.01, 0.05, 0.05, 1.0)),
        ("himmelblau", 200, (0.01, 0.002, 0.002, 0.5, 0.03, 0.1, 0.1, 1.0)),
        ("beale", 300, (0.01, 0.001, 0.001, 0.5, 0.05, 0.1, 0.1, 1.0)),
        ("booth", 150, (0.05, 0.01, 0.01, 1.0, 0.2, 0.5, 0.5, 1.0)),
        ("saddle", 100, (0.01, 0.001, 0.001, 0.1, 0.01, 0.02, 0.02, 1.0)),
        ("plateau", 200, (0.5, 0.1, 0.1, 0.2, 0.01, 0.05, 0.05, 1.0)),
        ("six_hump_camel", 200, (0.01, 0.01, 0.01, 0.1, 0.01, 0.05, 0.05, 1.0)),
        ("rastrigin", 200, (0.003, 0.003, 0.003, 0.3, 0.1, 0.1, 0.1, 1.0)),
        ("ackley", 200, (0.1, 0.03, 0.03, 1.0, 0.1, 0.1, 0.1, 1.0)),
        (TYPED, 100, (0.1, 0.02, 0.02, 0.5, 0.05, 0.1, 0.1, 1.0)),
    )
}

# Learning rates offered: 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 per decade, from 1e-4 to 10.
_MANTISSAS = (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8)
LR_GRID = (*(float(f"{m * 10.0**e:.6g}") for e in range(-4, 1) for m in _MANTISSAS), 10.0)
EPS_GRID = (1e-10, 1e-8, 1e-6, 1e-4, 1e-2, 0.1)
DECAY_GRID = (0.0, 1e-4, 1e-3, 0.01, 0.1, 0.5)
DAMPING_GRID = (0.0, 0.01, 0.1, 0.5, 1.0, 5.0, 10.0)
ACCUMULATOR_GRID = (0.0, 0.01, 0.1, 1.0)


@dataclass(frozen=True)
class Control:
    """One setting's widget: a slider over [low, high] (whole numbers if `integer`), a choice
    from `options`, or a toggle."""

    param: str  # PyTorch's name; "beta1"/"beta2" are the two halves of Adam's betas
    label: str
    low: float = 0.0
    high: float = 1.0
    step: float = 0.01
    options: tuple[float, ...] | None = None
    toggle: bool = False
    integer: bool = False
    help: str | None = None


def option_label(value: float) -> str:
    """An option of a choice slider as it is shown, and as a link holds it: "0.15", "1e-08"."""
    return repr(float(value))


_WD = Control("weight_decay", "weight decay", options=DECAY_GRID)
_EPS = Control("eps", "ε", options=EPS_GRID)
CONTROLS: dict[str, tuple[Control, ...]] = {
    "gd": (_WD,),
    "momentum": (
        Control("momentum", "momentum μ", 0.0, 0.99),
        Control("dampening", "dampening τ", 0.0, 0.9),
        _WD,
    ),
    "nesterov": (Control("momentum", "momentum μ", 0.05, 0.99), _WD),
    "adagrad": (
        Control("lr_decay", "learning-rate decay", options=DECAY_GRID),
        Control("initial_accumulator_value", "initial accumulator", options=ACCUMULATOR_GRID),
        Control("eps", "ε", options=(1e-10, *EPS_GRID[1:])),
        _WD,
    ),
    "rmsprop": (
        Control("alpha", "smoothing α", 0.0, 0.999, 0.001),
        Control("momentum", "momentum", 0.0, 0.99),
        _EPS,
        Control("centered", "centered", toggle=True),
        _WD,
    ),
    "adam": (
        Control("beta1", "β₁ (first moment)", 0.0, 0.99),
        Control("beta2", "β₂ (second moment)", 0.0, 0.9999, 0.0001),
        _EPS,
        Control("amsgrad", "AMSGrad", toggle=True),
        _WD,
    ),
    "newton": (Control("damping", "damping λ", options=DAMPING_GRID),),
}
CONTROLS["adamw"] = CONTROLS["adam"]
LEARNING_RATE = Control("lr", "learning rate η", options=LR_GRID)
SCHEDULE_CONTROLS: dict[str, tuple[Control, ...]] = {
    "step_decay": (
        Control("step_size", "step size (steps)", 1, MAX_STEPS, 1, integer=True),
        Control("gamma", "γ (factor per decay)", 0.05, 1.0, 0.05),
    ),
    "linear_warmup": (
        Control("warmup", "warm-up steps", 1, 200, 1, integer=True),
        Control("start_factor", "start factor", 0.01, 1.0, 0.01),
    ),
}
NOISE = Control(
    "noise", "gradient noise (× the typical |∇f| here)", 0.0, 1.0, 0.05,
    help="Gaussian noise added to every gradient, as the mini-batches of stochastic gradient "
    "descent do. Seeded: the same seed replays the same noise.",
)  # fmt: skip
SEED = Control("seed", "noise seed", 0, 10_000, 1, integer=True)  # drawn as a number box
# Every setting drawn below the chart, by key: a link's values for them are read before the
# runs are computed (`init_state`), since their widgets come too late in the page to say.
LATE_CONTROLS: dict[str, Control] = {
    **{f"gd.{name}.lr": LEARNING_RATE for name in OPTIMIZERS},
    **{f"gd.{name}.{c.param}": c for name in OPTIMIZERS for c in CONTROLS[name]},
    **{f"gd.{c.param}": c for group in SCHEDULE_CONTROLS.values() for c in group},
    "gd.noise": NOISE,
    "gd.seed": SEED,
}

STATE_NAMES = {
    "momentum_buffer": "velocity b",
    "sum": "s = Σ g²",
    "square_avg": "v, average of g²",
    "grad_avg": "average of g",
    "exp_avg": "m, average of g",
    "exp_avg_sq": "v, average of g²",
    "max_exp_avg_sq": "largest v (AMSGrad)",
    "eigenvalues": "eigenvalues of H + λI",
}
SCHEDULE_LABELS = {
    "constant": "constant",
    "step_decay": "step decay (StepLR)",
    "cosine": "cosine (CosineAnnealingLR)",
    "linear_warmup": "linear warm-up (LinearLR)",
}


def nearest(options: Sequence[float], value: float) -> float:
    """The option closest to value (on a log scale for positive values)."""
    if value > 0 and all(o > 0 for o in options):
        return min(options, key=lambda o: abs(math.log(o / value)))
    return min(options, key=lambda o: abs(o - value))


# --- the surface -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SurfaceKey:
    """What identifies the surface on screen (hashable: it keys every cache)."""

    name: str
    kappa: float = 10.0
    text: str = ""
    x_range: Range = TYPED_WINDOW
    y_range: Range = TYPED_WINDOW


@st.cache_resource(max_entries=64, ttl=HOUR, show_spinner=False, hash_funcs=_KEYS)
def surface_of(key: SurfaceKey) -> Surface:
    """The `Surface` for a key (a typed formula raises `ExpressionError` if unusable)."""
    if key.name == "bowl":
        return quadratic_bowl(key.kappa)
    if key.name == TYPED:
        return typed_surface(key.text, key.x_range, key.y_range)
    return surface(key.name)


@st.cache_resource(max_entries=64, ttl=HOUR, show_spinner=False, hash_funcs=_KEYS)
def grid_of(key: SurfaceKey, n: int) -> GridSample:
    """f on an n x n grid over the surface's window."""
    with np.errstate(all="ignore"):
        return surface_of(key).grid(n)


@st.cache_data(max_entries=64, ttl=HOUR, show_spinner=False, hash_funcs=_KEYS)
def has_gaps(key: SurfaceKey) -> bool:
    """Whether f is undefined or infinite somewhere on the map's grid (a typed log x, say)."""
    return not np.isfinite(grid_of(key, MAP_GRID).z).all()


@st.cache_resource(max_entries=64, ttl=HOUR, show_spinner=False, hash_funcs=_KEYS)
def map_base_of(key: SurfaceKey) -> dict:
    """The contour map's background (shared: never modify it)."""
    return map_base(surface_of(key), grid_of(key, MAP_GRID))


@st.cache_resource(max_entries=32, ttl=HOUR, show_spinner=False, hash_funcs=_KEYS)
def surface_base_of(key: SurfaceKey) -> dict:
    """The 3D surface, once per surface and window: its bytes never change as runs change."""
    return surface_base(surface_of(key), grid_of(key, SURFACE_GRID))


@st.cache_data(max_entries=256, ttl=HOUR, show_spinner=False, hash_funcs=_KEYS)
def gradient_scale(key: SurfaceKey) -> float:
    """The median |∇f| over the window: the unit of the gradient-noise control."""
    grid = grid_of(key, 41)
    gx, gy = np.meshgrid(grid.x, grid.y)
    with np.errstate(all="ignore"):
        size = np.linalg.norm(surface_of(key).grad(np.stack([gx, gy], axis=-1)), axis=-1)
    finite = size[np.isfinite(size)]
    return float(np.median(finite)) if finite.size else 1.0


def point_step(window: Range) -> float:
    """The start sliders' step: a round number, at most 100 steps across the window."""
    width = window[1] - window[0]
    nice = (0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 5.0)
    return next((s for s in nice if width / s <= 100), nice[-1])


def snap(value: float, window: Range) -> float:
    """value clamped into the window and rounded to the start sliders' step."""
    return on_step(value, *window, point_step(window))


# --- state --------------------------------------------------------------------------------------


def optimizer_defaults(name: str, surface_name: str) -> dict[str, Any]:
    """Widget values for one optimiser: the surface's learning rate, PyTorch's defaults."""
    values: dict[str, Any] = {"lr": nearest(LR_GRID, DEFAULTS[surface_name][1][name])}
    defaults = OPTIMIZERS[name].defaults
    for control in CONTROLS[name]:
        if control.param in ("beta1", "beta2"):
            value = defaults["betas"][0 if control.param == "beta1" else 1]
        else:
            value = defaults[control.param]
        if control.options is not None:
            value = nearest(control.options, value)
        values[control.param] = value
    return values


def view_defaults(name: str, surface: Surface) -> dict[str, Any]:
    """Every bound widget's default on this surface, by key: what the page shows when a link
    does not name it (the widgets get these as their own defaults, so the URL leaves out
    exactly these values).

    Args:
        name: the surface's name in `SURFACE_LABELS`, e.g. "rosenbrock".
        surface: that surface (its start and window give the start's defaults).

    Returns:
        key -> value, e.g. {"gd.steps": 500, "gd.x0": -1.2, "gd.gd.lr": 0.001, ...}.
    """
    steps, _ = DEFAULTS[name]
    values: dict[str, Any] = {
        "gd.kappa": 10.0,
        "gd.x_range": TYPED_WINDOW,
        "gd.y_range": TYPED_WINDOW,
        "gd.steps": steps,
        "gd.x0": snap(surface.start[0], surface.x_range),
        "gd.y0": snap(surface.start[1], surface.y_range),
        "gd.step": 0,
        "gd.optimizers": list(DEFAULT_OPTIMIZERS),
        "gd.schedule": "constant",
        "gd.step_size": max(1, steps // 4),
        "gd.gamma": 0.5,
        "gd.warmup": max(1, steps // 10),
        "gd.start_factor": 0.3,
        "gd.noise": 0.0,
        "gd.seed": 0,
    }
    for optimizer in OPTIMIZERS:
        for param, value in optimizer_defaults(optimizer, name).items():
            values[f"gd.{optimizer}.{param}"] = value
    return values


# What a new surface resets: its steps and start, and what follows from them and from f.
_PER_SURFACE = ("gd.steps", "gd.x0", "gd.y0", "gd.step", "gd.step_size", "gd.warmup")
_PER_OPTIMIZER = tuple(f"gd.{name}." for name in OPTIMIZERS)


def reset_for_surface(state: MutableMapping[str, Any], surface: Surface, name: str) -> None:
    """Start, steps and every optimiser's settings as this surface's defaults (a callback)."""
    for key, value in view_defaults(name, surface).items():
        if key in _PER_SURFACE or key.startswith(_PER_OPTIMIZER):
            state[key] = value


SURFACE_BY_LABEL = {label: name for name, label in SURFACE_LABELS.items()}


def _linked_window(key: str) -> Range | None:
    """A typed window from the link, if the window slider can take it."""
    window = linked_numbers(key, 2)
    if window is None or not -10.0 <= window[0] < window[1] <= 10.0:
        return None
    return (window[0], window[1])


def linked_surface() -> tuple[str, Surface]:
    """The surface a link opens (its name, and the surface whose start and window set the
    other widgets' defaults and ranges); the bowl when the link names none it knows."""
    name = next((SURFACE_BY_LABEL[v] for v in linked_values("gd.surface") if v in SURFACE_BY_LABEL),
                "bowl")  # fmt: skip
    if name == "bowl":
        return name, quadratic_bowl(10.0)  # κ moves neither the start nor the window
    if name == TYPED:
        x_range = _linked_window("gd.x_range") or TYPED_WINDOW
        y_range = _linked_window("gd.y_range") or TYPED_WINDOW
        # The start is a quarter of the way into the window, whatever the formula.
        return name, surface_of(SurfaceKey(TYPED, text=DEFAULT_FORMULA, x_range=x_range,
                                           y_range=y_range))  # fmt: skip
    return name, surface_of(SurfaceKey(name))


def _linked_number(key: str, low: float, high: float) -> float | None:
    value = linked_numbers(key, 1)
    return value[0] if value is not None and low <= value[0] <= high else None


def linked_setting(key: str, control: Control) -> Any:
    """The value a link gives a setting's widget, read as the widget will read it (None when
    the link has none, or one the widget would refuse)."""
    values = linked_values(key)
    if not values:
        return None
    if control.toggle:
        return {"true": True, "false": False}.get(values[-1].lower())
    if control.options is not None:
        labels = {option_label(o): o for o in control.options}
        return labels.get(values[0]) if len(values) == 1 else None
    number = _linked_number(key, control.low, control.high)
    if number is None:
        return None
    return int(number) if control.integer else number


def init_state(state: MutableMapping[str, Any]) -> None:
    """First visit: the surface a link names (else the bowl with κ = 10) and its defaults.

    Opened from a link, its surface, steps, start and inspected step are read first, before
    any widget: the sliders' ends depend on the surface and the steps, and the surface's
    defaults would otherwise overwrite them. So are the settings whose widgets come after the
    chart (`LATE_CONTROLS`, the schedule): the runs are computed before those widgets could
    take the link's values. The others reach their widgets through the URL binding alone.
    """
    if state.get("gd.surface") is not None:  # (`in` copies all of Streamlit's state)
        return
    name, surface = linked_surface()
    for key, value in view_defaults(name, surface).items():
        state[key] = value
    state["gd.surface"] = name
    steps = _linked_number("gd.steps", 10, MAX_STEPS)
    if steps is not None:
        state["gd.steps"] = int(on_step(steps, 10, MAX_STEPS, 10))
    for axis, window in (("x", surface.x_range), ("y", surface.y_range)):
        value = _linked_number(f"gd.{axis}0", *window)
        if value is not None:
            state[f"gd.{axis}0"] = snap(value, window)
    step = _linked_number("gd.step", 0, state["gd.steps"])
    if step is not None:
        state["gd.step"] = int(step)
    schedules = {label: name for name, label in SCHEDULE_LABELS.items()}
    schedule = linked_values("gd.schedule")
    if schedule and schedule[-1] in schedules:
        state["gd.schedule"] = schedules[schedule[-1]]
    for key, control in LATE_CONTROLS.items():
        value = linked_setting(key, control)
        if value is not None:
            state[key] = value


def restore_defaults(state: MutableMapping[str, Any], defaults: Mapping[str, Any]) -> None:
    """Put back the value of any widget Streamlit forgot (`view_defaults`: this surface's)."""
    for key, value in defaults.items():
        if state.get(key) is None:
            state[key] = value


def optimizers_changed(state: MutableMapping[str, Any], defaults: Mapping[str, Any]) -> None:
    """An optimiser picked (again) starts from its defaults on this surface (a callback)."""
    before = set(state.get("gd.chosen", ()))
    for optimizer in state["gd.optimizers"] or ():
        if optimizer not in before:
            prefix = f"gd.{optimizer}."
            state.update({k: v for k, v in defaults.items() if k.startswith(prefix)})


def keep_in_window(state: MutableMapping[str, Any], surface: Surface) -> None:
    """Keep the start inside the (perhaps changed) window, and the inspected step in range
    (written only when they move: a value set in code would outrank the widget's own)."""
    for axis, window in (("x", surface.x_range), ("y", surface.y_range)):
        key = f"gd.{axis}0"
        value = snap(state.get(key, surface.start[0 if axis == "x" else 1]), window)
        if state.get(key) != value:
            state[key] = value
    step = min(int(state.get("gd.step", 0)), int(state["gd.steps"]))
    if state.get("gd.step") != step:
        state["gd.step"] = step


# A run asked for by `insist` or `settle` finds what to set first under _PENDING.
_PENDING = "gd.pending"
SETTLED = "gd.settled"  # set by the run that follows `settle`


def apply_pending(state: MutableMapping[str, Any]) -> frozenset[str]:
    """Set the values `rerun_once` left for this run (before their widgets); their keys (empty
    unless this run is such a second run)."""
    pending = state.get(_PENDING)
    if pending is None:
        return frozenset()
    state[_PENDING] = None
    state.update(pending)
    return frozenset(pending)


def rerun_once(state: MutableMapping[str, Any], values: Mapping[str, Any]) -> None:
    """Run the page again, `values` set before their widgets (not on browser back/forward,
    where the URL is meant to win)."""
    ctx = get_script_run_ctx()
    if ctx is not None and ctx.is_history_navigation:
        return
    state[_PENDING] = dict(values)
    st.rerun()


def settle(state: MutableMapping[str, Any], used: Any, now: Any, applied: frozenset[str]) -> None:
    """Run once more if what the runs were computed from (`used`) is not what the widgets
    drawn after them hold (`now`): a link's value that `init_state` read otherwise than its
    widget did. Never twice in a row."""
    if used != now and SETTLED not in applied:
        rerun_once(state, {SETTLED: True})


def insist(
    state: MutableMapping[str, Any], intended: Mapping[str, Any], applied: frozenset[str]
) -> None:
    """Run again if a URL-bound slider just drawn took another value than the page gave it.

    A slider whose ends change (the start's, when the surface or window does; the inspected
    step's, when the steps do) is a new widget to Streamlit, which seeds it from the URL: the
    value of the old surface, or one off the slider's steps, would win over the one set here.
    The next run sets the intended values before the (now unchanged) sliders, where they win.
    Never twice for a key: `applied` holds those this run set already.
    """
    changed = {k: v for k, v in intended.items() if state.get(k) != v}
    if changed and not changed.keys() <= applied:
        rerun_once(state, changed)


def _held(values: Sequence[str]) -> tuple[float, ...] | None:
    try:
        return tuple(float(v) for v in values)
    except ValueError:
        return None


def keep_link(
    state: MutableMapping[str, Any],
    keys: Sequence[str],
    defaults: Mapping[str, Any],
    ends: Any,
) -> None:
    """After these sliders are drawn, make the address bar hold their values (none for a
    default) if their `ends` changed since the last time.

    Streamlit writes a bound widget's value into the URL when the learner moves it, or when
    code sets a widget it already knew; not when code sets a slider that has just become a new
    widget because its ends changed (the start's with the surface or window, the inspected
    step's with the steps): the address bar would keep the old value, and the link another view.
    Only then: on other runs the browser keeps the address bar, and a correction sent from here
    could overtake a newer move.
    """
    ctx = get_script_run_ctx()
    mark = f"{keys[0]}.ends"
    if ctx is None or state.get(mark) == ends:
        return
    state[mark] = ends
    shown = parse_qs(ctx.query_string)  # the address bar, as far as this run has told it
    fixes = {}
    for key in keys:
        value = float(state[key])
        default = value == float(defaults[key])
        if not ((key not in shown) if default else _held(shown.get(key, ())) == (value,)):
            fixes[key] = (
                None if default else (str(int(value)) if value.is_integer() else repr(value))
            )
    if fixes:
        # No public API writes a bound parameter: these are the calls Streamlit makes for its
        # own corrections (then one message sends the address bar the whole query).
        with get_session_state().query_params() as params:
            for key, text in fixes.items():
                if text is None:
                    params.discard_param_no_forward_msg(key)
                else:
                    params.set_with_no_forward_msg(key, text)
            params._send_query_param_msg()


def apply_map_event(
    state: MutableMapping[str, Any], event: Mapping[str, Any] | None, surface: Surface
) -> None:
    """The map's report: a click on the map moves the start there; the chart's own step
    slider, stopped somewhere, sets the inspected step."""
    if not event:
        return
    click = event.get("click")
    if isinstance(click, Mapping):
        if click.get("subplot") == "xy":
            state["gd.x0"] = snap(float(click["x"]), surface.x_range)
            state["gd.y0"] = snap(float(click["y"]), surface.y_range)
        return
    if event.get("value") is not None:
        state["gd.step"] = min(int(float(event["value"])), int(state["gd.steps"]))


def hyperparameters(state: Mapping[str, Any], name: str) -> dict[str, Any]:
    """One optimiser's hyperparameters by PyTorch's names, from the widgets' state."""
    hp: dict[str, Any] = {}
    defaults = None
    for control in CONTROLS[name]:
        value = state.get(f"gd.{name}.{control.param}")
        if value is None:  # not shown yet: PyTorch's default
            defaults = defaults or optimizer_defaults(name, TYPED)
            value = defaults[control.param]
        hp[control.param] = bool(value) if control.toggle else float(value)
    if "beta1" in hp:
        hp["betas"] = (hp.pop("beta1"), hp.pop("beta2"))
    return hp


def schedule_from(state: Mapping[str, Any]) -> Schedule:
    """The learning-rate schedule the widgets describe (cosine decays over all the steps)."""
    name = state.get("gd.schedule", "constant")
    steps = int(state["gd.steps"])
    if name == "step_decay":
        return make_schedule(name, step_size=int(state["gd.step_size"]), gamma=state["gd.gamma"])
    if name == "cosine":
        return make_schedule(name, T_max=steps)
    if name == "linear_warmup":
        return make_schedule(
            name, warmup_steps=int(state["gd.warmup"]), start_factor=state["gd.start_factor"]
        )
    return make_schedule("constant")


# --- runs ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunSettings:
    """Everything one run depends on (hashable: it keys the cache)."""

    optimizer: str
    lr: float
    hyperparameters: tuple[tuple[str, Any], ...]
    start: tuple[float, float]
    steps: int
    schedule: Schedule
    noise: float
    seed: int

    @property
    def hp(self) -> dict[str, Any]:
        return dict(self.hyperparameters)


@st.cache_resource(max_entries=1024, ttl=HOUR, show_spinner=False, hash_funcs=_KEYS)
def run_of(key: SurfaceKey, settings: RunSettings) -> Trajectory:
    """One optimiser's trajectory on the surface (a shared, read-only object)."""
    s = surface_of(key)
    with np.errstate(all="ignore"):
        return run_optimizer(
            settings.optimizer,
            s.grad,
            settings.start,
            settings.lr,
            settings.steps,
            hessian=s.hessian,
            loss=s.loss,
            schedule=settings.schedule,
            noise=settings.noise,
            seed=settings.seed,
            **settings.hp,
        )


@st.cache_resource(max_entries=256, ttl=HOUR, show_spinner=False, hash_funcs=_KEYS)
def figure_of(key: SurfaceKey, settings: tuple[RunSettings, ...], steps: int) -> dict:
    """The map, loss and progress panels with their frames (shared: never modify it)."""
    runs = [run_of(key, s) for s in settings]
    with np.errstate(all="ignore"):
        return descent_figure(map_base_of(key), surface_of(key), runs, steps)


@st.cache_resource(max_entries=256, ttl=HOUR, show_spinner=False, hash_funcs=_KEYS)
def surface_figure_of(key: SurfaceKey, settings: tuple[RunSettings, ...], step: int) -> dict:
    """The 3D view with the runs' paths and their positions at `step`."""
    runs = [run_of(key, s) for s in settings]
    with np.errstate(all="ignore"):
        return surface_figure(surface_base_of(key), surface_of(key), runs, step)


def frame_index(steps: int, step: int) -> int | None:
    """The playback frame showing `step`, or None when that step has no frame of its own."""
    shown = frame_steps(steps)
    hits = np.flatnonzero(shown == step)
    return int(hits[0]) if hits.size else None


# --- stability: the learning rate above which the run cannot settle ----------------------------


@dataclass(frozen=True)
class Bound:
    """The largest stable learning rate of an optimiser near a point, and where it holds."""

    lr: float
    formula: str  # e.g. "2/λmax"
    where: str  # e.g. "on this quadratic" or "near the minimum (1, 1)"
    lam_max: float


def is_quadratic(surface: Surface) -> bool:
    """Whether the Hessian is the same everywhere (f is a quadratic)."""
    return all(not e.free_symbols for e in surface.hessian_expr)


@st.cache_data(max_entries=512, ttl=HOUR, show_spinner=False, hash_funcs=_KEYS)
def curvature(key: SurfaceKey, start: tuple[float, float]) -> tuple[float, float, str] | None:
    """(λmax, λmin, where) of the Hessian on a quadratic, or at the known minimum nearest the
    start; None where no minimum is known or the Hessian is not finite there."""
    s = surface_of(key)
    if is_quadratic(s):
        where, point = "on this quadratic", s.start
    elif s.minima:
        best = min(s.minima, key=lambda m: math.dist(m.point, start))
        where = f"near the minimum ({number(best.point[0], 3)}, {number(best.point[1], 3)})"
        point = best.point
    else:
        return None
    with np.errstate(all="ignore"):
        H = s.hessian(np.array(point, dtype=float))
    if not np.all(np.isfinite(H)):
        return None
    eigenvalues = np.linalg.eigvalsh(H)
    return float(eigenvalues.max()), float(eigenvalues.min()), where


def stability_bound(
    lam_max: float, lam_min: float, where: str, name: str, hp: Mapping[str, Any]
) -> Bound | None:
    """The largest learning rate at which an optimiser settles on a quadratic with these
    curvatures (near a minimum: the quadratic that approximates f there).

    * gradient descent: η < 2/λmax (weight decay adds to every curvature);
    * momentum (heavy ball, Polyak 1964): η(1 − τ) < 2(1 + μ)/λmax;
    * Nesterov as in torch: η < 2(1 + μ)/((1 + 2μ) λmax) (Jury's test on its two-step recursion);
    * Newton: η < 2(1 + damping/λmax) where every curvature is positive;
    * AdaGrad, RMSProp, Adam, AdamW: None (their steps are rescaled; no such bound).
    """
    wd = float(hp.get("weight_decay", 0.0))
    top = lam_max + wd
    if top <= 0:
        return None
    if name == "gd":
        return Bound(largest_stable_learning_rate([[top]]), "2/λmax", where, top)
    if name == "momentum":
        mu, tau = hp["momentum"], hp["dampening"]
        if tau >= 1:
            return None
        return Bound(2 * (1 + mu) / ((1 - tau) * top), "2(1 + μ)/λmax", where, top)
    if name == "nesterov":
        mu = hp["momentum"]
        return Bound(2 * (1 + mu) / ((1 + 2 * mu) * top), "2(1 + μ)/((1 + 2μ)λmax)", where, top)
    if name == "newton" and lam_min > 0:
        damping = hp["damping"]
        return Bound(2 * (1 + damping / lam_max), "2(1 + λ/λmax)", where, lam_max)
    return None


def divergence_note(run: Trajectory, bound: Bound | None, surface: Surface) -> str:
    """Why a run diverged, in a learner's words, with the bound it broke where one is known."""
    if run.diverged == 0 and len(run.points):
        # Undefined where it starts (log x at x < 0, say): no learning rate helps, and every
        # optimiser gets this same sentence, which the page then shows once.
        x, y = (number(float(v), 3) for v in run.points[0])
        return (
            f"f is not defined at the start ({x}, {y}), so no optimiser can take a step: move "
            "the start (the sliders, or a click on the map) to where f is defined."
        )
    title = OPTIMIZERS[run.optimizer].title
    text = f"{title} diverged at step {run.diverged}: {run.reason}."
    if run.reason == OUTSIDE:  # nothing blew up: it left f's domain (log x, say)
        return f"{text} A smaller learning rate or another start may keep it where f is defined."
    if bound is not None and run.lr >= bound.lr:
        return (
            f"{text} Learning rate too large: {bound.where} it must stay below "
            f"{bound.formula} = {number(bound.lr, 2)}, and η = {number(run.lr, 3)}."
        )
    if run.optimizer in ("gd", "momentum", "nesterov") and len(run.points):
        last = run.points[-1]
        with np.errstate(all="ignore"):
            H = surface.hessian(last)
        if np.all(np.isfinite(H)):
            top = float(np.linalg.eigvalsh(H).max())
            if top > 0 and run.lr >= 2 / top:
                return (
                    f"{text} Learning rate too large for the curvature where it blew up: near "
                    f"({number(last[0], 3)}, {number(last[1], 3)}) λmax = {number(top, 3)}, so "
                    f"a stable step needs η < 2/λmax = {number(2 / top, 2)}, and "
                    f"η = {number(run.lr, 3)}."
                )
    return f"{text} Try a smaller learning rate."


# --- readouts ----------------------------------------------------------------------------------


def first_within(distances: np.ndarray, tolerance: float) -> int | None:
    """The first step whose distance is below tolerance, or None."""
    hits = np.flatnonzero(np.asarray(distances) < tolerance)
    return int(hits[0]) if hits.size else None


def results_rows(surface: Surface, runs: Sequence[Trajectory]) -> list[dict[str, str]]:
    """One row per run: where it ended, its loss, how close it came, and how it ended."""
    rows = []
    for run in runs:
        end = run.points[-1]
        row = {
            "optimiser": OPTIMIZERS[run.optimizer].title,
            "η": number(run.lr, 3),
            "steps": str(run.steps),
            "ends at": f"({number(end[0], 3)}, {number(end[1], 3)})",
            "f there": number(float(run.losses[-1])),
        }
        if surface.minima:
            distances = surface.distance_to_minimum(run.points)
            row["distance to a minimum"] = number(float(distances[-1]), 3)
            reached = first_within(distances, 1e-3)
            row["first within 0.001 at step"] = "—" if reached is None else str(reached)
        else:
            with np.errstate(all="ignore"):
                row["|∇f| there"] = number(float(np.linalg.norm(surface.grad(end))), 3)
        row["outcome"] = f"✕ diverged at step {run.diverged}" if run.diverged else "✓ all steps"
        rows.append(row)
    return rows


def _pair(v: Sequence[float]) -> tuple[str, str]:
    return number(float(v[0])), number(float(v[1]))


def state_rows(run: Trajectory, t: int) -> list[dict[str, str]]:
    """What the optimiser holds at step t and what its next step (t + 1) does, per coordinate.

    Rows: the point x_t, the gradient there g_{t+1}, the state after step t + 1 (velocity,
    squared-gradient averages, moments...), the per-coordinate learning rate that state gives
    (adaptive methods), and the step x_{t+1} − x_t.
    """
    t = min(t, run.steps)
    rows = [{"quantity": "point xₜ", "x": _pair(run.points[t])[0], "y": _pair(run.points[t])[1]}]

    def add(name: str, values: Sequence[float]) -> None:
        a, b = _pair(values)
        rows.append({"quantity": name, "x": a, "y": b})

    if t >= run.steps:
        note = "diverged here" if run.diverged else "last step: no next step"
        rows.append({"quantity": note, "x": "", "y": ""})
        return rows
    lr = float(run.learning_rates[t])
    add("g = ∇f(xₜ)", run.gradients[t])
    for name, values in run.state.items():
        add(STATE_NAMES.get(name, name), values[t])
    rate = effective_rates(run, t)
    if rate is not None:
        add("η per coordinate", rate)
    add("step xₜ₊₁ − xₜ", run.points[t + 1] - run.points[t])
    rows.insert(1, {"quantity": "η of this step", "x": number(lr), "y": number(lr)})
    return rows


def effective_rates(run: Trajectory, t: int) -> np.ndarray | None:
    """The learning rate each coordinate effectively gets at step t + 1 (adaptive methods):
    η/(√s + ε) for AdaGrad, η/(√v + ε) for RMSProp, η/(1 − β₁ᵗ)/(√(v/(1 − β₂ᵗ)) + ε) for Adam."""
    hp, lr = run.hyperparameters, float(run.learning_rates[t])
    with np.errstate(all="ignore"):
        if run.optimizer == "adagrad":
            lr = lr / (1 + t * hp["lr_decay"])
            return lr / (np.sqrt(run.state["sum"][t]) + hp["eps"])
        if run.optimizer == "rmsprop":
            return lr / (np.sqrt(run.state["square_avg"][t]) + hp["eps"])
        if run.optimizer in ("adam", "adamw"):
            beta1, beta2 = hp["betas"]
            n = t + 1
            second = run.state.get("max_exp_avg_sq", run.state["exp_avg_sq"])[t]
            return lr / (1 - beta1**n) / (np.sqrt(second / (1 - beta2**n)) + hp["eps"])
    return None


# --- exports -----------------------------------------------------------------------------------


def trajectories_csv(surface: Surface, runs: Sequence[Trajectory]) -> str:
    """Every run's points as CSV: one row per optimiser and step, full precision.

    Columns: optimizer, lr, step, x, y, f, then distance_to_nearest_minimum (or grad_norm where
    no minimum is known), and for the step taken from that point: grad_x, grad_y, step_lr
    (empty on the last point).
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    progress = "distance_to_nearest_minimum" if surface.minima else "grad_norm"
    writer.writerow(["optimizer", "lr", "step", "x", "y", "f", progress, "grad_x", "grad_y",
                     "step_lr"])  # fmt: skip
    for run in runs:
        with np.errstate(all="ignore"):
            if surface.minima:
                extra = surface.distance_to_minimum(run.points)
            else:
                extra = np.linalg.norm(surface.grad(run.points), axis=-1)
        for t, (x, y) in enumerate(run.points):
            row = [run.optimizer, repr(run.lr), t, repr(float(x)), repr(float(y)),
                   repr(float(run.losses[t])), repr(float(extra[t]))]  # fmt: skip
            if t < run.steps:
                g = run.gradients[t]
                row += [repr(float(g[0])), repr(float(g[1])), repr(float(run.learning_rates[t]))]
            else:
                row += ["", "", ""]
            writer.writerow(row)
    return out.getvalue()


def standalone_html(figure: Mapping[str, Any], title: str) -> str:
    """The animated figure as one HTML file with plotly.js inside (works offline)."""
    spec = dict(figure)
    spec["layout"] = {**figure["layout"], "height": 720, "paper_bgcolor": "#ffffff"}
    html = pio.to_html(
        spec,
        include_plotlyjs=True,
        full_html=True,
        auto_play=False,
        validate=False,
        config={"displaylogo": False, "responsive": True},
    )
    return html.replace("<head>", f"<head><title>{title}</title>", 1)


class _TorchPrinter(StrPrinter):
    """A formula as PyTorch code: torch.* functions, constants as float literals."""

    _NAMES: ClassVar[dict[str, str]] = {
        "softplus": "torch.nn.functional.softplus",
        "Abs": "torch.abs",
    }

    def _print(self, expr: Any, **kwargs: Any) -> str:
        exact = (sympy.Integer, sympy.Rational, sympy.Float)
        if isinstance(expr, sympy.Basic) and expr.is_number and not isinstance(expr, exact):
            return repr(float(expr))
        return super()._print(expr, **kwargs)

    def _print_Function(self, expr: sympy.Function) -> str:
        name = type(expr).__name__
        function = self._NAMES.get(name, f"torch.{name.lower()}")
        return f"{function}({', '.join(self._print(a) for a in expr.args)})"

    def _print_Pow(self, expr: sympy.Pow, rational: bool = False) -> str:
        if expr.exp == sympy.S.Half:
            return f"torch.sqrt({self._print(expr.base)})"
        if expr.exp == -sympy.S.Half:
            return f"1/torch.sqrt({self._print(expr.base)})"
        return super()._print_Pow(expr, rational)


def torch_formula(expr: sympy.Expr) -> str:
    """f(x, y) as a PyTorch expression of the tensors x and y.

    Example:
        >>> torch_formula(surface("ackley").expr)[:44]
        '-torch.exp(torch.cos(6.283185307179586*x)/2'
    """
    return _TorchPrinter().doprint(expr)


def pytorch_code(surface: Surface, settings: RunSettings, result: Trajectory) -> str:
    """A runnable PyTorch script that reproduces one run of the page, number for number."""
    name, steps = settings.optimizer, settings.steps
    info = OPTIMIZERS[name]
    x0, y0 = settings.start
    lines = [
        f'"""{info.title} on {surface.title}: {steps} steps from ({x0!r}, {y0!r}),',
        'as the gradient-descent playground ran them."""',
        "",
        *(["import numpy as np"] if settings.noise else []),
        "import torch",
        "",
        "torch.set_default_dtype(torch.float64)  # the page computes in float64",
        "",
        "",
        "def f(x, y):",
        f"    return {torch_formula(surface.expr)}",
        "",
        "",
        f"w = torch.tensor([{x0!r}, {y0!r}], requires_grad=True)",
    ]
    schedule = settings.schedule
    if name == "newton":
        lines.append("# PyTorch has no Newton optimiser: a dummy one only carries the schedule")
        lines.append(f"optimizer = torch.optim.SGD([torch.zeros(1)], lr={settings.lr!r})")
    else:
        args = torch_arguments(name, settings.lr, **settings.hp)
        text = ", ".join(f"{k}={v!r}" for k, v in args.items())
        lines.append(f"optimizer = torch.optim.{info.torch_class}([w], {text})")
    if schedule.torch_class is not None:
        text = ", ".join(f"{k}={v!r}" for k, v in schedule.torch_arguments().items())
        lines.append(
            f"scheduler = torch.optim.lr_scheduler.{schedule.torch_class}(optimizer, {text})"
        )
    if settings.noise:
        lines.append(
            f"noise = {settings.noise!r} * np.random.default_rng({settings.seed}).standard_normal("
            f"({steps}, 2))  # the page's gradient noise, σ = {number(settings.noise, 3)}"
        )
    lines += ["", f"for t in range({steps}):"]
    add_noise = ["    g = g + torch.from_numpy(noise[t])"] if settings.noise else []
    if name == "newton":
        damping = settings.hp["damping"]
        lines += [
            "    lr = optimizer.param_groups[0]['lr']",
            "    g = torch.autograd.grad(f(w[0], w[1]), w)[0]",
            *add_noise,
            "    H = torch.autograd.functional.hessian(lambda v: f(v[0], v[1]), w.detach())",
            f"    eigenvalues, V = torch.linalg.eigh(H + {damping!r} * torch.eye(2))",
            "    keep = eigenvalues.abs() > 1e-12 * eigenvalues.abs().max()  # pseudo-inverse",
            "    inverse = torch.where(keep, 1 / eigenvalues, torch.zeros_like(eigenvalues))",
            "    step = V @ (inverse * (g @ V))",
            "    with torch.no_grad():",
            "        w -= lr * step",
        ]
    else:
        lines += [
            "    optimizer.zero_grad()",
            "    f(w[0], w[1]).backward()",
        ]
        if settings.noise:
            lines.append("    w.grad += torch.from_numpy(noise[t])")
        lines.append("    optimizer.step()")
    if schedule.torch_class is not None:
        lines.append("    scheduler.step()")
    lines += [
        "    if not torch.isfinite(w).all() or w.abs().max() > 1e6:",
        "        print(f'diverged at step {t + 1}')",
        "        break",
        "",
        "print('ends at', w.tolist(), 'f =', f(w[0], w[1]).item())",
    ]
    end = result.points[-1]
    ending = f"diverged at step {result.diverged}; " if result.diverged else ""
    lines.append(
        f"# The page: {ending}ends at [{float(end[0])!r}, {float(end[1])!r}], "
        f"f = {float(result.losses[-1])!r}"
    )
    return "\n".join(lines) + "\n"


def markdown_table(rows: Sequence[Mapping[str, str]]) -> str:
    """Rows of text as a Markdown table (a few rows: cheaper than a dataframe, never cut off).

    Example:
        >>> print(markdown_table([{"a": "1", "b": "x|y"}]))
        | a | b |
        |:--|--:|
        | 1 | x\\|y |
    """
    if not rows:
        return ""
    names = list(rows[0])
    align = [":--", *["--:"] * (len(names) - 1)]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"

    return "\n".join(
        [line(names), "|" + "|".join(align) + "|", *(line([r[n] for n in names]) for r in rows)]
    )


def adaptive_note(name: str, hp: Mapping[str, Any]) -> str | None:
    """What limits an adaptive optimiser's step instead of a 2/λmax bound, or None."""
    if name in ("adam", "adamw"):
        return "no 2/λmax bound: Adam's steps stay about η long on each coordinate"
    if name == "rmsprop":
        first = 1 / math.sqrt(1 - hp["alpha"]) if hp["alpha"] < 1 else math.inf
        return (
            f"no 2/λmax bound: steps are about η long per coordinate, the first ones up to "
            f"1/√(1 − α) = {number(first, 3)} times η"
        )
    if name == "adagrad":
        return "no 2/λmax bound: steps start η long per coordinate and shrink as g² adds up"
    return None


def warm_next_kappa(
    state: MutableMapping[str, Any],
    kappa: float,
    settings: tuple[RunSettings, ...] = (),
    steps: int = 0,
) -> None:
    """Build the bowl one κ step further in the direction κ last moved: its map, and the runs
    and figure of these settings on it (when they carry no gradient noise, whose size
    depends on the surface).

    Called at the end of a run, after the chart has been sent: a new κ costs some 40 ms
    (SymPy builds and compiles the bowl, the map is drawn, the optimisers run), and arrow keys
    move κ one step at a time, so the next step is usually ready before it is asked for.
    """
    previous = float(state.get("gd.kappa_seen", kappa))
    state["gd.kappa_seen"] = kappa
    following = kappa + (1.0 if kappa >= previous else -1.0)
    if not 1.0 <= following <= 100.0:
        return
    key = SurfaceKey("bowl", kappa=following)
    map_base_of(key)
    if settings and steps and not any(s.noise for s in settings):
        figure_of(key, settings, steps)
        curvature(key, settings[0].start)
