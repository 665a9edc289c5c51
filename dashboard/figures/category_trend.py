"""Trend by category (分类趋势): events per day, week or rolling 7 days for the largest
categories."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures import theme

# what the hover says a point counts, by store.analysis_reads.trend_by_category's ``per``
HOVER_SPAN = {"day": "", "week": "起一周", "7d": "及前6日"}


def category_trend_figure(df: pd.DataFrame, font_size: int = 13) -> go.Figure:
    """``df``: ``period``, ``category``, ``n`` (and ``per``: day | week | 7d, what a point
    counts; the hover says it) → one line per category (其他 last, grey)."""
    span = HOVER_SPAN.get(str(df["per"].iat[0]), "") if "per" in df and len(df) else ""
    fig = go.Figure()
    if df.empty:
        fig.add_annotation(text=theme.NO_DATA, showarrow=False, x=0.5, y=0.5, xref="paper",
                           yref="paper", font={"color": theme.TEXT_DIM, "size": 18})
    else:
        totals = df.groupby("category")["n"].sum().sort_values(ascending=False)
        order = [c for c in totals.index if c != "其他"] + (["其他"] if "其他" in totals else [])
        for i, cat in enumerate(order):
            d = df[df["category"] == cat].sort_values("period")
            color = theme.GREY if cat == "其他" else theme.SERIES[i % len(theme.SERIES)]
            fig.add_trace(go.Scatter(
                x=pd.to_datetime(d["period"]), y=d["n"], name=cat, mode="lines",
                line={"color": color, "width": 2},
                hovertemplate=f"{cat} %{{x|%m-%d}}{span}：%{{y}} 件<extra></extra>"))
    fig.update_layout(theme.base_layout(
        font={"size": font_size}, showlegend=True,
        margin={"l": 44, "r": 8, "t": 6, "b": 28},
        legend={"orientation": "v", "x": 1.0, "xanchor": "left", "y": 1,
                "font": {"size": font_size}},
        xaxis={"tickformat": "%m-%d", "nticks": 6, "showgrid": False,
               "tickfont": {"size": font_size}},
        yaxis={"rangemode": "tozero", "nticks": 5, "tickfont": {"size": font_size}},
        hovermode="x unified", uirevision="analysis"))
    return fig
