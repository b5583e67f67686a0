"""Serve the dashboard from N `streamlit run` replicas behind nginx with sticky sessions.

Usage (from the project's root)::

    python -m deploy.run_replicas --replicas 4 --host 0.0.0.0 --port 8080

Each replica listens on a free port of 127.0.0.1; nginx (``deploy/nginx.conf``, ports filled in)
is the only thing listening on ``--host:--port``. All replicas get one cookie secret
(``STREAMLIT_SERVER_COOKIE_SECRET``: the environment's if set, else a fresh random one). nginx
runs unprivileged in the foreground with its pid file, logs and temp files in a temporary
directory, so it needs no root setup. The URL and every process id (replicas, nginx master and
workers) are printed, one JSON object with ``--json``, so a benchmark can watch CPU and memory.
Ctrl-C or SIGTERM stops everything; so does any replica or nginx exiting on its own.

Only the standard library: this runs on a class server that has no test tools installed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

PROJECT_ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = Path(__file__).resolve().parent / "nginx.conf"
NGINX_CANDIDATES = ("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx")
COOKIE_SECRET_ENV = "STREAMLIT_SERVER_COOKIE_SECRET"
HEALTH_PATH = "/_stcore/health"

_UPSTREAM_BLOCK = re.compile(r"(upstream\s+streamlit_replicas\s*\{)(.*?)(\})", re.S)
_UPSTREAM_SERVER = re.compile(r"^[ \t]*server\s+[^;]+;[ \t]*\n", re.M)
_LISTEN = re.compile(r"^([ \t]*)listen\s+[^;]+;", re.M)


@dataclass(frozen=True)
class Replica:
    """One ``streamlit run`` process: its address (``host:port``, as nginx reports it) and pid."""

    address: str
    pid: int

    @property
    def url(self) -> str:
        return f"http://{self.address}"


@dataclass(frozen=True)
class Deployment:
    """What :func:`serve` started: the proxy's URL, the replicas, nginx's pids, the work dir."""

    url: str
    listen: str
    replicas: tuple[Replica, ...]
    nginx_pid: int
    nginx_worker_pids: tuple[int, ...]
    workdir: Path
    processes: tuple[subprocess.Popen[bytes], ...] = field(repr=False, compare=False, default=())

    def exited(self) -> list[str]:
        """Which of the started processes have exited (on their own: serve() stops them last)."""
        names = [f"replica {r.url}" for r in self.replicas] + ["nginx"]
        return [
            name for name, p in zip(names, self.processes, strict=False) if p.poll() is not None
        ]

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready summary (what ``--json`` prints)."""
        return {
            "url": self.url,
            "listen": self.listen,
            "replicas": [{"address": r.address, "url": r.url, "pid": r.pid} for r in self.replicas],
            "nginx_pid": self.nginx_pid,
            "nginx_worker_pids": list(self.nginx_worker_pids),
            "workdir": str(self.workdir),
        }


def find_nginx() -> str | None:
    """Path of an nginx executable, or None."""
    for path in NGINX_CANDIDATES:
        if os.access(path, os.X_OK):
            return path
    return shutil.which("nginx")


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port on ``host`` nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def render_site_config(template: str, upstreams: Sequence[str], listen: str) -> str:
    """The template with its upstream ``server`` lines and its ``listen`` line replaced.

    Args:
        template: the text of ``deploy/nginx.conf``.
        upstreams: replica addresses, e.g. ``["127.0.0.1:8501", "127.0.0.1:8502"]``.
        listen: what nginx listens on, e.g. ``"127.0.0.1:8080"``.

    Raises:
        ValueError: no replica given, or the template lacks the upstream block or a listen line.
    """
    if not upstreams:
        raise ValueError("at least one replica address is needed")
    block = _UPSTREAM_BLOCK.search(template)
    if block is None or not _UPSTREAM_SERVER.search(block.group(2)):
        raise ValueError("the template has no `upstream streamlit_replicas { server ...; }` block")
    if len(_LISTEN.findall(template)) != 1:
        raise ValueError("the template must have exactly one `listen` line")
    servers = "".join(f"    server {address};\n" for address in upstreams)
    body = block.group(2)
    first = _UPSTREAM_SERVER.search(body)
    assert first is not None
    # The new list takes the first old server line's place; comments and the rest stay.
    body = body[: first.start()] + servers + _UPSTREAM_SERVER.sub("", body[first.start() :])
    text = template[: block.start(2)] + body + template[block.end(2) :]
    return _LISTEN.sub(lambda m: f"{m.group(1)}listen {listen};", text)


def main_config(workdir: Path, site_config: Path) -> str:
    """An nginx main config that runs in the foreground with every path under ``workdir``."""
    return f"""\
daemon off;
worker_processes 1;
pid {workdir}/nginx.pid;
error_log {workdir}/nginx-error.log warn;

events {{
    worker_connections 4096;
}}

http {{
    access_log {workdir}/nginx-access.log;
    client_body_temp_path {workdir}/client_body_temp;
    proxy_temp_path {workdir}/proxy_temp;
    fastcgi_temp_path {workdir}/fastcgi_temp;
    uwsgi_temp_path {workdir}/uwsgi_temp;
    scgi_temp_path {workdir}/scgi_temp;
    include {site_config};
}}
"""


def _nginx_version(nginx: str) -> tuple[int, ...]:
    out = subprocess.run([nginx, "-v"], capture_output=True, text=True, check=False).stderr
    match = re.search(r"nginx/(\d+)\.(\d+)\.(\d+)", out)
    return tuple(int(g) for g in match.groups()) if match else (0, 0, 0)


def nginx_command(nginx: str, workdir: Path, conf: Path) -> list[str]:
    """``nginx -p workdir -c conf`` (+ ``-e``, nginx >= 1.19.5, so that even the error log
    nginx opens before reading its config is ours, not /var/log/nginx)."""
    cmd = [nginx, "-p", f"{workdir}/", "-c", str(conf)]
    if _nginx_version(nginx) >= (1, 19, 5):
        cmd += ["-e", str(workdir / "nginx-error.log")]
    return cmd


def _child_pids(pid: int) -> tuple[int, ...]:
    """Direct children of ``pid`` (from /proc; empty where there is no /proc)."""
    children = []
    for entry in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            stat = (entry / "stat").read_text()
            # Field 4 is the parent pid; the command name (field 2) may hold spaces: split after it.
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                children.append(int(entry.name))
    return tuple(sorted(children))


def _wait_http_ok(
    proc: subprocess.Popen[bytes], url: str, timeout: float, log: Path, what: str
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{what} exited with {proc.returncode}:\n{tail}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as resp:
            if resp.status == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not answer {url} in {timeout:.0f} s (log: {log})")


def stop_process_group(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    """Signal the process group ``proc`` leads; SIGKILL it after 10 s."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def _spawn(cmd: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    # Output to a file, not an unread pipe (a full pipe would block the process); own process
    # group so that stopping it also stops whatever it started.
    with open(log, "wb") as out:
        return subprocess.Popen(
            cmd,
            cwd=PROJECT_ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )


@contextlib.contextmanager
def serve(
    replicas: int = 2,
    port: int | None = None,
    host: str = "127.0.0.1",
    script: str | Path = "dashboard.py",
    streamlit_args: Sequence[str] = (),
    nginx: str | None = None,
    cookie_secret: str | None = None,
    timeout: float = 90.0,
) -> Iterator[Deployment]:
    """Start ``replicas`` Streamlit servers and nginx in front; yield the :class:`Deployment`.

    Everything started is stopped at exit, also on failure. ``port=None`` picks a free one.
    ``cookie_secret``: shared by every replica; default the environment's
    ``STREAMLIT_SERVER_COOKIE_SECRET``, else a fresh random one.

    Raises:
        FileNotFoundError: no nginx executable.
        RuntimeError: a replica or nginx exited or did not become healthy within ``timeout``.
    """
    if replicas < 1:
        raise ValueError(f"replicas must be at least 1, got {replicas}")
    nginx = nginx or find_nginx()
    if nginx is None:
        raise FileNotFoundError("nginx not found: install it (Debian: apt-get install nginx)")
    workdir = Path(tempfile.mkdtemp(prefix="cfdl-deploy-"))
    # nginx started as root hands its workers to `nobody`: they must be able to reach their
    # temp directories (which nginx creates and chowns) inside this one.
    workdir.chmod(0o711)
    env = dict(os.environ)
    env[COOKIE_SECRET_ENV] = (
        cookie_secret or os.environ.get(COOKIE_SECRET_ENV) or secrets.token_hex(32)
    )
    procs: list[subprocess.Popen[bytes]] = []
    try:
        ports = [free_port() for _ in range(replicas)]
        for i, replica_port in enumerate(ports):
            cmd = [
                sys.executable, "-m", "streamlit", "run", str(script),
                "--server.address", "127.0.0.1",
                "--server.port", str(replica_port),
                "--server.headless", "true",
                "--browser.gatherUsageStats", "false",
                *streamlit_args,
            ]  # fmt: skip
            procs.append(_spawn(cmd, workdir / f"replica-{i + 1}.log", env))
        # Started all at once (they import in parallel), then waited on one by one.
        for i, (proc, replica_port) in enumerate(zip(procs, ports, strict=True)):
            url = f"http://127.0.0.1:{replica_port}{HEALTH_PATH}"
            _wait_http_ok(proc, url, timeout, workdir / f"replica-{i + 1}.log", f"replica {i + 1}")

        listen = f"{host}:{port or free_port(host)}"
        site = workdir / "streamlit-site.conf"
        addresses = [f"127.0.0.1:{p}" for p in ports]
        site.write_text(render_site_config(TEMPLATE.read_text(), addresses, listen))
        conf = workdir / "nginx.conf"
        conf.write_text(main_config(workdir, site))
        nginx_proc = _spawn(nginx_command(nginx, workdir, conf), workdir / "nginx.out")
        procs.append(nginx_proc)
        # Listening on every interface: this machine reaches it on loopback.
        url = "http://" + listen.replace("0.0.0.0:", "127.0.0.1:", 1)
        _wait_http_ok(nginx_proc, url + HEALTH_PATH, 15, workdir / "nginx-error.log", "nginx")
        yield Deployment(
            url=url,
            listen=listen,
            replicas=tuple(Replica(a, p.pid) for a, p in zip(addresses, procs, strict=False)),
            nginx_pid=nginx_proc.pid,
            nginx_worker_pids=_child_pids(nginx_proc.pid),
            workdir=workdir,
            processes=tuple(procs),
        )
    finally:
        # nginx first, so no request reaches a replica that is going away.
        for proc in reversed(procs):
            stop_process_group(proc)
        shutil.rmtree(workdir, ignore_errors=True)


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _describe(deployment: Deployment) -> str:
    lines = [f"url: {deployment.url}"]
    if deployment.listen.startswith("0.0.0.0:"):
        port = deployment.listen.rsplit(":", 1)[1]
        lines.append(f"learners: http://<this machine's address>:{port}")
    for i, replica in enumerate(deployment.replicas, start=1):
        lines.append(f"replica {i}: {replica.url} pid {replica.pid}")
    workers = " ".join(str(p) for p in deployment.nginx_worker_pids) or "?"
    lines.append(f"nginx: pid {deployment.nginx_pid} (workers: {workers})")
    lines.append(f"logs: {deployment.workdir}")
    lines.append("(each replica pid leads a process group that holds its worker processes)")
    return "\n".join(lines)


def _watch(deployment: Deployment, out: IO[str]) -> int:
    """Block until Ctrl-C / SIGTERM (0) or until a process exits on its own (1)."""
    try:
        while not (exited := deployment.exited()):
            time.sleep(1)
    except KeyboardInterrupt:
        print("stopping", file=out)
        return 0
    print(f"{', '.join(exited)} exited; stopping everything", file=out)
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: start, print the URL and pids, wait for Ctrl-C / SIGTERM, stop."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--replicas", type=int, default=2, help="streamlit processes (default 2)")
    parser.add_argument("--port", type=int, default=8080, help="nginx's port (0: a free one)")
    parser.add_argument(
        "--host", default="127.0.0.1", help="nginx's address (0.0.0.0 to serve a class)"
    )
    parser.add_argument("--script", default="dashboard.py", help="the app (default dashboard.py)")
    parser.add_argument("--json", action="store_true", help="print one JSON object, not text")
    parser.add_argument("streamlit_args", nargs="*", help="extra `streamlit run` options, after --")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        with serve(
            replicas=args.replicas,
            port=args.port or None,
            host=args.host,
            script=args.script,
            streamlit_args=args.streamlit_args,
        ) as deployment:
            text = json.dumps(deployment.as_dict()) if args.json else _describe(deployment)
            print(text, flush=True)
            return _watch(deployment, sys.stderr)
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
