"""The chain-rule figure: one panel per link and the composition, x₀ swept as frames."""

from __future__ import annotations

import itertools
import math

import pytest

from calc_core.composition import chain_at, make_chain
from calc_core.expressions import parse_expression
from viz.chain_rule import chain_figure, chain_readout, chain_summary
from viz.derivatives import sample_curve
from viz.format import number


def _spec(dx=0.1):
    chain = make_chain([parse_expression("sin(u)", ("u",)), parse_expression("2x^2")])
    grid = [-1.0, -0.5, 0.0, 0.5, 1.0]
    sweep = [chain_at(chain, x0) for x0 in grid]
    curves = [sample_curve(chain.functions[1], (-1, 1)), sample_curve(chain.functions[0], (-1, 3))]
    return chain_figure(curves, sample_curve(chain.output, (-1, 1)), sweep, dx=dx, active=4), sweep


def test_frames_cover_the_sweep_and_three_panels_side_by_side():
    """Five x₀ → five frames and slider steps; three x axes in separate domains."""
    spec, sweep = _spec()
    assert len(spec["frames"]) == len(spec["layout"]["sliders"][0]["steps"]) == 5
    domains = [spec["layout"][k]["domain"] for k in ("xaxis", "xaxis2", "xaxis3")]
    assert all(a[1] < b[0] for a, b in itertools.pairwise(domains))
    assert spec["layout"]["title"]["text"] == chain_readout(sweep[4])


def test_tangent_slopes_equal_the_derivatives():
    """In each frame: g′(x₀), f′(u₀) and dy/dx are the tangents' slopes in their panels."""
    spec, sweep = _spec()
    for frame, point in zip(spec["frames"], sweep, strict=True):
        tangents = frame["data"][0::4]
        expected = [*point.slopes, point.direct]
        for line, slope in zip(tangents, expected, strict=True):
            rise = (line["y"][1] - line["y"][0]) / (line["x"][1] - line["x"][0])
            assert rise == pytest.approx(slope, rel=1e-3, abs=1e-3)


def test_steps_carry_delta_u_from_g_to_f():
    """The Δu leaving g (vertical in panel 1) is the Δu entering f (horizontal in panel 2)."""
    spec, _ = _spec(dx=0.2)
    frame = spec["frames"][4]  # x₀ = 1
    out_of_g = frame["data"][3]["y"][1] - frame["data"][3]["y"][0]
    into_f = frame["data"][6]["x"][1] - frame["data"][6]["x"][0]
    assert out_of_g == pytest.approx(into_f, rel=1e-3) == pytest.approx(2 * 1.2**2 - 2, rel=1e-3)
    dy = frame["data"][11]["y"][1] - frame["data"][11]["y"][0]
    assert dy == pytest.approx(math.sin(2 * 1.2**2) - math.sin(2), rel=1e-3)


def test_chain_summary_multiplies_the_slopes_it_names():
    """sin(2x²) at x₀ = 0.5: u₀ = 0.5, f′(u₀) = cos(0.5), g′(x₀) = 2, dy/dx their product, and
    the step Δx = 0.1 moves y by about dy/dx·Δx (all computed here by hand)."""
    chain = make_chain([parse_expression("sin(u)", ("u",)), parse_expression("2x^2")])
    text = chain_summary(["sin(u)", "2x^2"], chain_at(chain, 0.5), (-1.0, 1.0), 0.1)
    assert text.startswith("y = f(g(x)) with f(u) = sin(u), g(x) = 2x^2, for x from −1 to 1")
    assert f"x₀ = 0.5, u₀ = 0.5, y₀ = {number(math.sin(0.5))}" in text
    slope = 2 * math.cos(0.5)
    assert f"f′(u₀)·g′(x₀) = ({number(math.cos(0.5))})·(2) = {number(slope)}." in text
    assert f"Δx = 0.1 changes y by about dy/dx·Δx = {number(0.1 * slope)}." in text


def test_chain_summary_of_three_links():
    """ln(1 + tanh²x) at 0: v₀ = 1, y₀ = 0 and the three slopes (1)·(0)·(1) give 0."""
    links = [("ln(u)", ("u",)), ("1 + u^2", ("u",)), ("tanh(x)", ("x",))]
    chain = make_chain([parse_expression(t, v) for t, v in links])
    text = chain_summary([t for t, _ in links], chain_at(chain, 0.0), (-2.0, 2.0), 0.2)
    assert "y = f(g(h(x))) with f(u) = ln(u), g(u) = 1 + u^2, h(x) = tanh(x)" in text
    assert "x₀ = 0, u₀ = 0, v₀ = 1, y₀ = 0" in text
    assert "f′(v₀)·g′(u₀)·h′(x₀) = (1)·(0)·(1) = 0." in text
