"""What /api/metrics reads from memory instead of scanning the window: facts per published version.

A county or township view's event figures (docs/metrics.md) depend on as_of only through
``closed_at <= as_of``, ``dispatched_at <= as_of``, ``accepted_at <= as_of`` and the age
``as_of - reported_at``. Split the events at ``since`` (KEEP_DAYS before the newest
timestamp of the version):

* an **old** event has every timestamp before ``since`` and is closed: for any as_of at or
  after ``since`` its contribution is fixed. Old events are kept as counts per report day and
  township (a few thousand rows at any size) and, for the exact median, their times to close;
* a **recent** event (a timestamp on or after ``since``, or never closed) is kept as a row:
  report, acceptance, dispatch and closing times, its limits and flags. At a given as_of its
  contribution is computed here, in numpy: :func:`recent_counts` is the twin of the cohort
  and backlog aggregates of ``store.metrics._sql_frame`` and must stay so
  (tests/store/test_metric_facts.py compares both on many views, boundaries included).

For as_of before ``since`` (a past period further back than KEEP_DAYS) the SQL answers.
At 10 M events: ~1 s to build in the background, ~10⁵ recent rows and the old times to close
(8 bytes per closed case) in memory.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from store.settings import Settings

# a 30-day window compared with the 30 days before it (环比) stays in memory, with 5 days to
# spare for a wall whose as_of lags the newest data
KEEP_DAYS = 35
_US_PER_H = 3_600_000_000.0
_NEVER = np.iinfo("int64").max

# counts summed from the old events per report day and township
OLD_COUNTS = ("reported", "closed", "due", "on_time", "dispatched", "dispatched_in_time",
              "accepted", "accepted_in_time", "rated", "satisfied", "with_level",
              "at_source", "invalid")

_LAST_AT = ("greatest(e.reported_at, COALESCE(e.closed_at, e.reported_at),"
            " COALESCE(e.accepted_at, e.reported_at), COALESCE(e.dispatched_at, e.reported_at))")
# invalid events count only by report day (无效事件), so they are always "old"
_RECENT = (f"(e.status IS DISTINCT FROM 'invalid'"
           f" AND ({_LAST_AT} >= ? OR e.closed_at IS NULL))")


@dataclass(frozen=True)
class MetricFacts:
    since: dt.datetime | None     # valid for as_of >= since; None: no events at all
    day: np.ndarray               # old sums: datetime64[D] per row, sorted
    township: np.ndarray          # old sums: township_code per row (object)
    counts: np.ndarray            # old sums: int64 [rows, OLD_COUNTS]
    close_us: np.ndarray          # old closed valid cases' times to close, grouped like rows
    close_at: np.ndarray          # row i's times are close_us[close_at[i]:close_at[i + 1]]
    recent: dict                  # recent events: column → array (see build)


def build(store, settings: Settings) -> MetricFacts:
    """Three reads of one version (retried if a load is published meanwhile)."""
    while True:
        version = getattr(store, "version", None)
        facts = _build(store, settings)
        if getattr(store, "version", None) == version:
            return facts


def _build(store, settings: Settings) -> MetricFacts:
    newest = store.scalar(f"SELECT max({_LAST_AT}) FROM events e")
    if newest is None:
        z = np.empty(0, dtype="int64")
        return MetricFacts(None, z.astype("datetime64[D]"), z.astype(object),
                           np.zeros((0, len(OLD_COUNTS)), dtype="int64"), z,
                           np.zeros(1, dtype="int64"), {})
    from store.metrics import limits_cte     # the same limits as the metrics query

    since = newest - dt.timedelta(days=KEEP_DAYS)
    lim_sql, lim_params = limits_cte(settings)
    limits = [settings.limit("accept_h") * _US_PER_H, settings.limit("dispatch_h") * _US_PER_H,
              settings.limit("close_h") * _US_PER_H]
    # flags, not the level and satisfaction text: at city scale the recent rows are 10⁶ and
    # their text as Python objects cost ~300 MB while the facts were built
    cols = f"""e.reported_at, e.closed_at, e.accepted_at, e.dispatched_at, e.township_code,
               COALESCE(e.supervised, false) AS supervised,
               e.satisfaction IS NOT NULL AS rated,
               COALESCE(e.satisfaction IN ('satisfied', 'basically_satisfied'), false)
                 AS satisfied,
               e.level IS NOT NULL AS with_level,
               COALESCE(e.level IN ('grid', 'village'), false) AS at_source,
               e.status IS NOT DISTINCT FROM 'invalid' AS is_invalid,
               COALESCE(l.accept_h * {_US_PER_H}, ?) AS acc_us,
               COALESCE(l.dispatch_h * {_US_PER_H}, ?) AS dis_us,
               COALESCE(l.close_h * {_US_PER_H}, ?) AS clo_us"""
    old = store.df(f"""
    WITH {lim_sql},
    e AS (SELECT {cols} FROM events e LEFT JOIN lim l ON l.category = e.category
          WHERE NOT {_RECENT})
    SELECT reported_at::DATE AS day, township_code AS township,
      count(*) FILTER (WHERE NOT is_invalid) AS reported,
      count(*) FILTER (WHERE NOT is_invalid) AS closed,
      count(*) FILTER (WHERE NOT is_invalid) AS due,
      count(*) FILTER (WHERE NOT is_invalid
                       AND date_diff('microsecond', reported_at, closed_at) <= clo_us) AS on_time,
      count(*) FILTER (WHERE NOT is_invalid AND dispatched_at IS NOT NULL) AS dispatched,
      count(*) FILTER (WHERE NOT is_invalid
                       AND date_diff('microsecond', reported_at, dispatched_at) <= dis_us)
                       AS dispatched_in_time,
      count(*) FILTER (WHERE NOT is_invalid AND accepted_at IS NOT NULL) AS accepted,
      count(*) FILTER (WHERE NOT is_invalid
                       AND date_diff('microsecond', reported_at, accepted_at) <= acc_us)
                       AS accepted_in_time,
      count(*) FILTER (WHERE NOT is_invalid AND rated) AS rated,
      count(*) FILTER (WHERE NOT is_invalid AND satisfied) AS satisfied,
      count(*) FILTER (WHERE NOT is_invalid AND with_level) AS with_level,
      count(*) FILTER (WHERE NOT is_invalid AND at_source) AS at_source,
      count(*) FILTER (WHERE is_invalid) AS invalid
    FROM e GROUP BY day, township ORDER BY day, township""",
                   [*lim_params, *limits, since])
    # an old event is closed (closed_at <= its last timestamp < since <= as_of): every valid
    # one is closed, due and enters the median
    counts = old[list(OLD_COUNTS)].fillna(0).to_numpy(dtype="int64")
    close_at = np.concatenate([[0], np.cumsum(counts[:, OLD_COUNTS.index("closed")])])
    days = pd.to_datetime(old["day"]).to_numpy().astype("datetime64[D]")
    close_us = _old_close_times(store, since, days, close_at)
    rec = store.df(f"""
        WITH {lim_sql}
        SELECT {cols} FROM events e LEFT JOIN lim l ON l.category = e.category
        WHERE {_RECENT}""", [*lim_params, *limits, since])
    recent = _recent_rows(rec)
    return MetricFacts(since, days, old["township"].to_numpy(dtype=object), counts, close_us,
                       close_at, recent)


# old closed cases read per run of report days holding about this many: the sort that groups
# them by (day, township) stays ~10⁶ rows at any size (all 10⁷ at once: +0.5 GB of RSS)
CLOSE_PART = 1_000_000


def _old_close_times(store, since: dt.datetime, days: np.ndarray,
                     close_at: np.ndarray) -> np.ndarray:
    """The old closed valid cases' times to close (µs), grouped like the old sums' rows (by
    report day, then township), read a run of report days at a time into one array."""
    out = np.empty(int(close_at[-1]), dtype="int64")
    if not len(out):
        return out
    # the first row of each part: a part ends where the next would pass CLOSE_PART cases;
    # a day is never split (rows of one day are one run of close_at)
    day_first = np.flatnonzero(np.r_[True, days[1:] != days[:-1]])
    starts = [0]
    for i in day_first[1:]:
        if close_at[i] - close_at[starts[-1]] >= CLOSE_PART:
            starts.append(int(i))
    bounds = [*starts, len(days)]
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        first = dt.datetime.combine(days[lo].astype(dt.date), dt.time())
        part = [first] if lo else []
        if hi < len(days):
            part.append(dt.datetime.combine(days[hi].astype(dt.date), dt.time()))
        where = " AND ".join(["e.reported_at >= ?"] * bool(lo) + ["e.reported_at < ?"]
                             * (hi < len(days)))
        times = store.df(f"""
            SELECT date_diff('microsecond', e.reported_at, e.closed_at) AS close_us
            FROM events e WHERE NOT {_RECENT} AND e.status IS DISTINCT FROM 'invalid'
            {"AND " + where if where else ""}
            ORDER BY e.reported_at::DATE, e.township_code""", [since, *part])["close_us"]
        a, b = int(close_at[lo]), int(close_at[hi])
        if b - a != len(times):     # both read one version: never expected
            raise RuntimeError(f"metric facts: {b - a} old closed cases counted from "
                               f"{days[lo]}, {len(times)} times to close read")
        out[a:b] = times.to_numpy(dtype="int64")
    return out


def _recent_rows(rec: pd.DataFrame) -> dict:
    """The recent (valid) events as arrays sorted by report time, with what does not depend
    on as_of worked out once: whether each was closed, dispatched and accepted in time."""
    rep = _epoch_us(rec["reported_at"])
    order = np.argsort(rep, kind="stable")
    rep = rep[order]
    closed = _epoch_us(rec["closed_at"])[order]
    dispatched = _epoch_us(rec["dispatched_at"])[order]
    accepted = _epoch_us(rec["accepted_at"])[order]
    clo = rec["clo_us"].to_numpy(dtype="float64")[order]
    codes, town_index = _town_index(rec["township_code"].to_numpy(dtype=object)[order])

    def flag(values):
        return np.asarray(values, dtype=bool)[order]

    return {
        "reported": rep, "closed": closed, "dispatched": dispatched, "accepted": accepted,
        "clo_us": clo, "close_us": closed - rep,
        "on_time": (closed - rep).astype("float64") <= clo,
        "dispatch_in_time": (dispatched - rep).astype("float64")
        <= rec["dis_us"].to_numpy(dtype="float64")[order],
        "accept_in_time": (accepted - rep).astype("float64")
        <= rec["acc_us"].to_numpy(dtype="float64")[order],
        "supervised": flag(rec["supervised"]),
        "rated": flag(rec["rated"]),
        "satisfied": flag(rec["satisfied"]),
        "with_level": flag(rec["with_level"]),
        "at_source": flag(rec["at_source"]),
        "town_codes": codes, "town_index": town_index,
    }


def _epoch_us(col: pd.Series) -> np.ndarray:
    """Timestamps as µs since the epoch (int64, exact); none (never closed, …) is _NEVER,
    later than any as_of."""
    t = pd.to_datetime(col)
    out = t.to_numpy(dtype="datetime64[us]").astype("int64")
    out[t.isna().to_numpy()] = _NEVER
    return out


def limits_key(settings: Settings) -> tuple:
    return (tuple(settings.category_limits()), settings.limit("accept_h"),
            settings.limit("dispatch_h"), settings.limit("close_h"))


def metric_facts(store, settings: Settings) -> MetricFacts | None:
    """The version's facts (built on first use), or None for a store without memo."""
    memo = getattr(store, "memo", None)
    if memo is None:
        return None
    return memo(("metric_facts", limits_key(settings)), lambda: build(store, settings))


def us(t: dt.datetime) -> int:
    return (t - dt.datetime(1970, 1, 1)) // dt.timedelta(microseconds=1)


# --- the old events: sums ------------------------------------------------------------------

def _old_rows(f: MetricFacts, start: dt.date, end: dt.date, township: str | None) -> np.ndarray:
    lo = np.searchsorted(f.day, np.datetime64(start, "D"))
    hi = np.searchsorted(f.day, np.datetime64(end, "D"))
    rows = np.arange(lo, hi)
    return rows[f.township[lo:hi] == township] if township is not None else rows


def _town_index(towns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(the township codes, sorted; each row's position among them, -1 without one)."""
    # a hash, not np.unique's sort of fixed-width strings: 0.06 s instead of 1.3 s for the
    # 600 k recent rows of a 10 M county (a sorted factorize gives the same codes)
    index, codes = pd.factorize(towns, sort=True)
    return np.asarray(codes, dtype=str), index.astype("int64")


def _by_unit(units: np.ndarray, by_township: bool):
    """(unit labels, index of each row's unit) — one unit 'all' unless by township; rows
    without a township belong to no township."""
    if not by_township:
        return np.array(["all"], dtype=object), np.zeros(len(units), dtype="int64")
    return _town_index(units)


def _sum_by(labels, index, columns: dict) -> dict:
    keep = index >= 0
    out = {}
    for name, values in columns.items():
        sums = np.bincount(index[keep], weights=values[keep].astype("float64"),
                           minlength=len(labels))
        out[name] = sums.astype("int64")
    return {u: {name: int(out[name][i]) for name in columns} for i, u in enumerate(labels)}


def old_sums(f: MetricFacts, start: dt.date, end: dt.date, township: str | None,
             by_township: bool) -> dict:
    """OLD_COUNTS of the old events reported in [start, end): {unit: {count: n}}."""
    rows = _old_rows(f, start, end, township)
    labels, index = _by_unit(f.township[rows], by_township)
    counts = f.counts[rows]
    return _sum_by(labels, index, {c: counts[:, i] for i, c in enumerate(OLD_COUNTS)})


def old_close_times(f: MetricFacts, start: dt.date, end: dt.date, township: str | None,
                    by_township: bool) -> dict:
    """{unit: times to close} of the old closed valid cases reported in [start, end)."""
    rows = _old_rows(f, start, end, township)
    if not by_township:
        if township is None and len(rows):    # the county: one contiguous block
            return {"all": f.close_us[f.close_at[rows[0]]:f.close_at[rows[-1] + 1]]}
        return {"all": _gather(f, rows)}
    towns = f.township[rows]
    return {code: _gather(f, rows[towns == code]) for code in pd.unique(towns[pd.notna(towns)])}


def _gather(f: MetricFacts, rows: np.ndarray) -> np.ndarray:
    if not len(rows):
        return np.empty(0, dtype="int64")
    return np.concatenate([f.close_us[f.close_at[i]:f.close_at[i + 1]] for i in rows])


# --- the recent events: the twin of the SQL's cohort and backlog aggregates ------------------

def _count(mask: np.ndarray, index: np.ndarray | None, units: int) -> np.ndarray:
    if index is None:
        return np.array([np.count_nonzero(mask)])
    sel = index[mask]
    return np.bincount(sel[sel >= 0], minlength=units)


def recent_counts(f: MetricFacts, as_of: dt.datetime, start: dt.datetime, end: dt.datetime,
                  township: str | None, by_township: bool, warn: float,
                  flag_mult: float) -> tuple[dict, dict]:
    """At as_of, for the recent (valid) events: the cohort counts of those reported in
    [start, end) and the backlog (open at as_of, any report time). Returns
    ({unit: {count: n}}, {unit: times to close of the cohort's closed cases})."""
    r = f.recent
    if not r:
        return {}, {}
    at = us(as_of)
    codes = r["town_codes"]
    if township is not None:
        hit = np.flatnonzero(codes == township)
        town = int(hit[0]) if len(hit) else -2             # -2: no recent event there
    labels = codes if by_township else np.array(["all"], dtype=object)
    n_units = len(labels)

    # the cohort: a slice (the rows are sorted by report time)
    lo, hi = np.searchsorted(r["reported"], [us(start), us(end)])
    cut = slice(lo, hi)
    index = r["town_index"][cut] if by_township else None
    here = (r["town_index"][cut] == town) if township is not None else None
    closed = r["closed"][cut] <= at
    if here is not None:
        closed &= here
    overdue = (at - r["reported"][cut]).astype("float64") > r["clo_us"][cut]
    dispatched = r["dispatched"][cut] <= at
    accepted = r["accepted"][cut] <= at
    if here is not None:
        dispatched &= here
        accepted &= here
    due = closed | overdue if here is None else closed | (overdue & here)
    counts = {
        "reported": _count(here, index, n_units) if here is not None else
        (np.bincount(index[index >= 0], minlength=n_units) if index is not None
         else np.array([hi - lo])),
        "closed": _count(closed, index, n_units),
        "due": _count(due, index, n_units),
        "on_time": _count(closed & r["on_time"][cut], index, n_units),
        "dispatched": _count(dispatched, index, n_units),
        "dispatched_in_time": _count(dispatched & r["dispatch_in_time"][cut], index, n_units),
        "accepted": _count(accepted, index, n_units),
        "accepted_in_time": _count(accepted & r["accept_in_time"][cut], index, n_units),
        "rated": _count(closed & r["rated"][cut], index, n_units),
        "satisfied": _count(closed & r["satisfied"][cut], index, n_units),
        "with_level": _count(closed & r["with_level"][cut], index, n_units),
        "at_source": _count(closed & r["at_source"][cut], index, n_units),
    }
    spans = r["close_us"][cut]
    if index is None:
        times = {"all": spans[closed]}
    else:
        sel = index[closed]
        closed_spans = spans[closed]
        times = {u: closed_spans[sel == i] for i, u in enumerate(labels)}

    # the backlog: open at as_of, whatever the window (few rows)
    open_rows = np.flatnonzero((r["closed"] > at) & (r["reported"] <= at))
    if township is not None:
        open_rows = open_rows[r["town_index"][open_rows] == town]
    age = (at - r["reported"][open_rows]).astype("float64")
    clo = r["clo_us"][open_rows]
    o_index = r["town_index"][open_rows] if by_township else None
    every = np.ones(len(open_rows), dtype=bool)
    counts.update({
        "open_backlog": _count(every, o_index, n_units),
        "red": _count(age > clo, o_index, n_units),
        "yellow": _count((age >= warn * clo) & (age <= clo), o_index, n_units),
        "flagged": _count(r["supervised"][open_rows] | ((flag_mult > 0) & (age > flag_mult * clo)),
                          o_index, n_units),
    })
    out = {u: {name: int(v[i]) for name, v in counts.items()} for i, u in enumerate(labels)}
    return out, times


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
