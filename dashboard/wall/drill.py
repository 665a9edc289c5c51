"""The wall's shared state: the drill state and window in the URL, the refresh tick, the tour.

The URL (``/?township=<code>&grid=<id>&window=7d`` or ``&start=..&end=..``) is the single
source of truth: every click (map, ranking, hotspot board, breadcrumb, window selector), Esc
and the tour only rewrite ``url.search`` (clientside, ``gridwall.navigate``, which keeps the
parameters it does not change); one server callback turns the URL into ``drill-store`` data
``{"township", "grid", "window", "start", "end"}`` checked against the database. So a link,
a refresh or the browser's back button all open the same view, and panels only listen to
``drill-store`` (:func:`dashboard.wall.view.current_view` reads it).
"""
from __future__ import annotations

from urllib.parse import parse_qs

from dash import ALL, ClientsideFunction, Input, Output, State, dcc, html

from dashboard.wall.view import (CUSTOM, MAX_CUSTOM_DAYS, PRESETS, default_label, url_day,
                                 window_params)
from store import wall_reads as wr
from store.settings import SPLICES, parse_splice

URL = "url"
DRILL_STORE = "drill-store"
REFRESH = "refresh-interval"
TOUR_STORE = "tour-store"
TOUR_INTERVAL = "tour-interval"
ESC_BUTTON = "drill-esc"
RANK_ROW = "gw-rank-row"          # pattern-matching id type of ranking rows
HOT_ROW = "gw-hot-row"            # ... of hotspot board rows (a grid to open)
WIN_CHIP = "gw-win"               # ... of the window presets
WIN_APPLY = "win-apply"           # the custom range's apply button
EMPTY = {"township": None, "grid": None, "window": None, "start": None, "end": None}
# what a wall URL may hold; ``token`` is the kiosk's sign-in (the server redirects it away)
KEYS = ("township", "grid", "tour", "window", "start", "end", "token", "splice")
TOUR_ON, TOUR_OFF = ("1", "true", "yes"), ("0", "false", "no")
ECHO_MAX = 20                     # a value from the URL shown in a notice, cut to this


def parse_search(search: str | None) -> dict:
    """``?township=..&grid=..&tour=1&window=..`` → {"township", "grid", "tour", "window",
    "start", "end"} (raw, unchecked)."""
    q = parse_qs((search or "").lstrip("?"), keep_blank_values=True)

    def first(key):
        v = (q.get(key) or [""])[0].strip()
        return v or None

    return {"township": first("township"), "grid": first("grid"),
            "tour": first("tour") in ("1", "true", "yes"), "window": first("window"),
            "start": first("start"), "end": first("end")}


def _echo(value: str) -> str:
    return value if len(value) <= ECHO_MAX else value[:ECHO_MAX - 1] + "…"


def place_notes(p: dict, d: dict) -> list[str]:
    """What the URL asked for and the wall cannot show (``p`` parse_search's, ``d``
    resolve_drill's): an unknown township or grid, a grid of another township."""
    notes, shown = [], d.get("township_name") or "全县"
    if p["grid"] and not d.get("grid"):
        notes.append(f"未找到网格「{_echo(p['grid'])}」，显示{shown}")
    if p["township"] and not d.get("township"):
        notes.append(f"未找到镇街「{_echo(p['township'])}」，显示全县")
    elif p["township"] and d.get("grid") and p["township"] not in (d["township"],
                                                                   d.get("township_name")):
        notes.append(f"网格「{_echo(p['grid'])}」不属于「{_echo(p['township'])}」，"
                     f"显示其所属{shown}")
    return notes


def window_notes(p: dict, win: dict, default: str) -> list[str]:
    """What is wrong with the URL's window, and which window is shown instead."""
    shown = (PRESETS.get(win["window"]) or ("自选时段" if win["window"] == CUSTOM else default))
    if p["window"] and p["window"] not in PRESETS:
        return [f"未知时间窗口「{_echo(p['window'])}」，显示{shown}"]
    if p["window"]:
        return ([f"时间窗口与自选日期同时出现，按{shown}显示"] if p["start"] or p["end"] else [])
    if not (p["start"] or p["end"]) or win["window"] == CUSTOM:
        return []
    if not (p["start"] and p["end"]):
        return [f"自选时段不完整，显示{shown}"]
    bad = [v for v in (p["start"], p["end"]) if url_day(v) is None]
    if bad:
        return [f"日期「{_echo(bad[0])}」有误，显示{shown}"]
    if url_day(p["end"]) <= url_day(p["start"]):
        return [f"自选时段的结束不在开始后，显示{shown}"]
    return [f"自选时段超过{MAX_CUSTOM_DAYS // 366}年，显示{shown}"]


def url_notes(search: str | None) -> list[str]:
    """Keys the wall does not know or that come more than once, and a tour value it cannot
    read: a link that silently meant something else misleads whoever followed it."""
    q = parse_qs((search or "").lstrip("?"), keep_blank_values=True)
    notes = []
    for key, values in q.items():
        if key not in KEYS:
            notes.append(f"地址中的「{_echo(key)}」未知，未使用")
        elif len(values) > 1 and key != "token":
            notes.append(f"{key}出现多次，按第一个「{_echo(values[0].strip())}」")
    tour = (q.get("tour") or [""])[0].strip()
    if tour and tour not in TOUR_ON + TOUR_OFF:
        notes.append(f"tour「{_echo(tour)}」无效，自动轮播未开")
    return notes


def splice_notes(search: str | None, setting: str) -> list[str]:
    """A ``splice=`` the wall cannot lay out (gridwall.js ignores it and keeps the settings'
    splice, ``setting``): say so, or the operator takes the layout for the wall asked for."""
    q = parse_qs((search or "").lstrip("?"), keep_blank_values=True)
    if "splice" not in q:
        return []
    value = q["splice"][0]
    if parse_splice(value) is not None:
        return []
    norm = parse_splice(setting)
    shown = f"按{norm}显示" if norm else "按单屏显示"
    return [f"splice「{_echo(value.strip())}」无效（可用{'、'.join(SPLICES)}），{shown}"]


def drill_from_search(ctx, search: str | None) -> dict:
    """The checked drill state of a URL: unknown codes fall back to the level above, and
    ``notice`` (only when there is one) says so: the wall shows it in its title bar, so a
    leader who followed a wrong link does not take the county for the township asked for."""
    p = parse_search(search)
    win = window_params(p["window"], p["start"], p["end"])
    d = (ctx.cached(wr.resolve_drill, p["township"], p["grid"])
         if p["township"] or p["grid"] else EMPTY)
    default = default_label(int(ctx.settings.section("wall")["window_days"]))
    notes = (place_notes(p, d) + window_notes(p, win, default) + url_notes(search)
             + splice_notes(search, str(ctx.settings.section("wall")["splice"])))
    out = {"township": d["township"], "grid": d["grid"], **win}
    return {**out, "notice": notes} if notes else out


def components(ctx, township_codes: list[str]) -> list:
    wall = ctx.settings.section("wall")
    return [
        dcc.Location(id=URL, refresh=False),
        dcc.Store(id=DRILL_STORE, data=None),
        dcc.Store(id=TOUR_STORE, data={"codes": township_codes}),
        dcc.Interval(id=REFRESH, interval=max(5, int(wall["refresh_s"])) * 1000, n_intervals=0),
        dcc.Interval(id=TOUR_INTERVAL, interval=max(3, int(wall["tour_s"])) * 1000,
                     n_intervals=0, disabled=True),
        html.Button(id=ESC_BUTTON, n_clicks=0, className="gw-hidden-control", tabIndex="-1"),
    ]


def register_callbacks(app, ctx) -> None:
    # URL → drill-store alone, in a few milliseconds, beside the view callback
    # (dashboard.wall.reply, which reads the URL itself): the navigation reads drill-store,
    # so a click or a tour step right after a drill-down must not wait for the panels
    @app.callback(
        Output(DRILL_STORE, "data"),
        Output(TOUR_INTERVAL, "disabled"),
        Input(URL, "search"),
    )
    def _url_to_drill(search):
        return drill_from_search(ctx, search), not parse_search(search)["tour"]

    app.clientside_callback(
        ClientsideFunction(namespace="gridwall", function_name="navigate"),
        Output(URL, "search"),
        Output("map-graph", "clickData"),
        Input("map-graph", "clickData"),
        Input({"type": RANK_ROW, "code": ALL, "kind": ALL}, "n_clicks"),
        Input({"type": HOT_ROW, "code": ALL, "township": ALL}, "n_clicks"),
        Input({"type": WIN_CHIP, "key": ALL}, "n_clicks"),
        Input(WIN_APPLY, "n_clicks"),
        Input("bc-county", "n_clicks"),
        Input("bc-township", "n_clicks"),
        Input(ESC_BUTTON, "n_clicks"),
        Input("grid-card-close", "n_clicks"),
        Input(TOUR_INTERVAL, "n_intervals"),
        State(URL, "search"),
        State(DRILL_STORE, "data"),
        State(TOUR_STORE, "data"),
        State("win-range", "start_date"),
        State("win-range", "end_date"),
        prevent_initial_call=True,
    )
