"""Hotspots (热点研判): the emerging-hotspot table (k, baseline, ratio, p, density, online
cameras within the coverage radius), the coverage gaps, and the cameras around the selected
grid. Clicking a row sets the grid filter (filters_bar), so the whole page follows it."""
from __future__ import annotations

import datetime as dt

from dash import ClientsideFunction, Input, Output, dash_table, html

from dashboard.analysis.filters_bar import HOT_TABLE
from dashboard.analysis.views import hotspot_view
from dashboard.analysis.ui import TABLE_STYLE, URL, fmt_num, panel, view_filters
from dashboard.figures.numbers import kind_share, p_value
from dashboard.figures import theme
from store import analysis_reads as ar
from store import cameras_near as cn
from store import hotspots as hs_store

HOT_MORE = "an-hot-more"      # 另有N条: the rows below the table's fold (analysis.js)
COLUMNS = [("rank", "序"), ("grid_name", "网格"), ("township", "镇街"), ("k", "本期\n件数"),
           ("since", "始于"), ("kind", "主要类别"),
           ("baseline", "基线"), ("ratio", "倍数"), ("p", "p值"), ("density", "密度\n件/km²"),
           ("gi", "Gi* z"), ("cams", "300米内\n在线视频")]

# what a column means, on hover over its header (docs/analysis.md says it in full)
HEADER_TIPS = {
    "k": "本期有效事件数（按上报时间）",
    "since": "上升开始的日期：自该日至本期末的事件数最不像基线水平（泊松似然比最大）；"
             "“≤”表示本期第一天起即偏高，“—”表示没有高于基线的时段",
    "kind": "本期该网格上报最多的事件类别及其占比",
    "baseline": "此前同长窗口的平均事件数（窗口个数见上方说明；不低于设定的下限）",
    "ratio": "本期件数 ÷ 基线",
    "p": "按基线水平，本期出现不少于这么多事件的泊松概率",
    "density": "本期事件数 ÷ 网格面积（平方公里）",
    "gi": "Getis-Ord Gi* z 值：该网格与相邻网格一起偏高的程度，≥2.58 为 99% 显著",
}


def layout(ctx):
    radius = ctx.settings.section("geo")["camera_radius_m"]
    cols = [{"id": c, "name": (f"{radius:.0f}米内\n在线视频" if c == "cams" else n)}
            for c, n in COLUMNS]
    table = dash_table.DataTable(
        id=HOT_TABLE, columns=cols, data=[], row_selectable=False, cell_selectable=True,
        # a sticky header instead of fixed_rows: fixed_rows measures column widths in
        # pixels and comes apart when the page is zoomed (4K screens, analysis.css)
        sort_action="none", page_action="none",
        # as many whole rows as the panel has room for, beside the summary, the gaps and the
        # selected grid's cameras: analysis.js (fitHotTable) sets --an-hot-h and says
        # 另有N条 below; 280 px until it has measured
        style_table={"maxHeight": "var(--an-hot-h, 280px)", "overflowY": "auto"},
        # two-line headers where the name says so (no label cut off in a narrow column)
        style_header={**TABLE_STYLE["style_header"], "whiteSpace": "pre-line",
                      "height": "auto", "lineHeight": "16px"},
        # twelve columns in the panel's width: tighter padding than the other tables
        style_cell={**TABLE_STYLE["style_cell"], "padding": "4px 5px"},
        style_cell_conditional=[{"if": {"column_id": c}, "textAlign": "right"}
                                for c in ("rank", "k", "baseline", "ratio", "p", "density",
                                          "gi", "cams")]
        + [{"if": {"column_id": c}, "minWidth": w}      # two-character header lines fit
           for c, w in (("baseline", "44px"), ("ratio", "44px"), ("k", "40px"),
                        ("cams", "66px"))]
        # a city's long names take a second line instead of pushing p, 密度, Gi* and the
        # cameras out of the panel (a grid name of 15 characters hid four columns)
        + [{"if": {"column_id": c}, "maxWidth": w, "whiteSpace": "normal", "height": "auto"}
           for c, w in (("grid_name", "150px"), ("township", "90px"))],
        style_data_conditional=[],
        tooltip_header=HEADER_TIPS, tooltip_delay=300, tooltip_duration=None,
        css=[*TABLE_STYLE["css"],
             {"selector": "th", "rule": "position: sticky; top: 0; z-index: 2"}])
    body = [html.Div(id="an-hot-summary", className="an-hot-summary"), table,
            html.Div(id=HOT_MORE, className="an-hot-more"),
            html.Div(id="an-gaps", className="an-gaps"),
            html.Div(id="an-near", className="an-near")]
    return panel("hotspots", "新发热点（泊松检验）", body, caption_id="an-hot-caption",
                 cls="an-hotspots")


# a list says its order and what a click on a row does (the table is sorted by p, then k)
ORDER_NOTE = " · 按p值从小到大 · 点击一行：全页按该网格筛选"


def since_text(since, start: dt.date) -> str:
    """``10-12``: the day the rise began (store.hotspots.onset); ``≤10-02`` when it is the
    window's first day (it may have begun before); ``—`` with no rise."""
    if not isinstance(since, dt.date) or since != since:
        return "—"
    return f"≤{since:%m-%d}" if since <= start else f"{since:%m-%d}"


def rows(df, hot: bool = True, start: dt.date | None = None,
         picked: str | None = None) -> list[dict]:
    """Table rows; ``hot``: the rows are hotspots, so one without an online camera near is a
    coverage gap (盲区); a watched grid's just shows 0. ``start``: the window's first day.
    ``picked``: the grid filtered on; its row gets ``sel`` (not a column), by which
    analysis.js scrolls it into view when it lies below the table's fold."""
    out = []
    for i, r in enumerate(df.itertuples(index=False), start=1):
        out.append({"id": r.grid_id, "rank": i, "grid_name": r.grid_name, "township": r.township,
                    "k": int(r.k), "since": since_text(r.since, start or dt.date.min),
                    "kind": kind_share(r.top_category, r.top_share),
                    "baseline": fmt_num(r.baseline), "ratio": fmt_num(r.ratio),
                    "p": p_value(r.p), "density": fmt_num(r.density_per_km2),
                    "gi": fmt_num(r.gi_star_z, 2),
                    "cams": int(r.cameras_online_within) if r.cameras_online_within
                    else "0 · 盲区" if hot else 0})
        if picked is not None and r.grid_id == picked:
            out[-1]["sel"] = 1
    return out


def _near_list(ctx, f, radius: float):
    cams = ctx.cached(cn.cameras_near, cn.Place("grid", grid_id=f.grid), radius, f.as_of)
    name = ctx.cached(ar.grid_labels).get(f.grid, f.grid)
    head = html.Div(f"{name} 周边 {radius:.0f} 米内视频 {len(cams)} 路"
                    f"（在线 {int(cams['online'].sum()) if len(cams) else 0} 路）",
                    className="an-near-head")
    items = [html.Li([html.Span("●", className=f"an-cam-{'on' if r.online else 'off'}"),
                      f" {r.name or r.camera_id}",
                      html.Span(f"{'在线' if r.online else '离线'} · {r.distance_m:.0f} 米"
                                if r.distance_m > 0 else f"{'在线' if r.online else '离线'} · 网格内",
                                className="an-near-dist")])
             for r in cams.head(12).itertuples(index=False)]
    more = html.Div(f"另有 {len(cams) - 12} 路", className="an-dim") if len(cams) > 12 else None
    return [head, html.Ul(items, className="an-near-list") if items
            else html.Div("范围内没有视频点位：需补建或调配移动监控", className="an-gap-text"), more]


def register_callbacks(app, ctx) -> None:
    @app.callback(
        Output(HOT_TABLE, "data"), Output(HOT_TABLE, "style_data_conditional"),
        Output("an-hot-caption", "children"), Output("an-hot-summary", "children"),
        Output("an-gaps", "children"), Output("an-near", "children"),
        Input(URL, "search"),
    )
    def _hotspots(search):
        f, err = view_filters(ctx, search)
        if f is None:
            return [], [], "", err, None, None
        df = hotspot_view(ctx, f)
        watch = watch_list(ctx, f) if df.empty else df
        radius = float(ctx.settings.section("geo")["camera_radius_m"])
        hs = ctx.settings.section("hotspots")
        gaps = df[df["cameras_online_within"] == 0]
        style = [{"if": {"filter_query": "{cams} contains '盲区'", "column_id": "cams"},
                  "color": theme.RED, "fontWeight": "bold"}]
        if f.grid:
            style.append({"if": {"filter_query": f'{{id}} = "{f.grid}"'},
                          "backgroundColor": "#3a1540", "border": "1px solid #ff4fd8"})
        caption = caption_text(ctx, f, hot=not df.empty)
        if len(df):
            summary = (f"共 {len(df)} 个新发热点（k ≥ {hs['min_count']} 且 P(X≥k) < "
                       f"{hs['alpha']}）{ORDER_NOTE}")
        elif len(watch):
            summary = (f"本期没有新发热点 · 下列 {len(watch)} 个网格高于基线、P(X≥k) < "
                       f"{hs['watch_p']}，未达热点标准，供观察{ORDER_NOTE}")
        else:
            summary = "本期没有新发热点，也没有接近标准的网格"
        gap_div = ([html.Span(f"视频盲区 {len(gaps)} 处：", className="an-gap-title"),
                    gap_names(gaps["grid_id"], ctx.cached(ar.grid_labels))]
                   if len(gaps) else [html.Span("视频盲区：无（每个新发热点 "
                                                f"{radius:.0f} 米内都有在线视频）",
                                                className="an-dim")] if len(df) else [])
        near = _near_list(ctx, f, radius) if f.grid else html.Div(
            "点击表格中的热点：页面按该网格筛选，并列出周边视频", className="an-dim")
        return (rows(watch, hot=not df.empty, start=f.start, picked=f.grid), style, caption,
                summary, gap_div, near)

    # a grid= below the table's fold (a link to the 20th hotspot) is scrolled into view
    app.clientside_callback(
        ClientsideFunction(namespace="gridwallAnalysis", function_name="pickHotRow"),
        Input(HOT_TABLE, "data"))


def gap_names(grid_ids, labels: dict[str, str], top: int = 12) -> html.Span:
    """The coverage gaps' grids, named with their township where the name repeats in the
    county (a bare 第二网格 could be any township's); two lines at most, the rest after …
    and the whole list on hover (analysis.css, .an-gaps)."""
    names = [labels.get(g, g) for g in grid_ids]
    text = "、".join(names[:top]) + (f" 等 {len(names)} 处" if len(names) > top else "")
    return html.Span(text, title="、".join(names), className="an-gap-text")


def caption_text(ctx, f, hot: bool) -> str:
    """The window, the baseline, the filters the rule does not use and, when there are
    ``hot`` (emerging) hotspots, the short-history caveat: it warns of too many hotspots, so
    next to none (an empty window, a watch list) it would only confuse."""
    hs = ctx.settings.section("hotspots")
    last = f.end - dt.timedelta(days=1)
    return (f"{f.start:%m-%d} 至 {last:%m-%d} · 基线为前 {hs['baseline_windows']}"
            " 个同长窗口均值" + not_applied(f) + (short_note(ctx, f) if hot else ""))


def short_note(ctx, f) -> str:
    """Said when the baseline reaches before the first day of data (store.hotspots.
    short_history): those windows count as no events, so hotspots run high."""
    first = ctx.cached(hs_store.short_history, f.start, f.end)
    return f" · 基线含无数据时段（数据起于 {first:%Y-%m-%d}），热点偏多" if first else ""


NOT_APPLIED = (("q", "关键词"), ("department", "部门"), ("status", "状态"), ("warning", "预警"))


def not_applied(f) -> str:
    """The filters set that the hotspot rule does not apply (it counts every valid event of
    the rollups), said in the caption so the table is not read as filtered by them."""
    names = [zh for key, zh in NOT_APPLIED if getattr(f, key)]
    return f" · 热点不按{'、'.join(names)}筛选" if names else ""


def watch_list(ctx, f, top: int = 5):
    """With no emerging hotspot, the grids nearest to one (接近标准，供观察): above their
    baseline with P(X ≥ k) below ``[hotspots] watch_p``, smallest p first, at most ``top``:
    an empty table says nothing a duty officer can act on."""
    every = hotspot_view(ctx, f, everything=True)
    p_max = float(ctx.settings.section("hotspots")["watch_p"])
    return every[(every["k"] > every["baseline"]) & (every["p"] < p_max)].head(top)
