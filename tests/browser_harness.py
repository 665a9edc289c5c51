"""Real-browser fixtures (one Chromium for the whole session, loaded by tests/conftest.py): the wall served by ``python -m dashboard`` as a subprocess, and
Debian's Chromium (/usr/bin/chromium, never a downloaded browser) driven by Playwright.

The server runs on the demo county of tests/conftest.py with a short refresh (5 s) and
tour (3 s), so the unattended behaviour can be watched within a test.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.serving import running_server, settings_file

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
SETTINGS = "[wall]\nrefresh_s = 5\ntour_s = 3\n"
# collects every Content-Security-Policy violation the page reports into window.__csp
WATCH_CSP = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
    e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


@pytest.fixture(scope="session")
def wall_settings(tmp_path_factory) -> Path:
    return settings_file(tmp_path_factory, "wall_settings", SETTINGS)


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


@contextmanager
def csp_page(chromium, width: int, height: int):
    """A page that records CSP violations (``window.__csp``) and console and page errors
    (``page.errors``); its context is closed afterwards."""
    context = chromium.new_context(viewport={"width": width, "height": height})
    pg = context.new_page()
    pg.add_init_script(WATCH_CSP)
    pg.errors = []
    pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    try:
        yield pg
    finally:
        context.close()


def wait_for_wall(page, graphs: int = 6, timeout: int = 30_000) -> None:
    """Until ``graphs`` plotly graphs are drawn, the canvas is scaled and the KPIs have values."""
    page.wait_for_function(
        """n => document.querySelectorAll('.js-plotly-plot .main-svg').length >= n
               && document.querySelector('#gw-canvas.gw-ready')
               && (document.getElementById('kpi-backlog-value') || {}).textContent !== '—'
               && document.querySelector('#ranking-board .gw-row')""",
        arg=graphs, timeout=timeout)
