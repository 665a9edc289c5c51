"""Grid card (网格名片): opened by a grid click, over the map; × or Esc closes it.

Grid, village, grid worker, population; whether the grid is a current emerging hotspot
(store.hotspots, the same window); the grid's figures for the window (/api/metrics scope
grid:<id>); recent events; cameras within settings geo.camera_radius_m metres of the grid
with their status.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
from dash import html

from dashboard.figures.numbers import middle_label, text_px
from dashboard.wall import fmt
from dashboard.wall.panel import empty
from dashboard.wall.view import min_events, short_names
from store import hotspots as hs
from store import wall_reads as wr
from store.vocab import CAMERA_STATUS_ZH, STATUS_ZH

# the card's narrow status column: 在线 / 离线 / 未知 (the map's 状态未知 is cut to 状态…)
CAM_SHORT = {**CAMERA_STATUS_ZH, "unknown": "未知"}
CAM_CHARS = 18      # a camera's name column (328 px at 18 px), in characters: cut in the middle
# the lists' room (assets/gridwall.css, a 1080-high canvas): 7 rows of 30 px under a card
# without a hotspot line; each line of it (24 px, 10 px padding and margin once) takes room
ROWS_PX, ROW_PX, HOT_LINE_PX, HOT_PAD_PX = 214, 30, 24, 10
HOT_TEXT_PX = 458       # the hotspot line's text width at 18 px (one character of slack)
CAM_ROWS = 4            # cameras listed at most (the header counts them all)
FIGS = [("reported", "上报", fmt.num), ("handling_rate", "办结率", fmt.pct),
        ("on_time_rate", "按期办结率", fmt.pct), ("red", "红线示警", fmt.num)]
RATE_FIGS = ("handling_rate", "on_time_rate")


def _info(label, value, short=None):
    """One line of the card's info, ``short`` shown when given, whole in its title."""
    whole = value if value not in (None, "") else "—"
    return html.Div([label + "：", html.B(short or whole)], title=f"{label}：{whole}")


def hotspot_line(hot: dict | None, start: dt.date | None = None):
    """'新发热点 本期12件，为基线2.0件的6.0倍' when the grid is a current emerging hotspot;
    with since when and which kinds (store.hotspots.profile), on one line of the card:
    '新发热点 12件，基线2.0的6.0倍，10-12起，矛盾纠纷78%'. ``start``: the window's first
    day (a rise from it reads 整段高于基线)."""
    if not hot:
        return None
    k, base, ratio = int(hot["k"]), hot["baseline"], hot["ratio"]
    more = []
    since = hot.get("since")
    if isinstance(since, dt.date) and not pd.isna(since):
        more.append("整段高于基线" if start and since <= start else f"{since:%m-%d}起")
    cat, share = hot.get("top_category"), hot.get("top_share")
    if isinstance(cat, str) and share is not None and not pd.isna(share):
        more.append(f"{cat}{share:.0%}")
    text = (f" {k}件，基线{base:.1f}的{ratio:.1f}倍，" + "，".join(more) if more
            else f" 本期{k}件，为基线{base:.1f}件的{ratio:.1f}倍")
    return html.Div([html.B("新发热点"), text], className="gw-gc-hot", id="grid-card-hot")


def list_rows(hot_line, n_events: int, n_cams: int) -> tuple[int, int]:
    """(events, cameras) the card lists in its room: the hotspot line ``hot_line`` (or None)
    takes a row or two of it on a city's long kinds; cameras keep two rows, events the rest
    (the rows left off are counted in the lists' headers: nothing is dropped silently)."""
    room = ROWS_PX
    if hot_line is not None:
        width = text_px("".join(c if isinstance(c, str) else "新发热点"
                                for c in hot_line.children), 18)
        room -= HOT_PAD_PX + HOT_LINE_PX * max(1, -(-int(width) // HOT_TEXT_PX))
    rows = max(2, room // ROW_PX)
    # an empty list still takes a line (暂无事件, 无视频点位)
    cams = min(n_cams, CAM_ROWS, max(2, rows - max(n_events, 1)))
    events = min(n_events, max(1, rows - max(cams, 1)))
    return events, min(n_cams, CAM_ROWS, max(1, rows - max(events, 1)))


def _sub(text: str, more: str | None) -> html.Div:
    """A list's header, with how many rows it leaves off (另有2条) at its right."""
    return html.Div([text, html.Span(more, className="gw-gc-more")] if more else text,
                    className="gw-gc-sub")


def figure_cells(f: dict, few_below: int = 0) -> html.Div:
    """The card's four figures. A grid with fewer than ``few_below`` cohort events is 样本少
    as its ranking row says (metrics.md): its rates are greyed and not judged, so one case
    closed on time does not read as a proud 100 % beside the ranking's 样本少."""
    few = int(f.get("reported") or 0) < int(few_below)
    cells = []
    for key, label, fn in FIGS:
        if few and key == "reported":
            cells.append(html.Div([html.B(fn(f[key])), html.Span(label),
                                   html.Span("样本少", className="gw-few")],
                                  className="gw-gc-fig", title=f"样本少（{fmt.num(f[key])}件）"))
        elif few and key in RATE_FIGS:
            cells.append(html.Div([html.B(fn(f[key])), html.Span(label)],
                                  className="gw-gc-fig gw-gc-few", **{"data-few": "1"},
                                  title=f"{label}：样本少，不评判"))
        else:
            cells.append(html.Div([html.B(fn(f[key])), html.Span(label)], className="gw-gc-fig"))
    return html.Div(cells, className="gw-gc-figs")


def card_body(card: dict | None, caption: str, hot: dict | None = None,
              start: dt.date | None = None, names=None, few_below: int = 0) -> list:
    """The card's title text and body children for :func:`wall_reads.grid_card`'s dict;
    ``hot`` is the grid's row of the window's emerging hotspots, if it is one; ``start``
    the window's first day; ``names`` (view.ShortNames) shortens the township's name;
    ``few_below``: [wall] ranking_min_events (:func:`figure_cells`)."""
    if card is None:
        return ["", empty("网格不存在")]
    i, f = card["info"], card["figures"]
    info = html.Div([
        _info("所属镇街", i.get("township_name"),
              names.town(i.get("township_name")) if names else None),
        _info("所属村社", i.get("village_name")),
        _info("网格员", i.get("grid_worker")),
        _info("人口/户数", f"{fmt.num(i.get('population'))} / {fmt.num(i.get('households'))}"),
    ], className="gw-gc-info")
    figs = figure_cells(f, few_below)
    hot_line = hotspot_line(hot, start)
    cams = card["cameras"]
    n_ev, n_cam = list_rows(hot_line, len(card["recent"]), len(cams))
    recent = card["recent"].head(n_ev)
    ev_rows = [html.Div([
        html.Span(fmt.stamp(r.reported_at.to_pydatetime())),
        html.Span(r.category, title=r.category),           # a city's kinds are cut: whole here
        html.Span("已办结" if r.closed_now else STATUS_ZH.get(r.status, "处置中"),
                  className="gw-status-closed" if r.closed_now else "gw-status-open"),
        # the time open, short as the lists write it: '12小时15分' ran past its column
        html.Span("" if r.closed_now else fmt.short_elapsed(r.elapsed_h), className="gw-num-r"),
    ], className="gw-row") for r in recent.itertuples(index=False)]
    cam_rows = [html.Div([
        html.Span(middle_label(r.name or r.camera_id, CAM_CHARS), title=r.name or r.camera_id),
        html.Span(CAM_SHORT.get(r.status, "未知"),
                  className="gw-cam-online" if r.status == "online" else "gw-cam-offline"),
        html.Span(f"{r.distance_m:.0f} 米", className="gw-num-r"),
    ], className="gw-row") for r in cams.head(n_cam).itertuples(index=False)]
    n_on = int((cams["status"] == "online").sum()) if len(cams) else 0
    radius = int(card["radius_m"])
    body = [
        hot_line,
        info,
        html.Div(caption, className="gw-panel-caption"),
        figs,
        _sub("最近事件", f"另有{len(card['recent']) - n_ev}条" if len(card["recent"]) > n_ev
             else None),
        html.Div(ev_rows or [html.Div("暂无事件", className="gw-dim")],
                 className="gw-table gw-gc-list"),
        _sub(f"周边{radius}米视频 {len(cams)} 路（在线 {n_on}）",
             f"另有{len(cams) - n_cam}路" if len(cams) > n_cam else None),
        html.Div(cam_rows or [html.Div(f"{radius}米内无视频点位", className="gw-dim")],
                 className="gw-table gw-gc-list gw-gc-cams"),
    ]
    return [i.get("grid_name") or i.get("grid_id"), body]


def layout(ctx) -> html.Div:
    return html.Div(id="grid-card", className="gw-gridcard gw-hidden", children=[
        html.Div([html.Div("", id="grid-card-title", className="gw-gc-title"),
                  html.Span("×", id="grid-card-close", n_clicks=0, className="gw-gc-close",
                            title="关闭（Esc）")], className="gw-gc-head"),
        html.Div(id="grid-card-body", className="gw-gc-body"),
    ])


OUTPUTS = [("grid-card", "className"), ("grid-card-title", "children"),
           ("grid-card-body", "children")]
BY_GRID = True


def read(ctx, v) -> dict | None:
    if not v.grid:
        return None
    card = ctx.cached(wr.grid_card, v.grid, v.start, v.end, v.as_of)
    hot = None
    if card is not None:
        town = card["info"].get("township_code")
        rows = ctx.cached(hs.emerging_hotspots, v.start, v.end, town, profiled=True,
                          as_of=v.as_of)
        match = rows[rows["grid_id"] == v.grid]
        hot = match.iloc[0].to_dict() if len(match) else None
    return {"card": card, "hot": hot, "names": short_names(ctx, v), "few_below": min_events(ctx)}


def outputs(data: dict | None, v) -> list:
    if data is None:
        return ["gw-gridcard gw-hidden", "", []]
    title, body = card_body(data["card"], v.caption, data["hot"], v.start, data.get("names"),
                            data["few_below"])
    return ["gw-gridcard", title, body]
