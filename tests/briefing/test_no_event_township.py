"""A township without a report this week gets no green card in the briefing, as on the wall.

metrics.md (Township ranking and cards): a township with no cohort event in the window has
neither rate, so it is not ranked and a green card, which would judge rates it does not have,
is not shown (the wall: '—', 本期无事件); its red warnings are open whatever the window, so a
red card they earn still shows. Before, the ranking slide and the Word document said 乙镇
绿牌 while the wall beside them said 本期无事件. A real DuckDB county (tests/store/dbmaker.py),
composed for real; what to expect is counted here from the rows written.
"""
from __future__ import annotations

import datetime as dt
import re

import docx
import pytest

from dashboard.briefing import document
from dashboard.briefing.word import _ranking
from dashboard.figures.briefing_theme import DARK, LIGHT
from tests.briefing.composed import composed_week
from tests.store.dbmaker import ev, make_db

W10 = dt.datetime(2025, 3, 3)
WEEK = "2025-W11"                       # 10-16 March


@pytest.fixture(scope="module")
def briefing(tmp_path_factory):
    """甲镇 (T1): 6 reports in W10 and in W11, each closed in 5 h. 乙镇 (T2): one report in
    W10, closed; none in W11. 丙镇 (T3): six reports in W09, never closed (red at the week's
    end, 6 > red_card_overdue 5); none in W11. One report on W12's Monday (W11 complete)."""
    rows = []
    for w in (0, 1):
        for i in range(6):
            at = W10 + dt.timedelta(days=7 * w + i, hours=9)
            rows.append(ev(f"A{w}{i}", at, grid="G1", township="T1",
                           closed_at=at + dt.timedelta(hours=5)))
    rows.append(ev("B0", W10 + dt.timedelta(hours=10), grid="G3", township="T2",
                   closed_at=W10 + dt.timedelta(hours=12)))
    for i in range(6):
        rows.append(ev(f"C{i}", W10 - dt.timedelta(days=7 - i, hours=-9), grid="G4",
                       township="T3"))
    rows.append(ev("LAST", W10 + dt.timedelta(days=14, hours=8), grid="G1", township="T1",
                   closed_at=W10 + dt.timedelta(days=14, hours=9)))
    db = make_db(tmp_path_factory.mktemp("no_event") / "c.duckdb", rows,
                 townships=(("T1", "甲镇"), ("T2", "乙镇"), ("T3", "丙镇")),
                 grids=(("G1", "一号网格", "T1", "V1"), ("G3", "三号网格", "T2", "V2"),
                        ("G4", "四号网格", "T3", "V3")),
                 meta={"as_of_mode": "newest_report"})
    return composed_week(db, WEEK)


def _cells(html: str, name: str) -> list[str]:
    """The text of each cell of the row naming ``name`` (the card cell keeps its colour)."""
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", html, re.S) if f">{name}<" in r)
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", row, re.S)]


def test_the_ranking_slide_shows_no_green_card_for_a_township_without_events(briefing):
    b = briefing
    assert b.scope.level == "county" and b.compared
    for pal in (LIGHT, DARK):
        html = document.slide_ranking(b, pal)
        assert _cells(html, "甲镇")[:3] == ["1", "甲镇", "绿牌"]        # 6 of 6 on time
        # 乙镇: no report this week, no red warning: not ranked, no card (was 3 · 绿牌)
        assert _cells(html, "乙镇")[:4] == ["—", "乙镇", "—", "—"]
        # 丙镇: no report this week, 6 cases open 9-14 days: carded red on them
        assert _cells(html, "丙镇")[1:3] == ["丙镇", "红牌"]
        lead = re.sub(r"<[^>]+>", "", re.search(r'<p class="lead">(.*?)</p>', html).group(1))
        assert lead.startswith("红牌 1 个 · 黄牌 0 个 · 绿牌 1 个 · 本周无事件未亮牌 1 个"), lead


def test_the_word_document_shows_no_green_card_for_it_either(briefing):
    d = docx.Document()
    _ranking(d, briefing)
    rows = {r.cells[1].text: [c.text for c in r.cells] for r in d.tables[0].rows[1:]}
    assert rows["甲镇"][:3] == ["1", "甲镇", "绿牌"]
    assert rows["乙镇"][:3] == ["—", "乙镇", "—"]
    assert rows["丙镇"][2] == "红牌"
    assert "绿牌" not in " ".join(rows["乙镇"])
