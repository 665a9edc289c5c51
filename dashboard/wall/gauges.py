"""Four gauges (办结率, 按期办结率, 及时流转率, 满意率), each with its target from settings [targets]."""
from __future__ import annotations

from functools import lru_cache

import plotly.graph_objects as go
from dash import html

from dashboard.figures import theme
from dashboard.figures.rate_tone import (denominator, handling_best, no_rate_reason,
                                         rate_tone, small_sample)
from dashboard.wall import fmt
from dashboard.wall.figure_json import plain_dict
from dashboard.wall.panel import graph, panel
from dashboard.wall.view import min_events
from store import wall_reads as wr
from store.metrics import LABELS_ZH

NUMBER_SIZE = 30
TICK_SIZE = theme.FONT_SIZE      # the wall's smallest text read from 5 m (12 px before)
WHY_SIZE = theme.FONT_SIZE
GAUGES = ("handling_rate", "on_time_rate", "timely_dispatch_rate", "satisfaction_rate")


def gauge_color(value: float | None, target: float, best: float | None = None,
                few: bool = False) -> str:
    """The status colour (dashboard.figures.rate_tone); cyan for a rate not yet decided or
    one of too few cases (``few``)."""
    if value is None:
        return theme.GREY
    return theme.CARD_COLORS.get(rate_tone(value, target, best, few), theme.ACCENT)


def gauge_spec(value: float | None, target: float, best: float | None = None,
               few: int | None = None, why: str | None = None) -> dict:
    """One indicator gauge in percent, as a plain figure dict (figure_json.plain_dict); the
    axis starts at 60 % (or lower if the value is). ``few``: the rate stands on only this
    many cases (rate_tone.small_sample): no status colour (its label says 样本少N件; the arc
    is too small to say it without covering the number or the bar). ``why``: for no rate,
    the line under its "—" saying why (rate_tone.no_rate_reason), in a strip below the arc
    (the arc's opening is narrower than the line)."""
    v = fmt.pct_value(value)
    low = 60.0 if v is None or v >= 60 else max(0.0, (v // 10) * 10 - 10)
    few = None if v is None else few
    color = gauge_color(value, target, best, few is not None)
    # the number sits inside the arc: "100.0%" (6 characters) ran into it, so a full score is
    # written "100%" and the size leaves a margin for the widest value, "99.9%"
    full = v is not None and v >= 99.95
    ind = {
        "type": "indicator",
        "mode": "gauge+number", "value": v if v is not None else low,
        "number": {"suffix": "%", "valueformat": ".0f" if full else ".1f",
                   "font": {"size": NUMBER_SIZE, "color": color,
                            "family": theme.NUM_FONT_FAMILY}},
        "gauge": {
            "shape": "angular",
            "axis": {"range": [low, 100], "tickwidth": 1, "tickcolor": theme.TEXT_DIM,
                     "tickfont": {"size": TICK_SIZE, "color": theme.TEXT_DIM}, "nticks": 5},
            "bar": {"color": color, "thickness": 0.32},
            "bgcolor": "rgba(29,75,143,0.35)", "borderwidth": 0,
            "threshold": {"line": {"color": theme.TEXT, "width": 3}, "thickness": 0.9,
                          "value": target * 100},
        },
        "domain": {"x": [0, 1], "y": [0, 1]}}
    # room for the 16 px ticks: "100" right of the arc's end, "80" above its top and the
    # end ticks below its foot (half-cut on 2x2, where the arc takes the whole height)
    margin = {"l": 37, "r": 37, "t": 28, "b": 10}
    if v is None and why:
        # the line is wider than the arc's opening and, on 2x2, than the gap between its end
        # ticks: a scale without a value says nothing, so the tick labels go
        margin["b"] = WHY_SIZE + 10
        ind["gauge"]["axis"]["showticklabels"] = False
    layout = theme.base_layout(margin=margin)
    if v is None:
        # no rate: the number hidden, a dash in its place and why under it
        ind["number"]["font"]["color"] = "rgba(0,0,0,0)"
        layout["annotations"] = [{"text": theme.DASH, "x": 0.5, "y": 0.12, "xref": "paper",
                                  "yref": "paper", "showarrow": False,
                                  "font": {"size": NUMBER_SIZE, "color": theme.TEXT_DIM}}]
        if why:
            layout["annotations"].append(
                {"text": why, "x": 0.5, "y": 0, "xref": "paper", "yref": "paper",
                 "yanchor": "top", "yshift": 1, "showarrow": False,
                 "font": {"size": WHY_SIZE, "color": theme.TEXT_DIM}})
    return {"data": [ind], "layout": layout}


def gauge_figure(value: float | None, target: float, best: float | None = None,
                 few: int | None = None, why: str | None = None) -> go.Figure:
    """:func:`gauge_spec` as a plotly Figure (validated: a misspelt key raises)."""
    return go.Figure(gauge_spec(value, target, best, few, why))


@lru_cache(maxsize=1024)
def gauge_json(value: float | None, target: float, best: float | None = None,
               few: int | None = None, why: str | None = None) -> dict:
    """:func:`gauge_spec` as the JSON Dash sends, kept by value and target: the wall draws
    4 gauges for every view each minute and most rates do not move within a minute.
    Read-only: the reply copies it (dashboard.wall.reply.plain)."""
    return plain_dict(gauge_spec(value, target, best, few, why))


def layout(ctx) -> html.Section:
    targets = ctx.settings.section("targets")
    cells = [html.Div(className="gw-gauge", children=[
        graph(f"gauge-{key}", fill=False),
        html.Div([LABELS_ZH[key], html.Span(target_note(targets[key]), id=f"gauge-{key}-note")],
                 className="gw-gauge-label"),
    ]) for key in GAUGES]
    return panel("gauges", "核心指标", html.Div(cells, className="gw-gauges"),
                 caption_id="gauges-caption")


def target_note(target, few: int | None = None) -> str:
    """The line beside a gauge's name: its target, or, for a rate of too few cases to be
    judged against it, how few (the threshold mark still shows the target)."""
    return f"目标 {fmt.pct(target, 0)}" if few is None else f"样本少{few}件"


OUTPUTS = [*[(f"gauge-{key}", "figure") for key in GAUGES], ("gauges-caption", "children"),
           *[(f"gauge-{key}-note", "children") for key in GAUGES]]


def read(ctx, v) -> dict:
    return {"window": wr.kpis_via(ctx.cached, v.township, v.start, v.end, v.as_of)["window"],
            "targets": dict(ctx.settings.section("targets")),
            "few_below": min_events(ctx)}


def outputs(data: dict, v) -> list:
    w, targets = data["window"], data["targets"]
    few = {key: _few(w, key, data["few_below"]) for key in GAUGES}
    return [*[gauge_json(_key(w[key]), float(targets[key]), _best(w, key), few[key],
                         _why(w, key)) for key in GAUGES],
            v.caption, *[target_note(targets[key], few[key]) for key in GAUGES]]


def _few(w: dict, key: str, few_below: int) -> int | None:
    """How many cases the rate stands on when they are too few to judge it, else None."""
    return denominator(w, key) if small_sample(w, key, few_below) else None


def _why(w: dict, key: str) -> str | None:
    """For a rate with no value, why: the wall's window (any length) had none of its cases."""
    return no_rate_reason(key, "本期") if _key(w[key]) is None else None


def _best(w: dict, key: str) -> float | None:
    """办结率's best reachable value, rounded for gauge_json's key; None for the other rates."""
    best = handling_best(w) if key == "handling_rate" else None
    return None if best is None else round(best, 4)


def _key(value) -> float | None:
    """A rate as a plain float (NaN as None) for gauge_json's key."""
    return None if value is None or value != value else float(value)
