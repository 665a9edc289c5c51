"""``python -m bench --out bench/results.json [--scale40] [--load-only] [--events N ...]``.

Runs, and writes one JSON file with, in the same run:
1. the ETL (100 k and 1 M events against 1,521 grids by default: fresh, re-load, newer
   export), each load in its own process beside DuckDB's ``read_csv`` of the same file:
   seconds, the ratio, the load's peak RSS — bench/bench_load.py;
2. the demo county build (generation + ETL) at scale 1, and at scale 40 with ``--scale40``;
3. the wall in Debian Chromium on each demo, each figure beside its baseline from the same run
   (bench/bench_wall.py): bytes of the first view against the full-resolution GeoJSON,
   drill-downs (first callback request → last answer, cold and warm, p50/p95) and
   /api/metrics uncached against the same figures in pandas over the raw events in memory
   and in raw DuckDB, and the server's RSS;
4. the analysis page on each demo: server and CPU ms p50/p95 of table pages and the hotspot
   table beside a raw DuckDB count, and its first view in Chromium — bench/bench_analysis.py;
5. with ``--engines DB.duckdb`` only: the wall's reads on DuckDB and on ClickHouse (chdb)
   side by side, p50/p95 (``--curve``: DuckDB latency against events) — bench/bench_engines.py.
Benchmarks are not tests: nothing here asserts a time.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import bench_analysis, bench_load, bench_wall

ROOT = Path(__file__).resolve().parents[1]


def demo(db: Path, scale: float) -> dict:
    for p in db.parent.glob(db.name + "*"):
        if p.is_file():
            p.unlink()
    t = time.perf_counter()
    res = subprocess.run([sys.executable, "-m", "etl", "demo", "--db", str(db), "--scale", str(scale),
                          "--settings", str(ROOT / "data" / "settings.toml")],
                         cwd=ROOT, capture_output=True, text=True)
    if res.returncode:
        raise RuntimeError(res.stderr)
    return {"scale": scale, "seconds": round(time.perf_counter() - t, 1),
            "db_mb": round(db.stat().st_size / 1e6, 1), "log_tail": res.stdout.splitlines()[-6:]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    ap.add_argument("--out", help="default bench/results.json (--engines: bench/engines.json)")
    ap.add_argument("--scale40", action="store_true", help="also the 2.6 M-event demo (minutes)")
    ap.add_argument("--events", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--fresh-only", action="store_true", help="ETL: only the fresh load")
    ap.add_argument("--load-only", action="store_true", help="only the ETL benchmark")
    ap.add_argument("--city-grids", type=int, default=0, metavar="N",
                    help="ETL: N irregular grids in 40 townships instead of 1,521 squares")
    ap.add_argument("--workdir")
    ap.add_argument("--engines", metavar="DB", help="only: the wall's reads on DuckDB vs chdb "
                    "on this DuckDB file (e.g. a scale-40 demo)")
    ap.add_argument("--curve", action="store_true", help="with --engines: DuckDB vs events")
    args = ap.parse_args(argv)
    args.out = args.out or str(ROOT / "bench" / ("engines.json" if args.engines else "results.json"))
    if args.engines:
        from bench import bench_engines

        res = bench_engines.run(Path(args.engines), reps=15, with_curve=args.curve,
                                work=Path(args.workdir) if args.workdir else None)
        print(bench_engines.table(res["reads"]))
        Path(args.out).write_text(json.dumps({"engines": res}, ensure_ascii=False, indent=2),
                                  encoding="utf-8")
        print(f"wrote {args.out}")
        return 0
    work = Path(args.workdir or tempfile.mkdtemp(prefix="gridwall_bench_"))
    results: dict = {"machine": bench_load.machine(),
                     "started": time.strftime("%Y-%m-%dT%H:%M:%S")}
    variants = ("fresh",) if args.fresh_only else ("fresh", "reload_same", "newer_export")
    results["load"] = [bench_load.bench(n, work / f"load_{n}", variants,
                                        city_grids=args.city_grids) for n in args.events]
    print(bench_load.table(results["load"]))
    if args.load_only:
        Path(args.out).write_text(json.dumps(results, ensure_ascii=False, indent=2),
                                  encoding="utf-8")
        print(f"wrote {args.out}")
        return 0
    results["demo"], results["wall"], results["analysis"] = [], [], []
    for scale in ([1, 40] if args.scale40 else [1]):
        db = work / f"demo_s{scale}" / "demo.duckdb"
        db.parent.mkdir(parents=True, exist_ok=True)
        results["demo"].append(demo(db, scale))
        results["wall"].append({"scale": scale, **bench_wall.run(db)})
        results["analysis"].append({"scale": scale, **bench_analysis.run(db)})
    Path(args.out).write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps(results["demo"], ensure_ascii=False, indent=2))
    for w in results["wall"]:
        print(f"\nwall, demo scale {w['scale']}:\n" + bench_wall.table(w))
    for res in results["analysis"]:
        print(bench_analysis.table(res))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
