"""The ETL benchmark at a tiny scale: it runs end to end and reports what it promises (each
load beside DuckDB's read_csv of the same file, the ratio, the load's own peak RSS). Nothing
here asserts a time: speed is for the benchmark, not for tests."""
from __future__ import annotations

import json

import duckdb
import pytest

from bench import bench_load


def test_tiny_benchmark_reports_ratio_and_peak_rss_per_load(tmp_path):
    out = tmp_path / "load.json"
    assert bench_load.main([str(out), "--events", "3000", "--workdir", str(tmp_path / "w")]) == 0
    run = json.loads(out.read_text(encoding="utf-8"))["runs"][0]
    assert run["events"] == 3000 and run["grids"] == 1521
    fresh, same, newer = run["fresh"], run["reload_same"], run["newer_export"]
    assert (fresh["new"], fresh["rejected"]) == (3000, 0)
    assert (same["new"], same["updated"], same["unchanged"]) == (0, 0, 3000)
    assert newer["updated"] > 0 and newer["new"] == 0
    assert newer["updated"] + newer["unchanged"] == 3000
    for res in (fresh, same, newer):
        assert res["read_csv_seconds"] > 0 and res["seconds"] > 0 and res["cpu_seconds"] > 0
        # the ratios come from unrounded times, the seconds are reported rounded: 5 % slack
        assert res["cpu_ratio"] == pytest.approx(
            res["cpu_seconds"] / res["read_csv_cpu_seconds"], rel=0.05)
        assert res["ratio"] == pytest.approx(res["seconds"] / res["read_csv_seconds"], rel=0.05)
        assert 50 < res["peak_rss_mb"] < 1536     # measured on the load's own process
    db = tmp_path / "w" / "n3000" / "bench.duckdb"
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM events").fetchone() == (3000,)
    finally:
        con.close()


def test_generator_streams_the_same_events_whatever_the_slice(tmp_path, monkeypatch):
    whole = tmp_path / "whole.csv"
    bench_load.write_events(whole, 1200, seed=5)
    monkeypatch.setattr(bench_load, "SLICE", 500)
    sliced = tmp_path / "sliced.csv"
    bench_load.write_events(sliced, 1200, seed=5)
    a = whole.read_text(encoding="utf-8").splitlines()
    b = sliced.read_text(encoding="utf-8").splitlines()
    assert len(a) == len(b) == 1201 and a[0] == b[0]
    assert [r.split(",")[0] for r in a] == [r.split(",")[0] for r in b]   # same ids, in order
    assert len({r.split(",")[0] for r in b[1:]}) == 1200


def test_city_grids_run_the_same_benchmark_on_irregular_grids(tmp_path):
    """--city-grids: the same events over N irregular grids in townships; every event is
    still located (the layer covers the box), and the run says which grids it had."""
    out = tmp_path / "load.json"
    assert bench_load.main([str(out), "--events", "2000", "--fresh-only", "--city-grids", "120",
                            "--workdir", str(tmp_path / "w")]) == 0
    run = json.loads(out.read_text(encoding="utf-8"))["runs"][0]
    assert (run["grids"], run["grid_shape"]) == (120, "city")
    assert (run["fresh"]["new"], run["fresh"]["rejected"]) == (2000, 0)
    con = duckdb.connect(str(tmp_path / "w" / "n2000_g120" / "bench.duckdb"), read_only=True)
    try:
        grids, towns, vertices = con.execute(
            "SELECT count(*), count(DISTINCT township_code), "
            "sum(octet_length(geom_wkb)) // 16 FROM grids").fetchone()
        assert grids == 120 and 30 <= towns <= 40
        assert vertices / grids > 40            # densified edges, not Voronoi's few corners
        assert con.execute("SELECT count(*) FROM events WHERE grid_id IS NULL").fetchone() == (0,)
    finally:
        con.close()
