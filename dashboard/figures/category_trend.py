"""Trend by category (分类趋势): events per day (or week) for the largest categories."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures import theme


def category_trend_figure(df: pd.DataFrame, font_size: int = 13,
                          weekly: bool = False) -> go.Figure:
    """``df``: ``period``, ``category``, ``n`` → one line per category (其他 last, grey).
    ``weekly``: a period is the week from that Monday (the hover says so)."""
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
                hovertemplate=f"{cat} %{{x|%m-%d}}{'起一周' if weekly else ''}：%{{y}} 件"
                              "<extra></extra>"))
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
