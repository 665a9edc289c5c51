"""Which engine a ``--db`` names, and the store that reads it: ``open_store(db)``.

``--db`` of ``python -m etl load`` and ``python -m dashboard`` is one of

* a file path: the embedded DuckDB file (the default, unchanged: ``store.db.ReadStore``);
* ``chdb:DIR``: ClickHouse in-process (PyPI ``chdb``) on the folder DIR (layout in
  ``store/chdb_folder.py``);
* ``clickhouse://user[:password]@host[:port]/database[?ledger=PATH]``: a ClickHouse server
  through ``clickhouse-connect`` (HTTP, port 8123 by default; ``clickhouses://`` for TLS,
  port 8443). ``ledger`` is the DuckDB working file the ETL keeps for incremental loads
  (default ``./gridwall-<host>-<database>.ledger.duckdb``).

Files that live beside the data (the auth database ``*.auth.sqlite``, the audit log) go
beside :func:`side_path`: the DuckDB file itself, ``DIR/gridwall`` for chdb (so
``DIR/gridwall.auth.sqlite``), the ledger for a server.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit


@dataclass(frozen=True)
class Target:
    """A parsed ``--db``: ``kind`` is 'duckdb', 'chdb' or 'clickhouse'."""

    kind: str
    path: Path | None = None            # duckdb file, or chdb folder
    host: str = ""
    port: int = 0
    user: str = "default"
    password: str = ""
    database: str = "default"
    secure: bool = False
    ledger_path: Path | None = None     # the ETL's DuckDB working file for a server

    @property
    def is_clickhouse(self) -> bool:
        return self.kind in ("chdb", "clickhouse")

    @property
    def ledger(self) -> Path:
        """The DuckDB file the ETL loads into (for DuckDB: the published file itself)."""
        if self.kind == "duckdb":
            return self.path
        if self.kind == "chdb":
            return self.path / "ledger.duckdb"
        return self.ledger_path

    def describe(self) -> str:
        if self.kind == "duckdb":
            return str(self.path)
        if self.kind == "chdb":
            return f"chdb:{self.path}"
        return f"clickhouse://{self.user}@{self.host}:{self.port}/{self.database}"


def parse_target(db) -> Target:
    """``db`` (a path, ``chdb:DIR`` or a ``clickhouse://`` URL) → :class:`Target`."""
    if isinstance(db, Target):
        return db
    text = str(db)
    if text.startswith("chdb:"):
        folder = text[len("chdb:"):]
        if not folder:
            raise ValueError("chdb: needs a folder, e.g. chdb:/srv/gridwall/county")
        return Target("chdb", path=Path(folder).expanduser().resolve())
    if text.startswith(("clickhouse://", "clickhouses://")):
        u = urlsplit(text)
        secure = u.scheme == "clickhouses"
        if not u.hostname:
            raise ValueError(f"{text}: no host (clickhouse://user@host:port/database)")
        database = unquote(u.path.lstrip("/")) or "default"
        if "/" in database:
            raise ValueError(f"{text}: one database name after the host, no more path")
        query = parse_qs(u.query)
        unknown = set(query) - {"ledger"}
        if unknown:
            raise ValueError(f"{text}: unknown option(s) {', '.join(sorted(unknown))}")
        ledger = query.get("ledger", [None])[0]
        ledger = Path(ledger) if ledger else Path(f"gridwall-{u.hostname}-{database}.ledger.duckdb")
        return Target("clickhouse", host=u.hostname, port=u.port or (8443 if secure else 8123),
                      user=unquote(u.username or "default"),
                      password=unquote(u.password or ""), database=database, secure=secure,
                      ledger_path=ledger.expanduser().resolve())
    if "://" in text:
        raise ValueError(f"{text}: unknown scheme (use a DuckDB file, chdb:DIR or clickhouse://)")
    return Target("duckdb", path=Path(text))


def side_path(db) -> Path:
    """The path the sidecar files (``.auth.sqlite``, audit log) are named after."""
    t = parse_target(db)
    if t.kind == "chdb":
        return t.path / "gridwall"
    if t.kind == "clickhouse":
        return t.ledger
    return t.path


def open_store(db):
    """The read store for ``db``: DuckDB ``ReadStore`` or the ClickHouse store."""
    t = parse_target(db)
    if t.kind == "duckdb":
        from store.db import ReadStore

        return ReadStore(t.path)
    from store.clickhouse import ClickHouseStore

    return ClickHouseStore(t)
