"""Gradient descent playground: optimisers racing down loss surfaces, played back step by step."""

from __future__ import annotations

from functools import partial
from typing import Any

import streamlit as st

from calc_core.expressions import ExpressionError
from calc_core.optimizers import OPTIMIZERS, SCHEDULES
from ui.descent import (
    CONTROLS,
    DEFAULT_FORMULA,
    LEARNING_RATE,
    MAX_STEPS,
    NOISE,
    SCHEDULE_CONTROLS,
    SCHEDULE_LABELS,
    SEED,
    SURFACE_LABELS,
    TYPED,
    TYPED_WINDOW,
    Control,
    RunSettings,
    SurfaceKey,
    adaptive_note,
    apply_map_event,
    apply_pending,
    curvature,
    divergence_note,
    figure_of,
    frame_index,
    gradient_scale,
    has_gaps,
    hyperparameters,
    init_state,
    insist,
    keep_in_window,
    keep_link,
    markdown_table,
    optimizers_changed,
    option_label,
    point_step,
    pytorch_code,
    reset_for_surface,
    restore_defaults,
    results_rows,
    run_of,
    schedule_from,
    settle,
    stability_bound,
    standalone_html,
    state_rows,
    surface_figure_of,
    surface_of,
    trajectories_csv,
    view_defaults,
    warm_next_kappa,
)
from ui.formula_input import formula_input
from ui.fragments import after_charts, rerun_only
from ui.links import BIND
from ui.live_chart import live_chart
from ui.presentation import explain
from ui.tabs import lazy_tabs
from viz.descent import OPTIMIZER_STYLES, SHORT_TITLES, figure_at_step, race_summary
from viz.format import number

XY = ("x", "y")
# Two fragments (ui/fragments.py): the playground (the surface, the start, the optimisers and
# the chart) and the details under the chart (each optimiser's settings, the results, the
# inspected step and the studies), which follow once the chart has painted a change, so that
# they never delay it. The details' widgets rerun the playground first, then the details.
PLAYGROUND, DETAILS = "gd.playground", "gd.details"
state = st.session_state
init_state(state)


def typed_key(text: str) -> SurfaceKey:
    """The key of a typed formula's surface over the window its sliders set."""
    x_range = tuple(float(v) for v in state.get("gd.x_range", TYPED_WINDOW))
    y_range = tuple(float(v) for v in state.get("gd.y_range", TYPED_WINDOW))
    if x_range[0] >= x_range[1] or y_range[0] >= y_range[1]:
        x_range = y_range = TYPED_WINDOW
    return SurfaceKey(TYPED, text=text, x_range=x_range, y_range=y_range)


def check_typed(text: str) -> None:
    """Reject (ExpressionError) a typed formula whose gradient and Hessian cannot be had."""
    surface_of(typed_key(text))


def surface_changed() -> None:
    """A new surface: its start, steps and learning rates (a widget callback)."""
    name = state["gd.surface"]
    if name == "bowl":
        key = SurfaceKey("bowl", kappa=float(state["gd.kappa"]))
    elif name == TYPED:
        key = typed_key(state.get("gd.f.last_good", DEFAULT_FORMULA))
    else:
        key = SurfaceKey(name)
    reset_for_surface(state, surface_of(key), name)
    rerun_only(PLAYGROUND, DETAILS)  # the settings under the chart hold new values too


def map_event(key: SurfaceKey) -> None:
    """A click on the map or the chart's own step slider (the chart's callback)."""
    apply_map_event(state, state.get("gd.map"), surface_of(key))
    rerun_only(PLAYGROUND, DETAILS)  # the inspected step's slider is under the chart


def picked(defaults: dict[str, Any]) -> None:
    """The optimisers picked changed (the pills' callback): new ones start from their defaults,
    whose widgets are under the chart."""
    optimizers_changed(state, defaults)
    rerun_only(PLAYGROUND, DETAILS)


def swatch(name: str) -> str:
    """The optimiser's line and marker colour as a coloured mark (ink follows the text)."""
    color = OPTIMIZER_STYLES[name].color
    css = "inherit" if color == "#000000" else color
    return f'<span style="color:{css};font-size:1.2em">━━●</span>'


def setting(control: Control, key: str, default: Any) -> None:
    """One setting's widget, bound to the URL, `default` its own default (what a link omits).

    Every setting changes the runs: it reruns the playground (the chart) and then the details
    (a change the chart does not show, a seed without noise, still reaches the export)."""
    rerun = {"on_change": rerun_only, "args": (PLAYGROUND, DETAILS)}
    if control.toggle:
        st.toggle(control.label, default, key=key, help=control.help, bind=BIND, **rerun)
    elif control.options is not None:
        st.select_slider(
            control.label, control.options, value=default, key=key, format_func=option_label,
            help=control.help, bind=BIND, **rerun,
        )  # fmt: skip
    else:
        st.slider(
            control.label, control.low, control.high, value=default, step=control.step, key=key,
            help=control.help, bind=BIND, **rerun,
        )  # fmt: skip


def noise_sigma(key: SurfaceKey) -> float:
    """The gradient noise's σ: the noise slider times the typical |∇f| on this surface."""
    return float(f"{state['gd.noise'] * gradient_scale(key):.4g}")


def run_settings(key: SurfaceKey, chosen: list[str]) -> tuple[RunSettings, ...]:
    """What each chosen optimiser's run depends on, as the widgets' state says now."""
    start = (float(state["gd.x0"]), float(state["gd.y0"]))
    steps = int(state["gd.steps"])
    schedule = schedule_from(state)
    sigma = noise_sigma(key)
    seed = int(state["gd.seed"])
    return tuple(
        RunSettings(opt, float(state[f"gd.{opt}.lr"]),
                    tuple(sorted(hyperparameters(state, opt).items())), start, steps, schedule,
                    sigma, seed)
        for opt in chosen
    )  # fmt: skip


st.title("Gradient descent playground")
explain(
    "Training a network means adjusting its weights to make the loss smaller. Here the "
    "weights are two numbers (x, y) and the loss is a surface f(x, y): each optimiser starts "
    "at the same point, reads the gradient ∇f, and steps downhill by its own rule. Press "
    "**▶ Play** under the map to watch them race, click the map to start elsewhere, and "
    "change a learning rate to see it settle, crawl or blow up."
)

# The surface, start and optimisers in two compact rows; the chart right under them; each
# optimiser's learning rate and settings under the chart. The chart is drawn as soon as the
# runs are known (before the optimisers' cards), so a slider move paints it first.


@st.fragment(key=PLAYGROUND)
def playground() -> None:
    """The controls and the chart: they rerun only this part of the page (the title and the
    text above stay as they are, in the browser too)."""
    # A fragment rerun skips the page's top: widget keys a full run set are set again here (a
    # widget not drawn in the last full run, say in a closed tab, lost its key at its end).
    init_state(state)
    applied = apply_pending(state)
    # --- the loss surface, the start, the steps ---------------------------------------------
    row = st.columns([3, 2, 2, 2, 2], vertical_alignment="bottom")
    row[0].selectbox(
        "Loss surface",
        list(SURFACE_LABELS),
        format_func=SURFACE_LABELS.get,
        key="gd.surface",
        on_change=surface_changed,
        bind=BIND,
    )
    name = state["gd.surface"]
    if name == "bowl":
        row[1].slider(
            "condition number κ",
            min_value=1.0,
            max_value=100.0,
            step=1.0,
            value=10.0,
            key="gd.kappa",
            bind=BIND,
            help="f = (x² + κy²)/2: curvature 1 along x and κ along y. Gradient descent is stable "
            "for η < 2/κ, and zig-zags more as κ grows.",
        )
        key = SurfaceKey("bowl", kappa=float(state["gd.kappa"]))
    elif name == TYPED:
        with row[1].popover("window", icon=":material/crop_free:", width="stretch"):
            for axis in ("x", "y"):
                st.slider(
                    f"{axis} range",
                    min_value=-10.0,
                    max_value=10.0,
                    step=0.5,
                    value=TYPED_WINDOW,
                    key=f"gd.{axis}_range",
                    bind=BIND,
                )
        formula = formula_input(
            "gd.f", default=DEFAULT_FORMULA, variables=XY, name="f(x, y)", check=check_typed
        )
        key = typed_key(formula.text)
        try:
            surface_of(key)
        except (ExpressionError, ValueError) as error:  # a window that breaks the formula
            st.error(str(error), icon=":material/error:")
            key = typed_key(state["gd.f.last_good"])
    else:
        key = SurfaceKey(name)
    surface = surface_of(key)
    defaults = view_defaults(name, surface)  # each widget's own default: what a link omits
    restore_defaults(state, defaults)
    keep_in_window(state, surface)
    # The start sliders' ends are the surface's window: a new surface makes them new widgets,
    # which Streamlit seeds from the URL (the old surface's start). `insist` keeps these.
    intended = {k: state[k] for k in ("gd.x0", "gd.y0", "gd.steps")}
    row[2].slider(
        "start x₀",
        min_value=surface.x_range[0],
        max_value=surface.x_range[1],
        step=point_step(surface.x_range),
        value=defaults["gd.x0"],
        key="gd.x0",
        bind=BIND,
    )
    row[3].slider(
        "start y₀",
        min_value=surface.y_range[0],
        max_value=surface.y_range[1],
        step=point_step(surface.y_range),
        value=defaults["gd.y0"],
        key="gd.y0",
        bind=BIND,
        help="Or click on the contour map to start there.",
    )
    row[4].slider(
        "steps",
        min_value=10,
        max_value=MAX_STEPS,
        step=10,
        value=defaults["gd.steps"],
        key="gd.steps",
        bind=BIND,
        on_change=rerun_only,  # fewer steps can move the inspected step, under the chart
        args=(PLAYGROUND, DETAILS),
    )
    insist(state, intended, applied)
    keep_link(state, ("gd.x0", "gd.y0"), defaults, (surface.x_range, surface.y_range))
    pick = st.columns([2, 1], vertical_alignment="bottom")
    pick[0].pills(
        "Optimisers to compare",
        list(OPTIMIZERS),
        selection_mode="multi",
        format_func=SHORT_TITLES.get,
        default=defaults["gd.optimizers"],
        key="gd.optimizers",
        bind=BIND,
        on_change=partial(picked, defaults),
    )
    if name != TYPED:
        st.latex(f"f(x, y) = {surface.latex}")

    steps = int(state["gd.steps"])
    chosen = [n for n in OPTIMIZERS if n in (state["gd.optimizers"] or ())]
    state["gd.chosen"] = chosen
    settings_key = settings = run_settings(key, chosen)
    runs = [run_of(key, s) for s in settings]

    # --- the run ---------------------------------------------------------------------------------

    if runs:
        figure = figure_of(key, settings_key, steps)
        step = int(state["gd.step"])
        index = frame_index(steps, step)
        live_chart(
            figure if index is not None else figure_at_step(figure, surface, runs, step, steps),
            frame=index,
            key="gd.map",
            height=600,
            filename="gradient-descent",
            clicks=True,
            on_change=partial(map_event, key),
            summary=race_summary(surface, runs, step, steps),
        )
    else:
        st.caption(surface.note)
        st.info("Pick at least one optimiser above.", icon=":material/info:")

    with pick[1].expander("Learning-rate schedule and gradient noise", icon=":material/tune:"):
        st.selectbox(
            "schedule",
            list(SCHEDULES),
            format_func=SCHEDULE_LABELS.get,
            key="gd.schedule",
            bind=BIND,
            on_change=rerun_only,
            args=(PLAYGROUND, DETAILS),
        )
        for control in SCHEDULE_CONTROLS.get(state["gd.schedule"], ()):
            setting(control, f"gd.{control.param}", defaults[f"gd.{control.param}"])
        if state["gd.schedule"] == "cosine":
            st.caption("η falls from its value to 0 along a half cosine over all the steps.")
        setting(NOISE, "gd.noise", 0.0)
        st.number_input(
            SEED.label, min_value=0, max_value=10_000, value=0, step=1, key="gd.seed", bind=BIND,
            on_change=rerun_only, args=(PLAYGROUND, DETAILS),
        )  # fmt: skip
    # What the details read back (they run after this, in the same run or once the chart has
    # painted): the surface's key, the runs' settings and the values this run set first.
    state["gd.key"] = key
    state["gd.settings"] = settings_key
    state["gd.applied"] = applied
    if name == "bowl":
        warm_next_kappa(state, float(state["gd.kappa"]), settings_key, steps)


@st.fragment(key=DETAILS)
def details() -> None:
    """Under the chart: each optimiser's settings, the results, the inspected step, the studies
    (they follow the chart; ui/fragments.py)."""
    after_charts(("gd.map",), key="gd.after")
    if "gd.key" not in state:  # the playground has not run in this session yet
        return
    key, settings_key, applied = state["gd.key"], state["gd.settings"], state["gd.applied"]
    name = state["gd.surface"]
    surface = surface_of(key)
    defaults = view_defaults(name, surface)
    steps = int(state["gd.steps"])
    chosen = list(state["gd.chosen"])
    settings = settings_key
    sigma = noise_sigma(key)
    curv = curvature(key, (float(state["gd.x0"]), float(state["gd.y0"])))
    hps = {s.optimizer: s.hp for s in settings}
    bounds = {opt: stability_bound(*curv, opt, hp) if curv else None for opt, hp in hps.items()}
    runs = [run_of(key, s) for s in settings]
    figure = figure_of(key, settings_key, steps) if runs else None

    if runs:
        st.caption(
            f"{surface.note} Shaded bands: log-spaced levels of f, darker = lower; ★ known "
            "minima; ○ the start. Each marker's solid arrow is the step it takes next (its "
            "state turned into a move); the dotted one is −∇f, the steepest way down, as long "
            "as that step. Click the map to start there; drag on it to zoom."
        )
        if has_gaps(key):
            st.caption(
                "f is undefined, or infinite, on part of this window: those places are left blank."
            )

    # --- the optimisers' settings -----------------------------------------------------------------

    for first in range(0, len(chosen), 4):
        for column, opt in zip(st.columns(4), chosen[first : first + 4], strict=False):
            info = OPTIMIZERS[opt]
            hp, bound = hps[opt], bounds[opt]
            with column.container(border=True):
                torch_name = (
                    f"torch.optim.{info.torch_class}" if info.torch_class else "no torch class"
                )
                st.markdown(
                    f"{swatch(opt)} **{info.title}** <small>({torch_name})</small>",
                    unsafe_allow_html=True,
                )
                setting(LEARNING_RATE, f"gd.{opt}.lr", defaults[f"gd.{opt}.lr"])
                lr = float(state[f"gd.{opt}.lr"])
                if bound is not None:
                    ok = lr < bound.lr
                    mark = "✓" if ok else "⚠"
                    text = (
                        f"{mark} stable {bound.where} for η < {bound.formula} = "
                        f"{number(bound.lr, 2)}"
                    )
                    if ok:
                        st.caption(text)
                    else:
                        st.markdown(f":red[{text}: η = {number(lr, 3)} is too large]")
                elif (note := adaptive_note(opt, hp)) is not None:
                    st.caption(note)
                with st.expander("settings"):
                    for control in CONTROLS[opt]:
                        widget_key = f"gd.{opt}.{control.param}"
                        setting(control, widget_key, defaults[widget_key])
    # The runs were computed before the widgets above were drawn. `init_state` read a link's
    # values for them first; should a widget have read one otherwise, run once more, so that
    # the chart shows what the widgets say.
    settle(state, settings_key, run_settings(key, chosen), applied)
    if sigma:
        st.caption(f"Gradient noise: σ = {number(sigma, 3)} on each coordinate of every gradient.")

    notes = [
        divergence_note(run, bounds.get(run.optimizer), surface)
        for run in runs
        if run.diverged is not None
    ]
    for note in dict.fromkeys(notes):  # one sentence shared by several runs is shown once
        st.error(note, icon=":material/error:")
    if runs:
        st.markdown(markdown_table(results_rows(surface, runs)))
        # Outside the tabs, so that a link keeps the step whichever tab is open. Its end is the
        # steps: when they change, it is a new widget that the URL would seed (`insist`).
        intended = {"gd.step": state["gd.step"]}
        st.slider(
            "inspect step t (the chart's own slider sets it too)",
            min_value=0,
            max_value=steps,
            value=0,
            key="gd.step",
            bind=BIND,
            on_change=rerun_only,
            args=(PLAYGROUND, DETAILS),
        )
        insist(state, intended, applied)
        keep_link(state, ("gd.step",), defaults, steps)

    def rules_and_state() -> None:
        """Each optimiser's update rule and what it holds at the inspected step."""
        t = int(state["gd.step"])
        columns = st.columns(min(len(runs), 3) or 1)
        for i, run in enumerate(runs):
            info = OPTIMIZERS[run.optimizer]
            with columns[i % len(columns)]:
                st.markdown(f"{swatch(run.optimizer)} **{info.title}**", unsafe_allow_html=True)
                st.latex(r"\\ ".join(info.update))
                st.markdown(markdown_table(state_rows(run, t)))
        st.caption(
            "Each table: where the optimiser stands at step t (xₜ), the learning rate η and the "
            "gradient g of its next step, the state it holds after that step (PyTorch's "
            "momentum_buffer, sum, square_avg, exp_avg and exp_avg_sq), what that state makes of η "
            "along x and along y, and the step itself: the solid arrow on the map."
        )

    def on_the_surface() -> None:
        """The paths on the 3D surface, with the positions at the inspected step."""
        explain(
            "The same paths on the surface z = f(x, y), with each optimiser where it is at the "
            "inspected step t. Drag to turn the surface; the view stays as you leave it."
        )
        t = int(state["gd.step"])
        live_chart(
            surface_figure_of(key, settings_key, t),
            key="gd.surface3d",
            height=600,
            filename="gradient-descent-3d",
            follows=True,
            summary=race_summary(surface, runs, t, steps, view="3d"),
        )
        st.caption(
            "Colours follow the same log-spaced levels as the map; walls above the 95th percentile "
            "of f are cut flat so the valleys stay visible."
        )

    def export() -> None:
        """The runs as CSV, the animated figure as HTML, and PyTorch code for one run."""
        buttons = st.columns(2)
        buttons[0].download_button(
            "Trajectories (CSV)",
            trajectories_csv(surface, runs),
            file_name="trajectories.csv",
            mime="text/csv",
            key="gd.csv",
            on_click="ignore",
            icon=":material/table:",
        )
        buttons[1].download_button(
            "Animated figure (HTML)",
            lambda: standalone_html(figure, f"Gradient descent on {surface.title}"),
            file_name="gradient-descent.html",
            mime="text/html",
            key="gd.html",
            on_click="ignore",
            icon=":material/animation:",
        )
        st.caption(
            "The HTML file holds plotly.js itself (about 5 MB): it plays offline, in any browser."
        )
        st.selectbox(
            "PyTorch code that reproduces the run of",
            [s.optimizer for s in settings],
            format_func=lambda n: OPTIMIZERS[n].title,
            key="gd.export_run",
            bind=BIND,
        )
        picked = next(
            (i for i, s in enumerate(settings) if s.optimizer == state["gd.export_run"]), 0
        )
        st.code(pytorch_code(surface, settings[picked], runs[picked]), language="python")

    if runs:
        STUDIES = {
            "Update rules and state at step t": rules_and_state,
            "On the surface (3D)": on_the_surface,
            "Export": export,
        }
        lazy_tabs(STUDIES, key="gd.study")


playground()
details()
