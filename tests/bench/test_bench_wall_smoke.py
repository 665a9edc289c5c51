"""The wall benchmark at the test county's small scale: it runs end to end in Chromium and
reports every figure beside its baseline from the same run. Nothing here asserts a time."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from bench import bench_wall

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_wall_benchmark_reports_each_figure_beside_its_baseline(wall_demo_db, tmp_path):
    out = tmp_path / "wall.json"          # its own process: the browser tests' Playwright runs here
    subprocess.run([sys.executable, "bench/bench_wall.py", str(out), "--db", str(wall_demo_db),
                    "--rounds", "0"], cwd=ROOT, check=True, capture_output=True, timeout=900)
    res = json.loads(out.read_text(encoding="utf-8"))
    towns = len(res["drill_down"]["visits"])
    assert towns == 15 and res["drill_down"]["cold"]["n"] == towns
    assert res["drill_down"]["callbacks_per_drill"] <= 2         # one view request + drill-store
    assert 0 < res["first_view"]["bytes"] and res["first_view"]["callbacks"] <= 4
    b = res["baseline"]
    assert b["events_in_memory"] > 0 and b["drill_pandas"]["n"] == towns
    assert b["drill_raw_duckdb"]["n"] == towns and b["metrics_in_process"]["n"] == 30
    assert b["full_geojson"]["raw_bytes"] > b["full_geojson"]["gzip_bytes"] > 0
    assert res["api_metrics_uncached"]["server"]["n"] == 30 and res["server_rss_mb"] > 50
    # measured on a window that holds events (as_of pinned to the newest report), and says so
    con = duckdb.connect(str(wall_demo_db), read_only=True)
    newest = con.execute("SELECT max(reported_at) FROM events").fetchone()[0]
    con.close()
    assert res["as_of"] == newest.isoformat() and res["events_in_window"] > 0
    text = bench_wall.table(res)
    assert text.count("\n") == 6 and "pandas in memory" in text and "GeoJSON" in text
    assert f"{res['events_in_window']:,} events" in text
