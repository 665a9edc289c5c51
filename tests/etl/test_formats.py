"""Every input format loads the same county: polygons (GeoJSON, GeoPackage, zipped Shapefile,
GeoParquet) and tables (CSV in UTF-8 / UTF-8 with BOM / GB18030, XLSX, Parquet, GeoJSON
points), all with Chinese headers and no mapping file."""
from __future__ import annotations

import datetime as dt
import zipfile

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest

from tests.etl.conftest import FIX, copy_fixture, one, q, source

EXPECTED_GRID = {"SZ0001": "G00", "SZ0002": "G11", "SZ0003": "G22", "SZ0004": "G20",
                 "SZ0005": "G10", "SZ0006": "G02", "SZ0007": "G01", "SZ0008": "G20"}


def _check_county(db):
    assert one(db, "SELECT count(*) FROM grids") == 9
    towns = dict(q(db, "SELECT township_code, township_name FROM townships"))
    assert towns == {"330683100": "甘霖镇", "330683001": "剡湖街道"}
    got = dict(q(db, "SELECT event_id, grid_id FROM events"))
    assert got == EXPECTED_GRID


def _grids_gdf():
    return gpd.read_file(FIX / "grids_zh.geojson")


def _write_polygons(folder, fmt):
    g = _grids_gdf()
    if fmt == "geojson":
        return copy_fixture("grids_zh.geojson", folder).name
    if fmt == "gpkg":
        g.to_file(folder / "grids.gpkg", driver="GPKG", layer="网格")
        return "grids.gpkg"
    if fmt == "shp.zip":
        shp = folder / "shp"
        shp.mkdir()
        g.to_file(shp / "grids.shp", encoding="GBK")      # Chinese field names fit in GBK
        with zipfile.ZipFile(folder / "grids.shp.zip", "w") as z:
            for f in shp.iterdir():
                z.write(f, f.name)
        return "grids.shp.zip"
    if fmt == "parquet":
        g.to_parquet(folder / "grids.parquet")
        return "grids.parquet"
    raise AssertionError(fmt)


@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "shp.zip", "parquet"])
def test_polygon_formats(county, fmt):
    name = _write_polygons(county.path, fmt)
    copy_fixture("events_zh.csv", county.path)
    county.grids = {"kind": "grids", "path": name}
    rep = county.load([{"kind": "events", "path": "events_zh.csv"}])
    assert source(rep, "grids")["new"] == 9
    _check_county(county.db)


def test_zipped_shapefile_without_cpg_needs_the_declared_encoding(county):
    shp = county.path / "shp"
    shp.mkdir()
    _grids_gdf().to_file(shp / "grids.shp", encoding="GBK")
    (shp / "grids.cpg").unlink()
    with zipfile.ZipFile(county.path / "grids.zip", "w") as z:
        for f in shp.iterdir():
            z.write(f, f.name)
    copy_fixture("events_zh.csv", county.path)
    county.grids = {"kind": "grids", "path": "grids.zip", "encoding": "gbk"}
    county.load([{"kind": "events", "path": "events_zh.csv"}])
    _check_county(county.db)


def _events_frame():
    return pd.read_csv(FIX / "events_zh.csv", dtype=str, keep_default_na=False)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_csv_encodings_are_detected(county, encoding):
    _events_frame().to_csv(county.path / "events.csv", index=False, encoding=encoding)
    rep = county.load([{"kind": "events", "path": "events.csv"}])
    ev = source(rep, "events")
    assert ev["new"] == 8 and ev["rejected"] == 0
    assert ev["encoding"] in ({"utf-8": "utf-8", "utf-8-sig": "utf-8-sig"}.get(encoding)
                              or "gb18030",)
    _check_county(county.db)
    assert one(county.db, "SELECT description FROM events WHERE event_id = 'SZ0001'") == \
        "邻里因排水沟堵塞发生争执"


def test_declared_encoding_wins(county):
    _events_frame().to_csv(county.path / "events.csv", index=False, encoding="gbk")
    county.load([{"kind": "events", "path": "events.csv", "encoding": "gbk"}])
    _check_county(county.db)


def test_tab_separated_text_export(county):
    _events_frame().to_csv(county.path / "events.tsv", index=False, sep="\t")
    county.load([{"kind": "events", "path": "events.tsv"}])
    _check_county(county.db)


def test_xlsx_with_excel_datetimes_and_numbers(county):
    df = _events_frame()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "事件"
    ws.append(["2024年3月 事件台账"])          # a title row above the header, as exports have
    ws.append([])
    ws.append(list(df.columns))
    for rec in df.to_dict("records"):
        row = []
        for col, v in rec.items():
            if col == "上报时间":
                v = pd.Timestamp(pd.to_datetime(v.replace("年", "-").replace("月", "-")
                                                .replace("日", ""), format="mixed")).to_pydatetime()
            elif col in ("经度", "纬度"):
                v = float(v)
            row.append(v)
        ws.append(row)
    wb.create_sheet("说明", 0).append(["备注"])      # the table is not on the first sheet
    wb.save(county.path / "events.xlsx")
    rep = county.load([{"kind": "events", "path": "events.xlsx", "sheet": "事件"}])
    ev = source(rep, "events")
    assert ev["new"] == 8 and ev["format"] == "xlsx" and ev["sheet"] == "事件"
    # rows are numbered from the header down (the title line above it is skipped)
    assert q(county.db, "SELECT min(source_row), max(source_row) FROM events") == [(1, 8)]
    _check_county(county.db)
    assert one(county.db, "SELECT reported_at FROM events WHERE event_id = 'SZ0003'") == \
        dt.datetime(2024, 3, 6, 8, 0)


def test_xlsx_source_rows_are_data_rows(county):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["事件编号", "上报时间", "事件类型", "经度", "纬度"])
    ws.append(["A1", dt.datetime(2024, 3, 5, 14, 3), "矛盾纠纷", 120.805, 29.585])
    ws.append([None, None, None, None, None])          # an empty row is skipped
    ws.append(["A2", "not a time", "矛盾纠纷", 120.805, 29.585])
    wb.save(county.path / "ev.xlsx")
    county.load([{"kind": "events", "path": "ev.xlsx"}])
    assert q(county.db, "SELECT source_row, reason FROM rejects") == [(3, "bad_time")]
    assert one(county.db, "SELECT source_row FROM events") == 1


def test_parquet_with_typed_columns(county):
    df = _events_frame()
    df["上报时间"] = pd.to_datetime(df["上报时间"].str.replace("年", "-").str.replace("月", "-")
                                   .str.replace("日", ""), format="mixed")
    df["经度"] = df["经度"].astype(float)
    df["纬度"] = df["纬度"].astype(float)
    df.to_parquet(county.path / "events.parquet")
    county.load([{"kind": "events", "path": "events.parquet"}])
    _check_county(county.db)
    assert one(county.db, "SELECT reported_at FROM events WHERE event_id = 'SZ0005'") == \
        dt.datetime(2024, 3, 6, 10, 15)


def test_parquet_timezone_aware_times_are_converted(county):
    pd.DataFrame({
        "事件编号": ["P1"], "事件类型": ["矛盾纠纷"], "经度": [120.805], "纬度": [29.585],
        "上报时间": pd.to_datetime(["2024-03-05 06:03:00"]).tz_localize("UTC"),
    }).to_parquet(county.path / "events.parquet")
    county.load([{"kind": "events", "path": "events.parquet"}])
    assert one(county.db, "SELECT reported_at FROM events") == dt.datetime(2024, 3, 5, 14, 3)


def test_cameras_as_geojson_points_and_csv(county):
    pts = gpd.GeoDataFrame(
        {"点位编号": ["C1", "C2", "C3"], "点位名称": ["北门", "南门", "桥头"],
         "状态": ["在线", "离线", "正常"], "类型": ["球机", "高清枪机", "云眼智能"]},
        geometry=gpd.points_from_xy([120.805, 120.815, 120.825], [29.585, 29.595, 29.605]),
        crs=4326)
    pts.to_file(county.path / "cameras.geojson", driver="GeoJSON")
    rep = county.load([{"kind": "cameras", "path": "cameras.geojson"}])
    assert source(rep, "cameras")["new"] == 3
    assert q(county.db, "SELECT camera_id, status, grid_id, township_code FROM cameras "
             "ORDER BY camera_id") == [("C1", "online", "G00", "330683100"),
                                       ("C2", "offline", "G11", "330683001"),
                                       ("C3", "online", "G22", "330683001")]


def test_mediation_xlsx_monthly_table(county):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["乡镇", "月份", "纠纷类型", "受理数", "调解数", "成功数", "涉及人数", "涉及金额"])
    ws.append(["甘霖镇", "2024-01", "邻里纠纷", 10, 9, 8, 21, 1200.5])
    ws.append(["330683001", dt.datetime(2024, 2, 1), "婚姻家庭", 4, 4, 4, None, None])
    ws.append(["剡湖街道", "2024年3月", "劳资纠纷", 0, 0, 0, 0, 0])
    wb.save(county.path / "mediation.xlsx")
    rep = county.load([{"kind": "mediation", "path": "mediation.xlsx"}])
    assert source(rep, "mediation")["new"] == 3
    rows = q(county.db, "SELECT township_code, month, dispute_type, received, mediated, "
             "succeeded, people_involved, amount FROM mediation ORDER BY month")
    assert rows == [
        ("330683100", dt.date(2024, 1, 1), "邻里纠纷", 10, 9, 8, 21, 1200.5),
        ("330683001", dt.date(2024, 2, 1), "婚姻家庭", 4, 4, 4, None, None),
        ("330683001", dt.date(2024, 3, 1), "劳资纠纷", 0, 0, 0, 0, 0.0)]


def test_numeric_codes_in_layers_keep_their_digits(county):
    g = _grids_gdf()
    g["镇街编码"] = g["镇街编码"].astype("int64")
    g["村社编码"] = [330683100201.0 + i if i != 4 else float("nan") for i in range(len(g))]
    g.to_parquet(county.path / "g.parquet")
    county.grids = {"kind": "grids", "path": "g.parquet"}
    county.load([])
    assert one(county.db, "SELECT village_code FROM grids WHERE grid_id = 'G00'") == \
        "330683100201"
    assert one(county.db, "SELECT count(*) FROM townships WHERE township_code = "
               "'330683100'") == 1
    assert one(county.db, "SELECT count(*) FROM grids WHERE village_code LIKE 'V%'") == 1


def test_header_only_files_load_nothing_and_fail_nothing(county):
    from tests.etl.conftest import write_csv

    write_csv(county.path / "e.csv", ["事件编号", "上报时间", "事件类型", "经度", "纬度"], [])
    write_csv(county.path / "c.csv", ["点位编号", "经度", "纬度", "状态"], [])
    write_csv(county.path / "m.csv", ["乡镇", "月份", "纠纷类型", "受理数", "调解数", "成功数"], [])
    write_csv(county.path / "k.csv", ["案件编号", "乡镇", "纠纷类型", "受理时间"], [])
    rep = county.load([{"kind": "events", "path": "e.csv"}, {"kind": "cameras", "path": "c.csv"},
                       {"kind": "mediation", "path": "m.csv"},
                       {"kind": "mediation", "path": "k.csv"}])
    assert rep["total"]["rows_read"] == 9 and rep["total"]["new"] == 9
    assert one(county.db, "SELECT count(*) FROM events") == 0
