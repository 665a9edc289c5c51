"""KPI strip: eight big numerals that count up to their new values (数字翻牌, clientside),
each with its change on the previous period (环比, metrics.md).

The server sends plain values in ``kpi-store``; ``gridwall.kpis`` animates the numerals, so
a refresh never re-renders the strip. Figures are /api/metrics of the scope and the
view's window (dashboard.wall.view) plus today's reports. The change line under a numeral
is ▲/▼ with the change (percentage points for rates, % for counts), coloured by whether it
is better or worse, not by its sign: more red warnings is worse, a higher rate is better.
"""
from __future__ import annotations

import datetime as dt

from dash import ClientsideFunction, Input, Output, dcc, html

from dashboard.figures.rate_tone import (denominator, handling_best, handling_undecided,
                                         no_rate_reason, not_yet_due, rate_tone, small_sample)
from dashboard.wall import fmt
from dashboard.wall.view import min_events
from store import wall_reads as wr
from store.freshness import data_start

KPI_STORE = "kpi-store"

# key, label (the window's label filled in), unit
KPIS = [
    ("today", "今日上报", "件"),
    ("backlog", "在办积压", "件"),
    ("yellow", "黄线提醒", "件"),
    ("red", "红线示警", "件"),
    ("handling", "办结率·{w}", "%"),
    ("ontime", "按期办结率·{w}", "%"),
    ("satisfaction", "满意率·{w}", "%"),
    ("cameras", "视频在线", "路"),
]
RATE_TARGET = {"handling": "handling_rate", "ontime": "on_time_rate",
               "satisfaction": "satisfaction_rate"}
# which way is better: +1 up is better, -1 up is worse, 0 neither (more reports is not a fault)
DIRECTION = {"today": 0, "backlog": -1, "yellow": -1, "red": -1, "handling": 1, "ontime": 1,
             "satisfaction": 1, "cameras": 1}
COUNT_SOURCE = {"backlog": "open_backlog", "yellow": "yellow", "red": "red"}


def layout(ctx) -> html.Div:
    tiles = []
    for key, label, unit in KPIS:
        tiles.append(html.Div(id=f"kpi-{key}", className="gw-kpi", children=[
            html.Div(label.format(w="…"), className="gw-kpi-label", id=f"kpi-{key}-label"),
            html.Div([html.Span("—", id=f"kpi-{key}-value"),
                      html.Span(unit, className="gw-kpi-unit")], className="gw-kpi-value"),
            html.Div("", id=f"kpi-{key}-delta", className="gw-kpi-delta"),
            html.Div("", id=f"kpi-{key}-sub", className="gw-kpi-sub"),
        ]))
    return html.Div(tiles + [dcc.Store(id=KPI_STORE), dcc.Store(id="kpi-anim")],
                    className="gw-kpis", id="kpis")


def kpi_values(k: dict, targets: dict, few_below: int = 0) -> dict:
    """{key: {"value", "dec", "tone"}} for the clientside count-up, from :func:`wall_reads.kpis`.

    A rate over fewer than ``few_below`` cases (0: never) wears no status colour
    (rate_tone.small_sample): 1 of 1 closed on time is not a green 100 %."""
    w = k["window"]
    out = {
        "today": {"value": k["today_reported"], "dec": 0},
        "backlog": {"value": w["open_backlog"], "dec": 0},
        "yellow": {"value": w["yellow"], "dec": 0, "tone": "yellow" if w["yellow"] else None},
        "red": {"value": w["red"], "dec": 0, "tone": "red" if w["red"] else "green"},
        # a county without a camera on file has no online count: '—', not 0 路 online
        "cameras": {"value": w["cameras_online"] if w["cameras"] else None, "dec": 0},
    }
    for key, metric in RATE_TARGET.items():
        best = handling_best(w) if key == "handling" else None
        few = small_sample(w, metric, few_below)
        out[key] = {"value": fmt.pct_value(w[metric]), "dec": 1,
                    "tone": rate_tone(w[metric], float(targets[metric]), best, few)}
    for tile in out.values():     # no data ('—') is grey, not the accent of a figure
        if tile["value"] is None:
            tile["tone"] = "none"
    return out


def _pair(k: dict, prev: dict | None, key: str):
    """(now, before) raw values of KPI ``key`` (rates as fractions); before None if unknown."""
    w = k["window"]
    pw = prev["window"] if prev else None      # None: only yesterday compares (comparable)
    if key == "today":
        return k["today_reported"], prev["today_reported"] if prev else None
    if key in COUNT_SOURCE:
        col = COUNT_SOURCE[key]
        return w[col], pw[col] if pw else None
    if key in RATE_TARGET:
        col = RATE_TARGET[key]
        return w[col], pw[col] if pw else None
    return w["cameras_online"], None      # cameras keep no history: nothing to compare with


def kpi_deltas(k: dict, prev: dict | None) -> list[tuple[str, str]]:
    """One (text, tone) per KPI tile, in KPIS order; 'today' compares with yesterday so far."""
    out = []
    for key, _label, _unit in KPIS:
        if key == "cameras" and k["window"]["cameras"]:
            # the store keeps each camera's status now (and when it was last seen), not what
            # it was a period ago: the tile says so rather than a bare '—' that reads as a
            # missing feed
            out.append(("环比 无往期状态", "none"))
            continue
        now, before = _pair(k, prev, key)
        text, tone = fmt.delta(now, before, DIRECTION[key], key in RATE_TARGET)
        lead = "较昨日同时" if key == "today" else "环比"
        out.append((f"{lead} {text}", tone))
    return out


def kpi_subs(k: dict, v, targets: dict, few_below: int = 0) -> list[str]:
    """The small line under each numeral: its window or moment (every figure says which);
    办结率 below its target but not yet decided (no colour) says how many cases are not due;
    a rate over fewer than ``few_below`` cases says 样本少 and over how many (no colour); a
    rate with none ('—') says why (rate_tone.no_rate_reason: 本期无流转事件), as the gauges
    do, not a bare dash that reads as a broken feed."""
    w = k["window"]
    cams = w["cameras"]
    online = fmt.pct(w["cameras_online"] / cams if cams else None)
    at = f"截至{v.as_of:%H:%M}"
    window = fmt.span(v.start, v.end, v.as_of.year)
    rates = {}
    for key, metric in RATE_TARGET.items():
        rates[key] = window
        if fmt.pct_value(w[metric]) is None:
            # in place of the span: both do not fit the tile (234 px of 226), and the
            # tile's label names the window (办结率·近30天) that 本期 refers to
            rates[key] = no_rate_reason(metric, "本期")
        elif small_sample(w, metric, few_below):
            rates[key] = f"{window} · 样本少{denominator(w, metric)}件"
        elif key == "handling" and handling_undecided(w, float(targets["handling_rate"])):
            rates[key] = f"{window} · {not_yet_due(w):,}件未到期"
    return [f"{v.as_of:%m-%d} 0时起", at, f"临期未办结 · {at}", f"挂牌督办 {w['flagged']}",
            rates["handling"], rates["ontime"], rates["satisfaction"],
            f"共{cams:,}路 · 在线率{online}" if cams else "无视频点位"]


def kpi_labels(v) -> list[str]:
    """Tile labels; the window's rates say which window ('办结率·近7天')."""
    return [label.format(w=v.window_label) for _k, label, _u in KPIS]


OUTPUTS = [(KPI_STORE, "data"),
           *[(f"kpi-{key}-sub", "children") for key, _l, _u in KPIS],
           *[(f"kpi-{key}-label", "children") for key, _l, _u in KPIS],
           *[(f"kpi-{key}-delta", "children") for key, _l, _u in KPIS],
           *[(f"kpi-{key}-delta", "className") for key, _l, _u in KPIS]]


def read(ctx, v) -> dict:
    # a township's figures are cut from one read of every township's (two reads a view before)
    return {"now": wr.kpis_via(ctx.cached, v.township, v.start, v.end, v.as_of),
            "prev": wr.previous_kpis_via(ctx.cached, v.township, v.start, v.end, v.as_of),
            "data_from": ctx.cached(data_start),
            "targets": dict(ctx.settings.section("targets")),
            "few_below": min_events(ctx)}


def comparable(prev: dict | None, data_from: dt.date | None) -> dict | None:
    """The previous period, or None when it reaches before the first day of data: a period
    the store never had reads as zeros (▲107件, ▲100%), which is no change at all. Its
    '今日' pair (yesterday so far) is kept when yesterday has data."""
    if prev is None or data_from is None:
        return prev
    if dt.date.fromisoformat(prev["shifted"]["start"]) >= data_from:
        return prev
    if dt.date.fromisoformat(prev["today"]) >= data_from:
        return {"today_reported": prev["today_reported"], "window": None}
    return None


def outputs(data: dict, v) -> list:
    k, prev = data["now"], comparable(data["prev"], data.get("data_from"))
    deltas = kpi_deltas(k, prev)
    few = data["few_below"]
    return [kpi_values(k, data["targets"], few), *kpi_subs(k, v, data["targets"], few),
            *kpi_labels(v),
            *[t for t, _ in deltas], *[f"gw-kpi-delta gw-delta-{tone}" for _, tone in deltas]]


def register_callbacks(app, ctx) -> None:
    app.clientside_callback(
        ClientsideFunction(namespace="gridwall", function_name="kpis"),
        Output("kpi-anim", "data"), Input(KPI_STORE, "data"))
