"""The ClickHouse read store: the same methods as ``store.db.ReadStore``, on ClickHouse.

``df``, ``rows``, ``scalar``, ``meta``, ``version``, ``cursor()``, ``path``, ``close`` take
the read modules' DuckDB SQL and ``?`` parameters unchanged; ``store.dialect`` translates
and binds them. Results come back as Arrow and are turned into what DuckDB would have
given (:func:`to_pandas`, :func:`to_rows`): naive timestamps, ``int64`` counts, nullable
integers as ``Int64``, dates as ``datetime64[us]`` in frames and ``datetime.date`` in rows.

Two backends behind one small ``query(sql) -> pyarrow.Table``:

* :class:`ChdbBackend` (``chdb:DIR``): ClickHouse in this process on the published
  generation of DIR (``store/chdb_folder.py``); a publish swaps the generation, and the
  store reopens on the new one between queries, never under one.
* :class:`ServerBackend` (``clickhouse://``): a server through ``clickhouse-connect``; a
  publish there is ``EXCHANGE TABLES``, atomic on the server, so nothing reopens.
"""
from __future__ import annotations

import os
import re
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pandas as pd
import pyarrow as pa

from store import chdb_folder
from store.base import BaseStore, SwapGate
from store.db import StoreError
from store.dialect import SETTINGS, bind
from store.engines import Target
from store.schema import DDL


# --- Arrow → what DuckDB gives ------------------------------------------------------------

# The schema's BLOB columns (WKB geometry). ClickHouse gives them as String like any text,
# so a result column is told by its name: one named after a BLOB column, or an expression
# over one (``COALESCE(geom_wkb, geom_simple_wkb)``, named by its text), stays bytes. Told
# by content instead, a polygon on whole or quarter degrees, whose WKB bytes happen to be
# valid UTF-8, came back as text and every map read failed on it.
BLOB_COLUMNS = tuple(sorted(set(re.findall(r"(\w+) BLOB\b", DDL))))
_BLOB_NAME = re.compile(r"\b(?:" + "|".join(BLOB_COLUMNS) + r")\b")


def _plain_column(col: pa.ChunkedArray, name: str = "") -> pa.ChunkedArray:
    t = col.type
    if pa.types.is_timestamp(t) and t.tz is not None:
        return col.cast(pa.timestamp(t.unit))              # UTC wall clock = naive local
    if pa.types.is_unsigned_integer(t):
        try:        # a count is UInt64 here and BIGINT in DuckDB
            return col.cast(pa.int64())
        except pa.ArrowInvalid:     # a hash (events.content_hash) is UBIGINT in both
            return col
    if pa.types.is_dictionary(t):
        return col.cast(t.value_type)
    if (pa.types.is_binary(t) or pa.types.is_large_binary(t)) and _BLOB_NAME.search(name):
        return col
    if pa.types.is_large_string(t) or pa.types.is_binary(t) or pa.types.is_large_binary(t):
        try:        # ClickHouse String holds text and WKB alike: text when it is UTF-8
            return col.cast(pa.string())
        except pa.ArrowInvalid:
            return col
    return col


def plain(table: pa.Table) -> pa.Table:
    return pa.table({name: _plain_column(table.column(i), name)
                     for i, name in enumerate(table.column_names)}) if table.num_columns else table


def to_pandas(table: pa.Table) -> pd.DataFrame:
    """A frame with DuckDB's dtypes for the same result."""
    table = plain(table)
    out = {}
    for i, name in enumerate(table.column_names):
        col, t = table.column(i), table.column(i).type
        if pa.types.is_date(t):
            out[name] = pd.to_datetime(pd.Series(col.to_pylist(), dtype="object")).astype(
                "datetime64[us]")
        elif pa.types.is_timestamp(t):
            out[name] = pd.Series(col.cast(pa.timestamp("us")).to_numpy(zero_copy_only=False))
        elif pa.types.is_integer(t) and col.null_count:
            out[name] = pd.Series(col.to_pylist(), dtype="Int32" if t.bit_width <= 32 else "Int64")
        elif pa.types.is_boolean(t) and col.null_count:
            out[name] = pd.Series(col.to_pylist(), dtype="boolean")
        else:
            out[name] = col.to_pandas()
    return pd.DataFrame(out, columns=table.column_names) if out else pd.DataFrame(
        columns=table.column_names)


def to_rows(table: pa.Table) -> list[tuple]:
    table = plain(table)
    cols = [table.column(i).to_pylist() for i in range(table.num_columns)]
    return list(zip(*cols)) if cols else []


# --- backends -----------------------------------------------------------------------------

class ChdbBackend:
    """ClickHouse in-process on the published generation of a ``chdb:DIR`` folder."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._session = None
        self._generation: Path | None = None
        self._ident = None

    def identity(self):
        try:
            st = os.stat(chdb_folder.pointer(self.folder))
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def is_current(self) -> bool:
        return self._session is not None and self.identity() == self._ident

    def open(self) -> None:
        from chdb import session as chdb_session

        for _ in range(5):
            ident = self.identity()
            gen = chdb_folder.current(self.folder)
            if gen is None or not gen.is_dir():
                raise StoreError("数据库尚未发布", f"no published ClickHouse data in {self.folder}"
                                 " (run python -m etl load --db chdb:...)")
            try:
                sess = chdb_session.Session(f"{gen}?progress=off")   # no progress bars on a tty
            except Exception as exc:   # chdb raises plain RuntimeError-likes
                raise StoreError("数据库无法打开", f"{gen}: {exc}") from exc
            if self.identity() == ident:       # not re-published while we opened it
                self._session, self._generation, self._ident = sess, gen, ident
                for k, v in SETTINGS.items():
                    sess.query(f"SET {k} = {v!r}" if isinstance(v, str) else f"SET {k} = {v}")
                return
            sess.close()
        raise StoreError("数据库无法打开", f"{self.folder}: published again and again while opening")

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None

    def query(self, sql: str) -> pa.Table:
        return self._session.query(sql, "ArrowTable")

    def command(self, sql: str) -> None:
        self._session.query(sql)

    @property
    def label(self) -> str:
        return f"{self._generation.name if self._generation else '-'}:{self._ident}"


class ServerBackend:
    """A ClickHouse server through clickhouse-connect (HTTP)."""

    def __init__(self, target: Target):
        self.target = target
        self._client = None
        self._version = (0.0, None)

    def identity(self):
        return "server"

    def is_current(self) -> bool:
        return self._client is not None

    def open(self) -> None:
        import clickhouse_connect

        t = self.target
        try:
            self._client = clickhouse_connect.get_client(
                host=t.host, port=t.port, username=t.user, password=t.password,
                database=t.database, secure=t.secure, settings=dict(SETTINGS),
                autogenerate_session_id=False)
        except Exception as exc:
            raise StoreError("数据库无法连接", f"{t.describe()}: {exc}") from exc

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def query(self, sql: str) -> pa.Table:
        return self._client.query_arrow(sql, use_strings=False)

    def command(self, sql: str) -> None:
        self._client.command(sql)

    @property
    def label(self) -> str:
        """The published data_version, looked up at most once a second."""
        at, value = self._version
        if time.monotonic() - at > 1.0:
            t = self.query("SELECT value FROM meta WHERE key = 'data_version'")
            rows = to_rows(t)
            value = rows[0][0] if rows else None
            self._version = (time.monotonic(), value)
        return str(value)


# --- the store ----------------------------------------------------------------------------

class _Cursor:
    """The slice of DuckDB's cursor API the read modules use (execute, fetch*, df)."""

    def __init__(self, store: "ClickHouseStore"):
        self._store = store
        self._table: pa.Table | None = None
        self._rows: list[tuple] | None = None
        self._pos = 0

    def execute(self, sql: str, params=None) -> "_Cursor":
        self._table = plain(self._store._run(sql, params))
        self._rows, self._pos = None, 0
        return self

    def _all(self) -> list[tuple]:
        if self._rows is None:
            self._rows = to_rows(self._table) if self._table is not None else []
        return self._rows

    def fetchmany(self, n: int = 1) -> list[tuple]:
        out = self._all()[self._pos:self._pos + n]
        self._pos += len(out)
        return out

    def fetchall(self) -> list[tuple]:
        return self.fetchmany(len(self._all()))

    def fetchone(self):
        got = self.fetchmany(1)
        return got[0] if got else None

    def df(self) -> pd.DataFrame:
        return to_pandas(self._table)

    def close(self) -> None:
        self._table = self._rows = None


class ClickHouseStore(BaseStore):
    """Read-only ClickHouse store with ReadStore's interface (``engine == 'clickhouse'``)."""

    engine = "clickhouse"

    def __init__(self, target: Target):
        self.target = target
        self.path = target.describe()
        self._backend = ChdbBackend(target.path) if target.kind == "chdb" else ServerBackend(target)
        self._gate = SwapGate()
        self._generation = 0
        self._query_lock = threading.Lock()    # one query at a time on the embedded engine
        self._schema: tuple = ()
        self._database = target.database if target.kind == "clickhouse" else "default"

    def _refresh(self) -> None:
        if self._backend.is_current():
            return
        self._gate.swap(lambda: not self._backend.is_current(), self._reopen)

    def _reopen(self) -> None:
        self._backend.close()
        self._backend.open()
        self._schema = self._read_schema()
        self._generation += 1

    @contextmanager
    def _reading(self):
        self._refresh()
        with self._gate.reading():
            yield

    def _read_schema(self) -> tuple:
        """((table, (column, …)), …) of the published tables, hidden columns left out."""
        rows = to_rows(self._backend.query(
            "SELECT table, name FROM system.columns WHERE database = currentDatabase()"
            " AND default_kind != 'MATERIALIZED' ORDER BY table, position"))
        tables: dict[str, list[str]] = {}
        for t, name in rows:
            tables.setdefault(t, []).append(name)
        return tuple((t, tuple(cols)) for t, cols in tables.items())

    def _run(self, sql: str, params=None) -> pa.Table:
        try:
            text = bind(sql, params, self._schema, self._database)
        except Exception as exc:
            raise StoreError("数据查询失败", f"cannot translate for ClickHouse: {exc}") from exc
        try:
            with self._query_lock:
                return self._backend.query(text)
        except StoreError:
            raise
        except Exception as exc:
            raise StoreError("数据查询失败", f"{exc}") from exc

    @property
    def version(self) -> str:
        self._refresh()
        return f"ch{self._generation}:{self._backend.label}"

    @contextmanager
    def cursor(self) -> Iterator[_Cursor]:
        with self._reading():
            cur = _Cursor(self)
            try:
                yield cur
            finally:
                cur.close()

    def arrow(self, sql: str, params=None) -> pa.Table:
        with self._reading():
            return plain(self._run(sql, params))

    def df(self, sql: str, params=None) -> pd.DataFrame:
        with self._reading():
            return to_pandas(self._run(sql, params))

    def rows(self, sql: str, params=None) -> list[tuple]:
        with self._reading():
            return to_rows(self._run(sql, params))

    def close(self) -> None:
        self._gate.drain(self._backend.close)
