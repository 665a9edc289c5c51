"""One event as a list row the duty officer can act on (live list and red/yellow list).

Two lines: what and where in large type (level or time, grid, category, how long overdue or
how long left), then who and by when (event number, department, due time). Built as Dash's
JSON (dashboard.wall.plain_html): the wall builds thousands a minute. A click on the row
opens the event card (dashboard.wall.event_card) through the row's pattern-matching id
``{"type": EV_ROW, "id": event_id, "list": name}`` (the same event may be in both lists).
No reporter on a row, masked or not.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard.wall import fmt
from dashboard.wall.plain_html import el, span

EV_ROW = "gw-ev-row"


# rows the wall lists (shared by the lists and the event card's who-may-open check)
WARN_LIMIT = 200     # red/yellow warnings
LIVE_LIMIT = 30      # newest events

def _ts(v) -> dt.datetime | None:
    if v is None or (isinstance(v, float) and v != v) or v is pd.NaT:
        return None
    return v.to_pydatetime() if hasattr(v, "to_pydatetime") else v


def due_text(overdue_hours, closed: bool) -> tuple[str, str]:
    """(text, css class) of the time against the limit: '超时3天4小时' | '剩5小时20分' | ''."""
    if closed or overdue_hours is None or overdue_hours != overdue_hours:
        return "", ""
    if overdue_hours > 0:
        return "超时" + fmt.short_elapsed(overdue_hours), "gw-elapsed-red"
    return "剩" + fmt.short_elapsed(-overdue_hours), "gw-due-left"


def place(row, township_level: bool = True, names=None) -> str:
    """The grid, the unit someone acts in (its township when the event has no grid); the
    card names both. ``names`` (dashboard.wall.view.ShortNames): in short, without what
    every grid's (township's) name shares."""
    grid = getattr(row, "grid_name", None) or ""
    town = getattr(row, "township_name", None) or ""
    if names is not None:
        return names.grid(grid) if grid else names.town(town) or "—"
    return grid or town or "—"


def event_row(r, *, list_name: str, first: dict, township_level: bool, today: dt.date,
              status: dict | None = None, cls: str = "", names=None) -> dict:
    """Line 1: ``first`` (time or level), grid, category, time against the limit (or 已办结);
    line 2: ``status`` (if given), event number, department, due time. ``first``/``status``
    are elements of dashboard.wall.plain_html; ``names`` shortens the grid's name
    (:func:`place`). The texts cut to their columns are whole in the row's title."""
    closed = bool(getattr(r, "closed_now", False))
    due_at = _ts(getattr(r, "due_at", None))
    over, over_cls = due_text(getattr(r, "overdue_hours", None), closed)
    if closed:
        over, over_cls = "已办结", "gw-status-closed"
    line1 = [first, span(place(r, township_level, names), "gw-ev-place"),
             span(r.category, "gw-ev-cat"),
             span(over, "gw-num-r gw-ev-over " + over_cls)]
    due = ""
    if due_at:
        due = "时限" + (due_at.strftime("%H:%M") if due_at.date() == today
                      else due_at.strftime("%m-%d %H:%M"))
    dept = getattr(r, "department", None) or "未派单"
    line2 = ([status] if status is not None else []) + [
        span(str(r.event_id), "gw-ev-id"), span(dept, "gw-ev-dept"),
        span(due, "gw-num-r gw-ev-due")]
    whole = " · ".join(str(t) for t in (place(r, township_level), r.category, dept) if t)
    return el("Div", [el("Div", line1, className="gw-ev-line1"),
                      el("Div", line2, className="gw-ev-line2")],
              id={"type": EV_ROW, "id": str(r.event_id), "list": list_name}, n_clicks=0,
              className=("gw-ev-row " + cls).strip(), title=f"{whole}：点击查看事件详情",
              **{"data-id": str(r.event_id)})
