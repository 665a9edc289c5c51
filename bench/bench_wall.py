"""Benchmark of the wall (not a test): server time and bytes for the first view and a drill-down.

    python bench/bench_wall.py OUT.json --db DB [--label scale1]

Starts ``python -m dashboard`` on the DuckDB file, opens ``/`` in Debian Chromium (headless,
Playwright) at 1920×1080 and records, from the ``Server-Timing`` header the app stamps on every
response: the server time of the layout and of every Dash callback of the first view (cold
cache), the bytes the browser downloaded, and the same for a drill-down (a click on the first
township of the ranking) and for a refresh of the drilled view (warm cache).
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.serving import running_server  # noqa: E402

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


class Recorder:
    """Collects (url, server ms, bytes) for every response a page receives."""

    def __init__(self, page):
        self.rows: list[dict] = []
        page.on("requestfinished", self._on)

    def _on(self, req):
        resp = req.response()
        sizes = req.sizes()           # bytes on the wire (compressed), headers included
        timing = resp.headers.get("server-timing", "") if resp else ""
        m = re.search(r"dur=([\d.]+)", timing)
        self.rows.append({"url": req.url, "ms": float(m.group(1)) if m else None,
                          "at": time.perf_counter(),
                          "bytes": sizes["responseBodySize"] + sizes["responseHeadersSize"]})

    def take(self) -> list[dict]:
        rows, self.rows = self.rows, []
        return rows


def summarise(rows: list[dict], t0: float) -> dict:
    """Totals of one step; ``seconds_to_last_response`` runs from the action to the last
    response (the quiet period waited for afterwards is not counted)."""
    cbs = [r for r in rows if "_dash-update-component" in r["url"]]
    return {
        "seconds_to_last_response": round(max((r["at"] for r in rows), default=t0) - t0, 2),
        "requests": len(rows),
        "bytes": sum(r["bytes"] for r in rows),
        "callbacks": len(cbs),
        "callback_server_ms_sum": round(sum(r["ms"] or 0 for r in cbs), 1),
        "callback_server_ms_max": round(max((r["ms"] or 0 for r in cbs), default=0), 1),
        "layout_server_ms": next((r["ms"] for r in rows if r["url"].endswith("/_dash-layout")), None),
    }


def settle(page, ms: int = 1500) -> None:
    """Wait until no Dash callback is pending for ``ms``."""
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(ms)


def run(db: Path) -> dict:
    out: dict = {}
    with running_server(db) as (base, _), sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        rec = Recorder(page)
        t0 = time.perf_counter()
        page.goto(base + "/")
        page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 6",
                               timeout=120_000)
        settle(page)
        out["first_view"] = summarise(rec.take(), t0)

        row = page.locator("#ranking-board .gw-row").first
        code = row.get_attribute("data-code")
        t0 = time.perf_counter()
        row.click()
        page.wait_for_url(re.compile(r"township="), timeout=60_000)
        settle(page)
        out["drill_down"] = {**summarise(rec.take(), t0), "township": code}

        t0 = time.perf_counter()
        page.reload()
        page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 6",
                               timeout=120_000)
        settle(page)
        out["reload_drilled_warm"] = summarise(rec.take(), t0)
        browser.close()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--db", required=True)
    ap.add_argument("--label", default="")
    args = ap.parse_args(argv)
    res = {"label": args.label, "db": args.db, **run(Path(args.db))}
    Path(args.out).write_text(json.dumps(res, indent=2, ensure_ascii=False))
    print(json.dumps(res, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
