"""A city's counts are printed with thousands separators wherever the briefing writes them:
the summary's 超期未办结3,500件（上周末1,100件）, its boxes, the overdue chart's bars
(3,500 件（+2,400）), as the key-figure tiles print 475,935. Before, the same paragraph
said 共受理事件192,074件 and 超期未办结475935件, a figure the Monday meeting read digit by
digit. A small real DuckDB county with thousands of open cases, composed for real."""
from __future__ import annotations

import datetime as dt
import re

import duckdb
import pandas as pd
import pytest

from dashboard.briefing import document
from dashboard.briefing.compose import summary
from dashboard.figures.briefing_charts import overdue_figure, week_trend_figure
from dashboard.figures.briefing_theme import LIGHT
from tests.briefing.composed import composed_week
from tests.store.dbmaker import EVENT_COLS, ev, make_db

W10 = dt.datetime(2025, 3, 3)            # the data begins here; the briefing is of W11
BARE = re.compile(r"(?<![\d,.])\d{4,}(?![\d,年])")   # 1000+ unseparated (not a year)


def _reports(rows: list, monday: dt.datetime, n: int, tag: str, category: str) -> None:
    """``n`` open reports a minute apart from Monday 00:00 (all past 72 h by next Monday)."""
    for i in range(n):
        at = monday + dt.timedelta(minutes=i)
        rows.append(ev(f"{tag}{i}", at, category=category, grid="G1" if i % 2 else "G3",
                       township="T1" if i % 2 else "T2"))


@pytest.fixture(scope="module")
def briefing(tmp_path_factory):
    """W10: 1,100 open 矛盾纠纷; W11: 2,400 open 安全隐患; one report on W12's Monday so
    W11 is complete. At W12 00:00 all 3,500 are red (1,100 a week earlier)."""
    rows: list = []
    _reports(rows, W10, 1100, "A", "矛盾纠纷")
    _reports(rows, W10 + dt.timedelta(days=7), 2400, "B", "安全隐患")
    rows.append(ev("C0", W10 + dt.timedelta(days=14, hours=8)))
    db = make_db(tmp_path_factory.mktemp("city") / "c.duckdb", [],
                 meta={"as_of_mode": "newest_report"})
    con = duckdb.connect(str(db))
    frame = pd.DataFrame(rows, columns=list(EVENT_COLS))   # thousands of rows: one insert
    con.execute(f"INSERT INTO events ({', '.join(EVENT_COLS)}) SELECT * FROM frame")
    return composed_week(db, "2025-W11", con)


def test_the_summary_prints_every_count_with_separators(briefing):
    b = briefing
    assert int(b.now["red"]) == 3500 and int(b.before["red"]) == 1100   # the fixture holds
    text = summary(b)
    assert "共受理事件2,400件" in text
    assert "增加2,400件" in text
    assert "超期未办结3,500件（上周末1,100件）" in text
    assert "甲镇（1,750件）" in text and "未指派最多（3,500件）" in text
    assert not BARE.findall(text), text


def test_the_summary_slide_boxes_and_the_overdue_bars_too(briefing):
    b = briefing
    boxes = document._points(b)
    assert "<b>+2,400</b> 件" in boxes and "<b>1,750</b> 件" in boxes
    assert not BARE.findall(re.sub(r"<[^>]+>", "", boxes)), boxes
    fig = overdue_figure(b.overdue_place, b.overdue_dept, LIGHT)
    texts = [t for trace in fig.data for t in trace.text]
    assert "3,500 件（+2,400） · 最久 14 天" in texts, texts
    assert not any(BARE.findall(t) for t in texts), texts


def test_the_daily_trend_labels_its_bars_alike(briefing):
    b = briefing
    fig = week_trend_figure(b.trend_now, b.trend_before, LIGHT)
    labels = list(fig.data[0].text)
    assert labels[:2] == ["1,440", "960"], labels        # Monday 00:00-24:00, then Tuesday
    assert not any(BARE.findall(t) for t in labels), labels


def test_a_week_without_a_last_week_keys_no_last_week_line(briefing):
    """A first week (no data the week before) drew no 上周上报 line but its legend still
    listed one; a week with a last week keeps it."""
    b = briefing
    keyed = {t.name: t.showlegend is not False
             for t in week_trend_figure(b.trend_now, b.trend_before, LIGHT).data}
    assert keyed["上周上报"] and keyed["本周上报"] and keyed["本周办结"]
    none = b.trend_before.assign(reported=float("nan"))
    keyed = {t.name: t.showlegend is not False
             for t in week_trend_figure(b.trend_now, none, LIGHT).data}
    assert not keyed["上周上报"] and keyed["本周上报"] and keyed["本周办结"]
