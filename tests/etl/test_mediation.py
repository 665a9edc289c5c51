"""Mediation: case records aggregated into monthly counts, replaced by key on reload."""
from __future__ import annotations

import datetime as dt

from etl.load import run_load
from store import wall_reads as W
from store.db import ReadStore
from store.settings import Settings
from tests.etl.conftest import one, q, source, write_config, write_csv
from tests.etl.test_incremental_equals_fresh import _layer, _write_layer

CASE_HEAD = ["案件编号", "乡镇", "纠纷类型", "受理时间", "结案时间", "调解结果", "涉及人数"]


def test_case_records_are_aggregated(county):
    write_csv(county.path / "cases.csv", CASE_HEAD, [
        ["M1", "甘霖镇", "邻里纠纷", "2024-01-03 09:00", "2024-01-05 10:00", "调解成功", "2"],
        ["M2", "甘霖镇", "邻里纠纷", "2024-01-20 09:00", "2024-01-25 10:00", "不成功", "3"],
        ["M3", "甘霖镇", "邻里纠纷", "2024-01-28 09:00", "", "", ""],
        ["M4", "剡湖街道", "婚姻家庭", "2024-02-01 00:00", "2024-02-02 10:00", "成功", ""],
        ["M5", "无此镇", "婚姻家庭", "2024-02-01 00:00", "", "", ""],         # unknown_township
        ["M6", "甘霖镇", "邻里纠纷", "2024-02-01 09:00", "2024-01-01 10:00", "成功", ""],
        ["M7", "甘霖镇", "邻里纠纷", "2024-02-01 09:00", "", "和解?", ""],      # bad_value
        ["M1", "甘霖镇", "邻里纠纷", "2024-01-03 09:00", "2024-01-05 10:00", "调解成功", "2"],
        ["M2", "甘霖镇", "邻里纠纷", "2024-01-20 09:00", "2024-01-25 10:00", "成功", "3"],
    ])
    rep = county.load([{"kind": "mediation", "path": "cases.csv"}])
    m = source(rep, "mediation")
    assert m["rejected_by_reason"] == {"bad_value": 1, "closed_before_reported": 1,
                                       "duplicate_conflict": 1, "unknown_township": 1}
    assert m["duplicates"] == 1 and m["new"] == 2
    assert q(county.db, "SELECT township_code, month, dispute_type, received, mediated, "
             "succeeded, people_involved FROM mediation ORDER BY month") == [
        ("330683100", dt.date(2024, 1, 1), "邻里纠纷", 3, 2, 1, 5),
        ("330683001", dt.date(2024, 2, 1), "婚姻家庭", 1, 1, 1, None)]
    assert q(county.db, "SELECT source_row, reason FROM rejects ORDER BY 1") == [
        (5, "unknown_township"), (6, "closed_before_reported"), (7, "bad_value"),
        (9, "duplicate_conflict")]


def test_monthly_table_reload_replaces_by_key(county):
    head = ["乡镇", "月份", "纠纷类型", "受理数", "调解数", "成功数"]
    write_csv(county.path / "m.csv", head, [["甘霖镇", "2024-01", "邻里纠纷", 5, 4, 3],
                                            ["甘霖镇", "2024-02", "邻里纠纷", 6, 5, 4]])
    county.load([{"kind": "mediation", "path": "m.csv"}])
    write_csv(county.path / "m.csv", head, [["甘霖镇", "2024-01", "邻里纠纷", 5, 4, 3],
                                            ["甘霖镇", "2024-02", "邻里纠纷", 7, 6, 6]])
    rep = county.load([{"kind": "mediation", "path": "m.csv"}])
    m = source(rep, "mediation")
    assert (m["new"], m["updated"], m["unchanged"]) == (0, 1, 1)
    assert one(county.db, "SELECT count(*) FROM mediation") == 2
    assert one(county.db, "SELECT succeeded FROM mediation WHERE month = '2024-02-01'") == 6


def test_mediation_of_a_merged_township_reads_as_a_fresh_load_does(county, tmp_path):
    """A newer grids layer merges 甘霖镇 into 剡湖街道: the ETL removes the township, and a
    fresh load of the same files rejects its mediation rows (unknown_township). The earlier
    rows are kept (a later layer may bring the township back) but the wall no longer counts
    them: before, the county panel kept 甘霖镇's 5 cases where a fresh load shows none."""

    head = ["乡镇", "月份", "纠纷类型", "受理数", "调解数", "成功数"]
    write_csv(county.path / "m.csv", head, [["甘霖镇", "2024-01", "邻里纠纷", 5, 4, 3],
                                            ["剡湖街道", "2024-01", "邻里纠纷", 2, 1, 1]])
    merged = _layer("base")
    for r in range(3):
        p = merged[f"G0{r}"]["properties"]
        p["所属镇街"], p["镇街编码"] = "剡湖街道", "330683001"
    _write_layer(county.path / "merged.geojson", merged)
    grids_merged = {"kind": "grids", "path": "merged.geojson"}
    med = {"kind": "mediation", "path": "m.csv"}

    def panel(db):
        store = ReadStore(db)
        try:
            return {t: W.mediation(store, Settings.load(None), t,
                                   dt.date(2024, 1, 31))["received"]
                    for t in (None, "330683001", "330683100")}
        finally:
            store.close()

    county.load([med])
    assert panel(county.db) == {None: 7, "330683001": 2, "330683100": 5}
    county.load([grids_merged], with_grids=False)
    assert one(county.db, "SELECT count(*) FROM mediation") == 2      # kept
    fresh = tmp_path / "fresh.duckdb"
    rep = run_load(fresh, write_config(county.path, [grids_merged, med], name="fresh.toml"),
                   progress=False)
    assert source(rep, "mediation")["rejected_by_reason"] == {"unknown_township": 1}
    assert panel(county.db) == panel(fresh) == {None: 2, "330683001": 2, "330683100": 0}
    county.load([])                          # the base layer again: 甘霖镇 is back
    assert panel(county.db) == {None: 7, "330683001": 2, "330683100": 5}


def test_case_records_a_table_already_gave_are_accounted_for(county):
    """A monthly table and case records of the same (township, month, type) in one load: the
    table, first in the config, loads; the case rows were left out of the report (c.csv
    read 3 rows, none new, duplicate or rejected). Now each is a duplicate_conflict (other
    counts) or a duplicate (the same counts), as a second table row would be."""
    head = ["乡镇", "月份", "纠纷类型", "受理数", "调解数", "成功数"]
    write_csv(county.path / "m.csv", head, [["甘霖镇", "2024-01", "邻里纠纷", 5, 4, 3],
                                            ["剡湖街道", "2024-01", "邻里纠纷", 1, 1, 1]])
    write_csv(county.path / "c.csv", CASE_HEAD, [
        ["M1", "甘霖镇", "邻里纠纷", "2024-01-03 09:00", "", "", ""],
        ["M2", "甘霖镇", "邻里纠纷", "2024-01-04 09:00", "2024-01-05 09:00", "成功", ""],
        ["M3", "剡湖街道", "邻里纠纷", "2024-01-04 09:00", "2024-01-05 09:00", "成功", ""],
        ["M4", "剡湖街道", "婚姻家庭", "2024-01-04 09:00", "", "", ""]])
    rep = county.load([{"kind": "mediation", "path": "m.csv"},
                       {"kind": "mediation", "path": "c.csv"}])
    c = source(rep, "mediation", "c.csv")
    assert (c["rows_read"], c["new"], c["duplicates"], c["rejected"]) == (4, 1, 1, 2)
    assert q(county.db, "SELECT source_file, source_row, reason, detail FROM rejects "
             "ORDER BY 2") == [
        ("c.csv", r, "duplicate_conflict", "same township, month and dispute_type as m.csv "
         "row 1, with different content") for r in (1, 2)]
    assert q(county.db, "SELECT township_code, dispute_type, received FROM mediation "
             "ORDER BY 1, 2") == [("330683001", "婚姻家庭", 1), ("330683001", "邻里纠纷", 1),
                                  ("330683100", "邻里纠纷", 5)]
