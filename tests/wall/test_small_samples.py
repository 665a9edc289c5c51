"""The wall's colours on a county it has not seen: a rate over a handful of cases is not
judged (no green 100 % for 1 of 1, docs/metrics.md), 'no data' is grey, and a figure that
has no previous period says why. Rows written exactly (tests/store/dbmaker.py), read on
DuckDB and on ClickHouse (chdb) through the panels' own read and outputs."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from flask import Flask
from flask_caching import Cache

from dashboard.context import AppContext
from dashboard.figures import theme
from dashboard.wall import gauges, grid_card, kpis
from dashboard.wall.view import View
from store.settings import Settings
from tests.engines import ENGINES, close_all, store_on
from tests.store.dbmaker import ev, make_db

D = dt.datetime
AS_OF = D(2025, 10, 1, 14, 37, 12, 500000)      # mid-day, the first of a month
TODAY = (dt.date(2025, 10, 1), dt.date(2025, 10, 2))
TOWNS = (("T1", "甲镇"), ("T2", "乙镇"), ("T3", "丙镇"))
GRIDS = (("G1", "一号网格", "T1", "V1"), ("G2", "二号网格", "T1", "V1"),
         ("G3", "三号网格", "T2", "V2"), ("G4", "四号网格", "T3", "V3"))


def _events():
    one = D(2025, 10, 1, 8)
    rows = [ev("one", one, grid="G1", accepted_at=one + dt.timedelta(hours=1),
               dispatched_at=one + dt.timedelta(hours=2), closed_at=one + dt.timedelta(hours=3),
               satisfaction="satisfied", level="grid"),
            # two of 甲镇's cases open since September: red, whatever the window
            ev("old1", D(2025, 9, 20, 9), grid="G2"), ev("old2", D(2025, 9, 21, 9), grid="G2")]
    for i in range(6):           # 乙镇: six cases of the day, each closed on time and rated
        t = D(2025, 10, 1, 7 + i)
        rows.append(ev(f"b{i}", t, grid="G3", township="T2", village="V2",
                       accepted_at=t + dt.timedelta(minutes=30),
                       dispatched_at=t + dt.timedelta(hours=1),
                       closed_at=t + dt.timedelta(hours=2), satisfaction="satisfied"))
    rows.append(ev("void", D(2025, 10, 1, 9), grid="G4", township="T3", village="V3",
                   status="invalid"))            # 丙镇: only an invalid event
    return rows


@pytest.fixture(params=ENGINES)
def ctx(request, tmp_path):
    db = make_db(tmp_path / "small.duckdb", _events(), townships=TOWNS, grids=GRIDS,
                 cameras=[("c1", "online", "G1", "T1"), ("c2", "offline", "G1", "T1")])
    cache = Cache(Flask(__name__), config={"CACHE_TYPE": "NullCache"})
    yield AppContext(store=store_on(request.param, db), settings=Settings(), cache=cache)
    close_all()


def _view(township=None, grid=None) -> View:
    return View(township=township, grid=grid, as_of=AS_OF, start=TODAY[0], end=TODAY[1], days=1,
                window="today", label="今日")


def _tiles(ctx, township):
    v = _view(township)
    out = kpis.outputs(kpis.read(ctx, v), v)
    names = [k for k, _l, _u in kpis.KPIS]
    subs = dict(zip(names, out[1:9]))
    deltas = dict(zip(names, out[17:25]))
    return out[0], subs, deltas


def test_a_rate_of_one_case_is_not_a_green_hundred_percent(ctx):
    """甲镇 on 今日: one case, closed in 3 hours, rated satisfied: 办结率, 按期办结率 and
    满意率 are each 1 of 1 (100 %), fewer than [wall] ranking_min_events (5) cases: no status
    colour, and each tile says 样本少1件. 乙镇's 6 of 6 stays green."""
    values, subs, _d = _tiles(ctx, "T1")
    for key in ("handling", "ontime", "satisfaction"):
        assert values[key]["value"] == 100.0, key
        assert values[key]["tone"] is None, (key, values[key])        # was "green"
        assert subs[key] == "10-01 · 样本少1件", (key, subs[key])
    assert values["red"]["tone"] == "red"                  # two red warnings are still red
    v2, subs2, _d = _tiles(ctx, "T2")
    assert all(v2[k]["tone"] == "green" for k in ("handling", "ontime", "satisfaction"))
    assert "样本少" not in "".join(subs2.values())

    gauge_out = gauges.outputs(gauges.read(ctx, _view("T1")), _view("T1"))
    for fig in gauge_out[:4]:
        assert fig["data"][0]["number"]["font"]["color"] == theme.ACCENT     # not green
    assert gauge_out[5:] == ["样本少1件"] * 4              # in place of 目标 98% …
    t2 = gauges.outputs(gauges.read(ctx, _view("T2")), _view("T2"))
    assert all(fig["data"][0]["number"]["font"]["color"] == theme.GREEN for fig in t2[:4])
    assert t2[5:] == ["目标 98%", "目标 95%", "目标 95%", "目标 95%"]


def test_no_data_is_grey_and_cameras_say_why_they_have_no_change(ctx):
    """丙镇 has only an invalid event: no rate (—), grey, not the accent of a figure. Cameras
    keep their status now only: 视频在线 says 无往期状态 rather than a bare '—'."""
    values, _s, deltas = _tiles(ctx, "T3")
    for key in ("handling", "ontime", "satisfaction", "cameras"):
        assert values[key]["value"] is None and values[key]["tone"] == "none", key
    _v, _s, deltas = _tiles(ctx, "T1")
    assert deltas["cameras"] == "环比 无往期状态"
    assert deltas["red"] != "环比 无往期状态"


def test_the_grid_card_of_a_grid_with_few_events_says_so_as_its_ranking_row_does(ctx):
    """一号网格: 1 cohort event (< 5): its ranking row says 样本少; its card showed 100.0 %
    twice beside it, as proud as a grid of hundreds. 三号网格 (6 events) is judged."""
    def card(grid, town):
        v = _view(town, grid)
        _cls, _title, body = grid_card.outputs(grid_card.read(ctx, v), v)
        return json.dumps([c.to_plotly_json() if hasattr(c, "to_plotly_json") else c
                           for c in body], ensure_ascii=False,
                          default=lambda o: o.to_plotly_json())

    few = card("G1", "T1")
    assert "样本少" in few and few.count('"data-few": "1"') == 2
    assert few.count("100.0%") == 2                       # the rates are still shown
    assert "gw-gc-few" in few
    judged = card("G3", "T2")
    assert "样本少" not in judged and "gw-gc-few" not in judged
