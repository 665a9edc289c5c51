"""The cases that can be open at any recent as_of, kept in memory per published version.

The backlog figures (在办积压, red, yellow, flagged, and the open-and-overdue part of 应办结数)
are about the cases open at as_of: valid, reported by as_of, not closed by as_of. For any
as_of on or after ``since`` (30 days before the newest timestamp of the version), such a
case is one never closed or closed on or after ``since``: a few thousand rows at county
scale, ~10⁵ at city scale. Keeping those rows (report time, closing time, close limit,
supervised flag, township) lets /api/metrics count the backlog in numpy instead of scanning
two months of events. Older as_of (a past period, 环比) falls back to the SQL scan.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from store.settings import Settings

KEEP_DAYS = 30
_US_PER_H = 3_600_000_000.0
_NEVER = np.iinfo("int64").max


@dataclass(frozen=True)
class OpenCases:
    since: dt.datetime | None   # valid for as_of >= since (None: nothing kept)
    reported: np.ndarray        # int64 µs since the epoch
    closed: np.ndarray          # int64 µs since the epoch; _NEVER when never closed
    clo_us: np.ndarray          # float64: the case's close limit in µs
    supervised: np.ndarray      # bool
    township: np.ndarray        # object: township_code


def build(store, settings: Settings) -> OpenCases:
    from store.metrics import limits_cte     # the same limits as the metrics query

    newest = store.scalar(
        "SELECT max(greatest(reported_at, COALESCE(closed_at, reported_at))) FROM events")
    if newest is None:
        empty = np.empty(0, dtype="int64")
        return OpenCases(None, empty, empty, empty.astype("float64"), empty.astype(bool),
                         empty.astype(object))
    since = newest - dt.timedelta(days=KEEP_DAYS)
    lim_sql, lim_params = limits_cte(settings)
    df = store.df(
        f"""WITH {lim_sql}
        SELECT e.township_code AS township,
               e.reported_at AS reported, e.closed_at AS closed,
               COALESCE(l.close_h * {_US_PER_H}, ?) AS clo_us,
               COALESCE(e.supervised, FALSE) AS supervised
        FROM events e LEFT JOIN lim l ON l.category = e.category
        WHERE e.status IS DISTINCT FROM 'invalid'
          AND (e.closed_at IS NULL OR e.closed_at >= ?)""",
        [*lim_params, settings.limit("close_h") * _US_PER_H, since])
    return OpenCases(
        since, _epoch_us(df["reported"]), _epoch_us(df["closed"]),
        df["clo_us"].to_numpy(dtype="float64"), df["supervised"].to_numpy(dtype=bool),
        df["township"].to_numpy(dtype=object))


def _epoch_us(col: pd.Series) -> np.ndarray:
    """Timestamps as µs since the epoch (int64, exact); no timestamp (never closed) is
    _NEVER, later than any as_of."""
    t = pd.to_datetime(col)
    out = t.to_numpy(dtype="datetime64[us]").astype("int64")
    out[t.isna().to_numpy()] = _NEVER
    return out


def open_cases(store, settings: Settings) -> OpenCases | None:
    memo = getattr(store, "memo", None)
    if memo is None:
        return None
    from store.cohort_days import limits_key

    return memo(("open_cases", limits_key(settings)), lambda: build(store, settings))


def _us(t: dt.datetime) -> int:
    return (t - dt.datetime(1970, 1, 1)) // dt.timedelta(microseconds=1)


def backlog(oc: OpenCases, as_of: dt.datetime, settled_from: dt.datetime,
            settled_until: dt.datetime, township: str | None, by_township: bool,
            warn: float, flag_mult: float) -> dict:
    """The backlog CTE of store.metrics, from memory: {unit: {open_backlog, red, yellow,
    flagged, due_open_settled}} (the last: open past the limit and reported in
    [settled_from, settled_until)); unit 'all' or each township code. Only for
    as_of >= oc.since."""
    at = _us(as_of)
    keep = (oc.reported <= at) & (oc.closed > at)
    if township is not None:
        keep &= oc.township == township
    rep, clo = oc.reported[keep], oc.clo_us[keep]
    age = (at - rep).astype("float64")
    cols = {
        "open_backlog": np.ones(len(rep), dtype=bool),
        "red": age > clo,
        "due_open_settled": (rep >= _us(settled_from)) & (rep < _us(settled_until)) & (age > clo),
        "yellow": (age >= warn * clo) & (age <= clo),
        "flagged": oc.supervised[keep] | ((flag_mult > 0) & (age > flag_mult * clo)),
    }
    if not by_township:
        return {"all": {k: int(v.sum()) for k, v in cols.items()}}
    towns = oc.township[keep]
    known = pd.notna(towns)
    units, inverse = np.unique(towns[known].astype(str), return_inverse=True)
    sums = {k: np.bincount(inverse, weights=v[known], minlength=len(units)).astype("int64")
            for k, v in cols.items()}
    return {u: {k: int(sums[k][i]) for k in cols} for i, u in enumerate(units)}
