"""Put prepared rows into the staging database: drop exact duplicates, reject conflicting
ones, upsert by key, and keep earlier rows' grids right when the grids change."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from etl import cameras as C
from etl import events as E
from etl import mediation as M
from etl.context import Context
from etl.spatial import GridIndex
from etl.upsert import dedup, hash_expr, register, upsert


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


def stage_events(ctx: Context, readings: list, index: GridIndex) -> int:
    """Load every events source; returns how many events are new or updated.

    Set-based in DuckDB over the Arrow table of prepared rows (no copy of it): one pass
    classifies rows new / updated / unchanged by content hash, and only when something
    changed is the events table rewritten, sorted by reported_at.
    """
    if not readings:
        return 0
    con = ctx.con
    with ctx.phase("events_parse"):
        frames = [E.prepare_events(ctx, r, index) for r in readings]
        frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        del frames
        table = _arrow(frame, ("reported_at", "accepted_at", "dispatched_at", "closed_at"))
        del frame
    register(con, "_ev_in", table)
    base = "_ev_in"
    duplicates: dict[int, int] = {}
    (dups,) = con.execute("SELECT count(*) - count(DISTINCT event_id) FROM _ev_in").fetchone()
    if dups:
        con.execute(f"CREATE OR REPLACE TEMP TABLE _ev_dup AS SELECT *, "
                    f"{hash_expr(E.HASHED)} AS content_hash FROM _ev_in")
        conflicts = dedup(con, "_ev_dup", ["event_id"], "content_hash", "_ev_keep")
        con.execute("DROP TABLE _ev_dup")
        ctx.flag_conflicts({r.index: r for r in readings}, conflicts, "event_id")
        duplicates = conflicts.attrs["duplicates"]
        base = "_ev_keep"
    (existing,) = con.execute("SELECT count(*) FROM events").fetchone()
    h = hash_expr(E.HASHED, alias="s")
    if not existing:
        counts = con.execute(f"SELECT __src AS src, 'new' AS change, count(*) AS n "
                             f"FROM {base} GROUP BY ALL").df()
        select = _select(ctx, h)
        con.execute(f"INSERT INTO events SELECT {select} FROM {base} s "
                    "ORDER BY reported_at, event_id")
    else:
        con.execute(f"""CREATE OR REPLACE TEMP TABLE _ev_chg AS
            SELECT s.__src, s.event_id, s.content_hash,
                   CASE WHEN t.event_id IS NULL THEN 'new'
                        WHEN t.content_hash = s.content_hash THEN 'unchanged'
                        ELSE 'updated' END AS change
            FROM (SELECT __src, event_id, {h} AS content_hash FROM {base} s) s
            LEFT JOIN events t ON t.event_id = s.event_id""")
        counts = con.execute("SELECT __src AS src, change, count(*) AS n FROM _ev_chg "
                             "GROUP BY ALL").df()
        if (counts["change"] != "unchanged").any():
            _merge_sorted(ctx, base)
        con.execute("DROP TABLE _ev_chg")
    con.unregister("_ev_in")
    if base != "_ev_in":
        con.execute(f"DROP TABLE {base}")
    return _finish(ctx, readings, counts, duplicates)


def _select(ctx: Context, hash_sql: str) -> str:
    """The events columns, in table order, from a staged row ``s``."""
    out = []
    for c in E.COLUMNS:
        if c == "content_hash":
            out.append(f"{hash_sql} AS content_hash")
        elif c == "load_id":
            out.append(f"{int(ctx.load_id)} AS load_id")
        else:
            out.append(f"s.{c}")
    return ", ".join(out)


def _merge_sorted(ctx: Context, base: str) -> None:
    """events := (old rows not updated) + (new and updated rows), ordered by reported_at."""
    con = ctx.con
    (ddl,) = con.execute("SELECT sql FROM duckdb_tables() WHERE table_name = 'events' "
                         "AND schema_name = 'main' AND NOT temporary").fetchone()
    cols = ", ".join(E.COLUMNS)
    con.execute("ALTER TABLE events RENAME TO _events_old")
    con.execute(ddl)
    con.execute(f"""INSERT INTO events
        SELECT * FROM (
            SELECT {cols} FROM _events_old o
            ANTI JOIN (SELECT event_id FROM _ev_chg WHERE change = 'updated') u
                ON o.event_id = u.event_id
            UNION ALL
            SELECT {_select(ctx, "c.content_hash")} FROM {base} s
            JOIN _ev_chg c ON s.event_id = c.event_id AND c.change <> 'unchanged')
        ORDER BY reported_at, event_id""")
    con.execute("DROP TABLE _events_old")


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
    counts = upsert(con, "mediation", ["township_code", "month", "dispute_type"], "_med_keep",
                    M.COMPARED, M.COLUMNS)
    dups = dict(conflicts.attrs["duplicates"])
    for s, n in dup_cases.items():
        dups[s] = dups.get(s, 0) + n
    return _finish(ctx, readings, counts, dups)


def reassign(ctx: Context, index: GridIndex) -> dict[str, int]:
    """After the grids changed: put earlier events and cameras into the right grids
    (rows of this load were located against the new grids already).

    A point no grid (or tolerance) takes any more keeps its previous grid, and is counted.
    """
    con = ctx.con
    tol = float(ctx.settings.section("geo")["outside_tolerance_m"])
    out: dict[str, int] = {}
    for table, key in (("events", "event_id"), ("cameras", "camera_id")):
        rows = con.execute(f"SELECT {key}, lon, lat, grid_id FROM {table} "
                           "WHERE lon IS NOT NULL AND lat IS NOT NULL "
                           "AND load_id IS DISTINCT FROM ?", [ctx.load_id]).df()
        moved = lost = 0
        if len(rows):
            a = index.assign(rows["lon"].to_numpy(), rows["lat"].to_numpy(), tol)
            found = a.index >= 0
            lost = int((~found).sum())
            new_grid = np.where(found, index.grid_ids[np.maximum(a.index, 0)],
                                rows["grid_id"].to_numpy(dtype=object))
            diff = new_grid != rows["grid_id"].to_numpy(dtype=object)
            moved = int(diff.sum())
            if moved:
                register(con, "_moved", pd.DataFrame({"k": rows[key][diff].to_numpy(),
                                                      "g": new_grid[diff]}))
                con.execute(f"UPDATE {table} SET grid_id = m.g FROM _moved m "
                            f"WHERE {table}.{key} = m.k")
        con.execute(f"""UPDATE {table} SET village_code = g.village_code,
            township_code = g.township_code FROM grids g
            WHERE {table}.grid_id = g.grid_id AND ({table}.village_code IS DISTINCT FROM
              g.village_code OR {table}.township_code IS DISTINCT FROM g.township_code)""")
        out[f"{table}_moved"] = moved
        out[f"{table}_outside_new_grids"] = lost
    return out
