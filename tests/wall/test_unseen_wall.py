"""The wall on a county it has not seen, loaded from files by the real ETL and held to what
the files and docs/metrics.md say, not to store code: the mediation panel's 较上月 when one
township's table of the month before is missing, a scope without any mediation table, and
a camera of unknown status (维修中) in the grid card, a grid of few events with six red
warnings in the grid ranking."""
from __future__ import annotations

import csv
import datetime as dt
import json

import pytest

from dashboard.wall import grid_card, mediation, ranking
from dashboard.wall.view import View
from etl.load import run_load
from store import wall_reads as wr
from store.db import ReadStore
from store.settings import Settings

AS_OF = dt.datetime(2026, 9, 9, 10, 15)
FMT = "%Y-%m-%d %H:%M:%S"
# rows of the mediation table: township, month, type, received, mediated, succeeded.
# 甲镇 sent August and September; 乙镇 only September (its August table is missing).
MEDIATION = [("甲镇", "2026-08", "邻里纠纷", 10, 8, 6), ("甲镇", "2026-09", "邻里纠纷", 12, 10, 9),
             ("乙镇", "2026-09", "邻里纠纷", 40, 30, 15), ("乙镇", "2026-09", "婚姻家庭", 8, 4, 4)]


def _square(x0: float, y0: float, side: float = 0.01) -> dict:
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x0 + side, y0], [x0 + side, y0 + side],
                                                [x0, y0 + side], [x0, y0]]]}


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    folder = tmp_path_factory.mktemp("unseen_wall")
    grids = [("G1", "第一网格", "甲镇", "T1", 117.30), ("G2", "第一网格", "乙镇", "T2", 117.31)]
    (folder / "grids.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": _square(x, 31.80),
         "properties": {"网格编号": gid, "网格名称": name, "乡镇": town, "镇街编码": code}}
        for gid, name, town, code, x in grids]}, ensure_ascii=False), encoding="utf-8")
    with (folder / "events.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["事件编号", "上报时间", "事件类型", "经度", "纬度", "状态"])
        for i in range(6):
            w.writerow([f"E{i}", (AS_OF - dt.timedelta(hours=5 + i)).strftime(FMT), "矛盾纠纷",
                        117.305 + 0.01 * (i % 2), 31.805, "处置中"])
        for i in range(6):        # G2: six cases open 60 days (red), before the 30-day window
            w.writerow([f"R{i}", (AS_OF - dt.timedelta(days=60, hours=i)).strftime(FMT),
                        "矛盾纠纷", 117.315, 31.805, "处置中"])
    # three cameras inside G1: online and seen 1 h ago, offline, and 维修中 (unknown status)
    with (folder / "cameras.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["点位编号", "点位名称", "经度", "纬度", "状态", "最后在线时间"])
        seen = (AS_OF - dt.timedelta(hours=1)).strftime(FMT)
        w.writerow(["C1", "在线点", 117.3050, 31.8050, "在线", seen])
        w.writerow(["C2", "离线点", 117.3052, 31.8050, "离线", ""])
        w.writerow(["C3", "维修点", 117.3054, 31.8050, "维修中", ""])
    with (folder / "mediation.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["乡镇", "月份", "纠纷类型", "受理数", "调解数", "成功数"])
        w.writerows(MEDIATION)
    (folder / "load.toml").write_text(
        f'[dataset]\nname = "未见县"\nas_of = "{AS_OF.isoformat()}"\n\n'
        + "".join(f'[[source]]\nkind = "{k}"\npath = "{k}.{ext}"\n\n' for k, ext in (
            ("grids", "geojson"), ("events", "csv"), ("cameras", "csv"), ("mediation", "csv"))),
        encoding="utf-8")
    db = folder / "unseen.duckdb"
    rep = run_load(db, folder / "load.toml", progress=False)
    assert all(not s["rejected_by_reason"] for s in rep["sources"])
    return ReadStore(str(db)), Settings.load(None)


def _view(township=None, grid=None) -> View:
    return View(township=township, grid=grid, as_of=AS_OF, start=dt.date(2026, 8, 11),
                end=dt.date(2026, 9, 10), days=30)


def _totals(rows, month, towns=None):
    sel = [r for r in rows if r[1] == month and (towns is None or r[0] in towns)]
    return tuple(sum(r[i] for r in sel) for i in (3, 4, 5))


def test_county_mediation_is_not_compared_with_a_month_one_township_never_sent(county):
    store, settings = county
    sep = _totals(MEDIATION, "2026-09")
    med = wr.mediation(store, settings, None, AS_OF.date())
    assert (med["received"], med["mediated"], med["succeeded"]) == sep
    # the county's August holds 甲镇 alone: 乙镇's missing table is not 乙镇's zeros, so
    # there is no 较上月 (it read 受理 ▼... from 60 against 10, success from 28/44 vs 6/8)
    assert med["previous"] is None
    texts = mediation.outputs(med, _view())
    assert texts[:4] == [f"{sep[0]:,}", f"{sep[1]:,}", f"{sep[2]:,}", f"{sep[2] / sep[1]:.1%}"]
    assert texts[4] == []                                   # no 较上月 line
    # 甲镇 sent both months: its own comparison stays
    town = wr.mediation(store, settings, "T1", AS_OF.date())
    assert (town["previous"]["received"], town["previous"]["succeeded"]) == (10, 6)
    assert "较上月" in "".join(x for x in mediation.month_delta(town) if isinstance(x, str))


def test_a_scope_without_any_mediation_table_reads_dashes_not_zeros(county):
    store, settings = county
    med = wr.mediation(store, settings, None, dt.date(2026, 7, 1))   # before any table
    assert med["month"] is None
    texts = mediation.outputs(med, _view())
    assert texts[:4] == ["—", "—", "—", "—"]


def test_grid_card_names_a_camera_of_unknown_status_as_unknown_not_offline(county):
    store, settings = county
    card = wr.grid_card(store, settings, "G1", dt.date(2026, 8, 11), dt.date(2026, 9, 10), AS_OF)
    _title, body = grid_card.card_body(card, _view("T1", "G1").caption)
    text = json.dumps([c.to_plotly_json() if hasattr(c, "to_plotly_json") else c for c in body],
                      ensure_ascii=False, default=lambda o: o.to_plotly_json())
    # independent: C1 online (seen 1 h ago), C2 offline, C3 维修中 = unknown (docs/metrics.md)
    assert "周边300米视频 3 路（在线 1）" in text
    assert text.count('"在线"') == 1 and text.count('"离线"') == 1
    assert text.count('"未知"') == 1


def test_a_grid_with_few_events_shows_the_red_card_its_red_warnings_earn(county):
    store, settings = county
    df = wr.unit_ranking(store, settings, "T2", dt.date(2026, 8, 11), dt.date(2026, 9, 10), AS_OF)
    rows = {r["props"]["data-code"]: json.dumps(r, ensure_ascii=False)
            for r in ranking.ranking_rows(df, "grid")}
    # independent: G2 has 3 cohort events (< 5: 样本少) and 6 cases open for 60 days > 72 h:
    # red warnings 6 > cards.red_card_overdue 5, so its card is red (metrics.md)
    assert '"data-card": "red"' in rows["G2"] and "样本少（3件）" in rows["G2"]
    assert "gw-card-red" in rows["G2"] and "gw-few" not in rows["G2"]
    t1 = wr.unit_ranking(store, settings, "T1", dt.date(2026, 8, 11), dt.date(2026, 9, 10), AS_OF)
    row = json.dumps(ranking.ranking_rows(t1, "grid")[0], ensure_ascii=False)
    assert '"data-card": "few"' in row                    # no red warning: 样本少, no green card


def test_a_township_without_events_in_the_window_has_no_green_card(county):
    """A window in which no township had a report (1-2 September): 甲镇 has no red warning,
    乙镇 six cases open 60 days. Independent of store code: with no cohort, neither rate
    exists (metrics.md: no data is never 100 %), so nothing is judged: 甲镇 is unranked and
    shows no card (before: 绿牌 in the ranking and 第1名 绿牌 on the map), while 乙镇's red
    warnings, open whatever the window (6 > red_card_overdue 5), still card it red."""
    from dashboard.figures import wall_map
    from store import map_view as mv

    store, settings = county
    start, end = dt.date(2026, 9, 1), dt.date(2026, 9, 2)
    df = wr.unit_ranking(store, settings, None, start, end, AS_OF)
    rows = {r["props"]["data-code"]: json.dumps(r, ensure_ascii=False)
            for r in ranking.ranking_rows(df, "township")}
    assert '"data-card": "none"' in rows["T1"] and "gw-card-green" not in rows["T1"]
    assert "甲镇：本期无事件，未亮牌" in rows["T1"]
    assert '"data-card": "red"' in rows["T2"] and "gw-card-red" in rows["T2"]
    data = mv.map_data(mv.direct_reader(store, settings), None, ("townships",), start, end,
                       AS_OF)
    fig = wall_map.map_figure(data, layers=("townships",))
    hover = {c[1]: h for t in fig.data if t.customdata is not None and t.hovertext is not None
             for c, h in zip(t.customdata, t.hovertext)}
    assert "本期无事件" in hover["T1"] and "绿牌" not in hover["T1"] and "名" not in hover["T1"]
    assert "本期无事件 红牌" in hover["T2"]
