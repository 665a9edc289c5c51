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

from dashboard.wall.view import window_params
from store import wall_reads as wr

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


def drill_from_search(ctx, search: str | None) -> dict:
    """The checked drill state of a URL: unknown codes fall back to the level above."""
    p = parse_search(search)
    win = window_params(p["window"], p["start"], p["end"])
    if not p["township"] and not p["grid"]:
        return {**EMPTY, **win}
    d = ctx.cached(wr.resolve_drill, p["township"], p["grid"])
    return {"township": d["township"], "grid": d["grid"], **win}


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
