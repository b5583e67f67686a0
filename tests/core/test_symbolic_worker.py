"""Costly symbolic steps run in killable workers: results, timeouts, memory, concurrency."""

from __future__ import annotations

import os
import threading
import time

import pytest
import sympy

from calc_core import symbolic_worker as sw
from calc_core.derivatives import derivative
from calc_core.expressions import ExpressionError, parse_expression, symbol


def _spin(seconds: float) -> int:
    """Busy-loop in pure Python (holds the worker's GIL, as big-integer arithmetic does)."""
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:
        n += 1
    return n


def _report_pid_and_spin(path: str, seconds: float) -> int:
    with open(path, "w") as f:
        f.write(str(os.getpid()))
    return _spin(seconds)


def _allocate(megabytes: int) -> int:
    """Allocate memory in 16 MiB blocks and touch it."""
    blocks = [bytearray(16 * 1024 * 1024) for _ in range(megabytes // 16)]
    return len(blocks)


def _fail() -> None:
    raise ExpressionError("This is the function's own error.")


@pytest.fixture(scope="module", autouse=True)
def warm_pool():
    sw.warm_up()
    yield
    sw.shutdown()


def test_a_normal_call_returns_the_right_result():
    """A derivative computed in a worker equals the one computed here, and is quick when warm."""
    expr = parse_expression("sin(2x^2)")
    assert sw.run_symbolic(derivative, expr, "x") == 4 * symbol("x") * sympy.cos(
        2 * symbol("x") ** 2
    )
    start = time.perf_counter()
    assert sw.derivative_guarded(parse_expression("x^3")) == 3 * symbol("x") ** 2
    assert time.perf_counter() - start < 1.0
    assert sw.simplify_guarded(parse_expression("sin(x)^2 + cos(x)^2")) == 1


def test_the_functions_own_errors_come_back_unchanged():
    """An exception raised by the step is re-raised in the caller, and the worker lives on."""
    with pytest.raises(ExpressionError, match="function's own error"):
        sw.run_symbolic(_fail)
    assert sw.run_symbolic(sum, [1, 2, 3]) == 6


def test_a_step_past_its_timeout_is_killed_and_the_next_call_works(tmp_path):
    """A step that runs too long raises the friendly error near its timeout; its worker dies."""
    pid_file = tmp_path / "pid"
    start = time.perf_counter()
    with pytest.raises(sw.SymbolicTimeout, match="too costly to analyse here; try a simpler one"):
        sw.run_symbolic(_report_pid_and_spin, str(pid_file), 30.0, timeout=1.0)
    assert time.perf_counter() - start < 1.0 + 2.0
    with pytest.raises(ProcessLookupError):
        os.kill(int(pid_file.read_text()), 0)
    assert sw.run_symbolic(sum, [2, 3]) == 5


def test_a_memory_hog_is_stopped():
    """A step that allocates past its memory limit raises the friendly error."""
    start = time.perf_counter()
    with pytest.raises(sw.SymbolicTimeout, match="too costly"):
        sw.run_symbolic(_allocate, 4096, memory_mb=512, timeout=10.0)
    assert time.perf_counter() - start < 5.0
    assert sw.run_symbolic(_allocate, 64, memory_mb=512) == 4


def test_one_stuck_step_does_not_freeze_other_learners():
    """While one worker spins, a call from another thread completes quickly."""
    errors: list[BaseException] = []

    def stuck() -> None:
        try:
            sw.run_symbolic(_spin, 30.0, timeout=2.0)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=stuck)
    thread.start()
    time.sleep(0.2)
    start = time.perf_counter()
    assert sw.run_symbolic(derivative, parse_expression("x^2 + 3x + 5")) == 2 * symbol("x") + 3
    assert time.perf_counter() - start < 1.5
    thread.join()
    assert len(errors) == 1 and isinstance(errors[0], sw.SymbolicTimeout)


def test_many_threads_at_once_all_get_answers():
    """More concurrent calls than workers wait their turn and all succeed."""
    results: dict[int, object] = {}

    def call(k: int) -> None:
        results[k] = sw.run_symbolic(sum, [k, k], timeout=10.0)

    threads = [threading.Thread(target=call, args=(k,)) for k in range(2 * sw.MAX_WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {k: 2 * k for k in range(2 * sw.MAX_WORKERS)}


def test_the_timeout_error_is_an_expression_error():
    """Pages can catch one error type for every problem with a formula."""
    assert issubclass(sw.SymbolicTimeout, ExpressionError)
    assert str(sw.SymbolicTimeout()) == sw.TOO_COSTLY
