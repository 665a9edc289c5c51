"""Trend by category (分类趋势) of the filtered events: per day, or per week past 62 days."""
from __future__ import annotations

import pandas as pd
from dash import Input, Output, dcc

from dashboard.analysis.ui import GRAPH_CONFIG, URL, panel, view_filters
from dashboard.figures.category_trend import category_trend_figure
from store import analysis_reads as ar


def layout(ctx):
    return panel("trend", "分类趋势",
                 dcc.Graph(id="an-trend", config=GRAPH_CONFIG,
                           style={"height": "100%", "width": "100%"}),
                 caption_id="an-trend-caption")


def register_callbacks(app, ctx) -> None:
    @app.callback(Output("an-trend", "figure"), Output("an-trend-caption", "children"),
                  Input(URL, "search"))
    def _trend(search):
        f, err = view_filters(ctx, search)
        if f is None:
            return category_trend_figure(pd.DataFrame()), err
        unit = "按周" if (f.end - f.start).days > 62 else "按日"
        return ctx.cached(trend_view, f), unit


def trend_view(store, settings, f) -> dict:
    """The figure as a plain dict, cached whole (see matrix_panel)."""
    return category_trend_figure(ar.trend_by_category(store, settings, f)).to_plotly_json()
