"""The filter bar (筛选): window, dates, township, grid, category, channel, department,
status, warning. The URL is the state: one callback keeps the controls and the URL in step
(the URL wins on load and on back/forward; a control change rewrites the URL), and also
takes a hotspot picked in the table or in the 3D view as the grid filter."""
from __future__ import annotations

import datetime as dt

import dash
from dash import Input, Output, State, dcc, html

from dashboard.analysis.ui import URL, query_string, search_args, view_filters
from store import analysis_reads as ar
from store.analysis_filters import PRESET_ZH
from store import vocab
from store.schema import STATUSES

STATUS_ZH = {**vocab.STATUS_ZH, "open": "在办(未办结)"}   # the filter adds 'open'
WARNING_ZH = vocab.WARNING_ZH
DEFAULT_WINDOW = "30d"
CONTROLS = ("township", "grid", "category", "channel", "department", "status", "warning")
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
        html.Button("重置", id="an-f-reset", className="an-btn", n_clicks=0),
        html.Span("", id="an-f-error", className="an-f-error"),
    ])


def controls_from_args(args: dict[str, str]) -> dict:
    """Control values for a URL's filter parameters."""
    out = {k: args.get(k) for k in CONTROLS}
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
    elif values.get("window") and values["window"] != DEFAULT_WINDOW:
        args["window"] = values["window"]
    if keep.get("as_of"):
        args["as_of"] = keep["as_of"]
    return {k: v for k, v in args.items() if v}


def register_callbacks(app, ctx) -> None:
    outs = [Output("an-f-window", "value"), Output("an-f-dates", "start_date"),
            Output("an-f-dates", "end_date")] + [Output(f"an-f-{c}", "value") for c in CONTROLS]

    @app.callback(
        Output(URL, "search"), *outs, Output(HOT_TABLE, "active_cell"),
        Input(URL, "search"), Input("an-f-window", "value"), Input("an-f-dates", "start_date"),
        Input("an-f-dates", "end_date"), *[Input(f"an-f-{c}", "value") for c in CONTROLS],
        Input("an-f-reset", "n_clicks"), Input(HOT_TABLE, "active_cell"),
        Input(DECK_PICK, "data"),
    )
    def _sync(search, window, start, end, *rest):
        values = dict(zip(CONTROLS, rest[:len(CONTROLS)]))
        values.update(window=window, start=start, end=end)
        active, picked = rest[-2], rest[-1]
        trig = dash.ctx.triggered_id
        current = search_args(search)
        keep = {"as_of": current.get("as_of")}
        if trig in (None, URL):
            c = controls_from_args(current)
            return (dash.no_update, c["window"], c["start"], c["end"],
                    *[c[k] for k in CONTROLS], dash.no_update)
        if trig == "an-f-reset":
            args = {"as_of": keep["as_of"]} if keep["as_of"] else {}
        else:
            if trig == "an-f-township":
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
        new = "?" + query_string(args) if args else ""
        c = controls_from_args(args)
        # a used table click is cleared, so the same row can be clicked again later
        return (new if new != (search or "") else dash.no_update, c["window"], c["start"],
                c["end"], *[c[k] for k in CONTROLS],
                None if trig == HOT_TABLE else dash.no_update)

    @app.callback(Output("an-f-grid", "options"), Input("an-f-township", "value"))
    def _grid_options(township):
        return [{"label": g["name"], "value": g["id"]}
                for g in ctx.cached(ar.grid_options, township)]
