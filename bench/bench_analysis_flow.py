"""A duty officer's session on /analysis/, timed click by click in Debian Chromium.

``python -m bench.bench_analysis_flow OUT.json --base http://127.0.0.1:PORT --pid PID
[--as-of ISO] [--shots DIR]`` against a server already running (``python -m dashboard``),
whose process id is given so its RSS can be sampled. Nothing here asserts a time.

Each step is one thing the officer does (open the page at county level, pick a township,
a grid, another window, a category, a keyword, page forward, the last page, sort by a
column, the 3D view); its time is the first request the step caused → the last answer
(the network quiet for ``QUIET_S`` afterwards), in ms, with the number of requests and the
slowest one. The CSV export is fetched outside the browser (as the download would be),
with the server's RSS sampled every 50 ms while it streams.
"""
from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import requests

QUIET_S = 1.5


def _rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class Net:
    """Requests of a page (and its frames) with start and end times."""

    def __init__(self, page, quiet: float = QUIET_S):
        self.page = page
        self.quiet = quiet
        self.log: dict = {}
        self.seq = 0
        page.on("request", self._start)
        page.on("requestfinished", self._end)
        page.on("requestfailed", self._end)

    def _start(self, r):
        self.seq += 1
        self.log[r] = [self.seq, None]

    def _end(self, r):
        if r in self.log:      # browser-side times (ms since the epoch)
            t = r.timing
            self.log[r][1] = (t["startTime"], t["startTime"] + max(t["responseEnd"], 0))

    def step(self, name: str, action, t0_floor: float | None = None, timeout: float = 120):
        """Run ``action`` and wait until the network is quiet; the step's span."""
        mark = self.seq
        action()
        deadline = time.monotonic() + timeout
        quiet_since, seen = time.monotonic(), (self.seq, 0)
        while time.monotonic() < deadline:
            self.page.wait_for_timeout(100)        # lets Playwright deliver the events
            mine = [v for v in list(self.log.values()) if v[0] > mark]
            now = (self.seq, sum(v[1] is not None for v in mine))
            if now != seen:
                quiet_since, seen = time.monotonic(), now
            if mine and all(v[1] for v in mine) and time.monotonic() - quiet_since > self.quiet:
                break
        mine = [(r, v[1]) for r, v in list(self.log.items()) if v[0] > mark and v[1]]
        if not mine:
            return {"step": name, "ms": None, "requests": 0}
        first = min(v[0] for _, v in mine)
        last = max(v[1] for _, v in mine)
        slow = max(mine, key=lambda x: x[1][1] - x[1][0])
        out = {"step": name, "ms": round(last - first), "requests": len(mine),
               "slowest": urlparse(slow[0].url).path,
               "slowest_ms": round(slow[1][1] - slow[1][0])}
        print(json.dumps(out, ensure_ascii=False), flush=True)
        return out


def _pick(page, cid: str, text: str) -> None:
    """Open the dropdown and click the first option containing ``text``."""
    page.click(f"#{cid} .Select-control")
    if page.locator(f"#{cid} .is-searchable").count():
        page.keyboard.type(text)
    page.locator(f"#{cid} .VirtualizedSelectOption:has-text('{text}')").first.click(
        timeout=10_000)


def run(base: str, pid: int, as_of: str, shots: Path | None, township: str | None,
        grid_text: str | None, width: int = 1920, height: int = 1080,
        window: str = "window=30d", browser=None, quiet: float = QUIET_S) -> dict:
    """``browser``: a Playwright Chromium already running (tests share one); else one is
    started here."""
    if browser is None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            own = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                     args=["--no-sandbox", "--disable-gpu"])
            try:
                return run(base, pid, as_of, shots, township, grid_text, width, height,
                           window, own, quiet)
            finally:
                own.close()
    steps = []
    rss = {"start_mb": round(_rss_mb(pid))}
    ctx = browser.new_context(viewport={"width": width, "height": height})
    page = ctx.new_page()
    net = Net(page, quiet)
    url = f"{base}/analysis/?{window}&as_of={as_of}"
    steps.append(net.step(f"open /analysis/ (county, {window})",
                          lambda: page.goto(url, wait_until="commit")))
    page.wait_for_selector("#an-events tbody tr td")
    if shots:
        page.screenshot(path=str(shots / f"county_{width}.png"))
    for word in ("噪音", "E0001234", "江滨路"):
        def typed(w=word):
            page.fill("#an-f-q", w)
            page.press("#an-f-q", "Enter")
        steps.append(net.step(f"keyword {word}", typed))
    steps.append(net.step("keyword cleared", lambda: (page.fill("#an-f-q", ""),
                                                      page.press("#an-f-q", "Enter"))))
    if shots:
        page.screenshot(path=str(shots / f"before_paging_{width}.png"), full_page=True)
    steps.append(net.step("next page", lambda: page.click("#an-events button.next-page")))
    steps.append(net.step("last page", lambda: page.click("#an-events button.last-page")))
    steps.append(net.step("sort by 地址", lambda: page.click(
        "#an-events th[data-dash-column='address'] .column-header--sort")))
    steps.append(net.step("first page by 地址", lambda: page.click(
        "#an-events button.first-page")))
    steps.append(net.step("last page by 地址", lambda: page.click(
        "#an-events button.last-page")))
    steps.append(net.step("sort by 上报时间", lambda: page.click(
        "#an-events th[data-dash-column='reported_at'] .column-header--sort")))
    href = page.get_attribute("#an-export", "href")     # the opening window's export
    if township:
        steps.append(net.step("choose a township", lambda: _pick(page, "an-f-township",
                                                                  township)))
    if grid_text:
        steps.append(net.step("choose a grid", lambda: _pick(page, "an-f-grid", grid_text)))
    steps.append(net.step("window 近7天", lambda: _pick(page, "an-f-window", "近7天")))
    if grid_text:
        steps.append(net.step("clear the grid", lambda: page.click(
            "#an-f-grid .Select-clear")))
    steps.append(net.step("category 矛盾纠纷", lambda: _pick(page, "an-f-category",
                                                               "矛盾纠纷")))
    steps.append(net.step("window 近30天", lambda: _pick(page, "an-f-window", "近30天")))
    steps.append(net.step("reset to county", lambda: page.click("#an-f-reset")))
    if shots:
        page.wait_for_timeout(1500)
        page.screenshot(path=str(shots / f"after_{width}.png"), full_page=True)
    ctx.close()
    # the export as the browser would download it, the server's memory sampled meanwhile
    peak = [0.0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], _rss_mb(pid))
            time.sleep(0.05)

    th = threading.Thread(target=sample)
    th.start()
    t = time.perf_counter()
    with requests.get(base + href, stream=True, timeout=600) as r:
        first_byte = None
        size = rows = 0
        for chunk in r.iter_content(1 << 16):
            if first_byte is None:
                first_byte = time.perf_counter() - t
            size += len(chunk)
            rows += chunk.count(b"\r\n")
    secs = time.perf_counter() - t
    done.set()
    th.join()
    rss["export_peak_mb"] = round(peak[0])
    rss["end_mb"] = round(_rss_mb(pid))
    return {"steps": steps, "export": {"href": href, "rows": rows - 1, "mb": round(size / 1e6, 1),
                                      "first_byte_ms": round((first_byte or 0) * 1000),
                                      "seconds": round(secs, 2)}, "rss": rss}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--base", required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--as-of", required=True)
    ap.add_argument("--township")
    ap.add_argument("--grid")
    ap.add_argument("--shots")
    ap.add_argument("--window", default="window=30d",
                    help="the opening window as URL parameters, e.g. start=2024-01-01&end=2025-01-01")
    ap.add_argument("--width", type=int, default=1920)
    ap.add_argument("--height", type=int, default=1080)
    a = ap.parse_args(argv)
    shots = Path(a.shots) if a.shots else None
    if shots:
        shots.mkdir(parents=True, exist_ok=True)
    res = run(a.base, a.pid, a.as_of, shots, a.township, a.grid, a.width, a.height,
              a.window)
    Path(a.out).write_text(json.dumps(res, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps(res["export"], ensure_ascii=False), json.dumps(res["rss"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
