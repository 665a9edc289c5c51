"""Emerging hotspots (新发热点) and density per km², as defined in metrics.md.

A grid is an emerging hotspot of a window ``[start, end)`` when its cohort count ``k`` is at
least ``min_count`` and the one-sided Poisson probability ``P(X >= k)`` under its baseline rate
is below ``alpha``. The baseline is the grid's mean count over the ``baseline_windows``
previous windows of the same length, floored at ``floor_rate`` so that a grid with an empty
history can still become one. Settings: [hotspots] min_count, alpha, baseline_windows,
floor_rate.

Choices: counts come from ``daily_rollup`` (valid events by report day, the same cohort as
metrics.py); windows before the first data day count as zero (the floor covers them); density
is k / grids.area_km2 (area measured on the ground by the ETL), None without an area.
The Poisson tail is summed in log space (no scipy).
"""
from __future__ import annotations

import datetime as dt
import math
from functools import lru_cache

import numpy as np
import pandas as pd

from store.db import ReadStore
from store.settings import Settings


@lru_cache(maxsize=8)
def _log_factorials(n: int) -> np.ndarray:
    """log(i!) for i = 0 .. n-1 (n a power of two, so the cache stays small)."""
    return np.concatenate([[0.0], np.cumsum(np.log(np.arange(1, n, dtype="float64")))])


def _log_fact(upto: int) -> np.ndarray:
    return _log_factorials(1 << max(int(upto), 1).bit_length())


def poisson_sf(k: int, mu: float) -> float:
    """``P(X >= k)`` for ``X ~ Poisson(mu)``, accurate far into the tail (p ~ 1e-300).

    For k above the mean the tail terms shrink geometrically, so they are summed directly
    with log-sum-exp; at or below the mean the tail is large and ``1 - P(X < k)`` is exact
    enough.
    """
    k = int(k)
    if k <= 0:
        return 1.0
    if mu <= 0:
        return 0.0
    log_mu = math.log(mu)
    if k > mu:
        last = int(k + 12 * math.sqrt(k) + 60)
        i = np.arange(k, last)
        logs = -mu + i * log_mu - _log_fact(last)[k:last]
        top = logs.max()
        return float(min(1.0, math.exp(top) * np.exp(logs - top).sum()))
    i = np.arange(0, k)
    logs = -mu + i * log_mu - _log_fact(k)[:k]
    return float(max(0.0, 1.0 - np.exp(logs).sum()))


def classify(counts: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Add ``baseline``, ``ratio``, ``p``, ``density`` and ``hotspot`` to per-grid counts.

    ``counts`` has ``k`` (this window), ``history`` (sum over the previous windows) and
    optionally ``area_km2``.
    """
    hs = settings.section("hotspots")
    n_windows = int(hs["baseline_windows"])
    floor = float(hs["floor_rate"])
    min_count = int(hs["min_count"])
    alpha = float(hs["alpha"])
    out = counts.copy()
    out["k"] = out["k"].fillna(0).astype("int64")
    hist = out["history"].fillna(0).astype("float64")
    out["baseline"] = np.maximum(hist / max(n_windows, 1), floor)
    out["ratio"] = out["k"] / out["baseline"]
    out["p"] = [poisson_sf(int(k), float(b)) for k, b in zip(out["k"], out["baseline"])]
    if "area_km2" in out:
        area = out["area_km2"].astype("float64")
        out["density"] = (out["k"] / area).where(area > 0)
    out["hotspot"] = (out["k"] >= min_count) & (out["p"] < alpha)
    return out


def hotspot_table(
    store: ReadStore,
    settings: Settings,
    start: dt.date,
    end: dt.date,
    township_code: str | None = None,
) -> pd.DataFrame:
    """Every grid (of one township, or the county) with k, baseline, ratio, p, density, hotspot.

    Columns: grid_id, grid_name, township_code, area_km2, k, history, baseline, ratio, p,
    density, hotspot; sorted by p then k descending.
    """
    if end <= start:
        raise ValueError(f"hotspot window end {end} must be after start {start}")
    length = end - start
    n_windows = int(settings.section("hotspots")["baseline_windows"])
    hist_start = start - length * n_windows
    where, params = ("g.township_code = ?", [township_code]) if township_code else ("TRUE", [])
    df = store.df(
        f"""
        WITH r AS (
            SELECT grid_id,
                   sum(reported) FILTER (WHERE day >= ? AND day < ?) AS k,
                   sum(reported) FILTER (WHERE day >= ? AND day < ?) AS history
            FROM daily_rollup WHERE day >= ? AND day < ? AND grid_id IS NOT NULL
            GROUP BY grid_id)
        SELECT g.grid_id, g.grid_name, g.township_code, g.area_km2,
               coalesce(r.k, 0) AS k, coalesce(r.history, 0) AS history
        FROM grids g LEFT JOIN r USING (grid_id)
        WHERE {where}
        """,
        [start, end, hist_start, start, hist_start, end, *params])
    out = classify(df, settings)
    return out.sort_values(["p", "k", "grid_id"], ascending=[True, False, True],
                           ignore_index=True)


def emerging_hotspots(
    store: ReadStore,
    settings: Settings,
    start: dt.date,
    end: dt.date,
    township_code: str | None = None,
) -> pd.DataFrame:
    """Only the emerging hotspots of the window (columns of :func:`hotspot_table`)."""
    t = hotspot_table(store, settings, start, end, township_code)
    return t[t["hotspot"]].reset_index(drop=True)
