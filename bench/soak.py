"""Soak run (issue 17, "months unattended"): the wall open in Chromium for an hour, refreshing
every 10 s, while a newer export is loaded every few minutes. Not a test: it logs and reports.

    python -m bench.soak --minutes 60 --out bench/soak.json          # the real run
    python -m bench.soak --minutes 1 --refresh-s 5 --load-every-s 20  # a smoke run

It builds the demo county (or copies ``--db`` with its ``--config``) into a work folder, serves
it with ``python -m dashboard`` (its own process, as in production) with ``[wall] refresh_s``
set to the refresh period, opens ``/`` in Debian Chromium and leaves it alone: the wall's own
refresh tick drives the callbacks. Every ``--load-every-s`` seconds ``python -m etl load`` runs
on a config that adds ``events_live.csv``: the previous live events again (unchanged) plus a
few new ones reported after the newest, some earlier ones now closed, so each load publishes a
real change by swap while the wall is being read.

Logged every ``--sample-s`` seconds: the server's RSS (``/proc/PID/status``), the page's JS
heap; for every Dash callback: the browser-measured duration and the server time
(``Server-Timing``); errors: console errors, page errors, HTTP ≥ 400, server tracebacks,
failed loads. The report compares the start (the first two minutes after the first view) with
the end (the last two minutes): RSS and p95 latency, and whether RSS ended within ±10 %.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.serving import free_port, start_server, stop_server, wait_healthy  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
LIVE = "events_live.csv"


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def p(values: list[float], q: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    return round(s[min(len(s) - 1, int(round(q * (len(s) - 1))))], 1)


# -- the work folder: database, sources, settings --------------------------------------------
def prepare(work: Path, db: str | None, config: str | None, scale: float,
            refresh_s: int) -> tuple[Path, Path, Path]:
    """The database, a load config that adds ``events_live.csv``, and the settings."""
    work.mkdir(parents=True, exist_ok=True)
    target = work / "soak.duckdb"
    if db:
        shutil.copy2(db, target)
        given = Path(config).resolve()          # its folder is copied: the soak writes into it
        shutil.copytree(given.parent, work / "src", dirs_exist_ok=True)
        src_config = work / "src" / given.name
    else:
        from etl.demo import build_demo_sources
        from etl.load import run_load

        src_config = build_demo_sources(work / "src", seed=7, scale=scale)
        run_load(target, src_config, progress=False)
    src_dir = src_config.parent
    text = src_config.read_text(encoding="utf-8")
    events_path = sorted(src_dir.glob("events_*.csv"))[-1]
    live = src_dir / LIVE
    shutil.copy2(events_path, work / "template.csv")
    text += f'\n[[source]]\nkind = "events"\npath = "{LIVE}"\ncrs = "gcj02"\n'
    soak_config = src_dir / "soak_load.toml"
    soak_config.write_text(text, encoding="utf-8")
    live.write_text("", encoding="utf-8")
    settings = (ROOT / "data" / "settings.toml").read_text(encoding="utf-8")
    settings = "\n".join(f"refresh_s = {refresh_s}                 # soak" if ln.startswith("refresh_s")
                         else ln for ln in settings.splitlines()) + "\n"
    settings_path = work / "settings.toml"
    settings_path.write_text(settings, encoding="utf-8")
    return target, soak_config, settings_path


def write_live(config: Path, template: Path, cycle: int, per_cycle: int = 20) -> int:
    """Rewrite events_live.csv: every earlier cycle's events (closed now) and ``per_cycle`` new
    ones, an hour apart per cycle after the template's newest report. Returns the rows written."""
    with template.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[-per_cycle:]
    col = {name: i for i, name in enumerate(header)}
    newest = max(r[col["上报时间"]] for r in rows[1:])
    import datetime as dt
    base = dt.datetime.fromisoformat(newest)
    out = [header]
    for c in range(1, cycle + 1):
        for i, src in enumerate(body):
            row = list(src)
            at = base + dt.timedelta(hours=c, minutes=i)
            row[col["事件编号"]] = f"SOAK{c:04d}{i:03d}"
            row[col["上报时间"]] = at.isoformat(sep=" ", timespec="seconds")
            for name in ("受理时间", "派单时间"):
                row[col[name]] = (at + dt.timedelta(minutes=5)).isoformat(sep=" ", timespec="seconds")
            done = c < cycle or i % 2 == 0
            row[col["办结时间"]] = ((at + dt.timedelta(minutes=50)).isoformat(sep=" ", timespec="seconds")
                                if done else "")
            row[col["状态"]] = "已办结" if done else "已派单"
            row[col["满意度"]] = "满意" if done else ""
            out.append(row)
    live = config.parent / LIVE
    with live.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, quoting=csv.QUOTE_MINIMAL).writerows(out)
    return len(out) - 1


# -- the run ---------------------------------------------------------------------------------
class Log:
    """Everything observed, with a lock: Playwright events arrive on the main thread, the load
    runner writes from its own."""

    def __init__(self):
        self.lock = threading.Lock()
        self.t0 = time.monotonic()
        self.samples: list[dict] = []
        self.callbacks: list[dict] = []
        self.errors: list[dict] = []
        self.loads: list[dict] = []

    def now(self) -> float:
        return round(time.monotonic() - self.t0, 2)

    def error(self, kind: str, text: str) -> None:
        with self.lock:
            self.errors.append({"t": self.now(), "kind": kind, "text": text[:300]})


def run_loads(log: Log, db: Path, config: Path, settings: Path, template: Path,
              every_s: float, stop: threading.Event) -> None:
    cycle = 0
    while not stop.wait(every_s):
        cycle += 1
        rows = write_live(config, template, cycle)
        t = time.monotonic()
        res = subprocess.run([sys.executable, "-m", "etl", "load", "--db", str(db),
                              "--config", str(config), "--settings", str(settings)],
                             cwd=ROOT, capture_output=True, text=True)
        entry = {"t": log.now(), "cycle": cycle, "live_rows": rows, "exit": res.returncode,
                 "seconds": round(time.monotonic() - t, 1)}
        with log.lock:
            log.loads.append(entry)
        if res.returncode:
            log.error("load", (res.stderr or res.stdout)[-300:])


def watch_server_output(log: Log, proc: subprocess.Popen) -> None:
    for line in proc.stdout:
        if "Traceback" in line or " ERROR " in line or line.startswith("Error"):
            log.error("server", line.strip())


def soak(args) -> dict:
    from playwright.sync_api import sync_playwright

    work = Path(args.workdir).resolve()
    db, config, settings = prepare(work, args.db, args.config, args.scale, args.refresh_s)
    template = work / "template.csv"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_server(db, settings, port)
    log = Log()
    stop = threading.Event()
    try:
        wait_healthy(proc, base)
        threading.Thread(target=watch_server_output, args=(log, proc), daemon=True).start()
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1920, "height": 1080})

            def on_finished(req):
                if "_dash-update-component" not in req.url:
                    return
                resp = req.response()
                timing = req.timing
                server = None
                if resp is not None:
                    for part in (resp.headers.get("server-timing") or "").split(","):
                        name, _, rest = part.strip().partition(";")
                        if name == "app" and rest.startswith("dur="):
                            server = float(rest[4:])
                with log.lock:
                    log.callbacks.append({"t": log.now(), "ms": round(timing["responseEnd"], 1),
                                          "server_ms": server})

            def on_response(resp):
                if resp.status >= 400:
                    log.error("http", f"{resp.status} {resp.url}")

            page.on("requestfinished", on_finished)
            page.on("response", on_response)
            page.on("console", lambda m: m.type == "error" and log.error("console", m.text))
            page.on("pageerror", lambda e: log.error("pageerror", str(e)))
            page.on("requestfailed", lambda r: log.error("requestfailed", r.url))
            page.goto(base + "/", wait_until="load")
            page.wait_for_function(
                "() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= 6",
                timeout=120_000)
            first_view_at = log.now()
            loader = threading.Thread(
                target=run_loads, args=(log, db, config, settings, template,
                                        args.load_every_s, stop), daemon=True)
            loader.start()
            end = time.monotonic() + args.minutes * 60
            while time.monotonic() < end:
                heap = page.evaluate(
                    "() => performance.memory ? performance.memory.usedJSHeapSize : null")
                with log.lock:
                    log.samples.append({"t": log.now(), "rss_mb": rss_mb(proc.pid),
                                        "js_heap_mb": round(heap / 2**20, 1) if heap else None,
                                        "load_avg": round(os.getloadavg()[0], 1)})
                page.wait_for_timeout(args.sample_s * 1000)
            stop.set()
            loader.join(timeout=600)
            browser.close()
    finally:
        stop.set()
        stop_server(proc)
    return report(log, first_view_at, args)


def report(log: Log, first_view_at: float, args) -> dict:
    span = min(120.0, max(10.0, args.minutes * 60 / 5))
    last_t = log.samples[-1]["t"] if log.samples else first_view_at

    def window(rows, lo, hi):
        return [r for r in rows if lo <= r["t"] < hi]

    def rss(rows):
        vals = [r["rss_mb"] for r in rows if r["rss_mb"]]
        return round(statistics.median(vals), 1) if vals else None

    start_s = window(log.samples, first_view_at, first_view_at + span)
    end_s = window(log.samples, last_t - span, last_t + 1)
    start_cb = [r["ms"] for r in window(log.callbacks, first_view_at, first_view_at + span)]
    end_cb = [r["ms"] for r in window(log.callbacks, last_t - span, last_t + 1)]
    all_cb = [r["ms"] for r in log.callbacks if r["t"] >= first_view_at]
    start_rss, end_rss = rss(start_s), rss(end_s)
    change = (round(100 * (end_rss - start_rss) / start_rss, 1)
              if start_rss and end_rss else None)
    return {
        "minutes": args.minutes, "refresh_s": args.refresh_s, "load_every_s": args.load_every_s,
        "first_view_seconds": first_view_at,
        "server_rss_mb": {"start": start_rss, "end": end_rss, "change_pct": change,
                          "max": max((r["rss_mb"] or 0 for r in log.samples), default=None)},
        "ends_as_it_began": change is not None and abs(change) <= 10,
        "js_heap_mb": {"start": rss([{"rss_mb": r["js_heap_mb"]} for r in start_s]),
                       "end": rss([{"rss_mb": r["js_heap_mb"]} for r in end_s])},
        "callback_ms": {"count": len(all_cb), "p50": p(all_cb, 0.5), "p95": p(all_cb, 0.95),
                        "start_p95": p(start_cb, 0.95), "end_p95": p(end_cb, 0.95)},
        "loads": {"count": len(log.loads), "failed": sum(1 for x in log.loads if x["exit"]),
                  "seconds_p50": p([x["seconds"] for x in log.loads], 0.5)},
        "errors": {"count": len(log.errors), "first": log.errors[:20]},
        "buckets": buckets(log, first_view_at, args.bucket_s),
        "samples": log.samples, "load_log": log.loads, "callbacks": log.callbacks,
    }


def buckets(log: Log, start: float, width: float) -> list[dict]:
    """Per ``width`` seconds: RSS, the machine's load, callbacks in the browser and on the
    server (a browser time that grows while the server time stays flat is a busy machine,
    not the app), loads and errors."""
    out = []
    t = start
    end = max([r["t"] for r in log.samples] or [start])
    while t < end:
        hi = t + width
        sam = [r for r in log.samples if t <= r["t"] < hi]
        cbs = [r for r in log.callbacks if t <= r["t"] < hi]
        rss = [r["rss_mb"] for r in sam if r["rss_mb"]]
        out.append({
            "from_s": round(t), "rss_mb": round(statistics.median(rss), 1) if rss else None,
            "load_avg": p([r["load_avg"] for r in sam], 0.5),
            "callbacks": len(cbs), "browser_ms_p50": p([r["ms"] for r in cbs], 0.5),
            "browser_ms_p95": p([r["ms"] for r in cbs], 0.95),
            "server_ms_p95": p([r["server_ms"] for r in cbs if r["server_ms"] is not None], 0.95),
            "loads": sum(1 for x in log.loads if t <= x["t"] < hi),
            "errors": sum(1 for x in log.errors if t <= x["t"] < hi)})
        t = hi
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=60)
    ap.add_argument("--refresh-s", type=int, default=10)
    ap.add_argument("--load-every-s", type=float, default=240)
    ap.add_argument("--sample-s", type=float, default=10)
    ap.add_argument("--bucket-s", type=float, default=600, help="report buckets (default 10 min)")
    ap.add_argument("--scale", type=float, default=1.0, help="demo scale when no --db is given")
    ap.add_argument("--db", help="a loaded database to copy (with --config, its load config)")
    ap.add_argument("--config")
    ap.add_argument("--workdir", default=str(ROOT / "build" / "soak"))
    ap.add_argument("--out", default=str(ROOT / "bench" / "soak.json"))
    args = ap.parse_args(argv)
    if bool(args.db) != bool(args.config):
        ap.error("--db and --config go together")
    res = soak(args)
    Path(args.out).write_text(json.dumps(res, ensure_ascii=False, indent=1), encoding="utf-8")
    summary = {k: res[k] for k in ("server_rss_mb", "ends_as_it_began", "js_heap_mb",
                                   "callback_ms", "loads")}
    summary["errors"] = res["errors"]["count"]
    print(json.dumps(summary, ensure_ascii=False))
    for b in res["buckets"]:
        print(json.dumps(b, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
