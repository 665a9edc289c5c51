"""Screenshots of a running wall in headless Debian Chromium (never a downloaded browser).

    python scripts/screenshot.py --url http://127.0.0.1:8050/ --size 1920x1080 --out /tmp/wall.png
    python scripts/screenshot.py --url 'http://127.0.0.1:8050/?township=330683103' \
        --size 3840x2160 --out /tmp/wall_4k.png --press Escape

Waits until every plotly graph has drawn and the KPI count-up has settled, then shoots the
viewport. ``--size`` may be given several times (with as many ``--out``). ``--click SELECTOR``
clicks something first (e.g. ``'#ranking-board .gw-row >> nth=0'`` to drill into the top
township). Prints, per shot, the bytes downloaded, the server time of the Dash callbacks
(from the app's Server-Timing header) of the first view and of the click, and any request
that left localhost or console error (a wall is offline).
"""
from __future__ import annotations

import argparse
import sys
import time
from urllib.parse import urlparse

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        "--font-render-hinting=none"]
LOCAL = {"127.0.0.1", "localhost", "::1", "[::1]"}


def parse_size(text: str) -> tuple[int, int]:
    w, _, h = text.lower().partition("x")
    return int(w), int(h)


def wait_for_wall(page, timeout_ms: int = 60_000, min_graphs: int = 6) -> None:
    """Until at least ``min_graphs`` plotly graphs are drawn and the KPI strip has values."""
    page.wait_for_function(
        """n => document.querySelectorAll('.js-plotly-plot .main-svg').length >= n
               && document.querySelector('#gw-canvas.gw-ready')
               && (document.getElementById('kpi-today-value') || {}).textContent !== '—'""",
        arg=min_graphs, timeout=timeout_ms)


def _server_ms(resp) -> float | None:
    """The app's own time for a response (``Server-Timing: app;dur=<ms>``)."""
    timing = resp.headers.get("server-timing") or ""
    for part in timing.split(","):
        name, _, rest = part.strip().partition(";")
        if name == "app" and rest.startswith("dur="):
            return float(rest[4:])
    return None


def _summary(label: str, times: list[float]) -> str:
    if not times:
        return f"  {label}: no callbacks"
    return (f"  {label}: {len(times)} callbacks, server time sum {sum(times):.0f} ms, "
            f"slowest {max(times):.0f} ms")


def _wait_quiet(page, callbacks: list, n0: int, quiet_ms: int = 1200,
                timeout_ms: int = 30_000) -> None:
    """Until the click's callbacks have started and none has answered for ``quiet_ms``."""
    waited, last_n, still = 0, n0, 0
    while waited < timeout_ms:
        page.wait_for_timeout(100)
        waited += 100
        if len(callbacks) != last_n:
            last_n, still = len(callbacks), 0
        else:
            still += 100
        if last_n > n0 + 1 and still >= quiet_ms:
            return


def shoot(url: str, sizes: list[tuple[int, int]], outs: list[str], *, settle: float = 2.0,
          press: str | None = None, click: str | None = None, full_page: bool = False,
          verbose: bool = False) -> int:
    from playwright.sync_api import sync_playwright

    problems = 0
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for (w, h), out in zip(sizes, outs):
            page = browser.new_page(viewport={"width": w, "height": h}, device_scale_factor=1)
            sent: list[str] = []
            errors: list[str] = []
            size = {"bytes": 0}
            page.on("request", lambda r: sent.append(r.url))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))

            def on_finished(req):
                try:
                    s = req.sizes()
                    size["bytes"] += s["responseBodySize"] + s["responseHeadersSize"]
                except Exception:  # noqa: BLE001 - a request without sizes counts 0
                    pass

            page.on("requestfinished", on_finished)
            callbacks: list[float] = []
            stamps: list[float] = []

            def on_response(resp):
                if "_dash-update-component" in resp.url:
                    ms = _server_ms(resp)
                    if ms is not None:
                        callbacks.append(ms)
                        stamps.append(time.perf_counter())
                        if verbose:
                            try:
                                out_id = (resp.request.post_data_json or {}).get("output", "?")
                            except ValueError:
                                out_id = "?"
                            print(f"    {ms:7.1f} ms  {str(out_id)[:100]}")

            page.on("response", on_response)
            t0 = time.perf_counter()
            page.goto(url, wait_until="networkidle")
            wait_for_wall(page)
            first_view = list(callbacks)
            if stamps:
                print(f"  first view: last callback answered {stamps[-1] - t0:.2f} s after navigation")
            first_bytes = size["bytes"]
            print(_summary("first view", first_view))
            if click:
                n = len(callbacks)
                t1 = time.perf_counter()
                page.click(click)
                _wait_quiet(page, callbacks, n)
                done = stamps[-1] - t1 if len(stamps) > n else 0.0
                print(_summary(f"click → last callback answered in {done:.2f} s",
                               callbacks[n:]))
            if press:
                page.keyboard.press(press)
                page.wait_for_timeout(1500)
            page.wait_for_timeout(int(settle * 1000))
            page.screenshot(path=out, full_page=full_page)
            outside = [u for u in sent if urlparse(u).hostname not in LOCAL
                       and not u.startswith(("data:", "blob:"))]
            print(f"{out}: {w}x{h} in {time.perf_counter() - t0:.1f}s, first view "
                  f"{first_bytes / 1e6:.2f} MB; {size['bytes'] / 1e6:.2f} MB in {len(sent)} requests")
            for u in outside:
                print(f"  REQUEST LEFT LOCALHOST: {u}")
            for e in errors:
                print(f"  CONSOLE ERROR: {e}")
            problems += len(outside) + len(errors)
            page.close()
        browser.close()
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", required=True)
    ap.add_argument("--size", action="append", default=[], help="WxH, e.g. 1920x1080 (repeatable)")
    ap.add_argument("--out", action="append", default=[], help="PNG path (one per --size)")
    ap.add_argument("--settle", type=float, default=2.0, help="seconds to wait after drawing")
    ap.add_argument("--press", help="a key to press before the shot, e.g. Escape")
    ap.add_argument("--click", help="a Playwright selector to click before the shot")
    ap.add_argument("--verbose", action="store_true", help="print every callback's server time")
    args = ap.parse_args(argv)
    sizes = [parse_size(s) for s in (args.size or ["1920x1080"])]
    outs = args.out or [f"/tmp/wall_{w}x{h}.png" for w, h in sizes]
    if len(outs) != len(sizes):
        ap.error("give one --out per --size")
    problems = shoot(args.url, sizes, outs, settle=args.settle, press=args.press, click=args.click,
                     verbose=args.verbose)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
