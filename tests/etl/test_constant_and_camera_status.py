"""Real exports that lack a column: a camera inventory without status loads as `unknown`,
and a mapping file's [source.constant] gives any source a column it lacks."""
from __future__ import annotations

import pytest

from etl.config import parse_config
from etl.errors import LoadError
from etl.load import run_load
from tests.etl.conftest import cell, copy_fixture, one, q, source, write_csv

CAM_HEAD = ["点位编号", "点位名称", "经度", "纬度"]


def _folder(tmp_path):
    folder = tmp_path / "src"
    folder.mkdir()
    copy_fixture("grids_zh.geojson", folder)
    return folder


def _config(folder, body: str):
    path = folder / "load.toml"
    path.write_text('[[source]]\nkind = "grids"\npath = "grids_zh.geojson"\n\n' + body,
                    encoding="utf-8")
    return path


def test_a_camera_file_without_a_status_column_loads_with_status_unknown(tmp_path):
    folder = _folder(tmp_path)
    write_csv(folder / "cams.csv", CAM_HEAD, [["C1", "北门", *cell(0, 0)], ["C2", "南门", *cell(1, 1)]])
    rep = run_load(tmp_path / "w.duckdb", _config(folder, '[[source]]\nkind = "cameras"\n'
                                                          'path = "cams.csv"\n'), progress=False)
    cams = source(rep, "cameras")
    assert (cams["new"], cams["rejected"]) == (2, 0)
    assert cams["warnings"]["no_status_column"]["count"] == 2
    assert q(tmp_path / "w.duckdb", "SELECT camera_id, status FROM cameras ORDER BY 1") == [
        ("C1", "unknown"), ("C2", "unknown")]


def test_an_unreadable_or_empty_status_is_unknown_not_a_reject(tmp_path):
    folder = _folder(tmp_path)
    write_csv(folder / "cams.csv", [*CAM_HEAD, "状态"], [
        ["C1", "a", *cell(0, 0), "在线"], ["C2", "b", *cell(0, 1), "维修中"],
        ["C3", "c", *cell(0, 2), ""], ["C4", "d", *cell(1, 0), "离线"]])
    rep = run_load(tmp_path / "w.duckdb", _config(folder, '[[source]]\nkind = "cameras"\n'
                                                          'path = "cams.csv"\n'), progress=False)
    cams = source(rep, "cameras")
    assert cams["rejected"] == 0
    assert cams["warnings"]["unknown_camera_status"] == {"count": 1, "example": "维修中"}
    assert dict(q(tmp_path / "w.duckdb", "SELECT camera_id, status FROM cameras")) == {
        "C1": "online", "C2": "unknown", "C3": "unknown", "C4": "offline"}


def test_a_constant_sets_a_column_the_file_lacks_and_goes_through_the_value_mapping(tmp_path):
    folder = _folder(tmp_path)
    write_csv(folder / "cams.csv", CAM_HEAD, [["C1", "北门", *cell(0, 0)]])
    write_csv(folder / "events.csv", ["编号", "上报时间", "经度", "纬度"],
              [["E1", "2024-03-05 08:00", *cell(0, 0)], ["E2", "2024-03-06 08:00", *cell(2, 2)]])
    cfg = _config(folder, '[[source]]\nkind = "cameras"\npath = "cams.csv"\n'
                          '[source.constant]\nstatus = "在线"\nowner = "公安局"\n\n'
                          '[[source]]\nkind = "events"\npath = "events.csv"\n'
                          '[source.constant]\ncategory = "城市管理"\nchannel = "12345"\n'
                          'supervised = true\n')
    rep = run_load(tmp_path / "w.duckdb", cfg, progress=False)
    assert source(rep, "events")["new"] == 2 and source(rep, "cameras")["new"] == 1
    db = tmp_path / "w.duckdb"
    assert q(db, "SELECT status, owner FROM cameras") == [("online", "公安局")]
    assert q(db, "SELECT DISTINCT category, channel, supervised FROM events") == [
        ("城市管理", "12345", True)]


def test_a_constant_replaces_a_column_the_aliases_found(tmp_path):
    folder = _folder(tmp_path)
    write_csv(folder / "cams.csv", [*CAM_HEAD, "状态"], [["C1", "a", *cell(0, 0), "离线"]])
    cfg = _config(folder, '[[source]]\nkind = "cameras"\npath = "cams.csv"\n'
                          '[source.constant]\nstatus = "online"\n')
    run_load(tmp_path / "w.duckdb", cfg, progress=False)
    assert one(tmp_path / "w.duckdb", "SELECT status FROM cameras") == "online"


@pytest.mark.parametrize("body,message", [
    ('[source.constant]\ncolour = "red"\n', "unknown field 'colour'"),
    ('[source.constant]\nstatus = [1, 2]\n', "must be a string, number or boolean"),
    ('[source.columns]\nstatus = "状态"\n[source.constant]\nstatus = "online"\n',
     "both mapped to a column and set as a constant"),
    ('constant = "online"\n', "[source.constant] must map"),
])
def test_a_bad_constant_stops_the_load_naming_the_key(tmp_path, body, message):
    folder = _folder(tmp_path)
    cfg = _config(folder, '[[source]]\nkind = "cameras"\npath = "cams.csv"\n' + body)
    with pytest.raises(LoadError, match=message.replace("[", r"\[").replace("(", r"\(")):
        parse_config(cfg)
