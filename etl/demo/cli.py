"""``python -m etl demo``: write the demo county's source files, then load them with the ETL."""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

from etl.demo.build import DEFAULT_END, build_with_stats


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m etl demo",
        description="Build the demo county (嵊州市, 演示数据): write its source files in the formats "
                    "a real county exports, then load them into --db with the normal ETL.")
    p.add_argument("--db", required=True, help="DuckDB file to load into")
    p.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    p.add_argument("--years", type=int, default=2, help="years of events (default 2)")
    p.add_argument("--scale", type=float, default=1.0,
                   help="event volume multiplier: 1 ≈ 33 k events a year, 40 ≈ 1.3 M")
    p.add_argument("--out", help="folder for the source files (default: <db stem>_demo_src/ "
                                 "beside the database)")
    p.add_argument("--settings", help="settings TOML passed to the load")
    p.add_argument("--end", default=DEFAULT_END,
                   help=f"last day of the demo data, YYYY-MM-DD (default {DEFAULT_END})")
    p.add_argument("--sources-only", action="store_true",
                   help="write the source files and the load config, do not load")
    return p


def main(argv: list[str]) -> int:
    """Run the demo command; returns the process exit code."""
    args = _parser().parse_args(argv)
    # chdb:DIR / clickhouse://…: the sources go beside the folder, not into a folder named
    # "chdb:" under the working directory
    db = Path(args.db)
    base = Path(args.db.removeprefix("chdb:")) if "://" not in args.db else Path("build/demo")
    out = Path(args.out) if args.out else base.parent / f"{base.stem}_demo_src"
    if args.years < 1 or args.scale <= 0:
        print("error: --years must be >= 1 and --scale > 0", file=sys.stderr)
        return 2
    try:
        dt.date.fromisoformat(args.end)
    except ValueError:
        print(f"error: --end {args.end!r} is not a date YYYY-MM-DD", file=sys.stderr)
        return 2
    print(f"演示数据: building the demo county (seed {args.seed}, {args.years} years, "
          f"scale {args.scale:g}) into {out}", flush=True)
    config, stats = build_with_stats(out, seed=args.seed, years=args.years, scale=args.scale,
                                     end=args.end, log=lambda msg: print(msg, flush=True))
    c = stats["counts"]
    print(f"wrote {c['townships']} townships, {c['villages']} villages, {c['grids']} grids, "
          f"{c['events']:,} events, {c['cameras']} cameras, {c['mediation_rows']} mediation rows; "
          f"as_of {stats['as_of']}")
    print(f"generation: {stats['timings']['total']:.1f} s; load config: {config}", flush=True)
    if args.sources_only:
        return 0
    from etl.cli import load_and_report

    t = time.perf_counter()
    code = load_and_report(db, config, settings=args.settings, progress=True)
    if code:
        return code
    load_s = time.perf_counter() - t
    print(f"load: {load_s:.1f} s; total: {stats['timings']['total'] + load_s:.1f} s; "
          f"database: {db}")
    return 0
