"""Re-loading the same files changes nothing; a newer export updates by id; rejects of a
file are replaced when it is loaded again."""
from __future__ import annotations

from tests.etl.conftest import cell, copy_fixture, one, q, source, write_csv

TABLES = ("townships", "villages", "grids", "events", "cameras", "mediation", "rejects",
          "daily_rollup")


def snapshot(db):
    out = {}
    for t in TABLES:
        cols = "* EXCLUDE (load_id)" if t in ("events", "cameras", "mediation", "rejects") else "*"
        out[t] = sorted(map(repr, q(db, f"SELECT {cols} FROM {t}")))
    return out


def _sources(county):
    copy_fixture("events_zh.csv", county.path)
    write_csv(county.path / "cams.csv", ["点位编号", "经度", "纬度", "状态"],
              [["C1", *cell(0, 0), "在线"], ["C2", *cell(2, 2), "离线"], ["C3", "x", "y", "在线"]])
    write_csv(county.path / "med.csv", ["乡镇", "月份", "纠纷类型", "受理数", "调解数", "成功数"],
              [["甘霖镇", "2024-01", "邻里纠纷", 3, 2, 1], ["无此镇", "2024-01", "邻里纠纷", 1, 1, 1]])
    write_csv(county.path / "bad.csv", ["事件编号", "上报时间", "事件类型", "经度", "纬度"],
              [["B1", "", "矛盾纠纷", *cell(1, 1)], ["B2", "2024-03-05 10:00", "矛盾纠纷", *cell(1, 1)]])
    return [{"kind": "events", "path": "events_zh.csv"}, {"kind": "events", "path": "bad.csv"},
            {"kind": "cameras", "path": "cams.csv"}, {"kind": "mediation", "path": "med.csv"}]


def test_second_load_of_the_same_files_changes_nothing(county):
    sources = _sources(county)
    first = county.load(sources, dataset={"name": "测试县"})
    before = snapshot(county.db)
    version1 = one(county.db, "SELECT value FROM meta WHERE key = 'data_version'")
    second = county.load(sources, dataset={"name": "测试县"})
    assert first["total"]["new"] == 9 + 8 + 1 + 2 + 1
    t = second["total"]
    assert (t["new"], t["updated"], t["rejected"]) == (0, 0, first["total"]["rejected"])
    assert t["unchanged"] == first["total"]["new"]
    assert snapshot(county.db) == before
    assert one(county.db, "SELECT count(*) FROM rejects") == 3
    assert q(county.db, "SELECT load_id FROM load_runs ORDER BY 1") == [(1,), (2,)]
    assert one(county.db, "SELECT value FROM meta WHERE key = 'data_version'") != version1
    # events stay sorted by reported_at on disk
    times = [r[0] for r in q(county.db, "SELECT reported_at FROM events")]
    assert times == sorted(times)


def test_newer_export_updates_by_event_id(county):
    sources = _sources(county)
    county.load(sources)
    rows = (county.path / "events_zh.csv").read_text(encoding="utf-8").splitlines()
    # SZ0002 is now closed; SZ0009 is new
    rows = [r.replace(",,消防救援大队,县级部门,,处置中,",
                      ",2024-03-06 09:00:00,消防救援大队,县级部门,满意,已办结,")
            if r.startswith("SZ0002") else r for r in rows]
    rows.append("SZ0009,2024-03-09 08:00:00,环境卫生,,网格员上报,,,120.835,29.585,,,,,,,,,,")
    (county.path / "events_zh.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    rep = county.load(sources)
    ev = source(rep, "events", "events_zh.csv")
    assert (ev["new"], ev["updated"], ev["unchanged"]) == (1, 1, 7)
    assert q(county.db, "SELECT status, closed_at IS NOT NULL, load_id FROM events "
             "WHERE event_id = 'SZ0002'") == [("closed", True, 2)]
    assert one(county.db, "SELECT load_id FROM events WHERE event_id = 'SZ0001'") == 1
    assert one(county.db, "SELECT count(*) FROM events") == 8 + 1 + 1
    # closed on 6 March: SZ0001, SZ0003 and now SZ0002
    assert one(county.db, "SELECT sum(closed) FROM daily_rollup WHERE day = '2024-03-06'") == 3


def test_rejects_of_a_reloaded_file_are_replaced(county):
    sources = _sources(county)
    county.load(sources)
    assert q(county.db, "SELECT source_file, source_row FROM rejects ORDER BY 1") == [
        ("bad.csv", 1), ("cams.csv", 3), ("med.csv", 2)]
    write_csv(county.path / "bad.csv", ["事件编号", "上报时间", "事件类型", "经度", "纬度"],
              [["B1", "2024-03-05 09:00", "矛盾纠纷", *cell(1, 1)],
               ["B2", "2024-03-05 10:00", "矛盾纠纷", *cell(1, 1)]])
    county.load([sources[1]])                 # only the fixed file this time
    assert q(county.db, "SELECT source_file FROM rejects ORDER BY 1") == [
        ("cams.csv",), ("med.csv",)]
    assert one(county.db, "SELECT count(*) FROM events WHERE event_id LIKE 'B%'") == 2


def test_grid_change_relocates_earlier_events(county):
    copy_fixture("events_zh.csv", county.path)
    county.load([{"kind": "events", "path": "events_zh.csv"}])
    assert one(county.db, "SELECT grid_id FROM events WHERE event_id = 'SZ0002'") == "G11"
    assert one(county.db, "SELECT grid_id FROM events WHERE event_id = 'SZ0005'") == "G10"
    # a newer grid layer where the squares of G10 and G11 swapped ids
    text = (county.path / "grids_zh.geojson").read_text(encoding="utf-8")
    text = text.replace('"网格编号": "G11"', '"网格编号": "TMP"').replace(
        '"网格编号": "G10"', '"网格编号": "G11"').replace('"网格编号": "TMP"', '"网格编号": "G10"')
    (county.path / "grids_zh.geojson").write_text(text, encoding="utf-8")
    rep = county.load([])
    assert source(rep, "grids")["updated"] == 2
    assert rep["relocated_after_grid_change"]["events_moved"] == 2
    assert one(county.db, "SELECT grid_id FROM events WHERE event_id = 'SZ0002'") == "G10"
    assert one(county.db, "SELECT grid_id FROM events WHERE event_id = 'SZ0005'") == "G11"


# content_hash of events_zh.csv as stored by the loader before the staging became Parquet
# files (commit 78b08a1, DuckDB 1.5.5): a database written then re-loads as `unchanged`.
EARLIER_HASHES = {
    "SZ0001": "13550946997827835029", "SZ0002": "17038075708045574867",
    "SZ0003": "4657448378852752776", "SZ0004": "16210196928417619114",
    "SZ0005": "12736496406910198703", "SZ0006": "3984950439381707397",
    "SZ0007": "12847392202819165136", "SZ0008": "1414669835560787636"}


def test_content_hashes_are_those_an_earlier_version_stored(county):
    copy_fixture("events_zh.csv", county.path)
    county.load([{"kind": "events", "path": "events_zh.csv"}])
    stored = q(county.db, "SELECT event_id, CAST(content_hash AS VARCHAR) FROM events")
    assert dict(stored) == EARLIER_HASHES


def test_a_database_with_text_hashes_re_loads_unchanged_and_gets_integer_hashes(county):
    """Until 2 December 2026 the hashes were stored as text; such a database is migrated by
    the next load, and its events, unchanged, stay unchanged."""
    import duckdb

    copy_fixture("events_zh.csv", county.path)
    county.load([{"kind": "events", "path": "events_zh.csv"}])
    con = duckdb.connect(str(county.db))
    con.execute("ALTER TABLE events ALTER content_hash SET DATA TYPE VARCHAR")
    con.close()
    assert one(county.db, "SELECT typeof(content_hash) FROM events LIMIT 1") == "VARCHAR"
    rep = county.load([{"kind": "events", "path": "events_zh.csv"}])
    assert source(rep, "events")["unchanged"] == len(EARLIER_HASHES)
    assert source(rep, "events")["updated"] == source(rep, "events")["new"] == 0
    assert one(county.db, "SELECT typeof(content_hash) FROM events LIMIT 1") == "UBIGINT"
    stored = q(county.db, "SELECT event_id, CAST(content_hash AS VARCHAR) FROM events")
    assert dict(stored) == EARLIER_HASHES


def test_a_newer_export_with_an_unknown_status_replaces_a_derived_one(county):
    """An empty status is derived from the timestamps (reported, closed); an unknown one (挂起)
    is stored NULL (docs/etl.md). Both used to hash as NULL, so a newer export saying 挂起
    counted `unchanged` and kept the derived status, where a fresh load of the same file
    stores NULL; in one file the two rows were taken for exact duplicates."""
    head = ["事件编号", "上报时间", "事件类型", "经度", "纬度", "办结时间", "状态"]
    t, closed = "2024-03-05 10:00:00", "2024-03-06 09:00:00"

    def export(status):
        write_csv(county.path / "e.csv", head, [["E1", t, "矛盾纠纷", *cell(1, 1), "", status],
                                                ["E2", t, "矛盾纠纷", *cell(1, 1), closed,
                                                 status]])
        rep = source(county.load([{"kind": "events", "path": "e.csv"}]), "events")
        return (rep["new"], rep["updated"], rep["unchanged"]), dict(
            q(county.db, "SELECT event_id, status FROM events"))

    assert export("") == ((2, 0, 0), {"E1": "reported", "E2": "closed"})
    assert export("挂起") == ((0, 2, 0), {"E1": None, "E2": None})
    assert export("暂缓") == ((0, 0, 2), {"E1": None, "E2": None})    # unknown all the same
    assert export("") == ((0, 2, 0), {"E1": "reported", "E2": "closed"})
    write_csv(county.path / "twice.csv", head, [["E3", t, "矛盾纠纷", *cell(1, 1), "", ""],
                                                ["E3", t, "矛盾纠纷", *cell(1, 1), "", "挂起"]])
    rep = source(county.load([{"kind": "events", "path": "twice.csv"}]), "events")
    assert (rep["new"], rep["duplicates"], rep["rejected_by_reason"]) == (
        1, 0, {"duplicate_conflict": 1})
    assert one(county.db, "SELECT status FROM events WHERE event_id = 'E3'") == "reported"
