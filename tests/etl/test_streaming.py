"""Events stream through in batches: the result does not depend on where the batches cut;
an encoding guessed wrong from the first megabyte is corrected; later loads append sorted
rows and refresh the rollups of the days they touch only; no spill folder is left behind."""
from __future__ import annotations

import datetime as dt

import duckdb

from etl import read_table, stage
from store.schema import refresh_rollups
from tests.etl.conftest import cell, copy_fixture, one, q, source, write_csv
from tests.etl.test_rejects import HEAD, ev

ROWS = [ev("A1"), ev(""), ev("A3", t="2024-02-30 10:00"), ev("A1", cat="安全隐患"), ev("A1"),
        ev("A6", lonlat=("121.5", "29.59")), ev("A7", closed="2024-03-04 10:00:00"),
        ev("A8", t="2024-03-06 11:00:00"), ev("A9", lonlat=("", ""), grid="G02"),
        ev("A8", t="2024-03-06 11:00:00"), ev("A11", lonlat=("", ""), grid="G99")]


def _everything(db):
    return {t: sorted(map(repr, q(db, f"SELECT {cols} FROM {t}")))
            for t, cols in (("events", "* EXCLUDE (load_id)"), ("rejects", "* EXCLUDE (load_id)"),
                            ("daily_rollup", "*"))}


def test_batches_of_three_rows_load_exactly_what_one_batch_loads(county, tmp_path,
                                                                  monkeypatch):
    whole = county.load([county.events(ROWS, head=HEAD)])
    expected = _everything(county.db)
    county.db.unlink()
    monkeypatch.setattr(stage, "BATCH_ROWS", 3)
    sliced = county.load([county.events(ROWS, head=HEAD)])
    assert _everything(county.db) == expected
    a, b = source(whole, "events"), source(sliced, "events")
    for key in ("rows_read", "new", "duplicates", "rejected", "rejected_by_reason"):
        assert a[key] == b[key], key
    assert b["rows_read"] == len(ROWS) and b["duplicates"] == 2     # A1 row 5, A8 row 10
    # the conflicting A1 (row 4) names the first A1 (row 1), across batches
    assert q(county.db, "SELECT source_row, detail FROM rejects WHERE reason = "
             "'duplicate_conflict'") == [(4, "same event_id as events.csv row 1, "
                                             "with different content")]


def test_a_file_that_turns_out_not_to_be_utf8_is_read_again_as_gb18030(county):
    head = ["event_id", "reported_at", "category", "lon", "lat"]
    ascii_rows = [[f"E{i:06d}", "2024-03-05 10:00:00", "Dirty", *cell(1, 1)]
                  for i in range(40_000)]             # > 1 MB of plain ASCII first
    path = county.path / "late.csv"
    write_csv(path, head, ascii_rows)
    with path.open("ab") as fh:
        fh.write("Z1,2024-03-05 11:00:00,环境卫生,120.815,29.595\n".encode("gb18030"))
    assert path.stat().st_size > read_table.SAMPLE
    rep = county.load([{"kind": "events", "path": "late.csv"}])
    ev_rep = source(rep, "events")
    assert ev_rep["encoding"] == "gb18030" and ev_rep["new"] == 40_001
    assert one(county.db, "SELECT category FROM events WHERE event_id = 'Z1'") == "环境卫生"


def test_later_loads_append_sorted_rows_and_refresh_only_their_days(county):
    copy_fixture("events_zh.csv", county.path)
    county.load([{"kind": "events", "path": "events_zh.csv"}])
    # mark an untouched day's rollup: a load that does not touch 5 March must leave it
    con = duckdb.connect(str(county.db))
    con.execute("UPDATE daily_rollup SET reported = reported + 1000 WHERE day = '2024-03-05'")
    con.close()
    write_csv(county.path / "later.csv", HEAD,
              [ev("L2", t="2024-03-21 09:00:00"), ev("L1", t="2024-03-20 08:00:00",
                                                     closed="2024-03-22 10:00:00")])
    rep = county.load([{"kind": "events", "path": "later.csv"}])
    assert source(rep, "events")["new"] == 2
    assert one(county.db, "SELECT sum(reported) FROM daily_rollup WHERE day = "
               "'2024-03-05'") > 1000
    assert q(county.db, "SELECT day, sum(reported), sum(closed) FROM daily_rollup WHERE day "
             ">= '2024-03-20' GROUP BY day ORDER BY day") == [
        (dt.date(2024, 3, 20), 1, 0), (dt.date(2024, 3, 21), 1, 0), (dt.date(2024, 3, 22), 0, 1)]
    times = [r[0] for r in q(county.db, "SELECT reported_at FROM events")]
    assert times == sorted(times)            # later days appended after the earlier ones
    # and the days it did touch agree with a full rebuild
    con = duckdb.connect(str(county.db))
    try:
        got = con.execute("SELECT * FROM daily_rollup WHERE day >= '2024-03-20' "
                          "ORDER BY ALL").fetchall()
        con.execute("BEGIN")
        refresh_rollups(con)
        assert con.execute("SELECT * FROM daily_rollup WHERE day >= '2024-03-20' "
                           "ORDER BY ALL").fetchall() == got
        con.execute("ROLLBACK")
    finally:
        con.close()


def test_an_update_moves_the_rollup_of_the_old_and_the_new_days(county):
    copy_fixture("events_zh.csv", county.path)
    county.load([{"kind": "events", "path": "events_zh.csv"}])
    before = one(county.db, "SELECT sum(reported) FROM daily_rollup WHERE day = '2024-03-08'")
    rows = (county.path / "events_zh.csv").read_text(encoding="utf-8").splitlines()
    # SZ0008 was reported on 8 March by mistake: the newer export says 9 March
    rows = [r.replace("SZ0008,2024-03-08 18:45:00", "SZ0008,2024-03-09 18:45:00") for r in rows]
    (county.path / "events_zh.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    rep = county.load([{"kind": "events", "path": "events_zh.csv"}])
    assert source(rep, "events")["updated"] == 1
    assert one(county.db, "SELECT coalesce(sum(reported), 0) FROM daily_rollup "
               "WHERE day = '2024-03-08'") == before - 1
    assert one(county.db, "SELECT sum(reported) FROM daily_rollup WHERE day = "
               "'2024-03-09'") == 1


def test_no_spill_folder_is_left_and_a_stale_one_is_removed(county):
    stale = county.db.with_name(county.db.name + ".spill-999999")
    stale.mkdir(parents=True)
    (stale / "duckdb_temp_block.bin").write_bytes(b"x")
    copy_fixture("events_zh.csv", county.path)
    county.load([{"kind": "events", "path": "events_zh.csv"}])
    assert not [p.name for p in county.db.parent.iterdir() if ".spill-" in p.name]


def test_a_constant_reaches_every_batch_of_a_streamed_file(county, monkeypatch):
    monkeypatch.setattr(stage, "BATCH_ROWS", 2)
    write_csv(county.path / "ev.csv", ["编号", "上报时间", "经度", "纬度"],
              [[f"K{i}", f"2024-03-0{i + 1} 08:00", *cell(i % 3, 1)] for i in range(5)])
    cfg = county.path / "c.toml"
    cfg.write_text('[[source]]\nkind = "grids"\npath = "grids_zh.geojson"\n\n'
                   '[[source]]\nkind = "events"\npath = "ev.csv"\n'
                   '[source.constant]\ncategory = "城市管理"\nchannel = "12345"\n',
                   encoding="utf-8")
    from etl.load import run_load

    rep = run_load(county.db, cfg, progress=False)
    assert source(rep, "events")["new"] == 5 and source(rep, "events")["rows_read"] == 5
    assert q(county.db, "SELECT category, channel, count(*) FROM events GROUP BY ALL") == [
        ("城市管理", "12345", 5)]


def test_a_fresh_load_sorted_in_small_ranges_is_the_whole_table_in_order(county,
                                                                         monkeypatch):
    copy_fixture("events_zh.csv", county.path)
    county.load([{"kind": "events", "path": "events_zh.csv"}])
    expected = _everything(county.db)
    county.db.unlink()
    monkeypatch.setattr(stage, "SORT_PART_ROWS", 3)     # many ranges of reported_at
    county.load([{"kind": "events", "path": "events_zh.csv"}])
    assert _everything(county.db) == expected
    rows = q(county.db, "SELECT reported_at, event_id FROM events")
    assert len(rows) >= 8 and rows == sorted(rows)


def test_warnings_and_unknown_categories_add_up_over_batches_prepared_in_parallel(
        county, monkeypatch):
    rows = [ev(f"W{i}", level=("外包" if i % 3 == 0 else "网格"), cat=f"新型{i % 4}",
               sat=("很好" if i % 5 == 0 else "满意"), lonlat=(("121.5", "29.59") if i == 7
                                                            else None)) for i in range(40)]
    settings = county.path.parent / "s.toml"
    settings.write_text('[categories."新型0"]\nlabel_en = "new"\n', encoding="utf-8")
    whole = source(county.load([county.events(rows, head=HEAD)], settings=settings), "events")
    expected = _everything(county.db)
    county.db.unlink()
    monkeypatch.setattr(stage, "BATCH_ROWS", 3)       # 14 batches, two prepared at a time
    sliced = source(county.load([county.events(rows, head=HEAD)], settings=settings),
                    "events")
    assert _everything(county.db) == expected
    for key in ("warnings", "unknown_categories", "rejected_by_reason", "rows_read", "new"):
        assert sliced[key] == whole[key], key
    assert sliced["warnings"]["unknown_level"]["count"] == 14
    assert sliced["warnings"]["unknown_satisfaction"]["count"] == 8
    # 新型1..3 are not declared; W7 (新型3) is outside the county
    assert sliced["unknown_categories"] == {"新型1": 10, "新型2": 10, "新型3": 9}
