"""A gauge without a figure says why, and one without last week's says it is not compared.

docs/metrics.md: a rate whose denominator is 0 is "—". On the briefing's gauge slide a bare
"—" under 及时流转率 (a county whose export has no 流转时间, so no event is ever dispatched)
or 满意率 (no rating) read as a broken chart in front of the leaders; and in a county's first
week the four gauges stood under the title 与上周比较 with nothing under them at all. A real
DuckDB county (tests/store/dbmaker.py), composed for real.
"""
from __future__ import annotations

import datetime as dt

import pytest

from dashboard.briefing import document
from dashboard.figures.briefing_charts import gauges_figure
from dashboard.figures.briefing_theme import LIGHT
from tests.briefing.composed import composed_week
from tests.store.dbmaker import ev, make_db

W10 = dt.datetime(2025, 3, 3)


def _db(tmp_path, weeks):
    """Four reports a day in each of ``weeks`` (weeks after W10), closed in 5 h, never
    dispatched (no 流转时间 in the export) nor rated; one report on the Monday after."""
    rows = [ev(f"E{w}{d}{i}", W10 + dt.timedelta(days=7 * w + d, hours=8 + i),
               closed_at=W10 + dt.timedelta(days=7 * w + d, hours=13 + i))
            for w in weeks for d in range(7) for i in range(4)]
    last = W10 + dt.timedelta(days=7 * (max(weeks) + 1), hours=8)
    rows.append(ev("LAST", last, closed_at=last + dt.timedelta(hours=1)))
    return make_db(tmp_path / "c.duckdb", rows, meta={"as_of_mode": "newest_report"})


def _texts(b) -> dict[str, list[str]]:
    """Each gauge's annotation texts, by the gauge's title (annotations sit over their
    gauge's middle)."""
    fig = gauges_figure(b.now, b.before, b.targets, LIGHT, b.compared)
    titles = {round(a.x, 3): a.text.strip("<b>/") for a in fig.layout.annotations
              if a.text.startswith("<b>")}
    out: dict[str, list[str]] = {t: [] for t in titles.values()}
    for a in fig.layout.annotations:
        out[titles[round(a.x, 3)]].append(a.text)
    return out


def test_a_gauge_without_a_rate_says_why(tmp_path):
    b = composed_week(_db(tmp_path, [0, 1]), "2025-W11")
    assert b.compared and b.now["reported"] == 28
    # the definition: no cohort event dispatched, none rated -> no rate (metrics.md)
    assert b.now["timely_dispatch_rate"] is None and b.now["satisfaction_rate"] is None
    texts = _texts(b)
    assert "本周无流转事件" in texts["及时流转率"]
    assert "本周无满意度评价" in texts["满意率"]
    assert any("较上周" in t for t in texts["办结率"])       # a compared rate keeps its change


def test_a_first_week_gauge_says_it_is_not_compared(tmp_path):
    b = composed_week(_db(tmp_path, [1]), "2025-W11")       # the data starts this Monday
    assert not b.compared and b.now["handling_rate"] == 1.0
    texts = _texts(b)
    assert "不作环比" in texts["办结率"] and "不作环比" in texts["按期办结率"]
    gauges = document.slide_gauges(b, LIGHT)
    assert "与上周比较" not in gauges and "上周无完整数据，不作环比" in gauges
