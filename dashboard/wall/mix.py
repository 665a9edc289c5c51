"""Event mix of the window: by category and by channel (bars with share), from daily_rollup."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from dash import html

from dashboard.figures import theme
from dashboard.wall.panel import empty_figure, graph, panel
from store import wall_reads as wr


def bar_figure(df: pd.DataFrame, color: str = theme.ACCENT) -> go.Figure:
    """Horizontal bars, largest on top, the share at the bar's end (count on hover)."""
    if df.empty:
        return empty_figure()
    d = df.iloc[::-1]
    fig = go.Figure(go.Bar(
        x=d["reported"], y=d["label"], orientation="h",
        marker={"color": color, "line": {"width": 0}},
        text=[f"{s * 100:.0f}%" for s in d["share"]],
        customdata=d["share"] * 100,
        textposition="outside", cliponaxis=False, constraintext="none",
        textfont={"size": 15, "color": theme.TEXT},
        hovertemplate="%{y} %{x} 件 (%{customdata:.1f}%)<extra></extra>"))
    fig.update_layout(theme.base_layout(
        margin={"l": 4, "r": 4, "t": 2, "b": 2}, bargap=0.3,
        xaxis={"visible": False, "range": [0, float(d["reported"].max()) * 1.3]},
        yaxis={"automargin": True, "tickfont": {"size": 16, "color": theme.TEXT},
               "showgrid": False, "ticksuffix": " "}))
    return fig


def layout(ctx):
    body = html.Div(className="gw-mix", children=[
        html.Div([html.Div("按类别", className="gw-mix-sub", id="mix-category-sub"),
                  graph("mix-category")], className="gw-mix-part"),
        html.Div([html.Div("按来源渠道", className="gw-mix-sub", id="mix-channel-sub"),
                  graph("mix-channel")], className="gw-mix-part"),
    ])
    return panel("mix", "事件构成", body, caption_id="mix-caption")


OUTPUTS = [("mix-category", "figure"), ("mix-channel", "figure"), ("mix-caption", "children"),
           ("mix-category-sub", "children"), ("mix-channel-sub", "children")]


def read(ctx, v) -> dict:
    return {"category": ctx.cached(wr.mix, v.township, v.start, v.end, "category", 6),
            "channel": ctx.cached(wr.mix, v.township, v.start, v.end, "channel", 5)}


def outputs(data: dict, v) -> list:
    cats, chans = data["category"], data["channel"]
    total = int(cats["reported"].sum()) if len(cats) else 0
    return [bar_figure(cats), bar_figure(chans, theme.ACCENT_2), v.caption,
            f"按类别（共{total:,}件）", "按来源渠道"]
