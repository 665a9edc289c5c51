"""Hour-of-day × weekday matrix (时段分布) of the filtered events."""
from __future__ import annotations

from dash import Input, Output, dcc

from dashboard.analysis.ui import GRAPH_CONFIG, URL, panel, view_filters
from dashboard.figures.hour_weekday import hour_weekday_figure
from store import analysis_reads as ar


def layout(ctx):
    return panel("matrix", "时段分布（星期 × 小时）",
                 dcc.Graph(id="an-matrix", config=GRAPH_CONFIG,
                           style={"height": "100%", "width": "100%"}),
                 caption_id="an-matrix-caption")


def register_callbacks(app, ctx) -> None:
    @app.callback(Output("an-matrix", "figure"), Output("an-matrix-caption", "children"),
                  Input(URL, "search"))
    def _matrix(search):
        f, err = view_filters(ctx, search)
        if f is None:
            return hour_weekday_figure([[0] * 24] * 7), err
        counts = ctx.cached(ar.hour_weekday, f)
        return hour_weekday_figure(counts), f"共 {int(counts.sum()):,} 件"
