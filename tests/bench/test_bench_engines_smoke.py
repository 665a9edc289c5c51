"""The engine benchmark reports every wall read on both engines (a tiny run; times are not
asserted: benchmarks are not tests)."""
from __future__ import annotations

import pytest

from bench import bench_engines
from tests.engines import close_all

pytestmark = pytest.mark.slow


def test_the_engine_benchmark_times_every_wall_read_on_duckdb_and_chdb(wall_demo_db, tmp_path):
    close_all()
    res = bench_engines.run(wall_demo_db, reps=1, work=tmp_path)
    names = [r["read"] for r in res["reads"]]
    assert len(names) == 10 and len(set(names)) == 10
    assert {"metrics county", "ranking townships", "trend (daily_rollup)"} <= set(names)
    for r in res["reads"]:
        assert r["duckdb_p50_ms"] > 0 and r["chdb_p50_ms"] > 0 and r["ratio_p50"] > 0
    assert res["publish"]["tables"] and res["events"] > 0
    assert "| metrics county |" in bench_engines.table(res["reads"])
