"""A wall rate with an empty denominator (docs/metrics.md) says why under its "—", as the
briefing's gauges do: a county whose export has no 流转时间 and no ratings, rows written
exactly (tests/store/dbmaker.py), read on DuckDB and on ClickHouse (chdb) through the
gauge and KPI panels' own read and outputs."""
from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from flask_caching import Cache

from dashboard.context import AppContext
from dashboard.figures import theme
from dashboard.wall import gauges, kpis
from dashboard.wall.view import View
from store.settings import Settings
from tests.engines import ENGINES, close_all, store_on
from tests.store.dbmaker import ev, make_db

D = dt.datetime
AS_OF = D(2025, 10, 20, 15, 0)
WINDOW = (dt.date(2025, 10, 1), dt.date(2025, 10, 21))
TOWNS = (("T1", "甲镇"), ("T2", "乙镇"), ("T3", "丙镇"))
GRIDS = (("G1", "一号网格", "T1", "V1"), ("G2", "二号网格", "T2", "V2"),
         ("G3", "三号网格", "T3", "V3"))


def _events():
    """甲镇: 12 cases accepted and closed, none dispatched (no 流转时间 in the export) and none
    rated. 乙镇: 6 cases reported an hour before as_of, open inside their 72 h limit: none
    due yet. 丙镇: nothing in the window."""
    rows = []
    for i in range(12):
        t = D(2025, 10, 2 + i, 9)
        rows.append(ev(f"a{i}", t, grid="G1", accepted_at=t + dt.timedelta(hours=1),
                       closed_at=t + dt.timedelta(hours=30 if i % 4 else 90)))
    for i in range(6):
        rows.append(ev(f"b{i}", AS_OF - dt.timedelta(hours=1, minutes=i), grid="G2",
                       township="T2", village="V2"))
    return rows


@pytest.fixture(params=ENGINES, scope="module")
def ctx(request, tmp_path_factory):
    db = make_db(tmp_path_factory.mktemp("norate") / "norate.duckdb", _events(),
                 townships=TOWNS, grids=GRIDS)
    cache = Cache(Flask(__name__), config={"CACHE_TYPE": "NullCache"})
    yield AppContext(store=store_on(request.param, db), settings=Settings(), cache=cache)
    close_all()


def _view(township=None) -> View:
    return View(township=township, grid=None, as_of=AS_OF, start=WINDOW[0], end=WINDOW[1],
                days=20, window="custom", label="自选时段")


def _gauges(ctx, township):
    """{rate: (number shown?, the texts written on the gauge)}."""
    v = _view(township)
    figs = gauges.outputs(gauges.read(ctx, v), v)[:4]
    out = {}
    for key, fig in zip(gauges.GAUGES, figs):
        shown = fig["data"][0]["number"]["font"]["color"] != "rgba(0,0,0,0)"
        out[key] = (shown, [a["text"] for a in fig["layout"].get("annotations", [])])
    return out


def _subs(ctx, township):
    v = _view(township)
    out = kpis.outputs(kpis.read(ctx, v), v)
    names = [k for k, _l, _u in kpis.KPIS]
    return out[0], dict(zip(names, out[1:9]))


def test_a_county_without_dispatch_times_or_ratings_says_why_its_gauges_have_no_rate(ctx):
    """甲镇: 办结率 and 按期办结率 are shown (12 closed, 3 late); 及时流转率 and 满意率 have
    no denominator: '—' and under it 本期无流转事件 / 本期无满意度评价 (was a bare '—')."""
    g = _gauges(ctx, "T1")
    assert g["handling_rate"] == (True, []) and g["on_time_rate"] == (True, [])
    assert g["timely_dispatch_rate"] == (False, [theme.DASH, "本期无流转事件"])
    assert g["satisfaction_rate"] == (False, [theme.DASH, "本期无满意度评价"])
    values, subs = _subs(ctx, "T1")
    assert values["satisfaction"]["value"] is None
    assert subs["satisfaction"] == "本期无满意度评价"               # was the window alone
    assert subs["handling"] == subs["ontime"] == "10-01至10-20"


def test_cases_not_yet_due_and_a_township_without_cases_say_which_cases_are_missing(ctx):
    """乙镇: 6 cases, none due: 办结率 0 % is a rate, 按期办结率 has none (本期无应办结事件,
    not 0 %). 丙镇: no case at all: 本期无有效事件 first."""
    g = _gauges(ctx, "T2")
    assert g["handling_rate"] == (True, [])
    assert g["on_time_rate"] == (False, [theme.DASH, "本期无应办结事件"])
    _v, subs = _subs(ctx, "T2")
    assert subs["ontime"] == "本期无应办结事件"
    g = _gauges(ctx, "T3")
    assert g["handling_rate"][1] == [theme.DASH, "本期无有效事件"]
    assert g["satisfaction_rate"][1] == [theme.DASH, "本期无满意度评价"]
    _v, subs = _subs(ctx, "T3")
    assert (subs["handling"], subs["ontime"]) == ("本期无有效事件", "本期无应办结事件")


def test_the_reason_sits_below_the_arc_in_a_margin_of_its_own():
    """The line is wider than the arc's opening: it goes in the bottom margin, which only a
    gauge without a rate takes (a gauge with one keeps its size)."""
    spec = gauges.gauge_spec(None, 0.95, why="本期无流转事件")
    note = spec["layout"]["annotations"][1]
    assert note["y"] == 0 and note["yanchor"] == "top"
    assert note["font"]["size"] >= theme.FONT_SIZE
    assert spec["layout"]["margin"]["b"] >= note["font"]["size"] + 4
    assert gauges.gauge_spec(0.9, 0.95)["layout"]["margin"]["b"] < theme.FONT_SIZE
