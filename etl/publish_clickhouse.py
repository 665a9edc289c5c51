"""Publish the ETL's DuckDB working database (the *ledger*) to ClickHouse, all or nothing.

The ETL stays what it is: every file is read, checked and staged in DuckDB, into the ledger
(``DIR/ledger.duckdb`` for ``chdb:DIR``; ``?ledger=`` of a ``clickhouse://`` URL), with its
own publish by swap. After a successful load every table of the ledger is published:

1. DuckDB writes each table as Parquet into a scratch folder (inside DIR for chdb, beside
   the ledger for a server; the ledger is only read);
2. each goes into ``<table>__new`` (``events``: MergeTree partitioned by month of
   ``reported_at``, ordered by township, grid, reported_at, the wall's filters; the others
   ordered by their key), filled from the Parquet (``INSERT … SELECT * FROM file(…)`` in
   chdb; Arrow batches through clickhouse-connect for a server);
3. ``EXCHANGE TABLES <table>__new AND <table>`` for each, ``meta`` last (its
   ``data_version`` is the wall's cache key), then the old copies are dropped.

``daily_rollup`` and ``grid_daily`` are refreshed by the ETL in the ledger and published
like a table: refreshed tables, rebuilt by every load.

For chdb the tables are built in a fresh generation folder and ``CURRENT`` is switched last
(``store/chdb_folder.py`` says why: the wall holds the folder it reads). A publish that fails
leaves ClickHouse as it was: the new generation (chdb) or the ``__new`` tables (server) are
dropped and the pointer / the live tables never change. The ledger then holds a load that
is not published; the next ``etl load`` (or ``python -m etl publish``) publishes it.
"""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import duckdb

from etl.errors import PublishError
from store import chdb_folder
from store.dialect import SETTINGS, ch_type
from store.engines import Target, parse_target

# ORDER BY (and PARTITION BY) of every published table; the wall filters events by
# township, grid and report time.
LAYOUT = {
    "events": ("(township_code, grid_id, reported_at)", "toYYYYMM(reported_at)"),
    "daily_rollup": ("(day, township_code, grid_id)", None),
    "grid_daily": ("(day, grid_id)", None),
    "townships": ("township_code", None),
    "villages": ("village_code", None),
    "grids": ("grid_id", None),
    "cameras": ("(township_code, grid_id, camera_id)", None),
    "mediation": ("(township_code, month)", None),
    "rejects": ("(load_id, source_file)", None),
    "load_runs": ("load_id", None),
    "meta": ("key", None),
}


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str, bool]]:
    """(name, DuckDB type, nullable) of a ledger table, in order."""
    return [(name, typ, null == "YES") for name, typ, null, *_ in
            con.execute(f'DESCRIBE "{table}"').fetchall()]


def ddl(table: str, name: str, columns: list[tuple[str, str, bool]]) -> str:
    """CREATE TABLE for ``name`` shaped like the ledger's ``table``."""
    order, partition = LAYOUT.get(table, ("tuple()", None))
    cols = []
    for col, typ, nullable in columns:
        t = ch_type(typ, nullable)
        hidden = " MATERIALIZED 0" if col == "rowid" else ""    # not in SELECT *
        cols.append(f"`{col}` {t}{hidden}")
    part = f" PARTITION BY {partition}" if partition else ""
    return (f"CREATE TABLE `{name}` ({', '.join(cols)}) ENGINE = MergeTree{part}"
            f" ORDER BY {order} SETTINGS allow_nullable_key = 1")


def _tables(con) -> list[str]:
    names = [r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE NOT temporary AND schema_name = 'main'"
        " ORDER BY table_name").fetchall()]
    return sorted(names, key=lambda n: n == "meta")      # meta last


def export_parquet(ledger: Path, scratch: Path) -> dict[str, tuple[Path, list]]:
    """Every ledger table as one Parquet file; returns {table: (file, columns)}."""
    scratch.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(ledger), read_only=True)
    try:
        out = {}
        for t in _tables(con):
            f = scratch / f"{t}.parquet"
            cols, select = [], []
            for name, typ, nullable in _columns(con, t):
                try:
                    ch_type(typ)
                    select.append(f'"{name}"')
                except ValueError:     # a type ClickHouse is not given: published as text
                    select.append(f'CAST("{name}" AS VARCHAR) AS "{name}"')
                    typ = "VARCHAR"
                cols.append((name, typ, nullable))
            if t == "events":      # DuckDB's rowid goes along (the event table tie-breaks by it)
                select.append("rowid AS rowid")
                cols.append(("rowid", "BIGINT", False))
            order = "ORDER BY reported_at" if t == "events" else ""
            con.execute(f"COPY (SELECT {', '.join(select)} FROM \"{t}\" {order}) TO '{f}' "
                        "(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)")
            out[t] = (f, cols)
        return out
    finally:
        con.close()


def _settings_sql() -> str:
    return ", ".join(f"{k} = {v!r}" if isinstance(v, str) else f"{k} = {v}"
                     for k, v in SETTINGS.items())


def _publish_tables(command, insert, files: dict[str, tuple[Path, list]]) -> None:
    """Stage every table in ``<t>__new``, then exchange them in (meta last), drop the old."""
    for t, (f, cols) in files.items():
        command(f"DROP TABLE IF EXISTS `{t}__new`")
        command(ddl(t, f"{t}__new", cols))
        insert(f"{t}__new", f)
    for t, (_, cols) in files.items():
        command(f"CREATE TABLE IF NOT EXISTS `{t}` AS `{t}__new`")
        command(f"EXCHANGE TABLES `{t}__new` AND `{t}`")
    for t in files:
        command(f"DROP TABLE IF EXISTS `{t}__new`")


def _publish_chdb(folder: Path, files) -> dict:
    from chdb import session as chdb_session

    gen = chdb_folder.new_generation(folder)
    try:
        sess = chdb_session.Session(f"{gen}?progress=off")   # no progress bars on a tty
        try:
            sess.query("SET " + _settings_sql())

            def command(sql):
                sess.query(sql)

            def insert(name, f):
                cols = ", ".join(f"`{c}`" for c, *_ in files[name[:-len("__new")]][1])
                sess.query(f"INSERT INTO `{name}` ({cols}) SELECT * FROM file('{f}', Parquet)"
                           " SETTINGS insert_allow_materialized_columns = 1")

            _publish_tables(command, insert, files)
        finally:
            sess.close()
    except BaseException:
        shutil.rmtree(gen, ignore_errors=True)
        raise
    chdb_folder.make_current(folder, gen)
    removed = chdb_folder.remove_unused(folder)
    return {"generation": gen.name, "removed_generations": removed}


def _publish_server(target: Target, files) -> dict:
    import clickhouse_connect
    import pyarrow.parquet as pq

    client = clickhouse_connect.get_client(
        host=target.host, port=target.port, username=target.user, password=target.password,
        database=target.database, secure=target.secure, settings=dict(SETTINGS))
    try:
        def command(sql):
            client.command(sql)

        def insert(name, f):
            pf = pq.ParquetFile(f)
            for i in range(pf.num_row_groups):
                client.insert_arrow(name, pf.read_row_group(i),
                                    settings={"insert_allow_materialized_columns": 1})

        try:
            _publish_tables(command, insert, files)
        except BaseException:
            for t in files:
                try:
                    client.command(f"DROP TABLE IF EXISTS `{t}__new`")
                except Exception:
                    pass
            raise
    finally:
        client.close()
    return {"server": target.describe()}


def publish(db, ledger: Path | None = None) -> dict:
    """Publish the ledger of ``db`` (``chdb:DIR`` or ``clickhouse://…``) to ClickHouse."""
    target = parse_target(db)
    if not target.is_clickhouse:
        raise ValueError(f"{db}: not a ClickHouse target")
    ledger = Path(ledger or target.ledger)
    if not ledger.exists():
        raise PublishError(f"{ledger}: no ledger to publish (load first)")
    t0 = time.monotonic()
    # scratch Parquet inside the chdb folder (the ledger may be read-only, elsewhere)
    base = target.path if target.kind == "chdb" else ledger.parent
    base.mkdir(parents=True, exist_ok=True)
    scratch = base / f".publish-{os.getpid()}"
    try:
        files = export_parquet(ledger, scratch)
        t_export = time.monotonic() - t0
        try:
            if target.kind == "chdb":
                info = _publish_chdb(target.path, files)
            else:
                info = _publish_server(target, files)
        except Exception as exc:
            raise PublishError(f"{target.describe()}: {' '.join(str(exc).split())[:300]}") \
                from exc
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    info.update({"tables": sorted(files), "export_s": round(t_export, 3),
                 "seconds": round(time.monotonic() - t0, 3)})
    return info
