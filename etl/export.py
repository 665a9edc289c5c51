"""``python -m etl export --db PATH --out DIR``: the database as Parquet other engines read.

Events go out month by month in hive layout, ``DIR/events/year=YYYY/month=MM/*.parquet``
(DuckDB ``COPY … PARTITION_BY``), which DuckDB (``read_parquet(…, hive_partitioning=true)``),
ClickHouse (``file('DIR/events/*/*/*.parquet')``), Doris and StarRocks (``FILES()`` / broker
load with ``columns from path``) read directly; every other table is one
``DIR/<table>.parquet``. Timestamps are naive local time (Parquet ``timestamp[us]`` without
UTC adjustment), as in the store.

Personal data stays home unless ``--with-personal-data`` asks for it: a file that leaves
the command room is not the place. Without it ``reporter_name`` and ``reporter_phone`` are
left out, ``address`` and ``description`` are written as officers read them (ID and phone
numbers, the reporter's own name and phone, names after a role word masked:
``store.privacy.mask_text_sql``), and ``rejects`` goes without ``raw``, the rejected source
row as it came (names, phones and texts unmasked).
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import duckdb

from store.engines import parse_target
from store.privacy import mask_text_sql

PERSONAL = ("reporter_name", "reporter_phone")
TEXTS = ("address", "description")          # written masked without personal data
RAW = {"rejects": ("raw",)}                  # left out without personal data


def _events_select(con, personal: bool) -> str:
    """The events' columns in their order; without ``personal`` the reporter's columns left
    out and the texts masked with them (a name or phone written into a text is masked too)."""
    if personal:
        return "*"
    cols = [r[0] for r in con.execute("DESCRIBE events").fetchall()]
    out = []
    for c in cols:
        if c in PERSONAL:
            continue
        out.append(f'{mask_text_sql(c, "reporter_name", "reporter_phone")} AS "{c}"'
                   if c in TEXTS else f'"{c}"')
    return ", ".join(out)


def export(db, out, *, personal: bool = False) -> dict:
    """Write the Parquet files; returns {table: rows} (events: also ``months``)."""
    target = parse_target(db)
    src = target.ledger
    if src is None or not Path(src).exists():
        raise FileNotFoundError(f"{db}: no database at {src}")
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out}: not empty (export writes a fresh folder)")
    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(src), read_only=True)
    counts: dict = {}
    try:
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE NOT temporary AND schema_name = 'main'"
            " ORDER BY table_name").fetchall()]
        for t in tables:
            if t == "events":
                cols = _events_select(con, personal)
                con.execute(
                    f"COPY (SELECT {cols}, strftime(reported_at, '%Y') AS year,"
                    " strftime(reported_at, '%m') AS month FROM events ORDER BY reported_at)"
                    f" TO '{out / 'events'}' (FORMAT parquet, PARTITION_BY (year, month),"
                    " COMPRESSION zstd, FILENAME_PATTERN 'events_{i}')")
                counts["events_months"] = con.execute(
                    "SELECT count(DISTINCT strftime(reported_at, '%Y-%m')) FROM events").fetchone()[0]
            else:
                drop = "" if personal or t not in RAW else f" EXCLUDE ({', '.join(RAW[t])})"
                con.execute(f"COPY (SELECT *{drop} FROM \"{t}\") TO '{out / (t + '.parquet')}' "
                            "(FORMAT parquet, COMPRESSION zstd)")
            counts[t] = con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
    finally:
        con.close()
    return counts


def export_and_report(db, out, personal: bool = False) -> int:
    t0 = time.monotonic()
    try:
        counts = export(db, out, personal=personal)
    except (OSError, duckdb.Error, ValueError) as exc:
        print(f"导出失败 export stopped: {exc}", file=sys.stderr)
        return 2
    tables = ", ".join(f"{t} {n:,}" for t, n in counts.items() if t != "events_months")
    print(f"exported to {out} in {time.monotonic() - t0:.1f} s: {tables}; events in "
          f"{counts.get('events_months', 0)} month folders (hive layout year=/month=)")
    return 0
