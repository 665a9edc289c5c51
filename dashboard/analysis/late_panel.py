"""The late list by department (部门超期清单): open red / yellow cases at as_of grouped by
the department holding them, with the oldest case and the grid where most pile up."""
from __future__ import annotations

import datetime as dt

from dash import Input, Output, html
from dash.exceptions import PreventUpdate

from dashboard.analysis.ui import READY, URL, panel, view_filters
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


def table(df, as_of: dt.datetime) -> html.Table:
    head = html.Tr([html.Th(t) for t in ("部门", "红线", "黄线", "最久", "最多网格")])
    body = [html.Tr([html.Td(r.department, title=r.department),
                     html.Td(int(r.red), className="red" if r.red else ""),
                     html.Td(int(r.yellow), className="yellow" if r.yellow else ""),
                     html.Td(_age(r.oldest, as_of)),
                     html.Td(f"{r.worst_grid}（{int(r.worst_grid_n)}）", title=r.worst_grid)])
            for r in df.itertuples(index=False)]
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
        df = ctx.cached(ar.late_by_department, f)
        if df.empty:
            return html.Div("没有在办的红线、黄线事件", className="an-dim"), ""
        return (table(df, f.as_of),
                f"截至 {f.as_of:%m-%d %H:%M} · 红线 {int(df['red'].sum())} · 黄线 "
                f"{int(df['yellow'].sum())}")
