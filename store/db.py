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
