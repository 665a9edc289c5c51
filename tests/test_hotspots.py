"""Emerging hotspots (metrics.md): the Poisson rule on constructed counts and on a DuckDB file."""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from store.db import ReadStore
from store.hotspots import (
    classify,
    emerging_hotspots,
    hotspot_table,
    poisson_sf,
    poisson_sf_many,
)
from store.settings import Settings
from tests.layers.mapdb import event, make_map_db


def tail_by_hand(k: int, mu: float) -> float:
    return 1 - sum(math.exp(-mu) * mu ** i / math.factorial(i) for i in range(k))


@pytest.mark.parametrize("k,mu", [(1, 0.5), (6, 0.5), (5, 0.5), (3, 5.0), (10, 10.0), (25, 10.0),
                                  (12, 2.5), (40, 30.0)])
def test_poisson_tail_matches_the_textbook_sum(k, mu):
    assert math.isclose(poisson_sf(k, mu), tail_by_hand(k, mu), rel_tol=1e-9, abs_tol=1e-15)


def test_poisson_tail_edges_and_far_tail():
    assert poisson_sf(0, 3.0) == 1.0
    assert poisson_sf(3, 0.0) == 0.0
    # far tail, where 1 - cdf would be 0: P(X >= 60 | 2) = sum of terms, first term dominates
    p = poisson_sf(60, 2.0)
    first = math.exp(-2 + 60 * math.log(2) - math.lgamma(61))
    assert first < p < first * 1.05


def settings(**hs) -> Settings:
    s = Settings()
    s.raw["hotspots"].update(hs)
    return s


def counts(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["grid_id", "k", "history", "area_km2"])


def test_empty_history_and_six_events_is_a_hotspot_and_a_steady_grid_is_not():
    out = classify(counts([("new", 6, 0, 2.0), ("steady", 10, 40, 2.0)]), Settings()).set_index("grid_id")
    assert out.loc["new", "baseline"] == 0.5                       # floored
    assert math.isclose(out.loc["new", "p"], tail_by_hand(6, 0.5))
    assert out.loc["new", "ratio"] == 12 and out.loc["new", "density"] == 3.0
    assert bool(out.loc["new", "hotspot"])
    assert out.loc["steady", "baseline"] == 10                     # 40 over 4 windows
    assert out.loc["steady", "p"] > 0.4 and not out.loc["steady", "hotspot"]


def test_min_count_boundary():
    # with baseline 0.5, k = 4 is already improbable (p = 0.0018 < 0.01) but below min_count
    out = classify(counts([("a", 4, 0, 1.0), ("b", 5, 0, 1.0)]), Settings()).set_index("grid_id")
    assert out.loc["a", "p"] < 0.01 and not out.loc["a", "hotspot"]
    assert bool(out.loc["b", "hotspot"])
    out = classify(counts([("a", 4, 0, 1.0)]), settings(min_count=4)).set_index("grid_id")
    assert bool(out.loc["a", "hotspot"])


def test_alpha_is_strict_and_configurable():
    p6 = tail_by_hand(6, 0.5)
    assert not classify(counts([("a", 6, 0, 1.0)]), settings(alpha=p6))["hotspot"].iloc[0]
    assert classify(counts([("a", 6, 0, 1.0)]), settings(alpha=p6 * 1.001))["hotspot"].iloc[0]


def test_floor_rate_and_baseline_windows_from_settings():
    out = classify(counts([("a", 6, 2, None)]), settings(floor_rate=1.0, baseline_windows=2))
    assert out["baseline"].iloc[0] == 1.0 and pd.isna(out["density"].iloc[0])
    out = classify(counts([("a", 6, 6, 1.0)]), settings(floor_rate=0.1, baseline_windows=2))
    assert out["baseline"].iloc[0] == 3.0


def test_hotspot_table_counts_windows_from_the_rollup(tmp_path):
    start, end = dt.date(2025, 6, 1), dt.date(2025, 6, 8)      # a 7-day window
    t = dt.datetime.combine
    evs = []
    # G1: 6 events in the window, none before → hotspot
    evs += [event(f"a{i}", t(start, dt.time(9 + i)), 120.01, 29.51, "G1") for i in range(6)]
    # an event exactly at end is outside; an invalid one never counts
    evs.append(event("a_end", t(end, dt.time()), 120.01, 29.51, "G1"))
    evs.append(event("a_inv", t(start, dt.time(8)), 120.01, 29.51, "G1", status="invalid"))
    # G2: 6 in the window and 6 per previous week for 4 weeks → steady
    for w in range(5):
        day = start - dt.timedelta(days=7 * w)
        evs += [event(f"b{w}{i}", t(day, dt.time(10 + i)), 120.06, 29.51, "G2") for i in range(6)]
    # G3: history only (the day before the window), nothing now
    evs += [event(f"c{i}", t(start - dt.timedelta(days=1), dt.time(10)), 120.15, 29.55, "G3")
            for i in range(3)]
    # older than the 4 baseline windows: ignored
    evs.append(event("old", t(start - dt.timedelta(days=29), dt.time(10)), 120.15, 29.55, "G3"))
    db = make_map_db(tmp_path / "hot.duckdb", evs)
    store = ReadStore(db)
    table = hotspot_table(store, Settings(), start, end).set_index("grid_id")
    assert table.loc["G1", "k"] == 6 and table.loc["G1", "history"] == 0
    assert table.loc["G2", "k"] == 6 and table.loc["G2", "history"] == 24
    assert table.loc["G3", "k"] == 0 and table.loc["G3", "history"] == 3
    assert math.isclose(table.loc["G1", "density"], 6 / table.loc["G1", "area_km2"])
    hot = emerging_hotspots(store, Settings(), start, end)
    assert list(hot["grid_id"]) == ["G1"]
    assert list(emerging_hotspots(store, Settings(), start, end, "T2")["grid_id"]) == []
    assert list(hotspot_table(store, Settings(), start, end, "T1")["grid_id"]) == ["G1", "G2"]
    with pytest.raises(ValueError, match="after start"):
        hotspot_table(store, Settings(), end, start)
    store.close()


@pytest.mark.parametrize("k,mu,by_hand", [
    # P(X >= 1 | 2) = 1 - e^-2
    (1, 2.0, 0.8646647167633873),
    # P(X >= 2 | 1) = 1 - 2/e
    (2, 1.0, 0.26424111765711533),
    # P(X >= 6 | 0.5) = 1 - e^-0.5 (1 + 0.5 + 0.125 + 0.0208333 + 0.0026042 + 0.0002604)
    (6, 0.5, 1.4164937322e-05),
    # P(X >= 3 | 3) = 1 - e^-3 (1 + 3 + 4.5) = 1 - 8.5 e^-3
    (3, 3.0, 0.5768099188731564),
])
def test_poisson_tail_on_hand_computed_cases(k, mu, by_hand):
    assert poisson_sf(k, mu) == pytest.approx(by_hand, rel=1e-8)


def test_the_tail_comes_from_scipy_and_stays_exact_far_out():
    from scipy.stats import poisson

    assert poisson_sf(25, 10.0) == poisson.sf(24, 10.0)
    rng = np.random.default_rng(7)
    k, mu = rng.integers(-3, 400, 20_000), rng.random(20_000) * 50
    mu[:100] = 0.0
    expected = np.where(k <= 0, 1.0, np.where(mu > 0, poisson.sf(k - 1, mu), 0.0))
    assert np.array_equal(poisson_sf_many(k, mu), expected)
    # 1 - cdf rounds to 0 here; the survival function keeps the tail (first term dominates)
    first = math.exp(-2 + 100 * math.log(2) - math.lgamma(101))
    assert first < poisson_sf(100, 2.0) < first * 1.03


def test_hotspot_table_follows_category_and_channel(tmp_path):
    start, end = dt.date(2025, 6, 1), dt.date(2025, 6, 8)
    t = dt.datetime.combine
    evs = [event(f"a{i}", t(start, dt.time(9 + i)), 120.01, 29.51, "G1") for i in range(6)]
    db = make_map_db(tmp_path / "cat.duckdb", evs)
    store = ReadStore(db)
    # mapdb's events are all 矛盾纠纷 with no channel
    assert list(emerging_hotspots(store, Settings(), start, end, category="矛盾纠纷")
                ["grid_id"]) == ["G1"]
    assert emerging_hotspots(store, Settings(), start, end, category="治安问题").empty
    assert emerging_hotspots(store, Settings(), start, end, channel="12345热线").empty
    table = hotspot_table(store, Settings(), start, end)
    assert table.loc[table["grid_id"] == "G1", "township_name"].item() == "甲镇"
    store.close()


def test_gi_star_on_a_hand_computed_line_of_five_grids():
    """Five grids in a row (A-B-C-D-E), x = 0, 0, 10, 0, 0; x̄ = 2, S = 4.
    C: (10 - 2·3) / (4 √((5·3 − 9)/4)) = 4 / (4 √1.5) = 0.8165;
    A: (0 - 2·2) / (4 √((10 − 4)/4)) = -4 / (4 √1.5) = -0.8165."""
    from store.hotspots import gi_star

    nb = {"A": ["B"], "B": ["A", "C"], "C": ["B", "D"], "D": ["C", "E"], "E": ["D"]}
    z = gi_star(pd.Series([0, 0, 10, 0, 0], index=list("ABCDE")), nb)
    assert z["C"] == pytest.approx(4 / (4 * math.sqrt(1.5)))
    assert z["A"] == pytest.approx(-4 / (4 * math.sqrt(1.5)))
    assert z["B"] == pytest.approx((10 - 6) / (4 * math.sqrt(1.5)))
    assert gi_star(pd.Series([3, 3, 3], index=list("ABC")), nb).isna().all()   # S = 0


def test_grid_neighbours_follow_shared_borders(tmp_path):
    from store.hotspots import grid_neighbours

    store = ReadStore(make_map_db(tmp_path / "nb.duckdb"))
    nb = grid_neighbours(store, Settings())
    # G1 | G2 | G3 side by side along the parallels: G1 and G3 do not touch
    assert sorted(nb["G2"]) == ["G1", "G3"] and nb["G1"] == ["G2"] and nb["G3"] == ["G2"]
    store.close()


@pytest.mark.parametrize("p, shown", [(0.5, "0.500"), (0.0123, "0.012"), (0.001, "0.001"),
                                      (0.00099, "<0.001"), (1e-320, "<0.001"), (0.0, "<0.001"),
                                      (float("nan"), "—"), (None, "—")])
def test_a_p_value_reads_the_same_on_every_screen(p, shown):
    """City-scale grids underflow the tail to 0: it read "0" in the briefing and "<1e-300"
    in the analysis table; every screen now says "<0.001" below a thousandth."""
    from dashboard.figures.numbers import p_value

    assert p_value(p) == shown


# --- since when: the onset of the rise (store.hotspots.onset) --------------------------------

def onset_by_hand(daily: list[int], rate: float) -> tuple[int, int]:
    """The stretch [d, end) with the largest N ln(N/E) − (N − E), E = rate × days, N > E;
    the latest d of equal ones; len(daily) when no stretch exceeds its baseline."""
    best, at = 0.0, len(daily)
    for d in range(len(daily)):
        n, e = sum(daily[d:]), rate * (len(daily) - d)
        llr = n * math.log(n / e) - (n - e) if n > e else 0.0
        if llr > 0 and llr >= best - 1e-12:
            best, at = llr, d
    return at, sum(daily[at:])


ONSET_CASES = [
    ([0, 0, 0, 0, 1, 0, 0, 3, 4, 5], 0.2, 7),    # a lone event days before is not the start
    ([0, 0, 0, 0, 0, 0, 0, 0, 0, 9], 0.2, 9),    # all on the last day
    ([2] * 10, 0.2, 0),                           # raised all along: the window's first day
    ([1] * 10, 1.0, 10),                          # at its baseline: no rise
    ([0] * 10, 0.1, 10),                          # nothing
    ([0, 0, 0, 0, 0, 2, 2, 2, 2, 2], 0.5, 5),
    ([3, 0, 0, 0, 0, 0, 0, 0, 0, 3], 0.25, 9),
]


@pytest.mark.parametrize("daily,rate,want", ONSET_CASES)
def test_onset_is_the_final_stretch_most_unlike_the_baseline(daily, rate, want):
    from store.hotspots import onset

    since, count = onset(np.array([daily]), np.array([rate]))
    assert (int(since[0]), int(count[0])) == onset_by_hand(daily, rate)
    assert since[0] == want


def test_onset_of_many_grids_at_once_is_each_grid_s_own():
    from store.hotspots import onset

    rng = np.random.default_rng(7)
    daily = rng.poisson(rng.uniform(0.1, 3, size=(40, 1)), size=(40, 30))
    daily[:, 20:] += rng.integers(0, 4, size=(40, 10))       # some rise in the last ten days
    rate = rng.uniform(0.2, 2.0, size=40)
    since, count = onset(daily, rate)
    assert [(int(s), int(c)) for s, c in zip(since, count)] == [
        onset_by_hand(list(map(int, row)), float(r)) for row, r in zip(daily, rate)]


def test_a_window_of_centuries_has_its_baseline_from_the_start_of_the_calendar(tmp_path):
    """/api/hotspots?start=1900-01-01&end=2999-01-01: four such windows before 1900 are
    before year 1, which raised OverflowError (HTTP 500); no event is that old, so the
    baseline is simply every event before the window (none here)."""
    t = dt.datetime.combine
    evs = [event(f"a{i}", t(dt.date(2025, 6, 1), dt.time(9 + i)), 120.01, 29.51, "G1")
           for i in range(6)]
    store = ReadStore(make_map_db(tmp_path / "wide.duckdb", evs))
    table = hotspot_table(store, Settings(), dt.date(1900, 1, 1), dt.date(2999, 1, 1))
    g1 = table.set_index("grid_id").loc["G1"]
    assert g1["k"] == 6 and g1["history"] == 0
    store.close()
