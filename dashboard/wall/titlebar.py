"""Title bar: county name, breadcrumb (全县 › 乡镇 › 网格), the window selector, live clock,
数据更新于, 演示数据, a link to the analysis page for the view shown, and a loud red
数据已N小时未更新 when the feed is dead (store.freshness: never when as_of is pinned).

The clock ticks in the browser (assets/gridwall.js); the server only answers for the
breadcrumb names and as_of, on a drill-down or a refresh (``read`` → ``outputs``, through the
wall's one view callback, dashboard.wall.reply).
"""
from __future__ import annotations

from urllib.parse import quote

from dash import html

from dashboard.wall import fmt, window_bar
from dashboard.wall.view import short_names
from store import freshness as fr
from store import wall_reads as wr

HIDE = "gw-bc-item gw-bc-hidden"
NOTICE = "gw-url-notice"
NOTICE_HIDDEN = NOTICE + " gw-hidden"


def layout(ctx, county: str, demo: bool) -> html.Header:
    left = html.Div(className="gw-title-left", children=[
        html.Nav(className="gw-breadcrumb", id="breadcrumb", children=[
            html.Span("全县", id="bc-county", n_clicks=0, className="gw-bc-item gw-bc-current",
                      title="返回全县"),
            html.Span("›", id="bc-sep1", className="gw-bc-sep gw-bc-hidden"),
            html.Span("", id="bc-township", n_clicks=0, className=HIDE, title="返回乡镇"),
            html.Span("›", id="bc-sep2", className="gw-bc-sep gw-bc-hidden"),
            html.Span("", id="bc-grid", className=HIDE),
        ]),
        window_bar.layout(ctx),
    ])
    right = html.Div(className="gw-title-right", children=[
        html.Div(className="gw-title-row", children=[
            html.Span("连接中断，正在重连…", className="gw-conn"),
            html.Span("演示数据", className="gw-demo", id="demo-mark") if demo else None,
            html.Span("", id="gw-clock", className="gw-clock"),
        ]),
        # the alarm takes the place of the as-of line it contradicts: on the clock's row it
        # pushed the right third under the title (gridwall.css hides #as-of beside it)
        html.Div(className="gw-title-row gw-title-sub", children=[
            html.Span("", id="stale-alarm", className="gw-stale gw-hidden"),
            html.Span("", id="as-of", className="gw-asof"),
            html.A("研判分析 ›", id="analysis-link", href="/analysis", className="gw-analysis-link",
                   title="在研判页打开当前镇街和时间窗口"),
        ]),
    ])
    title = f"{county}网格化社会治理指挥中心" if county else "网格化社会治理指挥中心"
    size = "" if len(title) <= 17 else " gw-title-long"     # a long name shrinks, never overlaps
    # under the title: what the URL asked for and the wall cannot show (hidden when nothing)
    notice = html.Div("", id="url-notice", className=NOTICE_HIDDEN)
    return html.Header(className="gw-title", children=[
        left, html.Div([html.H1(title, id="wall-title", title=title), notice],
                       className="gw-title-main" + size),
        right])


def breadcrumb(drill: dict) -> tuple:
    """(township text, township class, grid text, grid class, sep1 class, sep2 class, county class)."""
    t, g = drill.get("township_name"), drill.get("grid_name")
    sep = "gw-bc-sep"
    if g:
        return (t or "", "gw-bc-item", g, "gw-bc-item gw-bc-current", sep, sep, "gw-bc-item")
    if t:
        return (t, "gw-bc-item gw-bc-current", "", HIDE, sep, sep + " gw-bc-hidden", "gw-bc-item")
    return ("", HIDE, "", HIDE, sep + " gw-bc-hidden", sep + " gw-bc-hidden",
            "gw-bc-item gw-bc-current")


def analysis_href(v) -> str:
    """``/analysis?township=<code>&grid=<id>&window=<w>`` (or ``start=..&end=..``) for the
    view shown: a duty officer who drilled into a grid lands on that grid."""
    parts = ([f"township={v.township}"] if v.township else []) + (
        [f"grid={quote(v.grid, safe='')}"] if v.grid else []) + ([v.query] if v.query else [])
    return "/analysis" + ("?" + "&".join(parts) if parts else "")


def stale_alarm(f: dict | None) -> tuple[str, str]:
    """(text, class) of the dead-feed alarm from store.freshness: '数据已5小时未更新' in red
    when stale (days beyond 48 hours: '数据已3天未更新'); hidden otherwise."""
    text = fr.stale_text(f)
    return (text, "gw-stale") if text else ("", "gw-stale gw-hidden")


def range_notes(v, first) -> list[str]:
    """A window with no data in it at all: after as_of, or ended before the first report
    (``first``, store.freshness.data_start). Its figures are zeros and dashes; say why."""
    if v.start > v.as_of.date():
        return [f"所选时段在截至{fmt.stamp(v.as_of)}后，暂无数据"]
    if first is not None and v.end <= first:
        return [f"所选时段在数据起始日{first.isoformat()}前，暂无数据"]
    return []


def notice(v, first) -> tuple[str, str, str]:
    """(text, class, title) of the URL notice: every note joined by '；', or hidden."""
    notes = [*v.notice, *range_notes(v, first)]
    if not notes:
        return "", NOTICE_HIDDEN, ""
    text = "；".join(notes)
    return text, NOTICE, text


OUTPUTS = [("bc-township", "children"), ("bc-township", "className"),
           ("bc-grid", "children"), ("bc-grid", "className"), ("bc-sep1", "className"),
           ("bc-sep2", "className"), ("bc-county", "className"), ("as-of", "children"),
           ("map-title-text", "children"), ("map-caption", "children"),
           ("analysis-link", "href"), ("stale-alarm", "children"), ("stale-alarm", "className"),
           ("url-notice", "children"), ("url-notice", "className"), ("url-notice", "title")]
CACHE = False          # the dead-feed alarm follows the clock: answered fresh every time


def read(ctx, v) -> dict:
    return {"names": ctx.cached(wr.resolve_drill, v.township, v.grid),
            "short": short_names(ctx, v),
            "fresh": ctx.cached(wr.data_as_of),
            "freshness": ctx.cached(fr.freshness, timeout=30),
            "first": ctx.cached(fr.data_start)}


def outputs(data: dict, v) -> list:
    names, fresh = data["names"], data["fresh"]
    where = names["township_name"] or "全县"
    short = data.get("short")           # the crumbs in short; the map's title has it whole
    crumbs = names if short is None else {**names, "township_name": short.town(
        names["township_name"]), "grid_name": short.grid(names.get("grid_name"))}
    return [*breadcrumb(crumbs),
            f"数据更新于 {fresh:%Y-%m-%d %H:%M}" if fresh else "暂无事件数据",
            f"态势地图 · {where}", v.caption, analysis_href(v), *stale_alarm(data["freshness"]),
            *notice(v, data.get("first"))]
