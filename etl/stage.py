"""Put prepared rows into the staging database: drop exact duplicates, reject conflicting
ones, upsert by key, and keep earlier rows' grids right when the grids change."""
from __future__ import annotations

import gc
import os
import tempfile
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from etl import cameras as C
from etl import events as E
from etl import mediation as M
from etl.context import Context
from etl.plausible import load_clock
from etl.read_table import BATCH_ROWS
from etl.privacy import drop_reporter_frame
from etl.rejects import Counted, Rejects
from etl.spatial import GridIndex
from etl.threads import ETL_THREADS
from etl.upsert import dedup, hash_expr, register, upsert
from store.schema import rollup_delta


def _arrow(frame: pd.DataFrame, time_cols: tuple[str, ...]) -> pa.Table:
    """A prepared frame (ours to change) as Arrow, timestamps at DuckDB's microseconds."""
    for c in time_cols:
        if c in frame:
            frame[c] = frame[c].astype("datetime64[us]")
    return pa.Table.from_pandas(frame, preserve_index=False)


def _finish(ctx: Context, readings: list, counts: pd.DataFrame, duplicates: dict) -> int:
    changed = 0
    for r in readings:
        sub = counts[counts["src"] == r.index]
        c = {row.change: int(row.n) for row in sub.itertuples()}
        changed += c.get("new", 0) + c.get("updated", 0)
        ctx.finish_source(r, c, duplicates.get(r.index, 0))
    return changed


# DuckDB's share of the load's memory; past it, staging, sorts and joins spill to a folder
# beside the database. While batches stream, Python holds two batches (one being prepared,
# one being written; ~300 MB with the reader's read-ahead) beside DuckDB; once all are
# staged Python holds little and the final sorts and the rollups get more. With the
# interpreter and the grid index (~300 MB) the load stays under 1.5 GB however large the
# files.
STREAM_MEMORY = os.environ.get("GRIDWALL_ETL_MEMORY", "400MB")
SORT_MEMORY = os.environ.get("GRIDWALL_ETL_SORT_MEMORY", "600MB")

STAGE_DDL = """CREATE OR REPLACE TEMP TABLE {name} (
    event_id VARCHAR, reported_at TIMESTAMP, category VARCHAR, subcategory VARCHAR,
    channel VARCHAR, description VARCHAR, address VARCHAR, lon DOUBLE, lat DOUBLE,
    grid_id VARCHAR, village_code VARCHAR, township_code VARCHAR, accepted_at TIMESTAMP,
    dispatched_at TIMESTAMP, closed_at TIMESTAMP, department VARCHAR, level VARCHAR,
    status VARCHAR, satisfaction VARCHAR, supervised BOOLEAN, reporter_name VARCHAR,
    reporter_phone VARCHAR, source_row BIGINT, content_hash UBIGINT, __gpos BIGINT,
    __src BIGINT, __pos BIGINT)"""
REJ_DDL = """CREATE OR REPLACE TEMP TABLE _rej_stream (
    load_id BIGINT, source_kind VARCHAR, source_file VARCHAR, source_row BIGINT,
    reason VARCHAR, detail VARCHAR, raw VARCHAR)"""
# An empty status takes the furthest step its timestamps show; an unknown one stays NULL.
STATUS_SQL = """CASE WHEN __st_unknown THEN NULL WHEN status IS NOT NULL THEN status
    WHEN closed_at IS NOT NULL THEN 'closed' WHEN dispatched_at IS NOT NULL THEN 'dispatched'
    WHEN accepted_at IS NOT NULL THEN 'accepted' ELSE 'reported' END"""
GRID_COLS = ("grid_id", "village_code", "township_code")
STAGED = [c for c in E.COLUMNS if c not in ("source_file", "load_id")]
# DuckDB's 64-bit hash of the typed source fields, in one vectorised call (NULL and '' hash
# apart; only rows of the same event_id are ever compared, so 64 bits are plenty). Kept as
# the UBIGINT it is: as text it cost ~0.5 CPU s per million rows to format, stage, sort and
# compress. An unknown status (挂起) is mapped to NULL like an empty cell, but an empty one is
# derived from the timestamps and an unknown one is stored NULL: it is hashed as 'unknown'
# (no status value is spelled so), or a newer export saying 挂起 would count unchanged and
# keep the derived status. Known and empty statuses hash as before.
_HASHED_SQL = {"status": "CASE WHEN s.__st_unknown THEN 'unknown' ELSE s.status END"}
CONTENT_HASH = f"hash({', '.join(_HASHED_SQL.get(c, 's.' + c) for c in E.HASHED)})"


@dataclass
class EventsChange:
    """What stage_events did: rows new or updated, and how the rollups follow: ``rebuild``
    them all (a first load), or add TEMP ``_roll_delta`` (``delta``: rows changed)."""

    changed: int = 0
    rebuild: bool = False
    delta: bool = False


# batches prepared at once (this machine kind has two cores; 1: prepare one, write one)
PREPARE_THREADS = ETL_THREADS
SORT_PART_ROWS = int(os.environ.get("GRIDWALL_ETL_SORT_PART_ROWS", 2_000_000))


class Staging:
    """The staged rows: one Parquet file per batch in the load's spill folder, read back by
    DuckDB through the view ``_ev_stage`` (with the grid codes joined).

    Why files and not a DuckDB table: appending to an in-memory table costs DuckDB several
    times what pyarrow takes to write the same batch as Parquet (snappy, no dictionary),
    and DuckDB reads only the columns a query needs from Parquet (the duplicate and change
    checks read event_id and content_hash alone). The content hash and the derived status
    are computed by DuckDB per batch (a narrow query), so they are those of earlier loads.
    Memory stays bounded: a batch is on disk once written.

    The final write sorts by reported_at in ranges of about SORT_PART_ROWS rows (one range
    up to 2 M rows), so no sort holds more than that many rows, however large the file.
    """

    view = "_ev_stage"

    def __init__(self, con, index: GridIndex):
        self.con = con
        self.w = con.cursor()     # the batch writer's own connection (a worker thread)
        (tmp,) = con.execute("SELECT current_setting('temp_directory')").fetchone()
        self.folder = Path(tmp or tempfile.mkdtemp(prefix="gridwall-stage-")) / "stage"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.files: list[tuple[int, Path]] = []
        self.dropped = False   # rows to leave out are listed in TEMP _ev_drop
        gidx = pa.table({  # noqa: F841 -- scanned by name
            "pos": pa.array(np.arange(len(index)), pa.int64()),
            "grid_id": pa.array(index.grid_ids, pa.string()),
            "village_code": pa.array(index.village_codes, pa.string()),
            "township_code": pa.array(index.township_codes, pa.string())})
        con.execute("CREATE OR REPLACE TEMP TABLE _gidx AS SELECT * FROM gidx")

    def add(self, src: int, table: pa.Table) -> None:
        """Write one batch of staged rows (a worker thread: pyarrow releases the GIL)."""
        import pyarrow.parquet as pq

        path = self.folder / f"ev-{src:04d}-{len(self.files):06d}.parquet"
        pq.write_table(table, path, compression="snappy", use_dictionary=False,
                       write_statistics=["reported_at"])
        self.files.append((src, path))

    def finish(self) -> None:
        """All rows staged: the view over the files, grid codes joined."""
        self.w.close()
        if self.files:
            files = ", ".join("'" + str(p).replace("'", "''") + "'" for _, p in self.files)
            self.con.execute(f"CREATE OR REPLACE TEMP VIEW _ev_files AS "
                             f"SELECT * FROM read_parquet([{files}])")
        else:
            self.con.execute(STAGE_DDL.format(name="_ev_files"))   # nothing staged
        self._view()

    def _view(self) -> None:
        cols = ", ".join(("g." if c in GRID_COLS else "s.") + c for c in STAGED)
        self.con.execute(f"""CREATE OR REPLACE TEMP VIEW {self.view} AS
            SELECT {cols}, s.__src, s.__pos FROM {self.rows()} s
            JOIN _gidx g ON g.pos = s.__gpos""")

    def leave_out(self, select: str) -> None:
        """Leave out the staged rows (__src, __pos) that ``select`` returns."""
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE _ev_drop AS {select}")
        self.dropped = True
        self._view()

    def rows(self) -> str:
        """The staged rows without the grid codes: what the duplicate, change and range
        queries read (every staged row has a grid, so joining the codes would only cost)."""
        if not self.dropped:
            return "_ev_files"
        return ("(SELECT * FROM _ev_files x ANTI JOIN _ev_drop d "
                "ON x.__src = d.__src AND x.__pos = d.__pos)")

    def ranges(self, where: str = "") -> list[tuple]:
        """Cuts of reported_at splitting the staged rows (``where``: only those) into parts
        of about SORT_PART_ROWS rows; [(lo, hi)] with None for open ends. Rows of one
        reported_at always fall in one part, so parts written in order are sorted."""
        (n,) = self.con.execute(f"SELECT count(*) FROM {self.rows()} s {where}").fetchone()
        parts = -(-n // SORT_PART_ROWS)
        if parts <= 1:
            return [(None, None)]
        qs = [k / parts for k in range(1, parts)]
        (cuts,) = self.con.execute(f"SELECT quantile_disc(reported_at, {qs}) "
                                   f"FROM {self.rows()} s {where}").fetchone()
        cuts = sorted(set(cuts))
        return list(zip([None, *cuts], [*cuts, None]))

    def forget(self, src: int) -> None:
        """Drop what a source staged (its file is read again in another encoding)."""
        for s, p in self.files:
            if s == src:
                p.unlink(missing_ok=True)
        self.files = [(s, p) for s, p in self.files if s != src]

    def drop(self) -> None:
        self.con.execute(f"DROP VIEW IF EXISTS {self.view}")
        self.con.execute(f"DROP {'VIEW' if self.files else 'TABLE'} IF EXISTS _ev_files")
        if self.dropped:
            self.con.execute("DROP TABLE _ev_drop")
        for _, p in self.files:
            p.unlink(missing_ok=True)
        self.files.clear()


# One batch as staged: the typed source fields as prepared, the status derived and the
# content hash (DuckDB's hash of the typed fields, so a re-load compares equal to what
# earlier loads stored). DuckDB computes only those two narrow columns; the rest of the
# batch goes from Arrow to the file as it is (no round trip of every column through DuckDB).
STAGE_DERIVED_SQL = f"SELECT {CONTENT_HASH} AS content_hash, {STATUS_SQL} AS status FROM _evb s"
STAGE_FILE_COLS = [c for c in STAGED if c not in GRID_COLS]


def _insert_batch(ctx: Context, staging: Staging, _evb: pa.Table, src: int) -> None:
    """Typed rows of one batch -> a staged file: status derived and content hashed by
    DuckDB (no Python object per row), written by pyarrow."""
    derived = staging.w.execute(STAGE_DERIVED_SQL).to_arrow_table()
    cols = {c: (derived[c] if c in ("content_hash", "status") else _evb[c])
            for c in STAGE_FILE_COLS}
    cols["__gpos"] = _evb["__gpos"]
    cols["__src"] = pa.array(np.full(_evb.num_rows, src, dtype=np.int64))
    cols["__pos"] = _evb["__pos"]
    staging.add(src, pa.table(cols))


def _write_batch(ctx: Context, staging: Staging, table: pa.Table, _rejb: pd.DataFrame,
                 src: int) -> None:
    """One prepared batch into staging, its rejects into _rej_stream (a worker thread)."""
    if table.num_rows:
        _insert_batch(ctx, staging, table, src)
    if len(_rejb):
        ctx.con.execute("INSERT INTO _rej_stream SELECT * FROM _rejb")


def _stage_source(ctx: Context, staging: Staging, r, index: GridIndex) -> None:
    """Stream one events source into _ev_stage (and its rejects into _rej_stream)."""
    from etl.read_table import EncodingRetry
    from etl.sources import Reading

    con = ctx.con
    rep = ctx.report_for(r)
    while True:
        tally = E.Tally()
        try:
            # Two batches are prepared at once (numpy, Arrow and GEOS release the GIL) while
            # a third is written (DuckDB hashes it, pyarrow writes the file): both cores work.
            # Results are taken in order, so rejects and tallies come out as read.
            load_clock(ctx)                 # one clock for every batch, set before threads

            def prepare(part):
                br = Reading(src=r.src, data=part, columns=r.columns, index=r.index)
                t = E.Tally()
                table, rj = E.prepare_events(ctx, br, index, t)
                t.rows_read = br.n
                t.rejected.update(rj.counts())
                return table, rj.table(ctx.load_id), t

            with ThreadPoolExecutor(max_workers=PREPARE_THREADS) as prep, \
                    ThreadPoolExecutor(max_workers=1) as pool:
                ready: deque = deque()
                pending = None

                def write_next(pending):
                    table, rejected, t = ready.popleft().result()
                    tally.merge(t)
                    if pending is not None:
                        pending.result()
                    return pool.submit(_write_batch, ctx, staging, table, rejected, r.index)

                for part in r.data.batches(BATCH_ROWS):
                    ready.append(prep.submit(prepare, part))
                    del part
                    if len(ready) >= PREPARE_THREADS:
                        pending = write_next(pending)
                        pa.default_memory_pool().release_unused()   # a few batches' peak
                while ready:
                    pending = write_next(pending)
                if pending is not None:
                    pending.result()
            break
        except EncodingRetry:
            staging.forget(r.index)
            con.execute("DELETE FROM _rej_stream WHERE source_file = ?", [r.src.path])
            r.data.retry_as("gb18030")
    rep.update({k: v for k, v in r.data.info.items() if k != "format"})
    rep["rows_read"] = tally.rows_read
    rep["warnings"].update(tally.warnings())
    if tally.unknown_categories:
        rep["unknown_categories"] = dict(tally.unknown_categories.most_common(50))
    ctx.rejects[r.index] = Counted(tally.rejected)


def _conflict_rejects(ctx: Context, readings: list, conflicts: pd.DataFrame) -> None:
    """duplicate_conflict rejects: the raw rows are read again (only when there are any)."""
    from etl.sources import Reading

    by_src = {r.index: r for r in readings}
    for src, grp in conflicts.groupby("__src"):
        r = by_src[int(src)]
        want = dict(zip(grp["__pos"].astype(np.int64), zip(grp["__first_src"], grp["__first_pos"])))
        rows = []
        for part in r.data.batches(BATCH_ROWS):
            pos = part.rows - 1
            hit = np.flatnonzero(np.isin(pos, list(want)))
            if not len(hit):
                continue
            df = part.df if ctx.settings.keep_reporter else drop_reporter_frame(part.df,
                                                                                r.columns)
            rj = Rejects("events", r.src.path, df, part.rows)
            mask = np.zeros(len(part.rows), dtype=bool)
            mask[hit] = True
            detail = np.full(len(part.rows), "", dtype=object)
            for i in hit:
                fsrc, fpos = want[int(pos[i])]
                detail[i] = (f"same event_id as {by_src[int(fsrc)].src.path} row "
                             f"{int(fpos) + 1}, with different content")
            rj.flag(mask, "duplicate_conflict", detail)
            rows.append(rj.table(ctx.load_id))
        if rows:
            _rejb = pd.concat(rows, ignore_index=True)  # noqa: F841 -- scanned by name
            ctx.con.execute("INSERT INTO _rej_stream SELECT * FROM _rejb")
        counted = ctx.rejects[r.index]
        counted.add("duplicate_conflict", len(grp))


def _dedup_events(ctx: Context, staging: Staging, readings: list) -> dict[int, int]:
    """Within-load duplicates: later rows of an event_id are dropped (same content) or
    rejected (different content). Only the rows of repeated ids are ranked."""
    con = ctx.con
    rows = staging.rows()
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _ev_dups AS
        SELECT __src, __pos, content_hash,
               row_number() OVER w AS rn, first_value(content_hash) OVER w AS first_hash,
               first_value(__src) OVER w AS __first_src, first_value(__pos) OVER w AS __first_pos
        FROM {rows} s
        WHERE event_id IN (SELECT event_id FROM {rows} s GROUP BY event_id
                           HAVING count(*) > 1)
        WINDOW w AS (PARTITION BY event_id ORDER BY __src, __pos)""")
    (n,) = con.execute("SELECT count(*) FROM _ev_dups").fetchone()
    duplicates: dict[int, int] = {}
    if n:
        conflicts = con.execute("""SELECT __src, __pos, __first_src, __first_pos FROM _ev_dups
            WHERE rn > 1 AND content_hash IS DISTINCT FROM first_hash
            ORDER BY __src, __pos""").df()
        for src, cnt in con.execute("""SELECT __src, count(*) FROM _ev_dups
                WHERE rn > 1 AND content_hash IS NOT DISTINCT FROM first_hash
                GROUP BY __src""").fetchall():
            duplicates[int(src)] = int(cnt)
        staging.leave_out("SELECT __src, __pos FROM _ev_dups WHERE rn > 1")
        if len(conflicts):
            _conflict_rejects(ctx, readings, conflicts)
    con.execute("DROP TABLE _ev_dups")
    return duplicates


def _staged_select(ctx: Context, readings: list, where: str = "",
                   table: str = "_ev_stage") -> str:
    """SELECT of staged rows (optionally only some) in the events table's columns."""
    paths = ", ".join(f"({r.index}, '{r.src.path.replace(chr(39), chr(39) * 2)}')"
                      for r in readings)
    cols = []
    for c in E.COLUMNS:
        if c == "source_file":
            cols.append("f.path AS source_file")
        elif c == "load_id":
            cols.append(f"CAST({int(ctx.load_id)} AS BIGINT) AS load_id")
        else:
            cols.append(f"s.{c}")
    return (f"SELECT {', '.join(cols)} FROM {table} s "
            f"JOIN (VALUES {paths}) f(src, path) ON f.src = s.__src {where}")


def _insert_sorted(ctx: Context, staging: Staging, readings: list, where: str = "",
                   with_old: bool = False) -> None:
    """Staged rows into events sorted by reported_at, a range at a time (ranges in order,
    so the whole is sorted); ``with_old``: the whole table is rewritten, sorted."""
    con = ctx.con
    if not with_old:
        for lo, hi in staging.ranges(where):
            cond = " AND ".join(
                [f"s.reported_at >= TIMESTAMP '{lo}'"] * (lo is not None)
                + [f"s.reported_at < TIMESTAMP '{hi}'"] * (hi is not None))
            w = where + ((" AND " if "WHERE" in where else " WHERE ") + cond if cond else "")
            con.execute(f"INSERT INTO events SELECT * FROM ("
                        f"{_staged_select(ctx, readings, w)}) ORDER BY reported_at, event_id")
        return
    (ddl,) = con.execute("SELECT sql FROM duckdb_tables() WHERE table_name = 'events' "
                         "AND schema_name = 'main' AND NOT temporary").fetchone()
    con.execute("ALTER TABLE events RENAME TO _events_old")
    con.execute(ddl)
    cols = ", ".join(E.COLUMNS)
    select = f"SELECT {cols} FROM _events_old UNION ALL {_staged_select(ctx, readings, where)}"
    con.execute(f"INSERT INTO events SELECT * FROM ({select}) ORDER BY reported_at, event_id")
    con.execute("DROP TABLE _events_old")


def stage_events(ctx: Context, readings: list, index: GridIndex) -> EventsChange:
    """Load every events source, streaming; returns what changed.

    Batches of typed rows go to a staging table (spilled to disk by DuckDB past its memory
    limit); duplicates, the new / updated / unchanged split and the write are set-based
    SQL. A first load writes the whole table sorted by reported_at; later loads delete the
    updated rows and append the new and updated ones, sorted among themselves (the table
    is rewritten sorted only when a load adds at least as many rows as it holds).
    """
    if not readings:
        return EventsChange()
    con = ctx.con
    staging = Staging(con, index)
    con.execute(REJ_DDL)
    with ctx.phase("events_parse"):
        for r in readings:
            _stage_source(ctx, staging, r, index)
    gc.collect()
    pa.default_memory_pool().release_unused()
    staging.finish()
    con.execute(f"SET memory_limit = '{SORT_MEMORY}'")
    duplicates = _dedup_events(ctx, staging, readings)
    (existing,) = con.execute("SELECT count(*) FROM events").fetchone()
    out = EventsChange()
    if not existing:
        counts = con.execute("SELECT __src AS src, 'new' AS change, count(*) AS n "
                             f"FROM {staging.rows()} s GROUP BY ALL").df()
        _insert_sorted(ctx, staging, readings)
        out.rebuild = True
    else:
        con.execute(f"""CREATE OR REPLACE TEMP TABLE _ev_chg AS
            SELECT s.__src, s.__pos, s.event_id,
                   CASE WHEN t.event_id IS NULL THEN 'new'
                        WHEN t.content_hash = s.content_hash THEN 'unchanged'
                        ELSE 'updated' END AS change
            FROM {staging.rows()} s LEFT JOIN events t ON t.event_id = s.event_id""")
        counts = con.execute("SELECT __src AS src, change, count(*) AS n FROM _ev_chg "
                             "GROUP BY ALL").df()
        added = int(counts.loc[counts["change"] != "unchanged", "n"].sum())
        if added:
            # what the rollups lose and gain, read before the old versions are deleted
            rollup_delta(con, "(SELECT * FROM events SEMI JOIN (SELECT event_id FROM _ev_chg "
                              "WHERE change = 'updated') c USING (event_id))",
                         f"(SELECT * FROM {staging.view} s SEMI JOIN (SELECT __src, __pos "
                         "FROM _ev_chg WHERE change <> 'unchanged') c "
                         "ON c.__src = s.__src AND c.__pos = s.__pos)")
            out.delta = True
            con.execute("""DELETE FROM events WHERE event_id IN
                (SELECT event_id FROM _ev_chg WHERE change = 'updated')""")
            keep = ("SEMI JOIN (SELECT __src, __pos FROM _ev_chg WHERE change <> 'unchanged') "
                    "c ON c.__src = s.__src AND c.__pos = s.__pos")
            _insert_sorted(ctx, staging, readings, keep, with_old=added >= existing)
        con.execute("DROP TABLE _ev_chg")
    out.changed = _finish(ctx, readings, counts, duplicates)
    staging.drop()
    return out   # the sort memory stays for the rest of the load (rollups): Python is idle


def stage_cameras(ctx: Context, readings: list, index: GridIndex) -> int:
    if not readings:
        return 0
    con = ctx.con
    frame = pd.concat([C.prepare_cameras(ctx, r, index) for r in readings], ignore_index=True)
    register(con, "_cam_in", _arrow(frame, ("last_seen_at",)))
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _cam_stage AS
        SELECT *, {hash_expr(C.COMPARED)} AS __hash, {ctx.load_id} AS load_id FROM _cam_in""")
    conflicts = dedup(con, "_cam_stage", ["camera_id"], "__hash", "_cam_keep")
    ctx.flag_conflicts({r.index: r for r in readings}, conflicts, "camera_id")
    counts = upsert(con, "cameras", ["camera_id"], "_cam_keep",
                    C.COMPARED, C.COLUMNS)
    return _finish(ctx, readings, counts, conflicts.attrs["duplicates"])


def stage_mediation(ctx: Context, readings: list) -> int:
    if not readings:
        return 0
    con = ctx.con
    towns = M.Townships(con)
    by_src = {r.index: r for r in readings}
    tables = [M.prepare_table(ctx, r, towns) for r in readings if r.mode == "table"]
    case_frames = [M.prepare_cases(ctx, r, towns) for r in readings if r.mode == "cases"]
    dup_cases: dict[int, int] = {}
    if case_frames:
        cases = pd.concat(case_frames, ignore_index=True).sort_values(["__src", "__pos"])
        key = cases.drop(columns=["__src", "__pos", "source_file"]).astype(str)
        h = pd.util.hash_pandas_object(key, index=False)
        first_h = h.groupby(cases["case_id"]).transform("first")
        later = cases["case_id"].duplicated(keep="first")
        conflict = later & (h != first_h)
        exact = later & ~conflict
        for s, n in cases[exact].groupby("__src").size().items():
            dup_cases[int(s)] = int(n)
        if conflict.any():
            firsts = cases[~later].set_index("case_id")[["__src", "__pos"]]
            bad = cases[conflict]
            f = firsts.loc[bad["case_id"]]
            ctx.flag_conflicts(by_src, pd.DataFrame({
                "__src": bad["__src"].to_numpy(), "__pos": bad["__pos"].to_numpy(),
                "__first_src": f["__src"].to_numpy(), "__first_pos": f["__pos"].to_numpy()}),
                "case_id")
        tables.append(M.aggregate_cases(cases[~later]))
    frame = pd.concat(tables, ignore_index=True)
    frame["people_involved"] = pd.array(frame["people_involved"], dtype="Int64")
    for c in ("received", "mediated", "succeeded"):
        frame[c] = frame[c].astype("int64")
    frame["amount"] = frame["amount"].astype("float64")
    frame["month"] = pd.to_datetime(frame["month"]).dt.date
    register(con, "_med_in", frame)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _med_stage AS
        SELECT * REPLACE (CAST(month AS DATE) AS month),
               {hash_expr(M.COMPARED)} AS __hash, {ctx.load_id} AS load_id FROM _med_in""")
    conflicts = dedup(con, "_med_stage", ["township_code", "month", "dispute_type"], "__hash",
                      "_med_keep")
    ctx.flag_conflicts(by_src, conflicts, "township, month and dispute_type")
    dups = dict(conflicts.attrs["duplicates"])
    if case_frames:
        _aggregates_left_out(ctx, by_src, cases[~later], dups)
    counts = upsert(con, "mediation", ["township_code", "month", "dispute_type"], "_med_keep",
                    M.COMPARED, M.COLUMNS)
    for s, n in dup_cases.items():
        dups[s] = dups.get(s, 0) + n
    return _finish(ctx, readings, counts, dups)


def _aggregates_left_out(ctx: Context, by_src: dict, cases: pd.DataFrame,
                         dups: dict[int, int]) -> None:
    """Case records whose (township, month, dispute type) a monthly table earlier in the
    config already gave: their aggregate is not loaded, so each case row is accounted for
    as a table row would be, a duplicate (same counts) or a duplicate_conflict, instead of
    vanishing from the report (dedup counted the aggregate, a row of no file, once)."""
    lost = ctx.con.execute("""
        SELECT s.__src AS src, s.township_code, CAST(s.month AS VARCHAR) AS month,
               s.dispute_type, k.__src AS first_src, k.__pos AS first_pos, s.__hash = k.__hash AS same
        FROM _med_stage s JOIN _med_keep k USING (township_code, month, dispute_type)
        WHERE s.__pos < 0 AND NOT (k.__src = s.__src AND k.__pos = s.__pos)""").df()
    if lost.empty:
        return
    month = pd.to_datetime(cases["month"]).dt.strftime("%Y-%m-%d")
    conflict = []
    for r in lost.itertuples():
        rows = cases[(cases["__src"] == r.src) & (cases["township_code"] == r.township_code)
                     & (month == r.month) & (cases["dispute_type"] == r.dispute_type)]
        if r.same:      # dedup counted the aggregate as one duplicate: count its rows
            dups[int(r.src)] = dups.get(int(r.src), 0) + len(rows) - 1
            continue
        conflict.append(pd.DataFrame({"__src": rows["__src"].to_numpy(),
                                      "__pos": rows["__pos"].to_numpy(),
                                      "__first_src": r.first_src, "__first_pos": r.first_pos}))
    if conflict:
        ctx.flag_conflicts(by_src, pd.concat(conflict, ignore_index=True),
                           "township, month and dispute_type")


def reassign(ctx: Context, index: GridIndex) -> dict[str, int]:
    """After the grids changed: put earlier events and cameras into the right grids
    (rows of this load were located against the new grids already).

    A point no grid (or tolerance) takes any more keeps its previous grid, and is counted.
    """
    con = ctx.con
    tol = float(ctx.settings.section("geo")["outside_tolerance_m"])
    out: dict[str, int] = {}
    for table, key in (("events", "event_id"), ("cameras", "camera_id")):
        # in slices: a city's millions of earlier events are never all in Python at once
        cur = con.execute(f"SELECT {key}, lon, lat, grid_id FROM {table} "
                          "WHERE lon IS NOT NULL AND lat IS NOT NULL "
                          "AND load_id IS DISTINCT FROM ?", [ctx.load_id])
        reader = cur.to_arrow_reader(BATCH_ROWS)
        moved_k: list[np.ndarray] = []
        moved_g: list[np.ndarray] = []
        moved = lost = 0
        for batch in reader:
            rows = batch.to_pandas()
            if not len(rows):
                continue
            a = index.assign(rows["lon"].to_numpy(), rows["lat"].to_numpy(), tol)
            found = a.index >= 0
            lost += int((~found).sum())
            old = rows["grid_id"].to_numpy(dtype=object)
            new_grid = np.where(found, index.grid_ids[np.maximum(a.index, 0)], old)
            diff = new_grid != old
            moved += int(diff.sum())
            moved_k.append(rows[key].to_numpy(dtype=object)[diff])
            moved_g.append(new_grid[diff])
        if moved:
            register(con, "_moved", pd.DataFrame({"k": np.concatenate(moved_k),
                                                  "g": np.concatenate(moved_g)}))
            con.execute(f"UPDATE {table} SET grid_id = m.g FROM _moved m "
                        f"WHERE {table}.{key} = m.k")
            con.unregister("_moved")
        con.execute(f"""UPDATE {table} SET village_code = g.village_code,
            township_code = g.township_code FROM grids g
            WHERE {table}.grid_id = g.grid_id AND ({table}.village_code IS DISTINCT FROM
              g.village_code OR {table}.township_code IS DISTINCT FROM g.township_code)""")
        out[f"{table}_moved"] = moved
        out[f"{table}_outside_new_grids"] = lost
    return out
