"""Links to the Jacobian page: any view reached by moving widgets opens again from its link (both
kinds of map, typed formulas, the layer's weights), and a link's unusable values fall back to
defaults without touching its good ones."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from tests.app.conftest import ok
from tests.app.links import link_params, open_link, view_of
from ui.maps import KINDS, LAYER, LAYER_KEYS, PLANE, SURFACE, layer_formulas, presets_of
from ui.presets import JACOBIAN_PRESETS
from ui.two_variables import point_step

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "jacobian.py")
STUDIES = (
    "Forward and reverse mode",
    "Square → parallelogram (close-up)",
    "det J: area and orientation",
)
POLAR = "Polar → Cartesian (x = r, y = θ)"
Z_SQUARED = "z ↦ z² as (x² − y², 2xy)"
SPHERE = "Sphere patch (x = longitude φ, y = polar angle θ)"
SENTINEL = Path(tempfile.gettempdir()) / "calculus-links-jacobian-pwned"
LINKS = settings(  # LINK_EXAMPLES=100 for a deeper search by hand
    max_examples=int(os.environ.get("LINK_EXAMPLES", "5")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _point_at(at: AppTest, axis: str, share: float) -> float:
    """The step of the point's slider `share` of the way across the window (0: its left end)."""
    low, high = at.session_state[f"jac.{axis}_range"]
    step = point_step((low, high))
    return round(low + step * round(share * int((high - low) / step + 1e-9)), 10)


def _move(
    at: AppTest,
    *,
    kind: str | None = None,
    preset: str | None = None,
    formulas: tuple[str, ...] = (),
    weights: dict[str, float] | None = None,
    window: tuple[tuple[float, float], tuple[float, float]] | None = None,
    point: tuple[float, float] | None = None,
    shape: str | None = None,
    size: float | None = None,
    angles: tuple[float, float] | None = None,
    study: str | None = None,
) -> AppTest:
    """Move the page's widgets as a learner would, in page order; `point` gives each of x₀ and
    y₀ as a share of the way across the window."""
    if kind is not None:
        ok(at.radio(key="jac.kind").set_value(kind).run())
    kind = at.session_state["jac.kind"]
    if preset is not None:
        ok(at.selectbox(key=f"jac.{kind}_preset").set_value(preset).run())
    boxes = ("f1", "f2") if kind == PLANE else ("g1", "g2", "g3")
    for box, text in zip(boxes, formulas, strict=False):
        ok(at.text_input(key=f"jac.{box}.text").input(text).run())
    for key, value in (weights or {}).items():
        ok(at.slider(key=key).set_value(value).run())
    if window is not None:
        ok(at.slider(key="jac.x_range").set_value(window[0]).run())
        ok(at.slider(key="jac.y_range").set_value(window[1]).run())
    if point is not None:
        ok(at.slider(key="jac.x0").set_value(_point_at(at, "x", point[0])).run())
        ok(at.slider(key="jac.y0").set_value(_point_at(at, "y", point[1])).run())
    if shape is not None:
        ok(at.radio(key="jac.shape").set_value(shape).run())
    if size is not None:
        ok(at.slider(key="jac.size").set_value(size).run())
    if angles is not None:
        ok(at.slider(key="jac.v_angle").set_value(angles[0]).run())
        if kind == PLANE:
            ok(at.slider(key="jac.w_angle").set_value(angles[1]).run())
    if study is not None:
        at.session_state["jac.study"] = study
        ok(at.run())
    return at


def _assert_link_reproduces(at: AppTest) -> AppTest:
    again = ok(open_link(PAGE, link_params(at)))
    assert view_of(again) == view_of(at)
    return again


def _address_bar(at: AppTest, *keys: str) -> dict[str, object]:
    """What the session last wrote to the browser's address bar for these keys (Streamlit's
    own copy of it: AppTest's `query_params` are only what the test sends)."""
    with at.session_state._state.query_params() as params:
        return {key: params._query_params.get(key) for key in keys}


def _jacobian_latex(at: AppTest) -> str:
    return next(latex.value for latex in at.latex if "J(" in latex.value)


@pytest.mark.parametrize(
    "moves",
    [
        # every widget of a plane map away from its default, and the last tab
        {
            "preset": Z_SQUARED,
            "window": ((-1.5, 2.5), (-2.0, 1.0)),
            "point": (0.8, 0.3),
            "shape": "circle",
            "size": 0.55,
            "angles": (215.0, 300.0),
            "study": STUDIES[2],
        },
        # typed formulas, the close-up tab
        {
            "formulas": ("x^3 - y", "sin(x*y)"),
            "point": (0.25, 0.75),
            "size": 0.12,
            "study": STUDIES[1],
        },
        # values Streamlit takes for a slider's own default: its left ends, a full window
        {
            "window": ((-10.0, 10.0), (-10.0, -9.5)),
            "point": (0.0, 0.0),
            "size": 0.01,
            "angles": (0.0, 0.0),
        },
        # the network layer, its weights at their ends and in between
        {
            "preset": LAYER,
            "weights": {"jac.w11": -3.0, "jac.w22": 2.4, "jac.b1": 2.0, "jac.b2": -0.3},
            "point": (0.1, 0.9),
            "study": STUDIES[2],
        },
        # a surface patch: a preset, its point and window, the small shape
        {
            "kind": SURFACE,
            "preset": SPHERE,
            "window": ((-2.5, 1.5), (0.5, 3.0)),
            "point": (0.6, 0.2),
            "shape": "circle",
            "size": 0.8,
            "angles": (95.0, 0.0),
            "study": STUDIES[1],
        },
        # a surface patch typed by hand
        {"kind": SURFACE, "formulas": ("x", "y", "x*y^2"), "point": (1.0, 0.5)},
    ],
    ids=["plane-everything", "typed", "slider-ends", "layer", "surface-preset", "surface-typed"],
)
def test_a_moved_view_opens_again_from_its_link(moves):
    """Widgets and every chart's revision are the same in a fresh session opened on the link."""
    _assert_link_reproduces(_move(ok(open_link(PAGE, {})), **moves))


@LINKS
@given(
    kind=st.sampled_from(list(KINDS)),
    preset_at=st.floats(0, 1),
    ends=st.tuples(*[st.integers(-20, 20)] * 4).filter(lambda e: e[0] != e[1] and e[2] != e[3]),
    point=st.tuples(st.floats(0, 1), st.floats(0, 1)),
    shape=st.sampled_from(["square", "circle"]),
    size=st.integers(1, 100).map(lambda k: k / 100),
    angles=st.tuples(st.integers(0, 72), st.integers(0, 72)).map(
        lambda a: (5.0 * a[0], 5.0 * a[1])
    ),
    study=st.sampled_from(STUDIES),
)
def test_any_view_opens_again_from_its_link(
    kind, preset_at, ends, point, shape, size, angles, study
):
    """Random kinds, presets, windows (ends on the sliders' steps), points, shapes and tabs."""
    names = list(presets_of(kind))
    window = (
        tuple(sorted((0.5 * ends[0], 0.5 * ends[1]))),
        tuple(sorted((0.5 * ends[2], 0.5 * ends[3]))),
    )
    at = _move(
        ok(open_link(PAGE, {})),
        kind=kind,
        preset=names[round(preset_at * (len(names) - 1))],
        window=window,
        point=point,
        shape=shape,
        size=size,
        angles=angles,
        study=study,
    )
    _assert_link_reproduces(at)


def test_the_default_view_needs_no_parameters():
    """An empty link is the first view, the same as the link of the first view."""
    first = ok(open_link(PAGE, {}))
    assert view_of(_assert_link_reproduces(first)) == view_of(first)
    assert first.session_state["jac.x0"] == JACOBIAN_PRESETS[POLAR]["point"][0]


def test_a_preset_in_a_link_fills_its_formulas_and_view():
    """A hand-written link naming a preset (and a weight of the layer) draws that preset's map,
    with its own window and point."""
    at = ok(open_link(PAGE, {"jac.plane_preset": Z_SQUARED}))
    assert (at.session_state["jac.x0"], at.session_state["jac.y0"]) == (1.0, 1.0)
    assert r"\begin{bmatrix} 2 & -2 \\ 2 & 2 \end{bmatrix}" in _jacobian_latex(at)
    layer = ok(open_link(PAGE, {"jac.plane_preset": LAYER, "jac.w11": "-2"}))
    weights = (-2.0, *JACOBIAN_PRESETS[LAYER]["layer"][1:])
    assert layer.session_state["jac.f1.text"] == layer_formulas(weights)[0]
    assert layer.selectbox(key="jac.plane_preset").value == LAYER


def test_after_a_link_a_preset_still_moves_the_point():
    """The URL still holds the link's point after the page opened: a preset that moves the
    window (so the point's sliders are new widgets) must take its own point, not the link's."""
    at = ok(open_link(PAGE, {"jac.x0": "0.7", "jac.y0": "0.4", "jac.x_range": ["0.5", "2.5"]}))
    assert (at.session_state["jac.x0"], at.session_state["jac.y0"]) == (0.7, 0.4)
    ok(at.selectbox(key="jac.plane_preset").set_value(Z_SQUARED).run())
    assert (at.slider(key="jac.x0").value, at.slider(key="jac.y0").value) == (1.0, 1.0)
    assert _address_bar(at, "jac.x0", "jac.y0") == {"jac.x0": ["1"], "jac.y0": ["1"]}
    ok(at.slider(key="jac.x_range").set_value((-1.0, 1.5)).run())
    assert at.slider(key="jac.x0").value == 1.0
    ok(at.radio(key="jac.kind").set_value(SURFACE).run())
    expected = JACOBIAN_PRESETS[next(iter(presets_of(SURFACE)))]["point"]
    assert (at.slider(key="jac.x0").value, at.slider(key="jac.y0").value) == expected


# --- hostile and invalid links ----------------------------------------------------------------


def test_unusable_values_fall_back_to_defaults_and_good_ones_stay():
    """Not a number, out of range, not an option, a reversed window: each widget shows its
    default; the link's good settings (the preset, the size, w, the tab) are applied."""
    at = ok(
        open_link(
            PAGE,
            {
                "jac.kind": "R⁴ → R⁴",
                "jac.plane_preset": Z_SQUARED,
                "jac.x0": "abc",
                "jac.y0": "99",
                "jac.x_range": ["1.5", "-1.5"],
                "jac.y_range": ["-50", "60"],
                "jac.shape": "triangle",
                "jac.size": "0.7",
                "jac.v_angle": "nan",
                "jac.w_angle": "120",
                "jac.study": STUDIES[2],
                "jac.w11": "inf",
            },
        )
    )
    assert at.radio(key="jac.kind").value == PLANE
    assert at.selectbox(key="jac.plane_preset").value == Z_SQUARED
    preset = JACOBIAN_PRESETS[Z_SQUARED]
    assert at.slider(key="jac.x_range").value == preset["window"][0]
    assert at.slider(key="jac.y_range").value == preset["window"][1]
    assert (at.slider(key="jac.x0").value, at.slider(key="jac.y0").value) == preset["point"]
    assert at.radio(key="jac.shape").value == "square"
    assert at.slider(key="jac.size").value == 0.7
    assert at.slider(key="jac.v_angle").value == 30.0
    assert at.slider(key="jac.w_angle").value == 120.0
    assert at.session_state["jac.study"] == STUDIES[2]
    assert r"\begin{bmatrix} 2 & -2 \\ 2 & 2 \end{bmatrix}" in _jacobian_latex(at)


@pytest.mark.parametrize(
    ("formula", "rejected"),
    [
        (f"__import__('os').system('touch {SENTINEL}')", True),
        ("x*" * 2500 + "y", True),  # 5000 characters: the box keeps 200, which do not parse
        ("exp(exp(exp(exp(x))))", False),  # a formula: drawn, undefined where it overflows
    ],
    ids=["code", "5000-characters", "tower-of-exp"],
)
def test_a_bad_formula_in_a_link_shows_an_error_and_the_default_map(formula, rejected):
    """The page runs; a rejected formula shows one short error and the default map is drawn;
    the link's point is still applied."""
    SENTINEL.unlink(missing_ok=True)
    at = ok(open_link(PAGE, {"jac.f1.text": formula, "jac.x0": "1.5", "jac.y0": "-1"}))
    assert not SENTINEL.exists()
    assert (at.session_state["jac.x0"], at.session_state["jac.y0"]) == (1.5, -1.0)
    assert len(at.text_input(key="jac.f1.text").value) <= 200
    latex = " ".join(x.value for x in at.latex)
    if rejected:
        assert len(at.error) == 1 and len(at.error[0].value) < 300
        assert r"F_1(x, y) = x \cos{\left(y \right)}" in latex
    else:
        assert not at.error and r"e^{e^{e^{e^{x}}}}" in latex


@LINKS
@given(
    values=st.dictionaries(
        st.sampled_from(
            [
                "jac.kind",
                "jac.plane_preset",
                "jac.surface_preset",
                "jac.f1.text",
                "jac.f2.text",
                "jac.x0",
                "jac.y0",
                "jac.x_range",
                "jac.y_range",
                "jac.shape",
                "jac.size",
                "jac.v_angle",
                "jac.w_angle",
                "jac.study",
                *LAYER_KEYS,
            ]
        ),
        st.lists(
            st.one_of(
                st.text(max_size=30),
                st.floats(allow_nan=True, allow_infinity=True).map(repr),
                st.sampled_from(["-10", "10", "0", "1e309", "3", "-3", LAYER, SPHERE]),
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
