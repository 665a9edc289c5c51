"""The grid filter's choices: every grid can be told from the others by its label."""
from __future__ import annotations

import duckdb

from store import analysis_reads as ar
from store.db import ReadStore
from store.settings import Settings
from tests.analysis.analysisdb import make_db


def test_grids_named_alike_are_told_apart_by_township_then_id(tmp_path):
    """Townships name their grids alike (第二网格 in each): a county-level list of bare names
    had identical lines nobody could choose between. The township is added where the name
    repeats in the county (as grid_labels does everywhere else), the id where it repeats
    within one township too; a name used once stays as it is."""
    db = make_db(tmp_path / "g.duckdb")
    con = duckdb.connect(str(db))
    con.execute("UPDATE grids SET grid_name = '第二网格' WHERE grid_id IN ('G1', 'G2', 'G3')")
    con.execute("INSERT INTO grids (grid_id, grid_name, township_code)"
                " VALUES ('G9', '独有网格', 'T2')")
    towns = dict(con.execute("SELECT township_code, township_name FROM townships").fetchall())
    con.close()
    store = ReadStore(db)
    try:
        county = {o["id"]: o["name"] for o in ar.grid_options(store, Settings(), None)}
        t1 = {o["id"]: o["name"] for o in ar.grid_options(store, Settings(), "T1")}
    finally:
        store.close()
    assert county == {"G1": f"第二网格（{towns['T1']}） · G1",
                      "G2": f"第二网格（{towns['T1']}） · G2",
                      "G3": f"第二网格（{towns['T2']}）", "G9": "独有网格"}
    assert t1 == {"G1": county["G1"], "G2": county["G2"]}
    assert len(set(county.values())) == len(county)
