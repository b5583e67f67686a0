"""The Jacobian: a map's local linear picture, its area scale det J, and the JVP and VJP that
forward-mode and reverse-mode autodiff compute."""

from __future__ import annotations

import numpy as np
import streamlit as st

from calc_core.expressions import to_latex
from calc_core.multivariate import jvp, vjp
from ui.formula_input import CUSTOM, formula_input
from ui.links import BIND
from ui.live_chart import live_chart
from ui.maps import (
    BOXES,
    KINDS,
    LAYER,
    LAYER_KEYS,
    LAYER_REACH,
    PLANE,
    POINT_CONTROLS,
    PRESET_KEYS,
    SHAPES,
    VIEW_KEYS,
    area_scale_formula,
    covector_curve,
    hold_view,
    init_state,
    init_view,
    input_part,
    jacobian_latex,
    opening_view,
    output_part,
    point_view,
    presets_of,
    shrinking,
    sync_preset,
    use_layer,
    use_preset,
)
from ui.presentation import explain
from ui.presets import JACOBIAN_PRESETS
from ui.tabs import lazy_tabs
from ui.two_variables import XY, check_partials, point_sliders, window_sliders
from viz.format import number
from viz.jacobian import (
    arrow,
    arrow_scales,
    box_span,
    closeup_figure,
    closeup_summary,
    input_figure,
    input_summary,
    output_figure,
    output_summary,
    plane_span,
    surface_figure,
    surface_summary,
)

SUBSCRIPTS = "₁₂₃"
PRESET_NOTES = {
    "Polar → Cartesian (x = r, y = θ)": "Here **x plays the radius r and y the angle θ** (in "
    "radians): F(r, θ) = (r cos θ, r sin θ) turns the (r, θ) rectangle into a disc. "
    "det J = r: a small square far from the centre is stretched more.",
    "z ↦ z² as (x² − y², 2xy)": "Squaring the complex number z = x + iy: (x + iy)² = "
    "(x² − y²) + i·2xy. J is a rotation times a stretch at every point, so small squares stay "
    "square; det J = 4(x² + y²) = |2z|², zero only at the origin.",
    "Rotation and shear (linear)": "A linear map (a shear, then a rotation by 0.5 rad): J is the "
    "same matrix everywhere, the grid stays straight, and det J = 1, so areas are kept.",
    LAYER: "One layer of a neural network with two inputs and two neurons: "
    "**F(x) = tanh(W·x + b)** with x = (x, y). Its Jacobian is **diag(1 − tanh²(W·x + b)) · W**: "
    "the weights, each row damped where its neuron saturates. Move the weights below.",
    "A fold: (x, y³ + x·y)": "det J = 3y² + x changes sign on the dashed curve x = −3y²: on "
    "one side F keeps the plane's orientation, on the other it turns it over (blue).",
    "Paraboloid patch (x, y, x² + y²)": "The graph of x² + y² as a map into space: small "
    "squares tilt and grow by √(1 + 4x² + 4y²) as the bowl gets steeper.",
    "Sphere patch (x = longitude φ, y = polar angle θ)": "Here **x plays the longitude φ and "
    "y the angle θ from the north pole**: the area scale is sin θ, so squares near the poles "
    "shrink to nothing.",
    "Saddle patch (x, y, x² − y²)": "The graph of x² − y²: the area scale √(1 + 4x² + 4y²) is "
    "the same as the bowl's, although the surface curves the other way across.",
}


def _latex_number(value: float) -> str:
    return number(float(value)).replace("−", "-").replace("undefined", r"\text{undefined}")


def _matrix(rows: list[list[str]]) -> str:
    body = r" \\ ".join(" & ".join(row) for row in rows)
    return rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"


def _vector(values: np.ndarray) -> str:
    """A short vector for a metric: 3 significant digits (a metric's line is short)."""
    return "(" + ", ".join(number(float(v), 3) for v in values) + ")"


def _column(values: np.ndarray) -> str:
    return _matrix([[_latex_number(v)] for v in values])


# --- the map ------------------------------------------------------------------------------------

init_state()
state = st.session_state

st.title("The Jacobian: a map's local linear picture")
explain(
    "A map **F** moves every point (x, y) of the plane somewhere else. Zoom in far enough on "
    "any point p and F looks **linear**: a tiny square becomes a parallelogram. That linear "
    "map is the **Jacobian J**, the matrix of all partial derivatives ∂Fᵢ/∂xⱼ: its columns are "
    "where a small step along x and along y go, and **det J** is how much areas grow (its sign "
    "says whether the plane is flipped). Deep learning uses it all the time: a network layer "
    "is such a map, and backpropagation multiplies by its Jacobian."
)

kind = st.radio(
    "The map", list(KINDS), format_func=KINDS.get, key="jac.kind", horizontal=True, bind=BIND
)
sync_preset(kind)
boxes = BOXES[kind]
columns = st.columns([2, 3, 3] if kind == PLANE else [2, 2, 2, 2])
columns[0].selectbox(
    "Preset",
    [*presets_of(kind), CUSTOM],
    key=PRESET_KEYS[kind],
    on_change=use_preset,
    args=(kind,),
    bind=BIND,
)
formulas = []
for i, (column, box) in enumerate(zip(columns[1:], boxes, strict=True)):
    with column:
        formulas.append(
            formula_input(
                box,
                default=state[f"{box}.last_good"],
                variables=XY,
                name=f"F_{i + 1}(x, y)",
                label=f"F{SUBSCRIPTS[i]}(x, y) =",
                check=check_partials,
            )
        )
texts = tuple(f.text for f in formulas)
preset_name = state[PRESET_KEYS[kind]]
if preset_name in PRESET_NOTES:
    st.caption(PRESET_NOTES[preset_name])
init_view(kind, preset_name)
# The layer's weights write the two formula boxes above: they rerun the whole page.
if kind == PLANE and preset_name == LAYER:
    layer = st.columns(6)
    names = ("w₁₁", "w₁₂", "w₂₁", "w₂₂", "b₁", "b₂")
    weights = JACOBIAN_PRESETS[LAYER]["layer"]
    for column, key, name, reach, weight in zip(
        layer, LAYER_KEYS, names, LAYER_REACH, weights, strict=True
    ):
        column.slider(
            name, -reach, reach, weight, step=0.1, key=key, on_change=use_layer, bind=BIND
        )

# --- the point, the window, the small shape, v and w ----------------------------------------------


@st.fragment
def point_section(kind: str, texts: tuple[str, ...], preset_name: str) -> None:
    """Everything the point, the window, the shape, v and w move: their sliders rerun only this
    part of the page (the title, the map's choice and its formulas stay as they are)."""
    # A fragment rerun skips the page's top: the view is set again here.
    init_view(kind, preset_name)
    x_range = tuple(float(v) for v in state["jac.x_range"])
    y_range = tuple(float(v) for v in state["jac.y_range"])
    before = {key: state[key] for key in VIEW_KEYS}
    controls = st.columns(4)
    opens_on = opening_view(kind, preset_name)
    point_sliders("jac", controls[:2], opens_on)
    window_sliders("jac", controls[2:], opens_on)
    hold_view("jac", before)

    shape_column, size_column, v_column, w_column = st.columns([1.3, 2, 2, 2])
    shape = shape_column.radio("Small shape", SHAPES, key="jac.shape", horizontal=True, bind=BIND)
    size = size_column.slider(
        "its size h (half the square's side, or the radius)",
        min_value=0.01,
        max_value=1.0,
        value=POINT_CONTROLS["jac.size"],
        step=0.01,
        key="jac.size",
        bind=BIND,
    )
    v_angle = v_column.slider(
        "direction v (degrees from the x axis)",
        min_value=0.0,
        max_value=360.0,
        value=POINT_CONTROLS["jac.v_angle"],
        step=5.0,
        format="%.0f°",
        key="jac.v_angle",
        bind=BIND,
    )
    w_angle = POINT_CONTROLS["jac.w_angle"]
    if kind == PLANE:
        w_angle = w_column.slider(
            "output covector w (degrees)",
            min_value=0.0,
            max_value=360.0,
            value=w_angle,
            step=5.0,
            format="%.0f°",
            key="jac.w_angle",
            bind=BIND,
        )

    x0, y0 = float(state["jac.x0"]), float(state["jac.y0"])
    view = point_view(texts, x0, y0, float(size), str(shape))
    Fp, J, local, ratio = view.value, view.jacobian, view.local, view.ratio
    v_theta, w_theta = np.radians(float(v_angle)), np.radians(float(w_angle))
    v = np.array([np.cos(v_theta), np.sin(v_theta)])
    w = np.array([np.cos(w_theta), np.sin(w_theta)])
    Jv = jvp(J, v)
    wJ = vjp(w, J) if kind == PLANE else None
    defined = bool(np.all(np.isfinite(J)) and np.all(np.isfinite(Fp)))
    scale = local.area_scale if defined else float("nan")

    # --- the two pictures -------------------------------------------------------------------------

    input_base = input_part(texts, x_range, y_range)
    output_base = output_part(texts, x_range, y_range)
    out_span = plane_span(output_base["layout"]) if kind == PLANE else box_span(output_base["box"])
    scales = arrow_scales(plane_span(input_base["layout"]), out_span, J)
    p = np.array([x0, y0])
    v_arrow = arrow(p, v, scales.v)
    jv_arrow = arrow(Fp, Jv, scales.jv)
    pullback = w_arrow = curve = None
    if wJ is not None:
        pullback = arrow(p, wJ, scales.wj)
        w_arrow = arrow(Fp, w, scales.w)
        curve = covector_curve(texts, x_range, y_range, w, float(w @ Fp))

    left, right = st.columns(2, gap="medium")
    with left:
        live_chart(
            input_figure(
                input_base,
                local,
                v=v_arrow,
                pullback=pullback,
                covector_curve=curve,
                title=f"Input plane, shaded by {'det J' if kind == PLANE else 'the area scale'}",
            ),
            key="jac.input",
            height=540,
            filename="jacobian-input-plane",
            summary=input_summary(p, scale, v, wJ),
        )
    with right:
        if kind == PLANE:
            live_chart(
                output_figure(output_base, local, jv=jv_arrow, w=w_arrow, title="Output plane: F"),
                key="jac.output",
                height=540,
                filename="jacobian-output-plane",
                summary=output_summary(Fp, J, ratio, Jv, w),
            )
        else:
            live_chart(
                surface_figure(
                    output_base,
                    local,
                    jv=jv_arrow,
                    jacobian=J,
                    title="The patch F(window) in space",
                ),
                key="jac.surface",
                height=540,
                filename="jacobian-surface-patch",
                follows=True,
                summary=surface_summary(Fp, J, scale, Jv),
            )

    if kind == PLANE:
        st.caption(
            "Left, the input plane: the grid, the small square (grey) at p = (x₀, y₀), the "
            "direction v (purple) and the pull-back wᵀJ (green), perpendicular to the dotted curve "
            "where w·F keeps its value at p. Orange shading: det J > 0 (orientation kept); blue: "
            "det J < 0 (flipped); the dashed line is det J = 0. Right, the output plane: the same "
            "grid bent by F, the curved image F(square) (grey) next to the parallelogram "
            "F(p) + J·(square − p) (orange, dashed), the push-forward J·v (purple) and the "
            "covector w (green) with its dotted level line. Hover a point or an arrow for its "
            "numbers."
        )
    else:
        st.caption(
            "Left, the input plane shaded by the area scale √det(JᵀJ). Right, the patch in space "
            "(coloured by the same scale), the grid bent onto it, the curved image of the small "
            "square (dark) and the tangent parallelogram F(p) + J·(square − p) (orange), which "
            "lies in the tangent plane; J·v (purple) is a velocity along the surface. "
            "Drag to turn it."
        )
    if input_base["gaps"]:
        st.caption("F or J is undefined on part of this window: those places are left blank.")

    # --- the numbers ------------------------------------------------------------------------------

    m = len(texts)
    names = [[rf"\frac{{\partial F_{i + 1}}}{{\partial {var}}}" for var in XY] for i in range(m)]
    st.latex(rf"J = {_matrix(names)} = {jacobian_latex(texts)}")
    at_p = [[_latex_number(J[i, j]) for j in range(2)] for i in range(m)]
    where = rf"{_latex_number(x0)},\ {_latex_number(y0)}"
    fp_latex = ",\\ ".join(_latex_number(c) for c in Fp)
    st.latex(
        rf"F({where}) = ({fp_latex}),\qquad J({where}) = {_matrix(at_p)}"
        + (r"\quad \text{(3 outputs} \times \text{2 inputs)}" if m == 3 else "")
    )

    readout = st.columns([1, 1, 1.2, 1.2] if kind == PLANE else [1, 1, 2])
    scale_label = "det J at p" if kind == PLANE else "area scale √det(JᵀJ) at p"
    readout[0].metric(scale_label, number(scale), help="The factor by which F scales small areas.")
    readout[1].metric(
        "area ratio F(shape) ÷ shape",
        number(ratio),
        help="Tends to the area scale as the shape shrinks: make h small."
        + ("" if kind == PLANE else " The patch's area is ∫∫ √det(JᵀJ) dx dy over the shape."),
    )
    readout[2].metric("J·v (forward mode)", _vector(Jv), help=f"v = {_vector(v)}")
    if wJ is not None:
        readout[3].metric("wᵀJ (reverse mode)", _vector(wJ), help=f"w = {_vector(w)}")
    gap = abs(ratio - scale) / abs(scale) if np.isfinite(scale) and scale != 0 else float("nan")
    if np.isfinite(gap):
        st.caption(
            f"With h = {number(size)} the areas' ratio is off from the area scale by "
            f"{number(100 * gap, 2)} %. For a shape centred on p the gap shrinks like h²: halve h "
            "and it drops about four times."
        )
    if not defined:
        st.warning("F or J is not defined at this point: move it.", icon=":material/info:")
    elif scale == 0:
        st.info(
            "The area scale is 0 here: J squashes the plane onto a line (or a point), so F is not "
            "invertible near p.",
            icon=":material/info:",
        )

    # --- studies ----------------------------------------------------------------------------------

    def square_study() -> None:
        """The square's image against the parallelogram, magnified, and the areas as h shrinks."""
        explain(
            "The linear picture is exact only in the limit: F(p + d) = F(p) + J·d + (terms of "
            "size |d|²). Through a magnifier of power 1/h the parallelogram stays put while the "
            "curved image closes in on it as **h** shrinks; the areas' ratio tends to the area "
            "scale, with an error that shrinks like h² (the shape is centred on p, so the "
            "first-order errors on opposite sides cancel)."
        )
        if kind == PLANE:
            live_chart(
                closeup_figure(local),
                key="jac.closeup",
                height=440,
                filename="jacobian-close-up",
                summary=closeup_summary(float(size), ratio, scale),
            )
        rows = [
            {
                "h": number(h),
                "area of F(shape) ÷ area of shape": number(image),
                "area of the linear image ÷ area of shape": number(linear),
                "gap to the area scale": number(image - scale),
            }
            for h, image, linear in shrinking(texts, x0, y0, shape)
        ]
        st.dataframe(rows, hide_index=True, width="stretch")

    def determinant_study() -> None:
        """det J as a formula, and what its sign means."""
        formula = area_scale_formula(texts)
        if kind == PLANE:
            st.latex(rf"\det J = {to_latex(formula)}")
            explain(
                "A small area near p becomes |det J| times as large. Where **det J > 0** (orange) "
                "F keeps the plane's orientation: a square's corners, read counter-clockwise, stay "
                "counter-clockwise. Where **det J < 0** (blue) they come out clockwise: the plane "
                "is turned over, like a page. On the dashed curve **det J = 0** the map folds: "
                "nearby points pile up, and F has no smooth inverse there. In a network layer, "
                "det J = 0 means two inputs the next layer can no longer tell apart."
            )
            if input_base["flips"]:
                st.info("In this window det J changes sign: look for the blue region.")
            if preset_name == LAYER:
                weights = np.array([state[k] for k in LAYER_KEYS[:4]], dtype=float).reshape(2, 2)
                z = weights @ p + np.array([state["jac.b1"], state["jac.b2"]], dtype=float)
                damp = 1 - np.tanh(z) ** 2
                st.latex(
                    r"\det J = (1 - \tanh^2 z_1)(1 - \tanh^2 z_2)\,\det W = "
                    rf"{_latex_number(damp[0])} \cdot {_latex_number(damp[1])} \cdot "
                    rf"{_latex_number(np.linalg.det(weights))} = {_latex_number(scale)}"
                )
        else:
            st.latex(rf"\sqrt{{\det(J^\mathsf{{T}} J)}} = {to_latex(formula)}")
            explain(
                "J has 3 rows and 2 columns, so it has no determinant. Its two columns ∂F/∂x and "
                "∂F/∂y span the tangent plane, and the parallelogram they make has area "
                "√det(JᵀJ) = |∂F/∂x × ∂F/∂y|: the factor by which F scales small areas onto the "
                "surface, the one an integral over the surface needs."
            )

    def modes_study() -> None:
        """JVP and VJP with this point's numbers, and why reverse mode wins for a loss."""
        explain(
            "**Forward mode** (a Jacobian-vector product) pushes an input direction v through the "
            "map: **J·v** is the velocity of F(p + t·v) at t = 0, one column's worth of J per "
            "pass. **Reverse mode** (a vector-Jacobian product, what backpropagation computes) "
            "pulls an output covector w back: **wᵀJ** is the gradient of the single number w·F, "
            "one row's worth of J per pass."
        )
        st.latex(rf"J v = {_matrix(at_p)} {_column(v)} = {_column(Jv)}")
        if wJ is not None:
            st.latex(
                rf"w^\mathsf{{T}} J = {_column(w)}^\mathsf{{T}} {_matrix(at_p)} = "
                rf"{_column(wJ)}^\mathsf{{T}}"
            )
            st.latex(
                rf"w \cdot (J v) = {_latex_number(w @ Jv)} = (w^\mathsf{{T}} J) \cdot v"
                r"\qquad\text{(the same number, either way round)}"
            )
        explain(
            "**Why backpropagation runs in reverse:** a network has millions of inputs (its "
            "weights) and one output (the loss), so one reverse pass gives the whole gradient "
            "wᵀJ with w = 1, where forward mode would need one pass per weight."
        )

    # The first study is open by default: the one without a chart, so a move of the point redraws
    # two charts, not three.
    STUDIES = {
        "Forward and reverse mode": modes_study,
        "Square → parallelogram (close-up)": square_study,
        "det J: area and orientation": determinant_study,
    }
    lazy_tabs(STUDIES, key="jac.study")


point_section(kind, texts, preset_name)
