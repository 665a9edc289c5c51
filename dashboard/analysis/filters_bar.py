"""The filter bar (筛选): window, dates, township, grid, category, channel, department,
status, warning, keywords (q: searched when Enter is pressed or the box is left). The URL is the state. URL → controls runs in the browser (clientside
``controlsFromSearch`` in assets/analysis.js, the twin of :func:`controls_from_args`): on
load and on back/forward, with no server round trip, so the panels start at once instead of
waiting for it. Controls → URL runs here: a control change rewrites the URL; a hotspot
picked in the table or in the 3D view becomes the grid filter."""
from __future__ import annotations

import datetime as dt

import dash
from dash.exceptions import PreventUpdate
from dash import ClientsideFunction, Input, Output, State, dcc, html

from dashboard.analysis.ui import READY, URL, query_string, search_args, view_filters
from store import analysis_reads as ar
from store.analysis_filters import PRESET_ZH
from store import vocab
from store.schema import STATUSES

STATUS_ZH = {**vocab.STATUS_ZH, "open": "在办(未办结)"}   # the filter adds 'open'
WARNING_ZH = vocab.WARNING_ZH
DEFAULT_WINDOW = "30d"
CONTROLS = ("township", "grid", "category", "channel", "department", "status", "warning", "q")
# dropdowns listing values found in the data, which a link can name beyond (analysis.js)
LISTED = ("category", "channel", "department")
HOT_TABLE = "an-hot-table"
DECK_PICK = "an-deck-pick"


def _dd(cid: str, placeholder: str, options=(), width: int = 150, **kw) -> dcc.Dropdown:
    return dcc.Dropdown(id=f"an-f-{cid}", options=list(options), placeholder=placeholder,
                        clearable=True, searchable=True, className="an-dd",
                        style={"width": f"{width}px"}, **kw)


def layout(ctx) -> html.Div:
    opts = ctx.cached(ar.options)
    window_opts = [{"label": v, "value": k} for k, v in PRESET_ZH.items()]
    window_opts.append({"label": "自定义日期", "value": "custom"})
    return html.Div(id="an-filters", className="an-filters", children=[
        html.Span("时间", className="an-f-label"),
        dcc.Dropdown(id="an-f-window", options=window_opts, value=DEFAULT_WINDOW,
                     clearable=False, searchable=False, className="an-dd",
                     style={"width": "120px"}),
        dcc.DatePickerRange(id="an-f-dates", display_format="YYYY-MM-DD",
                            start_date_placeholder_text="开始日期",
                            end_date_placeholder_text="结束日期", className="an-dates",
                            first_day_of_week=1, minimum_nights=0),
        _dd("township", "全部镇街", [{"label": t["name"], "value": t["code"]}
                                    for t in opts["townships"]], 140),
        _dd("grid", "全部网格", [], 190),
        _dd("category", "全部类别", [{"label": c, "value": c} for c in opts["categories"]]),
        _dd("channel", "全部渠道", [{"label": c, "value": c} for c in opts["channels"]], 130),
        _dd("department", "全部部门", [{"label": c, "value": c} for c in opts["departments"]],
            170),
        _dd("status", "全部状态", [{"label": STATUS_ZH[s], "value": s}
                                   for s in (*STATUSES, "open")], 130),
        _dd("warning", "全部预警", [{"label": v, "value": k} for k, v in WARNING_ZH.items()],
            120),
        dcc.Input(id="an-f-q", type="search", debounce=True, className="an-q",
                  placeholder="关键词：编号/地址/描述", maxLength=100),
        html.Button("重置", id="an-f-reset", className="an-btn", n_clicks=0),
        html.Span("", id="an-f-error", className="an-f-error"),
    ])


def controls_from_args(args: dict[str, str]) -> dict:
    """Control values for a URL's filter parameters."""
    out = {k: args.get(k) for k in CONTROLS}
    out["q"] = out["q"] or ""          # a text input given None keeps its old text
    if args.get("start") or args.get("end"):
        out["window"] = "custom"
        out["start"] = args.get("start")
        end = args.get("end")
        out["end"] = ((dt.date.fromisoformat(end) - dt.timedelta(days=1)).isoformat()
                      if end and len(end) == 10 else end)
    else:
        out["window"] = args.get("window") or DEFAULT_WINDOW
        out["start"] = out["end"] = None
    return out


def args_from_controls(values: dict, keep: dict[str, str]) -> dict[str, str]:
    """URL parameters for control values (the date picker's end is inclusive, the URL's
    ``end`` the first day outside); ``keep`` carries as_of."""
    args = {k: values.get(k) for k in CONTROLS}
    if values.get("window") == "custom":
        if values.get("start"):
            args["start"] = values["start"][:10]
        if values.get("end"):
            args["end"] = (dt.date.fromisoformat(values["end"][:10])
                           + dt.timedelta(days=1)).isoformat()
    elif values.get("window"):     # the default too: a URL without a window lists every
        args["window"] = values["window"]    # report time in /api/events (docs/analysis.md)
    if keep.get("as_of"):
        args["as_of"] = keep["as_of"]
    return {k: v for k, v in args.items() if v}


def register_callbacks(app, ctx) -> None:
    ids = [("an-f-window", "value"), ("an-f-dates", "start_date"), ("an-f-dates", "end_date")
           ] + [(f"an-f-{c}", "value") for c in CONTROLS]

    # (the grid's options come along: a dropdown drops a value missing from its options,
    # and the grid list itself only arrives after the first view; so do the category,
    # channel and department options: a link may name a department the list does not hold,
    # one past the 200 busiest, and a dropped value rewrote the URL to every department)
    app.clientside_callback(
        ClientsideFunction(namespace="gridwallAnalysis", function_name="controlsFromSearch"),
        [Output(i, p, allow_duplicate=True) for i, p in ids],
        Output("an-f-grid", "options", allow_duplicate=True),
        [Output(f"an-f-{c}", "options", allow_duplicate=True) for c in LISTED],
        Input(URL, "search"), [State(i, p) for i, p in ids], State("an-f-grid", "options"),
        State("an-f-township", "options"), [State(f"an-f-{c}", "options") for c in LISTED],
        prevent_initial_call="initial_duplicate",
    )

    @app.callback(
        Output(URL, "search"), [Output(i, p, allow_duplicate=True) for i, p in ids],
        Output(HOT_TABLE, "active_cell"),
        [Input(i, p) for i, p in ids], Input("an-f-reset", "n_clicks"),
        Input(HOT_TABLE, "active_cell"), Input(DECK_PICK, "data"), State(URL, "search"),
        prevent_initial_call=True,
    )
    def _sync(window, start, end, *rest):
        values = dict(zip(CONTROLS, rest[:len(CONTROLS)]))
        values.update(window=window, start=start, end=end)
        active, picked, search = rest[-3], rest[-2], rest[-1]
        trig = dash.ctx.triggered_id
        current = search_args(search)
        keep = {"as_of": current.get("as_of")}
        if trig == "an-f-reset":
            args = {"window": DEFAULT_WINDOW, **({"as_of": keep["as_of"]} if keep["as_of"]
                                                  else {})}
        else:
            if trig == "an-f-township" and values["grid"]:
                # a grid outside the township picked goes; one inside stays (a link with
                # both, whose controls arrive together, names this trigger too)
                place = ctx.cached(ar.grid_place, values["grid"])
                if not place or place["township_code"] != values["township"]:
                    values["grid"] = None
            if trig == HOT_TABLE and active and active.get("row_id"):
                values["grid"] = active["row_id"]
            if trig == DECK_PICK and picked and picked.get("grid"):
                values["grid"] = picked["grid"]
            if trig == "an-f-window" and window != "custom":
                values["start"] = values["end"] = None
            if window == "custom" and not (values["start"] and values["end"]):
                f, _err = view_filters(ctx, search)     # start from the window shown now
                if f is not None:
                    values["start"] = values["start"] or f.start.isoformat()
                    values["end"] = values["end"] or (
                        f.end - dt.timedelta(days=1)).isoformat()
            args = args_from_controls(values, keep)
            # a township the dropdown could not show (unknown: controlsFromSearch left it
            # off) stays in the URL, so the panels keep saying 筛选条件有误 instead of
            # silently showing the whole county; 重置 or a township picked replaces it
            if current.get("township") and not values["township"] and trig != "an-f-township":
                args["township"] = current["township"]
        c = controls_from_args(args)
        # a used table click is cleared, so the same row can be clicked again later
        clear = None if trig == HOT_TABLE else dash.no_update
        if args == {k: v for k, v in current.items() if v} or (
                controls_from_args(current) == c and trig not in (HOT_TABLE, DECK_PICK,
                                                                  "an-f-reset")):
            # the controls only caught up with the URL (controlsFromSearch): nothing to do
            return (dash.no_update, *[dash.no_update] * len(ids), clear)
        new = "?" + query_string(args) if args else ""
        shown = [c[k] if not (k == "township" and c[k] and not values["township"])
                 else dash.no_update for k in CONTROLS]
        return (new if new != (search or "") else dash.no_update, c["window"], c["start"],
                c["end"], *shown, clear)

    # after the first view (ui.READY): a dropdown indexes its options for search as they
    # arrive, and the county's ~1,400 grids cost the first view a quarter of a second
    @app.callback(Output("an-f-grid", "options", allow_duplicate=True),
                  Input("an-f-township", "value"), Input(READY, "data"),
                  prevent_initial_call="initial_duplicate")
    def _grid_options(township, ready):
        if not ready:
            raise PreventUpdate
        return [{"label": g["name"], "value": g["id"]}
                for g in ctx.cached(ar.grid_options, township)]
