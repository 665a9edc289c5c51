"""The analysis page's API and first view, measured on a real server (``python -m dashboard``).

``python -m bench.bench_analysis --db PATH [--out bench/analysis_results.json] [--quick]``
(also run by ``python -m bench`` on each demo county it builds). Nothing here asserts a time.

**Server time.** Per request kind (table pages with several sorts, filters and deep pages;
the hotspot table; the 3D view), ``n`` cold requests — each asks for a window no cache has
seen — report p50 and p95 of the server time (``Server-Timing``) and of the process CPU
time the request cost (``X-Gridwall-CPU-ms``, DuckDB's threads included: on a shared
machine the wall clock also counts waiting for a core). Beside them, from the same run: a
raw DuckDB ``count(*)`` over the same 30-day windows of ``events`` in this process (the
floor: no Python, no HTTP), and ``/api/metrics`` for 30 days (the wall's main read).

**First view.** ``/analysis/`` opened in Debian Chromium (a new browser context each run:
empty cache) at 1920×1080, each run with its own ``as_of`` so the server's caches are cold
too. *First view drawn* = the time from navigation start (``performance.timeOrigin``) to
the first animation frame in which the event table shows at least one data row and the
hotspot table shows at least one row (or its summary says there is none), both inside the
viewport with a non-zero size — watched by a MutationObserver the benchmark injects, not
by the page's own code. *Complete* = additionally the 3D frame has drawn its deck
(``data-ready``, a canvas), and the hour × weekday matrix and the trend are drawn (plotly
SVG).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import statistics
import sys
import time
from pathlib import Path

import duckdb
import requests

from tests.serving import free_port, start_server, stop_server

ROOT = Path(__file__).resolve().parents[1]

FIRST_VIEW_JS = """
(() => {
  const visible = el => { if (!el) return false; const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.top < innerHeight && r.bottom > 0; };
  const drawn = () => {
    const ev = document.querySelector('#an-events tbody tr td');
    const hot = document.querySelector('#an-hot-table tbody tr td');
    const none = document.getElementById('an-hot-summary');
    return visible(ev) && (visible(hot) || (none && none.innerText.includes('没有新发热点')));
  };
  const check = () => {
    if (window.__benchFirstView !== undefined || !drawn()) return;
    requestAnimationFrame(() => {
      if (window.__benchFirstView === undefined) window.__benchFirstView = performance.now();
    });
  };
  document.addEventListener('DOMContentLoaded', () => {
    new MutationObserver(check).observe(document.body, {childList: true, subtree: true,
                                                        characterData: true});
    check();
  });
})();
"""
COMPLETE_JS = """() => {
  const f = document.getElementById('an-deck-frame');
  const d = f && f.contentDocument;
  return window.__benchFirstView !== undefined && d && d.body
      && d.body.getAttribute('data-ready') === '1' && d.querySelector('canvas')
      && document.querySelector('#an-matrix .main-svg')
      && document.querySelector('#an-trend .main-svg');
}"""


def _server_ms(resp: requests.Response) -> float:
    return float(resp.headers["Server-Timing"].split("dur=")[1].split(",")[0])


def _wait(base: str, proc, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(proc.stdout.read())
        try:
            if requests.get(base + "/api/health", timeout=60).ok:
                return
        except requests.RequestException:
            time.sleep(0.5)
    raise TimeoutError("server did not come up")


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100): a value that was measured."""
    s = sorted(values)
    return s[max(0, math.ceil(q / 100 * len(s)) - 1)]


def summary(ms: list[float], cpu: list[float] | None = None) -> dict:
    out = {"n": len(ms), "p50_ms": round(statistics.median(ms), 1),
           "p95_ms": round(pct(ms, 95), 1), "max_ms": round(max(ms), 1),
           "all_ms": [round(x, 1) for x in ms]}
    if cpu:
        out["cpu_p50_ms"] = round(statistics.median(cpu), 1)
        out["cpu_p95_ms"] = round(pct(cpu, 95), 1)
    return out


def _series(base: str, urls: list[str]) -> dict:
    ms, cpu = [], []
    for u in urls:
        r = requests.get(base + u, timeout=120)
        r.raise_for_status()
        ms.append(_server_ms(r))
        if "X-Gridwall-CPU-ms" in r.headers:
            cpu.append(float(r.headers["X-Gridwall-CPU-ms"]))
    return summary(ms, cpu)


def duckdb_count_baseline(db: Path, windows: list[tuple[dt.datetime, dt.datetime]]) -> dict:
    """The floor: DuckDB counting the events of each window, in this process."""
    con = duckdb.connect(str(db), read_only=True)
    con.execute("SELECT count(*) FROM events").fetchone()      # open the file, as the app has
    ms = []
    for a, b in windows:
        t = time.perf_counter()
        con.execute("SELECT count(*) FROM events WHERE reported_at >= ? AND reported_at < ?",
                    [a, b]).fetchone()
        ms.append((time.perf_counter() - t) * 1000)
    con.close()
    return summary(ms)


def run(db: Path, n: int = 20, first_view_runs: int = 5, csv: bool = True,
        browser=None) -> dict:
    """``browser``: a Playwright Chromium already running (tests share one per session);
    else one is started here."""
    con = duckdb.connect(str(db), read_only=True)
    newest = con.execute("SELECT max(reported_at) FROM events").fetchone()[0]
    con.close()
    as_of = newest.isoformat(sep="T")
    day = newest.date()
    days = [day - dt.timedelta(days=3 * i) for i in range(1, n + 1)]     # n distinct windows

    def win(d: dt.date, k: int) -> str:
        return f"start={d - dt.timedelta(days=k - 1)}&end={d + dt.timedelta(days=1)}&as_of={as_of}"

    port = free_port()
    proc = start_server(db, ROOT / "data" / "settings.toml", port)
    base = f"http://127.0.0.1:{port}"
    out: dict = {"db": str(db), "as_of": as_of, "requests_per_kind": n,
                 "load_avg_at_start": [round(x, 1) for x in os.getloadavg()],
                 "cpus": os.cpu_count()}
    api: dict = {}
    try:
        _wait(base, proc)
        towns = [t["code"] for t in requests.get(base + "/api/townships", timeout=60).json()
                 ["townships"]]
        requests.get(base + f"/api/hotspots?{win(day, 7)}", timeout=120)     # warm: coverage
        out["baseline_metrics_30d"] = _series(base, [f"/api/metrics?{win(d, 30)}" for d in days])
        kinds = {
            "hotspots_7d_county": lambda i, d: f"/api/hotspots?{win(d, 7)}",
            "hotspots_30d_township_category": lambda i, d: (
                f"/api/hotspots?{win(d, 30)}&township={towns[i % len(towns)]}&category=矛盾纠纷"),
            "events_30d_page1": lambda i, d: f"/api/events?{win(d, 30)}",
            "events_30d_township_category": lambda i, d: (
                f"/api/events?{win(d, 30)}&township={towns[i % len(towns)]}&category=矛盾纠纷"),
            "events_7d_warning_red": lambda i, d: f"/api/events?{win(d, 7)}&warning=red",
            "events_30d_page100_by_department": lambda i, d: (
                f"/api/events?{win(d, 30)}&page=100&sort=department"),
            "events_30d_page500_newest_first": lambda i, d: (
                f"/api/events?{win(d, 30)}&page=500&sort=-reported_at"),
            "events_30d_page20_by_warning": lambda i, d: (
                f"/api/events?{win(d, 30)}&page=20&sort=-warning"),
            "events_30d_page100_by_address": lambda i, d: (
                f"/api/events?{win(d, 30)}&page=100&sort=address"),
            "events_365d_page1": lambda i, d: f"/api/events?{win(d, 365)}",
            "events_all_time_page2000": lambda i, d: (      # no window; own as_of each
                f"/api/events?as_of={(newest - dt.timedelta(minutes=i)).isoformat(sep='T')}"
                "&page=2000&sort=-reported_at"),
        }
        for name, url in kinds.items():
            api[name] = _series(base, [url(i, d) for i, d in enumerate(days)])
        api["deck_30d_county"] = _series(base, [f"/api/deck?{win(d, 30)}" for d in days[:5]])
        out["api"] = api
        if csv:
            t = time.perf_counter()
            r = requests.get(base + f"/api/events.csv?{win(day, 30)}", timeout=600)
            secs = time.perf_counter() - t
            rows = r.content.count(b"\r\n") - 1
            out["csv_30d_county"] = {"rows": rows, "mb": round(len(r.content) / 1e6, 1),
                                     "seconds": round(secs, 2), "rows_per_s": int(rows / secs)}
        if first_view_runs:
            out["first_view"] = first_view(base, newest, first_view_runs, browser)
    finally:
        stop_server(proc)
    out["baseline_duckdb_count_30d"] = duckdb_count_baseline(
        db, [(dt.datetime.combine(d - dt.timedelta(days=29), dt.time()),
              dt.datetime.combine(d + dt.timedelta(days=1), dt.time())) for d in days])
    out["load_avg_at_end"] = [round(x, 1) for x in os.getloadavg()]
    floor = out["baseline_duckdb_count_30d"]["p50_ms"]
    out["p50_over_duckdb_count"] = {k: round(v["p50_ms"] / floor, 1) for k, v in api.items()}
    # the same HTTP path under the same load: what survives a busy machine is the ratio
    metrics = out["baseline_metrics_30d"]["p50_ms"]
    out["p50_over_metrics"] = {k: round(v["p50_ms"] / metrics, 2) for k, v in api.items()}
    return out


def first_view(base: str, newest: dt.datetime, runs: int, browser=None) -> dict:
    """``runs`` cold loads of /analysis/ (new context each, own as_of): first view and
    complete view in ms from navigation start, with the console errors seen."""
    if browser is None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            own = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                     args=["--no-sandbox", "--disable-gpu"])
            try:
                return first_view(base, newest, runs, own)
            finally:
                own.close()
    first, complete, errors = [], [], []
    for i in range(runs):
        as_of = (newest - dt.timedelta(days=5 * (i + 1))).isoformat(sep="T")
        context = browser.new_context(viewport={"width": 1920, "height": 1080})
        page = context.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.add_init_script(FIRST_VIEW_JS)
        page.goto(f"{base}/analysis/?window=30d&as_of={as_of}", wait_until="commit")
        page.wait_for_function("() => window.__benchFirstView !== undefined", timeout=120_000)
        first.append(page.evaluate("window.__benchFirstView"))
        page.wait_for_function(COMPLETE_JS, timeout=180_000)
        complete.append(page.evaluate("performance.now()"))
        context.close()
    return {"definition": "ms from navigation start to the first frame with event-table rows"
                          " and hotspot rows visible (complete: + deck canvas, matrix, trend)",
            "first_view": summary(first), "complete": summary(complete),
            "console_errors": errors}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.bench_analysis",
                                 description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--out", default=str(ROOT / "bench" / "analysis_results.json"))
    ap.add_argument("-n", type=int, default=20, help="cold requests per kind")
    ap.add_argument("--first-view-runs", type=int, default=5)
    ap.add_argument("--no-csv", action="store_true")
    args = ap.parse_args(argv)
    res = run(Path(args.db), args.n, args.first_view_runs, csv=not args.no_csv)
    Path(args.out).write_text(json.dumps(res, ensure_ascii=False, indent=2), encoding="utf-8")
    print(table(res))
    return 0


def table(res: dict) -> str:
    """A plain-text table of the run (what the docs quote)."""
    lines = [f"{res['db']}  load avg {res['load_avg_at_start']} → {res['load_avg_at_end']}"
             f" on {res['cpus']} CPUs",
             f"{'request (ms)':42} {'p50':>7} {'p95':>7} {'cpu p50':>8} {'cpu p95':>8}"
             f" {'p50/metrics':>11}"]
    rows = {**res.get("api", {}), "baseline: /api/metrics 30d": res["baseline_metrics_30d"],
            "baseline: DuckDB count(*) 30d": res["baseline_duckdb_count_30d"]}
    for k, v in rows.items():
        lines.append(f"{k:42} {v['p50_ms']:7.1f} {v['p95_ms']:7.1f}"
                     f" {v.get('cpu_p50_ms', float('nan')):8.1f}"
                     f" {v.get('cpu_p95_ms', float('nan')):8.1f}"
                     f" {res.get('p50_over_metrics', {}).get(k, float('nan')):11.2f}")
    fv = res.get("first_view")
    if fv:
        lines.append(f"first view (ms from navigation): p50 {fv['first_view']['p50_ms']:.0f},"
                     f" p95 {fv['first_view']['p95_ms']:.0f}; complete p50"
                     f" {fv['complete']['p50_ms']:.0f}, p95 {fv['complete']['p95_ms']:.0f};"
                     f" console errors {len(fv['console_errors'])}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
