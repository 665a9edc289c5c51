"""Event mix of the window: by category and by channel (bars with share), from daily_rollup."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from dash import html

from dashboard.figures import theme
from dashboard.figures.numbers import bar_text_range, short_labels
from dashboard.wall.figure_json import data_array, plain_dict
from dashboard.wall.panel import empty_spec, graph, panel
from store import wall_reads as wr


GRAPH_PX = 210       # a graph's width on the 1920 canvas (half the panel): the narrowest
LABEL_CHARS = 5      # a longer kind is cut (4 characters and …), whole on hover


def bar_spec(df: pd.DataFrame, color: str = theme.ACCENT) -> dict:
    """Horizontal bars, largest on top, the share at the bar's end (count on hover), as a
    plain figure dict (figure_json.plain_dict: no plotly objects built each view). A long
    name is cut on its row (numbers.short_labels; the bars stay keyed by the whole name)
    and the axis leaves room for every share."""
    if df.empty:
        return empty_spec()
    d = df.iloc[::-1]
    names = [str(n) for n in d["label"]]
    labels = short_labels(names, LABEL_CHARS)
    text = [f"{s * 100:.0f}%" for s in d["share"]]
    bar = {"type": "bar", "x": data_array(d["reported"]), "y": names, "orientation": "h",
           "marker": {"color": color, "line": {"width": 0}},
           "text": text,
           "customdata": data_array(d["share"] * 100),
           "textposition": "outside", "cliponaxis": False, "constraintext": "none",
           "textfont": {"size": 15, "color": theme.TEXT},
           "hovertemplate": "%{y} %{x} 件 (%{customdata:.1f}%)<extra></extra>"}
    return {"data": [bar], "layout": theme.base_layout(
        margin={"l": 4, "r": 4, "t": 2, "b": 2}, bargap=0.3,
        xaxis={"visible": False,
               "range": [0, bar_text_range(d["reported"], text, GRAPH_PX, labels)]},
        yaxis={"automargin": True, "tickfont": {"size": 16, "color": theme.TEXT},
               "showgrid": False, "ticksuffix": " ", "tickmode": "array", "tickvals": names,
               "ticktext": labels})}


def bar_figure(df: pd.DataFrame, color: str = theme.ACCENT) -> go.Figure:
    """:func:`bar_spec` as a plotly Figure (validated: a misspelt key raises)."""
    return go.Figure(bar_spec(df, color))


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
    return [plain_dict(bar_spec(cats)), plain_dict(bar_spec(chans, theme.ACCENT_2)), v.caption,
            f"按类别（共{total:,}件）", "按来源渠道"]
