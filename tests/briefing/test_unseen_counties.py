"""The briefing on a county unlike the demo: 32 townships with long names, 3 grids each with
long names, loaded by the real ETL into a real DuckDB file. Each township's first grid has a
surge this week (a hotspot everywhere), the first 20 leave half of it open (problem grids with
red warnings), and 16 have more events than last week. The figures are counted here with
pandas from the rows written, not by the metrics module; the slides are laid out by Chromium.

What it holds: the Word document's lists are whole (问题网格 and 上升的镇街 were cut to 10
and 6, silently), the slides say how many more there are, and a long summary and long names
stay on their slides (the summary pushed its boxes into the footer and off the slide, the
hotspot table's rows and the map's hotspot list ran off the bottom).
"""
from __future__ import annotations

import datetime as dt
import json

import docx
import pandas as pd
import pytest

from dashboard.briefing import document
from dashboard.briefing.compose import compose
from dashboard.briefing.word import word_document
from dashboard.figures.briefing_theme import LIGHT
from etl.load import run_load
from store.db import ReadStore
from store.settings import Settings
from tests.etl.conftest import write_config, write_csv

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WEEK, START = "2025-W36", dt.datetime(2025, 9, 1)
AS_OF = dt.datetime(2025, 9, 8)
N_TOWNS, SIZE = 32, 0.01
NUMS = "一二三四五六七八九十"
CLOSE_H = 72


def _town(i: int) -> str:
    return f"第{i + 1}号{'东西南北中'[i % 5]}部经济技术开发区新城街道"


def _grid(i: int, g: int) -> str:
    return f"{NUMS[g]}号社区第{NUMS[i % 10]}网格（老城片区幸福里小区{i + 1}）"


def _rows() -> pd.DataFrame:
    """Last week (on file from its Monday, so it is compared): 2 events a grid, closed in
    10 h. This week: 5 + i % 4 on each township's
    first grid, reported Monday to Wednesday; in the first 20 townships every second one is
    still open (red at the week's end), the others closed in 10 h. One report next Monday."""
    rows = []
    for i in range(N_TOWNS):
        for g in range(3):
            for j in range(2):
                rep = dt.datetime(2025, 8, 25, 8) + dt.timedelta(hours=3 * j + g)
                rows.append((f"P{i:02d}{g}{j}", i, g, rep, rep + dt.timedelta(hours=10)))
        for j in range(5 + i % 4):
            rep = START + dt.timedelta(hours=8 + 7 * j)
            open_ = i < 20 and j % 2 == 0
            rows.append((f"N{i:02d}{j}", i, 0, rep, None if open_ else rep + dt.timedelta(hours=10)))
    # one report on the next Monday: the feed ran on past the week
    rows.append(("M0001", 0, 1, AS_OF + dt.timedelta(hours=8), None))
    return pd.DataFrame(rows, columns=["id", "town", "grid", "reported_at", "closed_at"])


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    folder = tmp_path_factory.mktemp("long_names")
    feats = []
    for i in range(N_TOWNS):
        for g in range(3):
            x0, y0 = 120.0 + (3 * i + g) % 12 * SIZE, 30.0 + (3 * i + g) // 12 * SIZE
            feats.append({"type": "Feature", "properties": {
                "网格编号": f"B{i:02d}G{g}", "网格名称": _grid(i, g), "所属镇街": _town(i),
                "镇街编码": f"B{i:02d}"}, "geometry": {"type": "Polygon", "coordinates": [[
                    [x0, y0], [x0 + SIZE, y0], [x0 + SIZE, y0 + SIZE], [x0, y0 + SIZE],
                    [x0, y0]]]}})
    (folder / "grids.geojson").write_text(json.dumps(
        {"type": "FeatureCollection", "features": feats}, ensure_ascii=False), encoding="utf-8")
    ev = _rows()

    def t(v):
        return "" if v is None or pd.isna(v) else f"{v:%Y-%m-%d %H:%M:%S}"
    write_csv(folder / "events.csv",
              ["事件编号", "上报时间", "事件类型", "经度", "纬度", "办结时间", "状态"],
              [[r.id, t(r.reported_at), "矛盾纠纷",
                f"{120.0 + (3 * r.town + r.grid) % 12 * SIZE + SIZE / 2:.6f}",
                f"{30.0 + (3 * r.town + r.grid) // 12 * SIZE + SIZE / 2:.6f}",
                t(r.closed_at), "处置中" if pd.isna(r.closed_at) else "已办结"]
               for r in ev.itertuples()])
    cfg = write_config(folder, [{"kind": "grids", "path": "grids.geojson"},
                                {"kind": "events", "path": "events.csv"}], {"name": "长名县"})
    db = folder / "county.duckdb"
    run_load(db, cfg, progress=False)
    store = ReadStore(db)
    try:
        b = compose(store, Settings(), WEEK, "county")
    finally:
        store.close()
    return folder, ev, b


def _independent(ev: pd.DataFrame):
    """Problem grids and rising townships counted from the rows (docs/metrics.md,
    docs/briefing.md): a grid with >= 5 events this week and a red or yellow card, or fewer
    with a red warning; a township with more valid events this week than last."""
    week = ev[(ev.reported_at >= START) & (ev.reported_at < AS_OF)]
    last = ev[(ev.reported_at >= START - dt.timedelta(7)) & (ev.reported_at < START)]
    open_ = ev.closed_at.isna() | (ev.closed_at > AS_OF)
    red = ev[open_ & ((AS_OF - ev.reported_at) / pd.Timedelta(hours=1) > CLOSE_H)]
    problem = 0
    for (i, g), grid in week.groupby(["town", "grid"]):
        n_red = int(((red.town == i) & (red.grid == g)).sum())
        closed = grid.closed_at.notna() & (grid.closed_at <= AS_OF)
        on_time = closed & ((grid.closed_at - grid.reported_at) / pd.Timedelta(hours=1) <= CLOSE_H)
        due = closed.sum() + (~closed & ((AS_OF - grid.reported_at) / pd.Timedelta(hours=1)
                                         > CLOSE_H)).sum()
        rate = on_time.sum() / due if due else None
        carded = n_red > 0 or (rate is not None and rate < 0.95)
        problem += (len(grid) >= 5 and carded) or (len(grid) < 5 and n_red > 0)
    now, before = week.town.value_counts(), last.town.value_counts()
    rising = int((now > before.reindex(now.index, fill_value=0)).sum())
    return problem, rising


def test_the_word_document_lists_every_problem_grid_and_rising_township(county, tmp_path):
    _, ev, b = county
    problem, rising = _independent(ev)
    assert problem == 20 and rising == 16        # more than either slide holds
    d = docx.Document(str(word_document(b, {}, tmp_path / "b.docx")))
    tables = [[[c.text for c in r.cells] for r in t.rows] for t in d.tables]
    worst = next(t for t in tables if t[0][:3] == ["网格", "镇街", "本周上报"])
    places = next(t for t in tables if t[0][:2] == ["镇街", "本周"])
    assert len(worst) - 1 == problem
    assert len(places) - 1 == rising
    assert {r[0] for r in places[1:]} == {_town(i) for i in range(N_TOWNS) if i % 4 >= 2}


def test_the_slides_say_how_many_more_problem_grids_and_rising_townships(county):
    _, ev, b = county
    problem, rising = _independent(ev)
    worst = document.slide_worst(b, LIGHT)
    rises = document.slide_rises(b)
    assert worst.count("<tr>") - 1 == 10             # the slide holds 10 rows, 6 of each rise
    assert f"另有 {problem - 10} 个问题网格未列出" in worst
    assert f"另有 {rising - 6} 个上升的镇街未列出" in rises


BELOW = """() => [...document.querySelectorAll('section.slide')].map(s => {
    const box = s.getBoundingClientRect();
    const foot = s.querySelector('footer').getBoundingClientRect().top;
    let right = 0, bottom = 0, what = '';
    const clipped = e => {      // inside a box that cuts it (a name ending in …): not shown
        for (let a = e.parentElement; a && a !== s; a = a.parentElement)
            if (getComputedStyle(a).overflow !== 'visible') return true;
        return false;
    };
    for (const e of s.querySelectorAll('.body *')) {
        const b = e.getBoundingClientRect();
        if (!b.width || !b.height || clipped(e)) continue;
        if (b.right - box.right > right) { right = b.right - box.right; what = e.outerHTML.slice(0, 80); }
        if (b.bottom - box.bottom > bottom) { bottom = b.bottom - box.bottom; what = e.outerHTML.slice(0, 80); }
    }
    const summary = s.querySelector('.points');
    const intoFooter = summary ? summary.getBoundingClientRect().bottom - foot : 0;
    return {slide: s.id, right: Math.round(right), bottom: Math.round(bottom),
            intoFooter: Math.round(intoFooter), what};
})"""


def test_long_names_and_a_long_summary_stay_on_their_slides(county, chromium, tmp_path):
    _, _, b = county
    assert len(b.summary) > 250 and len(b.hotspots) == N_TOWNS
    html = tmp_path / "light.html"
    html.write_text(document.document(b, LIGHT, None), encoding="utf-8")
    page = chromium.new_page(viewport={"width": 1280, "height": 720})
    try:
        page.goto(html.as_uri())
        page.wait_for_function("() => window.__briefingReady || window.__briefingError",
                               timeout=60_000)
        spilled = [s for s in page.evaluate(BELOW)
                   if s["right"] > 1 or s["bottom"] > 1 or s["intoFooter"] > 0]
        assert spilled == [], spilled
        # its first weeks: the baseline note shares the column, one hotspot fewer is listed
        assert b.hot_short and document.map_listed(b) == document.MAP_LISTED - 1
        assert f"另有 {N_TOWNS - document.map_listed(b)} 处，见地图轮廓" in page.inner_text(
            "#slide-map")
        assert "基线含无数据时段" in page.inner_text("#slide-rises")
    finally:
        page.close()
