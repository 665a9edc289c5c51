"""Weeks with little to say, on a county of one township with no cameras and no mediation
table: a week whose every report was invalid, a week where nothing is overdue. The briefing
must say what is so (上报42件均为无效事件; 无超期未办结; 暂无调解报表), not print zeros
that read as facts (受理 0 件 of disputes when no table was ever loaded). Real DuckDB files
(tests/store/dbmaker.py), composed for real; the rows are counted here."""
from __future__ import annotations

import datetime as dt
import re

import duckdb
import pytest

from dashboard.briefing import document
from dashboard.briefing.compose import compose
from dashboard.briefing.word import key_rows, mediation_text
from dashboard.figures.briefing_charts import overdue_figure
from dashboard.figures.briefing_theme import LIGHT
from store.db import ReadStore
from store.schema import refresh_rollups
from store.settings import Settings
from tests.store.dbmaker import ev, make_db

W09 = dt.datetime(2025, 2, 24)
PER_DAY = 6


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """W09 to W12, six reports a day on the one township's two grids, each closed in 5 h;
    every report of W11 was found invalid; one report on W13's Monday (W12 is complete)."""
    rows, n = [], 0
    for day in range(28):
        for k in range(PER_DAY):
            at = W09 + dt.timedelta(days=day, hours=8 + k)
            invalid = 14 <= day < 21
            rows.append(ev(f"E{n}", at, grid="G1" if k % 2 else "G2", township="T1",
                           status="invalid" if invalid else "closed",
                           closed_at=at + dt.timedelta(hours=5)))
            n += 1
    rows.append(ev("LAST", W09 + dt.timedelta(days=28, hours=8)))
    db = make_db(tmp_path_factory.mktemp("quiet") / "c.duckdb", rows,
                 townships=(("T1", "甲镇"),),
                 grids=(("G1", "一号网格", "T1", "V1"), ("G2", "二号网格", "T1", "V1")),
                 meta={"as_of_mode": "newest_report"})
    con = duckdb.connect(str(db))
    refresh_rollups(con)
    con.close()
    s = ReadStore(db)
    yield s
    s.close()


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_week_of_invalid_reports_is_not_a_week_without_reports(store):
    b = compose(store, Settings(), "2025-W11")
    assert b.compared and b.now["reported"] == 0 and b.now["invalid"] == 7 * PER_DAY
    assert b.summary.startswith(f"本周本县共受理有效事件0件（上报{7 * PER_DAY}件均为无效事件），"
                                f"环比下降100.0%（上周{7 * PER_DAY}件）")
    assert dict((r[0], r[1]) for r in key_rows(b))["无效事件"] == f"{7 * PER_DAY}"
    assert f"上报{7 * PER_DAY}件均为无效事件" in _text(document.slide_summary(b))


def test_no_mediation_table_reads_as_none_on_file_not_as_zero_disputes(store):
    b = compose(store, Settings(), "2025-W12")
    assert b.mediation["month"] is None
    html = document.slide_mediation(b, LIGHT)
    tiles = re.findall(r'<div class="tile small"><b>([^<]*)</b><span>([^<]*)</span>', html)
    assert [t[1] for t in tiles] == ["受理", "调解", "成功", "调解成功率", "调处率"]
    assert all(v == "—" for v, _ in tiles), tiles
    assert "暂无调解报表" in html and "本月暂无调解案件" not in html
    assert mediation_text(b) == "暂无调解报表。" and "调解" not in b.summary


def test_a_week_with_nothing_overdue_says_so_everywhere(store):
    b = compose(store, Settings(), "2025-W12")
    assert b.now["red"] == 0 and b.overdue_place.empty and b.overdue_dept.empty
    assert "截至周末无超期未办结事件" in b.summary
    assert "无超期未办结事件" in _text(document.slide_summary(b))
    fig = overdue_figure(b.overdue_place, b.overdue_dept, LIGHT)
    assert [a.text for a in fig.layout.annotations][-1] == "本周末无超期未办结事件"
    # a partly loaded week (W13: one Monday report) is counted when its data ends, and its
    # overdue chart says that moment, not 本周末
    part = compose(store, Settings(), "2025-W13")
    assert part.partial and part.moment == "3月24日08:00"
    html = document.slide_overdue(part, LIGHT)
    assert "截至3月24日08:00无超期未办结事件" in html and "本周末无超期未办结事件" not in html
    # the one township is ranked, carded on its own figures, and is the whole ranking
    assert list(b.ranking["name"]) == ["甲镇"] and b.ranking["card"].iloc[0] == "green"
    assert "红牌 0 个 · 黄牌 0 个 · 绿牌 1 个" in _text(document.slide_ranking(b, LIGHT))


def test_the_walls_video_tile_says_a_county_has_no_cameras(store):
    """wall.png's 视频在线 tile of a county without one camera on file: '—' and 无视频点位,
    not 0 路 online of 共0路 · 在线率—, which reads as every camera down."""
    import types

    from dashboard.wall import kpis
    from store import wall_reads as wr

    assert store.scalar("SELECT count(*) FROM cameras") == 0
    b = compose(store, Settings(), "2025-W12")
    k = wr.kpis(store, Settings(), None, b.start, b.end, b.as_of)
    targets = dict(Settings().section("targets"))
    assert kpis.kpi_values(k, targets)["cameras"]["value"] is None
    view = types.SimpleNamespace(as_of=b.as_of, start=b.start, end=b.end, window_label="自选")
    assert kpis.kpi_subs(k, view, targets)[-1] == "无视频点位"
