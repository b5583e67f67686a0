"""Where a slider's value may sit: on its steps, inside its ends."""

from __future__ import annotations

import math


def steps_inside(low: float, high: float, step: float) -> int:
    """How many whole steps fit from `low` without passing `high` (47 for 9.5 in steps of 0.2)."""
    return max(math.floor((high - low) / step + 1e-9), 0)


def on_step(value: float, low: float, high: float, step: float) -> float:
    """`value` clamped into [low, high] and moved to the nearest step low + k·step inside it.

    Rounding never passes `high`, even when the window's width is no multiple of the step:
    Streamlit refuses a slider whose value lies beyond its `max_value`.

    Example:
        >>> on_step(2.0, -10.0, -0.5, 0.2)
        -0.6
    """
    k = min(max(round((float(value) - low) / step), 0), steps_inside(low, high, step))
    return round(low + step * k, 10)
