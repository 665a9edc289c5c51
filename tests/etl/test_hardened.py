"""Loaders that cannot be fooled: each bad input is a named reject or one clear message
(exit 2, database unchanged), never a silent wrong figure or a traceback. Every test loads
real files through run_load or `python -m etl load` into a real DuckDB file."""
from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
import sys
import warnings
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from etl.load import LoadError
from store.db import ReadStore
from store.metrics import resolve_as_of
from store.settings import Settings, SettingsError
from tests.etl.conftest import cell, one, q, source, write_config, write_csv

ROOT = Path(__file__).resolve().parents[2]


def _now() -> dt.datetime:
    return dt.datetime.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None, microsecond=0)


def _ts(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S")


def _settings(folder: Path, text: str) -> Path:
    p = folder / "settings.toml"
    p.write_text(text, encoding="utf-8")
    return p


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "etl", "load", "--quiet", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


# --- 2. times far in the past or the future ----------------------------------------------
def test_times_before_min_date_and_after_the_clock_are_rejected_by_name(county):
    now = _now()
    lon, lat = cell(1, 1)
    rows = [["E1", _ts(now - dt.timedelta(days=2)), "环境卫生", lon, lat, "", "", ""],
            ["E2", "1999-12-31 23:59:59", "环境卫生", lon, lat, "", "", ""],
            ["E3", _ts(now + dt.timedelta(days=400)), "环境卫生", lon, lat, "", "", ""],
            ["E4", _ts(now + dt.timedelta(hours=2)), "环境卫生", lon, lat, "", "", ""],
            ["E5", _ts(now - dt.timedelta(days=1)), "环境卫生", lon, lat,
             "", _ts(now + dt.timedelta(days=30)), ""]]
    rep = county.load([county.events(rows)])
    ev = source(rep, "events")
    assert ev["rejected_by_reason"] == {"bad_time": 1, "future_time": 2}
    assert q(county.db, "SELECT event_id FROM events ORDER BY 1") == [("E1",), ("E4",)]
    assert q(county.db, "SELECT source_row, reason, detail LIKE '%min_date 2000-01-01%', "
             "detail LIKE '%after the load''s clock%' FROM rejects ORDER BY 1") == [
        (2, "bad_time", True, False), (3, "future_time", False, True),
        (5, "future_time", False, True)]


def test_one_future_dated_row_never_moves_the_walls_as_of(county):
    now = _now()
    lon, lat = cell(2, 2)
    good = [[f"E{i}", _ts(now - dt.timedelta(days=3, hours=i)), "环境卫生", lon, lat, "", "", ""]
            for i in range(5)]
    county.load([county.events(good)], dataset={"as_of": "newest_report"})
    store = ReadStore(county.db)
    before = resolve_as_of(store, Settings())
    store.close()
    assert before == now - dt.timedelta(days=3)
    typo = [["E99", _ts(now.replace(year=now.year + 180)), "环境卫生", lon, lat, "", "", ""]]
    rep = county.load([county.events(good + typo)], dataset={"as_of": "newest_report"})
    assert source(rep, "events")["rejected_by_reason"] == {"future_time": 1}
    store = ReadStore(county.db)
    assert resolve_as_of(store, Settings()) == before
    store.close()


def test_min_date_and_tolerance_come_from_the_settings(county):
    now = _now()
    lon, lat = cell(1, 2)
    s = _settings(county.path, 'min_date = "2020-01-01"\nfuture_tolerance_h = 1000\n')
    rows = [["E1", "2019-06-01 08:00:00", "环境卫生", lon, lat, "", "", ""],
            ["E2", _ts(now + dt.timedelta(days=30)), "环境卫生", lon, lat, "", "", ""]]
    rep = county.load([county.events(rows)], settings=s)
    assert source(rep, "events")["rejected_by_reason"] == {"bad_time": 1}
    assert q(county.db, "SELECT event_id FROM events") == [("E2",)]


@pytest.mark.parametrize("line", ['min_date = "yesterday"', "future_tolerance_h = -1",
                                  'future_tolerance_h = "24h"', "[privacy]\nkeep_reporter = 0"])
def test_bad_bounds_in_the_settings_stop_the_load_naming_the_key(county, line):
    s = _settings(county.path, line + "\n")
    with pytest.raises(SettingsError, match=line.split(" ")[0].split("\n")[-1]):
        Settings.load(s)
    before = county.db.exists()
    with pytest.raises(LoadError):
        county.load([], settings=s)
    assert county.db.exists() == before


def test_camera_and_mediation_times_are_bounded_too(county):
    now = _now()
    lon, lat = cell(0, 0)
    write_csv(county.path / "cams.csv", ["点位编号", "经度", "纬度", "状态", "最后在线时间"],
              [["C1", lon, lat, "在线", _ts(now - dt.timedelta(hours=1))],
               ["C2", lon, lat, "在线", _ts(now + dt.timedelta(days=9))]])
    write_csv(county.path / "m.csv", ["乡镇", "月份", "纠纷类型", "受理数", "调解数", "成功数"],
              [["甘霖镇", "1998-01", "邻里纠纷", 5, 4, 3],
               ["甘霖镇", f"{now.year + 3}-01", "邻里纠纷", 5, 4, 3],
               ["甘霖镇", "2024-02", "邻里纠纷", 5, 4, 3]])
    rep = county.load([{"kind": "cameras", "path": "cams.csv"},
                       {"kind": "mediation", "path": "m.csv"}])
    assert source(rep, "cameras")["rejected_by_reason"] == {"future_time": 1}
    assert source(rep, "mediation")["rejected_by_reason"] == {"bad_time": 1, "future_time": 1}
    assert one(county.db, "SELECT count(*) FROM mediation") == 1


# --- 3. counts that overflow or are not whole numbers --------------------------------------
def test_mediation_counts_that_overflow_or_are_not_whole_are_bad_values(county):
    head = ["乡镇", "月份", "纠纷类型", "受理数", "调解数", "成功数", "涉及人数", "涉及金额"]
    rows = [["甘霖镇", "2024-01", "邻里纠纷", 5, 4, 3, 2, "100.5"],
            ["甘霖镇", "2024-02", "邻里纠纷", "99999999999999999999", 4, 3, "", ""],
            ["甘霖镇", "2024-03", "邻里纠纷", "9223372036854775808", 4, 3, "", ""],
            ["甘霖镇", "2024-04", "邻里纠纷", "2.5", 1, 1, "", ""],
            ["甘霖镇", "2024-05", "邻里纠纷", 5, 4, 3, "1e30", ""],
            ["甘霖镇", "2024-06", "邻里纠纷", 5, 4, 3, "", "inf"],
            ["甘霖镇", "2024-07", "邻里纠纷", "nan", 0, 0, "", ""],
            ["甘霖镇", "2024-08", "邻里纠纷", "-1", 0, 0, "", ""],
            ["甘霖镇", "2024-09", "邻里纠纷", "2147483647", 4, 3, "", ""]]
    write_csv(county.path / "m.csv", head, rows)
    rep = county.load([{"kind": "mediation", "path": "m.csv"}])
    assert source(rep, "mediation")["rejected_by_reason"] == {"bad_value": 7}
    assert q(county.db, "SELECT month, received FROM mediation ORDER BY 1") == [
        (dt.date(2024, 1, 1), 5), (dt.date(2024, 9, 1), 2147483647)]
    assert one(county.db, "SELECT min(received) FROM mediation") > 0   # nothing wrapped


# --- 10. [privacy] keep_reporter = false -------------------------------------------------
def test_keep_reporter_false_stores_no_reporter_name_or_phone(county):
    head = ["事件编号", "上报时间", "事件类型", "经度", "纬度", "上报人", "联系电话"]
    lon, lat = cell(1, 1)
    rows = [["E1", "2024-03-05 10:00:00", "环境卫生", lon, lat, "张三", "13812345678"],
            ["E2", "2024-03-05 10:00:00", "", lon, lat, "李四", "13900001111"]]   # rejected
    s = _settings(county.path, "[privacy]\nkeep_reporter = false\n")
    county.load([county.events(rows, head=head)], settings=s)
    assert q(county.db, "SELECT reporter_name, reporter_phone FROM events") == [(None, None)]
    (raw,) = q(county.db, "SELECT raw FROM rejects")[0]
    assert "李四" not in raw and "13900001111" not in raw and "事件编号" in raw
    raw = county.db.read_bytes()
    assert "13812345678".encode() not in raw and "张三".encode() not in raw
    county.load([county.events(rows, head=head)])          # default: kept
    assert q(county.db, "SELECT reporter_name, reporter_phone FROM events") == [
        ("张三", "13812345678")]
    assert "13900001111" in one(county.db, "SELECT raw FROM rejects")


# --- 1. an XLSX whose declared dimension is smaller than its data ------------------------
def _shrink_dimension(path: Path, ref: str) -> None:
    """Rewrite the sheet's <dimension ref=…> as a careless exporter does."""
    import re
    import zipfile

    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data, n = re.subn(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(),
                                  data)
                assert n == 1
            zout.writestr(item, data)
    tmp.replace(path)


def test_an_xlsx_declaring_a_smaller_sheet_than_it_holds_loads_every_row(county):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["事件编号", "上报时间", "事件类型", "经度", "纬度", "状态"])
    for i in range(40):
        lon, lat = cell(i % 4, 1)
        ws.append([f"E{i}", f"2024-03-{1 + i % 28:02d} 10:00:00", "环境卫生", lon, lat, "已办结"])
    path = county.path / "events.xlsx"
    wb.save(path)
    _shrink_dimension(path, "A1:C2")
    rep = county.load([{"kind": "events", "path": "events.xlsx"}])
    assert source(rep, "events")["rows_read"] == 40 and source(rep, "events")["new"] == 40
    assert one(county.db, "SELECT count(*) FROM events WHERE status = 'closed'") == 40


# --- 7. XLSX formula cells without a cached value -----------------------------------------
def test_formula_cells_without_a_cached_value_load_as_their_text_and_are_named(county):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["事件编号", "上报时间", "事件类型", "经度", "纬度", "事件描述"])
    for i in range(1, 4):
        lon, lat = cell(1, 1)
        ws.append([f"E{i}", "2024-03-05 10:00:00", "环境卫生", lon, lat, f"=A{i + 1}&\"号\""])
    wb.save(county.path / "events.xlsx")        # openpyxl stores formulas without values
    rep = county.load([{"kind": "events", "path": "events.xlsx"}])
    ev = source(rep, "events")
    assert ev["new"] == 3
    assert ev["formulas_without_value"] == {"count": 3, "cells": ["F2", "F3", "F4"]}
    assert q(county.db, "SELECT event_id, description FROM events ORDER BY 1") == [
        ("E1", '=A2&"号"'), ("E2", '=A3&"号"'), ("E3", '=A4&"号"')]


def test_formula_cells_with_a_cached_value_keep_the_value(county):
    import openpyxl

    from etl.read_table import _open_sheet   # noqa: F401  (the reader under test)

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["乡镇", "月份", "纠纷类型", "受理数", "调解数", "成功数"])
    ws.append(["甘霖镇", "2024-01", "邻里纠纷", 5, 4, "=E2-1"])
    path = county.path / "m.xlsx"
    wb.save(path)
    # give F2 a cached value, as Excel does on save
    import re
    import zipfile
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data, n = re.subn(rb"(<f>E2-1</f>)(<v>\s*</v>|<v\s*/>)?", rb"\1<v>3</v>", data)
                assert n == 1
            zout.writestr(item, data)
    tmp.replace(path)
    rep = county.load([{"kind": "mediation", "path": "m.xlsx"}])
    assert "formulas_without_value" not in source(rep, "mediation")
    assert q(county.db, "SELECT succeeded FROM mediation") == [(3,)]


# --- 8. a binary file given as CSV ------------------------------------------------------
@pytest.mark.parametrize("name, content, what", [
    ("events.csv", None, "ZIP archive"),                       # an .xlsx renamed .csv
    ("events.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "PNG image"),
    ("events.csv", b"SQLite format 3\x00" + b"\x00" * 200, "SQLite database"),
    ("events.csv", "事件编号,上报时间\n".encode("utf-8") + b"\x00\x01\x02" * 50, "NUL bytes"),
])
def test_a_binary_file_given_as_csv_is_not_a_text_file(county, name, content, what):
    import openpyxl

    path = county.path / name
    if content is None:
        wb = openpyxl.Workbook()
        wb.active.append(["事件编号", "上报时间"])
        wb.save(path)
    else:
        path.write_bytes(content)
    county.load([])                                    # a database with the grids
    before = _digest(county.db)
    with pytest.raises(LoadError, match=rf"^{name}: not a text file: .*{what}"):
        county.load([{"kind": "events", "path": name}])
    assert _digest(county.db) == before


def test_utf16_text_with_a_bom_is_still_text(county):
    lon, lat = cell(1, 1)
    county.events([["E1", "2024-03-05 10:00:00", "环境卫生", lon, lat, "", "", ""]],
                  encoding="utf-16")
    rep = county.load([{"kind": "events", "path": "events.csv"}])
    assert source(rep, "events")["new"] == 1


# --- 4. a projected layer without a CRS -------------------------------------------------
def _projected_grids(folder: Path, declare: bool) -> Path:
    import geopandas as gpd

    g = gpd.read_file(folder / "grids_zh.geojson").to_crs("EPSG:4549")
    path = folder / "grids_gk.gpkg"
    if not declare:
        g = g.set_crs(None, allow_override=True)
    with warnings.catch_warnings():   # pyogrio warns that the file will lack a CRS: the point
        warnings.filterwarnings("ignore", message="'crs' was not provided")
        g.to_file(path, driver="GPKG")
    return path


def test_a_projected_layer_without_a_crs_is_one_message_with_its_range(county):
    _projected_grids(county.path, declare=False)
    with pytest.raises(LoadError) as err:
        county.load([{"kind": "grids", "path": "grids_gk.gpkg"}], with_grids=False)
    msg = str(err.value)
    assert msg.startswith("grids_gk.gpkg: coordinates x ")
    assert "not longitude/latitude (no CRS declared)" in msg and 'crs = "EPSG:' in msg
    assert "\n" not in msg and not county.db.exists()
    rep = county.load([{"kind": "grids", "path": "grids_gk.gpkg", "crs": "EPSG:4549"}],
                      with_grids=False)
    assert source(rep, "grids")["new"] == source(rep, "grids")["rows_read"] > 0


def test_the_cli_says_it_in_one_line_and_exits_2(county):
    _projected_grids(county.path, declare=False)
    cfg = write_config(county.path, [{"kind": "grids", "path": "grids_gk.gpkg"}])
    res = cli("--db", str(county.db), "--config", str(cfg))
    assert res.returncode == 2, res.stderr
    assert res.stderr.count("\n") == 1 and "grids_gk.gpkg: coordinates x" in res.stderr
    assert "Traceback" not in res.stderr


# --- 5. two headers competing for one column --------------------------------------------
def test_competing_headers_follow_the_documented_priority_and_are_named(county):
    head = ["事件编号", "上报时间", "发生时间", "事件类型", "longitude", "经度", "纬度"]
    lon, lat = cell(1, 1)
    rows = [["E1", "2024-03-05 10:00:00", "2024-03-01 08:00:00", "环境卫生", "0", lon, lat]]
    rep = county.load([county.events(rows, head=head)])
    ev = source(rep, "events")
    assert ev["header_choices"] == [
        {"field": "reported_at", "used": "上报时间", "ignored": ["发生时间"], "by": "priority"},
        {"field": "lon", "used": "经度", "ignored": ["longitude"], "by": "priority"}]
    assert q(county.db, "SELECT CAST(reported_at AS VARCHAR), lon > 120 FROM events") == [
        ("2024-03-05 10:00:00", True)]


def test_an_explicit_mapping_decides_between_competing_headers(county):
    head = ["事件编号", "上报时间", "发生时间", "事件类型", "经度", "纬度"]
    lon, lat = cell(1, 1)
    rows = [["E1", "2024-03-05 10:00:00", "2024-03-01 08:00:00", "环境卫生", lon, lat]]
    rep = county.load([county.events(rows, head=head, columns={"reported_at": "发生时间"})])
    assert source(rep, "events")["header_choices"] == [
        {"field": "reported_at", "used": "发生时间", "ignored": ["上报时间"], "by": "mapping"}]
    assert one(county.db, "SELECT CAST(reported_at AS VARCHAR) FROM events") == \
        "2024-03-01 08:00:00"


def test_the_summary_names_the_header_used_and_the_one_ignored(county):
    from etl.report import format_summary

    head = ["事件编号", "上报时间", "发生时间", "事件类型", "经度", "纬度"]
    lon, lat = cell(1, 1)
    rep = county.load([county.events([["E1", "2024-03-05 10:00:00", "", "环境卫生", lon, lat]],
                                     head=head)])
    assert "reported_at read from '上报时间' by priority, ignored '发生时间'" in \
        format_summary(rep)


# --- 6. grids that overlap each other ---------------------------------------------------
def _grid_feature(gid: str, x0: float, y0: float, size: float) -> dict:
    ring = [[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size], [x0, y0]]
    return {"type": "Feature", "properties": {"网格编号": gid, "网格名称": gid, "乡镇": "甘霖镇"},
            "geometry": {"type": "Polygon", "coordinates": [ring]}}


def test_overlapping_grids_are_named_with_their_area_in_square_metres(county):
    import json

    import geopandas as gpd
    import shapely

    size = 0.01
    feats = [_grid_feature("G1", 120.80, 29.58, size),
             _grid_feature("G2", 120.80 + size, 29.58, size),          # shares an edge only
             _grid_feature("G3", 120.80 + size / 2, 29.58, size),      # half over G1 and G2
             _grid_feature("G4", 120.80, 29.58 + size - 1e-8, size)]   # ~1 m² slivers
    (county.path / "g.geojson").write_text(json.dumps(
        {"type": "FeatureCollection", "features": feats}), encoding="utf-8")
    rep = county.load([{"kind": "grids", "path": "g.geojson"}], with_grids=False)
    ov = source(rep, "grids")["overlapping_grids"]
    assert ov["count"] == 2 and ov["min_area_m2"] == 10.0
    assert sorted((p["a"], p["b"]) for p in ov["pairs"]) == [("G1", "G3"), ("G2", "G3")]
    # independent check of the area: geopandas in an equal-area projection
    g = gpd.GeoSeries([shapely.box(120.80, 29.58, 120.81, 29.59),
                       shapely.box(120.805, 29.58, 120.815, 29.59)], crs="EPSG:4326")
    expected = g.iloc[[0]].intersection(g.iloc[1], align=False).to_crs("EPSG:6933").area
    for p in ov["pairs"]:
        assert p["area_m2"] == pytest.approx(float(expected.iloc[0]), rel=2e-3)


def test_overlaps_are_tested_again_only_when_the_grids_change(county, monkeypatch):
    """The pairs are kept with a fingerprint of the grids table: a load with the same grids
    reports the same pairs without testing them (its overlap test would fail here); a moved
    grid is tested again."""
    import json

    from etl import geom

    size = 0.01
    feats = [_grid_feature("G1", 120.80, 29.58, size),
             _grid_feature("G3", 120.80 + size / 2, 29.58, size)]

    def write(features):
        (county.path / "g.geojson").write_text(json.dumps(
            {"type": "FeatureCollection", "features": features}), encoding="utf-8")

    write(feats)
    first = source(county.load([{"kind": "grids", "path": "g.geojson"}], with_grids=False),
                   "grids")["overlapping_grids"]
    assert [(p["a"], p["b"]) for p in first["pairs"]] == [("G1", "G3")]

    def no_test(*a, **k):
        raise AssertionError("overlaps tested again for unchanged grids")

    monkeypatch.setattr(geom, "overlaps", no_test)
    again = source(county.load([{"kind": "grids", "path": "g.geojson"}], with_grids=False),
                   "grids")
    assert again["unchanged"] == 2 and again["overlapping_grids"] == first
    monkeypatch.undo()
    write([feats[0], _grid_feature("G3", 120.80 + size, 29.58, size)])   # now edge to edge
    moved = source(county.load([{"kind": "grids", "path": "g.geojson"}], with_grids=False),
                   "grids")
    assert moved["updated"] == 1 and "overlapping_grids" not in moved


def test_a_clean_lattice_reports_no_overlap(county):
    rep = county.load([])
    assert "overlapping_grids" not in source(rep, "grids")


# --- 9. a load failing on its second source ends with its own code and message ----------
def test_a_load_failing_on_its_second_source_exits_2_with_its_message_every_time(county):
    lon, lat = cell(1, 1)
    rows = [[f"E{i}", "2024-03-05 10:00:00", "环境卫生", lon, lat, "", "", ""]
            for i in range(500)]
    county.events(rows)
    county.load([{"kind": "events", "path": "events.csv"}])
    before = _digest(county.db)
    write_csv(county.path / "cams.csv", ["名称", "经度", "纬度"], [["东门", lon, lat]])
    cfg = write_config(county.path, [county.grids, {"kind": "events", "path": "events.csv"},
                                     {"kind": "cameras", "path": "cams.csv"}], name="bad.toml")
    for _ in range(5):
        res = cli("--db", str(county.db), "--config", str(cfg))
        assert res.returncode == 2, (res.returncode, res.stderr)
        assert res.stderr.startswith("导入失败 load stopped: cams.csv: missing required "
                                     "column(s) camera_id")
        assert res.stderr.count("\n") == 1 and res.stdout == ""
        assert _digest(county.db) == before
    assert sorted(p.name for p in county.db.parent.iterdir()
                  if p.name.startswith("wall.duckdb")) == ["wall.duckdb", "wall.duckdb.lock"]


def test_a_second_dashboard_on_a_busy_port_exits_2_every_time(county):
    import socket

    from tests.serving import free_port

    county.load([])
    port = free_port()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        for _ in range(5):
            res = subprocess.run([sys.executable, "-m", "dashboard", "--db", str(county.db),
                                  "--port", str(port)], cwd=ROOT, capture_output=True,
                                 text=True, timeout=120)
            assert res.returncode == 2, (res.returncode, res.stderr)
            assert res.stderr.startswith(f"端口 {port} 已被占用")
            assert "terminate" not in res.stderr and "Traceback" not in res.stderr


# --- 11. leftovers of a killed load -------------------------------------------------------
def test_leftover_copies_of_a_killed_load_are_removed_at_the_next_start(county):
    from etl.publish import remove_leftovers

    county.load([])
    before = _digest(county.db)
    stale = [county.db.with_name("wall.duckdb.tmp-999999"),
             county.db.with_name("wall.duckdb.tmp-999999.wal")]
    for p in stale:
        p.write_bytes(b"half a database")
    spill = county.db.with_name("wall.duckdb.spill-999999")
    spill.mkdir()
    (spill / "x.block").write_bytes(b"x")
    other = county.db.with_name("other.duckdb.tmp-1")
    other.write_bytes(b"not ours")
    assert sorted(remove_leftovers(county.db)) == sorted(
        ["wall.duckdb.tmp-999999", "wall.duckdb.tmp-999999.wal", "wall.duckdb.spill-999999"])
    assert not any(p.exists() for p in [*stale, spill]) and other.exists()
    assert _digest(county.db) == before
    assert remove_leftovers(county.db) == []
    assert remove_leftovers(county.path / "no" / "such.duckdb") == []
    # and the ETL's own start removes them too
    stale[0].write_bytes(b"half a database")
    county.load([])
    assert not stale[0].exists()


def test_leftovers_are_left_alone_while_a_load_holds_the_lock(county):
    from etl.publish import db_lock, remove_leftovers

    county.load([])
    running = county.db.with_name("wall.duckdb.tmp-12345")
    running.write_bytes(b"a load in progress")
    with db_lock(county.db):
        assert remove_leftovers(county.db) == []
    assert running.exists()


def test_a_utf8_file_with_one_foreign_byte_is_named_not_read_as_gb18030(county):
    head = "事件编号,上报时间,事件类型,经度,纬度\n".encode("utf-8")
    lon, lat = cell(1, 1)
    good = f"E1,2024-03-05 10:00:00,环境卫生,{lon},{lat}\n".encode("utf-8")
    (county.path / "events.csv").write_bytes(head + good + b"E2,2024-03-05,caf\xe9,1,2\n")
    with pytest.raises(LoadError, match=r"^events.csv: not valid utf-8 text at byte \d+"):
        county.load([{"kind": "events", "path": "events.csv"}])


def test_an_error_no_check_foresaw_is_still_one_line_and_exit_2(county):
    county.load([])
    before = _digest(county.db)
    cfg = write_config(county.path, [county.grids], name="ok.toml")
    res = cli("--db", str(county.db), "--config", str(cfg), "--settings", str(county.path))
    assert res.returncode == 2
    assert res.stderr.startswith(f"导入失败 load stopped: {cfg}: unexpected IsADirectoryError")
    assert res.stderr.count("\n") == 1 and "the database is unchanged" in res.stderr
    assert _digest(county.db) == before
