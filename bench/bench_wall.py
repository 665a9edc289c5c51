"""Benchmark of the wall (not a test): each figure beside its baseline, measured in the same run.

    python bench/bench_wall.py OUT.json --db DB [--label scale40] [--rounds 1]

Starts ``python -m dashboard`` on the DuckDB file and opens ``/`` in Debian Chromium
(headless, Playwright) at 1920×1080, then measures:

* **first view**: bytes on the wire, requests, Dash callbacks, server time (the app's
  ``Server-Timing`` header); baseline: the bytes of the county's and the grids' full-resolution
  GeoJSON (what a naive map would send), raw and gzipped.
* **drill-down**: a click on each township's ranking row, from the first callback request to
  the last answer (the browser's resource timings; a refresh tick's request that happens to
  fall in between is left out), "cold" (the first visit of each
  township after the server started) and "warm" (the second); p50 / p95 / max. Baselines for
  the same township views: the same figures in pandas over the raw events held in memory,
  and raw DuckDB queries over the events table (no rollups, no cache, no Dash).
* **/api/metrics uncached**: the county scope at a different as_of each request (so no cache
  answers), server time p50 / p95; baselines: the same figures in pandas over the raw events
  in memory, and ``store.metrics.metrics_table`` called in-process (no HTTP).
* the server's resident memory (RSS) at the end.

The wall is served with ``as_of`` pinned (``--as-of``, default ``newest_report``): the
generated events span a fixed year (bench_load.py), so with as_of following the clock the
default 30-day window would hold no event at all and every figure would be measured on an
empty window (sessions 17-19 did: their county rows read nothing but the live list).
Benchmarks are not tests: nothing here asserts a time.
"""
from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import duckdb  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import requests  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from tests.serving import running_server  # noqa: E402

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
CALLBACK = "_dash-update-component"
FIRST_VIEW = ("() => document.querySelectorAll('.js-plotly-plot').length >= 6"
              " && document.querySelector('#ranking-board .gw-row[data-code]')")


class Recorder:
    """Collects (url, server ms, bytes) for every response a page receives, and how many
    Dash callbacks are in flight."""

    def __init__(self, page):
        self.rows: list[dict] = []
        self.pending = 0
        self.last = time.perf_counter()
        page.on("request", self._start)
        page.on("requestfinished", self._on)
        page.on("requestfailed", self._failed)

    def _start(self, req):
        if CALLBACK in req.url:
            self.pending += 1
            self.last = time.perf_counter()

    def _failed(self, req):
        if CALLBACK in req.url:
            self.pending -= 1
            self.last = time.perf_counter()

    def _on(self, req):
        try:
            resp = req.response()
            sizes = req.sizes()       # bytes on the wire (compressed), headers included
        except Exception:  # noqa: BLE001 - the page closed under a late response
            return
        timing = resp.headers.get("server-timing", "") if resp else ""
        m = re.search(r"dur=([\d.]+)", timing)
        if CALLBACK in req.url:
            self.pending -= 1
        self.last = time.perf_counter()
        self.rows.append({"url": req.url, "ms": float(m.group(1)) if m else None,
                          "at": self.last,
                          "bytes": sizes["responseBodySize"] + sizes["responseHeadersSize"]})

    def take(self) -> list[dict]:
        rows, self.rows = self.rows, []
        return rows

    def idle(self, page, quiet_ms: int = 600, timeout_s: float = 60) -> None:
        """Until no callback has been in flight for ``quiet_ms``."""
        deadline = time.perf_counter() + timeout_s
        while time.perf_counter() < deadline:
            page.wait_for_timeout(50)
            if self.pending <= 0 and (time.perf_counter() - self.last) * 1000 >= quiet_ms:
                return


def summarise(rows: list[dict], t0: float) -> dict:
    """Totals of one step; ``seconds_to_last_response`` runs from the action to the last
    response (the quiet period waited for afterwards is not counted)."""
    cbs = [r for r in rows if CALLBACK in r["url"]]
    return {
        "seconds_to_last_response": round(max((r["at"] for r in rows), default=t0) - t0, 2),
        "requests": len(rows),
        "bytes": sum(r["bytes"] for r in rows),
        "callbacks": len(cbs),
        "callback_server_ms_sum": round(sum(r["ms"] or 0 for r in cbs), 1),
        "callback_server_ms_max": round(max((r["ms"] or 0 for r in cbs), default=0), 1),
        "layout_server_ms": next((r["ms"] for r in rows if r["url"].endswith("/_dash-layout")), None),
        "largest": sorted(((r["bytes"], r["url"].split("/")[-1][:60]) for r in rows),
                          reverse=True)[:5],
    }


def stats(ms: list[float]) -> dict:
    if not ms:
        return {}
    a = np.asarray(ms, dtype=float)
    return {"n": len(ms), "p50_ms": round(float(np.percentile(a, 50)), 1),
            "p95_ms": round(float(np.percentile(a, 95)), 1), "max_ms": round(float(a.max()), 1)}


# --- the browser -------------------------------------------------------------------------

# Dash asks with fetch: note in the page which callback requests are the refresh tick's, to
# leave them out; the times are the browser's resource timings (the answer's last byte, not
# when a busy page gets round to reading it)
FETCH_TIMER = """(() => {
  const orig = window.fetch;
  window.__gwTicks = [];
  window.fetch = function (url, opts) {
    if (String(url).includes('%s')
        && String((opts && opts.body) || '').includes('"changedPropIds":["refresh-interval.n_intervals"]')) {
      window.__gwTicks.push(performance.now());
    }
    return orig.apply(this, arguments);
  };
})();""" % CALLBACK


def callback_span_ms(page, since: float) -> tuple[float, int]:
    """First callback request → last callback answer of the requests made after ``since``
    (the page's performance.now() at the click), in ms, leaving out the refresh tick's own
    request, and how many callbacks there were."""
    span = page.evaluate("""since => {
        const ticks = window.__gwTicks || [];
        const e = performance.getEntriesByType('resource').filter(r =>
            r.name.includes('%s') && r.startTime >= since
            && !ticks.some(t => Math.abs(t - r.startTime) < 5));
        if (!e.length) return [0, 0];
        return [Math.max(...e.map(r => r.responseEnd)) - Math.min(...e.map(r => r.startTime)),
                e.length];
    }""" % CALLBACK, since)
    return float(span[0]), int(span[1])


def drill(page, rec: Recorder, code: str) -> dict:
    """Click the township's ranking row on the county view; back to the county with Esc."""
    since = page.evaluate("() => { performance.setResourceTimingBufferSize(100000);"
                          " window.__gwTicks = []; return performance.now(); }")
    row = page.locator(f'#ranking-board .gw-row[data-code="{code}"]').first
    if not row.is_visible():   # a city's ranking keeps its worst in view, not every row:
        # shown (and the board unpinned, or its next fit hides it again) for the same click
        row.evaluate("e => { const b = e.closest('[data-pin]'); if (b) { b.dataset.pin = ''; }"
                     " e.style.display = ''; }")
    row.click()
    page.wait_for_url(re.compile(rf"township={code}"), timeout=60_000)
    page.wait_for_function(f"() => document.getElementById('ranking-title-text').textContent"
                           f" === '网格排名'", timeout=60_000)
    rec.idle(page)
    ms, n = callback_span_ms(page, since)
    page.keyboard.press("Escape")
    page.wait_for_url(re.compile(r"/$"), timeout=60_000)
    page.wait_for_function(FIRST_VIEW + " && document.getElementById('ranking-title-text')"
                           ".textContent === '镇街排名'", timeout=60_000)
    rec.idle(page)
    return {"township": code, "ms": round(ms, 1), "callbacks": n}


def rss_mb(pid: int) -> float | None:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    m = re.search(r"VmRSS:\s+(\d+) kB", text)
    return round(int(m.group(1)) / 1024, 1) if m else None


def api_uncached(base: str, as_of: dt.datetime, n: int = 30) -> dict:
    """/api/metrics for the county at ``n`` different as_of (one minute apart): no cache."""
    server, wall = [], []
    for i in range(n):
        at = (as_of - dt.timedelta(minutes=i + 1)).isoformat(timespec="minutes")
        t = time.perf_counter()
        r = requests.get(base + "/api/metrics", params={"as_of": at}, timeout=30)
        wall.append((time.perf_counter() - t) * 1000)
        r.raise_for_status()
        m = re.search(r"dur=([\d.]+)", r.headers.get("Server-Timing", ""))
        if m:
            server.append(float(m.group(1)))
    return {"server": stats(server), "round_trip": stats(wall)}


# --- baselines -----------------------------------------------------------------------------

def pinned_settings(as_of: str) -> Path:
    """data/settings.toml with ``as_of`` replaced, in a temporary file (the server and the
    baselines read the same)."""
    import tempfile

    text = (Path(__file__).resolve().parents[1] / "data" / "settings.toml").read_text()
    text, n = re.subn(r'(?m)^as_of = "[^"]*"', f'as_of = "{as_of}"', text, count=1)
    assert n == 1, "data/settings.toml has no as_of line"
    out = Path(tempfile.mkdtemp(prefix="bench_wall_")) / "settings.toml"
    out.write_text(text)
    return out


def _view_facts(db: Path, settings_path: Path) -> dict:
    from store import metrics as m
    from store.db import ReadStore
    from store.settings import Settings

    store = ReadStore(db)
    settings = Settings.load(settings_path)
    as_of = m.resolve_as_of(store, settings)
    start, end = m.default_window(as_of, int(settings.section("wall")["window_days"]))
    codes = [r[0] for r in store.rows("SELECT township_code FROM townships ORDER BY 1")]
    # what the default window holds: a figure measured on an empty window says nothing
    (in_window,) = store.rows("SELECT count(*) FROM events WHERE reported_at >= ?"
                              " AND reported_at < ?", [start, end])[0]
    store.close()
    return {"as_of": as_of, "start": start, "end": end, "codes": codes, "settings": settings,
            "events_in_window": int(in_window),
            "close_h": settings.limit("close_h"), "warn": settings.warn_fraction}


def pandas_figures(ev: pd.DataFrame, f: dict, code: str | None) -> None:
    """The drill-down's main figures in pandas over raw events in memory: the township's
    cohort and backlog counts (and per grid, the ranking), the daily trend, the mix."""
    as_of, s, e = f["as_of"], pd.Timestamp(f["start"]), pd.Timestamp(f["end"])
    close_us = pd.Timedelta(hours=f["close_h"])
    d = ev[ev["township_code"] == code] if code else ev
    valid = d["status"] != "invalid"
    cohort = d[valid & (d["reported_at"] >= s) & (d["reported_at"] < e)]
    closed = cohort["closed_at"].notna() & (cohort["closed_at"] <= as_of)
    on_time = closed & ((cohort["closed_at"] - cohort["reported_at"]) <= close_us)
    due = closed | ((as_of - cohort["reported_at"]) > close_us)
    key = "grid_id" if code else "township_code"
    per = pd.DataFrame({"unit": cohort[key], "closed": closed, "on_time": on_time, "due": due})
    per.groupby("unit", observed=True).agg(reported=("closed", "size"), closed=("closed", "sum"),
                            on_time=("on_time", "sum"), due=("due", "sum"))
    open_now = d[valid & (d["reported_at"] <= as_of)
                 & (d["closed_at"].isna() | (d["closed_at"] > as_of))]
    age = as_of - open_now["reported_at"]
    pd.DataFrame({"unit": open_now[key], "red": age > close_us,
                  "yellow": (age >= close_us * f["warn"]) & (age <= close_us)}
                 ).groupby("unit", observed=True).sum()
    cohort.groupby(cohort["reported_at"].dt.date).size()
    cohort.groupby("category", observed=True).size()
    cohort.groupby("channel", observed=True).size()


RAW_SQL = """
WITH c AS (SELECT * FROM events WHERE reported_at >= $s AND reported_at < $e
           AND status IS DISTINCT FROM 'invalid' AND ($t IS NULL OR township_code = $t))
SELECT (SELECT count(*) FROM (SELECT {key}, count(*),
            count(*) FILTER (WHERE closed_at <= $a),
            count(*) FILTER (WHERE closed_at <= $a AND date_diff('microsecond', reported_at,
                                   closed_at) <= $cu),
            count(*) FILTER (WHERE closed_at <= $a OR date_diff('microsecond', reported_at,
                                   $a) > $cu)
          FROM c GROUP BY 1)),
       (SELECT count(*) FROM (SELECT {key}, count(*) FROM events WHERE reported_at <= $a
          AND (closed_at IS NULL OR closed_at > $a) AND status IS DISTINCT FROM 'invalid'
          AND ($t IS NULL OR township_code = $t) GROUP BY 1)),
       (SELECT count(*) FROM (SELECT reported_at::DATE, count(*) FROM c GROUP BY 1)),
       (SELECT count(*) FROM (SELECT category, count(*) FROM c GROUP BY 1)),
       (SELECT count(*) FROM (SELECT channel, count(*) FROM c GROUP BY 1))
"""


def baselines(db: Path, f: dict) -> dict:
    """The same township views in pandas over the raw events in memory and in raw DuckDB
    (no rollups, no cache), and the county's /api/metrics figures both ways."""
    from store import metrics as m
    from store.db import ReadStore

    con = duckdb.connect(str(db), read_only=True)
    t = time.perf_counter()
    ev = con.execute(
        "SELECT reported_at, closed_at, status, category, channel, township_code, grid_id"
        " FROM events").to_arrow_table().to_pandas(strings_to_categorical=True)
    load_s = time.perf_counter() - t
    pandas_ms, raw_ms = [], []
    params = {"s": dt.datetime.combine(f["start"], dt.time()),
              "e": dt.datetime.combine(f["end"], dt.time()), "a": f["as_of"],
              "cu": f["close_h"] * 3_600_000_000}
    for code in f["codes"]:
        t = time.perf_counter()
        pandas_figures(ev, f, code)
        pandas_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        con.execute(RAW_SQL.format(key="grid_id"), {**params, "t": code}).fetchall()
        raw_ms.append((time.perf_counter() - t) * 1000)
    county_pandas = []
    for _ in range(10):
        t = time.perf_counter()
        pandas_figures(ev, f, None)
        county_pandas.append((time.perf_counter() - t) * 1000)
    con.close()
    store = ReadStore(db)
    in_process = []
    for i in range(30):
        at = f["as_of"] - dt.timedelta(minutes=i + 1)
        t = time.perf_counter()
        m.metrics_table(store, f["settings"], start=f["start"], end=f["end"], as_of=at)
        in_process.append((time.perf_counter() - t) * 1000)
    store.close()
    return {"events_in_memory": len(ev), "load_events_s": round(load_s, 2),
            "drill_pandas": stats(pandas_ms), "drill_raw_duckdb": stats(raw_ms),
            "metrics_pandas": stats(county_pandas), "metrics_in_process": stats(in_process)}


def geojson_bytes(db: Path) -> dict:
    """Bytes of the townships' and grids' full-resolution GeoJSON (the naive map payload),
    raw and gzipped."""
    import geopandas as gpd
    import shapely

    con = duckdb.connect(str(db), read_only=True)
    out = {"raw_bytes": 0, "gzip_bytes": 0}
    for table, key in (("townships", "township_code"), ("grids", "grid_id")):
        df = con.execute(f"SELECT {key} AS code, geom_wkb FROM {table}"
                         " WHERE geom_wkb IS NOT NULL").df()
        geoms = shapely.from_wkb(np.array([bytes(b) for b in df["geom_wkb"]], dtype=object))
        text = gpd.GeoDataFrame({"code": df["code"]}, geometry=geoms, crs="EPSG:4326").to_json()
        out[table] = len(text.encode())
        out["raw_bytes"] += out[table]
        out["gzip_bytes"] += len(gzip.compress(text.encode(), 6))
    con.close()
    return out


# --- the run -------------------------------------------------------------------------------

def run(db: Path, rounds: int = 1, as_of: str = "newest_report") -> dict:
    db = Path(db)
    settings_path = pinned_settings(as_of)
    f = _view_facts(db, settings_path)
    out: dict = {"as_of": f["as_of"].isoformat(), "window": [str(f["start"]), str(f["end"])],
                 "events_in_window": f["events_in_window"]}
    with running_server(db, settings_path) as (base, proc), sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        page.add_init_script(FETCH_TIMER)
        rec = Recorder(page)
        t0 = time.perf_counter()
        page.goto(base + "/")
        page.wait_for_function(FIRST_VIEW, timeout=120_000)
        rec.idle(page, quiet_ms=1500)
        out["first_view"] = summarise(rec.take(), t0)
        visits = []
        for r in range(1 + rounds):
            for code in f["codes"]:
                visits.append({**drill(page, rec, code), "visit": r})
        rec.take()
        cold = [v["ms"] for v in visits if v["visit"] == 0]
        warm = [v["ms"] for v in visits if v["visit"] > 0]
        out["drill_down"] = {"cold": stats(cold), "warm": stats(warm),
                             "callbacks_per_drill": max(v["callbacks"] for v in visits),
                             "visits": visits}
        out["api_metrics_uncached"] = api_uncached(base, f["as_of"])
        out["server_rss_mb"] = rss_mb(proc.pid)
        browser.close()
    out["baseline"] = {**baselines(db, f), "full_geojson": geojson_bytes(db)}
    return out


def table(res: dict) -> str:
    """The wall's figures beside their baselines, as a Markdown table."""
    fv, dd, api, b = (res["first_view"], res["drill_down"], res["api_metrics_uncached"],
                      res["baseline"])
    rows = [
        ("first view over the wire", f"{fv['bytes'] / 1e6:.2f} MB in {fv['requests']} requests,"
         f" {fv['callbacks']} callbacks",
         f"full-resolution GeoJSON of townships + grids: {b['full_geojson']['raw_bytes'] / 1e6:.2f} MB"
         f" ({b['full_geojson']['gzip_bytes'] / 1e6:.2f} MB gzipped)"),
        ("drill-down, first callback request → last answer (Chromium)",
         f"cold p50 {dd['cold'].get('p50_ms')} / p95 {dd['cold'].get('p95_ms')} ms;"
         f" warm p50 {dd['warm'].get('p50_ms')} / p95 {dd['warm'].get('p95_ms')} ms;"
         f" {dd['callbacks_per_drill']} requests",
         f"pandas in memory p50 {b['drill_pandas']['p50_ms']} / p95 {b['drill_pandas']['p95_ms']} ms;"
         f" raw DuckDB p50 {b['drill_raw_duckdb']['p50_ms']} / p95 {b['drill_raw_duckdb']['p95_ms']} ms"),
        ("/api/metrics uncached (county, server time)",
         f"p50 {api['server'].get('p50_ms')} / p95 {api['server'].get('p95_ms')} ms",
         f"pandas in memory p50 {b['metrics_pandas']['p50_ms']} / p95 {b['metrics_pandas']['p95_ms']} ms;"
         f" metrics_table in-process p50 {b['metrics_in_process']['p50_ms']} /"
         f" p95 {b['metrics_in_process']['p95_ms']} ms"),
        ("server RSS after the run", f"{res.get('server_rss_mb')} MB", "—"),
    ]
    if "as_of" in res:
        rows.insert(0, ("as_of, default window", f"{res['as_of']}, {res['window'][0]} to"
                        f" {res['window'][1]}: {res['events_in_window']:,} events", "—"))
    lines = ["| figure | wall | baseline (same run) |", "| --- | --- | --- |"]
    lines += [f"| {a} | {w} | {bl} |" for a, w, bl in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--db", required=True)
    ap.add_argument("--label", default="")
    ap.add_argument("--rounds", type=int, default=1, help="warm visits of every township")
    ap.add_argument("--as-of", default="newest_report",
                    help='the wall\'s as_of: "newest_report" (default), "now" or a time')
    args = ap.parse_args(argv)
    res = {"label": args.label, "db": args.db, **run(Path(args.db), args.rounds, args.as_of)}
    Path(args.out).write_text(json.dumps(res, indent=2, ensure_ascii=False, default=str))
    print(table(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
