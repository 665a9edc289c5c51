"""The event mix when the source has a category named 其他 among its largest: one 其他 row
(the source's own and every value beyond the top ones), not two rows of that name, which the
bar chart drew on one line with their shares over each other (a city export with 12 kinds)."""
from __future__ import annotations

import datetime as dt

import duckdb

from store import wall_reads as wr
from store.db import ReadStore
from store.schema import refresh_rollups
from store.settings import Settings
from tests.store.dbmaker import ev, make_db


def test_a_sources_own_other_joins_the_rest(tmp_path):
    day = dt.datetime(2026, 3, 5, 9, 0)
    counts = {"其他": 9, "噪音扰民": 8, "占道经营": 7, "违章搭建": 6, "路灯故障": 1, "道路破损": 1}
    events = [ev(f"E{c}{k}", day, category=c) for c, n in counts.items() for k in range(n)]
    path = make_db(tmp_path / "mix.duckdb", events)
    con = duckdb.connect(str(path))
    refresh_rollups(con)
    con.close()
    store = ReadStore(path)
    try:
        df = wr.mix(store, Settings.load(None), None, day.date(), day.date() + dt.timedelta(1),
                    "category", top=3)
    finally:
        store.close()
    assert list(df["label"]) == ["噪音扰民", "占道经营", "违章搭建", "其他"]
    assert list(df["reported"]) == [8, 7, 6, 11]          # 其他 9 + 路灯故障 1 + 道路破损 1
    assert df["label"].is_unique and df["share"].sum() == 1.0
