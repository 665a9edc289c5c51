"""Reads for the weekly briefing 周报: the week, the overdue list, worst grids, what rose.

Every figure that metrics.md defines comes from :mod:`store.metrics` (the same code as the wall
and ``/api/metrics``); this module adds only what the briefing lists and the metrics module does
not: red (overdue) events grouped by township / grid / department, the worst grids of a ranking,
week-on-week rises by category and township (from ``daily_rollup``, the same cohort), the week's
emerging hotspots with their township names and the mediation table of the week's month.
No reporter name or phone is ever selected.
"""
from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from store import hotspots as hs
from store import metrics as m
from store import wall_reads as wr
from store.db import ReadStore
from store.freshness import data_start
from store.settings import Settings

_US_PER_H = 3_600_000_000.0
# ISO 8601's extended (2026-W36) and basic (2026W36) forms; a one-digit week (2026-W5) is
# read as the week it can only mean
WEEK_RE = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)

# A grid with fewer cohort events than this is not called "worst": one late case in two is
# noise, not a verdict (the wall marks such grids 样本少).
MIN_GRID_EVENTS = 5


# --- the week ----------------------------------------------------------------------------

def parse_week(text: str) -> tuple[dt.date, dt.date]:
    """'2026-W36' → (Monday, next Monday): the half-open window ``[start, end)`` of that ISO week."""
    match = WEEK_RE.match((text or "").strip())
    if not match:
        raise m.MetricsError(f"bad week {text!r}: use an ISO week like 2026-W36")
    year, week = int(match.group(1)), int(match.group(2))
    if year < 1:
        raise m.MetricsError(f"bad week {text!r}: use an ISO week like 2026-W36")
    weeks = dt.date(year, 12, 28).isocalendar()[1]      # 28 December is in the year's last week
    if not 1 <= week <= weeks:
        raise m.MetricsError(f"bad week {text!r}: {year} has ISO weeks W01 to W{weeks}")
    start = dt.date.fromisocalendar(year, week, 1)
    return start, start + dt.timedelta(days=7)


def week_name(start: dt.date) -> str:
    """Monday → '2026-W36'."""
    year, week, _ = start.isocalendar()
    return f"{year}-W{week:02d}"


def last_complete_week(today: dt.date) -> str:
    """The last ISO week that ended before ``today`` (on a Monday: the week just ended)."""
    monday = today - dt.timedelta(days=today.weekday())
    return week_name(monday - dt.timedelta(days=7))


def default_week(store: ReadStore, settings: Settings,
                 given: dt.datetime | None = None) -> str:
    """The week a briefing is of when none is named: the last complete ISO week before the
    data's as_of (``metrics.resolve_as_of``, as the wall reads it). A county whose feed is
    live (as_of now) gets the week before today; the demo, a database read as of its newest
    report, or a pinned as_of gets the last week it has figures for, not an empty week."""
    return last_complete_week(m.resolve_as_of(store, settings, given).date())


def week_end_as_of(end: dt.date) -> dt.datetime:
    """as_of of a week's briefing by default: the next Monday 00:00 (the week as it ended)."""
    return dt.datetime.combine(end, dt.time())


def data_span(store: ReadStore, settings: Settings) -> tuple[dt.date | None, dt.datetime | None]:
    """(the first day with a report, the moment the data describes): what a week can be
    compared on. The moment is the data's own as_of (metrics.resolve_as_of without a given
    one): now for a live store, the pinned moment for a pinned one (the demo's newest
    report). A week that ends after it is still running, by the data's own clock.

    A live feed that went quiet is not taken for a week cut short: a small county's Sunday
    night, or a synthetic county with events on three days of the week, would lose every
    comparison on a guess; the wall's 数据已N小时未更新 says when a feed stopped. (None, None)
    for an empty store."""
    first = data_start(store, settings)
    if m.newest_report(store) is None:
        return first, None
    return first, m.resolve_as_of(store, settings, None)


def previous_period(start: dt.date, end: dt.date,
                    as_of: dt.datetime) -> tuple[dt.date, dt.date, dt.datetime]:
    """metrics.md's previous period (store.metrics.shift_period 'previous'): window and as_of
    shifted back by the window's length, so a week meets the week before as it stood then."""
    return m.shift_period(start, end, as_of, "previous")


# --- is there anything to report? ------------------------------------------------------

def events_in_window(store: ReadStore, settings: Settings, start: dt.date, end: dt.date,
                     scope: m.Scope = m.Scope()) -> int:
    """Events (valid or not) in scope reported in ``[start, end)``: 0 means no briefing."""
    where, params = scope.where()
    return int(store.scalar(
        f"SELECT count(*) FROM events WHERE reported_at >= ? AND reported_at < ? AND {where}",
        [dt.datetime.combine(start, dt.time()), dt.datetime.combine(end, dt.time()), *params]))


# --- who is late --------------------------------------------------------------------------

_OVERDUE_KEYS = {
    "township": ("e.township_code", "coalesce(t.township_name, e.township_code, '未落图')"),
    "grid": ("e.grid_id", "coalesce(g.grid_name, e.grid_id, '未落图')"),
    "department": ("coalesce(e.department, '未指派')", "coalesce(e.department, '未指派')"),
}


def overdue_by(store: ReadStore, settings: Settings, as_of: dt.datetime, by: str,
               scope: m.Scope = m.Scope()) -> pd.DataFrame:
    """Red warnings (open and past their close limit at as_of) grouped ``by`` township, grid or
    department: ``code``, ``name``, ``red``, ``oldest_h`` (hours since the oldest was reported),
    ``worst_over_h`` (hours past its limit), most first; ties by name, then by code (grids
    of two townships often share a name: 第一网格), one order on every engine.

    The classification is exactly metrics.md's red (and store.metrics'): per-category close_h,
    durations in microseconds, so the rows add up to the ``red`` figure of the same scope.
    """
    if by not in _OVERDUE_KEYS:
        raise ValueError(f"bad overdue grouping {by!r}")
    key, name = _OVERDUE_KEYS[by]
    lim_sql, lim_params = m.limits_cte(settings)
    where, params = scope.where("e")
    sql = f"""
    WITH {lim_sql},
    red AS (
        SELECT {key} AS code, {name} AS name,
               date_diff('microsecond', e.reported_at, ?::TIMESTAMP) AS age_us,
               COALESCE(l.close_h * {_US_PER_H}, ?) AS clo_us
        FROM events e LEFT JOIN lim l ON l.category = e.category
        LEFT JOIN townships t ON t.township_code = e.township_code
        LEFT JOIN grids g ON g.grid_id = e.grid_id
        WHERE e.status IS DISTINCT FROM 'invalid' AND {where}
          AND e.reported_at <= ?::TIMESTAMP
          AND NOT (e.closed_at IS NOT NULL AND e.closed_at <= ?::TIMESTAMP))
    SELECT code, name, count(*) AS red, max(age_us) / {_US_PER_H} AS oldest_h,
           max(age_us - clo_us) / {_US_PER_H} AS worst_over_h
    FROM red WHERE age_us > clo_us
    GROUP BY code, name ORDER BY red DESC, oldest_h DESC, name, code
    """
    df = store.df(sql, [*lim_params, as_of, settings.limit("close_h") * _US_PER_H, *params,
                        as_of, as_of])
    df["red"] = df["red"].astype("int64")
    return df


# --- worst grids ----------------------------------------------------------------------------

def worst_grids(store: ReadStore, settings: Settings, start: dt.date, end: dt.date,
                as_of: dt.datetime, scope: m.Scope = m.Scope(), n: int | None = 10,
                min_events: int = MIN_GRID_EVENTS) -> pd.DataFrame:
    """Up to ``n`` grids that need attention (None: all of them), worst first, with township
    names.

    First the grids with at least ``min_events`` cohort events and a red or yellow card (the
    cards of the metrics ranking, thresholds in [cards]): red before yellow, then the lowest
    on-time rate, most red warnings, the lowest handling rate (the wall's worst-first order,
    store.wall_reads.worst_first, so a township's grids read alike on both).
    Then, if room is left, grids with too few events to judge their rates (``few`` True) but
    with red warnings at as_of, most first, carded on those warnings alone
    (store.wall_reads.rank_units). Columns of ``metrics_table`` plus ``rank``, ``card``,
    ``few``, ``pos`` and ``township_name``.
    """
    df = m.metrics_table(store, settings, start=start, end=end, as_of=as_of, scope=scope,
                         by="grid")
    ranked = wr.rank_units(df, settings, True, min_events, worst=False)
    judged = ranked[~ranked["few"] & (ranked["card"] != "green")].copy()
    judged["severity"] = judged["card"].map({"red": 0, "yellow": 1})
    judged = judged.sort_values(
        ["severity", "on_time_rate", "red", "handling_rate", "code"],
        ascending=[True, True, False, True, True], na_position="last", kind="mergesort"
    ).drop(columns="severity")
    late = ranked[ranked["few"] & (ranked["red"] > 0)].sort_values(
        ["red", "code"], ascending=[False, True], kind="mergesort")
    worst = pd.concat([judged, late]).iloc[:n]
    towns = store.df("SELECT g.grid_id AS code, t.township_name FROM grids g"
                     " LEFT JOIN townships t USING (township_code)")
    return worst.merge(towns, on="code", how="left").reset_index(drop=True)


# --- what rose and where ---------------------------------------------------------------------

def rises(store: ReadStore, settings: Settings, start: dt.date, end: dt.date,
          prev_start: dt.date, prev_end: dt.date, scope: m.Scope = m.Scope(),
          dim: str = "category", top: int | None = 6) -> pd.DataFrame:
    """Valid events reported per ``dim`` ('category' | 'township') this window and the previous
    one, the biggest rises first (rises only; the first ``top``, None: all): ``label``, ``now``, ``before``, ``change``,
    ``change_pct`` (None when before is 0), and for categories ``where`` / ``where_change``: the
    township (grid within a township scope) that added most to the rise.

    From ``daily_rollup``, whose ``reported`` is the metrics cohort counted by report day.
    """
    if dim not in ("category", "township"):
        raise ValueError(f"bad rise dimension {dim!r}")
    where, params = scope.where("r")
    place_col = "r.grid_id" if scope.level in ("township", "village") else "r.township_code"
    place_name = ("coalesce(g.grid_name, r.grid_id)" if place_col == "r.grid_id"
                  else "coalesce(t.township_name, r.township_code)")
    label = ("coalesce(r.category, '未注明')" if dim == "category"
             else "coalesce(t.township_name, r.township_code, '未落图')")
    df = store.df(
        f"""
        SELECT {label} AS label, {place_name} AS place,
               sum(r.reported) FILTER (WHERE r.day >= ? AND r.day < ?)::BIGINT AS now,
               sum(r.reported) FILTER (WHERE r.day >= ? AND r.day < ?)::BIGINT AS before
        FROM daily_rollup r LEFT JOIN townships t ON t.township_code = r.township_code
        LEFT JOIN grids g ON g.grid_id = r.grid_id
        WHERE r.day >= ? AND r.day < ? AND {where}
        GROUP BY ALL
        """,
        [start, end, prev_start, prev_end, min(start, prev_start), max(end, prev_end), *params])
    df[["now", "before"]] = df[["now", "before"]].fillna(0).astype("int64")
    df["change"] = df["now"] - df["before"]
    totals = df.groupby("label", as_index=False)[["now", "before", "change"]].sum()
    if dim == "category":
        best = (df.sort_values(["change", "place"], ascending=[False, True])
                  .drop_duplicates("label")[["label", "place", "change"]]
                  .rename(columns={"place": "where", "change": "where_change"}))
        totals = totals.merge(best, on="label", how="left")
    totals = totals[totals["change"] > 0]
    totals["change_pct"] = [None if b == 0 else c / b
                            for c, b in zip(totals["change"], totals["before"])]
    return totals.sort_values(["change", "now", "label"], ascending=[False, False, True]
                              ).iloc[:top].reset_index(drop=True)


# --- hotspots and mediation ------------------------------------------------------------------

def week_hotspots(store: ReadStore, settings: Settings, start: dt.date, end: dt.date,
                  scope: m.Scope = m.Scope()) -> pd.DataFrame:
    """The window's emerging hotspots (store.hotspots' rule, with ``township_name``), by p,
    with what the analysis page says of each: ``top_category``, ``top_share`` (which kind)
    and ``since`` (store.hotspots.profile)."""
    township = scope.code if scope.level == "township" else None
    return hs.emerging_hotspots(store, settings, start, end, township, profiled=True)


def week_mediation(store: ReadStore, settings: Settings, end: dt.date,
                   scope: m.Scope = m.Scope()) -> dict:
    """Mediation of the month the week ends in (its Sunday's month), as the wall shows it."""
    township = scope.code if scope.level == "township" else None
    last_day = end - dt.timedelta(days=1)
    return wr.mediation(store, settings, township, last_day.replace(day=1))
