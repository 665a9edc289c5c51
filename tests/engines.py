"""Run a store test on both engines: the DuckDB file as written, and the same rows published
to ClickHouse in-process (chdb) by the real publisher (etl/publish_clickhouse.py).

chdb runs one ClickHouse folder per process at a time, so opening a chdb store closes the
one opened before (tests hold one store at a time).
"""
from __future__ import annotations

import itertools
from pathlib import Path

from store.db import ReadStore
from store.engines import open_store

ENGINES = ("duckdb", "chdb")
_live: list = []
_n = itertools.count()


def close_all() -> None:
    while _live:
        _live.pop().close()


def publish_to_chdb(duckdb_file: Path, folder: Path | None = None) -> str:
    """Publish a DuckDB file's tables to a new chdb folder; returns its ``chdb:DIR``."""
    from etl.publish_clickhouse import publish

    close_all()
    folder = folder or Path(duckdb_file).with_name(f"{Path(duckdb_file).stem}-ch{next(_n)}")
    target = f"chdb:{folder}"
    publish(target, ledger=Path(duckdb_file))
    return target


def store_on(engine: str, duckdb_file: Path):
    """A read store on ``engine`` holding exactly the rows of ``duckdb_file``."""
    if engine == "duckdb":
        return ReadStore(duckdb_file)
    store = open_store(publish_to_chdb(duckdb_file))
    _live.append(store)
    return store


def open_chdb(target: str):
    close_all()
    store = open_store(target)
    _live.append(store)
    return store
