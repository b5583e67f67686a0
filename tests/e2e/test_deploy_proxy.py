"""Two replicas behind nginx (deploy/): health, sticky routing, websocket, the app in a browser.

Which replica answered is read from the ``X-Upstream`` header deploy/nginx.conf adds. Without
nginx these tests skip, except in CI (``CI=true``), where they fail.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from bench import harness
from deploy import run_replicas
from tests.e2e.helpers import exceptions, open_page

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ROUTE_COOKIE = "cfdl_route"
# Every request a page makes, its websocket aside: the page, health, config, a static file.
PATHS = ("/", "/_stcore/health", "/_stcore/host-config", "/favicon.png")


def _require_nginx() -> str:
    path = run_replicas.find_nginx()
    if path is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("nginx not found: CI must run the deployment tests", pytrace=False)
        pytest.skip("nginx not found: install Debian's nginx package to test deploy/")
    return path


@pytest.fixture(scope="module")
def deployment() -> Iterator[run_replicas.Deployment]:
    """The dashboard from two replicas behind nginx on free ports of 127.0.0.1."""
    nginx = _require_nginx()
    with run_replicas.serve(replicas=2, port=harness.free_port(), nginx=nginx) as served:
        yield served


class Client:
    """An HTTP client with its own cookie jar: one browser, as far as nginx can tell."""

    def __init__(self, base_url: str, route: str | None = None) -> None:
        """``route``: send this route cookie on every request and keep no cookies."""
        self.base_url = base_url
        self.jar = http.cookiejar.CookieJar()
        if route is None:
            self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        else:
            self.opener = urllib.request.build_opener()
            self.opener.addheaders = [("Cookie", f"{ROUTE_COOKIE}={route}")]

    def get(self, path: str) -> tuple[int, Any]:
        """GET ``path``; return the status and the response headers (errors included)."""
        try:
            with self.opener.open(self.base_url + path, timeout=10) as resp:
                resp.read()
                return resp.status, resp.headers
        except urllib.error.HTTPError as err:
            return err.code, err.headers

    def route(self) -> str | None:
        """The value of the route cookie nginx gave this client, if any."""
        return next((c.value for c in self.jar if c.name == ROUTE_COOKIE), None)


def _addresses(deployment: run_replicas.Deployment) -> set[str]:
    return {replica.address for replica in deployment.replicas}


def _route_per_replica(deployment: run_replicas.Deployment) -> dict[str, str]:
    """A route cookie value that nginx sends to each replica (replica address -> value)."""
    found: dict[str, str] = {}
    for i in range(200):
        _, headers = Client(deployment.url, route=f"learner-{i}").get("/_stcore/health")
        found.setdefault(headers["X-Upstream"], f"learner-{i}")
        if len(found) == len(deployment.replicas):
            return found
    raise AssertionError(f"200 route values reached only {sorted(found)}")


def test_health_answers_through_the_proxy(deployment: run_replicas.Deployment) -> None:
    """``/_stcore/health`` through nginx: 200 from one of the replicas."""
    with urllib.request.urlopen(deployment.url + "/_stcore/health", timeout=10) as resp:
        assert resp.status == 200
        assert resp.read() == b"ok"
        assert resp.headers["X-Upstream"] in _addresses(deployment)


def test_every_request_of_a_client_reaches_one_replica(
    deployment: run_replicas.Deployment,
) -> None:
    """20 fresh clients: each gets a route cookie once and all its requests reach one replica;
    together they use both replicas (not pinned to one, as ip_hash on loopback would be)."""
    used = set()
    for _ in range(20):
        client = Client(deployment.url)
        upstreams = []
        for round_ in range(3):
            for path in PATHS:
                status, headers = client.get(path)
                assert status == 200, (path, status)
                cookies = headers.get_all("Set-Cookie") or []
                sets_route = any(c.startswith(f"{ROUTE_COOKIE}=") for c in cookies)
                # Only the very first response hands out the cookie; later ones reuse it.
                assert sets_route == (round_ == 0 and path == PATHS[0]), (path, round_)
                upstreams.append(headers["X-Upstream"])
        assert client.route(), "nginx set no route cookie"
        assert len(set(upstreams)) == 1, upstreams
        used |= set(upstreams)
    assert used == _addresses(deployment)


def _websocket_handshake(base_url: str, route: str, origin: str) -> tuple[str, dict[str, str]]:
    """Open ``/_stcore/stream`` with a raw handshake; return the status line and headers."""
    host = urlsplit(base_url).netloc
    request = (
        "GET /_stcore/stream HTTP/1.1\r\n"
        f"Host: {host}\r\n"
        "Upgrade: websocket\r\n"
        "Connection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\n"
        f"Origin: {origin}\r\n"
        f"Cookie: {ROUTE_COOKIE}={route}\r\n\r\n"
    )
    hostname, port = host.rsplit(":", 1)
    with socket.create_connection((hostname, int(port)), timeout=10) as sock:
        sock.sendall(request.encode())
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    status, *lines = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines)}
    return status, headers


def test_websocket_upgrades_on_the_clients_replica(deployment: run_replicas.Deployment) -> None:
    """The websocket through nginx: 101 on the replica the client's cookie names (and 403 for a
    foreign Origin, which shows nginx passes the browser's Host, port included)."""
    for address, route in _route_per_replica(deployment).items():
        status, headers = _websocket_handshake(deployment.url, route, deployment.url)
        assert status.startswith("HTTP/1.1 101"), status
        assert headers["upgrade"].lower() == "websocket"
        assert headers["x-upstream"] == address
    status, _ = _websocket_handshake(deployment.url, "learner-0", "http://elsewhere.example")
    assert status.startswith("HTTP/1.1 403"), status


def test_replicas_share_one_cookie_secret(deployment: run_replicas.Deployment) -> None:
    """Every replica runs with the same, non-empty STREAMLIT_SERVER_COOKIE_SECRET."""
    if not Path("/proc/self/environ").exists():
        pytest.skip("no /proc to read the replicas' environment from")
    secrets = set()
    for replica in deployment.replicas:
        environ = Path(f"/proc/{replica.pid}/environ").read_bytes().split(b"\0")
        values = [e.split(b"=", 1)[1] for e in environ if e.startswith(b"STREAMLIT_SERVER_COOKIE")]
        assert len(values) == 1 and values[0], "a replica has no cookie secret"
        secrets.add(values[0])
    assert len(secrets) == 1, "the replicas have different cookie secrets"


def test_app_and_its_download_work_through_the_proxy(
    deployment: run_replicas.Deployment, browser: Any
) -> None:
    """In Chromium, one learner per replica: the app draws its charts with no exception, and a
    download (a file held in one replica's memory) arrives; the other replica has no such file,
    which is why routing must be sticky."""
    routes = _route_per_replica(deployment)
    first_address, second_address = list(routes)[:2]
    for address, route in routes.items():
        context = browser.new_context(viewport=harness.VIEWPORT, accept_downloads=True)
        try:
            context.add_cookies([{"name": ROUTE_COOKIE, "value": route, "url": deployment.url}])
            page = context.new_page()
            open_page(page, deployment.url)
            title = page.locator('[data-testid="stMain"] h1').first.inner_text()
            assert title.startswith("Training is going downhill"), title
            assert not exceptions(page), exceptions(page)

            open_page(page, deployment.url, "gradient_descent")
            page.get_by_role("tab", name="Export").click()
            button = page.locator('[data-testid="stDownloadButton"] button').first
            button.wait_for(timeout=30_000)
            with page.expect_download(timeout=30_000) as download_info:
                button.click()
            download = download_info.value
            assert Path(download.path()).read_text().startswith("optimizer,lr,step,")
            assert not exceptions(page), exceptions(page)
        finally:
            context.close()

        media = urlsplit(download.url).path
        assert media.startswith("/media/"), download.url
        status, headers = Client(deployment.url, route=route).get(media)
        assert (status, headers["X-Upstream"]) == (200, address)
        if address == first_address:
            # Checked before the second learner's session exists: the same CSV (same content,
            # same media id) then lives on that replica too, kept after the tab closes for
            # a possible reconnect.
            status, headers = Client(deployment.url, route=routes[second_address]).get(media)
            assert (status, headers["X-Upstream"]) == (404, second_address)


def test_command_line_prints_pids_and_stops_everything_on_sigterm() -> None:
    """``python -m deploy.run_replicas --json``: the URL answers, and SIGTERM stops the
    replica and nginx (master and workers) and exits 0."""
    _require_nginx()
    cmd = [sys.executable, "-m", "deploy.run_replicas", "--replicas", "1", "--port", "0", "--json"]
    proc = subprocess.Popen(
        cmd, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # printed once everything is healthy
        assert line, proc.stderr.read() if proc.stderr else ""
        info = json.loads(line)
        with urllib.request.urlopen(info["url"] + "/_stcore/health", timeout=10) as resp:
            assert resp.status == 200
        pids = [r["pid"] for r in info["replicas"]] + [info["nginx_pid"]]
        pids += info["nginx_worker_pids"]
        assert len(pids) >= 3
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(pid) for pid in pids):
        time.sleep(0.1)
    assert not [pid for pid in pids if _alive(pid)]
    assert not Path(info["workdir"]).exists()


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, exited but not yet reaped by its parent, does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
