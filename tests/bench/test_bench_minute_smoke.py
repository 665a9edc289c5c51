"""The minute's benchmark on the small demo county: it renders every view once per round at
a new as_of and reports the round, its reads and outputs per panel, and the reads alone as
the baseline. Nothing here asserts a time."""
from __future__ import annotations

import pytest

from bench import bench_minute
from dashboard.wall import reply

pytestmark = pytest.mark.slow


def test_the_minute_benchmark_renders_every_view_and_reports_its_parts(wall_demo_db):
    reads = [p.read for p in reply.PANELS]
    res = bench_minute.run(wall_demo_db, rounds=2)
    assert [p.read for p in reply.PANELS] == reads          # the panels are left as they were
    import duckdb

    con = duckdb.connect(str(wall_demo_db), read_only=True)
    towns = con.execute("SELECT count(*) FROM townships").fetchone()[0]
    con.close()
    assert len(res["rounds"]) == 2
    for r in res["rounds"]:
        assert r["views"] == 1 + towns
        assert 0 < r["reads_s"] < r["round_s"] and r["outputs_s"] > 0
        assert {"warnings.read", "ranking.read", "map_panel.outputs"} <= set(r["by_panel_s"])
        assert r["baseline_reads_alone_s"] > 0 and r["ratio"] > 0
    assert "reads alone (baseline)" in bench_minute.table(res)
