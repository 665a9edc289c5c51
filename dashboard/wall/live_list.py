"""Live event list: the newest events, scrolling like a station board (轮播).

Time, place, category, state and time elapsed; never the reporter's name or phone
(wall_reads.live_events does not select them).
"""
from __future__ import annotations

import pandas as pd
from dash import Input, Output, html

from dashboard.wall import fmt
from dashboard.wall.drill import DRILL_STORE, REFRESH
from dashboard.wall.panel import empty, panel
from dashboard.wall.view import current_view
from store import wall_reads as wr

STATUS_ZH = {"reported": "待受理", "accepted": "已受理", "dispatched": "处置中",
             "closed": "已办结"}


def place(row, township_level: bool) -> str:
    """County view: the township; township view: the grid."""
    if township_level:
        return row.grid_name or row.township_name or "—"
    return row.township_name or "—"


def live_rows(df: pd.DataFrame, township_level: bool, today=None) -> list:
    """One row per event; the time is hh:mm on ``today`` (as_of's day), else the day."""
    rows = []
    for r in df.itertuples(index=False):
        closed = bool(r.closed_now)
        status = "已办结" if closed else STATUS_ZH.get(r.status, "处置中")
        if status == "已办结" and not closed:
            status = "处置中"
        rows.append(html.Div(className="gw-row", **{"data-id": str(r.event_id)}, children=[
            html.Span(fmt.clock_or_day(r.reported_at.to_pydatetime(),
                                       today or r.reported_at.date())),
            html.Span(place(r, township_level)),
            html.Span(r.category, className="gw-dim"),
            html.Span(status, className="gw-status-closed" if closed else "gw-status-open"),
            html.Span("" if closed else fmt.elapsed(r.elapsed_h), className="gw-num-r"),
        ]))
    return rows


def live_body(df: pd.DataFrame, township_level: bool, today=None):
    if df.empty:
        return empty()
    head = html.Div([html.Span("时间"), html.Span("网格" if township_level else "镇街"),
                     html.Span("类别"), html.Span("状态"), html.Span("已历时", className="gw-num-r")],
                    className="gw-row gw-row-head")
    return html.Div([head, html.Div(live_rows(df, township_level, today), className="gw-board",
                                    id="live-board")], className="gw-table gw-live")


def layout(ctx):
    return panel("live", "实时事件", html.Div(id="live-body", className="gw-fill"),
                 caption_id="live-caption")


def register_callbacks(app, ctx) -> None:
    @app.callback(
        Output("live-body", "children"), Output("live-caption", "children"),
        Input(DRILL_STORE, "data"), Input(REFRESH, "n_intervals"),
    )
    def _live(drill, _n):
        v = current_view(ctx, drill)
        df = ctx.cached(wr.live_events, v.township, v.as_of, 30)
        return (live_body(df, v.township is not None, v.as_of.date()),
                f"最新30条 · {v.as_of_caption}")
