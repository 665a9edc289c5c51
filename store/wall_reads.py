"""Read functions for the wall's panels (not the map): SQL in, DataFrames and dicts out.

Every function takes ``(store, settings, ...)`` with plain-value arguments (codes, dates,
datetimes), so the wall calls them through ``ctx.cached`` and a drill-down or a refresh
re-reads only what changed. Every figure that has a definition in metrics.md comes from
:mod:`store.metrics`; what is here is lists, rollup sums and the mediation table, which
metrics.md defines but store.metrics does not cover. No list selects a reporter name or phone;
only the event card (an operator's click) shows them, masked by store.event_rows.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from store import event_rows as er
from store import metrics as m
from store.db import ReadStore
from store.map_reads import cameras_near_grid
from store.memo import shared_read
from store.settings import Settings

_US_PER_H = 3_600_000_000.0


def scope_of(township: str | None = None, grid: str | None = None) -> m.Scope:
    if grid:
        return m.Scope("grid", grid)
    if township:
        return m.Scope("township", township)
    return m.Scope()


def _where(township: str | None, alias: str = "") -> tuple[str, list]:
    return scope_of(township).where(alias)


# --- drill state ---------------------------------------------------------------------------

def resolve_drill(store: ReadStore, settings: Settings, township: str | None,
                  grid: str | None) -> dict:
    """A drill state checked against the data: unknown codes dropped, a grid's township filled,
    a township given by name turned into its code (``/?township=黄泽镇``).

    Returns ``{"township", "grid", "township_name", "grid_name"}`` (None where not drilled).
    """
    out = {"township": None, "grid": None, "township_name": None, "grid_name": None}
    if grid:
        row = store.rows(
            "SELECT g.grid_id, g.grid_name, g.township_code, t.township_name FROM grids g"
            " LEFT JOIN townships t USING (township_code) WHERE g.grid_id = ?", [grid])
        if row:
            out.update(grid=row[0][0], grid_name=row[0][1] or row[0][0],
                       township=row[0][2], township_name=row[0][3])
            return out
    if township:      # by code or by name, as every other scope (metrics.parse_scope)
        row = store.rows("SELECT township_code, township_name FROM townships"
                         " WHERE township_code = ? OR township_name = ?"
                         " ORDER BY township_code = ? DESC", [township, township, township])
        if row:
            out.update(township=row[0][0], township_name=row[0][1])
    return out


def data_as_of(store: ReadStore, settings: Settings) -> dt.datetime | None:
    """The newest report in the store: how fresh the data is (数据更新于), whatever as_of is."""
    return m.newest_report(store)


def township_list(store: ReadStore, settings: Settings) -> list[dict]:
    """Townships in code order: the tour's itinerary and the ranking's names."""
    rows = store.rows("SELECT township_code, township_name FROM townships ORDER BY 1")
    return [{"code": c, "name": n} for c, n in rows]


def unit_names(store: ReadStore, settings: Settings) -> dict:
    """Every township's name, every grid's, and each township's grids' names (by township
    code): the lists the wall shortens its names against (what they all share says
    nothing on a row)."""
    towns = [n for (n,) in store.rows("SELECT township_name FROM townships ORDER BY 1")]
    grids = store.rows("SELECT township_code, grid_name FROM grids ORDER BY 1, 2")
    by_town: dict[str, list[str]] = {}
    for town, name in grids:
        by_town.setdefault(town, []).append(name)
    return {"township": towns, "grid": [n for _t, n in grids], "grid_by_town": by_town}


# --- figures of one scope --------------------------------------------------------------------

def kpis(store: ReadStore, settings: Settings, township: str | None, start: dt.date,
         end: dt.date, as_of: dt.datetime) -> dict:
    """The KPI strip and the gauges: /api/metrics of the window, plus today's reports.

    ``window`` is exactly the /api/metrics payload for the scope (same numbers as the API).
    ``today_reported``: valid events reported on as_of's day up to as_of (a wall pinned to a
    past moment, the briefing's Monday 00:00 say, must not count the rest of that day).
    """
    scope = scope_of(township)
    window = m.metrics(store, settings, scope=scope, start=start, end=end, as_of=as_of)
    day = as_of.date()
    today = _reported_so_far(store, township, day, as_of)
    return {"window": window, "today_reported": today, "today": day.isoformat()}


def _reported_so_far(store: ReadStore, township: str | None, day: dt.date,
                     until: dt.datetime) -> int:
    """Valid events reported from ``day`` 00:00 up to ``until`` (events are stored sorted by
    reported_at, so this reads a day's blocks at most)."""
    where, params = _where(township)
    return int(store.scalar(
        f"SELECT count(*) FROM events WHERE reported_at >= ?::TIMESTAMP"
        f" AND reported_at <= ?::TIMESTAMP AND status IS DISTINCT FROM 'invalid' AND {where}",
        [dt.datetime.combine(day, dt.time()), until, *params]))


@shared_read
def township_reported_so_far(store: ReadStore, settings: Settings, day: dt.date,
                             until: dt.datetime) -> dict[str, int]:
    """:func:`_reported_so_far` of every township with a report in that span, by code (one
    read of a day's blocks instead of one per township view; a township absent has 0)."""
    rows = store.rows(
        "SELECT township_code, count(*) FROM events WHERE reported_at >= ?::TIMESTAMP"
        " AND reported_at <= ?::TIMESTAMP AND status IS DISTINCT FROM 'invalid'"
        " GROUP BY 1", [dt.datetime.combine(day, dt.time()), until])
    return {code: int(n) for code, n in rows}


@shared_read
def township_metrics(store: ReadStore, settings: Settings, start: dt.date, end: dt.date,
                     as_of: dt.datetime) -> dict[str, dict]:
    """Every township's /api/metrics payload (store.metrics.metrics), keyed by code, from
    one table by township: the wall renders every township's view each minute, and each
    read its own figures and the previous period's (~20 % of a 100-township city's round).
    A township's row of the table is its own figures (the same counts grouped instead of
    filtered); tests/store/test_wall_cuts.py compares both for every township."""
    df = m.metrics_table(store, settings, start=start, end=end, as_of=as_of, scope=m.Scope(),
                         by="township")
    return {code: m.payload(df.iloc[i], m.Scope("township", code), start, end, as_of)
            for i, code in enumerate(df["code"])}


def kpis_via(read, township: str | None, start: dt.date, end: dt.date,
             as_of: dt.datetime) -> dict:
    """:func:`kpis` through a caching reader (``ctx.cached``): a township's figures are cut
    from :func:`township_metrics`, read once for every township; the county's and an
    unknown code's are their own read."""
    window = read(township_metrics, start, end, as_of).get(township) if township else None
    if window is None:
        return read(kpis, township, start, end, as_of)
    day = as_of.date()
    today = read(township_reported_so_far, day, as_of).get(township, 0)
    return {"window": dict(window), "today_reported": today, "today": day.isoformat()}


def previous_kpis_via(read, township: str | None, start: dt.date, end: dt.date,
                      as_of: dt.datetime, compare: str = "previous") -> dict:
    """:func:`previous_kpis` through a caching reader, a township's cut as in :func:`kpis_via`."""
    p_start, p_end, p_as_of = m.shift_period(start, end, as_of, compare)
    window = (read(township_metrics, p_start, p_end, p_as_of).get(township)
              if township else None)
    if window is None:
        return read(previous_kpis, township, start, end, as_of, compare)
    day = as_of.date() - dt.timedelta(days=1)
    return {"window": dict(window),
            "today_reported": read(township_reported_so_far, day,
                                   as_of - dt.timedelta(days=1)).get(township, 0),
            "today": day.isoformat(),
            "shifted": {"start": p_start.isoformat(), "end": p_end.isoformat(),
                        "as_of": p_as_of.isoformat(sep="T")}}


CARD_ORDER = {"red": 0, "yellow": 1, "green": 2}


def unit_ranking(store: ReadStore, settings: Settings, township: str | None, start: dt.date,
                 end: dt.date, as_of: dt.datetime, min_events: int = 5,
                 worst: bool = True) -> pd.DataFrame:
    """Townships of the county (best first), or the grids of ``township``, with their rank
    (1 = best, store.metrics.rank) and card (亮牌).

    Units (townships or grids) with fewer than ``min_events`` cohort events are marked
    ``few``, carded on their red warnings alone and ranked after the others. A township's
    grids are listed where people act, :func:`worst_first` (the wall and the briefing), and
    the ``few`` ones carded on their red warnings alone (:func:`store.metrics.card_on_red`);
    ``worst=False`` keeps the league order. ``pos`` is the row's place in the list as returned.
    """
    by = "grid" if township else "township"
    df = m.metrics_table(store, settings, start=start, end=end, as_of=as_of,
                         scope=scope_of(township), by=by)
    return rank_units(df, settings, bool(township), min_events, worst)


def rank_units(df: pd.DataFrame, settings: Settings, grids: bool, min_events: int,
               worst: bool) -> pd.DataFrame:
    """A ``metrics_table`` ranked with cards (store.metrics.rank): ``few`` marks the units,
    townships or grids alike, under ``min_events``, carded on their red warnings alone
    (metrics.card_on_red) and ranked after the others; grids listed :func:`worst_first`
    when ``worst``."""
    df = m.rank(df, settings, min_events)
    if grids and worst:
        df = worst_first(df)
    df["pos"] = range(1, len(df) + 1)
    return df


@shared_read
def township_rankings(store: ReadStore, settings: Settings, start: dt.date, end: dt.date,
                      as_of: dt.datetime, min_events: int = 5,
                      worst: bool = True) -> dict[str, pd.DataFrame]:
    """:func:`unit_ranking` of every township's grids, keyed by township code, from one read
    of every grid's figures.

    The wall renders every township's view each minute. A township's figures filter the
    window's events by township, which the events' order (by report time) cannot prune, so
    one read per township scans the window each time: 1 M events, 16 townships, ~450 ms a
    minute against ~30 ms for every grid at once (10 M: ~2 s against ~0.15 s). An event's
    township is its grid's (the ETL takes both from the grid), so the grids of a township
    carry the same figures either way; a test compares both ways for every township.
    """
    df = m.metrics_table(store, settings, start=start, end=end, as_of=as_of, scope=m.Scope(),
                         by="grid")
    towns = store.df("SELECT grid_id AS code, township_code AS _town FROM grids")
    df = df.merge(towns, on="code", how="left")
    return {code: rank_units(part.drop(columns="_town"), settings, True, min_events, worst)
            for code, part in df.groupby("_town", sort=False)}


def unit_ranking_via(read, township: str | None, start: dt.date, end: dt.date,
                     as_of: dt.datetime, min_events: int = 5, worst: bool = True) -> pd.DataFrame:
    """:func:`unit_ranking` through a caching reader (``ctx.cached``): a township's grids
    are cut from :func:`township_rankings`, read once for every township."""
    if township:
        found = read(township_rankings, start, end, as_of, min_events, worst).get(township)
        if found is not None:
            return found.copy()          # the read is shared: its frames are not ours
    return read(unit_ranking, township, start, end, as_of, min_events, worst)


def worst_first(df: pd.DataFrame) -> pd.DataFrame:
    """Units with enough events first, worst first: red card, yellow, green; then the lower
    on-time closure rate, more red warnings, the lower handling rate, the code. Units marked
    ``few`` (too few events for a rate to mean much) follow, ranked after the others (issue
    12), those with red warnings first, most first, then by code: their cards come from
    those warnings alone and their rates are not judged, so no rate orders them either (a
    handling rate did, one engine's last digit apart from another's; the briefing's 问题网格
    list them by red warnings and code too, store.briefing_reads.worst_grids)."""
    few = df["few"].astype(bool)
    out = df.assign(_card=df["card"].map(CARD_ORDER).fillna(3),
                    _red=(-df["red"].astype("int64")).where(few, 0),
                    _ot=df["on_time_rate"].astype("float64").fillna(2.0).where(~few, 2.0),
                    _hr=df["handling_rate"].astype("float64").fillna(2.0).where(~few, 2.0))
    out = out.sort_values(["few", "_card", "_red", "_ot", "red", "_hr", "code"],
                          ascending=[True, True, True, True, False, True, True], kind="mergesort")
    return out.drop(columns=["_card", "_red", "_ot", "_hr"]).reset_index(drop=True)


def worst_in_view(df: pd.DataFrame) -> pd.DataFrame:
    """The township ranking's rows in the order they stay in view when not all fit (the
    wall's gw.fitRank, ``data-worst``): by card, red, yellow, then the rest, a 样本少 township
    carded on its red warnings among its card's (after the judged ones) and one without a
    card (green given way to 样本少 or 本期无事件) last; within a card :func:`worst_first`.
    Its rates do not make a 样本少 township the worst: 1 late case of 1 is not 0 %."""
    out = worst_first(df if "few" in df else df.assign(few=False))
    few = out["few"].astype(bool)
    key = out["card"].map(CARD_ORDER).fillna(3).where(~(few & (out["card"] == "green")), 3)
    return (out.assign(_pin=key).sort_values("_pin", kind="mergesort")
            .drop(columns="_pin").reset_index(drop=True))


def previous_kpis(store: ReadStore, settings: Settings, township: str | None, start: dt.date,
                  end: dt.date, as_of: dt.datetime, compare: str = "previous") -> dict:
    """:func:`kpis` of the same scope one period earlier (metrics.md, 环比): window and as_of
    shifted back by the window's length (store.metrics.shift_period), so every figure is as it
    stood then. ``today_reported`` here is the day before as_of up to the same time of day
    (today so far against yesterday so far), whatever the window."""
    p_start, p_end, p_as_of = m.shift_period(start, end, as_of, compare)
    day = as_of.date() - dt.timedelta(days=1)
    # not kpis(): its today_reported (the shifted as_of's day) was read and thrown away
    window = m.metrics(store, settings, scope=scope_of(township), start=p_start, end=p_end,
                       as_of=p_as_of)
    return {"window": window,
            "today_reported": _reported_so_far(store, township, day,
                                               as_of - dt.timedelta(days=1)),
            "today": day.isoformat(),
            "shifted": {"start": p_start.isoformat(), "end": p_end.isoformat(),
                        "as_of": p_as_of.isoformat(sep="T")}}


# --- rollup sums -----------------------------------------------------------------------------

def daily_trend(store: ReadStore, settings: Settings, township: str | None, start: dt.date,
                end: dt.date) -> pd.DataFrame:
    """Valid events reported and closed per day in [start, end), every day present (0 if none).

    From ``daily_rollup``: ``closed`` counts events closed on that day, whenever reported.
    """
    where, params = _where(township)
    df = store.df(
        f"SELECT day, sum(reported)::BIGINT AS reported, sum(closed)::BIGINT AS closed"
        f" FROM daily_rollup WHERE day >= ? AND day < ? AND {where} GROUP BY day",
        [start, end, *params])
    days = pd.DataFrame({"day": pd.date_range(start, end - dt.timedelta(days=1), freq="D")})
    df["day"] = pd.to_datetime(df["day"])
    out = days.merge(df, on="day", how="left").fillna(0)
    out[["reported", "closed"]] = out[["reported", "closed"]].astype("int64")
    return out


OTHER = "其他"        # the mix's row for the values beyond its top ones


def mix(store: ReadStore, settings: Settings, township: str | None, start: dt.date,
        end: dt.date, dim: str, top: int = 7) -> pd.DataFrame:
    """Valid events reported in [start, end) by ``dim`` ("category" | "channel"), largest first.

    Beyond ``top`` values the rest are summed into "其他"; a missing value is "未注明". A
    source's own category 其他 (a common one) is part of that rest, not a second row of the
    same name: the bar chart drew both on one line, the two shares over each other.
    """
    if dim not in ("category", "channel"):
        raise ValueError(f"bad mix dimension {dim!r}")
    where, params = _where(township)
    df = store.df(
        f"SELECT coalesce({dim}, '未注明') AS label, sum(reported)::BIGINT AS reported"
        f" FROM daily_rollup WHERE day >= ? AND day < ? AND {where}"
        f" GROUP BY 1 HAVING sum(reported) > 0 ORDER BY 2 DESC, 1",
        [start, end, *params])
    if len(df) > top + 1:
        head = df[df["label"] != OTHER].iloc[:top]
        rest = int(df["reported"].sum() - head["reported"].sum())
        df = pd.concat([head, pd.DataFrame({"label": [OTHER], "reported": [rest]})],
                       ignore_index=True)
    df["share"] = df["reported"] / df["reported"].sum() if len(df) else []
    return df.reset_index(drop=True)


# --- mediation -----------------------------------------------------------------------------

def _ratio(num, den):
    return None if not den else float(num) / float(den)


def mediation(store: ReadStore, settings: Settings, township: str | None,
              month: dt.date) -> dict:
    """This month's mediation (``month``: any day of as_of's month) for the county or a township.

    When that month has no rows yet (tables usually arrive after the month ends), the newest
    earlier month with data is shown and ``month`` says which. Rates per metrics.md:
    success = succeeded / mediated, mediation rate = mediated / received (None when 0).
    ``previous``: the same totals and rates of the month before the one shown, or None.

    Only townships the database holds count: a township no grid names any more (merged into
    another by a newer grids layer) is removed by the ETL, but its mediation rows are kept
    (they show again if a later layer brings it back). A fresh load of the same files rejects
    them as ``unknown_township``, so the wall reads what that load would show.
    """
    where, params = _where(township)
    where = f"{where} AND township_code IN (SELECT township_code FROM townships)"
    month = month.replace(day=1)
    shown = store.scalar(
        f"SELECT max(month) FROM mediation WHERE month <= ? AND {where}", [month, *params])
    out = {"month": shown.isoformat() if shown else None, "requested_month": month.isoformat(),
           "received": 0, "mediated": 0, "succeeded": 0, "success_rate": None,
           "mediation_rate": None, "previous": None, "by_type": pd.DataFrame(
               columns=["dispute_type", "received", "mediated", "succeeded", "success_rate"])}
    if shown is None:
        return out
    df = store.df(
        f"SELECT dispute_type, sum(received)::BIGINT AS received,"
        f" sum(mediated)::BIGINT AS mediated, sum(succeeded)::BIGINT AS succeeded"
        f" FROM mediation WHERE month = ? AND {where} GROUP BY 1 ORDER BY 3 DESC, 1",
        [shown, *params])
    df = df.fillna(0)
    # object dtype keeps None (nothing mediated) as None, as the totals give it, not NaN
    df["success_rate"] = pd.Series(
        [_ratio(s, d) for s, d in zip(df["succeeded"], df["mediated"])], dtype=object)
    rec, med, suc = (int(df[c].sum()) for c in ("received", "mediated", "succeeded"))
    out.update(received=rec, mediated=med, succeeded=suc, success_rate=_ratio(suc, med),
               mediation_rate=_ratio(med, rec), by_type=df,
               previous=_mediation_month_before(store, shown, where, params))
    return out


def _mediation_month_before(store: ReadStore, shown: dt.date, where: str,
                            params: list) -> dict | None:
    """The totals of the calendar month before ``shown`` (what the shown month is compared
    with, 较上月), or None when that month has no rows: a gap is not a month of zeros. The
    same holds per township: when a township of ``shown`` has no rows that month (the county
    with one township's table missing), its total is unknown, and so is the comparison."""
    before = (shown.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    missing = store.scalar(
        f"SELECT count(DISTINCT township_code) FROM mediation WHERE month = ? AND {where}"
        f" AND township_code NOT IN (SELECT township_code FROM mediation WHERE month = ?)",
        [shown, *params, before])
    if missing:
        return None
    row = store.rows(
        f"SELECT count(*), sum(received)::BIGINT, sum(mediated)::BIGINT, sum(succeeded)::BIGINT"
        f" FROM mediation WHERE month = ? AND {where}", [before, *params])[0]
    if not row[0]:
        return None
    rec, med, suc = (int(v or 0) for v in row[1:])
    return {"month": before.isoformat(), "received": rec, "mediated": med, "succeeded": suc,
            "success_rate": _ratio(suc, med), "mediation_rate": _ratio(med, rec)}


# --- event lists -----------------------------------------------------------------------------

# what a list row shows (never the reporter, masked or not: the wall is public in the room);
# due_at, warning and overdue_hours come from store.event_rows, the one definition of them
_ROW_COLUMNS = ("event_id, reported_at, category, status, closed_at, township_code,"
                " township_name, grid_id, grid_name, department, due_at, close_h, warning,"
                " overdue_hours")
# a live list's row: what a list row shows, hours since reported and closed or not, at as_of
# (two parameters: as_of, as_of)
_LIVE_COLUMNS = (f"{_ROW_COLUMNS}, date_diff('second', reported_at, ?::TIMESTAMP) / 3600.0"
                 " AS elapsed_h, closed_at IS NOT NULL AND closed_at <= ?::TIMESTAMP AS closed_now")


def live_events(store: ReadStore, settings: Settings, township: str | None,
                as_of: dt.datetime, limit: int = 30) -> pd.DataFrame:
    """The newest valid events reported up to as_of, with hours elapsed, due time, warning and
    hours overdue (negative = hours left; None once closed); no personal data.

    The ``limit``-th newest report time is found on events alone (a top-N on the sorted
    table), so the event rows are then read for a narrow reported_at range only.
    """
    where, params = _where(township)
    cutoff = store.scalar(
        f"SELECT min(reported_at) FROM (SELECT reported_at FROM events"
        f" WHERE reported_at <= ?::TIMESTAMP AND status IS DISTINCT FROM 'invalid' AND {where}"
        f" ORDER BY reported_at DESC LIMIT ?)", [as_of, *params, int(limit)])
    if cutoff is None:
        cutoff = as_of
    cte, cte_params = er.event_rows_cte(settings, as_of)
    where_ev, params_ev = _where(township)
    return store.df(
        f"""WITH {cte}
        SELECT {_LIVE_COLUMNS}
        FROM ev
        WHERE reported_at >= ?::TIMESTAMP AND reported_at <= ?::TIMESTAMP
          AND status IS DISTINCT FROM 'invalid' AND {where_ev}
        ORDER BY reported_at DESC, event_id LIMIT ?""",
        [*cte_params, as_of, as_of, cutoff, as_of, *params_ev, int(limit)])


# how far back a round's live lists look first, in days, then further for the townships
# whose newest events the slice did not hold (None: no bound)
LIVE_SPANS_D = (2, 16, 128, None)


@shared_read
def township_live_lists(store: ReadStore, settings: Settings, as_of: dt.datetime,
                        limit: int = 30) -> dict[str, pd.DataFrame]:
    """:func:`live_events` of every township of ``townships``, keyed by code, from one read.

    The wall renders every township's view each minute, and each read its list twice with a
    township filter that the events' order (by report time) cannot prune: two scans of every
    event per township (~13 % of a 100-township city's round). Here each township's newest
    ``limit`` events are ranked at once over a slice [newest - span, as_of], ``newest`` the
    newest valid report up to as_of. A row's rank in its township within such a slice is its
    rank in the whole table (every newer valid report lies in the slice too), so a township
    with ``limit`` rows in the slice is complete; the others are read again over a wider slice
    (:data:`LIVE_SPANS_D`), the last one unbounded. The slices start from ``newest``, not
    as_of: on a wall whose feed stopped weeks ago (as_of follows the clock) slices from as_of
    held nothing and every minute ranked the whole table (2 s at 10 M events). A township
    without a valid event up to as_of is not a key. Rows, order and columns are
    :func:`live_events`' (tests/store/test_wall_cuts.py)."""
    left = [c for (c,) in store.rows("SELECT township_code FROM townships ORDER BY 1")]
    limit = int(limit)
    parts: dict[str, pd.DataFrame] = {}
    newest = store.scalar("SELECT max(reported_at) FROM events WHERE reported_at <="
                          " ?::TIMESTAMP AND status IS DISTINCT FROM 'invalid'", [as_of])
    anchor = as_of if newest is None or pd.isna(newest) else pd.Timestamp(newest).to_pydatetime()
    for span in LIVE_SPANS_D:
        if not left:
            break
        since = dt.datetime.min if span is None else anchor - dt.timedelta(days=span)
        df = _live_slice(store, settings, left, since, as_of, limit)
        for code, part in df.groupby("township_code", sort=False):
            if span is None or len(part) >= limit:
                parts[code] = part.head(limit).reset_index(drop=True)
        left = [c for c in left if c not in parts]
    return parts


def _live_slice(store: ReadStore, settings: Settings, towns: list[str], since: dt.datetime,
                as_of: dt.datetime, limit: int) -> pd.DataFrame:
    """The newest ``limit`` valid events of each of ``towns`` among those reported in
    [since, as_of], ranked on the ids alone and the wide rows read for those kept; in
    :func:`live_events`' order and columns."""
    marks = ", ".join("?" for _ in towns)
    span = ("{a}reported_at >= ?::TIMESTAMP AND {a}reported_at <= ?::TIMESTAMP"
            " AND {a}township_code IN (" + marks + ")")
    bounds = [since, as_of, *towns]
    ranked = (f"SELECT event_id FROM (SELECT event_id, row_number() OVER (PARTITION BY"
              f" township_code ORDER BY reported_at DESC, event_id) AS live_rank FROM events"
              f" WHERE {span.format(a='')} AND status IS DISTINCT FROM 'invalid')"
              f" WHERE live_rank <= ?")
    cte, cte_params = er.event_rows_cte(
        settings, as_of, where=f"{span.format(a='e.')} AND e.event_id IN ({ranked})",
        where_params=[*bounds, *bounds, limit])
    return store.df(
        f"""WITH {cte}
        SELECT {_LIVE_COLUMNS}
        FROM ev
        WHERE status IS DISTINCT FROM 'invalid'
        ORDER BY reported_at DESC, event_id""", [*cte_params, as_of, as_of])


def live_events_via(read, township: str | None, as_of: dt.datetime,
                    limit: int = 30) -> pd.DataFrame:
    """:func:`live_events` through a caching reader (``ctx.cached``): a township's list is
    cut from :func:`township_live_lists`, read once for every township; the county's (a
    top-N on the sorted table, no filter to scan) is its own read, and so is the list of a
    code not in townships or of a township without a valid event up to as_of (empty)."""
    if township:
        found = read(township_live_lists, as_of, limit).get(township)
        if found is not None:
            return found.copy()          # the read is shared: its frames are not ours
    return read(live_events, township, as_of, limit)


def warning_events(store: ReadStore, settings: Settings, township: str | None,
                   as_of: dt.datetime, limit: int | None = 60) -> pd.DataFrame:
    """Open valid events in red (超时) or yellow (临期) as of as_of: red first, oldest first,
    with department, due time and hours overdue (negative = hours left before the due time).

    The classification is metrics.md's, through store.event_rows (the same SQL as the event
    card and the analysis table). ``limit`` None returns every row (tests compare the counts
    with the metrics).
    """
    cte, cte_params = er.event_rows_cte(settings, as_of, open_only=True)
    where, params = _where(township)
    sql = f"""WITH {cte}
    SELECT {_ROW_COLUMNS}, warning AS level,
           date_diff('microsecond', reported_at, ?::TIMESTAMP) / {_US_PER_H} AS elapsed_h
    FROM ev
    WHERE warning IS NOT NULL AND {where}
    ORDER BY warning = 'red' DESC, reported_at, event_id"""
    params_all = [*cte_params, as_of, *params]
    if limit is not None:
        sql += " LIMIT ?"
        params_all.append(int(limit))
    return store.df(sql, params_all)


@shared_read
def warning_lists(store: ReadStore, settings: Settings, as_of: dt.datetime,
                  limit: int = 60) -> pd.DataFrame:
    """Every scope's red/yellow list in one read: each township's first ``limit`` rows in
    :func:`warning_events`' order, with ``county_rank`` (1 = first of the county's list).

    The wall renders the county and every township each minute; their lists all come from
    the open events as of the same as_of, so one scan serves them all (10 M events, 17
    views: ~0.6 s once against ~2-3 s one by one). :func:`warning_list_of` cuts a scope's
    list out: the county's first ``limit`` rows are all among their townships' first ``limit``.
    """
    cte, cte_params = er.event_rows_cte(settings, as_of, open_only=True)
    order = "warning = 'red' DESC, reported_at, event_id"
    # ranked on the ids alone, the wide rows joined for the few kept: the windows sort every
    # open event (500 k on the 10 M benchmark county: 420 -> 300 ms a read)
    return store.df(
        f"""WITH {cte},
        ranked AS (
            SELECT event_id, row_number() OVER (ORDER BY {order}) AS county_rank,
                   row_number() OVER (PARTITION BY township_code ORDER BY {order}) AS town_rank
            FROM ev WHERE warning IS NOT NULL),
        kept AS (SELECT event_id, county_rank FROM ranked WHERE town_rank <= ?)
        SELECT {_ROW_COLUMNS}, warning AS level,
               date_diff('microsecond', reported_at, ?::TIMESTAMP) / {_US_PER_H} AS elapsed_h,
               k.county_rank
        FROM ev JOIN kept k USING (event_id)
        ORDER BY county_rank""", [*cte_params, int(limit), as_of])


def warning_list_of(lists: pd.DataFrame, township: str | None, limit: int) -> pd.DataFrame:
    """One scope's list out of :func:`warning_lists` (same ``limit`` or less): the rows
    :func:`warning_events` returns for that township (None: the county), in its order."""
    rows = lists if township is None else lists[lists["township_code"] == township]
    return rows.head(limit).drop(columns="county_rank").reset_index(drop=True)


def event_card(store: ReadStore, settings: Settings, event_id: str,
               as_of: dt.datetime, reported_at: dt.datetime | None = None) -> dict | None:
    """The event card's content: :func:`store.event_rows.event_detail` (reporter masked);
    ``reported_at``, the clicked row's report time, narrows the lookup to that time's blocks
    (the same card; the id alone when it does not match)."""
    return er.event_detail(store, settings, event_id, as_of=as_of, reported_at=reported_at)


# --- grid card -------------------------------------------------------------------------------

def grid_card(store: ReadStore, settings: Settings, grid_id: str, start: dt.date,
              end: dt.date, as_of: dt.datetime) -> dict | None:
    """Everything the grid card shows; None for an unknown grid.

    ``cameras``: every camera within settings geo.camera_radius_m metres (haversine on the
    WGS84 sphere, metres on the ground) of the grid's centroid, nearest first.
    """
    rows = store.df(
        "SELECT g.grid_id, g.grid_name, g.township_code, t.township_name, g.village_code,"
        " v.village_name, g.grid_worker, g.population, g.households, g.area_km2,"
        " g.centroid_lon, g.centroid_lat FROM grids g"
        " LEFT JOIN townships t ON t.township_code = g.township_code"
        " LEFT JOIN villages v ON v.village_code = g.village_code WHERE g.grid_id = ?",
        [grid_id])
    if rows.empty:
        return None
    info = {k: (None if pd.isna(v) else v) for k, v in rows.iloc[0].to_dict().items()}
    figures = m.metrics(store, settings, scope=m.Scope("grid", grid_id), start=start, end=end,
                        as_of=as_of)
    recent = store.df(
        "SELECT e.event_id, e.reported_at, e.category, e.status, e.closed_at,"
        " date_diff('second', e.reported_at, ?::TIMESTAMP) / 3600.0 AS elapsed_h,"
        " e.closed_at IS NOT NULL AND e.closed_at <= ?::TIMESTAMP AS closed_now"
        " FROM events e WHERE e.grid_id = ? AND e.reported_at <= ?::TIMESTAMP"
        " AND e.status IS DISTINCT FROM 'invalid' ORDER BY e.reported_at DESC, e.event_id LIMIT 5",
        [as_of, as_of, grid_id, as_of])
    cameras = cameras_near_grid(store, settings, grid_id, as_of=as_of)
    return {"info": info, "figures": figures, "recent": recent, "cameras": cameras,
            "radius_m": float(settings.section("geo")["camera_radius_m"])}
