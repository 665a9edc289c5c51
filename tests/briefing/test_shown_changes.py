"""A change printed beside two rounded figures is the change of those figures: 办结时长
5.5 → 5.9 小时 reads ▲0.4 小时 (the unrounded 5.54 and 5.86 gave ▲0.3), 92.9% → 92.3%
reads ▼0.6 个百分点 (not ▼0.5), in the key-figures table (slide and Word), the gauges, the
summary and the mediation tiles alike. A small real DuckDB county, composed for real."""
from __future__ import annotations

import datetime as dt
import re

import duckdb
import pytest

from dashboard.briefing import document
from dashboard.briefing.word import key_rows, mediation_text
from dashboard.figures.briefing_charts import gauges_figure
from dashboard.figures.briefing_theme import LIGHT
from tests.briefing.composed import composed_week
from tests.store.dbmaker import ev, make_db

W10 = dt.datetime(2025, 3, 3)           # the data begins here; the briefing is of W11


def _week(rows: list, start: dt.datetime, n: int, closed: int, hours: float, tag: str) -> None:
    """``n`` reports from Monday 08:00, one an hour; the first ``closed`` close after ``hours``."""
    for i in range(n):
        at = start + dt.timedelta(hours=8 + i)
        rows.append(ev(f"{tag}{i}", at, grid="G1" if i % 2 else "G3",
                       township="T1" if i % 2 else "T2",
                       closed_at=at + dt.timedelta(hours=hours) if i < closed else None))


@pytest.fixture(scope="module")
def briefing(tmp_path_factory):
    """W10: 13 of 14 closed in 5.86 h (92.857 % → 92.9 %); W11: 12 of 13 in 5.54 h
    (92.308 % → 92.3 %); one report on W12's Monday, so W11 is complete. Mediation: March
    49 of 53 (92.453 % → 92.5 %), February 54 of 58 (93.103 % → 93.1 %)."""
    rows: list = []
    _week(rows, W10, 14, 13, 5.86, "A")
    _week(rows, W10 + dt.timedelta(days=7), 13, 12, 5.54, "B")
    rows.append(ev("C0", W10 + dt.timedelta(days=14, hours=8)))
    db = make_db(tmp_path_factory.mktemp("shown") / "c.duckdb", rows,
                 meta={"as_of_mode": "newest_report"})
    con = duckdb.connect(str(db))
    con.executemany("INSERT INTO mediation (township_code, month, dispute_type, received,"
                    " mediated, succeeded) VALUES (?, ?, ?, ?, ?, ?)",
                    [("T1", dt.date(2025, 3, 1), "邻里纠纷", 30, 28, 26),
                     ("T2", dt.date(2025, 3, 1), "邻里纠纷", 27, 25, 23),
                     ("T1", dt.date(2025, 2, 1), "邻里纠纷", 31, 30, 28),
                     ("T2", dt.date(2025, 2, 1), "邻里纠纷", 29, 28, 26)])
    return composed_week(db, "2025-W11", con)


def _num(text: str) -> float:
    return float(re.search(r"[\d.]+", text).group())


def test_every_change_in_the_key_figures_is_that_of_the_two_figures_shown(briefing):
    b = briefing
    assert b.compared
    rows = {r[0]: r for r in key_rows(b)}
    assert rows["办结时长中位数"][1:] == ["5.5 小时", "5.9 小时", "▼0.4 小时"]
    assert rows["办结率"][1:] == ["92.3%", "92.9%", "▼0.6 个百分点"]
    assert rows["按期办结率"][3] == "▼0.6 个百分点"
    for label, now, before, change in rows.values():     # and every other rate or duration
        if ("%" in now or "小时" in now) and "%" in before + "小时" and change != "—":
            d = round(_num(now) - _num(before), 1)
            assert change == ("持平" if d == 0 else
                              f"{'▲' if d > 0 else '▼'}{abs(d):.1f} {change.split(' ')[1]}"), label
    slide = document.slide_key_figures(b)
    assert "▼0.4 小时" in slide and "▼0.6 个百分点" in slide


def test_the_summary_and_the_gauges_say_the_change_of_the_rates_they_print(briefing):
    b = briefing
    assert "办结率92.3%，较上周下降0.6个百分点" in b.summary
    fig = gauges_figure(b.now, b.before, b.targets, LIGHT)
    texts = [a.text for a in fig.layout.annotations]
    assert "上周 92.9%" in texts
    assert sum("▼0.6 个百分点" in t for t in texts) == 2           # 办结率 and 按期办结率
    assert not any("▼0.5" in t for t in texts)


def test_the_mediation_change_is_that_of_the_two_success_rates_shown(briefing):
    b = briefing
    med = b.mediation
    assert (med["month"], med["previous"]["month"]) == ("2025-03-01", "2025-02-01")
    assert "调解成功率92.5%，较上月下降0.6个百分点" in b.summary
    assert "调解成功率92.5%，较上月▼0.6 个百分点" in mediation_text(b)
    assert "较上月 ▼0.6 个百分点" in document.slide_mediation(b, LIGHT)


def test_the_walls_tiles_in_wall_png_say_the_same_change(briefing):
    """wall.png's 办结率 tile (92.3 %, 环比) and 调解成功率 (92.5 %, 较上月) say the change
    of the figures they print, as the document does, not ▼0.5 / ▼0.7 beside its ▼0.6."""
    from dashboard.wall import fmt

    b = briefing
    assert fmt.delta(b.now["handling_rate"], b.before["handling_rate"], 1, True) \
        == ("▼0.6个百分点", "worse")
    med = b.mediation
    assert fmt.delta(med["success_rate"], med["previous"]["success_rate"], 1, True) \
        == ("▼0.6个百分点", "worse")
