"""Trend by category (分类趋势) of the filtered valid events: per day, or per week past 62
days. Like the matrix, the graph is created once the first view is drawn (ui.READY)."""
from __future__ import annotations

import pandas as pd
from dash import Input, Output, dcc, html
from dash.exceptions import PreventUpdate

from dashboard.analysis.ui import GRAPH_CONFIG, READY, URL, panel, view_filters
from dashboard.figures.category_trend import category_trend_figure
from store import analysis_reads as ar


def layout(ctx):
    return panel("trend", "分类趋势",
                 html.Div(html.Div("加载中…", className="an-dim"), id="an-trend-box",
                          className="an-graph-box"),
                 caption_id="an-trend-caption")


def graph(fig) -> dcc.Graph:
    return dcc.Graph(id="an-trend", figure=fig, config=GRAPH_CONFIG,
                     style={"height": "100%", "width": "100%"})


def register_callbacks(app, ctx) -> None:
    @app.callback(Output("an-trend-box", "children"), Output("an-trend-caption", "children"),
                  Input(URL, "search"), Input(READY, "data"))
    def _trend(search, ready):
        if not ready:
            raise PreventUpdate
        f, err = view_filters(ctx, search)
        if f is None:
            return graph(category_trend_figure(pd.DataFrame())), err
        unit = "按周" if (f.end - f.start).days > 62 else "按日"
        return graph(ctx.cached(trend_view, f)), f"有效事件 · {unit}"


def trend_view(store, settings, f) -> dict:
    """The figure as a plain dict, cached whole (see matrix_panel)."""
    return category_trend_figure(ar.trend_by_category(store, settings, f)).to_plotly_json()
