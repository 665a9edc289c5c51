"""With no emerging hotspot, the analysis page lists the grids nearest to one (供观察)."""
from __future__ import annotations

from scipy.stats import poisson

from dashboard.analysis.hotspot_panel import rows, watch_list
from dashboard.analysis.views import hotspot_view
from store.analysis_filters import parse_filters

Q = {"start": "2025-06-09", "end": "2025-06-16", "as_of": "2025-06-15T23:00"}


def test_a_township_without_hotspots_lists_its_grids_above_baseline_below_watch_p(planted_app):
    ctx = planted_app.server.config["GRIDWALL_CTX"]
    f = parse_filters(ctx.store, ctx.settings, {**Q, "township": "T2"})
    assert hotspot_view(ctx, f).empty                  # G3: 2 valid events, below min_count
    watch = watch_list(ctx, f)
    # G3 had nothing before: baseline floored at 0.5, P(X ≥ 2) = 0.09 < watch_p 0.1
    assert list(watch["grid_id"]) == ["G3"]
    assert watch["p"].iloc[0] == poisson.sf(1, 0.5) < 0.1
    assert rows(watch, hot=False)[0]["cams"] in (0, 1)          # never called a 盲区
    ctx.settings.section("hotspots")["watch_p"] = 0.05
    try:
        assert watch_list(ctx, f).empty
    finally:
        ctx.settings.section("hotspots")["watch_p"] = 0.1


def test_a_hotspot_without_an_online_camera_is_a_coverage_gap_in_its_row(planted_app):
    ctx = planted_app.server.config["GRIDWALL_CTX"]
    f = parse_filters(ctx.store, ctx.settings, Q)
    hot = hotspot_view(ctx, f)
    assert list(hot["grid_id"]) == ["G2"]
    row = rows(hot.assign(cameras_online_within=0))[0]
    assert row["cams"] == "0 · 盲区"
