"""Training benchmark: 500 full-batch steps of the largest network, per activation.

The issue's budget: 500 steps of the largest network (8 hidden units) on 200 points in under
500 ms. Prints whole milliseconds, the median of 5 runs after one warm-up run. Run by hand,
never as a timed test:

    python bench/mlp_training.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from calc_core.mlp import ACTIVATIONS, MAX_HIDDEN, gradient_check, init_params, train
from calc_core.toy_data import make_dataset

STEPS = 500
POINTS = 200
RUNS = 5
BUDGET_MS = 500


def _median_ms(task) -> int:
    task()  # warm-up: first calls pay for imports and caches
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        task()
        times.append(time.perf_counter() - start)
    return round(statistics.median(times) * 1000)


def main() -> None:
    data = make_dataset("circle", n=POINTS, noise=0.1, seed=0)
    print(
        f"{STEPS} training steps, {MAX_HIDDEN} hidden units, {POINTS} points, "
        f"median of {RUNS} runs (budget {BUDGET_MS} ms)"
    )
    for activation in ACTIVATIONS:
        params = init_params(MAX_HIDDEN, seed=0, activation=activation)
        ms = _median_ms(lambda p=params, a=activation: train(p, data.X, data.y, a, 0.5, STEPS))
        flag = "" if ms < BUDGET_MS else "  OVER"
        print(f"  {activation:<8} {ms:>5} ms{flag}")
    params = init_params(MAX_HIDDEN, seed=0)
    ms = _median_ms(lambda: gradient_check(params, data.X, data.y, "tanh"))
    print(f"gradient check, all {len(params.names())} parameters (tanh): {ms} ms")


if __name__ == "__main__":
    main()
