"""Emerging hotspots (新发热点) and density per km², as defined in metrics.md.

A grid is an emerging hotspot of a window ``[start, end)`` when its cohort count ``k`` is at
least ``min_count`` and the one-sided Poisson probability ``P(X >= k)`` under its baseline rate
is below ``alpha``. The baseline is the grid's mean count over the ``baseline_windows``
previous windows of the same length, floored at ``floor_rate`` so that a grid with an empty
history can still become one. Settings: [hotspots] min_count, alpha, baseline_windows,
floor_rate.

Choices: counts come from ``daily_rollup`` (valid events by report day, the same cohort as
metrics.py), optionally of one category and/or channel (the rollup keeps both, so a filtered
hotspot table is as cheap as the county's), or without those from ``grid_daily``, its sums
by day and grid (:func:`rollup_of`); windows before the first data day count as zero
(the floor covers them); density is k / grids.area_km2 (area measured on the ground by the
ETL), None without an area. The tail is scipy's ``pdtrc(k - 1, mu)``, the function
``scipy.stats.poisson.sf(k - 1, mu)`` evaluates (the same values; exact far into the tail,
where ``1 - cdf`` would round to 0), taken from ``scipy.special``: importing
``scipy.stats`` cost every server process ~45 MB of resident memory more.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.special import pdtrc

from store.db import ReadStore
from store.freshness import data_start
from store.settings import Settings


def poisson_sf(k: int, mu: float) -> float:
    """``P(X >= k)`` for ``X ~ Poisson(mu)`` (1 for k <= 0; 0 for mu <= 0 and k >= 1)."""
    return float(poisson_sf_many(np.array([int(k)]), np.array([mu]))[0])


def poisson_sf_many(k: np.ndarray, mu: np.ndarray) -> np.ndarray:
    """:func:`poisson_sf` of each pair: one place for the tail and its edge rules."""
    k = np.asarray(k, dtype="int64")
    mu = np.asarray(mu, dtype="float64")
    p = pdtrc(np.maximum(k - 1, 0), np.where(mu > 0, mu, 1.0))
    p = np.where(mu > 0, p, 0.0)
    return np.where(k <= 0, 1.0, p).astype("float64")


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
    out["p"] = poisson_sf_many(out["k"].to_numpy(), out["baseline"].to_numpy())
    if "area_km2" in out:
        area = out["area_km2"].astype("float64")
        out["density"] = (out["k"] / area).where(area > 0)
    out["hotspot"] = (out["k"] >= min_count) & (out["p"] < alpha)
    return out


def baseline_start(settings: Settings, start: dt.date, end: dt.date) -> dt.date:
    """The first day of the baseline: ``baseline_windows`` windows of the same length before
    ``start``."""
    n_windows = int(settings.section("hotspots")["baseline_windows"])
    try:
        return start - (end - start) * n_windows
    except OverflowError:       # a window of centuries: its baseline reaches before year 1
        return dt.date.min      # (no event is that old: the same counts)


def short_history(store: ReadStore, settings: Settings, start: dt.date,
                  end: dt.date) -> dt.date | None:
    """The first day of data when the window's baseline begins before it, else None.

    metrics.md counts a baseline window without data as zero events (so a grid with an
    empty history can become a hotspot): right for a new grid, misleading for a county
    whose export starts after the baseline does (the first weeks after going live, or a
    window of a year on two years of data), where most grids then read as new hotspots.
    The figures stay the definition's; the screens say so beside them."""
    first = data_start(store, settings)
    return first if first is not None and baseline_start(settings, start, end) < first else None


def rollup_of(store: ReadStore, category: str | None,
              channel: str | None) -> tuple[str, str, list]:
    """(table, extra conditions, parameters) holding each grid's valid reports by day for
    these filters: ``grid_daily`` (one row a day and grid, store.schema) when neither is
    set, else ``daily_rollup`` of that category / channel. The same sums either way (a
    grid's rows of daily_rollup added up: what grid_daily holds); at 10 M events a year's
    window is ~0.55 M rows against ~7.8 M to group. daily_rollup too when grid_daily does
    not add up to it (:func:`grid_daily_agrees`)."""
    extra, params = "", []
    for col, value in (("category", category), ("channel", channel)):
        if value:
            extra += f" AND {col} = ?"
            params.append(value)
    if params or not grid_daily_agrees(store):
        return "daily_rollup", extra, params
    return "grid_daily", extra, params


def _totals(table: str) -> str:
    return (f"SELECT 'g' AS kind, grid_id AS key, sum(reported) AS n FROM {table}"
            " WHERE grid_id IS NOT NULL GROUP BY 1, 2 UNION ALL"
            f" SELECT 'd' AS kind, CAST(day AS VARCHAR) AS key, sum(reported) AS n FROM {table}"
            " WHERE grid_id IS NOT NULL GROUP BY 1, 2")


def grid_daily_agrees(store: ReadStore) -> bool:
    """Whether grid_daily holds daily_rollup's valid reports of the grids (each grid's
    total and each day's equal), once per published version (~0.15 s at 10 M; the served
    app's warmer checks it after each load). Not so in a database written before
    grid_daily (no such table until a load) or one whose rollup was written or edited by
    other means (a grid renamed in place): its hotspots are read from daily_rollup, slower
    and the same."""
    def check() -> bool:
        try:
            return not store.scalar(
                f"SELECT count(*) FROM ({_totals('daily_rollup')}) a FULL JOIN"
                f" ({_totals('grid_daily')}) b ON a.kind = b.kind AND a.key = b.key"
                " WHERE coalesce(a.n, 0) <> coalesce(b.n, 0)")
        except Exception:       # noqa: BLE001 - no grid_daily: an older database
            return False

    return store.memo(("grid_daily_agrees",), check)


def hotspot_table(
    store: ReadStore,
    settings: Settings,
    start: dt.date,
    end: dt.date,
    township_code: str | None = None,
    *,
    category: str | None = None,
    channel: str | None = None,
) -> pd.DataFrame:
    """Every grid (of one township, or the county) with k, baseline, ratio, p, density, hotspot.

    ``category`` / ``channel`` restrict the counts (this window and the baseline alike).
    Columns: grid_id, grid_name, township_code, township_name, area_km2, k, history,
    baseline, ratio, p, density, hotspot; sorted by p, then k descending, then grid_id.
    """
    if end <= start:
        raise ValueError(f"hotspot window end {end} must be after start {start}")
    hist_start = baseline_start(settings, start, end)
    where, params = ("g.township_code = ?", [township_code]) if township_code else ("TRUE", [])
    source, extra, extra_params = rollup_of(store, category, channel)
    df = store.df(
        f"""
        WITH r AS (
            SELECT grid_id,
                   sum(reported) FILTER (WHERE day >= ? AND day < ?) AS k,
                   sum(reported) FILTER (WHERE day >= ? AND day < ?) AS history
            FROM {source} WHERE day >= ? AND day < ? AND grid_id IS NOT NULL {extra}
            GROUP BY grid_id)
        SELECT g.grid_id, g.grid_name, g.township_code, t.township_name, g.area_km2,
               coalesce(r.k, 0) AS k, coalesce(r.history, 0) AS history
        FROM grids g LEFT JOIN r USING (grid_id)
             LEFT JOIN townships t ON t.township_code = g.township_code
        WHERE {where}
        """,
        [start, end, hist_start, start, hist_start, end, *extra_params, *params])
    out = classify(df, settings)
    order = np.lexsort((out["grid_id"].to_numpy(dtype=object), -out["k"].to_numpy(),
                        out["p"].to_numpy()))
    return out.iloc[order].reset_index(drop=True)


def emerging_hotspots(
    store: ReadStore,
    settings: Settings,
    start: dt.date,
    end: dt.date,
    township_code: str | None = None,
    *,
    category: str | None = None,
    channel: str | None = None,
    profiled: bool = False,
    as_of: dt.datetime | None = None,
) -> pd.DataFrame:
    """Only the emerging hotspots of the window (columns of :func:`hotspot_table`); with
    ``profiled``, each one's :func:`profile` too (since when, which kinds; ``as_of`` as
    there)."""
    t = hotspot_table(store, settings, start, end, township_code,
                      category=category, channel=channel)
    hot = t[t["hotspot"]].reset_index(drop=True)
    if not profiled:
        return hot
    prof = profile(store, settings, start, end, hot[["grid_id", "baseline"]],
                   category=category, channel=channel, as_of=as_of)
    return hot.merge(prof, on="grid_id", how="left")


def emerging_hotspots_via(read, start: dt.date, end: dt.date, township_code: str | None = None,
                          *, profiled: bool = False,
                          as_of: dt.datetime | None = None) -> pd.DataFrame:
    """:func:`emerging_hotspots` through a caching reader (``ctx.cached``): a township's
    rows are cut from the county's, read once for every township.

    The wall renders every township's view each minute, and each read its hotspot table
    twice (the map, the board): 200 scans of the baseline's days on a 100-township city
    (~35 ms a view). A grid's k, baseline, p and profile are its own (the table counts every
    grid's events before it filters the township; :func:`classify` and :func:`profile` are
    row by row) and the county's order (p, k, grid_id) keeps a township's, so the cut is the
    township's read (tests/store/test_hotspots_via.py compares both for every township)."""
    every = read(emerging_hotspots, start, end, None, profiled=profiled,
                 as_of=as_of if profiled else None)
    if not township_code:
        return every
    hot = every[every["township_code"] == township_code].reset_index(drop=True)
    if profiled and hot.empty:
        # as emerging_hotspots makes it: no rows to profile, the profile's columns untyped
        hot = hot.drop(columns=PROFILE_COLUMNS[1:]).merge(
            pd.DataFrame(columns=PROFILE_COLUMNS), on="grid_id", how="left")
    return hot


# --- Getis-Ord Gi* (beside the Poisson rule, named as such) ---------------------------------

GI_STAR_Z = 2.576          # two-sided 99 %: a Gi* hot spot when z >= this


def grid_neighbours(store: ReadStore, settings: Settings,
                    tolerance_deg: float = 1e-5) -> dict[str, list[str]]:
    """Queen contiguity of the grids: grids whose polygons touch or overlap (within
    ``tolerance_deg``, about 1 m, for borders that were simplified or snapped apart)."""
    import shapely

    rows = store.rows("SELECT grid_id, coalesce(geom_simple_wkb, geom_wkb) FROM grids"
                      " WHERE coalesce(geom_simple_wkb, geom_wkb) IS NOT NULL ORDER BY grid_id")
    if not rows:
        return {}
    ids = [r[0] for r in rows]
    geoms = shapely.make_valid(shapely.from_wkb(np.array([bytes(r[1]) for r in rows],
                                                         dtype=object)))
    tree = shapely.STRtree(geoms)
    a, b = tree.query(geoms, predicate="dwithin", distance=tolerance_deg)
    out: dict[str, list[str]] = {g: [] for g in ids}
    for i, j in zip(a, b):
        if i != j:
            out[ids[i]].append(ids[j])
    return out


def gi_star(values: pd.Series, neighbours: dict[str, list[str]]) -> pd.Series:
    """Getis-Ord Gi* z-scores of ``values`` (indexed by grid_id) with binary weights over
    each grid and its contiguous neighbours (the grid itself included, hence the star):

        z_i = (Σ_j w_ij x_j − x̄ W_i) / (S √((n W_i − W_i²) / (n − 1)))

    with W_i = Σ_j w_ij, x̄ and S the mean and (population) standard deviation over the n
    grids. Grids outside ``values`` are not neighbours; NaN when S = 0 or n < 3.
    """
    x = values.astype("float64").fillna(0.0)
    n = len(x)
    if n < 3:
        return pd.Series(np.nan, index=x.index)
    mean = float(x.mean())
    s = float(np.sqrt((x ** 2).mean() - mean ** 2))
    if not s > 0:
        return pd.Series(np.nan, index=x.index)
    # the weights as a sparse matrix: the grid itself plus its neighbours among the n
    # (vectorised: a Python loop over the grids cost ~20 ms a table at county scale)
    src = [g for g in x.index for _ in neighbours.get(g, ())]
    dst = [h for g in x.index for h in neighbours.get(g, ())]
    i = x.index.get_indexer(pd.Index(src, dtype=object)) if src else np.empty(0, dtype=int)
    j = x.index.get_indexer(pd.Index(dst, dtype=object)) if dst else np.empty(0, dtype=int)
    keep = (i >= 0) & (j >= 0) & (i != j)
    rows = np.concatenate([np.arange(n), i[keep]])
    cols = np.concatenate([np.arange(n), j[keep]])
    w = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    w.data[:] = 1.0                                   # a pair listed twice still weighs 1
    w_i = np.asarray(w.sum(axis=1)).ravel()
    denom = s * np.sqrt(np.maximum(n * w_i - w_i ** 2, 0) / (n - 1))
    num = w @ x.to_numpy() - mean * w_i
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(denom > 0, num / np.where(denom > 0, denom, 1.0), np.nan)
    return pd.Series(z, index=x.index)


# --- since when, and which kinds (what a duty officer asks of a hotspot next) ---------------

PROFILE_COLUMNS = ["grid_id", "since", "since_k", "top_category", "top_share"]


def onset(daily: np.ndarray, rate: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row of ``daily`` (a grid's counts on each day of the window, oldest first) and its
    baseline ``rate`` a day (> 0): the day the rise began, as an index, and the count since.

    The onset is the first day of the window's final stretch most unlike the baseline: the
    stretch ``[d, end)`` with the largest Poisson log-likelihood ratio of a raised rate,
    ``N ln(N / E) − (N − E)`` where N is its count and E = rate × its days (0 unless N > E;
    the scan statistic of Kulldorff, over the stretches that end with the window). A lone
    event days before a surge does not pull the onset back to it, as the plain excess
    N − E would. Of equal ratios the shortest stretch wins. A grid with no stretch above its
    baseline gets ``len`` (no rise began in the window)."""
    daily = np.asarray(daily, dtype="float64")
    g, n = daily.shape
    if n == 0:
        return np.zeros(g, dtype="int64"), np.zeros(g, dtype="int64")
    tails = np.cumsum(daily[:, ::-1], axis=1)[:, ::-1]          # N[d, end) for each d
    expected = np.asarray(rate, dtype="float64")[:, None] * np.arange(n, 0, -1)
    with np.errstate(divide="ignore", invalid="ignore"):
        llr = np.where(tails > expected,
                       tails * np.log(tails / expected) - (tails - expected), 0.0)
    last_best = n - 1 - np.argmax(llr[:, ::-1], axis=1)          # ties: the latest d
    best = llr[np.arange(g), last_best]
    since = np.where(best > 0, last_best, n)
    counts = np.where(since < n, tails[np.arange(g), np.minimum(since, n - 1)], 0)
    return since.astype("int64"), counts.astype("int64")


def profile(store: ReadStore, settings: Settings, start: dt.date, end: dt.date,
            grids: pd.DataFrame, *, category: str | None = None,
            channel: str | None = None, as_of: dt.datetime | None = None) -> pd.DataFrame:
    """For the ``grids`` rows (``grid_id``, ``baseline``: events a window, as in
    :func:`hotspot_table`): ``since`` (the day the rise began, :func:`onset`, a date; None
    with no rise), ``since_k`` (valid events since then), ``top_category`` and ``top_share`` (the
    window's most reported kind, ties by name, and its share of the window's events).
    Counts come from ``daily_rollup`` with the same category and channel as the table.
    ``as_of``: the stretches end with its day when the window runs past it (本周 on a
    Wednesday), so days still to come do not count as days without events."""
    out = pd.DataFrame({"grid_id": grids["grid_id"].astype(object)})
    if out.empty:
        return pd.DataFrame(columns=PROFILE_COLUMNS)
    ids = list(out["grid_id"])
    extra, params = "", [start, end]
    # most of the grids (a year on a short history: every grid is a hotspot): grouping
    # them all and dropping the rest here is cheaper than testing each rollup row against
    # the list (10 M events, a year, 1,521 grids: ~0.2 s less); a few: only theirs
    if len(ids) * 2 < (store.scalar("SELECT count(*) FROM grids") or 0):
        extra += " AND grid_id IN (SELECT unnest(?::VARCHAR[]))"
        params.append(ids)
    source, only, only_params = rollup_of(store, category, channel)
    kinds_params = [*params]
    params += only_params
    where = f"FROM {source} WHERE day >= ? AND day < ? AND reported > 0{extra}{only}"
    # the day as its place in the window (a whole number: no dates to convert and look up);
    # grid_daily holds one row a grid and day already: nothing to group
    n_sql, group = (("reported", "") if source == "grid_daily"
                    else ("sum(reported)", " GROUP BY ALL"))
    by_day = store.df(f"SELECT grid_id, date_diff('day', ?::DATE, day) AS d,"
                      f" {n_sql} AS n {where}{group}", [start, *params])
    # the kinds need the category: always daily_rollup
    kind_where = ("FROM daily_rollup WHERE day >= ? AND day < ? AND reported > 0"
                  + extra + "".join(f" AND {c} = ?" for c, v in (("category", category),
                                                                ("channel", channel)) if v))
    kinds = store.df(f"SELECT grid_id, category, sum(reported) AS n {kind_where} GROUP BY ALL",
                     [*kinds_params, *only_params])
    kinds = kinds[kinds["grid_id"].isin(ids)]
    last = min(end, as_of.date() + dt.timedelta(days=1)) if as_of is not None else end
    n_days = max((last - start).days, 0)
    days = pd.date_range(start, periods=n_days, freq="D")
    matrix = np.zeros((len(out), n_days))
    if len(by_day):
        row = pd.Index(out["grid_id"]).get_indexer(by_day["grid_id"])
        col = by_day["d"].to_numpy(dtype="int64")
        ok = (row >= 0) & (col >= 0) & (col < n_days)
        np.add.at(matrix, (row[ok], col[ok]), by_day["n"].to_numpy(dtype="float64")[ok])
    rate = grids["baseline"].to_numpy(dtype="float64") / max((end - start).days, 1)
    since, since_k = onset(matrix, rate)
    first = [d.date() for d in days]
    out["since"] = [first[i] if i < n_days else None for i in since]     # None: no rise
    out["since_k"] = since_k
    kinds = kinds.dropna(subset=["category"]).sort_values(
        ["grid_id", "n", "category"], ascending=[True, False, True])
    top = kinds.drop_duplicates("grid_id").set_index("grid_id")
    total = kinds.groupby("grid_id")["n"].sum()
    out["top_category"] = out["grid_id"].map(top["category"])
    out["top_share"] = out["grid_id"].map(top["n"] / total)
    return out[PROFILE_COLUMNS]
