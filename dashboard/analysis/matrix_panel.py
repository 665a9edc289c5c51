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
        fig, total = ctx.cached(matrix_view, f)
        return fig, f"共 {total:,} 件"


def matrix_view(store, settings, f) -> tuple[dict, int]:
    """The figure as a plain dict, cached whole: building a plotly figure costs more than
    reading its 168 numbers."""
    counts = ar.hour_weekday(store, settings, f)
    return hour_weekday_figure(counts).to_plotly_json(), int(counts.sum())
