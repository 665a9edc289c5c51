"""Read-only access to the published DuckDB file, safe while a load publishes a new one.

The ETL never writes the published file in place: it builds a copy and swaps it in with
``os.replace`` (publish by swap). This module notices the swap (the file's inode and mtime
change), waits for queries in flight to finish, closes the old connection and opens the new
file read-only. DuckDB caches one database instance per path inside a process, so the old
connection must be closed before the new one is opened, hence the small readers/writer gate.
"""
from __future__ import annotations

import os
import re
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb
import pandas as pd

from store.base import BaseStore, SwapGate


class StoreError(RuntimeError):
    """A database problem with a human title; screens show the title, never a traceback."""

    def __init__(self, title: str, detail: str = ""):
        super().__init__(title if not detail else f"{title}: {detail}")
        self.title = title
        self.detail = detail


DEFAULT_MEMORY_LIMIT = "256MB"


def memory_limit() -> str:
    """DuckDB's memory cap for the read side (env ``GRIDWALL_DB_MEMORY``, default 256MB).

    Left alone DuckDB may keep up to 80 % of the machine's RAM of a big file in its buffer
    pool. The pool fills slowly as a served wall touches more of the file (on the 10 M
    benchmark county +27 MB over a 20-minute soak at 512 MB, still filling), beside ~500 MB
    of the app's own (facts, replies, the interpreter). At 384 MB the 10 M benchmark's peak
    was 993-995 MB; at 256 MB 900-952 MB, with drill-downs and /api/metrics within the
    noise of each other (docs/scale.md). A 1 M county's file (~60 MB) never fills either.
    What is evicted is read from the file again; a query that needs more spills to DuckDB's
    temp folder (a read-only connection spills too: a 10 M-row sort ran in 128 MB)."""
    value = (os.environ.get("GRIDWALL_DB_MEMORY") or "").strip()
    return value if re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", value, re.I) else DEFAULT_MEMORY_LIMIT


def _identity(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


class ReadStore(BaseStore):
    """Read-only connection manager for one database path."""

    engine = "duckdb"   # the ClickHouse store (store/clickhouse.py) says "clickhouse"

    def __init__(self, path: str | Path):
        self.path = Path(path).resolve()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._ident: tuple[int, int, int] | None = None
        self._gate = SwapGate()
        self._generation = 0

    # -- connection lifecycle -----------------------------------------------------------
    def _open(self) -> None:
        ident = _identity(self.path)
        if ident is None:
            raise StoreError("数据库文件不存在", f"database file not found: {self.path}")
        try:
            con = duckdb.connect(str(self.path), read_only=True)
            # a setting, not a connect config: another read-only connection to the same file
            # in this process (a script, a test) must not be refused for a different config
            con.execute(f"SET memory_limit = '{memory_limit()}'")
        except duckdb.Error as exc:
            raise StoreError("数据库无法打开", f"{self.path}: {exc}") from exc
        self._con, self._ident = con, ident
        self._generation += 1

    def _refresh_if_swapped(self) -> None:
        if not self._stale():
            return
        self._gate.swap(self._stale, self._reopen)

    def _stale(self) -> bool:
        return self._con is None or _identity(self.path) != self._ident

    def _reopen(self) -> None:
        self._close_con()
        self._open()

    def _close_con(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None

    def _new_cursor(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            self._open()
        return self._con.cursor()

    @property
    def version(self) -> str:
        """Changes whenever a new load is published; part of every cache key."""
        self._refresh_if_swapped()
        return f"{self._generation}:{self._ident}"

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor on the current file; the file is not swapped out while it is held."""
        self._refresh_if_swapped()
        with self._gate.reading(self._new_cursor) as cur:
            try:
                yield cur
            except duckdb.Error as exc:
                raise StoreError("数据查询失败", str(exc)) from exc
            finally:
                cur.close()

    def df(self, sql: str, params: list | dict | None = None) -> pd.DataFrame:
        with self.cursor() as cur:
            return cur.execute(sql, params or []).df()

    def rows(self, sql: str, params: list | dict | None = None) -> list[tuple]:
        with self.cursor() as cur:
            return cur.execute(sql, params or []).fetchall()

    def close(self) -> None:
        self._gate.drain(self._close_con)


def _expected_columns() -> dict[str, set[str]]:
    """The tables and columns ``store.schema.DDL`` creates (read off an in-memory database,
    so the check follows the schema as it changes)."""
    from store.schema import DDL

    con = duckdb.connect()
    try:
        con.execute(DDL)
        rows = con.execute("SELECT table_name, column_name FROM duckdb_columns() WHERE "
                           "schema_name = 'main' AND database_name = current_database() "
                           "AND NOT internal").fetchall()
    finally:
        con.close()
    out: dict[str, set[str]] = {}
    for table, column in rows:
        out.setdefault(table, set()).add(column)
    return out


def zone_clash(data_tz: str | None, settings) -> str | None:
    """Why the data's time zone (meta ``timezone``, written by every load) and the settings'
    disagree, or None. Every timestamp is stored naive in the zone it was loaded with; read
    in another, 'today', the hour of day and the feed's age all shift by the difference."""
    tz = settings.timezone
    if not data_tz or data_tz == tz:
        return None
    import datetime as dt
    from zoneinfo import ZoneInfo

    now = dt.datetime.now(dt.timezone.utc)
    try:
        apart = (now.astimezone(ZoneInfo(tz)).utcoffset()
                 - now.astimezone(ZoneInfo(data_tz)).utcoffset()) / dt.timedelta(hours=1)
    except Exception:   # an unknown zone in the file: still a clash, size unknown
        apart = None
    gap = "" if apart is None else f", {abs(apart):g} h apart"
    return (f"its data was loaded with timezone = {data_tz!r} but {settings.source} says "
            f"timezone = {tz!r}{gap}")


def check_database(path: str | Path, settings=None) -> None:
    """StoreError (one line naming the file and what to run) unless ``path`` is a gridwall
    database this version serves (with ``settings``: read in the zone it was loaded with). For the commands that serve or read it at start: before,
    a misspelt ``--db`` served an empty wall for hours (and left a lock, an auth database
    and an admin folder beside nothing), and another program's file 500'd every page."""
    from store.schema import OPTIONAL_TABLES, SCHEMA_VERSION

    p = Path(path)
    build = (f"build it with python -m etl load --db {p} --config load.toml "
             "(or python -m etl demo for the demo county), or correct --db")
    other = ("correct --db, or load the county into a new file: python -m etl load "
             "--db NEW.duckdb --config load.toml")
    if not p.exists():
        raise StoreError("数据库文件不存在", f"{p}: no such database file; {build}")
    if p.is_dir():
        raise StoreError("数据库路径是文件夹", f"{p}: is a folder, not a database file; "
                         "pass the .duckdb file inside it, or chdb:DIR for a chdb folder")
    if p.stat().st_size == 0:
        raise StoreError("数据库文件为空", f"{p}: empty file (0 bytes); remove it and {build}")
    try:
        con = duckdb.connect(str(p), read_only=True)
    except duckdb.Error as exc:
        why = " ".join(str(exc).split())
        raise StoreError("数据库无法打开", f"{p}: not a DuckDB database this version can open "
                         f"({why[:200]}); {other}") from None
    try:
        have: dict[str, set[str]] = {}
        for table, column in con.execute(
                "SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = "
                "'main' AND database_name = current_database() AND NOT internal").fetchall():
            have.setdefault(table, set()).add(column)
        meta: dict[str, str] = {}
        if "meta" in have and {"key", "value"} <= have["meta"]:
            meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
        version = meta.get("schema_version")
    finally:
        con.close()
    want = _expected_columns()
    if "meta" not in have or version is None:
        if not have:
            raise StoreError("数据库为空", f"{p}: a DuckDB file with no tables; {build}")
        tables = ", ".join(sorted(have)[:5])
        raise StoreError("不是网格大屏数据库", f"{p}: a DuckDB file without gridwall's tables "
                         f"(its tables: {tables}), not a gridwall database; {other}")
    if not str(version).isdigit() or int(version) > int(SCHEMA_VERSION):
        raise StoreError("数据库版本较新", f"{p}: written by a newer gridwall (schema "
                         f"{version}; this one reads {SCHEMA_VERSION}): upgrade gridwall "
                         "(git pull, pip install -r requirements.txt)")
    columns = [f"{t}.{c}" for t in want if t in have for c in sorted(want[t] - have[t])]
    if columns:     # no gridwall version dropped or renamed a column: not ours to mend
        raise StoreError("数据库结构不符", f"{p}: its tables lack gridwall's columns "
                         f"{', '.join(columns[:6])}; load the county into a new file: "
                         "python -m etl load --db NEW.duckdb --config load.toml")
    tables = [t for t in want if t not in have and t not in OPTIONAL_TABLES]
    if tables:      # create_schema adds them (and the rollups are rebuilt when empty)
        raise StoreError("数据库版本较旧", f"{p}: written by an older gridwall (no table "
                         f"{', '.join(sorted(tables))}); bring it up to date with a load: "
                         f"python -m etl load --db {p} --config load.toml")
    clash = None if settings is None else zone_clash(meta.get("timezone"), settings)
    if clash:
        raise StoreError("时区不一致", f"{p}: {clash}: every day, hour and the feed's age "
                         "would shift; pass the --settings the loads use")
