"""A class on one machine: N simulated learners move sliders on one server; how does it hold up?

Each learner is a :class:`bench.streamlit_client.StreamlitSession` (Streamlit's websocket
protocol, no browser), all in this one asyncio process. Learner *i* opens the *i*-th page that
has a slider (round-robin over those pages) and, for ``--seconds``, moves that page's first
slider about once a second (jittered by ±30 %, a random walk of 1-3 steps), waiting for each
move's run to finish before the next. Reported per class size:

* ``moves``, ``p50 ms``, ``p95 ms``, ``max ms``: interaction latency, rerun request sent to the
  run's ``script_finished`` received (server work plus websocket; no browser drawing);
* ``errors``: moves that timed out (10 s), ended in a disconnect, or showed an ``Exception``
  element, plus pages that failed to open;
* ``srv CPU %``: the server process and its children (the symbolic workers), in % of one core,
  over the measured window, from ``/proc/<pid>/stat``; ``cli CPU %`` the same for this process,
  which shares the machine and is part of the load;
* ``RSS MB start / mid / end``: resident memory of the server and its children (sampled every
  ``--sample`` s): flat from start to end means no per-session leak.

Usage::

    python bench/classroom.py                                  # 30 learners, 60 s
    python bench/classroom.py --learners 10,20,30 --seconds 60 # one table, a row per class size
    python bench/classroom.py --learners 10 --seconds 20       # a quick look
    python bench/classroom.py --url http://127.0.0.1:8080 --server-pids 1234  # through a proxy

Without ``--url`` it starts ``streamlit run dashboard.py`` on a free port of 127.0.0.1 (via
``bench/harness.py``) and stops it at the end; the same server serves every class size, in turn.
With ``--url`` the server is someone else's: its CPU and memory come from ``--server-pids``
(comma-separated, children included) or stay blank. Target: 30 learners, p95 under 1 s, no
errors, memory flat. The exit code is 0 whatever the numbers; run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import harness
from bench.interaction import percentile
from bench.streamlit_client import StreamlitSession
from ui.navigation import all_pages

MOVE_TIMEOUT_S = 10.0
OPEN_TIMEOUT_S = 60.0
OPENING_AT_ONCE = 4  # learners whose pages load at the same time (a class arrives over seconds)
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


# ---- the server's processes, from /proc ----------------------------------------------------


def server_pids(port: int) -> list[int]:
    """Pids of processes started with ``--server.port <port>`` (the harness's streamlit run)."""
    needle = f"--server.port\0{port}\0".encode()
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    if needle in f.read() + b"\0":
                        found.append(int(entry))
            except OSError:
                continue
    return found


def _stat(pid: int) -> list[str] | None:
    """Fields 3.. of /proc/<pid>/stat (after the command name), or None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            text = f.read()
    except OSError:
        return None
    return text[text.rfind(")") + 2 :].split()


def process_tree(roots: list[int]) -> list[int]:
    """``roots`` and all their descendants that are alive now."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := _stat(int(entry))) is not None:
            children.setdefault(int(fields[1]), []).append(int(entry))
    tree, todo = [], list(roots)
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


@dataclass(frozen=True)
class Usage:
    """CPU seconds used so far and resident memory now, of a process tree."""

    at: float  # time.monotonic()
    cpu_s: float  # user + system, children reaped included
    rss_mb: float


def usage(roots: list[int]) -> Usage:
    """The process tree's CPU time (own + reaped children's) and RSS, from /proc."""
    ticks = rss = 0
    for pid in process_tree(roots):
        fields = _stat(pid)
        if fields is None:
            continue
        ticks += sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
        rss += int(fields[21]) * PAGE_SIZE
    return Usage(time.monotonic(), ticks / CLOCK_TICKS, rss / 2**20)


def own_usage() -> Usage:
    """This process's CPU time and RSS."""
    t = os.times()
    fields = _stat(os.getpid()) or ["0"] * 22
    return Usage(time.monotonic(), t.user + t.system, int(fields[21]) * PAGE_SIZE / 2**20)


# ---- learners -------------------------------------------------------------------------------


@dataclass
class ClassResult:
    """One class size's numbers."""

    learners: int
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    notes: list[str] = field(default_factory=list)
    server_cpu: float | None = None
    client_cpu: float | None = None
    rss: tuple[float, float, float] | None = None  # start, middle, end (MB)


async def slider_pages(base_url: str) -> list[str]:
    """url_paths of the pages whose first run shows a single-thumb slider."""
    found = []
    for spec in all_pages():
        session = await StreamlitSession.open(base_url, spec.url_path, OPEN_TIMEOUT_S)
        if session.sliders():
            found.append(spec.url_path)
        await session.close()
    return found


@dataclass
class _Class:
    """What the learners of one class share: the start signal, the stop time, the results."""

    result: ClassResult
    learners: int
    opening: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(OPENING_AT_ONCE))
    opened: int = 0
    all_opened: asyncio.Event = field(default_factory=asyncio.Event)
    start: asyncio.Event = field(default_factory=asyncio.Event)
    stop_at: float = float("inf")

    def arrived(self) -> None:
        self.opened += 1
        if self.opened == self.learners:
            self.all_opened.set()


async def learner(base_url: str, url_path: str, room: _Class, rng: random.Random) -> None:
    """Open ``url_path``, wait for the class to start, then move a slider ~1/s until stop."""
    result = room.result
    try:
        async with room.opening:
            session = await StreamlitSession.open(base_url, url_path, OPEN_TIMEOUT_S)
    except Exception as error:  # a page that does not open counts once, then the learner leaves
        result.errors += 1
        result.notes.append(f"{url_path}: open failed: {error}"[:200])
        room.arrived()
        return
    room.arrived()
    try:
        await room.start.wait()
        await asyncio.sleep(rng.uniform(0.0, 1.0))  # learners do not move in lockstep
        key = session.sliders()[0].key
        while time.monotonic() < room.stop_at:
            due = time.monotonic() + rng.uniform(0.7, 1.3)
            steps = rng.choice((-3, -2, -1, 1, 2, 3))
            run = await session.move_slider(key, steps, MOVE_TIMEOUT_S)
            result.latencies.append(run.latency_s)
            if not run.ok:
                result.errors += 1
                result.notes.append(f"{url_path}: {run.status} {run.exceptions[:1]}"[:200])
                if session.closed:
                    return
            await asyncio.sleep(max(0.0, due - time.monotonic()))
    except Exception as error:  # e.g. the slider vanished from the page: count it, leave
        result.errors += 1
        result.notes.append(f"{url_path}: {type(error).__name__}: {error}"[:200])
    finally:
        await session.close()


async def run_class(
    base_url: str,
    pages: list[str],
    learners: int,
    seconds: float,
    pids: list[int],
    sample_s: float,
    seed: int,
) -> ClassResult:
    """``learners`` learners for ``seconds``; latency, errors, server CPU and memory."""
    result = ClassResult(learners)
    room = _Class(result, learners)
    tasks = [
        asyncio.create_task(
            learner(base_url, pages[i % len(pages)], room, random.Random(seed * 1000 + i))
        )
        for i in range(learners)
    ]
    await room.all_opened.wait()
    samples = [usage(pids)] if pids else []
    client_before = own_usage()
    room.stop_at = time.monotonic() + seconds
    room.start.set()
    gathered = asyncio.gather(*tasks)
    while not gathered.done():
        await asyncio.wait([gathered], timeout=sample_s)
        if pids:
            samples.append(usage(pids))
    await gathered
    client_after = own_usage()
    result.client_cpu = _cpu_percent(client_before, client_after)
    if len(samples) >= 2:
        result.server_cpu = _cpu_percent(samples[0], samples[-1])
        middle = min(samples, key=lambda s: abs(s.at - (samples[0].at + samples[-1].at) / 2))
        result.rss = (samples[0].rss_mb, middle.rss_mb, samples[-1].rss_mb)
    return result


def _cpu_percent(before: Usage, after: Usage) -> float:
    return 100.0 * (after.cpu_s - before.cpu_s) / max(after.at - before.at, 1e-9)


# ---- the table ------------------------------------------------------------------------------

COLUMNS = (
    "learners",
    "moves",
    "p50 ms",
    "p95 ms",
    "max ms",
    "errors",
    "srv CPU %",
    "cli CPU %",
    "RSS MB start",
    "mid",
    "end",
)


def table_row(r: ClassResult) -> list[str]:
    """One row of whole numbers; blank where not measured."""
    ms = [v * 1000 for v in r.latencies]

    def whole(v: float | None) -> str:
        return "" if v is None else f"{v:.0f}"

    rss = r.rss or (None, None, None)
    return [
        str(r.learners),
        str(len(ms)),
        whole(percentile(ms, 50) if ms else None),
        whole(percentile(ms, 95) if ms else None),
        whole(max(ms) if ms else None),
        str(r.errors),
        whole(r.server_cpu),
        whole(r.client_cpu),
        *(whole(v) for v in rss),
    ]


def format_table(results: list[ClassResult]) -> str:
    """A plain-text table, one row per class size."""
    rows = [list(COLUMNS), *(table_row(r) for r in results)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = ("  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in rows)
    return "\n".join(lines)


# ---- main -----------------------------------------------------------------------------------


def _int_list(text: str) -> list[int]:
    return [int(v) for v in re.split(r"[,\s]+", text.strip()) if v]


async def _main_async(args: argparse.Namespace, base_url: str, pids: list[int]) -> int:
    pages = [p for p in args.pages.split(",") if p] or await slider_pages(base_url)
    print(f"server {base_url}; pages with a slider: {', '.join(pages)}", flush=True)
    if pids:
        print(f"server pids (with their children): {', '.join(map(str, pids))}", flush=True)
    results = []
    for n in _int_list(args.learners):
        print(f"{n} learners for {args.seconds:.0f} s ...", flush=True)
        result = await run_class(base_url, pages, n, args.seconds, pids, args.sample, args.seed)
        for note in result.notes[:5]:
            print(f"  error: {note}", flush=True)
        results.append(result)
        await asyncio.sleep(2.0)  # let the server drop the closed sessions
    print(format_table(results))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", default="30", help="class sizes, e.g. 10,20,30")
    parser.add_argument("--seconds", type=float, default=60.0, help="measured time per size")
    parser.add_argument("--url", default="", help="an existing server (e.g. behind nginx)")
    parser.add_argument("--server-pids", default="", help="with --url: pids to measure")
    parser.add_argument("--pages", default="", help="comma-separated url_paths (default: all "
                        "pages with a slider)")  # fmt: skip
    parser.add_argument("--sample", type=float, default=5.0, help="seconds between samples")
    parser.add_argument("--seed", type=int, default=0, help="seed of the learners' jitter")
    args = parser.parse_args(argv)
    if args.url:
        return asyncio.run(_main_async(args, args.url.rstrip("/"), _int_list(args.server_pids)))
    with harness.streamlit_server(harness.PROJECT_ROOT / "dashboard.py") as base_url:
        port = int(base_url.rsplit(":", 1)[1])
        return asyncio.run(_main_async(args, base_url, server_pids(port)))


if __name__ == "__main__":
    raise SystemExit(main())
