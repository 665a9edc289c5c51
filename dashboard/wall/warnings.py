"""Red/yellow list (红黄线): open events past or near their time limit, red first; each row
says what, where, who handles it, its due time and how long overdue, and opens the event card.

A red row that was not on the list before goes to the top and flashes once (the class
``gw-flash``; the CSS animation runs three pulses, once, on the new row only). The ids
already shown are kept in ``warn-seen`` per scope, so the first view of a scope flashes
nothing and a refresh flashes only what is new (a yellow turning red is new).
"""
from __future__ import annotations

import pandas as pd
from dash import dcc, html

from dashboard.wall import event_rows as ev
from dashboard.wall.panel import empty, panel
from dashboard.wall.plain_html import el, span
from dashboard.wall.view import short_names
from store import wall_reads as wr

SEEN = "warn-seen"
LIMIT = ev.WARN_LIMIT


def new_red(df: pd.DataFrame, seen: dict | None, scope_key: str) -> set[str]:
    """Red event ids to flash: red now, not red before in this scope (none on a first view).

    ``seen`` is ``{"scope": key, "ids": [red ids shown last time]}``.
    """
    if not seen or seen.get("scope") != scope_key:
        return set()
    before = set(seen.get("ids") or [])
    return {str(i) for i, lvl in zip(df["event_id"], df["level"]) if lvl == "red"} - before


def flash_first(df: pd.DataFrame, flash: set[str]) -> pd.DataFrame:
    """New red rows on top (where the eye is), then the list's own order."""
    if not flash:
        return df
    is_new = df["event_id"].astype(str).isin(flash)
    return pd.concat([df[is_new], df[~is_new]], ignore_index=True)


def warning_rows(df: pd.DataFrame, township_level: bool, flash: set[str], today=None,
                 names=None) -> list:
    """Two-line rows (dashboard.wall.event_rows): level, grid (in short by ``names``),
    category, how long overdue (or left); event number, department, due time."""
    rows = []
    df = flash_first(df, flash)
    for r in df.itertuples(index=False):
        red = r.level == "red"
        cls = "gw-warn-" + r.level + (" gw-flash" if str(r.event_id) in flash else "")
        rows.append(ev.event_row(
            r, list_name="warn", township_level=township_level, cls=cls, names=names,
            today=today or r.reported_at.date(),
            first=el("Span", span("红" if red else "黄", "gw-badge gw-badge-" + r.level))))
    return rows


def warning_body(df: pd.DataFrame, township_level: bool, flash: set[str], today=None,
                 names=None):
    if df.empty:
        return empty("无红黄线事件")
    return html.Div(html.Div(warning_rows(df, township_level, flash, today, names),
                             className="gw-board", id="warn-board"),
                    className="gw-table gw-warn gw-ev-list")


def counts(red: int, yellow: int) -> html.Span:
    return html.Span(["红线", html.B(f"{red:,}", className="gw-elapsed-red"), " 黄线",
                      html.B(f"{yellow:,}", className="gw-elapsed-yellow")],
                     className="gw-warn-counts")


def layout(ctx):
    return panel("warn", "红黄线预警", html.Div([html.Div(id="warn-body", className="gw-fill"),
                                            dcc.Store(id=SEEN)], className="gw-fill"),
                 caption_id="warn-caption", extra=html.Span(id="warn-counts"))


OUTPUTS = [("warn-body", "children"), ("warn-counts", "children"), ("warn-caption", "children"),
           (SEEN, "data")]
STATE = (SEEN, "data")  # the red ids the browser has shown, for the flash of new ones


def scope_key(v) -> str:
    return v.township or "county"


def read(ctx, v) -> dict:
    """The scope's rows cut from the minute's one read of every scope's list (the wall
    renders the county and every township for each as_of; the lists have no window)."""
    lists = ctx.cached(wr.warning_lists, v.as_of, LIMIT)
    return {"rows": wr.warning_list_of(lists, v.township, LIMIT),
            "window": wr.kpis_via(ctx.cached, v.township, v.start, v.end, v.as_of)["window"],
            "names": short_names(ctx, v)}


def outputs(data: dict, v, seen: dict | None = None) -> list:
    """The list, the counts, the caption and what ``warn-seen`` keeps; rows red since ``seen``
    (same scope) flash. Without ``seen`` (a first view of a scope) nothing flashes."""
    df, w = data["rows"], data["window"]
    flash = new_red(df, seen, scope_key(v))
    shown = [str(i) for i, lvl in zip(df["event_id"], df["level"]) if lvl == "red"]
    return [warning_body(df, v.township is not None, flash, v.as_of.date(), data.get("names")),
            counts(w["red"], w["yellow"]), v.as_of_caption, {"scope": scope_key(v), "ids": shown}]


STATE_READS_DATA = True     # with_state reads the rows: keep them with the reply


def with_state(values: list, data: dict, v, seen: dict | None):
    """The list again with its new red rows flashing, when the browser has shown this scope
    before and a red is new since; None (keep ``values``) otherwise."""
    if not seen or seen.get("scope") != scope_key(v) or not new_red(data["rows"], seen, scope_key(v)):
        return None
    return outputs(data, v, seen)
