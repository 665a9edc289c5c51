"""Live event list: the newest events, scrolling like a station board (轮播).

Time, grid, category, state and time against the limit, then event number, department and
due time; a click opens the event card. Never the reporter's name or phone
(wall_reads.live_events does not select them).
"""
from __future__ import annotations

import pandas as pd
from dash import html

from dashboard.wall import event_rows as ev
from dashboard.wall import fmt
from dashboard.wall.panel import empty, panel
from dashboard.wall.plain_html import span
from dashboard.wall.view import short_names
from store import wall_reads as wr
from store.vocab import STATUS_ZH



LIVE_LIMIT = ev.LIVE_LIMIT


def place(row, township_level: bool) -> str:
    """County view: the township; township view: the grid."""
    if township_level:
        return row.grid_name or row.township_name or "—"
    return row.township_name or "—"


def status_of(r) -> tuple[str, bool]:
    closed = bool(r.closed_now)
    status = "已办结" if closed else STATUS_ZH.get(r.status, "处置中")
    if status == "已办结" and not closed:
        status = "处置中"
    return status, closed


def live_rows(df: pd.DataFrame, township_level: bool, today=None, names=None) -> list:
    """One two-line row per event (dashboard.wall.event_rows): time, grid, category, state,
    time against the limit; event number, department, due time. The time is hh:mm on
    ``today`` (as_of's day), else the day; ``names`` (view.ShortNames) shortens the grid's."""
    rows = []
    for r in df.itertuples(index=False):
        status, closed = status_of(r)
        day = today or r.reported_at.date()
        rows.append(ev.event_row(
            r, list_name="live", township_level=township_level, today=day, names=names,
            first=span(fmt.clock_or_day(r.reported_at.to_pydatetime(), day), "gw-ev-time"),
            status=span("" if closed else status, "gw-status-open")))
    return rows


def live_body(df: pd.DataFrame, township_level: bool, today=None, names=None):
    if df.empty:
        return empty()
    return html.Div(html.Div(live_rows(df, township_level, today, names), className="gw-board",
                             id="live-board"), className="gw-table gw-live gw-ev-list")


def layout(ctx):
    return panel("live", "实时事件", html.Div(id="live-body", className="gw-fill"),
                 caption_id="live-caption")


OUTPUTS = [("live-body", "children"), ("live-caption", "children")]


def read(ctx, v) -> dict:
    # a township's rows are cut from one read of every township's (two scans a view before)
    return {"rows": wr.live_events_via(ctx.cached, v.township, v.as_of, LIVE_LIMIT),
            "names": short_names(ctx, v)}


def outputs(data: dict, v) -> list:
    return [live_body(data["rows"], v.township is not None, v.as_of.date(), data["names"]),
            f"最新30条 · {v.as_of_caption}"]
