"""The analysis benchmark on the small demo county: it runs end to end against a real server
and reports what it promises — p50/p95 server and CPU ms per request kind beside a raw
DuckDB count, and the first view in Chromium by its stated definition. Nothing here
asserts a time: speed is for the benchmark, not for tests."""
from __future__ import annotations

import pytest

from bench import bench_analysis


def test_percentiles_are_measured_values_by_nearest_rank():
    values = [5.0, 1.0, 4.0, 2.0, 3.0]
    assert bench_analysis.pct(values, 50) == 3.0
    assert bench_analysis.pct(values, 95) == 5.0 and bench_analysis.pct(values, 0) == 1.0
    s = bench_analysis.summary(values, [1.0, 2.0, 3.0, 4.0, 5.0])
    assert (s["p50_ms"], s["p95_ms"], s["cpu_p50_ms"], s["cpu_p95_ms"]) == (3.0, 5.0, 3.0, 5.0)


@pytest.mark.browser
@pytest.mark.slow
def test_the_benchmark_reports_api_kinds_a_baseline_and_the_first_view(wall_demo_db,
                                                                         chromium):
    res = bench_analysis.run(wall_demo_db, n=2, first_view_runs=1, csv=False,
                             browser=chromium)
    api = res["api"]
    assert {"events_30d_page1", "events_30d_page100_by_department", "hotspots_7d_county",
            "events_all_time_page2000", "deck_30d_county"} <= set(api)
    for kind in api.values():
        assert kind["n"] >= 2 and 0 < kind["p50_ms"] <= kind["p95_ms"] <= kind["max_ms"]
        assert kind["cpu_p50_ms"] >= 0
    assert res["baseline_duckdb_count_30d"]["p50_ms"] > 0
    assert set(res["p50_over_duckdb_count"]) == set(api)
    fv = res["first_view"]
    assert 0 < fv["first_view"]["p50_ms"] < fv["complete"]["p50_ms"]
    assert fv["console_errors"] == []
    text = bench_analysis.table(res)
    assert "first view" in text and "DuckDB count(*)" in text
