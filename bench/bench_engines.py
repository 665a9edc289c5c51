"""The wall's reads on DuckDB and on ClickHouse (chdb), side by side, on one database.

``python -m bench.bench_engines --db DEMO.duckdb [--chdb DIR] [--reps 15] [--out F.json]``
(or ``python -m bench --engines DEMO.duckdb``). The DuckDB file is only read; it is published
to ClickHouse in-process (the ETL's own publisher, into DIR, default a temp folder) unless
``--chdb`` names a folder already published. Both stores live in this one process and take
turns read by read, so the busy machine weighs on both alike; every read runs twice to warm
up, then ``reps`` times per engine. Reported per read: p50 and p95 in ms and the ratio
chdb p50 / DuckDB p50. The reads are the wall's: /api/metrics of the county and of a township
(with 环比), the township ranking, the daily trend, the category mix, the live list, the
warning list, the hotspot table.

``--curve`` adds DuckDB's county /api/metrics latency against the number of events: copies
of the database holding a random 10 %, 25 % and 100 % of the events (and ``--grow K``: the
events K times, with shifted ids), the figures ``docs/scale.md`` draws on. Not a test:
nothing asserts a time.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import tempfile
import time
from pathlib import Path

from store import metrics as m
from store import wall_reads as wr
from store import hotspots as hs
from store.db import ReadStore
from store.engines import open_store
from store.settings import Settings


def reads(store, settings: Settings) -> dict:
    """name -> zero-argument call of one wall read (the demo's own as_of and window)."""
    as_of = m.resolve_as_of(store, settings)
    start, end = m.default_window(as_of, int(settings.raw["wall"]["window_days"]))
    town = store.rows("SELECT township_code FROM townships ORDER BY 1 LIMIT 1")[0][0]
    return {
        "metrics county": lambda: m.metrics(store, settings, start=start, end=end, as_of=as_of),
        "metrics county 环比": lambda: m.metrics(store, settings, start=start, end=end,
                                               as_of=as_of, compare="previous"),
        "metrics township": lambda: m.metrics(store, settings, scope=m.Scope("township", town),
                                              start=start, end=end, as_of=as_of),
        "ranking townships": lambda: wr.unit_ranking(store, settings, None, start, end, as_of),
        "ranking grids of a township": lambda: wr.unit_ranking(store, settings, town, start,
                                                               end, as_of),
        "trend (daily_rollup)": lambda: wr.daily_trend(store, settings, None, start, end),
        "mix by category": lambda: wr.mix(store, settings, None, start, end, "category"),
        "live list": lambda: wr.live_events(store, settings, None, as_of),
        "warning list": lambda: wr.warning_events(store, settings, None, as_of),
        "hotspot table": lambda: hs.hotspot_table(store, settings, start, end),
    }


def _ms(f) -> float:
    t = time.perf_counter()
    f()
    return (time.perf_counter() - t) * 1000


def _p(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def side_by_side(duck, ch, settings: Settings, reps: int) -> list[dict]:
    d_reads, c_reads = reads(duck, settings), reads(ch, settings)
    out = []
    for name in d_reads:
        for _ in range(2):
            d_reads[name]()
            c_reads[name]()
        d, c = [], []
        for _ in range(reps):
            d.append(_ms(d_reads[name]))
            c.append(_ms(c_reads[name]))
        out.append({"read": name, "duckdb_p50_ms": round(statistics.median(d), 1),
                    "duckdb_p95_ms": round(_p(d, 0.95), 1),
                    "chdb_p50_ms": round(statistics.median(c), 1),
                    "chdb_p95_ms": round(_p(c, 0.95), 1),
                    "ratio_p50": round(statistics.median(c) / statistics.median(d), 2)})
    return out


def table(rows: list[dict]) -> str:
    lines = ["| read | DuckDB p50 ms | DuckDB p95 ms | chdb p50 ms | chdb p95 ms | chdb/DuckDB |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    lines += [f"| {r['read']} | {r['duckdb_p50_ms']} | {r['duckdb_p95_ms']} | {r['chdb_p50_ms']}"
              f" | {r['chdb_p95_ms']} | {r['ratio_p50']} |" for r in rows]
    return "\n".join(lines)


def _subset(src: Path, dst: Path, fraction: float = 1.0, grow: int = 1) -> int:
    """A copy of ``src`` with a random ``fraction`` of its events (or ``grow`` times them)."""
    import duckdb

    dst.unlink(missing_ok=True)
    con = duckdb.connect(str(dst))
    try:
        con.execute(f"ATTACH '{src}' AS src (READ_ONLY)")
        for (t,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 'src'"
                                " AND schema_name = 'main'").fetchall():
            if t == "events":
                continue
            con.execute(f'CREATE TABLE "{t}" AS SELECT * FROM src."{t}"')
        if grow > 1:   # K copies, ids shifted, times shifted back by whole years
            con.execute(
                "CREATE TABLE events AS SELECT * REPLACE (event_id || '-' || k AS event_id,"
                " reported_at - to_years(k::INT) AS reported_at,"
                " accepted_at - to_years(k::INT) AS accepted_at,"
                " dispatched_at - to_years(k::INT) AS dispatched_at,"
                " closed_at - to_years(k::INT) AS closed_at)"
                f" FROM src.events, range({grow}) r(k) ORDER BY reported_at")
        else:
            con.execute("CREATE TABLE events AS SELECT * FROM src.events"
                        f" WHERE hash(event_id) % 1000 < {int(fraction * 1000)} ORDER BY reported_at")
        (n,) = con.execute("SELECT count(*) FROM events").fetchone()
        con.execute("DETACH src")
    finally:
        con.close()
    return n


def curve(db: Path, work: Path, settings: Settings, reps: int, grow: int = 0) -> list[dict]:
    """DuckDB county /api/metrics (and 环比) latency against the number of events."""
    out = []
    steps = [("10%", 0.1, 1), ("25%", 0.25, 1), ("100%", 1.0, 1)]
    if grow > 1:
        steps.append((f"x{grow}", 1.0, grow))
    for label, fraction, k in steps:
        path = work / f"curve_{label.replace('%', 'pct')}.duckdb"
        n = _subset(db, path, fraction, k)
        store = ReadStore(path)
        r = reads(store, settings)
        for _ in range(2):
            r["metrics county 环比"]()
        ms = [_ms(r["metrics county"]) for _ in range(reps)]
        ms_cmp = [_ms(r["metrics county 环比"]) for _ in range(reps)]
        ms_rank = [_ms(r["ranking townships"]) for _ in range(reps)]
        out.append({"events": n, "metrics_p50_ms": round(statistics.median(ms), 1),
                    "metrics_p95_ms": round(_p(ms, 0.95), 1),
                    "metrics_compare_p50_ms": round(statistics.median(ms_cmp), 1),
                    "ranking_p50_ms": round(statistics.median(ms_rank), 1),
                    "db_mb": round(path.stat().st_size / 1e6, 1)})
        store.close()
        path.unlink()
        print(out[-1], flush=True)
    return out


def run(db: Path, chdb_dir: Path | None = None, reps: int = 15, with_curve: bool = False,
        grow: int = 0, work: Path | None = None) -> dict:
    settings = Settings.load(Path(__file__).resolve().parents[1] / "data" / "settings.toml")
    work = work or Path(tempfile.mkdtemp(prefix="gridwall_engines_"))
    result: dict = {"db": str(db), "started": time.strftime("%Y-%m-%dT%H:%M:%S")}
    if chdb_dir is None:
        from etl.publish_clickhouse import publish

        chdb_dir = work / "ch"
        result["publish"] = publish(f"chdb:{chdb_dir}", ledger=db)
    duck = ReadStore(db)
    result["events"] = duck.scalar("SELECT count(*) FROM events")
    ch = open_store(f"chdb:{chdb_dir}")
    try:
        result["reads"] = side_by_side(duck, ch, settings, reps)
    finally:
        ch.close()
        duck.close()
    if with_curve:
        result["duckdb_curve"] = curve(db, work, settings, reps, grow)
    return result


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.bench_engines", description=__doc__)
    ap.add_argument("--db", required=True, help="a DuckDB file (only read)")
    ap.add_argument("--chdb", help="a chdb folder already published from --db")
    ap.add_argument("--reps", type=int, default=15)
    ap.add_argument("--curve", action="store_true", help="DuckDB latency against events")
    ap.add_argument("--grow", type=int, default=0, help="with --curve: also K× the events")
    ap.add_argument("--out", help="write the JSON here")
    args = ap.parse_args(argv)
    res = run(Path(args.db), Path(args.chdb) if args.chdb else None, args.reps, args.curve,
              args.grow)
    print(f"{res['events']:,} events; {dt.datetime.now():%Y-%m-%d %H:%M}")
    print(table(res["reads"]))
    if args.out:
        Path(args.out).write_text(json.dumps(res, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
