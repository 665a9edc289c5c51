"""run_load: read and check every file, build the next database beside PATH, swap it in.

Order inside the one transaction: townships layer, grids (then township shapes dissolved
from grids where no layer gives them, and simplified shapes), events (the table rewritten
sorted by reported_at when anything changed), cameras, mediation, re-location of earlier
points if the grids changed, rejects (replacing those of the same files), rollups, meta and
load_runs. Then CHECKPOINT, and the finished copy replaces PATH (etl/publish.py).
"""
from __future__ import annotations

import json
import os
import sys
import time
import uuid
from datetime import datetime
from pathlib import Path

import duckdb

from etl import polygons as P
from etl import publish as pub
from etl import stage as S
from etl import stop
from etl.config import LoadConfig, parse_config
from etl.context import Context
from etl.errors import LoadError, LoadInterrupted, LoadLocked
from etl.read_table import TableStream
from etl.report import totals
from etl.sources import Reading, read_all
from etl.spatial import GridIndex
from store.db import zone_clash
from store.schema import (SCHEMA_VERSION, create_schema, refresh_grid_daily, refresh_rollups,
                          update_rollups)
from store.settings import Settings, SettingsError

__all__ = ["run_load", "LoadError", "LoadInterrupted", "LoadLocked"]


def _progress_bar(enabled, total: int):
    if callable(enabled):   # a bar factory for a program (etl.progress.JsonLines)
        return enabled(total)
    if not enabled or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total or None, unit="row", unit_scale=True, file=sys.stderr, leave=False,
                dynamic_ncols=True)


MEMORY_LIMIT = S.STREAM_MEMORY


def _open(tmp: Path, spill: Path) -> duckdb.DuckDBPyConnection:
    try:
        con = duckdb.connect(str(tmp), config={"memory_limit": MEMORY_LIMIT,
                                               "temp_directory": str(spill)})
    except duckdb.Error as exc:
        raise LoadError(f"{tmp.name.split('.tmp-')[0]}: not a DuckDB database this version "
                        f"can open ({exc})") from None
    return con


def _write_meta(con, cfg: LoadConfig, settings: Settings, data_version: str) -> None:
    ds = cfg.dataset
    meta = {"data_version": data_version, "timezone": settings.timezone}
    if "name" in ds:
        meta["dataset_name"] = str(ds["name"])
    if "demo" in ds:
        meta["demo"] = "true" if ds["demo"] else "false"
    if "as_of" in ds:
        meta["as_of_mode"] = str(ds["as_of"])
    for key, value in meta.items():
        con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])
    for key, default in (("as_of_mode", "now"), ("demo", "false")):
        con.execute("INSERT OR IGNORE INTO meta VALUES (?, ?)", [key, default])


def _replace_rejects(ctx: Context, readings: list[Reading]) -> int:
    con = ctx.con
    files = sorted({r.src.path for r in readings})
    for f in files:
        con.execute("DELETE FROM rejects WHERE source_file = ?", [f])
    n = 0
    streamed = con.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary "
                           "AND table_name = '_rej_stream'").fetchone()[0]
    if streamed:
        (k,) = con.execute("SELECT count(*) FROM _rej_stream").fetchone()
        con.execute("INSERT INTO rejects SELECT * FROM _rej_stream")
        con.execute("DROP TABLE _rej_stream")
        n += k
    for r in readings:
        rj = ctx.rejects.get(r.index)
        if rj is None or getattr(rj, "streamed", False) or rj.ok.all():
            continue
        frame = rj.table(ctx.load_id)
        con.register("_rej", frame)
        con.execute("INSERT INTO rejects SELECT load_id, source_kind, source_file, "
                    "source_row, reason, detail, raw FROM _rej")
        con.unregister("_rej")
        n += len(frame)
    return n


def _refresh_rollups(con, ev: S.EventsChange, grids_changed: bool) -> None:
    """The rollups corrected by the rows this load changed; rebuilt after a first load, a
    grid change (events may move between grids) or when they are missing (grid_daily alone
    too: a database written before it)."""
    (n_roll,) = con.execute("SELECT count(*) FROM daily_rollup").fetchone()
    (n_ev,) = con.execute("SELECT count(*) FROM events").fetchone()
    if grids_changed or ev.rebuild or (n_roll == 0 and n_ev > 0):
        refresh_rollups(con)
        con.execute("DROP TABLE IF EXISTS _roll_delta")
    elif ev.delta:
        update_rollups(con)
    # a database from before grid_daily (create_schema made it empty): summed once
    if con.execute("SELECT NOT EXISTS (FROM grid_daily) AND EXISTS (FROM daily_rollup "
                   "WHERE reported > 0 AND grid_id IS NOT NULL)").fetchone()[0]:
        refresh_grid_daily(con)


def _check_grids_available(con, readings: list[Reading]) -> None:
    kinds = {r.src.kind for r in readings}
    needs = [r for r in readings if r.src.kind in ("events", "cameras")]
    if needs and "grids" not in kinds:
        (n,) = con.execute("SELECT count(*) FROM grids").fetchone()
        if n == 0:
            raise LoadError(f"{needs[0].src.path}: {needs[0].src.kind} need grids to be "
                            "located in, and no grids are loaded: add a grids source to "
                            "the config (it is loaded first)")
    for r in readings:
        if r.mode == "township_from_db" and not P.layer_codes(con):
            raise LoadError(f"{r.src.path}: grids have no township column (所属镇街/乡镇) and "
                            "no townships layer is loaded to take it from")


def _apply(tmp: Path, cfg: LoadConfig, readings: list[Reading], settings: Settings,
           progress: bool, started: datetime, t0: float, db: Path, read_s: float) -> dict:
    con = _open(tmp, pub.spill_path(db))
    bar = None
    try:
        create_schema(con)
        (load_id,) = con.execute("SELECT coalesce(max(load_id), 0) + 1 FROM load_runs") \
            .fetchone()
        # checked + stored; 0 (not known) when a streamed file's rows are still to come:
        # counting only the others read 78,842 / 13,002 rows, a bar full from the start
        streamed = any(isinstance(r.data, TableStream) for r in readings)
        bar = _progress_bar(progress, 0 if streamed else 2 * sum(r.n for r in readings))
        ctx = Context(con=con, load_id=int(load_id), settings=settings, progress=bar)
        kind = {k: [r for r in readings if r.src.kind == k] for k in
                ("townships", "grids", "events", "cameras", "mediation")}
        con.execute("BEGIN TRANSACTION")
        _check_grids_available(con, readings)
        with ctx.phase("polygons"):
            tw_changed = P.load_townships(ctx, kind["townships"])
            grids_changed = P.load_grids(ctx, kind["grids"])
            dissolved = 0
            if grids_changed or tw_changed:
                dissolved = P.dissolve_townships(ctx)
            P.refresh_simplified(ctx, grids=grids_changed,
                                 townships=tw_changed or dissolved > 0)
            index = None
            if kind["events"] or kind["cameras"] or grids_changed:
                index = GridIndex(P.load_grid_frame(con))
                if not len(index) and (kind["events"] or kind["cameras"]):
                    why = "; ".join(
                        f"{r.src.path}: " + ", ".join(f"{k} {v}" for k, v in
                                                      ctx.rejects[r.index].counts().items())
                        for r in kind["grids"] if r.index in ctx.rejects)
                    raise LoadError("no valid grid to locate events and cameras in"
                                    + (f" (every grid row was rejected: {why})" if why else ""))
        with ctx.phase("events"):
            ev = S.stage_events(ctx, kind["events"], index)
        with ctx.phase("cameras_mediation"):
            S.stage_cameras(ctx, kind["cameras"], index)
            S.stage_mediation(ctx, kind["mediation"])
        with ctx.phase("relocate"):
            moved = S.reassign(ctx, index) if grids_changed else {}
        with ctx.phase("rejects_rollups"):
            n_rejects = _replace_rejects(ctx, readings)
            _refresh_rollups(con, ev, grids_changed)
        data_version = uuid.uuid4().hex
        _write_meta(con, cfg, settings, data_version)
        finished = datetime.now()
        sources = [ctx.reports[r.index] for r in readings]
        report = {
            "load_id": ctx.load_id, "data_version": data_version,
            "config": str(cfg.path), "database": str(db),
            "started_at": started.isoformat(timespec="seconds"),
            "finished_at": finished.isoformat(timespec="seconds"),
            "seconds": round(time.monotonic() - t0, 3),
            "dataset": cfg.dataset, "timezone": settings.timezone,
            "sources": sources, "total": totals(sources),
            "rejects_in_table": n_rejects,
            "townships_dissolved_from_grids": dissolved,
            "timings": {"read": read_s, **ctx.timings},
        }
        report["total"]["seconds"] = report["seconds"]
        if moved:
            report["relocated_after_grid_change"] = moved
        con.execute("INSERT INTO load_runs VALUES (?, ?, ?, ?, ?)",
                    [ctx.load_id, started, finished, str(cfg.path),
                     json.dumps(report, ensure_ascii=False, default=str)])
        con.execute("COMMIT")
        t = time.monotonic()
        con.execute("CHECKPOINT")
        report["timings"]["checkpoint"] = round(time.monotonic() - t, 3)
        return report
    finally:
        if bar is not None:
            bar.close()
        con.close()


def _arrow_pool() -> None:
    """Arrow allocates from jemalloc during a load, not its default mimalloc, which kept
    what the streamed slices had freed (0.4 GB after 1 M events, up to 0.75 GB after 10 M)
    while DuckDB sorted beside it, and spent ~1 CPU s of system time per million rows in the
    per-slice ``release_unused()``. Measured on 1 M events, three fresh loads each: peak RSS
    1.15-1.20 GB -> 0.88-0.92 GB, 8.8-9.3 s -> 8.0-8.4 s; on 10 M, 1.25-1.70 GB -> 0.98 GB.
    (malloc, where jemalloc is not built in: about as small, a little slower.)"""
    import pyarrow as pa

    try:
        pa.set_memory_pool(pa.jemalloc_memory_pool())
    except NotImplementedError:
        pa.set_memory_pool(pa.system_memory_pool())


def report_folder(report_path) -> None:
    """Make sure ``--report`` can be written before anything is loaded (its folder is made
    as the database's is): the report is written after the publish, where a missing or
    unwritable folder stopped the CLI with 'load stopped … the database is unchanged' over
    a load that had been published."""
    path = Path(report_path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LoadError(f"--report {path}: its folder cannot be made ({exc.strerror}); "
                        "nothing was loaded") from None
    if path.is_dir() or not os.access(path.parent, os.W_OK) \
            or (path.exists() and not os.access(path, os.W_OK)):
        raise LoadError(f"--report {path}: cannot be written there; nothing was loaded")


_DISK_WORDS = ("No space left on device", "Disk quota exceeded", "Read-only file system",
               "Permission denied")


def _disk_error(exc: BaseException, db: Path) -> LoadError | None:
    """A LoadError naming the folder when ``exc`` is the disk refusing the copy, the spill
    or the checkpoint beside ``db`` (an OSError, or DuckDB's IO/fatal errors that quote the
    system's words); None for anything else. Before: 'unexpected FatalException …'."""
    import errno

    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS,
                                                  errno.EACCES, errno.EPERM):
        why = exc.strerror
    elif isinstance(exc, duckdb.Error):
        why = next((w for w in _DISK_WORDS if w in str(exc)), None)
        if why is None:
            return None
    else:
        return None
    try:
        size = f"{db.stat().st_size / 1e6:.0f} MB"
    except OSError:
        size = "its size"
    return LoadError(f"{db.parent}: {why} while building the next database beside {db.name} "
                     f"(a load needs room there for a copy, {size}, and its spill folder); "
                     "free space (or run as the folder's owner) and load again; the database "
                     "is unchanged and no copy was left")


def check_target(db: Path, settings: Settings | None = None) -> None:
    """LoadError unless ``db`` is new or a gridwall database: before anything is written
    beside it. A load into another program's DuckDB file added gridwall's tables to it and
    swapped it under that program (whose later writes went to the unlinked file); a folder
    stopped with an 'unexpected IsADirectoryError'. With ``settings``: a database holding
    events or cameras loaded in another time zone is refused (their naive times would mix
    two zones, and meta would name only the last)."""
    if not db.exists() and not db.is_symlink():
        return
    keep = "nothing was written; pass a new file or the county's database as --db"
    if db.is_dir():
        raise LoadError(f"{db}: is a folder, not a database file; {keep}")
    if not db.is_file():
        raise LoadError(f"{db}: not a regular file; {keep}")
    if db.stat().st_size == 0:
        raise LoadError(f"{db}: empty file (0 bytes), not a database; remove it to start a "
                        f"new database there, or {keep.split('; ')[1]}")
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error as exc:
        why = " ".join(str(exc).split())[:200]
        raise LoadError(f"{db}: not a DuckDB database this version can open ({why}); "
                        f"{keep}") from None
    try:
        tables = [t for (t,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "ORDER BY 1").fetchall()]
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall()) \
            if "meta" in tables else {}
        stamp = meta.get("schema_version")
        timed = sum(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                    for t in ("events", "cameras") if t in tables)
    finally:
        con.close()
    if tables and stamp is None:
        raise LoadError(f"{db}: a DuckDB file of another program (tables "
                        f"{', '.join(tables[:5])}), not a gridwall database; {keep}")
    if stamp is not None and (not stamp.isdigit() or int(stamp) > int(SCHEMA_VERSION)):
        # create_schema would stamp it down to this version over tables it does not know
        raise LoadError(f"{db}: written by a newer gridwall (schema {stamp}; this one "
                        f"writes {SCHEMA_VERSION}); nothing was written: upgrade gridwall")
    clash = zone_clash(meta.get("timezone"), settings) if settings and timed else None
    if clash:
        raise LoadError(f"{db}: {clash}: its times would mix two zones; nothing was "
                        "written: pass the --settings the earlier loads used (to change the "
                        "zone, load the sources into a new file)")


def run_load(db_path, config_path, settings_path=None, report_path=None,
             progress: bool = True) -> dict:
    """Load the files a config names into the DuckDB file at ``db_path``; return the report.

    Raises LoadError (nothing changed) for a file or config that cannot be used, and
    LoadLocked (a LoadError) when another load holds the lock. ``progress`` shows a bar on
    stderr when it is a terminal; a callable is a bar factory (``total -> bar``).
    """
    started = datetime.now()
    t0 = time.monotonic()
    _arrow_pool()
    try:
        settings = Settings.load(settings_path)
    except SettingsError as exc:
        raise LoadError(str(exc)) from None
    cfg = parse_config(config_path)
    db = pub.real_db(db_path)
    check_target(db, settings)
    if not db.parent.exists():
        db.parent.mkdir(parents=True, exist_ok=True)
    if report_path:
        report_folder(report_path)
    before = _identity(db)
    try:
        with pub.db_lock(db):
            report = _locked(db, cfg, settings, progress, started, t0)
        report["seconds"] = report["total"]["seconds"] = round(time.monotonic() - t0, 3)
        if report_path:
            Path(report_path).write_text(json.dumps(report, ensure_ascii=False, indent=2,
                                                    default=str), encoding="utf-8")
    except BaseException as exc:    # Ctrl-C, or SIGTERM by way of etl.stop
        if not (isinstance(exc, KeyboardInterrupt) or stop.requested()):
            raise
        if _identity(db) == before:
            raise LoadInterrupted(f"{db}: interrupted before publishing; the database is "
                                  "unchanged and no copy was left: run the load again") from None
        raise LoadInterrupted(f"{db}: interrupted after the new database was published (the "
                              "load is in; its --report was not written)") from None
    return report


def _identity(db: Path) -> tuple[int, int] | None:
    try:
        st = db.stat()
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns)


def _locked(db: Path, cfg: LoadConfig, settings: Settings, progress, started: datetime,
            t0: float) -> dict:
    """The load under its lock: read, copy, apply, publish; the copy and spill are removed
    whatever stops it."""
    pub.remove_stale(db)
    t = time.monotonic()
    readings = read_all(cfg.sources)
    read_s = round(time.monotonic() - t, 3)
    t = time.monotonic()
    tmp = pub.tmp_path(db)
    try:
        tmp = pub.prepare(db)     # inside: a copy cut short by a full disk is removed
        copy_s = round(time.monotonic() - t, 3)
        report = _apply(tmp, cfg, readings, settings, progress, started, t0, db, read_s)
        t = time.monotonic()
        if stop.requested():      # a Ctrl-C some reader swallowed: never publish after one
            raise KeyboardInterrupt
        pub.publish(tmp, db)
        report["timings"]["copy"] = copy_s
        report["timings"]["publish"] = round(time.monotonic() - t, 3)
    except BaseException as exc:
        pub.discard(tmp)
        disk = _disk_error(exc, db)
        if disk is not None:
            raise disk from None
        raise
    finally:
        pub.discard_spill(db)
    return report
