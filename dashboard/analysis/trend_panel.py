"""Trend by category (分类趋势) of the filtered valid events: per day, per week past 62
days, or as rolling 7-day sums when the days are too sparse to read
(store.analysis_reads.trend_by_category). Like the matrix, the graph is created once the
first view is drawn (see lazy_graph)."""
from __future__ import annotations

import pandas as pd

from dashboard.analysis import lazy_graph
from dashboard.figures.category_trend import category_trend_figure, legend_note
from store import analysis_reads as ar


def layout(ctx):
    return lazy_graph.layout("trend", "分类趋势")


def register_callbacks(app, ctx) -> None:
    def draw(f):
        view = ctx.cached(trend_view, f)
        note = f" · {view['note']}" if view.get("note") else ""
        return view["figure"], f"有效事件 · {CAPTION[view['per']]}{note}"

    lazy_graph.register(app, ctx, "trend", empty=lambda: category_trend_figure(pd.DataFrame()),
                        draw=draw)


CAPTION = {"day": "按日", "week": "每7日合计（末段止于最后一日）",
           "7d": "近7日滚动合计（事件较少，逐日多为0或1）"}


def trend_view(store, settings, f) -> dict:
    """The figure as a plain dict, cached whole (see matrix_panel), and what a point counts."""
    df = ar.trend_by_category(store, settings, f)
    per = str(df["per"].iat[0]) if len(df) else ar.trend_unit(f)
    return {"figure": category_trend_figure(df).to_plotly_json(), "per": per,
            "note": legend_note(df)}
