"""Optimiser benchmark: all eight optimisers, 500 steps each, on Rosenbrock from (-1.2, 1).

The issue's budget: all eight in under 50 ms in total. Two columns:

* ``surface``: the gradient and Hessian the page uses, `surfaces.surface("rosenbrock")` (SymPy
  derivatives compiled by `expressions.compile_expression`), losses included;
* ``numpy``: the same run with a hand-written numpy gradient and Hessian, which isolates what the
  optimisers themselves cost.

Prints whole milliseconds, the median of 7 runs after one warm-up run, and the cost of one call
of the surface's gradient and Hessian. Run by hand, never as a timed test:

    python bench/optimizers.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from calc_core.optimizers import OPTIMIZERS, run_optimizer
from calc_core.surfaces import surface

STEPS = 500
RUNS = 7
BUDGET_MS = 50
# learning rates that make every optimiser take all 500 steps on Rosenbrock
LEARNING_RATES = {
    "gd": 1e-3,
    "momentum": 1e-3,
    "nesterov": 1e-3,
    "adagrad": 0.5,
    "rmsprop": 1e-2,
    "adam": 0.05,
    "adamw": 0.05,
    "newton": 1.0,
}


def rosenbrock_grad(p: np.ndarray) -> np.ndarray:
    x, y = p
    return np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])


def rosenbrock_hessian(p: np.ndarray) -> np.ndarray:
    x, y = p
    return np.array([[2 - 400 * (y - 3 * x * x), -400 * x], [-400 * x, 200.0]])


def rosenbrock_loss(points: np.ndarray) -> np.ndarray:
    return (1 - points[:, 0]) ** 2 + 100 * (points[:, 1] - points[:, 0] ** 2) ** 2


def _median_s(task, runs: int = RUNS) -> float:
    task()  # warm-up: first calls pay for imports and caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        task()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    s = surface("rosenbrock")
    sources = {
        "surface": (s.grad, s.hessian, s.loss),
        "numpy": (rosenbrock_grad, rosenbrock_hessian, rosenbrock_loss),
    }
    print(
        f"{STEPS} steps on Rosenbrock from {s.start}, median of {RUNS} runs "
        f"(budget: all eight under {BUDGET_MS} ms)"
    )
    print(f"  {'optimiser':<10} {'lr':>7} {'surface':>8} {'numpy':>8}  steps  final loss")
    totals = dict.fromkeys(sources, 0.0)
    for name in OPTIMIZERS:
        lr = LEARNING_RATES[name]
        row = {}
        for label, (grad, hessian, loss) in sources.items():

            def task(grad=grad, hessian=hessian, loss=loss, name=name, lr=lr):
                return run_optimizer(name, grad, s.start, lr, STEPS, hessian=hessian, loss=loss)

            row[label] = _median_s(task)
            totals[label] += row[label]
        run = task()
        print(
            f"  {name:<10} {lr:>7g} {round(row['surface'] * 1000):>5} ms "
            f"{round(row['numpy'] * 1000):>5} ms  {run.steps:>5}  {run.losses[-1]:.3g}"
        )
    flags = {k: "" if v * 1000 < BUDGET_MS else "  OVER" for k, v in totals.items()}
    print(
        f"  {'all eight':<18} {round(totals['surface'] * 1000):>5} ms{flags['surface']} "
        f"{round(totals['numpy'] * 1000):>5} ms{flags['numpy']}"
    )
    point = np.array([0.3, 0.2])
    for label, call in (("gradient", s.grad), ("Hessian", s.hessian)):
        us = _median_s(lambda call=call: [call(point) for _ in range(1000)]) * 1000
        print(f"one surface {label} call at a point: {us:.0f} µs")


if __name__ == "__main__":
    main()
