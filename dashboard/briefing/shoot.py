"""Chromium work of the briefing: the wall as it stood at the week's end, slide PNGs, the PDF.

Debian's Chromium (/usr/bin/chromium) driven headless by Playwright, as the browser tests do:
nothing is downloaded. The wall is the real app (``dashboard.app.create_app``) served in this
process by waitress on a free loopback port, with as_of pinned to the week's end, and stopped
after its screenshot.
"""
from __future__ import annotations

import contextlib
import dataclasses
import socket
import threading
from pathlib import Path

from store.settings import Settings

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--font-render-hinting=none"]
WALL_SIZE = (1920, 1080)
SCALE = 1.5          # slides are 1280×720 CSS px: 1920×1080 pixels per PNG


class RenderError(RuntimeError):
    """Chromium could not draw the briefing (message says which step)."""


@contextlib.contextmanager
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise RenderError(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def served_wall(db_path: Path, settings: Settings, as_of_iso: str):
    """The real wall app, as_of pinned, served on a free loopback port; yields its base URL."""
    import logging

    from waitress.server import create_server

    from dashboard.app import create_app

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)   # 'Task queue depth' noise
    raw = {**settings.raw, "as_of": as_of_iso}
    # open as a read-only kiosk (role wall: aggregates, no personal data) for these seconds on a
    # random loopback port, whatever [auth] says for the real server: Chromium has no login
    raw["auth"] = {**(raw.get("auth") or {}), "required": False, "open_role": "wall"}
    app = create_app(db_path, dataclasses.replace(settings, raw=raw), host="127.0.0.1")
    server = create_server(app.server, host="127.0.0.1", port=_free_port(), threads=4,
                           ident="gridwall-briefing")
    stop = threading.Event()

    def loop():
        # poll in small steps so the loop can be told to stop, then close in this thread
        while not stop.is_set():
            server.asyncore.loop(timeout=0.1, map=server._map, count=1)
        server.task_dispatcher.shutdown(timeout=5)
        for channel in list(server._map.values()):
            channel.close()

    thread = threading.Thread(target=loop, name="briefing-wall", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        stop.set()
        thread.join(10)
        for before_close in app.server.config.get("GRIDWALL_ON_CLOSE", []):
            before_close()          # the wall's background renderer, mid-query maybe
        app.server.config["GRIDWALL_CTX"].store.close()


WALL_READY_JS = """() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= 6
  && document.querySelector('#gw-canvas.gw-ready')
  && (document.getElementById('kpi-backlog-value') || {}).textContent !== '—'
  && document.querySelector('#ranking-board .gw-row')"""

STAMP_JS = """text => {
  const clock = document.getElementById('gw-clock');
  if (clock) { clock.removeAttribute('id'); clock.textContent = text; return; }
  const tag = document.createElement('div');
  tag.textContent = '周报截图 · ' + text;
  tag.style.cssText = 'position:fixed;right:14px;bottom:10px;z-index:99999;padding:4px 12px;' +
    'font:600 18px "Noto Sans CJK SC",sans-serif;color:#e6f1ff;background:rgba(4,11,26,.85);' +
    'border:1px solid #27d3ff;border-radius:4px';
  document.body.appendChild(tag);
}"""


def _ready(page, js: str, what: str, timeout: int = 60_000) -> None:
    try:
        page.wait_for_function(js, timeout=timeout)
    except Exception as exc:  # noqa: BLE001 - say which step failed, not Playwright's trace
        raise RenderError(f"{what} did not finish drawing: {exc}") from exc


def open_wall(browser, base_url: str, township: str | None = None,
              window: tuple | None = None):
    """A 1920×1080 page on ``/``, navigation started (the wall draws while other work runs).

    ``window`` (start, end) dates put the wall on the briefing's week (``?start=&end=``), so
    its KPIs and gauges show the very figures of the document."""
    from urllib.parse import urlencode

    context = browser.new_context(viewport={"width": WALL_SIZE[0], "height": WALL_SIZE[1]},
                                  device_scale_factor=1)
    page = context.new_page()
    query = {}
    if township:
        query["township"] = township
    if window:
        query["start"], query["end"] = window[0].isoformat(), window[1].isoformat()
    page.goto(base_url + "/" + (f"?{urlencode(query)}" if query else ""), wait_until="commit")
    return page


# the wall's KPI tiles of the window's cohort (rates): compared with the whole week before
WINDOW_KPIS = ("handling", "ontime", "satisfaction")

WITHHOLD_JS = """keys => {
  for (const k of keys) {
    const el = document.getElementById('kpi-' + k + '-delta');
    if (el) { el.textContent = '环比 —'; el.className = 'gw-kpi-delta gw-delta-none'; }
  }
}"""


def wall_png(page, stamp: str, timeout: int = 45_000,
             compare_window: bool = True) -> tuple[bytes, bool]:
    """The wall's screenshot once every panel has drawn, its clock replaced by ``stamp``;
    and whether it did draw completely. A wall that does not finish in ``timeout`` ms (a
    county without rankable units, say) is still shot: a briefing with a partial wall image
    beats no briefing on Monday morning.

    ``compare_window`` False (a partly loaded week, which the document does not compare):
    the window's rate tiles say ``环比 —``, the wall's own word for no comparison, instead of
    a change on the whole week before (办结率 ▲17.7个百分点 beside a document that says
    不作环比); the backlog tiles, compared at the same moment a week earlier, stay."""
    try:
        page.wait_for_function(WALL_READY_JS, timeout=timeout)
        complete = True
    except Exception:  # noqa: BLE001 - Playwright's timeout; the caller reports it
        complete = False
    page.wait_for_timeout(1600)     # count-up animations (数字翻牌) settle
    page.evaluate(STAMP_JS, stamp)
    if not compare_window:
        page.evaluate(WITHHOLD_JS, list(WINDOW_KPIS))
    return page.screenshot(type="png"), complete


def open_document(browser, html_path: Path):
    """A slide-sized page on the briefing document, loading (plotly draws in the background)."""
    from dashboard.briefing.document import SLIDE_H, SLIDE_W

    context = browser.new_context(viewport={"width": SLIDE_W, "height": SLIDE_H},
                                  device_scale_factor=SCALE)
    page = context.new_page()
    page.goto(html_path.resolve().as_uri(), wait_until="commit")
    return page


def slide_pngs(page, png_dir: Path, prefix: str) -> list[Path]:
    """Every ``section[data-png]`` of the document as ``{prefix}NN_key.png`` (1920×1080)."""
    _ready(page, "() => window.__briefingReady || window.__briefingError",
           "the briefing document")
    error = page.evaluate("() => window.__briefingError || null")
    if error:
        raise RenderError(f"plotly failed in the briefing document: {error}")
    out = []
    for i, section in enumerate(page.query_selector_all("section[data-png]"), start=1):
        path = png_dir / f"{prefix}{i:02d}_{section.get_attribute('data-png')}.png"
        section.screenshot(path=str(path), type="png")
        out.append(path)
    return out


def print_pdf(page, pdf_path: Path, wall_src: str | None) -> None:
    """Put the wall screenshot into its slide, then print the document, one slide a page."""
    from dashboard.briefing.document import SLIDE_H, SLIDE_W

    if wall_src:
        page.evaluate("""async src => { const img = document.getElementById('wall-img');
            if (img) { img.src = src; await img.decode(); } }""", wall_src)
    page.emulate_media(media="screen")
    page.pdf(path=str(pdf_path), width=f"{SLIDE_W}px", height=f"{SLIDE_H}px",
             print_background=True, prefer_css_page_size=True,
             margin={"top": "0", "right": "0", "bottom": "0", "left": "0"})
