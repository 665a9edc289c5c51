"""The ETL floor benchmark at a tiny scale: it writes what it claims to (every event, into the
real events table, sorted by reported_at, with daily_rollup) and reports its ratios from the
same run's read_csv. Nothing here asserts a time."""
from __future__ import annotations

import json

import duckdb
import pytest

from bench import bench_floor
from bench.bench_load import write_events


def test_floor_load_writes_every_event_sorted_with_rollups(tmp_path):
    csv = tmp_path / "events.csv"
    write_events(csv, 3000, seed=1)
    run = bench_floor.floor_run(csv, tmp_path / "floor.duckdb", sort=True)
    assert run["rows"] == 3000
    con = duckdb.connect(str(tmp_path / "floor.duckdb"), read_only=True)
    try:
        (unsorted,) = con.execute("""SELECT count(*) FROM (SELECT reported_at,
            lag(reported_at) OVER (ORDER BY rowid) AS prev FROM events) WHERE prev > reported_at
            """).fetchone()
        assert unsorted == 0
        (reported,) = con.execute("SELECT sum(reported) FROM daily_rollup").fetchone()
        assert reported == 3000
        (located,) = con.execute("SELECT count(grid_id) FROM events").fetchone()
        assert located > 2500        # the lattice takes the points inside the benchmark's grids
    finally:
        con.close()


def test_tiny_floor_benchmark_reports_ratios_beside_read_csv(tmp_path):
    out = tmp_path / "floor.json"
    assert bench_floor.main([str(out), "--events", "3000", "--rounds", "1",
                             "--workdir", str(tmp_path / "w")]) == 0
    res = json.loads(out.read_text(encoding="utf-8"))
    (row,) = res["rounds"]
    assert row["read_csv_seconds"] > 0
    for label in ("sorted", "any_order"):
        run = row[label]
        assert run["rows"] == 3000
        assert 0 < run["start"] < run["process_seconds"]
        # ratios are rounded to 2 decimals (and seconds to 3): a ratio of 0.07 may be 0.0667
        assert run["ratio"] == pytest.approx(run["process_seconds"] / row["read_csv_seconds"],
                                             rel=0.05, abs=0.006)
        assert run["insert_ratio"] == pytest.approx(
            run["typed_insert"] / row["read_csv_seconds"], rel=0.05, abs=0.006)
        assert res[f"median_{label}"]["ratio"] == run["ratio"]
    for comp in ("auto", "uncompressed"):   # the baseline's statement, into a file
        raw = row[f"raw_copy_{comp}"]
        assert raw["rows"] == 3000
        # ratio and seconds are rounded (2 and 3 decimals): at this scale a few % apart
        assert raw["ratio"] == pytest.approx(raw["seconds"] / row["read_csv_seconds"], rel=0.15)
        assert res[f"median_raw_copy_{comp}"] == raw["ratio"]
