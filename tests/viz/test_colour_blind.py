"""No information carried by hue alone that a colour-blind learner would lose.

Every colour a figure module names (module-level ``*_COLOR`` / ``*_INK`` constants and the
palette; not ``*LABEL*`` text colours, read by their words) is simulated for the three
dichromacies (Machado, Oliveira and Fernandes 2009, severity 1.0): any two named colours that a
typical eye tells apart must stay apart for each of them (CIE76 ΔE in Lab at least
MIN_DELTA_E), so no chart relies on red versus green alone.
"""

from __future__ import annotations

import importlib
import itertools
import pkgutil
import re

import numpy as np
import pytest

import viz
from viz.theme import PALETTE

MACHADO = {  # linear-RGB matrices, severity 1.0
    "protanopia": [
        [0.152286, 1.052583, -0.204868],
        [0.114503, 0.786281, 0.099216],
        [-0.003882, -0.048116, 1.051998],
    ],
    "deuteranopia": [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ],
    "tritanopia": [
        [1.255528, -0.076749, -0.178779],
        [-0.078411, 0.930809, 0.147602],
        [0.004733, 0.691367, 0.303900],
    ],
}
MIN_DELTA_E = 9.0  # a difference still seen at a glance on a projector
HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def _linear(rgb: np.ndarray) -> np.ndarray:
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def _lab(linear: np.ndarray) -> np.ndarray:
    xyz = np.array(
        [[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]
    ) @ np.clip(linear, 0, 1)
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def _rgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])


def named_colours() -> dict[str, str]:
    """Every hex colour a viz module names as a constant, by ``module.NAME``."""
    found = {f"PALETTE[{i}]": c for i, c in enumerate(PALETTE)}
    for info in pkgutil.iter_modules(viz.__path__):
        module = importlib.import_module(f"viz.{info.name}")
        for name, value in vars(module).items():
            if "LABEL" in name:  # text: read by its words, not told apart by its hue
                continue
            if (name.endswith(("_COLOR", "_INK")) and isinstance(value, str)) and HEX.match(value):
                found[f"{info.name}.{name}"] = value.upper()
    return found


def test_the_figures_name_their_colours() -> None:
    assert len(set(named_colours().values())) >= 8


@pytest.mark.parametrize("condition", sorted(MACHADO))
def test_named_colours_stay_apart_for_colour_blind_eyes(condition: str) -> None:
    matrix = np.array(MACHADO[condition])
    colours = sorted(set(named_colours().values()))
    lost = []
    for a, b in itertools.combinations(colours, 2):
        la, lb = _linear(_rgb(a)), _linear(_rgb(b))
        seen = np.linalg.norm(_lab(la) - _lab(lb))
        simulated = np.linalg.norm(_lab(matrix @ la) - _lab(matrix @ lb))
        if seen >= 20 and simulated < MIN_DELTA_E:
            lost.append(f"{a} vs {b}: ΔE {seen:.0f} -> {simulated:.1f}")
    assert not lost, lost


def test_the_simulation_catches_red_against_green() -> None:
    """The check can fail: pure red and green collapse for deuteranopia."""
    matrix = np.array(MACHADO["deuteranopia"])
    red, green = _linear(_rgb("#D62728")), _linear(_rgb("#2CA02C"))
    assert np.linalg.norm(_lab(matrix @ red) - _lab(matrix @ green)) < MIN_DELTA_E
