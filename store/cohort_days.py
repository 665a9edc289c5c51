"""Settled cohort counts per report day and township, so /api/metrics need not scan the window.

Most cohort figures (closed, on time, dispatched in time, satisfied, …) depend on as_of only
through ``closed_at <= as_of`` and the like. Once as_of is past every timestamp of a report
day (its *horizon*: the latest of reported_at, accepted_at, dispatched_at and closed_at over
that day's events), those predicates are plain ``IS NOT NULL`` and the day's counts never
change again for that version. For the usual request (as_of = the newest report or now, so
every day but possibly the last few is settled) the window's counts are sums over a few
hundred small rows instead of a scan of every event in the window; the days from the first
unsettled one on are scanned as before (:func:`store.metrics.metrics_table`). The part of
``due`` that still moves with as_of (open and past the limit) and the median come from the
events themselves.

Kept per published version and per limit set (the counts use the category limits), built by
one GROUP BY over all events the first time it is needed. Only for the county and township
scopes (one row per day and township stays small at any size; villages and grids are
scanned).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from store.settings import Settings

# counts summed over settled days; `closed` also enters `due` (a closed case is due)
SETTLED_COUNTS = ("reported", "closed", "on_time", "dispatched", "dispatched_in_time",
                  "accepted", "accepted_in_time", "rated", "satisfied", "with_level",
                  "at_source", "invalid")

_US_PER_H = 3_600_000_000.0


@dataclass(frozen=True)
class CohortDays:
    day: np.ndarray          # datetime64[D], sorted, one entry per (day, township)
    township: np.ndarray     # township_code (object)
    counts: pd.DataFrame     # SETTLED_COUNTS, aligned with day/township
    horizon_day: np.ndarray  # the distinct days, sorted
    horizon: np.ndarray      # datetime64[us]: each day's horizon
    close_us: np.ndarray     # int64: every closed valid case's time to close, grouped like day
    close_at: np.ndarray     # offsets into close_us: row i's cases are [close_at[i], close_at[i+1])


def build_sql(settings: Settings) -> tuple[str, list]:
    """One scan of all events: counts as they stand once as_of is past the day's horizon."""
    from store.metrics import limits_cte     # the same limits as the metrics query

    lim_sql, lim_params = limits_cte(settings)
    d_acc = settings.limit("accept_h") * _US_PER_H
    d_dis = settings.limit("dispatch_h") * _US_PER_H
    d_clo = settings.limit("close_h") * _US_PER_H
    sql = f"""
    WITH {lim_sql},
    e AS (
        SELECT e.reported_at::DATE AS day, e.township_code AS township,
               e.status IS NOT DISTINCT FROM 'invalid' AS is_invalid,
               e.closed_at, e.accepted_at, e.dispatched_at, e.level, e.satisfaction,
               date_diff('microsecond', e.reported_at, e.closed_at) AS close_us,
               date_diff('microsecond', e.reported_at, e.dispatched_at) AS dispatch_us,
               date_diff('microsecond', e.reported_at, e.accepted_at) AS accept_us,
               COALESCE(l.accept_h * {_US_PER_H}, ?) AS acc_us,
               COALESCE(l.dispatch_h * {_US_PER_H}, ?) AS dis_us,
               COALESCE(l.close_h * {_US_PER_H}, ?) AS clo_us,
               greatest(e.reported_at, COALESCE(e.closed_at, e.reported_at),
                        COALESCE(e.accepted_at, e.reported_at),
                        COALESCE(e.dispatched_at, e.reported_at)) AS last_at
        FROM events e LEFT JOIN lim l ON l.category = e.category
    )
    SELECT day, township,
      count(*) FILTER (WHERE NOT is_invalid) AS reported,
      count(*) FILTER (WHERE NOT is_invalid AND closed_at IS NOT NULL) AS closed,
      count(*) FILTER (WHERE NOT is_invalid AND close_us <= clo_us) AS on_time,
      count(*) FILTER (WHERE NOT is_invalid AND dispatched_at IS NOT NULL) AS dispatched,
      count(*) FILTER (WHERE NOT is_invalid AND dispatch_us <= dis_us) AS dispatched_in_time,
      count(*) FILTER (WHERE NOT is_invalid AND accepted_at IS NOT NULL) AS accepted,
      count(*) FILTER (WHERE NOT is_invalid AND accept_us <= acc_us) AS accepted_in_time,
      count(*) FILTER (WHERE NOT is_invalid AND closed_at IS NOT NULL
                       AND satisfaction IS NOT NULL) AS rated,
      count(*) FILTER (WHERE NOT is_invalid AND closed_at IS NOT NULL
                       AND satisfaction IN ('satisfied', 'basically_satisfied')) AS satisfied,
      count(*) FILTER (WHERE NOT is_invalid AND closed_at IS NOT NULL
                       AND level IS NOT NULL) AS with_level,
      count(*) FILTER (WHERE NOT is_invalid AND closed_at IS NOT NULL
                       AND level IN ('grid', 'village')) AS at_source,
      count(*) FILTER (WHERE is_invalid) AS invalid,
      max(last_at) AS last_at
    FROM e GROUP BY day, township ORDER BY day, township
    """
    return sql, [*lim_params, d_acc, d_dis, d_clo]


# the times to close of the closed valid cases, in the order of build_sql's rows: the median
# is exact (the mean of the two middle values), so it needs the values, not a sketch
CLOSE_SQL = """
    SELECT date_diff('microsecond', reported_at, closed_at) AS close_us FROM events
    WHERE status IS DISTINCT FROM 'invalid' AND closed_at IS NOT NULL
    ORDER BY reported_at::DATE, township_code"""


def build(store, settings: Settings) -> CohortDays:
    sql, params = build_sql(settings)
    df = store.df(sql, params)
    day = pd.to_datetime(df["day"]).to_numpy().astype("datetime64[D]")
    last = pd.to_datetime(df["last_at"]).to_numpy().astype("datetime64[us]")
    h_day, first = np.unique(day, return_index=True)
    horizon = np.maximum.reduceat(last, first) if len(last) else last
    counts = df[list(SETTLED_COUNTS)].fillna(0).astype("int64").reset_index(drop=True)
    close_us = store.df(CLOSE_SQL)["close_us"].to_numpy(dtype="int64")
    close_at = np.concatenate([[0], np.cumsum(counts["closed"].to_numpy())])
    if close_at[-1] != len(close_us):     # both scans read one version: never expected
        raise RuntimeError(f"cohort days: {close_at[-1]} closed cases counted,"
                           f" {len(close_us)} times to close read")
    return CohortDays(day, df["township"].to_numpy(dtype=object), counts, h_day, horizon,
                      close_us, close_at)


def limits_key(settings: Settings) -> tuple:
    return (tuple(settings.category_limits()), settings.limit("accept_h"),
            settings.limit("dispatch_h"), settings.limit("close_h"))


def cohort_days(store, settings: Settings) -> CohortDays | None:
    """The version's settled counts (built on first use), or None for a store without memo."""
    memo = getattr(store, "memo", None)
    if memo is None:
        return None
    return memo(("cohort_days", limits_key(settings)), lambda: build(store, settings))


def settled_until(cd: CohortDays, start: dt.date, end: dt.date, as_of: dt.datetime) -> dt.date:
    """The first day of [start, end) that is not settled at as_of (``end`` if all are): the
    days before it are summed from ``cd``, the days from it on are scanned."""
    lo = np.searchsorted(cd.horizon_day, np.datetime64(start, "D"))
    hi = np.searchsorted(cd.horizon_day, np.datetime64(end, "D"))
    moving = np.nonzero(cd.horizon[lo:hi] > np.datetime64(as_of, "us"))[0]
    return cd.horizon_day[lo + moving[0]].astype(dt.date) if len(moving) else end


def _rows(cd: CohortDays, start: dt.date, until: dt.date, township: str | None):
    lo = np.searchsorted(cd.day, np.datetime64(start, "D"))
    hi = np.searchsorted(cd.day, np.datetime64(until, "D"))
    rows = np.arange(lo, hi)
    if township is not None:
        rows = rows[cd.township[lo:hi] == township]
    return rows


def settled_sums(cd: CohortDays, start: dt.date, until: dt.date, township: str | None,
                 by_township: bool) -> dict:
    """SETTLED_COUNTS over the days [start, until): {unit: {count: int}} with unit 'all' or
    each township's code; only ``township`` if given. Numpy on a few hundred rows."""
    rows = _rows(cd, start, until, township)
    counts = cd.counts.to_numpy()[rows]
    if not by_township:
        return {"all": dict(zip(SETTLED_COUNTS, map(int, counts.sum(axis=0))))}
    towns = cd.township[rows]
    keep = pd.notna(towns)
    units, inverse = np.unique(towns[keep].astype(str), return_inverse=True)
    sums = np.zeros((len(units), counts.shape[1]), dtype="int64")
    np.add.at(sums, inverse, counts[keep])
    return {u: dict(zip(SETTLED_COUNTS, map(int, sums[i]))) for i, u in enumerate(units)}


def settled_close_times(cd: CohortDays, start: dt.date, until: dt.date,
                        township: str | None, by_township: bool) -> dict:
    """{unit: int64 array of times to close} of the settled days' closed valid cases."""
    rows = _rows(cd, start, until, township)
    if not by_township:
        if township is None and len(rows):
            return {"all": cd.close_us[cd.close_at[rows[0]]:cd.close_at[rows[-1] + 1]]}
        return {"all": _gather(cd, rows)}
    out = {}
    towns = cd.township[rows]
    for code in pd.unique(towns[pd.notna(towns)]):
        out[code] = _gather(cd, rows[towns == code])
    return out


def _gather(cd: CohortDays, rows: np.ndarray) -> np.ndarray:
    if not len(rows):
        return np.empty(0, dtype="int64")
    return np.concatenate([cd.close_us[cd.close_at[i]:cd.close_at[i + 1]] for i in rows])


def median_hours(values: np.ndarray) -> float | None:
    """quantile_cont(…, 0.5) in hours: the middle value, or the two middle values' mean taken
    as DuckDB interpolates (lo + (hi - lo) × 0.5)."""
    n = len(values)
    if n == 0:
        return None
    k = (n - 1) // 2
    part = np.partition(values, [k, k + 1] if n % 2 == 0 else k)
    lo = float(part[k])
    mid = lo if n % 2 else lo + (float(part[k + 1]) - lo) * 0.5
    return mid / _US_PER_H
