"""CLI: ``python -m etl load --db PATH --config LOAD.toml [--settings S.toml] [--report R.json]
[--quiet] [--progress FILE]`` and ``python -m etl demo ...`` (the demo county, etl.demo).
``--db`` is a DuckDB file, ``chdb:DIR`` or ``clickhouse://user@host:port/database`` (the load
runs in a DuckDB ledger, then is published to ClickHouse). ``python -m etl publish --db URL``
publishes the ledger again; ``python -m etl export --db PATH --out DIR`` writes Parquet
(events by month in hive layout).

Exit codes: 0 loaded; 2 stopped by a bad file or config (one message on stderr, database
unchanged); 3 another load holds the lock; 130 interrupted (Ctrl-C or SIGTERM: one line,
never published, the copy and spill removed).
"""
from __future__ import annotations

import argparse
import sys


def _load(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m etl load",
                                 description="Load county export files into a DuckDB file.")
    ap.add_argument("--db", required=True, help="DuckDB file to create or update, or chdb:DIR, "
                    "or clickhouse://user@host:port/database[?ledger=PATH]")
    ap.add_argument("--config", required=True, help="load config (TOML)")
    ap.add_argument("--settings", help="settings TOML (default: built-in defaults)")
    ap.add_argument("--report", help="also write the run report as JSON here")
    ap.add_argument("--quiet", action="store_true", help="no progress bar")
    ap.add_argument("--progress", metavar="FILE",
                    help="write progress as JSON lines to FILE (for a program; etl/progress.py)")
    args = ap.parse_args(argv)
    from etl.cli import load_and_report

    return load_and_report(args.db, args.config, settings=args.settings, report=args.report,
                           progress=not args.quiet, progress_file=args.progress)


def _publish(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m etl publish",
                                 description="Publish the ledger to ClickHouse again.")
    ap.add_argument("--db", required=True, help="chdb:DIR or clickhouse://user@host:port/db")
    args = ap.parse_args(argv)
    from etl.cli import publish_and_report

    return publish_and_report(args.db)


def _export(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m etl export",
                                 description="Write the database as Parquet (events by month, "
                                             "hive layout) for DuckDB, ClickHouse, Doris, "
                                             "StarRocks.")
    ap.add_argument("--db", required=True, help="DuckDB file, or chdb:DIR (its ledger)")
    ap.add_argument("--out", required=True, help="folder to write (must be empty or new)")
    ap.add_argument("--with-personal-data", action="store_true",
                    help="keep reporter_name and reporter_phone (left out by default)")
    args = ap.parse_args(argv)
    from etl.export import export_and_report

    return export_and_report(args.db, args.out, personal=args.with_personal_data)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if argv else 2
    cmd, rest = argv[0], argv[1:]
    if cmd == "load":
        return _load(rest)
    if cmd == "publish":
        return _publish(rest)
    if cmd == "export":
        return _export(rest)
    if cmd == "demo":
        from etl.demo import main as demo_main   # written by the demo engineer

        return int(demo_main(rest) or 0)
    print(f"unknown command {cmd!r}; use 'load', 'publish', 'export' or 'demo'", file=sys.stderr)
    return 2


def run() -> None:
    """Exit with main()'s code. Everything the load opened is closed by then (try/finally),
    so the interpreter's teardown has nothing left to do but let native thread pools
    (DuckDB, Arrow) abort the process (``terminate called without an active exception``,
    exit -6) over its own exit code: flush and leave at once."""
    import os

    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(int(code or 0))


if __name__ == "__main__":
    run()
