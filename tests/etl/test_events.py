"""Events end to end: Chinese headers with no mapping, coordinate systems, vocabularies."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pyproj

from etl.chinacrs import wgs84_to_bd09, wgs84_to_gcj02
from tests.etl.conftest import LAT0, LON0, SIZE, copy_fixture, one, q, source, write_csv


def test_chinese_export_with_no_mapping_file(county):
    copy_fixture("events_zh.csv", county.path)
    rep = county.load([{"kind": "events", "path": "events_zh.csv"}],
                      dataset={"name": "嵊州市", "demo": True, "as_of": "newest_report"})
    assert source(rep, "events")["new"] == 8
    row = q(county.db, """SELECT event_id, reported_at, category, subcategory, channel,
        description, address, grid_id, village_code, township_code, accepted_at,
        dispatched_at, closed_at, department, level, status, satisfaction, supervised,
        reporter_name, reporter_phone, source_file, source_row FROM events
        WHERE event_id = 'SZ0001'""")[0]
    assert row == ("SZ0001", dt.datetime(2024, 3, 5, 14, 3), "矛盾纠纷", "邻里纠纷", "网格员上报",
                   "邻里因排水沟堵塞发生争执", "甘霖镇1村", "G00",
                   one(county.db, "SELECT village_code FROM grids WHERE grid_id = 'G00'"),
                   "330683100", dt.datetime(2024, 3, 5, 14, 30), dt.datetime(2024, 3, 5, 16),
                   dt.datetime(2024, 3, 6, 10), "甘霖镇综治办", "village", "closed", "satisfied",
                   False, "张三", "13812345678", "events_zh.csv", 1)
    vocab = q(county.db, "SELECT event_id, level, status, satisfaction, supervised FROM events "
              "ORDER BY event_id")
    assert vocab == [
        ("SZ0001", "village", "closed", "satisfied", False),
        ("SZ0002", "county", "dispatched", None, True),
        ("SZ0003", "township", "closed", "basically_satisfied", None),
        ("SZ0004", None, "reported", None, None),
        ("SZ0005", "grid", "closed", "dissatisfied", False),
        ("SZ0006", None, "accepted", None, None),
        ("SZ0007", None, "invalid", None, None),
        ("SZ0008", "township", "closed", "satisfied", False)]
    meta = dict(q(county.db, "SELECT key, value FROM meta"))
    assert (meta["dataset_name"], meta["demo"], meta["as_of_mode"]) == (
        "嵊州市", "true", "newest_report")
    assert meta["data_version"] and meta["schema_version"] == "1"
    assert one(county.db, "SELECT sum(reported), sum(invalid) FROM daily_rollup") == 7


def test_empty_status_follows_the_timestamps(county):
    write_csv(county.path / "e.csv", ["事件编号", "上报时间", "事件类型", "经度", "纬度", "受理时间",
                                      "派单时间", "办结时间"], [
        ["A", "2024-03-05 10:00", "矛盾纠纷", "120.805", "29.585", "", "", ""],
        ["B", "2024-03-05 10:00", "矛盾纠纷", "120.805", "29.585", "2024-03-05 10:10", "", ""],
        ["C", "2024-03-05 10:00", "矛盾纠纷", "120.805", "29.585", "", "2024-03-05 11:00", ""],
        ["D", "2024-03-05 10:00", "矛盾纠纷", "120.805", "29.585", "", "", "2024-03-05 12:00"]])
    county.load([{"kind": "events", "path": "e.csv"}])
    assert q(county.db, "SELECT event_id, status FROM events ORDER BY 1") == [
        ("A", "reported"), ("B", "accepted"), ("C", "dispatched"), ("D", "closed")]


def _centres():
    c = np.array([0, 1, 2, 0, 2])
    r = np.array([0, 1, 2, 2, 0])
    # near the lower right corner of each cell, so the ~+420 m / -280 m GCJ-02 offset
    # would move an undeclared point out of its cell
    lon = LON0 + (c + 0.7) * SIZE
    lat = LAT0 + (r + 0.2) * SIZE
    return [f"G{a}{b}" for a, b in zip(c, r)], lon, lat


def _write(county, name, xs, ys, head=("经度", "纬度")):
    ids, _, _ = _centres()
    write_csv(county.path / name, ["事件编号", "上报时间", "事件类型", *head],
              [[f"{name}-{i}", "2024-03-05 10:00", "矛盾纠纷", f"{x:.9f}", f"{y:.9f}"]
               for i, x, y in zip(ids, xs, ys)])


def test_offset_and_projected_coordinates_land_in_the_right_grid(county):
    ids, lon, lat = _centres()
    _write(county, "gcj.csv", *wgs84_to_gcj02(lon, lat))
    _write(county, "bd.csv", *wgs84_to_bd09(lon, lat))
    tr = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:4549", always_xy=True)
    _write(county, "gk.csv", *tr.transform(lon, lat), head=("X坐标", "Y坐标"))
    _write(county, "gcj_undeclared.csv", *wgs84_to_gcj02(lon, lat))
    county.load([{"kind": "events", "path": "gcj.csv", "crs": "gcj02"},
                 {"kind": "events", "path": "bd.csv", "crs": "bd09"},
                 {"kind": "events", "path": "gk.csv", "crs": "EPSG:4549"},
                 {"kind": "events", "path": "gcj_undeclared.csv"}])
    got = dict(q(county.db, "SELECT event_id, grid_id FROM events"))
    for f in ("gcj.csv", "bd.csv", "gk.csv"):
        assert [got[f"{f}-{g}"] for g in ids] == ids
        back = q(county.db, f"SELECT lon, lat FROM events WHERE event_id = '{f}-G11'")[0]
        assert abs(back[0] - lon[1]) < 1e-7 and abs(back[1] - lat[1]) < 1e-7
    # undeclared GCJ-02 points sit ~450 m off: in the 1 km lattice some change grid
    wrong = [got.get(f"gcj_undeclared.csv-{g}") for g in ids]
    assert sum(w != g for w, g in zip(wrong, ids)) >= 3


def test_point_text_column(county):
    ids, lon, lat = _centres()
    write_csv(county.path / "p.csv", ["事件编号", "上报时间", "事件类型", "位置"], [
        ["P1", "2024-03-05 10:00", "矛盾纠纷", f"({lat[1]}, {lon[1]})"],
        ["P2", "2024-03-05 10:00", "矛盾纠纷", f"POINT ({lon[2]} {lat[2]})"],
        ["P3", "2024-03-05 10:00", "矛盾纠纷", "(somewhere)"]])
    county.load([{"kind": "events", "path": "p.csv", "point": "位置"}])
    assert q(county.db, "SELECT event_id, grid_id FROM events ORDER BY 1") == [
        ("P1", "G11"), ("P2", "G22")]
    assert q(county.db, "SELECT source_row, reason FROM rejects") == [(3, "bad_coordinates")]


def test_english_canonical_headers_any_case(county):
    write_csv(county.path / "en.csv", ["Event_ID", "REPORTED_AT", "category", "Lon", "LAT",
                                       "closed_at", "Level"],
              [["EN1", "2024-03-05 10:00", "dispute", "120.805", "29.585", "2024-03-05 12:00",
                "Village"]])
    county.load([{"kind": "events", "path": "en.csv"}])
    assert q(county.db, "SELECT event_id, grid_id, level, status FROM events") == [
        ("EN1", "G00", "village", "closed")]
