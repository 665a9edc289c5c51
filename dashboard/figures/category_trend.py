"""Trend by category (分类趋势): events per day, week or rolling 7 days for the largest
categories."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures import theme

# what the hover says a point counts, by store.analysis_reads.trend_by_category's ``per``
HOVER_SPAN = {"day": "", "week": "起7日", "7d": "及前6日"}


SMALL_BEFORE = 10   # below this many the window before, a percentage is noise (1 → 4: +300%)


def change_text(total: int, prev) -> str:
    """``▲14%`` (orange: more of this kind than the window before), ``▼8%`` (green),
    ``持平``, ``新增`` (none before), ``上期3`` (under SMALL_BEFORE before: the count, not a
    percentage); "" when there is no window before (NA)."""
    if prev is None or pd.isna(prev):
        return ""
    prev = int(prev)
    if prev == 0:
        return f"<span style='color:{theme.ORANGE}'>新增</span>" if total else "持平"
    if prev < SMALL_BEFORE:
        return f"<span style='color:{theme.TEXT_DIM}'>上期{prev}</span>"
    pct = round((total - prev) * 100 / prev)
    if pct == 0:
        return "持平"
    color, arrow = (theme.ORANGE, "▲") if pct > 0 else (theme.GREEN, "▼")
    return f"<span style='color:{color}'>{arrow}{abs(pct)}%</span>"


def legend_name(cat: str, d: pd.DataFrame) -> str:
    """``民生诉求 585 ▼7%``: the line's window total and its change, when the read gave
    them (``total``, ``prev``): which kinds are rising, without reading the lines."""
    if "total" not in d or d.empty:
        return cat
    total = int(d["total"].iat[0])
    return f"{cat} {total:,} {change_text(total, d['prev'].iat[0])}".rstrip()


def legend_note(df: pd.DataFrame) -> str:
    """What the legend's numbers are, for the panel's caption (a legend title would take a
    row the seven lines need): the window's total, and the change on the window before."""
    if "total" not in df or df.empty:
        return ""
    return "图例：本期合计 · 较上期" if df["prev"].notna().any() else "图例：合计"


def category_trend_figure(df: pd.DataFrame, font_size: int = 13) -> go.Figure:
    """``df``: ``period``, ``category``, ``n`` (and ``per``: day | week | 7d, what a point
    counts; the hover says it; ``total`` and ``prev``: the legend says them) → one line per
    category (其他 last, grey)."""
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
                x=pd.to_datetime(d["period"]), y=d["n"], name=legend_name(cat, d), mode="lines",
                line={"color": color, "width": 2},
                hovertemplate=f"{cat} %{{x|%m-%d}}{span}：%{{y}} 件<extra></extra>"))
    xaxis = {"tickformat": "%m-%d", "nticks": 6, "showgrid": False,
             "tickfont": {"size": font_size}}
    if len(df) and df["period"].nunique() <= 6:    # a tick a day: plotly's own ticks of a
        xaxis.update(tickmode="array",                # few days fell every 12 hours, each day
                     tickvals=sorted(pd.to_datetime(df["period"].unique())))   # said twice
    fig.update_layout(theme.base_layout(
        font={"size": font_size}, showlegend=True,
        margin={"l": 44, "r": 8, "t": 6, "b": 28},
        legend={"orientation": "v", "x": 1.0, "xanchor": "left", "y": 1,
                "font": {"size": font_size}},
        xaxis=xaxis,
        yaxis={"rangemode": "tozero", "nticks": 5, "tickfont": {"size": font_size}},
        hovermode="x unified", uirevision="analysis"))
    return fig
