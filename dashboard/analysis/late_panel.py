"""The late list by department (部门超期清单): open red / yellow cases at as_of grouped by
the department holding them, with the oldest case and the grid where most pile up."""
from __future__ import annotations

import datetime as dt

from dash import Input, Output, dcc, html
from dash.exceptions import PreventUpdate

from dashboard.analysis.ui import (READY, URL, panel, query_string, search_args,
                                   view_filters)
from store import analysis_reads as ar


def layout(ctx):
    return panel("late", "部门超期清单（在办红黄线）",
                 html.Div(html.Div("加载中…", className="an-dim"), id="an-late-body",
                          className="an-late"),
                 caption_id="an-late-caption")


def _age(oldest, as_of: dt.datetime) -> str:
    if oldest is None or oldest != oldest:
        return "—"
    hours = (as_of - oldest.to_pydatetime()).total_seconds() / 3600
    return f"{hours / 24:.1f} 天" if hours >= 48 else f"{hours:.0f} 小时"


def late_href(search: str | None, f, department: str, warning: str, oldest) -> str:
    """The page listing these cases: the department's open ``warning`` cases in the event
    table. The list is a backlog (no window), so the link's window runs from the oldest case's
    report day to as_of's day; the place, category and channel filters, and an as_of pinned
    in the URL, are kept."""
    args = {k: v for k, v in search_args(search).items()
            if k in ("as_of", "township", "grid", "category", "channel")}
    first = oldest.date() if hasattr(oldest, "date") else f.start
    args.update(start=first.isoformat(), end=(f.as_of.date() + dt.timedelta(days=1)).isoformat(),
                department=department, warning=warning)
    return "?" + query_string(args)


def _count(n: int, cls: str, href: str | None):
    """A count that opens its cases (a link), or a plain cell when there are none."""
    if not n or href is None:
        return html.Td(f"{int(n):,}", className=cls if n else "")
    return html.Td(dcc.Link(f"{int(n):,}", href=href, className=f"an-late-link {cls}",
                            title="在事件列表中查看"), className=cls)


def _cut(text: str) -> html.Span:
    """A text cut with … past the column's width (analysis.css), whole on hover."""
    return html.Span(text, title=text, className="an-cut")


def table(df, as_of: dt.datetime, search: str | None = None, f=None,
          labels: dict[str, str] | None = None) -> html.Table:
    """Rows of departments; with ``f`` each red and yellow count links to its cases
    (late_href), the department's name to its red ones (or yellow, with no red).
    ``labels``: grid_id → the grid's name with its township where the name repeats
    (store.analysis_reads.grid_labels)."""
    labels = labels or {}
    def href(r, warning):
        if f is None:        # 未指派 too: department=未指派 lists the cases without one
            return None
        # from the oldest case of this warning: yellow cases are days old, and a window
        # from a department's year-old red case made their list a year's page (every
        # panel read a year, and the header named a year for three days of cases)
        return late_href(search, f, r.department, warning,
                         getattr(r, f"oldest_{warning}", r.oldest))

    head = html.Tr([html.Th(t) for t in ("部门", "红线", "黄线", "最久", "最多网格")])
    body = []
    for r in df.itertuples(index=False):
        main = href(r, "red" if r.red else "yellow")
        name = (dcc.Link(r.department, href=main, className="an-late-link an-cut",
                         title=r.department) if main else _cut(r.department))
        grid = labels.get(r.worst_grid_id, r.worst_grid)
        body.append(html.Tr([html.Td(name),
                             _count(r.red, "red", href(r, "red")),
                             _count(r.yellow, "yellow", href(r, "yellow")),
                             html.Td(_age(r.oldest, as_of)),
                             html.Td([html.Span(grid, className="an-cut an-late-grid",
                                                title=f"{grid} {r.worst_grid_id or ''}"),
                                      f" {int(r.worst_grid_n):,}件"])]))
    return html.Table([html.Thead(head), html.Tbody(body)], className="an-late-table")


def register_callbacks(app, ctx) -> None:
    @app.callback(Output("an-late-body", "children"), Output("an-late-caption", "children"),
                  Input(URL, "search"), Input(READY, "data"))
    def _late(search, ready):
        if not ready:                 # after the first view (ui.READY)
            raise PreventUpdate
        f, err = view_filters(ctx, search)
        if f is None:
            return html.Div(err, className="an-dim"), ""
        df = ctx.cached(ar.late_by_department, ar.backlog_filters(f), None)
        if df.empty:
            return html.Div("没有在办的红线、黄线事件", className="an-dim"), ""
        return view(df, f.as_of, search, f, ctx.cached(ar.grid_labels))


ROWS = 30
LATE_SCROLL = "an-late-scroll"   # the list's own scroller, sized in whole rows (analysis.js)
LATE_MORE = "an-late-more"       # 另有N个部门（在表内滚动查看）: the listed rows out of view


def view(df, as_of: dt.datetime, search=None, f=None, labels=None, rows: int = ROWS):
    """(the list, its caption). The caption counts every department's cases, not only the
    ``rows`` listed (a city has hundreds of departments); the ones left off are said under
    the list with their red and yellow counts. It says the list's order and what a click does.
    The list sits in its own scroller: analysis.js fits it to whole rows and counts the
    listed rows below the fold in the empty line after it."""
    shown, rest = df.head(rows), df.iloc[rows:]
    # the list scrolls in whole rows and says how many listed rows are out of view,
    # 另有N个部门 (analysis.js, fitLateList); the departments past ``rows`` are another count,
    # worded apart (还有…未列出) so the two never read as one number said twice
    body = [html.Div(table(shown, as_of, search, f, labels), className=LATE_SCROLL),
            html.Div(className=LATE_MORE)]
    if len(rest):
        body.append(html.Div(f"前{rows}个之外还有{len(rest)}个部门未列出（红线 "
                             f"{int(rest['red'].sum()):,} · 黄线 {int(rest['yellow'].sum()):,}），"
                             "可按部门筛选查看", className="an-dim an-late-rest"))
    # counts with thousands separators, as the page's other captions (共 822,405 件): a
    # city's backlog of 475935 is read digit by digit
    return (body, f"截至 {as_of:%m-%d %H:%M} · 红线 {int(df['red'].sum()):,} · 黄线 "
                  f"{int(df['yellow'].sum()):,} · 红线多者在前 · 点击件数查看案件")
