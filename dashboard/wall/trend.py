"""Trend: valid events reported vs closed per day over the window (from daily_rollup).

The days shown are the window's up to as_of's day (a week or month still running has no
future days), at least ``MIN_DAYS`` of them (a one-day window shows the week ending with it).
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import orjson
import pandas as pd
import plotly.graph_objects as go

from dashboard.figures import theme
from dashboard.wall.figure_json import data_array, plain_dict
from dashboard.wall.panel import empty_spec, graph, panel
from store import wall_reads as wr


def trend_spec(df: pd.DataFrame, prev: pd.DataFrame | None = None) -> dict:
    """Reported (area) and closed (line) per day; '暂无数据' when the window has nothing; as a
    plain figure dict (figure_json.plain_dict: no plotly objects built each view).

    ``prev``: the previous period's days (same length, one window earlier), drawn as a faint
    dotted line of its reports under the same days, so the eye reads "more than last time".
    """
    if df.empty or int(df["reported"].sum() + df["closed"].sum()) == 0:
        return empty_spec()
    x = data_array(pd.to_datetime(df["day"]))
    before = []
    if prev is not None and len(prev) == len(df) and int(prev["reported"].sum()) > 0:
        before = [{
            "type": "scatter",
            "x": x, "y": data_array(prev["reported"].to_numpy()), "name": "上期上报",
            "mode": "lines", "legendrank": 2000,
            "line": {"color": "rgba(200,220,255,0.55)", "width": 2, "dash": "dot",
                     "shape": "spline", "smoothing": 0.6},
            "customdata": pd.to_datetime(prev["day"]).dt.strftime("%m-%d").tolist(),
            "hovertemplate": "上期 %{customdata} 上报 %{y} 件<extra></extra>"}]
    # the days as plotly writes them: its encoder tries orjson first (ISO seconds) and, on
    # a value orjson refuses (the previous period's labels, an object array), cleans the
    # figure (numpy's ISO nanoseconds); the same dates either way, kept as they were sent
    days = (np.datetime_as_string(x).tolist() if before else
            orjson.loads(orjson.dumps(x, option=orjson.OPT_SERIALIZE_NUMPY)))
    for t in before:
        t["x"] = days
    data = before + [
        {"type": "scatter", "x": days, "y": data_array(df["reported"]), "name": "上报",
         "mode": "lines",
         "line": {"color": theme.ACCENT, "width": 3, "shape": "spline", "smoothing": 0.6},
         "fill": "tozeroy", "fillcolor": "rgba(39,211,255,0.16)",
         "hovertemplate": "%{x|%m-%d} 上报 %{y} 件<extra></extra>"},
        {"type": "scatter", "x": days, "y": data_array(df["closed"]), "name": "办结",
         "mode": "lines",
         "line": {"color": theme.GREEN, "width": 3, "shape": "spline", "smoothing": 0.6},
         "hovertemplate": "%{x|%m-%d} 办结 %{y} 件<extra></extra>"},
    ]
    return {"data": data, "layout": theme.base_layout(
        showlegend=True, margin={"l": 50, "r": 10, "t": 30, "b": 30},
        legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.02, "yanchor": "bottom",
                "font": {"size": 16}},
        xaxis={"tickformat": "%m-%d", "nticks": 7, "showgrid": False},
        yaxis={"rangemode": "tozero", "nticks": 5},
        hovermode="x unified")}


def trend_figure(df: pd.DataFrame, prev: pd.DataFrame | None = None) -> go.Figure:
    """:func:`trend_spec` as a plotly Figure (validated: a misspelt key raises)."""
    return go.Figure(trend_spec(df, prev))


MIN_DAYS = 7


def trend_days(start: dt.date, end: dt.date, as_of: dt.datetime) -> tuple[dt.date, dt.date]:
    """[first, last+1) of the days the trend draws for the window [start, end) at as_of."""
    stop = min(end, as_of.date() + dt.timedelta(days=1))
    stop = max(stop, start + dt.timedelta(days=1))
    return min(start, stop - dt.timedelta(days=MIN_DAYS)), stop


def layout(ctx):
    return panel("trend", "事件趋势", graph("trend-graph"), caption_id="trend-caption")


OUTPUTS = [("trend-graph", "figure"), ("trend-caption", "children")]


def read(ctx, v) -> dict:
    first, stop = trend_days(v.start, v.end, v.as_of)
    length = v.end - v.start             # the previous period: one window earlier
    return {"now": ctx.cached(wr.daily_trend, v.township, first, stop),
            "prev": ctx.cached(wr.daily_trend, v.township, first - length, stop - length)}


def outputs(data: dict, v) -> list:
    return [plain_dict(trend_spec(data["now"], data["prev"])), v.caption]
