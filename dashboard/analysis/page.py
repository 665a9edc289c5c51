"""The page skeleton: header, filter bar, and the panels in reading order (hotspots and the
3D view first, then when and what, then the cases themselves)."""
from __future__ import annotations

import datetime as dt

from dash import ClientsideFunction, Input, Output, State, dcc, html

from dashboard.analysis import (deck_panel, events_panel, filters_bar, hotspot_panel,
                                late_panel, matrix_panel, trend_panel)
from dashboard.analysis.ui import READY, URL, view_filters
from store.freshness import freshness, stale_text

ROOMS = (filters_bar, hotspot_panel, deck_panel, matrix_panel, trend_panel, late_panel,
         events_panel)


def layout(ctx):
    meta = ctx.meta()
    county = meta.get("dataset_name") or "本县"
    return html.Div(id="an-root", className="an-root", children=[
        dcc.Location(id=URL, refresh=False),
        dcc.Store(id=READY),
        html.Header(className="an-header", children=[
            html.H1(f"{county} · 研判分析", className="an-title"),
            html.Span("演示数据", className="an-demo", id="an-demo") if ctx.is_demo else None,
            html.Span("", id="an-stale", className="an-stale an-hidden"),
            html.Span("", id="an-asof", className="an-asof"),
            html.Nav(className="an-links", children=[
                html.A("导出CSV", id="an-export", href="/api/events.csv", className="an-btn"),
                html.A("返回大屏", id="an-wall-link", href="/", className="an-btn"),
            ]),
        ]),
        filters_bar.layout(ctx),
        html.Div(className="an-row an-row-main", children=[
            hotspot_panel.layout(ctx), deck_panel.layout(ctx)]),
        html.Div(className="an-row an-row-charts", children=[
            matrix_panel.layout(ctx), trend_panel.layout(ctx), late_panel.layout(ctx)]),
        events_panel.layout(ctx),
    ])


def register_callbacks(app, ctx) -> None:
    for room in ROOMS:
        room.register_callbacks(app, ctx)

    # The first view is the two tables (HTML, no plotly.js): once both have answered, READY
    # turns true and the figures, the late list and the 3D frame follow.
    app.clientside_callback(
        ClientsideFunction(namespace="gridwallAnalysis", function_name="firstView"),
        Output(READY, "data"),
        Input("an-events", "data"), Input("an-hot-table", "data"), State(READY, "data"),
    )

    @app.callback(Output("an-asof", "children"), Output("an-export", "href"),
                  Output("an-wall-link", "href"), Output("an-f-error", "children"),
                  Output("an-stale", "children"), Output("an-stale", "className"),
                  Input(URL, "search"))
    def _header(search):
        from dashboard.analysis.ui import query_string

        stale = stale_notice(ctx.cached(freshness, timeout=30))
        f, err = view_filters(ctx, search)
        if f is None:
            return "", "/api/events.csv", "/", err, *stale
        last = f.end.toordinal() - 1
        window = f"{f.start:%Y-%m-%d} 至 {type(f.end).fromordinal(last):%Y-%m-%d}"
        wall = "/" + ("?" + query_string({"township": f.township}) if f.township else "")
        return (f"统计窗口 {window} · 数据截至 {f.as_of:%Y-%m-%d %H:%M}",
                "/api/events.csv?" + query_string({**f.query(), "header": "zh"}), wall, "",
                *stale)


def stale_notice(f: dict | None) -> tuple[str, str]:
    """(text, class) of the header's dead-feed notice, the wall's alarm with the newest
    report's time: a window up to now on a feed that stopped days ago is nearly empty, and
    the officer must see why (docs/metrics.md "Data freshness")."""
    text = stale_text(f)
    if not text:
        return "", "an-stale an-hidden"
    if not f.get("newest_report"):       # a time-zone notice on a store without events
        return text, "an-stale"
    newest = dt.datetime.fromisoformat(f["newest_report"])
    return f"{text} · 最新上报 {newest:%Y-%m-%d %H:%M}", "an-stale"
