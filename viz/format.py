"""How numbers are written for a learner: the same rounding everywhere on every page."""

from __future__ import annotations

import math


def number(value: float, digits: int = 4) -> str:
    """A value with `digits` significant digits, a true minus sign and no "-0".

    Example:
        >>> number(-15.05), number(0.036666), number(1234567.0), number(-0.00001, 2)
        ('−15.05', '0.03667', '1.235e+06', '−1e-05')
    """
    if math.isnan(value):
        return "undefined"
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    if value == 0:
        return "0"
    text = f"{value:.{digits}g}"
    if text in {"-0", "0"}:
        return "0"
    return text.replace("-", "−", 1) if text.startswith("-") else text
