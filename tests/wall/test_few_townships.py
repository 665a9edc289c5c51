"""A township of 1-4 cases is 样本少 like a grid of so few (docs/metrics.md, Township ranking
and cards): its rates are not judged, so it is not ranked first nor carded green on them; a
card its red warnings earn still shows; it is listed after the townships of enough events.

Before, on the wall's 今日 (or a quiet week of the briefing) 乙镇's 2 cases closed on time
were 第1名 and 绿牌, above 丙镇's 12 and 甲镇's 10. Rows written exactly (tests/store/dbmaker.py);
the ranking read on DuckDB and on ClickHouse (chdb), one order on both; the wall's rows and
map hover from it; the briefing composed for real.
"""
from __future__ import annotations

import datetime as dt
import re

import docx
import pandas as pd
import pytest

from dashboard.briefing import document
from dashboard.briefing.word import _ranking
from dashboard.figures import wall_map
from dashboard.figures.briefing_theme import LIGHT
from dashboard.wall import ranking
from store import wall_reads as wr
from store.settings import Settings
from tests.briefing.composed import composed_week
from tests.engines import ENGINES, close_all, store_on
from tests.store.dbmaker import ev, make_db

D = dt.datetime
H = dt.timedelta(hours=1)
TOWNS = (("T1", "甲镇"), ("T2", "乙镇"), ("T3", "丙镇"), ("T4", "丁镇"))
GRIDS = (("G1", "一号网格", "T1", "V1"), ("G2", "二号网格", "T2", "V2"),
         ("G3", "三号网格", "T3", "V3"), ("G4", "四号网格", "T4", "V4"))
AS_OF = D(2025, 10, 1, 14, 37)                 # 今日: 1 October until then
WEEK, W11 = "2025-W11", D(2025, 3, 12)         # a week: 10-16 March, its Wednesday
JUDGED = ["T3", "T1"]                          # enough events: by their rates
FEW = ["T4", "T2"]                             # 样本少: most red warnings first


def _rows(day: D) -> list[tuple]:
    """甲镇: 10 cases of ``day``, 9 closed in an hour, 1 left open. 乙镇: 2, closed in an hour
    (100 % of 2: the old 第1名). 丙镇: 12, closed in an hour, and 1 open since the month
    before (a red warning: yellow). 丁镇: 1 closed in an hour, 7 open since the month before
    (7 red warnings > red_card_overdue 5: red on them alone)."""
    rows = []

    def cases(town, grid, n, prefix, closed=True):
        for i in range(n):
            at = day + dt.timedelta(hours=7, minutes=10 * i)
            rows.append(ev(f"{prefix}{i}", at, grid=grid, township=town, village="V" + town[1],
                           closed_at=at + H if closed else None))

    cases("T1", "G1", 9, "a")
    cases("T1", "G1", 1, "ao", closed=False)
    cases("T2", "G2", 2, "b")
    cases("T3", "G3", 12, "c")
    cases("T4", "G4", 1, "d")
    old = day - dt.timedelta(days=30)
    rows.append(ev("c-old", old, grid="G3", township="T3", village="V3"))
    rows += [ev(f"d-old{i}", old + i * H, grid="G4", township="T4", village="V4")
             for i in range(7)]
    return rows


@pytest.fixture(scope="module")
def today_db(tmp_path_factory):
    return make_db(tmp_path_factory.mktemp("few_towns") / "today.duckdb", _rows(D(2025, 10, 1)),
                   townships=TOWNS, grids=GRIDS)


@pytest.fixture(scope="module")
def week_db(tmp_path_factory):
    rows = _rows(W11)
    rows.append(ev("LAST", D(2025, 3, 17, 8), grid="G1", township="T1", village="V1",
                   closed_at=D(2025, 3, 17, 9)))          # W11 complete, as_of on W12's Monday
    return make_db(tmp_path_factory.mktemp("few_towns") / "week.duckdb", rows, townships=TOWNS,
                   grids=GRIDS, meta={"as_of_mode": "newest_report"})


def _ranked(db, engine, start, end, as_of) -> pd.DataFrame:
    store = store_on(engine, db)
    try:
        return wr.unit_ranking(store, Settings(), None, start, end, as_of)
    finally:
        close_all()
        if engine == "duckdb":
            store.close()


def _check(df: pd.DataFrame) -> None:
    by = df.set_index("code")
    assert list(df["code"]) == JUDGED + FEW, list(df["code"])       # was T2 first
    assert list(df["few"]) == [False, False, True, True]
    assert by.loc["T2", "card"] == "green"          # its red warnings earn none: shown as 样本少
    assert by.loc["T4", "card"] == "red"            # 7 red warnings: red whatever its rate
    assert by.loc["T3", "rank"] == 1


@pytest.mark.parametrize("engine", ENGINES)
def test_a_township_of_few_cases_is_ranked_after_the_others_today_and_on_a_week(
        today_db, week_db, engine):
    today = _ranked(today_db, engine, dt.date(2025, 10, 1), dt.date(2025, 10, 2), AS_OF)
    _check(today)
    week = _ranked(week_db, engine, W11.date() - dt.timedelta(days=2),
                   W11.date() + dt.timedelta(days=5), D(2025, 3, 17, 8))
    assert list(week["code"]) == JUDGED + FEW
    assert dict(zip(week["code"], week["card"]))["T4"] == "red"


def test_the_wall_row_and_map_hover_say_样本少_not_第1名(today_db):
    df = _ranked(today_db, "duckdb", dt.date(2025, 10, 1), dt.date(2025, 10, 2), AS_OF)
    rows = {r["props"]["data-code"]: r["props"] for r in ranking.ranking_rows(df, "township")}

    def texts(props):
        out = []
        for c in props["children"]:
            while isinstance(c, dict):
                c = c["props"].get("children")
            out.append(c)
        return out

    assert texts(rows["T3"])[:2] == ["1", "丙镇"] and "gw-rank-top" in rows["T3"]["className"]
    # no place, no green card: 样本少 and its rates dimmed (was 1 · 绿牌, top three)
    assert texts(rows["T2"]) == ["—", "乙镇", "样本少", "100.0%", "100.0%", "0"]
    assert "gw-rank-top" not in rows["T2"]["className"]
    assert "gw-rank-few" in rows["T2"]["className"]
    assert rows["T4"]["children"][2]["props"]["data-card"] == "red"
    assert rows["T4"]["title"] == "丁镇：样本少（1件），红牌"
    # kept in view when rows give way: the red one first, the uncarded 乙镇 last
    assert sorted(rows, key=lambda c: rows[c]["data-worst"]) == ["T4", "T3", "T1", "T2"]
    hover = dict(zip(df["code"], wall_map._hover(df, grid_level=False)))
    assert "样本少" in hover["T2"] and "第" not in hover["T2"] and "绿牌" not in hover["T2"]
    assert "样本少 红牌" in hover["T4"]
    assert "第1名" in hover["T3"]


def _cells(html: str, name: str) -> list[str]:
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", html, re.S) if f">{name}<" in r)
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", row, re.S)]


def test_the_briefing_ranks_it_after_the_others_without_a_green_card(week_db):
    b = composed_week(week_db, WEEK)
    assert list(b.ranking["code"]) == JUDGED + FEW
    html = document.slide_ranking(b, LIGHT)
    assert _cells(html, "丙镇")[:2] == ["1", "丙镇"]
    assert _cells(html, "乙镇")[:3] == ["—", "乙镇", "—"]           # was 1 · 绿牌
    assert _cells(html, "乙镇")[5] == "2 样本少"
    assert _cells(html, "丁镇")[0] == "—" and _cells(html, "丁镇")[2] == "红牌"
    lead = re.sub(r"<[^>]+>", "", re.search(r'<p class="lead">(.*?)</p>', html).group(1))
    assert "样本少未亮牌 1 个" in lead and "样本少的在后" in lead, lead
    d = docx.Document()
    _ranking(d, b)
    rows = [[c.text for c in r.cells] for r in d.tables[0].rows[1:]]
    assert [r[1] for r in rows] == ["丙镇", "甲镇", "丁镇", "乙镇"]
    assert rows[3][:3] == ["—", "乙镇", "—"] and rows[3][5] == "2（样本少）"
    assert rows[2][0] == "—" and rows[2][2] == "红牌"
