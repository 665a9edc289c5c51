"""The analysis page's API and first view, measured on a real server (``python -m dashboard``).

``python -m bench.bench_analysis --db PATH [--out bench/analysis_results.json]`` records, per
request kind, the server time from the ``Server-Timing`` header (cold: every request asks for
a window or filter set not asked before, so no cache answers), beside two baselines measured
in the same run (and, for the analysis API, the process CPU time the request cost, from
``X-Gridwall-CPU-ms``: on a shared machine the wall clock also counts waiting for a core):
``/api/metrics`` for a 30-day window (the wall's main read) and DuckDB
counting the same window directly. Then the first view of ``/analysis/`` in Debian Chromium:
time until the 3D frame has drawn and the event table has rows. Nothing here asserts a time.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path

import duckdb
import requests

from tests.serving import free_port, start_server, stop_server

ROOT = Path(__file__).resolve().parents[1]


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


def _series(base: str, urls: list[str]) -> dict:
    ms, cpu = [], []
    for u in urls:
        r = requests.get(base + u, timeout=120)
        r.raise_for_status()
        ms.append(_server_ms(r))
        if "X-Gridwall-CPU-ms" in r.headers:
            cpu.append(float(r.headers["X-Gridwall-CPU-ms"]))
    out = {"n": len(ms), "p50_ms": round(statistics.median(ms), 1),
           "max_ms": round(max(ms), 1), "all_ms": [round(x, 1) for x in ms]}
    if cpu:
        out["cpu_p50_ms"] = round(statistics.median(cpu), 1)
    return out


def run(db: Path) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    newest = con.execute("SELECT max(reported_at) FROM events").fetchone()[0]
    con.close()
    as_of = newest.isoformat(sep="T")
    day = newest.date()
    days = [day - dt.timedelta(days=3 * i) for i in range(1, 11)]   # ten distinct windows

    def win(d: dt.date, n: int) -> str:
        return f"start={d - dt.timedelta(days=n - 1)}&end={d + dt.timedelta(days=1)}&as_of={as_of}"

    port = free_port()
    proc = start_server(db, ROOT / "data" / "settings.toml", port)
    base = f"http://127.0.0.1:{port}"
    out: dict = {"db": str(db), "as_of": as_of,
                 "load_avg_at_start": [round(x, 1) for x in os.getloadavg()],
                 "cpus": os.cpu_count()}
    try:
        _wait(base, proc)
        towns = [t["code"] for t in requests.get(base + "/api/townships", timeout=60).json()
                 ["townships"]]
        requests.get(base + f"/api/hotspots?{win(day, 7)}", timeout=120)     # warm: coverage
        out["baseline_metrics_30d"] = _series(base, [f"/api/metrics?{win(d, 30)}" for d in days])
        out["hotspots_7d_county"] = _series(base, [f"/api/hotspots?{win(d, 7)}" for d in days])
        out["hotspots_30d_township_category"] = _series(
            base, [f"/api/hotspots?{win(d, 30)}&township={towns[i % len(towns)]}"
                   f"&category=矛盾纠纷" for i, d in enumerate(days)])
        out["events_30d_page1"] = _series(base, [f"/api/events?{win(d, 30)}" for d in days])
        out["events_30d_page100_by_department"] = _series(
            base, [f"/api/events?{win(d, 30)}&page=100&sort=department" for d in days])
        out["events_30d_township_category"] = _series(
            base, [f"/api/events?{win(d, 30)}&township={towns[i % len(towns)]}&category=矛盾纠纷"
                   for i, d in enumerate(days)])
        out["events_7d_warning_red"] = _series(
            base, [f"/api/events?{win(d, 7)}&warning=red" for d in days])
        out["events_365d_page1"] = _series(base, [f"/api/events?{win(d, 365)}" for d in days[:5]])
        out["deck_30d_county"] = _series(base, [f"/api/deck?{win(d, 30)}" for d in days[:5]])
        t = time.perf_counter()
        r = requests.get(base + f"/api/events.csv?{win(day, 30)}", timeout=600)
        secs = time.perf_counter() - t
        rows = r.content.count(b"\r\n") - 1
        out["csv_30d_county"] = {"rows": rows, "mb": round(len(r.content) / 1e6, 1),
                                 "seconds": round(secs, 2), "rows_per_s": int(rows / secs)}
        out["first_view_chromium_s"] = _first_view(base + "/analysis/")
    finally:
        stop_server(proc)
    con = duckdb.connect(str(db), read_only=True)
    times = []
    for d in days:
        t = time.perf_counter()
        con.execute("SELECT count(*) FROM events WHERE reported_at >= ? AND reported_at < ?",
                    [dt.datetime.combine(d - dt.timedelta(days=29), dt.time()),
                     dt.datetime.combine(d + dt.timedelta(days=1), dt.time())]).fetchone()
        times.append((time.perf_counter() - t) * 1000)
    con.close()
    out["baseline_duckdb_count_30d_ms"] = round(statistics.median(times), 2)
    out["load_avg_at_end"] = [round(x, 1) for x in os.getloadavg()]
    base_ms = out["baseline_metrics_30d"]["p50_ms"]
    out["ratio_to_metrics"] = {k: round(v["p50_ms"] / base_ms, 2) for k, v in out.items()
                               if isinstance(v, dict) and "p50_ms" in v}
    return out


def _first_view(url: str) -> float:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                     args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        t = time.perf_counter()
        page.goto(url, wait_until="load")
        page.wait_for_function(
            """() => { const f = document.getElementById('an-deck-frame');
                       const d = f && f.contentDocument;
                       return d && d.body && d.body.getAttribute('data-ready') === '1'
                           && document.querySelectorAll('#an-events tbody tr td').length > 0; }""",
            timeout=120_000)
        secs = time.perf_counter() - t
        browser.close()
    return round(secs, 2)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.bench_analysis", description=__doc__)
    ap.add_argument("--db", required=True)
    ap.add_argument("--out", default=str(ROOT / "bench" / "analysis_results.json"))
    args = ap.parse_args(argv)
    res = run(Path(args.db))
    Path(args.out).write_text(json.dumps(res, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps({k: ({"p50_ms": v["p50_ms"], "cpu_p50_ms": v.get("cpu_p50_ms")}
                          if isinstance(v, dict) and "p50_ms" in v else v)
                      for k, v in res.items()}, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
