"""Hour-of-day × weekday matrix (时段分布) of the filtered events (valid ones: the caption
says so, beside the event table's total that lists invalid ones too).

The graph is created by the callback once the first view is drawn (ui.READY): a
``dcc.Graph`` in the initial layout would make the browser fetch and parse plotly.js
(4.8 MB) before the tables could show."""
from __future__ import annotations

from dash import Input, Output, dcc, html
from dash.exceptions import PreventUpdate

from dashboard.analysis.ui import GRAPH_CONFIG, READY, URL, panel, view_filters
from dashboard.figures.hour_weekday import hour_weekday_figure
from store import analysis_reads as ar


def layout(ctx):
    return panel("matrix", "时段分布（星期 × 小时）",
                 html.Div(html.Div("加载中…", className="an-dim"), id="an-matrix-box",
                          className="an-graph-box"),
                 caption_id="an-matrix-caption")


def graph(fig) -> dcc.Graph:
    return dcc.Graph(id="an-matrix", figure=fig, config=GRAPH_CONFIG,
                     style={"height": "100%", "width": "100%"})


def register_callbacks(app, ctx) -> None:
    @app.callback(Output("an-matrix-box", "children"), Output("an-matrix-caption", "children"),
                  Input(URL, "search"), Input(READY, "data"))
    def _matrix(search, ready):
        if not ready:
            raise PreventUpdate
        f, err = view_filters(ctx, search)
        if f is None:
            return graph(hour_weekday_figure([[0] * 24] * 7)), err
        fig, total = ctx.cached(matrix_view, f)
        return graph(fig), cohort_caption(f, total)


def cohort_caption(f, total: int) -> str:
    """What the chart counts: valid events (the event list's total also lists invalid ones
    and says how many), or the invalid ones when the status filter asks for them."""
    if f.status == "invalid":
        return f"无效/重复事件 {total:,} 件"
    return f"有效事件 {total:,} 件（不含无效/重复）"


def matrix_view(store, settings, f) -> tuple[dict, int]:
    """The figure as a plain dict, cached whole: building a plotly figure costs more than
    reading its 168 numbers."""
    counts = ar.hour_weekday(store, settings, f)
    return hour_weekday_figure(counts).to_plotly_json(), int(counts.sum())
