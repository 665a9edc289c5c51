"""The metric definitions of docs/metrics.md, in one place, as DuckDB SQL.

Every figure on the wall, the API and (later) the briefing comes from :func:`metrics_table`,
so "办结率" means the same thing everywhere. Names (API key → zh label):

reported 上报数            valid events with start <= reported_at < end (the *cohort*)
closed 办结数              cohort events with closed_at <= as_of
handling_rate 办结率        closed / reported
due 应办结数               closed + cohort events still open at as_of with
                           as_of - reported_at > close_h (overdue: due and missed)
dispatched, accepted, rated, with_level  the other rates' denominators (below), so a
                           screen can tell a rate of 1 case from one of 1,000
on_time_rate 按期办结率     closed with closed_at - reported_at <= close_h / due
on_time_of_closed_rate 按期办结率(已办结口径)  the same numerator / closed (the old figure,
                           which an overdue open case never enters)
timely_dispatch_rate 及时流转率  dispatched_at <= as_of and dispatched_at - reported_at <= dispatch_h
                           / cohort events with dispatched_at <= as_of
timely_accept_rate 及时受理率    the same with accepted_at and accept_h
satisfaction_rate 满意率    closed rated satisfied|basically_satisfied / closed with any rating
resolved_at_source_rate 源头化解率  closed with level grid|village / closed with a level
median_hours_to_close 办结时长(中位数)  median (closed_at - reported_at) in hours over closed
                           (an even count takes the mean of the two middle values)
invalid 无效事件           invalid events in scope reported in the window
open_backlog 在办积压      valid, reported_at <= as_of, not closed as of as_of (no window)
yellow 黄线提醒            open and warn_fraction*close_h <= as_of - reported_at <= close_h
red 红线示警               open and as_of - reported_at > close_h
flagged 挂牌督办           open and supervised, or (if limits.flag_red_multiple > 0) open and
                           older than flag_red_multiple*close_h
cameras / cameras_online   cameras in scope / of them online at as_of: status online and
                           last_seen_at (if known) not older than camera_offline_after_h

Choices this project made where metrics.md leaves room (documented in docs/metrics.md):
* Durations are compared exactly, in microseconds, against limit_hours * 3600e6.
* Limits are per category (settings [limits.category."<name>"]), else the defaults.
* A rate whose denominator is 0 is None (shown as —), never 0 or 1.
* The window is given as dates [start, end) in local time; default: the ``window_days``
  days ending with as_of's day (end = the day after as_of).
* as_of default: settings ``as_of`` if set, else the database's meta ``as_of_mode``
  ('newest_report' for the demo), else now (local time, to the minute).
"""
from __future__ import annotations

import bisect
import datetime as dt
import re
import time
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from store.metric_facts import (median_hours, metric_facts, old_close_times, old_sums,
                                recent_counts)
from store.db import ReadStore
from store.settings import Settings

RATE_KEYS = (
    "handling_rate",
    "on_time_rate",
    "on_time_of_closed_rate",
    "timely_dispatch_rate",
    "timely_accept_rate",
    "satisfaction_rate",
    "resolved_at_source_rate",
)
COUNT_KEYS = ("reported", "closed", "due", "dispatched", "accepted", "rated", "with_level",
              "open_backlog", "yellow", "red", "flagged", "invalid")
METRIC_KEYS = (
    "reported", "closed", "due", "dispatched", "accepted", "rated", "with_level", *RATE_KEYS, "median_hours_to_close", "open_backlog", "yellow",
    "red", "flagged", "invalid", "cameras", "cameras_online",
)
LABELS_ZH = {
    "reported": "上报数", "closed": "办结数", "handling_rate": "办结率",
    "due": "应办结数", "dispatched": "已流转数", "accepted": "已受理数", "rated": "已评价数",
    "with_level": "有处置层级数", "on_time_rate": "按期办结率",
    "on_time_of_closed_rate": "按期办结率(已办结口径)", "timely_dispatch_rate": "及时流转率",
    "timely_accept_rate": "及时受理率", "satisfaction_rate": "满意率",
    "resolved_at_source_rate": "源头化解率", "median_hours_to_close": "办结时长中位数",
    "open_backlog": "在办积压", "yellow": "黄线提醒", "red": "红线示警", "flagged": "挂牌督办",
    "invalid": "无效事件", "cameras": "视频点位", "cameras_online": "在线点位",
}

LEVEL_COLUMNS = {"township": "township_code", "village": "village_code", "grid": "grid_id"}


class MetricsError(ValueError):
    """A bad scope, window or as_of; the API answers 400 with this message."""


@dataclass(frozen=True)
class Scope:
    """county, or one township / village / grid identified by its code (or grid id)."""

    level: str = "county"
    code: str | None = None

    @property
    def key(self) -> str:
        return "county" if self.level == "county" else f"{self.level}:{self.code}"

    def where(self, alias: str = "") -> tuple[str, list]:
        """SQL condition (and its parameters) selecting rows of this scope."""
        if self.level == "county":
            return "TRUE", []
        col = (alias + "." if alias else "") + LEVEL_COLUMNS[self.level]
        return f"{col} = ?", [self.code]


def parse_scope(store: ReadStore, text: str | None) -> Scope:
    """``county`` | ``township:<code or name>`` | ``village:<code or name>`` | ``grid:<id>``."""
    text = (text or "county").strip()
    if text == "county":
        return Scope()
    level, sep, ident = text.partition(":")
    ident = ident.strip()
    if not sep or level not in LEVEL_COLUMNS or not ident:
        raise MetricsError(
            f"bad scope {text!r}: use county, township:<code|name>, village:<code|name> or grid:<id>"
        )
    if level == "township":
        rows = store.rows(
            "SELECT township_code FROM townships WHERE township_code = ? OR township_name = ?"
            " ORDER BY township_code = ? DESC", [ident, ident, ident])
    elif level == "village":
        rows = store.rows(
            "SELECT village_code FROM villages WHERE village_code = ? OR village_name = ?"
            " ORDER BY village_code = ? DESC", [ident, ident, ident])
    else:
        rows = store.rows("SELECT grid_id FROM grids WHERE grid_id = ?", [ident])
    if not rows:
        raise MetricsError(f"unknown {level} {ident!r}")
    return Scope(level, rows[0][0])


# --- time -------------------------------------------------------------------------------

def parse_as_of(text: str | None, settings: Settings) -> dt.datetime | None:
    """An ISO timestamp or date; one with an offset is converted to local time (naive)."""
    if text is None or text == "":
        return None
    try:
        value = dt.datetime.fromisoformat(text.strip().replace(" ", "T", 1))
    except ValueError as exc:
        raise MetricsError(f"bad as_of {text!r}: use an ISO timestamp like 2025-06-30T18:00") from exc
    _check_year(value, "as_of", text)
    if value.tzinfo is not None:
        value = value.astimezone(ZoneInfo(settings.timezone)).replace(tzinfo=None)
    return value


def parse_date(text: str | None, name: str) -> dt.date | None:
    if text is None or text == "":
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
        raise MetricsError(f"bad {name} {text!r}: use YYYY-MM-DD")
    try:
        value = dt.date.fromisoformat(text.strip())
    except ValueError as exc:
        raise MetricsError(f"bad {name} {text!r}: {exc}") from exc
    _check_year(value, name, text)
    return value


# Dates a request may name. Windows, previous periods and hotspot baselines are shifted by
# the window's length: years near 1 or 9999 overflowed Python's calendar (HTTP 500).
YEAR_MIN, YEAR_MAX = 1900, 2999


def _check_year(value, name: str, text: str) -> None:
    if not YEAR_MIN <= value.year <= YEAR_MAX:
        raise MetricsError(f"bad {name} {text!r}: the year must be between {YEAR_MIN} and {YEAR_MAX}")


def newest_report(store: ReadStore) -> dt.datetime | None:
    return store.scalar("SELECT max(reported_at) FROM events")


def resolve_as_of(store: ReadStore, settings: Settings, given: dt.datetime | None = None,
                  at: float | None = None) -> dt.datetime:
    """as_of for a request: given, else the settings' pin, else the database's mode, else now.

    ``at`` (a ``time.time()`` instant, default now): the clock that 'now' reads, so the wall
    can render the next minute's views before the minute turns."""
    if given is not None:
        return given
    mode = settings.raw.get("as_of") or store.meta().get("as_of_mode") or "now"
    if mode == "newest_report":
        newest = newest_report(store)
        if newest is not None:
            return newest
        mode = "now"
    if mode == "now":
        # to the minute: every view within a minute shares its cached figures
        return dt.datetime.fromtimestamp(time.time() if at is None else at,
                                         ZoneInfo(settings.timezone)).replace(
            tzinfo=None, second=0, microsecond=0)
    return parse_as_of(mode, settings)


def default_window(as_of: dt.datetime, days: int) -> tuple[dt.date, dt.date]:
    """The ``days`` calendar days ending with as_of's day: [as_of.date-days+1, as_of.date+1)."""
    end = as_of.date() + dt.timedelta(days=1)
    return end - dt.timedelta(days=days), end


COMPARES = ("previous", "year")


def _year_back(value):
    """The same calendar date (and time) one year earlier; Feb 29 becomes Feb 28."""
    if value.month == 2 and value.day == 29:
        value = value.replace(day=28)
    return value.replace(year=value.year - 1)


def shift_period(start: dt.date, end: dt.date, as_of: dt.datetime,
                 compare: str) -> tuple[dt.date, dt.date, dt.datetime]:
    """The view one period earlier (metrics.md, 环比/同比): ``(start, end, as_of)`` shifted.

    'previous': window and as_of back by the window's own length L = end - start, so a week
    is compared with the week before *as it stood a week ago*. 'year': all three back one
    calendar year (Feb 29 → Feb 28).
    """
    if compare == "previous":
        length = end - start
        return start - length, end - length, as_of - length
    if compare == "year":
        s, e = _year_back(start), _year_back(end)
        return s, max(e, s + dt.timedelta(days=1)), _year_back(as_of)
    raise MetricsError(f"bad compare {compare!r}: use previous or year")


# --- the SQL -----------------------------------------------------------------------------

def limits_cte(settings: Settings) -> tuple[str, list]:
    rows = settings.category_limits()
    if not rows:
        return ("lim AS (SELECT NULL::VARCHAR AS category, NULL::DOUBLE AS accept_h,"
                " NULL::DOUBLE AS dispatch_h, NULL::DOUBLE AS close_h WHERE FALSE)"), []
    values = ", ".join("(?, ?::DOUBLE, ?::DOUBLE, ?::DOUBLE)" for _ in rows)
    params = [v for row in rows for v in row]
    return f"lim(category, accept_h, dispatch_h, close_h) AS (VALUES {values})", params


_US_PER_H = 3_600_000_000.0


def camera_status_at(settings: Settings, as_of: dt.datetime, alias: str = "c") -> tuple[str, list]:
    """SQL for a camera's status at as_of (and its parameters): 'online' | 'offline' | 'unknown'.

    The stored status, except that an online camera whose ``last_seen_at`` is more than
    ``camera_offline_after_h`` hours before as_of is 'offline' (docs/metrics.md, Cameras).
    Map layers and lists use it so a camera shows as the counts count it.
    """
    a = alias + "." if alias else ""
    sql = (f"(CASE WHEN {a}status = 'online' AND {a}last_seen_at IS NOT NULL"
           f" AND date_diff('microsecond', {a}last_seen_at, ?::TIMESTAMP) > ?"
           f" THEN 'offline' ELSE {a}status END)")
    return sql, [as_of, settings.camera_offline_after_h * _US_PER_H]


def _closing_days(store: ReadStore) -> tuple[list, list, dt.datetime | None]:
    """Per closing day of valid events, the earliest report among the events closed on that
    day or later (suffix minima), and the earliest report of events never closed; one scan
    per published version."""
    rows = store.rows(
        "SELECT closed_at::DATE AS day, min(reported_at) FROM events"
        " WHERE status IS DISTINCT FROM 'invalid' GROUP BY 1 ORDER BY 1 NULLS LAST")
    never = rows[-1][1] if rows and rows[-1][0] is None else None
    days = [r for r in rows if r[0] is not None]
    suffix, low = [], None
    for _day, first in reversed(days):
        low = first if low is None or first < low else low
        suffix.append(low)
    return [d for d, _ in days], suffix[::-1], never


def prepare(store, settings: Settings) -> None:
    """Build the version's facts that /api/metrics reads from memory (the closing days and
    store/metric_facts.py), so no request waits for their scans: the served
    app calls this in the background after each publish (dashboard/facts_warmer.py)."""
    memo = getattr(store, "memo", None)
    if memo is None:
        return
    memo("closing_days", lambda: _closing_days(store))
    metric_facts(store, settings)


def backlog_floor(store: ReadStore, as_of: dt.datetime) -> dt.datetime:
    """No event open at as_of was reported before this moment: an open event is unclosed or
    closed on as_of's day or later, and each closing day's earliest report is known. A
    predicate DuckDB can prune with (events are sorted by reported_at), so the backlog does
    not scan every row; it selects exactly the same events. ``datetime.min`` for a store
    that keeps no memo."""
    memo = getattr(store, "memo", None)
    if memo is None:
        return dt.datetime.min
    days, suffix, never = memo("closing_days", lambda: _closing_days(store))
    i = bisect.bisect_left(days, as_of.date())
    candidates = [v for v in (suffix[i] if i < len(suffix) else None, never) if v is not None]
    return min(candidates) if candidates else dt.datetime.max


def metrics_table(
    store: ReadStore,
    settings: Settings,
    *,
    start: dt.date,
    end: dt.date,
    as_of: dt.datetime,
    scope: Scope = Scope(),
    by: str | None = None,
) -> pd.DataFrame:
    """All event metrics for ``scope``, one row in total or one row per ``by`` unit.

    ``by`` is None, "township", "village" or "grid". With ``by``, every unit of that level
    inside the scope gets a row (zeros and None rates where it has no events), with its
    ``code`` and ``name``. Camera counts are included.

    The definitions are the SQL of :func:`_sql_frame`. The county and township views at a
    recent as_of are answered from the version's facts in memory (store/metric_facts.py,
    its numpy twin), the same figures without scanning the window.
    """
    if by is not None and by not in LEVEL_COLUMNS:
        raise MetricsError(f"bad grouping {by!r}")
    df = _memory_frame(store, settings, start, end, as_of, scope, by)
    if df is None:
        df = _sql_frame(store, settings, start, end, as_of, scope, by)
    df = _with_units(store, df, by, scope)
    return _finish(df)


def _sql_frame(store, settings, start, end, as_of, scope, by) -> pd.DataFrame:
    """The metrics as one DuckDB query over the events: the definitions of docs/metrics.md."""
    start_ts = dt.datetime.combine(start, dt.time())
    end_ts = dt.datetime.combine(end, dt.time())
    lim_sql, lim_params = limits_cte(settings)
    d_acc = settings.limit("accept_h") * _US_PER_H
    d_dis = settings.limit("dispatch_h") * _US_PER_H
    d_clo = settings.limit("close_h") * _US_PER_H
    warn = settings.warn_fraction
    flag_mult = float(settings.raw["limits"].get("flag_red_multiple") or 0)
    scope_sql, scope_params = scope.where("e")
    key = f"e.{LEVEL_COLUMNS[by]}" if by else "'all'"
    cams_sql, cams_params = _cameras_sql(settings, as_of, scope, by)

    # Two scans, each pruned by its own filter: the window's cohort (events are stored sorted
    # by reported_at, so DuckDB skips the blocks outside the window) and the events open at
    # as_of (the backlog, from the earliest report still open: backlog_floor); a single
    # OR-ed filter would scan every row.
    base = f"""
        SELECT {key} AS unit, e.reported_at, e.closed_at, e.accepted_at, e.dispatched_at,
               e.level, e.satisfaction, e.supervised,
               e.status IS NOT DISTINCT FROM 'invalid' AS is_invalid,
               COALESCE(l.accept_h * {_US_PER_H}, ?) AS acc_us,
               COALESCE(l.dispatch_h * {_US_PER_H}, ?) AS dis_us,
               COALESCE(l.close_h * {_US_PER_H}, ?) AS clo_us,
               e.closed_at IS NOT NULL AND e.closed_at <= ? AS closed_now,
               date_diff('microsecond', e.reported_at, e.closed_at) AS close_us,
               date_diff('microsecond', e.reported_at, ?::TIMESTAMP) AS age_us
        FROM events e LEFT JOIN lim l ON l.category = e.category
        WHERE {scope_sql}"""
    base_params = [d_acc, d_dis, d_clo, as_of, as_of, *scope_params]
    sql = f"""
    WITH {lim_sql},
    cohort AS ({base} AND e.reported_at >= ? AND e.reported_at < ?),
    open_now AS ({base} AND e.reported_at >= ? AND e.reported_at <= ?
                 AND (e.closed_at IS NULL OR e.closed_at > ?)
                 AND e.status IS DISTINCT FROM 'invalid'),
    agg AS (
        SELECT unit,
          count(*) FILTER (WHERE NOT is_invalid) AS reported,
          count(*) FILTER (WHERE NOT is_invalid AND closed_now) AS closed,
          count(*) FILTER (WHERE NOT is_invalid AND closed_now AND close_us <= clo_us) AS on_time,
          count(*) FILTER (WHERE NOT is_invalid AND (closed_now OR age_us > clo_us)) AS due,
          count(*) FILTER (WHERE NOT is_invalid AND dispatched_at <= ?::TIMESTAMP) AS dispatched,
          count(*) FILTER (WHERE NOT is_invalid AND dispatched_at <= ?::TIMESTAMP
                           AND date_diff('microsecond', reported_at, dispatched_at) <= dis_us)
                           AS dispatched_in_time,
          count(*) FILTER (WHERE NOT is_invalid AND accepted_at <= ?::TIMESTAMP) AS accepted,
          count(*) FILTER (WHERE NOT is_invalid AND accepted_at <= ?::TIMESTAMP
                           AND date_diff('microsecond', reported_at, accepted_at) <= acc_us)
                           AS accepted_in_time,
          count(*) FILTER (WHERE NOT is_invalid AND closed_now
                           AND satisfaction IS NOT NULL) AS rated,
          count(*) FILTER (WHERE NOT is_invalid AND closed_now
                           AND satisfaction IN ('satisfied', 'basically_satisfied')) AS satisfied,
          count(*) FILTER (WHERE NOT is_invalid AND closed_now AND level IS NOT NULL) AS with_level,
          count(*) FILTER (WHERE NOT is_invalid AND closed_now
                           AND level IN ('grid', 'village')) AS at_source,
          quantile_cont(close_us, 0.5) FILTER (WHERE NOT is_invalid AND closed_now)
                           / {_US_PER_H} AS median_hours_to_close,
          count(*) FILTER (WHERE is_invalid) AS invalid
        FROM cohort GROUP BY unit
    ),
    backlog AS (
        SELECT unit, count(*) AS open_backlog,
          count(*) FILTER (WHERE age_us > clo_us) AS red,
          count(*) FILTER (WHERE age_us >= ? * clo_us AND age_us <= clo_us) AS yellow,
          count(*) FILTER (WHERE supervised IS TRUE OR (? > 0 AND age_us > ? * clo_us)) AS flagged
        FROM open_now GROUP BY unit
    ),
    cams AS ({cams_sql})
    SELECT * FROM agg FULL OUTER JOIN backlog USING (unit) FULL OUTER JOIN cams USING (unit)
    """
    params = [*lim_params, *base_params, start_ts, end_ts, *base_params,
              backlog_floor(store, as_of), as_of, as_of,
              as_of, as_of, as_of, as_of, warn, flag_mult, flag_mult,
              *cams_params]
    return store.df(sql, params)


def _cameras_sql(settings, as_of, scope, by) -> tuple[str, list]:
    """Cameras in scope and of them online at as_of, per unit (both paths use it)."""
    key = f"c.{LEVEL_COLUMNS[by]}" if by else "'all'"
    scope_sql, scope_params = scope.where("c")
    status_sql, status_params = camera_status_at(settings, as_of, "c")
    return (f"SELECT {key} AS unit, count(*) AS cameras,"
            f" count(*) FILTER (WHERE {status_sql} = 'online') AS cameras_online"
            f" FROM cameras c WHERE {scope_sql} GROUP BY unit", [*status_params, *scope_params])


def _memory_frame(store, settings, start, end, as_of, scope, by) -> pd.DataFrame | None:
    """The same frame as :func:`_sql_frame` from the version's facts: old events summed per
    day, recent ones counted at as_of, cameras from a small query. None when the facts do
    not answer this view (a village or grid, an as_of older than the facts keep)."""
    if scope.level not in ("county", "township") or by not in (None, "township"):
        return None
    facts = metric_facts(store, settings)
    if facts is None or (facts.since is not None and as_of < facts.since):
        return None
    town = scope.code if scope.level == "township" else None
    by_town = by == "township"
    start_ts, end_ts = (dt.datetime.combine(d, dt.time()) for d in (start, end))
    warn = settings.warn_fraction
    flag_mult = float(settings.raw["limits"].get("flag_red_multiple") or 0)
    rows: dict = {}
    _add(rows, old_sums(facts, start, end, town, by_town))
    recent, recent_times = recent_counts(facts, as_of, start_ts, end_ts, town, by_town,
                                         warn, flag_mult)
    _add(rows, recent)
    cams_sql, cams_params = _cameras_sql(settings, as_of, scope, by)
    cams = store.rows(cams_sql, cams_params)
    _add(rows, {u: {"cameras": int(n), "cameras_online": int(k)} for u, n, k in cams})
    old_times = old_close_times(facts, start, end, town, by_town)
    for unit, row in rows.items():
        parts = [t for t in (old_times.get(unit), recent_times.get(unit)) if t is not None]
        row["median_hours_to_close"] = median_hours(np.concatenate(parts) if parts else _NO_TIMES)
    if not rows:
        return pd.DataFrame({"unit": pd.Series([], dtype=object)})
    return pd.DataFrame(list(rows.values()))


_NO_TIMES = np.empty(0, dtype="int64")


def _add(rows: dict, more: dict) -> None:
    """Add ``more``'s counts ({unit: {column: n}}) into ``rows`` unit by unit."""
    for unit, counts in more.items():
        row = rows.setdefault(unit, {"unit": unit})
        for col, n in counts.items():
            row[col] = row.get(col, 0) + n


def _with_units(store: ReadStore, df: pd.DataFrame, by: str | None, scope: Scope) -> pd.DataFrame:
    if by is None:
        if df.empty:
            df = pd.DataFrame({"unit": ["all"]})
        return df.groupby(lambda _: 0).first() if len(df) > 1 else df
    scope_sql, scope_params = scope.where("g")
    if by == "township":
        units = store.df(
            "SELECT township_code AS code, township_name AS name FROM townships g"
            f" WHERE {scope_sql} ORDER BY code", scope_params)
    elif by == "village":
        units = store.df(
            "SELECT village_code AS code, village_name AS name FROM villages g"
            f" WHERE {scope_sql} ORDER BY code", scope_params)
    else:
        units = store.df(
            "SELECT grid_id AS code, grid_name AS name FROM grids g"
            f" WHERE {scope_sql} ORDER BY code", scope_params)
    return units.merge(df.rename(columns={"unit": "code"}), on="code", how="left")


COUNTS = ("reported", "closed", "due", "on_time", "dispatched", "dispatched_in_time", "accepted",
          "accepted_in_time", "rated", "satisfied", "with_level", "at_source", "invalid",
          "open_backlog", "red", "yellow", "flagged", "cameras", "cameras_online")
RATES = {"handling_rate": ("closed", "reported"), "on_time_rate": ("on_time", "due"),
         "on_time_of_closed_rate": ("on_time", "closed"),
         "timely_dispatch_rate": ("dispatched_in_time", "dispatched"),
         "timely_accept_rate": ("accepted_in_time", "accepted"),
         "satisfaction_rate": ("satisfied", "rated"),
         "resolved_at_source_rate": ("at_source", "with_level")}


def _finish(df: pd.DataFrame) -> pd.DataFrame:
    """Counts as int64 (0 where a unit has none), rates as float64 (NaN where the denominator
    is 0), the median as float64; built as arrays and put into one frame at the end."""
    n = len(df)
    out = {col: df[col].to_numpy() for col in df.columns
           if col not in COUNTS and col != "median_hours_to_close"}
    for col in COUNTS:
        out[col] = (df[col].to_numpy(dtype="float64", na_value=0.0).astype("int64")
                    if col in df else np.zeros(n, dtype="int64"))
    for rate, (top, bottom) in RATES.items():
        den = out[bottom].astype("float64")
        out[rate] = np.divide(out[top], den, out=np.full(n, np.nan), where=den > 0)
    out["median_hours_to_close"] = (
        df["median_hours_to_close"].to_numpy(dtype="float64", na_value=np.nan)
        if "median_hours_to_close" in df else np.full(n, np.nan))
    return pd.DataFrame(out, index=df.index)


def _plain(value):
    if value is None or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


def metrics(
    store: ReadStore,
    settings: Settings,
    *,
    scope: Scope = Scope(),
    start: dt.date | None = None,
    end: dt.date | None = None,
    as_of: dt.datetime | None = None,
    compare: str | None = None,
) -> dict:
    """The /api/metrics payload for one scope: every key of METRIC_KEYS plus the window.

    ``compare`` ('previous' | 'year') adds the same payload for the shifted view under that
    key (see :func:`shift_period`), computed at the shifted as_of.
    """
    if compare is not None and compare not in COMPARES:
        raise MetricsError(f"bad compare {compare!r}: use previous or year")
    as_of = resolve_as_of(store, settings, as_of)
    d_start, d_end = default_window(as_of, int(settings.raw["wall"]["window_days"]))
    start = start or (d_start if end is None else end - dt.timedelta(
        days=int(settings.raw["wall"]["window_days"])))
    end = end or (d_end if start is None else max(d_end, start + dt.timedelta(days=1)))
    if end <= start:
        raise MetricsError(f"end {end} must be after start {start}")
    row = metrics_table(store, settings, start=start, end=end, as_of=as_of, scope=scope).iloc[0]
    out = payload(row, scope, start, end, as_of)
    if compare is not None:
        p_start, p_end, p_as_of = shift_period(start, end, as_of, compare)
        out[compare] = metrics(store, settings, scope=scope, start=p_start, end=p_end,
                               as_of=p_as_of)
    return out


def payload(row, scope: Scope, start: dt.date, end: dt.date, as_of: dt.datetime) -> dict:
    """The /api/metrics payload of ``scope`` from its :func:`metrics_table` row (a row of a
    table by township is a township's own: the wall cuts every township's from one)."""
    out = {"scope": scope.key, "start": start.isoformat(), "end": end.isoformat(),
           "as_of": as_of.isoformat(sep="T")}
    for key in METRIC_KEYS:
        out[key] = _plain(row[key])
    return out


# --- ranking and cards (亮牌) --------------------------------------------------------------

from store.vocab import CARD_ZH  # noqa: E402,F401 - re-exported for the screens


def card(row, settings: Settings) -> str:
    """'red' | 'yellow' | 'green' for a unit's metrics row (metrics.md, thresholds in [cards])."""
    c = settings.raw["cards"]
    on_time = row["on_time_rate"]
    on_time = None if on_time is None or on_time != on_time else float(on_time)
    red = int(row["red"])
    if red > int(c["red_card_overdue"]) or (on_time is not None and on_time < float(c["red_below"])):
        return "red"
    if red > 0 or (on_time is not None and on_time < float(c["yellow_below"])):
        return "yellow"
    return "green"


def card_on_red(red, settings: Settings) -> str:
    """The card of a unit whose rates are not judged (too few events, 样本少): from its red
    warnings alone, so one late case in one event does not read 红牌 by its 0 %."""
    return card({"on_time_rate": None, "red": red}, settings)


def rank(df: pd.DataFrame, settings: Settings, min_events: int = 0) -> pd.DataFrame:
    """Units ranked by on-time closure rate, then handling rate (no data last), with cards.

    Adds ``rank`` (1 = best), ``card`` and ``few``: a unit with fewer than ``min_events``
    cohort events (样本少, [wall] ranking_min_events) has rates too thin to judge, so it is
    carded on its red warnings alone (:func:`card_on_red`) and ranked after every unit with
    enough events, those with red warnings first, most first, then by code (no rate orders
    them): one township's 1 case closed on time was 第1名 and 绿牌 above townships of
    hundreds. Ties keep code order so the ranking is stable, one order on every engine.
    """
    few = (df["reported"].astype("int64") < int(min_events) if int(min_events) > 0
           else pd.Series(False, index=df.index))
    out = df.assign(few=few.to_numpy(),
                    _ot=df["on_time_rate"].astype("float64").where(~few),
                    _hr=df["handling_rate"].astype("float64").where(~few),
                    _red=df["red"].astype("int64").where(few, 0))
    out = out.sort_values(
        ["few", "_ot", "_hr", "_red", "code"], ascending=[True, False, False, False, True],
        na_position="last", kind="mergesort").drop(columns=["_ot", "_hr", "_red"])
    out = out.reset_index(drop=True)
    out["rank"] = range(1, len(out) + 1)
    rows = out[["on_time_rate", "red"]].to_dict("records")     # not iterrows: a Series a row
    out["card"] = [card_on_red(r["red"], settings) if f else card(r, settings)
                   for r, f in zip(rows, out["few"].to_numpy())]
    return out
