"""Every reject reason, with the exact source row, the raw row and the run report."""
from __future__ import annotations

import json

import geopandas as gpd
import pytest
import shapely

from store.settings import Settings, SettingsError
from tests.etl.conftest import FIX, cell, one, q, source, write_csv

HEAD = ["事件编号", "上报时间", "事件类型", "经度", "纬度", "所属网格", "办结时间", "处置层级",
        "满意度", "状态"]
T = "2024-03-05 10:00:00"


def ev(eid, t=T, cat="矛盾纠纷", lonlat=None, grid="", closed="", level="", sat="",
       status=""):
    lon, lat = lonlat if lonlat is not None else cell(1, 1)
    return [eid, t, cat, lon, lat, grid, closed, level, sat, status]


def test_event_rejects_one_reason_each(county, tmp_path):
    rows = [
        ev("OK1"),                                              # 1 loads
        ev(""),                                                 # 2 missing_id
        ev("R3", t=""),                                         # 3 missing_time
        ev("R4", t="2024-02-30 10:00"),                         # 4 bad_time
        ev("R5", closed="next week"),                           # 5 bad_time (closed_at)
        ev("R6", cat=""),                                       # 6 missing_category
        ev("R7", lonlat=("东经120度", "29.59")),                # 7 bad_coordinates
        ev("R8", lonlat=("220.5", "29.59")),                    # 8 bad_coordinates (range)
        ev("R9", lonlat=("120.815", "")),                       # 9 bad_coordinates (half)
        ev("R10", lonlat=("121.5", "29.59")),                   # 10 outside_county
        ev("R11", lonlat=("", "")),                             # 11 missing_location
        ev("R12", lonlat=("", ""), grid="G99"),                 # 12 unknown_grid
        ev("R13", closed="2024-03-04 10:00:00"),                # 13 closed_before_reported
        ev("OK1", cat="安全隐患"),                               # 14 duplicate_conflict
        ev("OK1"),                                              # 15 exact duplicate: dropped
        ev("OK2", lonlat=("", ""), grid="G02", level="外包", sat="还行", status="挂起"),
        ev("", t="bad", cat=""),                                # 17 first reason wins
    ]
    rep = county.load([county.events(rows, head=HEAD)])
    got = q(county.db, "SELECT source_row, reason FROM rejects ORDER BY source_row")
    assert got == [(2, "missing_id"), (3, "missing_time"), (4, "bad_time"), (5, "bad_time"),
                   (6, "missing_category"), (7, "bad_coordinates"), (8, "bad_coordinates"),
                   (9, "bad_coordinates"), (10, "outside_county"), (11, "missing_location"),
                   (12, "unknown_grid"), (13, "closed_before_reported"),
                   (14, "duplicate_conflict"), (17, "missing_id")]
    e = source(rep, "events")
    assert e["rows_read"] == 17 and e["new"] == 2 and e["duplicates"] == 1
    assert e["rejected"] == 14 == one(county.db, "SELECT count(*) FROM rejects")
    assert e["rejected_by_reason"]["bad_coordinates"] == 3
    assert e["rows_read"] == e["new"] + e["updated"] + e["unchanged"] + e["duplicates"] + \
        e["rejected"]
    raw = json.loads(one(county.db, "SELECT raw FROM rejects WHERE source_row = 7"))
    assert raw["经度"] == "东经120度" and raw["事件编号"] == "R7" and list(raw)[0] == "事件编号"
    assert q(county.db, "SELECT DISTINCT source_kind, source_file, load_id FROM rejects") == [
        ("events", "events.csv", 1)]
    assert "2024-02-30" in one(county.db, "SELECT detail FROM rejects WHERE source_row = 4")
    assert "closed_at" in one(county.db, "SELECT detail FROM rejects WHERE source_row = 5")
    # unknown level / satisfaction / status keep the row, as NULL, and are warned about
    assert q(county.db, "SELECT level, satisfaction, status FROM events WHERE event_id='OK2'") \
        == [(None, None, None)]
    assert {k: w["count"] for k, w in e["warnings"].items()} == {
        "unknown_level": 1, "unknown_satisfaction": 1, "unknown_status": 1}
    assert rep["total"]["rejected_by_reason"] == e["rejected_by_reason"]


def test_unknown_categories_load_and_are_listed_unless_strict(county, tmp_path):
    settings = tmp_path / "s.toml"
    settings.write_text('[categories."矛盾纠纷"]\nlabel_en = "dispute"\n', encoding="utf-8")
    rows = [ev("A1"), ev("A2", cat="新型诉求"), ev("A3", cat="新型诉求")]
    rep = county.load([county.events(rows, head=HEAD)], settings=settings)
    assert source(rep, "events")["unknown_categories"] == {"新型诉求": 2}
    assert one(county.db, "SELECT count(*) FROM events WHERE category = '新型诉求'") == 2
    settings.write_text('strict_categories = true\n[categories."矛盾纠纷"]\nlabel_en = "d"\n',
                        encoding="utf-8")
    county.db.unlink()
    county.load([county.events(rows, head=HEAD)], settings=settings)
    assert q(county.db, "SELECT source_row, reason FROM rejects ORDER BY 1") == [
        (2, "unknown_category"), (3, "unknown_category")]


def test_settings_without_categories_list_none_and_cannot_be_strict(county, tmp_path):
    rows = [ev("B1"), ev("B2", cat="新型诉求")]
    rep = county.load([county.events(rows, head=HEAD)])          # the built-in defaults
    assert "unknown_categories" not in source(rep, "events")
    assert one(county.db, "SELECT count(*) FROM events") == 2
    settings = tmp_path / "s.toml"
    settings.write_text("strict_categories = true\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"strict_categories = true needs a \[categories\]"):
        Settings.load(settings)


def test_values_mapping_in_the_config(county):
    rows = [ev("M1", cat="Noise", status="Closed", closed="2024-03-05 12:00:00")]
    src = county.events(rows, head=HEAD)
    src["values"] = {"category": {"矛盾纠纷": ["Noise", "Neighbour dispute"]},
                     "status": {"closed": ["Closed"]}}
    county.load([src])
    assert q(county.db, "SELECT category, status FROM events") == [("矛盾纠纷", "closed")]


def test_camera_rejects(county):
    write_csv(county.path / "cams.csv", ["点位编号", "点位名称", "经度", "纬度", "状态", "最后在线时间"], [
        ["C1", "北门", *cell(0, 0), "在线", "2024-03-05 10:00"],
        ["", "无编号", *cell(0, 0), "在线", ""],
        ["C3", "状态不明", *cell(0, 0), "维修中", ""],                 # loads, status unknown
        ["C4", "坏坐标", "abc", "29.59", "离线", ""],
        ["C5", "坏时间", *cell(0, 0), "1", "昨天"],
        ["C6", "无坐标", "", "", "0", ""],
        ["C7", "太远", "121.5", "29.59", "在线", ""],
        ["C1", "北门", *cell(0, 0), "离线", "2024-03-05 10:00"],     # conflicting duplicate
    ])
    rep = county.load([{"kind": "cameras", "path": "cams.csv"}])
    assert q(county.db, "SELECT source_row, reason FROM rejects ORDER BY 1") == [
        (2, "missing_id"), (4, "bad_coordinates"), (5, "bad_time"),
        (6, "missing_location"), (7, "outside_county"), (8, "duplicate_conflict")]
    assert source(rep, "cameras")["new"] == 2
    assert q(county.db, "SELECT camera_id, status, grid_id FROM cameras ORDER BY 1") == [
        ("C1", "online", "G00"), ("C3", "unknown", "G00")]


def test_mediation_rejects(county):
    write_csv(county.path / "med.csv", ["乡镇", "月份", "纠纷类型", "受理数", "调解数", "成功数"], [
        ["甘霖镇", "2024-01", "邻里纠纷", "10", "9", "8"],
        ["甘霖镇", "2024-13", "邻里纠纷", "10", "9", "8"],          # bad_time
        ["", "", "邻里纠纷", "1", "1", "1"],                        # missing_time (first)
        ["不存在镇", "2024-01", "邻里纠纷", "3", "3", "3"],          # unknown_township
        ["甘霖镇", "2024-02", "邻里纠纷", "十", "9", "8"],           # bad_value
        ["甘霖镇", "2024-03", "邻里纠纷", "-1", "0", "0"],           # bad_value
        ["甘霖镇", "2024-04", "邻里纠纷", "10", "9", "9.5"],         # bad_value
        ["甘霖镇", "2024-05", "邻里纠纷", "10", "9", "10"],          # succeeded > mediated
        ["甘霖镇", "2024-06", "邻里纠纷", "5", "9", "1"],            # mediated > received
        ["甘霖镇", "2024-07", "", "5", "4", "1"],                    # no dispute type
        ["甘霖镇", "2024-01", "邻里纠纷", "10", "9", "7"],           # duplicate_conflict
        ["330683100", "2024/1", "邻里纠纷", "10", "9", "8"],         # same content: dropped
    ])
    rep = county.load([{"kind": "mediation", "path": "med.csv"}])
    assert q(county.db, "SELECT source_row, reason FROM rejects ORDER BY 1") == [
        (2, "bad_time"), (3, "missing_time"), (4, "unknown_township"), (5, "bad_value"),
        (6, "bad_value"), (7, "bad_value"), (8, "bad_value"), (9, "bad_value"),
        (10, "bad_value"), (11, "duplicate_conflict")]
    m = source(rep, "mediation")
    assert (m["new"], m["duplicates"], m["rejected"]) == (1, 1, 10)


def test_grid_rejects_and_repair(county):
    g = gpd.read_file(FIX / "grids_zh.geojson")
    bowtie = shapely.Polygon([(120.90, 29.58), (120.91, 29.59), (120.91, 29.58),
                              (120.90, 29.59)])          # self-intersecting: repaired
    extra = gpd.GeoDataFrame({
        "网格编号": ["GX", "", "GL", "GE"], "网格名称": ["蝴蝶", "无编号", "线", "空"],
        "所属镇街": ["甘霖镇"] * 4},
        geometry=[bowtie, shapely.box(120.9, 29.6, 120.91, 29.61),
                  shapely.LineString([(120.9, 29.6), (120.91, 29.61)]), shapely.Polygon()],
        crs=4326)
    both = gpd.GeoDataFrame(
        __import__("pandas").concat([g, extra], ignore_index=True), crs=4326)
    both.to_file(county.path / "grids.gpkg", driver="GPKG")
    county.grids = {"kind": "grids", "path": "grids.gpkg"}
    rep = county.load([])
    gsrc = source(rep, "grids")
    assert q(county.db, "SELECT source_row, reason FROM rejects ORDER BY 1") == [
        (11, "missing_id"), (12, "bad_geometry"), (13, "bad_geometry")]
    assert gsrc["repaired"] == ["GX"] and gsrc["new"] == 10
    assert one(county.db, "SELECT area_km2 FROM grids WHERE grid_id = 'GX'") > 0.4
    raw = json.loads(one(county.db, "SELECT raw FROM rejects WHERE source_row = 12"))
    assert raw["geometry"] == "LineString"
