"""Read functions for the analysis page 研判: hotspots with camera coverage, density cells for
the 3D view, the hour × weekday matrix, the trend by category, option lists.

Every function takes ``(store, settings, ...)`` with plain-value arguments (so the page and
the API call them through ``ctx.cached``) and returns plain data (DataFrames, dicts, lists):
renderer-neutral, the figure builders in ``dashboard/figures`` and ``layers/deck_*`` draw it.
SQL filters the window on ``reported_at`` first: events are stored sorted by it, so DuckDB
skips every block outside the window.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import math

import numpy as np
import pandas as pd

from store import hotspots as hs
from store.analysis_filters import (ALL_END, ALL_START, UNASSIGNED, Filters, department_sql,
                                    keyword_sql)
from store.cameras_near import online_within
from store.db import ReadStore
from store.metrics import shift_period
from store.settings import Settings

HOTSPOT_COLUMNS = ["grid_id", "grid_name", "township_code", "township", "k", "baseline",
                   "ratio", "p", "density_per_km2", "emerging", "cameras_online_within",
                   "gi_star_z", "since", "since_k", "top_category", "top_share"]


def hotspots(
    store: ReadStore,
    settings: Settings,
    start: dt.date,
    end: dt.date,
    as_of: dt.datetime,
    township: str | None = None,
    category: str | None = None,
    channel: str | None = None,
    everything: bool = False,
    *,
    table: pd.DataFrame | None = None,
    coverage: dict[str, int] | None = None,
    neighbours: dict[str, list[str]] | None = None,
) -> pd.DataFrame:
    """Emerging hotspots (or, with ``everything``, every grid) sorted by p, then k desc,
    with ``cameras_online_within``: cameras online at as_of within camera_radius_m of the
    grid polygon (metres on the ground). Columns: HOTSPOT_COLUMNS.

    ``table`` (:func:`store.hotspots.hotspot_table` of these arguments) and ``coverage``
    (:func:`store.cameras_near.online_within` of every grid at as_of) may be given already
    read: the app caches both, so a new window costs one rollup query.

    ``gi_star_z``: Getis-Ord Gi* z-score of the grid's density among the grids of the table
    (the township's, or the county's) with contiguity weights, beside the Poisson rule.

    ``since``, ``since_k``, ``top_category``, ``top_share``: since when and which kinds
    (:func:`store.hotspots.profile`; None for a grid without events in the window)."""
    t = table if table is not None else hs.hotspot_table(
        store, settings, start, end, township, category=category, channel=channel)
    if neighbours is None:
        neighbours = hs.grid_neighbours(store, settings)
    dens = t.set_index("grid_id")["density"] if "density" in t else t.set_index("grid_id")["k"]
    t = t.assign(gi_star_z=hs.gi_star(dens, neighbours).to_numpy())
    if not everything:
        t = t[t["hotspot"]]
    t = t.reset_index(drop=True).rename(columns={
        "township_name": "township", "density": "density_per_km2", "hotspot": "emerging"})
    cams = coverage if coverage is not None else online_within(
        store, settings, tuple(t["grid_id"]), as_of)
    t["cameras_online_within"] = [cams.get(g, 0) for g in t["grid_id"]]
    prof = hs.profile(store, settings, start, end, t.loc[t["k"] > 0, ["grid_id", "baseline"]],
                      category=category, channel=channel, as_of=as_of)
    t = t.merge(prof, on="grid_id", how="left")
    t["since_k"] = t["since_k"].fillna(0).astype("int64")
    return t[HOTSPOT_COLUMNS]


def hotspot_records(df: pd.DataFrame) -> list[dict]:
    """JSON-ready rows of :func:`hotspots` (None for a missing density)."""
    out = []
    for r in df.itertuples(index=False):
        d = r.density_per_km2
        out.append({
            "grid_id": r.grid_id, "grid_name": r.grid_name, "township": r.township,
            "township_code": r.township_code, "k": int(r.k), "baseline": float(r.baseline),
            "ratio": float(r.ratio), "p": float(r.p),
            "density_per_km2": None if d is None or d != d else float(d),
            "emerging": bool(r.emerging),
            "cameras_online_within": int(r.cameras_online_within),
            "gi_star_z": None if r.gi_star_z != r.gi_star_z else round(float(r.gi_star_z), 3),
            "since": r.since.isoformat() if isinstance(r.since, dt.date)
            and not pd.isna(r.since) else None,
            "since_k": int(r.since_k),
            "top_category": r.top_category if isinstance(r.top_category, str) else None,
            "top_share": None if r.top_share is None or r.top_share != r.top_share
            else round(float(r.top_share), 3)})
    return out


# --- the event filter on the events table (panels that aggregate) ------------------------

FILTER_COLUMNS = {"township": "township_code", "grid": "grid_id"}

def _events_where(f: Filters, settings: Settings) -> tuple[str, list]:
    """``FROM … WHERE …`` (and its parameters) for the valid events of the window matching
    the filters. A warning or the status ``open`` need as_of and the limits: then the rows
    come from ``event_rows_cte`` (open events only), the one definition of a warning."""
    sql = ["reported_at >= ? AND reported_at < ?", "status IS DISTINCT FROM 'invalid'"]
    params: list = [dt.datetime.combine(f.start, dt.time()), dt.datetime.combine(f.end, dt.time())]
    for col in ("township", "grid", "category", "channel"):
        v = getattr(f, col)
        if v:
            sql.append(f"{FILTER_COLUMNS.get(col, col)} = ?")
            params.append(v)
    if f.department:
        d_sql, d_params = department_sql(f.department)
        sql.append(d_sql)
        params += d_params
    if f.status and f.status not in ("open",):
        if f.status == "invalid":
            sql[1] = "status = 'invalid'"
        else:
            sql.append("status = ?")
            params.append(f.status)
    k_sql, k_params = keyword_sql(f.q)     # TRUE without keywords
    if f.warning or f.status == "open":
        from store.event_rows import event_rows_cte

        # the keywords on the stored texts, before ev masks every open case (keyword_sql)
        cte, cte_params = event_rows_cte(settings, f.as_of, open_only=True, where=k_sql,
                                         where_params=k_params)
        sql.append("is_open")
        if f.warning:
            sql.append("warning = ?")
            params.append(f.warning)
        src = f"(WITH {cte} SELECT * FROM ev) AS src"
        return f"{src} WHERE {' AND '.join(sql)}", [*cte_params, *params]
    if f.q:
        sql.append(k_sql)
        params += k_params
    return f"events WHERE {' AND '.join(sql)}", params


# --- 3D density -----------------------------------------------------------------------

def density_cells(store: ReadStore, settings: Settings, f: Filters,
                  cell_m: float = 150.0) -> pd.DataFrame:
    """Window events (filters applied) counted per ~``cell_m`` metre square, in SQL:
    ``lon``, ``lat`` (cell centres) and ``n``. The 3D view aggregates these weighted points
    into hexagons; sending cells, not events, keeps the reply small at any scale."""
    where, params = _events_where(f, settings)
    lat0 = store.scalar("SELECT avg(centroid_lat) FROM grids") or 30.0
    dy = cell_m / 110_574.0
    dx = cell_m / (111_320.0 * math.cos(math.radians(lat0)))
    df = store.df(
        f"""SELECT floor(lon / ?)::BIGINT AS ix, floor(lat / ?)::BIGINT AS iy, count(*) AS n
            FROM {where} AND lon IS NOT NULL AND lat IS NOT NULL GROUP BY ALL
            ORDER BY ix, iy""",      # one reply on either engine (and a stable cache)
        [dx, dy, *params])
    return pd.DataFrame({"lon": (df["ix"].to_numpy() + 0.5) * dx,
                         "lat": (df["iy"].to_numpy() + 0.5) * dy,
                         "n": df["n"].to_numpy(dtype="int64")})


# --- hour-of-day × weekday, trend by category -----------------------------------------------

WEEKDAYS_ZH = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]


def hour_weekday(store: ReadStore, settings: Settings, f: Filters) -> np.ndarray:
    """7 × 24 counts: rows Monday..Sunday, columns hour 0..23 (local time)."""
    where, params = _events_where(f, settings)
    df = store.df(
        f"""SELECT isodow(reported_at) - 1 AS d, hour(reported_at) AS h, count(*) AS n
            FROM {where} GROUP BY ALL""", params)
    out = np.zeros((7, 24), dtype="int64")
    out[df["d"].to_numpy(dtype=int), df["h"].to_numpy(dtype=int)] = df["n"].to_numpy()
    return out


def trend_unit(f: Filters) -> str:
    """What a trend's period is: "day", or "week" (seven days) for windows over 62 days."""
    return "week" if (f.end - f.start).days > 62 else "day"


ROLLING_DAYS = 7
SPARSE_PER_DAY = 1.0   # events a day per line below which daily counts are mostly 0s and 1s


def trend_by_category(store: ReadStore, settings: Settings, f: Filters,
                      top: int = 6) -> pd.DataFrame:
    """Events per period and category: ``period``, ``category``, ``n`` and ``per``, what a
    period counts, with each line's window ``total`` and ``prev`` (see _line_totals: which
    kinds are rising); categories beyond the ``top`` largest are summed as 其他.

    ``per``: "day" (that day's events); "week" (windows over 62 days: the seven days from
    ``period``, in blocks that end on the last day shown, the first reaching back before the
    window, so every point counts seven whole days: calendar weeks cut by the window's start
    or by as_of would dip as if events fell); or "7d" (that day and the six before it: a
    daily trend too sparse to read, under one event a day per line, where the lines would
    only jump between 0 and 1 and a rise would not show). Every period up to as_of's day is
    there for every category, 0 where none was reported: a line drawn over the days it has
    would run straight across the empty ones, as if events came every day."""
    unit = trend_unit(f)
    src = f
    if f.bounded:    # six days more: the first days' rolling sums, or the first whole block
        src = dataclasses.replace(f, start=f.start - dt.timedelta(days=ROLLING_DAYS - 1))
    where, params = _events_where(src, settings)
    df = store.df(
        f"""SELECT date_trunc('day', reported_at)::DATE AS period, category, count(*) AS n
            FROM {where} GROUP BY ALL ORDER BY period""", params)
    df["period"] = pd.to_datetime(df["period"])
    start = pd.Timestamp(f.start) if f.bounded else pd.Timestamp.min
    inside = df[df["period"] >= start]
    if inside.empty:
        return inside.assign(per=unit)
    keep = inside.groupby("category")["n"].sum().nlargest(top).index
    lines = sorted(set(inside["category"].where(inside["category"].isin(keep), "其他")))
    df["category"] = df["category"].where(df["category"].isin(keep), "其他")
    days = _days(f, inside["period"])
    if days.empty:       # a window that starts after as_of's day: nothing to draw
        return inside.iloc[0:0].assign(per=unit)
    if unit == "week":   # each day to the first day of its seven-day block
        back = (days[-1] - df["period"]).dt.days // ROLLING_DAYS
        df["period"] = days[-1] - pd.to_timedelta(back * ROLLING_DAYS + ROLLING_DAYS - 1, "D")
        days = days[-1] - pd.to_timedelta(
            np.arange((len(days) - 1) // ROLLING_DAYS, -1, -1) * ROLLING_DAYS
            + ROLLING_DAYS - 1, "D")
    counts = df.groupby(["period", "category"])["n"].sum()
    if unit == "day" and f.bounded:    # the six days before, for the first rolling sums
        days = pd.date_range(days[0] - pd.Timedelta(days=ROLLING_DAYS - 1), days[-1])
    full = pd.MultiIndex.from_product([days, lines], names=["period", "category"])
    out = counts.reindex(full, fill_value=0).reset_index()
    out["n"] = out["n"].astype("int64")
    out = out.merge(_line_totals(store, settings, f, keep), on="category", how="left")
    per = unit
    if unit == "day":
        shown = out[out["period"] >= start]
        if shown["n"].sum() < SPARSE_PER_DAY * shown["period"].nunique() * len(lines):
            out = out.sort_values(["category", "period"])
            out["n"] = out.groupby("category")["n"].transform(
                lambda s: s.rolling(ROLLING_DAYS, min_periods=1).sum()).astype("int64")
            per = "7d"
        out = out[out["period"] >= start]
    return out.sort_values(["period", "category"]).reset_index(drop=True).assign(per=per)


def _line_totals(store: ReadStore, settings: Settings, f: Filters,
                 keep: pd.Index) -> pd.DataFrame:
    """Per line (``keep``'s categories, the rest as 其他): ``total``, its valid events in the
    window (the cohort of /api/metrics and of the matrix: a report after a pinned as_of
    included), and ``prev``, the same stretch of the window before: reports from its start
    up to as_of minus the window's length (store.metrics.shift_period 'previous'). Not the
    wall's 环比 of 上报数, which counts the whole previous window: against a week or month
    still under way that would read as a fall on every line. ``prev`` is NA for an
    unbounded window, which has no window before it."""
    def count(g: Filters, until: dt.datetime | None = None) -> pd.Series:
        where, params = _events_where(g, settings)
        if until is not None:
            where, params = f"{where} AND reported_at <= ?", [*params, until]
        df = store.df(f"SELECT category, count(*) AS n FROM {where} GROUP BY 1", params)
        return df.groupby(df["category"].where(df["category"].isin(keep), "其他"))["n"].sum()

    out = pd.DataFrame({"total": count(f)})
    if f.bounded:
        s, e, a = shift_period(f.start, f.end, f.as_of, "previous")
        out["prev"] = count(dataclasses.replace(f, start=s, end=e, as_of=a), until=a)
    else:
        out["prev"] = pd.NA
    out = out.fillna({"total": 0}).astype({"total": "int64", "prev": "Int64"})
    if f.bounded:
        out["prev"] = out["prev"].fillna(0)
    return out.rename_axis("category").reset_index()


def _days(f: Filters, have: pd.Series) -> pd.DatetimeIndex:
    """The days shown: the window's (an unbounded one from its first data) up to as_of's day,
    none after it, even with data (an as_of pinned before the newest reports)."""
    last = pd.Timestamp(min(f.end, f.as_of.date() + dt.timedelta(days=1)) - dt.timedelta(days=1))
    first = pd.Timestamp(f.start) if f.bounded else have.min()
    return pd.date_range(first, last, freq="D")


# --- option lists for the filter bar -----------------------------------------------------

def options(store: ReadStore, settings: Settings) -> dict[str, list]:
    """Townships (code, name), categories, channels and departments present in the data.

    Read once per published version (the store's memo, which the served app's warmer fills
    after each load, dashboard.facts_warmer): the departments are a scan of every event's
    department (~0.07 s at 10 M, ~0.3-0.6 s on a busy machine), which the page's cache read
    again every ten minutes and whenever the cache dropped it. A copy each call: callers
    may change theirs."""
    import copy

    return copy.deepcopy(store.memo(("analysis_options",), lambda: _options(store)))


def _options(store: ReadStore) -> dict[str, list]:
    towns = store.rows("SELECT township_code, township_name FROM townships ORDER BY 1")
    cats = [r[0] for r in store.rows(
        "SELECT category FROM daily_rollup WHERE category IS NOT NULL GROUP BY 1"
        " ORDER BY sum(reported) DESC, 1")]    # ties by name: the same order on every engine
    chans = [r[0] for r in store.rows(
        "SELECT channel FROM daily_rollup WHERE channel IS NOT NULL GROUP BY 1"
        " ORDER BY sum(reported) DESC, 1")]
    # cases without a department are a choice too (未指派, as the late list names them)
    deps = [r[0] for r in store.rows(
        f"SELECT coalesce(department, '{UNASSIGNED}') FROM events GROUP BY 1"
        " ORDER BY count(*) DESC, 1 LIMIT 200")]
    return {"townships": [{"code": c, "name": n} for c, n in towns], "categories": cats,
            "channels": chans, "departments": deps}


def grid_options(store: ReadStore, settings: Settings,
                 township: str | None) -> list[dict]:
    """The grid filter's choices (a township's grids, or the county's), each named so the
    officer can tell it from the others: with its township when another grid of the county
    has its name (:func:`grid_labels`; a county list of fifteen 第二网格 was fifteen
    identical lines), and with its id when the name repeats within the list even so."""
    where, params = ("WHERE township_code = ?", [township]) if township else ("", [])
    labels = grid_labels(store, settings)
    out = [{"id": g, "name": labels.get(g) or n or g} for g, n in store.rows(
        f"SELECT grid_id, grid_name FROM grids {where} ORDER BY grid_id", params)]
    seen: dict[str, int] = {}
    for o in out:
        seen[o["name"]] = seen.get(o["name"], 0) + 1
    for o in out:
        if seen[o["name"]] > 1:
            o["name"] = f"{o['name']} · {o['id']}"
    return out


def grid_labels(store: ReadStore, settings: Settings) -> dict[str, str]:
    """grid_id → the name to show where no township column says where it is: the grid's
    name, with its township's when another grid of the county has the same name
    (``第二网格（甘霖镇）``: townships' grids are often named alike)."""
    df = store.df(
        """SELECT g.grid_id, coalesce(g.grid_name, g.grid_id) AS name,
                  coalesce(t.township_name, g.township_code) AS town
           FROM grids g LEFT JOIN townships t ON t.township_code = g.township_code""")
    repeated = df["name"].duplicated(keep=False)
    return {gid: f"{name}（{town}）" if rep and isinstance(town, str) else name
            for gid, name, town, rep in zip(df["grid_id"], df["name"], df["town"], repeated)}


def grid_place(store: ReadStore, settings: Settings, grid_id: str) -> dict | None:
    """``grid_id``, ``grid_name``, ``township_code`` of a grid, None when unknown."""
    rows = store.rows("SELECT grid_id, grid_name, township_code FROM grids WHERE grid_id = ?",
                      [grid_id])
    return dict(zip(("grid_id", "grid_name", "township_code"), rows[0])) if rows else None


# --- renderer-neutral shapes ------------------------------------------------------------------

def outline_records(gdf, fields: tuple[str, ...] = (), decimals: int = 5) -> list[dict]:
    """One record per ring of every polygon: ``path`` ([[lon, lat], …], rounded to
    ``decimals`` ≈ 1 m) plus the given fields of its row. Renderer-neutral: the deck.gl
    PathLayer draws these, and so could any other renderer. Vectorised over all rings."""
    import shapely

    if gdf is None or len(gdf) == 0:
        return []
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    parts, part_row = shapely.get_parts(geoms, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    coords = np.round(coords, decimals)
    cuts = np.searchsorted(coord_ring, np.arange(1, len(rings)))
    paths = [c.tolist() for c in np.split(coords, cuts)]
    rows = gdf[list(fields)].to_dict("records") if fields else None
    ring_row = part_row[ring_part]
    return [{"path": path, **(rows[r] if rows else {})} for path, r in zip(paths, ring_row)]


def grid_outlines(store: ReadStore, settings: Settings, township: str | None) -> list[dict]:
    """Outline records of the grids (one township's, or all) with ``code`` and ``name``."""
    from store import map_reads as mr

    return outline_records(mr.grid_shapes(store, settings, township), ("code", "name"))


def township_outlines(store: ReadStore, settings: Settings,
                      township: str | None = None) -> list[dict]:
    from store import map_reads as mr

    t = mr.township_shapes(store, settings)
    return outline_records(t[t["code"] == township] if township else t, ("code", "name"))


def camera_status(store: ReadStore, settings: Settings, as_of: dt.datetime,
                  township: str | None = None) -> pd.DataFrame:
    """Cameras with coordinates and whether they are online at as_of (metrics.md):
    camera_id, name, status (stored), online (bool), lon, lat, grid_id, township_code."""
    from store.cameras_near import online_params, online_sql

    where, params = ("AND township_code = ?", [township]) if township else ("", [])
    df = store.df(
        f"SELECT camera_id, name, status, {online_sql()} AS online, lon, lat, grid_id,"
        " township_code FROM cameras WHERE lon IS NOT NULL AND lat IS NOT NULL"
        f" {where} ORDER BY camera_id", [*online_params(settings, as_of), *params])
    df["online"] = df["online"].astype(bool)
    return df


# --- the late list by department (backlog, not a window) -----------------------------------

# UNASSIGNED (未指派, store.analysis_filters): the late list's department for cases no
# department holds, a department filter value like any other


def backlog_filters(f: Filters) -> Filters:
    """What the late list reads of ``f``: the backlog has no window and no status, so those
    are cleared. Its cache key then stays the same when the officer changes the window: a
    city's 500 k open cases were grouped again on every window change (1-2 s on a busy
    2-core machine) for the same list."""
    return dataclasses.replace(f, start=ALL_START, end=ALL_END, window="all", status=None)


def late_by_department(store: ReadStore, settings: Settings, f: Filters,
                       limit: int | None = 30) -> pd.DataFrame:
    """Open red / yellow events at as_of grouped by the department holding them (挂账):
    department, red, yellow, total, oldest (earliest reported_at; oldest_red and oldest_yellow
    of each warning, where its link's window starts), max_overdue_hours,
    worst_grid (the grid with most red, then most late cases, then first by name and id: the
    same grid on every view and refresh, of that department), worst_grid_id and its count of
    late cases. Counted per grid id: grids of different townships often share a name
    (第一网格), and their cases are not one grid's. Like the wall's warnings this is the backlog: no window; the place, category,
    channel, department, warning and keyword filters apply. Sorted by red, then total, descending;
    ``limit`` departments (None: all of them)."""
    from store.event_rows import event_rows_cte

    # the filters on stored columns (the keywords on the stored texts, as keyword_sql reads
    # them) before event_rows_cte joins and masks: a city has 500 k open cases
    pre, pre_params = ["TRUE"], []
    for col, value in (("township_code", f.township), ("grid_id", f.grid),
                       ("category", f.category), ("channel", f.channel)):
        if value:
            pre.append(f"e.{col} = ?")
            pre_params.append(value)
    if f.department:
        d_sql, d_params = department_sql(f.department, "e.department")
        pre.append(d_sql)
        pre_params += d_params
    if f.q:
        k_sql, k_params = keyword_sql(f.q)
        pre.append(k_sql)
        pre_params += k_params
    cte, params = event_rows_cte(settings, f.as_of, open_only=True, where=" AND ".join(pre),
                                 where_params=pre_params)
    cond, cparams = ["warning IS NOT NULL"], []
    if f.warning:
        cond.append("warning = ?")
        cparams.append(f.warning)
    return store.df(
        f"""WITH {cte},
        late AS (SELECT coalesce(department, '{UNASSIGNED}') AS department, grid_id,
                        coalesce(grid_name, grid_id, '—') AS grid_name, warning, reported_at,
                        overdue_hours
                 FROM ev WHERE {' AND '.join(cond)}),
        by_grid AS (SELECT department, grid_id, grid_name, count(*) AS n,
                           count(*) FILTER (WHERE warning = 'red') AS r
                    FROM late GROUP BY ALL),
        ranked AS (SELECT department, grid_id, grid_name, n,
                          row_number() OVER (PARTITION BY department
                                             ORDER BY r DESC, n DESC, grid_name,
                                                      grid_id NULLS LAST) AS place
                   FROM by_grid),
        worst AS (SELECT department, grid_id AS worst_grid_id, grid_name AS worst_grid,
                         n AS worst_grid_n
                  FROM ranked WHERE place = 1)
        SELECT department, count(*) FILTER (WHERE warning = 'red') AS red,
               count(*) FILTER (WHERE warning = 'yellow') AS yellow, count(*) AS total,
               min(reported_at) AS oldest, max(overdue_hours) AS max_overdue_hours,
               min(reported_at) FILTER (WHERE warning = 'red') AS oldest_red,
               min(reported_at) FILTER (WHERE warning = 'yellow') AS oldest_yellow,
               any_value(worst_grid) AS worst_grid, any_value(worst_grid_id) AS worst_grid_id,
               any_value(worst_grid_n) AS worst_grid_n
        FROM late JOIN worst USING (department)
        GROUP BY department ORDER BY red DESC, total DESC, department
        {'' if limit is None else 'LIMIT ' + str(int(limit))}""",
        [*params, *cparams])
