"""Run costly symbolic steps on typed formulas in killable worker processes.

Some small formulas make SymPy work for minutes or exhaust memory (``simplify``, ``solve``,
a high derivative of a long product). Big-integer arithmetic holds the GIL, so running such a
step in a thread would freeze every other learner's session, and Streamlit cannot stop a
running script. :func:`run_symbolic` therefore runs the step in a worker process with a time
limit and an address-space limit, and kills the worker if either is exceeded.

Workers are plain ``python -m calc_core.symbolic_worker`` subprocesses speaking pickled
messages over their stdin and stdout. Not ``multiprocessing``: its spawn and forkserver
methods re-import the caller's ``__main__`` in every new worker, and under Streamlit
``__main__`` is the running page script, which would run again inside the worker. Workers are
kept warm between calls, so a call costs milliseconds. Each concurrent call gets its own
worker, up to :data:`MAX_WORKERS`; further calls wait their turn.
"""

from __future__ import annotations

import atexit
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

import sympy

from calc_core.expressions import ExpressionError

try:  # not available on Windows; there the memory limit is skipped
    import resource
except ImportError:  # pragma: no cover
    resource = None  # type: ignore[assignment]

__all__ = [
    "MAX_WORKERS",
    "SymbolicTimeout",
    "derivative_guarded",
    "run_symbolic",
    "shutdown",
    "simplify_guarded",
    "warm_up",
]

MAX_WORKERS = 3
TOO_COSTLY = "This formula is too costly to analyse here; try a simpler one."
_PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
T = TypeVar("T")


class SymbolicTimeout(ExpressionError):
    """A symbolic step ran out of time or memory, or its worker died."""

    def __init__(self, message: str = TOO_COSTLY) -> None:
        super().__init__(message)


# --- inside the worker ------------------------------------------------------------------------


def _worker_main(conn: Connection) -> None:
    """Serve ``(function, args, kwargs, memory_mb)`` requests until the pipe closes."""
    while True:
        try:
            function, args, kwargs, memory_mb = conn.recv()
        except (EOFError, OSError):
            return
        except Exception as exc:  # e.g. a function that cannot be imported here
            conn.send(("error", RuntimeError(f"symbolic step could not start: {exc!r}")))
            continue
        _limit_memory(memory_mb)
        try:
            reply: tuple[str, Any] = ("ok", function(*args, **kwargs))
        except MemoryError:
            reply = ("memory", None)
        except Exception as exc:  # the caller re-raises it
            reply = ("error", exc)
        try:
            conn.send(reply)
        except MemoryError:
            conn.send(("memory", None))
        except Exception as exc:  # unpicklable result or exception
            conn.send(("error", RuntimeError(f"symbolic step failed: {exc!r}")))


def _limit_memory(memory_mb: int) -> None:
    """Cap this process's address space; the hard limit stays, so the cap can move per call."""
    if resource is None:
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    soft = memory_mb * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


# --- the pool, in the caller's process --------------------------------------------------------


class _Worker:
    def __init__(self) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [_PROJECT_ROOT, env.get("PYTHONPATH")]))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "calc_core.symbolic_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=_PROJECT_ROOT,
            env=env,
        )
        self.conn = _PipeConnection(self.process.stdout, self.process.stdin)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=5)
        self.conn.close()


class _PipeConnection:
    """A duplex message connection over two pipe ends (send/recv/poll, as multiprocessing's)."""

    def __init__(self, reader: Any, writer: Any) -> None:
        self.reader = Connection(os.dup(reader.fileno()), writable=False)
        self.writer = Connection(os.dup(writer.fileno()), readable=False)
        reader.close()
        writer.close()

    def send(self, message: Any) -> None:
        self.writer.send(message)

    def recv(self) -> Any:
        return self.reader.recv()

    def poll(self, timeout: float) -> bool:
        return self.reader.poll(timeout)

    def close(self) -> None:
        self.reader.close()
        self.writer.close()


class _Pool:
    """At most ``size`` warm workers, each serving one call at a time."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.idle: list[_Worker] = []
        self.live = 0
        self.cond = threading.Condition()

    def acquire(self, deadline: float) -> _Worker:
        with self.cond:
            while not self.idle and self.live >= self.size:
                if not self.cond.wait(timeout=max(0.0, deadline - time.monotonic())):
                    raise SymbolicTimeout("The server is busy with other formulas; try again.")
            if self.idle:
                return self.idle.pop()
            self.live += 1
        try:
            return _Worker()
        except BaseException:
            self._forget()
            raise

    def release(self, worker: _Worker) -> None:
        with self.cond:
            self.idle.append(worker)
            self.cond.notify()

    def discard(self, worker: _Worker) -> None:
        worker.kill()
        self._forget()

    def _forget(self) -> None:
        with self.cond:
            self.live -= 1
            self.cond.notify()

    def close(self) -> None:
        with self.cond:
            workers, self.idle = self.idle, []
            self.live -= len(workers)
        for worker in workers:
            worker.kill()


_POOL = _Pool(MAX_WORKERS)
atexit.register(lambda: shutdown())


def run_symbolic(
    function: Callable[..., T],
    *args: Any,
    timeout: float = 5.0,
    memory_mb: int = 1024,
    **kwargs: Any,
) -> T:
    """Run ``function(*args, **kwargs)`` in a worker process with a time and memory limit.

    Args:
        function: a picklable module-level function, e.g. ``derivatives.derivative``.
        *args, **kwargs: its arguments, picklable (SymPy expressions are).
        timeout: seconds the step may take, counted from the call (waiting for a free
            worker included).
        memory_mb: address space the worker may use, in MiB.

    Returns:
        What ``function`` returns.

    Raises:
        SymbolicTimeout: ``"This formula is too costly to analyse here; try a simpler
            one."`` if the step runs out of time or memory or the worker dies; the worker is
            killed and a fresh one is started on the next call.
        Exception: whatever ``function`` itself raises, re-raised here.

    Example:
        >>> from calc_core.expressions import parse_expression
        >>> run_symbolic(sympy.expand, parse_expression("(x + 1)**2"))
        x**2 + 2*x + 1
    """
    deadline = time.monotonic() + timeout
    worker = _POOL.acquire(deadline)
    try:
        worker.conn.send((function, args, kwargs, memory_mb))
        if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
            raise TimeoutError
        status, value = worker.conn.recv()
    except BaseException as exc:
        _POOL.discard(worker)
        if isinstance(exc, TimeoutError | EOFError | OSError | MemoryError):
            raise SymbolicTimeout() from exc
        raise
    if status == "memory":
        _POOL.discard(worker)  # a MemoryError may leave the worker in a poor state
        raise SymbolicTimeout()
    _POOL.release(worker)
    if status == "error":
        raise value
    return value


def warm_up() -> None:
    """Start the forkserver and one worker now, so the first learner does not wait for it."""
    _POOL.release(_POOL.acquire(time.monotonic() + 60.0))


def shutdown() -> None:
    """Kill all idle workers (busy ones are killed when their call ends or times out)."""
    _POOL.close()


# --- guarded versions of the costly steps -----------------------------------------------------


def derivative_guarded(
    expr: sympy.Expr, variable: str = "x", order: int = 1, *, timeout: float = 5.0
) -> sympy.Expr:
    """Differentiate in a worker process; see ``derivatives.derivative``.

    Example:
        >>> from calc_core.expressions import parse_expression
        >>> derivative_guarded(parse_expression("x**3"))
        3*x**2
    """
    from calc_core.derivatives import derivative

    return run_symbolic(derivative, expr, variable, order, timeout=timeout)


def simplify_guarded(expr: sympy.Expr, *, timeout: float = 5.0) -> sympy.Expr:
    """Simplify in a worker process (``simplify`` can take over 20 s on moderate input).

    Example:
        >>> from calc_core.expressions import parse_expression
        >>> simplify_guarded(parse_expression("sin(x)**2 + cos(x)**2"))
        1
    """
    return run_symbolic(sympy.simplify, expr, timeout=timeout)


def _serve_stdio() -> None:
    """The worker's main loop on stdin/stdout; stray prints from a step go to stderr."""
    channel_in, channel_out = os.dup(0), os.dup(1)
    os.dup2(2, 1)  # anything printed to stdout must not corrupt the message channel
    conn = _PipeConnection(os.fdopen(channel_in, "rb"), os.fdopen(channel_out, "wb"))
    _worker_main(conn)  # type: ignore[arg-type]


if __name__ == "__main__":
    import numpy  # noqa: F401  - imported once here so a call never waits for it

    from calc_core import derivatives  # noqa: F401

    _serve_stdio()
