"""Trend by category (分类趋势) of the filtered valid events: per day, or per week past 62
days (store.analysis_reads.trend_unit). Like the matrix, the graph is created once the first view is drawn (see lazy_graph)."""
from __future__ import annotations

import pandas as pd

from dashboard.analysis import lazy_graph
from dashboard.figures.category_trend import category_trend_figure
from store import analysis_reads as ar


def layout(ctx):
    return lazy_graph.layout("trend", "分类趋势")


def register_callbacks(app, ctx) -> None:
    def draw(f):
        unit = "按周" if ar.trend_unit(f) == "week" else "按日"
        return ctx.cached(trend_view, f), f"有效事件 · {unit}"

    lazy_graph.register(app, ctx, "trend", empty=lambda: category_trend_figure(pd.DataFrame()),
                        draw=draw)


def trend_view(store, settings, f) -> dict:
    """The figure as a plain dict, cached whole (see matrix_panel)."""
    return category_trend_figure(ar.trend_by_category(store, settings, f),
                                 weekly=ar.trend_unit(f) == "week").to_plotly_json()
