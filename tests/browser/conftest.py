"""Real-browser fixtures: the wall served by ``python -m dashboard`` as a subprocess, and
Debian's Chromium (/usr/bin/chromium, never a downloaded browser) driven by Playwright.

The server runs on the demo county of tests/conftest.py with a short refresh (5 s) and
tour (3 s), so the unattended behaviour can be watched within a test.
"""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
SETTINGS = "[wall]\nrefresh_s = 5\ntour_s = 3\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, settings: Path, port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "dashboard", "--db", str(db), "--settings", str(settings),
         "--port", str(port)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})


def wait_healthy(proc: subprocess.Popen, base: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.stdout.read()}")
        try:
            if requests.get(base + "/api/health", timeout=2).ok:
                return
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError("server did not come up")
        time.sleep(0.2)


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextlib.contextmanager
def running_server(db: Path, settings: Path, port: int | None = None):
    port = port or free_port()
    proc = start_server(db, settings, port)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(proc, base)
        yield base, proc
    finally:
        stop_server(proc)


@pytest.fixture(scope="session")
def wall_settings(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("wall_settings") / "settings.toml"
    path.write_text(SETTINGS, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def wall_url(wall_demo_db, wall_settings):
    with running_server(wall_demo_db, wall_settings) as (base, _proc):
        yield base


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Watched:
    """A page with everything it requested, its console errors and the bytes it received."""

    page: object
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    bytes: int = 0

    def outside(self) -> list[str]:
        return [u for u in self.requests
                if urlparse(u).hostname not in LOCAL_HOSTS and not u.startswith(("data:", "blob:"))]


@pytest.fixture
def open_page(chromium):
    """``open_page(url, width, height)`` → Watched; every page is closed after the test."""
    pages = []

    def _open(url: str, width: int = 1920, height: int = 1080, wait: bool = True) -> Watched:
        context = chromium.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        w = Watched(page)
        page.on("request", lambda r: w.requests.append(r.url))
        page.on("console", lambda m: w.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: w.errors.append(str(e)))

        def finished(req):
            try:
                s = req.sizes()
                w.bytes += s["responseBodySize"] + s["responseHeadersSize"]
            except Exception:  # noqa: BLE001 - a request without sizes adds nothing
                pass

        page.on("requestfinished", finished)
        pages.append(context)
        page.goto(url, wait_until="load")
        if wait:
            wait_for_wall(page)
        return w

    yield _open
    for context in pages:
        context.close()


def wait_for_wall(page, graphs: int = 6, timeout: int = 30_000) -> None:
    """Until ``graphs`` plotly graphs are drawn, the canvas is scaled and the KPIs have values."""
    page.wait_for_function(
        """n => document.querySelectorAll('.js-plotly-plot .main-svg').length >= n
               && document.querySelector('#gw-canvas.gw-ready')
               && (document.getElementById('kpi-backlog-value') || {}).textContent !== '—'
               && document.querySelector('#ranking-board .gw-row')""",
        arg=graphs, timeout=timeout)
