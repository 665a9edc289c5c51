"""Defects a review of /analysis found on counties the project had not seen: each test
fails on the code before its fix (docs/analysis.md says what the page should do)."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from store import analysis_reads as ar
from store import hotspots as hs_store
from store import metrics as m
from store.analysis_filters import parse_filters
from store.db import ReadStore
from store.settings import Settings
from tests.analysis.analysisdb import event, make_db

PINNED = dt.datetime(2025, 6, 11, 15, 30)        # a Wednesday afternoon
WEEK = (dt.date(2025, 6, 9), dt.date(2025, 6, 16))


@pytest.fixture(scope="module")
def pinned_db(tmp_path_factory):
    """Three kinds over this week and the one before, and reports after the pinned as_of:
    two later on its own day, three on the following days (data loaded after as_of, as in
    a county whose settings pin as_of before its newest reports)."""
    t = dt.datetime.combine
    evs = []
    for w in (0, 1):
        for i in range(9):
            day = WEEK[0] - dt.timedelta(days=7 * w) + dt.timedelta(days=i % 3)
            evs.append(event(f"W{w}-{i}", t(day, dt.time(8 + i)), ("G1", "G2", "G3")[i % 3],
                             category=("矛盾纠纷", "环境卫生", "治安问题")[i % 3]))
    evs += [event("L1", PINNED + dt.timedelta(hours=1), "G2", category="矛盾纠纷"),
            event("L2", PINNED + dt.timedelta(hours=3), "G3", category="治安问题"),
            event("N1", t(dt.date(2025, 6, 12), dt.time(0)), "G1", category="环境卫生"),
            event("N2", t(dt.date(2025, 6, 13), dt.time(9)), "G1", category="矛盾纠纷"),
            event("N3", t(dt.date(2025, 6, 14), dt.time(9)), "G3", category="治安问题")]
    return make_db(tmp_path_factory.mktemp("pinned") / "pinned.duckdb", evs)


@pytest.mark.parametrize("sparse", [0.0, 1.0])
def test_trend_legend_and_matrix_count_one_cohort_and_draw_no_day_after_as_of(
        pinned_db, monkeypatch, sparse):
    """本周 with as_of pinned on Wednesday 15:30 and reports after it: the trend draws the
    days up to Wednesday only (it drew Thursday to Saturday, the days that had data), and
    its legend totals add to the matrix's count and /api/metrics' 上报数 (they counted only
    reports up to as_of: 47 against the matrix's 52 on the review's county)."""
    monkeypatch.setattr(ar, "SPARSE_PER_DAY", sparse)
    store, settings = ReadStore(pinned_db), Settings()
    f = parse_filters(store, settings, {"window": "week", "as_of": PINNED.isoformat()})
    assert (f.start, f.end) == WEEK
    df = ar.trend_by_category(store, settings, f)
    assert df["period"].max() == pd.Timestamp(PINNED.date())
    assert df["period"].min() == pd.Timestamp(WEEK[0])
    totals = df.groupby("category")["total"].first()
    matrix = int(ar.hour_weekday(store, settings, f).sum())
    reported = m.metrics(store, settings, start=f.start, end=f.end, as_of=f.as_of)["reported"]
    assert int(totals.sum()) == matrix == reported == 14
    # the week before, the same stretch: Monday to Wednesday 15:30 of last week (its
    # Wednesday 16:00 report came later)
    assert {c: int(p) for c, p in df.groupby("category")["prev"].first().items()} == {
        "治安问题": 2, "环境卫生": 3, "矛盾纠纷": 3}


def test_the_short_history_caveat_is_said_only_beside_hotspots(planted_app):
    """基线含无数据时段…热点偏多 warns of too many hotspots: beside an empty window's zero
    hotspots it said the opposite of what the table showed."""
    from dashboard.analysis.hotspot_panel import caption_text
    from dashboard.analysis.views import hotspot_view

    ctx = planted_app.server.config["GRIDWALL_CTX"]
    as_of = "2025-06-15T23:00:00"
    for args, hot in (({"start": "2025-01-01", "end": "2025-01-08"}, False),   # no data
                      ({"start": "2025-06-02", "end": "2025-06-16"}, True)):   # G2 rises
        f = parse_filters(ctx.store, ctx.settings, {**args, "as_of": as_of})
        assert ctx.cached(hs_store.short_history, f.start, f.end)
        assert (not hotspot_view(ctx, f).empty) == hot
        text = caption_text(ctx, f, hot=hot)
        assert ("热点偏多" in text) == hot, text
        assert text.startswith(f"{f.start:%m-%d} 至")


def test_the_3d_view_is_fitted_to_the_columns_tops_not_only_the_outline():
    """A column 2.5 km tall (a quarter of a 10 km county's width) at the county's far
    (north) edge: fitted to the outline, its top stood above the view; fitted with the
    columns' tops it is inside the top margin, and the outline still is."""
    import numpy as np

    from dashboard.figures.deck_density import fit_view
    from layers import deck_camera as dc
    from layers.deck_density import column_tops

    outline = [(120.0, 29.5), (120.1, 29.5), (120.1, 29.58), (120.0, 29.58)]
    bounds = (120.0, 29.5, 120.1, 29.58)
    cells = pd.DataFrame({"lon": [120.05, 120.02, 120.08], "lat": [29.578, 29.52, 29.53],
                          "n": [40, 3, 2]})
    size, pitch, bearing, height = (1120, 482), 45.0, -12.0, 2500.0
    tops = column_tops(cells, radius_m=400, max_height_m=height)
    assert max(tops[1]) == height and len(tops[0]) == 3

    def top_y(view, pts, heights):
        world = dc._mercator(np.asarray(pts))
        centre = dc._mercator(np.array([[view.longitude, view.latitude]]))[0]
        up = dc.world_up(heights, view.latitude)
        return dc.screen_offsets(world, centre, view.zoom, size[1], pitch, bearing, up)[:, 1]

    limit = size[1] / 2 - 0.06 * size[1] + 1.0            # the top margin, 1 px of rounding
    old = fit_view(outline, bounds, size, pitch, bearing)
    new = fit_view(outline, bounds, size, pitch, bearing, tops)
    assert top_y(old, *tops).max() > size[1] / 2              # ran out of the view
    assert top_y(new, *tops).max() <= limit
    assert top_y(new, outline, [0.0] * 4).max() <= limit


def test_a_trend_of_a_few_days_has_one_tick_a_day(pinned_db):
    """本周 on a Wednesday draws three days: plotly put a tick every 12 hours, so each
    day's label (%m-%d) was said twice (11-16, 11-16, 11-17, …)."""
    from dashboard.figures.category_trend import category_trend_figure

    store, settings = ReadStore(pinned_db), Settings()
    f = parse_filters(store, settings, {"window": "week", "as_of": PINNED.isoformat()})
    fig = category_trend_figure(ar.trend_by_category(store, settings, f))
    ticks = [pd.Timestamp(t) for t in fig.layout.xaxis.tickvals]
    assert ticks == list(pd.date_range(WEEK[0], PINNED.date()))
