"""Where a slider's value may sit (`ui.sliders`): on a step, never past either end."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from ui.sliders import on_step, steps_inside


def test_the_window_that_was_no_multiple_of_its_step():
    """−10 to −0.5 in steps of 0.2: 47 steps fit, and −0.4 (past the end) becomes −0.6."""
    assert steps_inside(-10.0, -0.5, 0.2) == 47
    assert on_step(-0.45, -10.0, -0.5, 0.2) == -0.6
    assert on_step(-20.0, -10.0, -0.5, 0.2) == -10.0


@given(
    low=st.floats(-100, 100),
    width=st.floats(0, 50),
    step=st.sampled_from([0.01, 0.05, 0.1, 0.2, 0.25, 0.5, 1.0]),
    value=st.floats(-1e6, 1e6),
)
def test_a_value_lands_on_a_step_inside_the_ends(low, width, step, value):
    """Any value, any window: the result lies in [low, high] and on low + k·step."""
    high = low + width
    snapped = on_step(value, low, high, step)
    assert low - 1e-9 <= snapped <= high + 1e-9
    k = (snapped - low) / step
    assert math.isclose(k, round(k), abs_tol=1e-6)
