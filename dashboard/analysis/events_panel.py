"""The event table (事件列表): server-side paging and sorting over the filtered events
(store.event_table), personal data masked; a row opens the event card (the same
store.event_rows.event_detail as /api/events/<id>)."""
from __future__ import annotations

import datetime as dt

import dash
from dash import Input, Output, State, dash_table, html

from dashboard.analysis.ui import TABLE_STYLE, URL, panel, view_filters
from dashboard.figures import theme
from dashboard.figures.numbers import cameras_line
from store.vocab import STATUS_ZH

TABLE = "an-events"
PAGE_SIZE = 20
COLUMNS = ["event_id", "reported_at", "category", "channel", "township", "grid_name",
           "address", "department", "status", "due_at", "warning", "reporter_name",
           "reporter_phone"]
WARNING_ZH = {"red": "红线", "yellow": "黄线"}
# the long texts give up width (cut with …, whole in a tooltip and in the card) so the
# masked reporter and phone stay in view at 1920 px instead of behind a sideways scroll
CUT_WIDTH = {"address": "190px", "department": "150px", "grid_name": "140px",
             "township": "90px", "channel": "90px", "category": "90px"}
DEFAULT_SORT_BY = [{"column_id": "reported_at", "direction": "desc"}]
LATE_SORT_BY = [{"column_id": "due_at", "direction": "asc"}]      # the most overdue first


def layout(ctx):
    from store.event_table import HEADERS_ZH

    table = dash_table.DataTable(
        id=TABLE, columns=[{"id": c, "name": HEADERS_ZH[c]} for c in COLUMNS], data=[],
        page_action="custom", page_current=0, page_size=PAGE_SIZE, page_count=1,
        sort_action="custom", sort_mode="single",
        sort_by=DEFAULT_SORT_BY,
        cell_selectable=True, style_table={"overflowX": "auto"},
        style_header=TABLE_STYLE["style_header"], style_cell=TABLE_STYLE["style_cell"],
        style_cell_conditional=[{"if": {"column_id": c}, "maxWidth": w}
                                for c, w in CUT_WIDTH.items()],
        tooltip_data=[], tooltip_delay=300, tooltip_duration=None,
        style_data_conditional=[
            {"if": {"filter_query": '{warning} = "红线"', "column_id": "warning"},
             "color": theme.RED, "fontWeight": "bold"},
            {"if": {"filter_query": '{warning} = "黄线"', "column_id": "warning"},
             "color": theme.YELLOW}],
        css=TABLE_STYLE["css"])
    detail = html.Div(id="an-detail", className="an-detail",
                      children=html.Div("点击一行查看事件详情", className="an-dim"))
    return html.Div(className="an-row an-row-events", children=[
        panel("events", "事件列表", table, caption_id="an-events-caption"),
        panel("detail", "事件详情", detail)])


def caption(total: int, invalid: int) -> str:
    """The list's total, and how many of them are invalid (无效/重复): the charts beside it
    count valid events only, so the two totals differ by exactly that number, said here."""
    note = (f"（含无效/重复 {invalid:,} 件；统计图只计有效 {total - invalid:,} 件）"
            if invalid and invalid < total else "（均为无效/重复，统计图不计）" if invalid else "")
    return f"共 {total:,} 件{note} · 上报人信息已脱敏"


def _row(r: dict) -> dict:
    out = {c: r.get(c) for c in COLUMNS}
    for c in ("reported_at", "due_at"):
        out[c] = (r[c] or "")[:16].replace("T", " ")
    out["status"] = STATUS_ZH.get(r["status"], r["status"])
    out["warning"] = WARNING_ZH.get(r["warning"], "")
    out["id"] = r["event_id"]
    out["at"] = r["reported_at"]      # not a column: the whole report time, for the card
    return out


def tooltips(rows: list[dict]) -> list[dict]:
    """The whole text of each cut column, shown on hover."""
    return [{c: {"value": str(r[c]), "type": "text"} for c in CUT_WIDTH if r.get(c)}
            for r in rows]


def detail_card(d: dict | None):
    if d is None:
        return html.Div("没有找到该事件", className="an-dim")
    fields = [("事件编号", d["event_id"]), ("类别", d.get("category")),
              ("渠道", d.get("channel")), ("镇街", d.get("township")),
              ("网格", d.get("grid_name")), ("地址", d.get("address")),
              ("描述", d.get("description")), ("承办部门", d.get("department")),
              ("状态", STATUS_ZH.get(d.get("status"), d.get("status"))),
              ("应办结", (d.get("due_at") or "—").replace("T", " ")[:16]),
              ("预警", WARNING_ZH.get(d.get("warning"), "—")),
              ("周边视频", cameras_line(d.get("cameras"))),
              ("上报人", d.get("reporter_name")), ("联系电话", d.get("reporter_phone"))]
    items = []
    for k, v in fields:
        items += [html.Dt(k), html.Dd(v if v not in (None, "") else "—")]
    steps = [html.Li(f"{t['label']} {(t['at'] or '—').replace('T', ' ')[:16]}")
             for t in d.get("timeline", [])]
    return [html.Dl(items), html.Div("办理进程", className="an-near-head"), html.Ul(steps)]


def report_time(data, row_id) -> dt.datetime | None:
    """The clicked row's report time (``at``), by which the card's lookup reads that time's
    blocks only (store.event_rows.event_detail); None when the row does not say it."""
    for r in data or ():
        if r.get("id") == row_id and r.get("at"):
            try:
                return dt.datetime.fromisoformat(r["at"])
            except (TypeError, ValueError):
                return None
    return None


def late_first(f, sort_by):
    """The table's order for new filters: late or open cases (a warning, or status open: a
    duty officer chasing them, e.g. from the late list's links) most overdue first; leaving
    them, back to the newest first. Any other order the user chose stays.
    → (the order to read with, the table's new sort_by or no_update)."""
    chasing = bool(f.warning) or f.status == "open"
    if chasing and sort_by != LATE_SORT_BY:
        return LATE_SORT_BY, LATE_SORT_BY
    if not chasing and sort_by == LATE_SORT_BY:
        return DEFAULT_SORT_BY, DEFAULT_SORT_BY
    return sort_by, dash.no_update


def register_callbacks(app, ctx) -> None:
    from store import event_table as et
    from store.event_rows import event_detail

    @app.callback(
        Output(TABLE, "data"), Output(TABLE, "page_count"), Output("an-events-caption", "children"),
        Output(TABLE, "page_current"), Output(TABLE, "sort_by"), Output(TABLE, "tooltip_data"),
        Input(URL, "search"), Input(TABLE, "page_current"), Input(TABLE, "sort_by"),
    )
    def _page(search, page_current, sort_by):
        f, err = view_filters(ctx, search)
        if f is None:
            return [], 1, err, 0, dash.no_update, []
        new_sort = dash.no_update
        if dash.ctx.triggered_id == URL:
            page_current = 0                      # new filters: back to the first page
            sort_by, new_sort = late_first(f, sort_by)
        sort = "-reported_at"
        if sort_by:
            sort = ("-" if sort_by[0]["direction"] == "desc" else "") + sort_by[0]["column_id"]
        try:
            sort = et.parse_sort(sort)
        except et.FilterError:                    # a column without a sort key (masked ones)
            sort = et.DEFAULT_SORT
        page = et.Page(sort=sort, page=(page_current or 0) + 1, page_size=PAGE_SIZE)
        body = ctx.cached(et.event_page, f, page)
        count = max(1, -(-body["total"] // PAGE_SIZE))
        rows = [_row(r) for r in body["rows"]]
        return (rows, count, caption(body["total"], body["invalid"]), page_current or 0,
                new_sort, tooltips(rows))

    @app.callback(Output("an-detail", "children"), Input(TABLE, "active_cell"),
                  State(URL, "search"), State(TABLE, "data"), prevent_initial_call=True)
    def _detail(active, search, data):
        if not active or not active.get("row_id"):
            return dash.no_update
        f, _err = view_filters(ctx, search)
        as_of = f.as_of if f else ctx.as_of()
        return detail_card(ctx.cached(event_detail, active["row_id"], as_of=as_of,
                                      reported_at=report_time(data, active["row_id"])))
