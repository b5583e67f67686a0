"""Links to the Hessian page: any view reached by moving widgets opens again from its link (the
formula, the point and window, u, the Taylor models, Newton's settings, the open tab), and a
link's unusable values fall back to defaults without touching its good ones."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from calc_core.multivariate import NEWTON_FIXES
from tests.app.conftest import ok
from tests.app.links import link_params, open_link, view_of
from ui.curvature import ANGLE, VIEWS, radius_bounds
from ui.presets import HESSIAN_PRESETS
from ui.two_variables import point_step

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "hessian.py")
CRITICAL, NEWTON, TAYLOR = "Critical points", "Newton vs gradient descent", "Taylor models (3D)"
BOWL = HESSIAN_PRESETS["x² + 3y² (a bowl)"]
SADDLE = HESSIAN_PRESETS["x² − y² (a saddle, where gradient descent stalls)"]
ILL_BOWL = HESSIAN_PRESETS["x² + 25y² (an ill-conditioned bowl)"]
SENTINEL = Path(tempfile.gettempdir()) / "calculus-links-hessian-pwned"
LINKS = settings(  # LINK_EXAMPLES=100 for a deeper search by hand
    max_examples=int(os.environ.get("LINK_EXAMPLES", "5")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _on_steps(low: float, high: float, step: float, share: float) -> float:
    """The step `share` of the way from `low` to `high` (0: `low`)."""
    return round(low + step * round(share * int((high - low) / step + 1e-9)), 10)


def _move(
    at: AppTest,
    *,
    formula: str | None = None,
    window: tuple[tuple[float, float], tuple[float, float]] | None = None,
    point: tuple[float, float] | None = None,
    angle: float | None = None,
    study: str | None = None,
    radius_at: float | None = None,
    boxes: tuple[bool, bool] | None = None,
    lr: float | None = None,
    steps: int | None = None,
    fix: str | None = None,
    damping: float | None = None,
) -> AppTest:
    """Move the page's widgets as a learner would, in page order; `point` and `radius_at` give
    each value as a share of the way across its slider."""
    if formula is not None:
        ok(at.text_input(key="hess.f.text").input(formula).run())
    if window is not None:
        ok(at.slider(key="hess.x_range").set_value(window[0]).run())
        ok(at.slider(key="hess.y_range").set_value(window[1]).run())
    if point is not None:
        for axis, share in zip("xy", point, strict=True):
            low, high = at.session_state[f"hess.{axis}_range"]
            value = _on_steps(low, high, point_step((low, high)), share)
            ok(at.slider(key=f"hess.{axis}0").set_value(value).run())
    if angle is not None:
        ok(at.slider(key="hess.angle").set_value(angle).run())
    if study is not None:
        at.session_state["hess.study"] = study
        ok(at.run())
    if radius_at is not None:
        low, high, step = radius_bounds(
            at.session_state["hess.x_range"], at.session_state["hess.y_range"]
        )
        ok(at.slider(key="hess.radius").set_value(_on_steps(low, high, step, radius_at)).run())
    if boxes is not None:
        ok(at.checkbox(key="hess.first").set_value(boxes[0]).run())
        ok(at.checkbox(key="hess.second").set_value(boxes[1]).run())
    for key, value in (("hess.lr", lr), ("hess.steps", steps), ("hess.damping", damping)):
        if value is not None:
            ok(at.slider(key=key).set_value(value).run())
    if fix is not None:
        ok(at.selectbox(key="hess.fix").set_value(fix).run())
    return at


def _assert_link_reproduces(at: AppTest) -> AppTest:
    again = ok(open_link(PAGE, link_params(at)))
    assert view_of(again) == view_of(at)
    return again


def _hessian_at_point(at: AppTest) -> str:
    return next(latex.value for latex in at.latex if "H(x_0, y_0)" in latex.value)


@pytest.mark.parametrize(
    "moves",
    [
        # the point, the window, u, and Newton's every setting
        {
            "window": ((-2.0, 4.5), (-3.5, 1.0)),
            "point": (0.8, 0.2),
            "angle": 125.0,
            "study": NEWTON,
            "lr": 0.237,
            "steps": 12,
            "fix": "shift",
            "damping": 1.3,
        },
        # a typed formula, the Taylor models' reach and boxes
        {
            "formula": "x^3 - 3x*y^2",
            "point": (0.7, 0.35),
            "study": TAYLOR,
            "radius_at": 0.6,
            "boxes": (False, True),
        },
        # values Streamlit takes for a slider's own default: its left ends, a full window
        {
            "window": ((-10.0, 10.0), (-10.0, -9.5)),
            "point": (0.0, 0.0),
            "angle": 0.0,
            "study": NEWTON,
            "lr": 0.001,
            "steps": 1,
        },
        # a preset with its own view (and learning rate), the Taylor models at their nearest
        {"formula": HESSIAN_PRESETS["Rosenbrock"], "study": TAYLOR, "radius_at": 0.0},
        # a saddle, the critical points' tab, the point on a critical point
        {"formula": SADDLE, "point": (0.5, 0.5), "study": CRITICAL, "angle": 90.0},
    ],
    ids=["newton", "typed-taylor", "slider-ends", "rosenbrock", "saddle"],
)
def test_a_moved_view_opens_again_from_its_link(moves):
    """Widgets and every chart's revision are the same in a fresh session opened on the link."""
    _assert_link_reproduces(_move(ok(open_link(PAGE, {})), **moves))


@LINKS
@given(
    formula=st.sampled_from(list(HESSIAN_PRESETS.values())),
    ends=st.tuples(*[st.integers(-20, 20)] * 4).filter(lambda e: e[0] != e[1] and e[2] != e[3]),
    point=st.tuples(st.floats(0, 1), st.floats(0, 1)),
    angle=st.integers(0, 36).map(lambda k: 5.0 * k),
    study=st.sampled_from([CRITICAL, NEWTON, TAYLOR]),
    lr=st.integers(1, 500).map(lambda k: k / 1000),
    fix=st.sampled_from(NEWTON_FIXES),
)
def test_any_view_opens_again_from_its_link(formula, ends, point, angle, study, lr, fix):
    """Random presets, windows (ends on the sliders' steps), points, u, tabs and settings."""
    window = (
        tuple(sorted((0.5 * ends[0], 0.5 * ends[1]))),
        tuple(sorted((0.5 * ends[2], 0.5 * ends[3]))),
    )
    newton = {"lr": lr, "fix": fix} if study == NEWTON else {}
    at = _move(
        ok(open_link(PAGE, {})),
        formula=formula,
        window=window,
        point=point,
        angle=angle,
        study=study,
        **newton,
    )
    _assert_link_reproduces(at)


def test_the_default_view_needs_no_parameters():
    """An empty link is the first view, the same as the link of the first view."""
    first = ok(open_link(PAGE, {}))
    assert view_of(_assert_link_reproduces(first)) == view_of(first)
    assert (first.session_state["hess.x0"], first.session_state["hess.y0"]) == VIEWS[BOWL].point


def test_a_formula_in_a_link_opens_on_its_own_view():
    """A hand-written link with only a preset's formula opens on that preset's window, point
    and learning rate."""
    at = ok(open_link(PAGE, {"hess.f.text": ILL_BOWL, "hess.study": NEWTON}))
    view = VIEWS[ILL_BOWL]
    assert at.slider(key="hess.x_range").value == view.x_range
    assert (at.slider(key="hess.x0").value, at.slider(key="hess.y0").value) == view.point
    assert at.slider(key="hess.lr").value == view.lr


def test_after_a_link_a_preset_still_moves_the_point():
    """The URL still holds the link's point after the page opened: a preset whose window gives
    the point's sliders new ends must take its own point, not the link's."""
    at = ok(open_link(PAGE, {"hess.x0": "-1", "hess.y0": "0.5", "hess.study": NEWTON}))
    assert (at.session_state["hess.x0"], at.session_state["hess.y0"]) == (-1.0, 0.5)
    ok(at.button(key="hess.show_climb").click().run())
    climber = VIEWS[HESSIAN_PRESETS["x⁴ − 2x² + y⁴ − 2y² (plain Newton climbs to the hilltop)"]]
    assert (at.slider(key="hess.x0").value, at.slider(key="hess.y0").value) == climber.point
    assert at.slider(key="hess.lr").value == climber.lr
    with at.session_state._state.query_params() as params:  # the address bar, as last sent
        assert params._query_params.get("hess.x0") == ["0.3"]


# --- hostile and invalid links ----------------------------------------------------------------


def test_unusable_values_fall_back_to_defaults_and_good_ones_stay():
    """Not a number, out of range, not an option, a reversed window: each widget shows its
    default; the link's good settings (the formula, y₀, steps, damping, the tab) are applied."""
    at = ok(
        open_link(
            PAGE,
            {
                "hess.f.text": SADDLE,
                "hess.x0": "abc",
                "hess.y0": "-1.5",
                "hess.x_range": ["1.5", "-1.5"],
                "hess.y_range": ["-50", "60"],
                "hess.angle": "500",
                "hess.study": NEWTON,
                "hess.lr": "-1",
                "hess.steps": "7",
                "hess.fix": "magic",
                "hess.damping": "2.5",
            },
        )
    )
    view = VIEWS[SADDLE]
    assert at.slider(key="hess.x_range").value == view.x_range
    assert at.slider(key="hess.y_range").value == view.y_range
    assert (at.slider(key="hess.x0").value, at.slider(key="hess.y0").value) == (view.point[0], -1.5)
    assert at.slider(key="hess.angle").value == ANGLE
    assert at.slider(key="hess.lr").value == view.lr
    assert at.slider(key="hess.steps").value == 7
    assert at.selectbox(key="hess.fix").value == "none"
    assert at.slider(key="hess.damping").value == 2.5
    assert r"\begin{pmatrix} 2 & 0 \\ 0 & -2 \end{pmatrix}" in _hessian_at_point(at)


@pytest.mark.parametrize(
    ("formula", "rejected"),
    [
        (f"__import__('os').system('touch {SENTINEL}')", True),
        ("x*" * 2500 + "y", True),  # 5000 characters: the box keeps 200, which do not parse
        ("abs(x) + y^2", True),  # a kink: no second derivative there
        ("exp(exp(exp(exp(x))))", False),  # a formula: drawn, undefined where it overflows
    ],
    ids=["code", "5000-characters", "kink", "tower-of-exp"],
)
def test_a_bad_formula_in_a_link_shows_an_error_and_the_default_surface(formula, rejected):
    """The page runs; a rejected formula shows one short error and the default formula is
    drawn; the link's point and u are still applied."""
    SENTINEL.unlink(missing_ok=True)
    at = ok(open_link(PAGE, {"hess.f.text": formula, "hess.x0": "0.5", "hess.angle": "45"}))
    assert not SENTINEL.exists()
    assert len(at.text_input(key="hess.f.text").value) <= 200
    assert (at.session_state["hess.x0"], at.session_state["hess.angle"]) == (0.5, 45.0)
    if rejected:
        assert len(at.error) == 1 and len(at.error[0].value) < 300
        assert r"\begin{pmatrix} 2 & 0 \\ 0 & 6 \end{pmatrix}" in _hessian_at_point(at)
    else:
        assert not at.error
        assert any(r"f(x, y) = e^{e^{e^{e^{x}}}}" in x.value for x in at.latex)


@LINKS
@given(
    values=st.dictionaries(
        st.sampled_from(
            [
                "hess.f.text",
                "hess.x0",
                "hess.y0",
                "hess.x_range",
                "hess.y_range",
                "hess.angle",
                "hess.study",
                "hess.radius",
                "hess.first",
                "hess.second",
                "hess.lr",
                "hess.steps",
                "hess.fix",
                "hess.damping",
            ]
        ),
        st.lists(
            st.one_of(
                st.text(max_size=30),
                st.floats(allow_nan=True, allow_infinity=True).map(repr),
                st.sampled_from(["-10", "10", "0", "1e309", "true", TAYLOR, NEWTON, SADDLE]),
            ),
            min_size=1,
            max_size=3,
        ),
        max_size=6,
    )
)
def test_any_link_opens_without_an_exception(values):
    """Random parameters, values and repetitions: no exception, every slider within its ends."""
    at = ok(open_link(PAGE, values))
    for slider in at.slider:
        values = np.atleast_1d(slider.value)
        assert all(slider.min <= v <= slider.max for v in values), slider.key
