"""Mediation (矛盾纠纷调解): this month's cases, success rate, by dispute type, and the
success rate's change on the month before (较上月).

A grid drill-down shows its township (mediation tables are kept per township).
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from dash import html

from dashboard.figures import theme
from dashboard.figures.numbers import bar_text_range, short_labels
from dashboard.wall import fmt
from dashboard.wall.figure_json import data_array, plain_dict
from dashboard.wall.panel import empty_spec, graph, panel
from dashboard.wall.plain_html import span
from store import wall_reads as wr

GRAPH_PX = 458       # the graph's width on the 1920 canvas
LABEL_CHARS = 6      # a longer dispute type is cut (5 characters and …), whole on hover
STATS = [("received", "受理"), ("mediated", "调解"), ("succeeded", "成功"),
         ("success_rate", "调解成功率")]


def mediation_spec(by_type: pd.DataFrame, top: int = 6) -> dict:
    """Per dispute type: mediated (wide blue bar) with succeeded inside it (green), largest on top;
    a long type cut on its row (whole on hover), room left for every bar's figures; as a plain
    figure dict (dashboard.wall.figure_json.plain_dict).

    A month on file with no case says so ("本月暂无调解案件"); no month at all is "暂无数据".
    """
    if by_type.empty:
        return empty_spec()
    if int(by_type["mediated"].sum()) == 0:
        return empty_spec("本月暂无调解案件")
    d = by_type.head(top).iloc[::-1]
    names = [str(n) for n in d["dispute_type"]]
    labels = short_labels(names, LABEL_CHARS)
    text = [f"{s:,}/{m:,} · {fmt.pct(r, 0)}" for s, m, r in
            zip(d["succeeded"], d["mediated"], d["success_rate"])]
    data = [
        {"type": "bar", "y": names, "x": data_array(d["mediated"]), "name": "调解",
         "orientation": "h", "width": 0.72,
         "marker": {"color": "rgba(96,165,250,0.55)", "line": {"width": 0}}, "text": text,
         "textposition": "outside", "cliponaxis": False, "constraintext": "none",
         "textfont": {"size": 15, "color": theme.TEXT},
         "hovertemplate": "%{y} 调解 %{x} 件<extra></extra>"},
        {"type": "bar", "y": names, "x": data_array(d["succeeded"]), "name": "成功",
         "orientation": "h", "width": 0.4,
         "marker": {"color": theme.GREEN, "line": {"width": 0}},
         "hovertemplate": "%{y} 成功 %{x} 件<extra></extra>"},
    ]
    return {"data": data, "layout": theme.base_layout(
        barmode="overlay", margin={"l": 4, "r": 4, "t": 2, "b": 2},
        xaxis={"visible": False, "range": [0, bar_text_range(
            d["mediated"], text, GRAPH_PX, labels, at_least=1.6)]},
        yaxis={"automargin": True, "tickfont": {"size": 16, "color": theme.TEXT}, "dtick": 1,
               "showgrid": False, "ticksuffix": " ", "tickmode": "array", "tickvals": names,
               "ticktext": labels})}


def mediation_figure(by_type: pd.DataFrame, top: int = 6) -> go.Figure:
    """:func:`mediation_spec` as a plotly Figure (validated: a misspelt key raises)."""
    return go.Figure(mediation_spec(by_type, top))


def stat_texts(med: dict) -> list[str]:
    """Received, mediated, succeeded and the success rate; a scope with no mediation month
    on file reads "—" for each (metrics.md: a month without rows is not a month of zeros)."""
    if "month" in med and not med["month"]:
        return [fmt.DASH] * len(STATS)
    return [fmt.num(med["received"]), fmt.num(med["mediated"]), fmt.num(med["succeeded"]),
            fmt.pct(med["success_rate"])]


def month_delta(med: dict) -> list:
    """较上月: the success rate's and the intake's change on the month before the one shown
    (store.wall_reads.mediation's ``previous``), coloured better / worse as the KPI strip is;
    a more successful month is better, more disputes received neither. Empty without one."""
    prev = med.get("previous")
    if not med.get("month") or not prev:
        return []
    rate, rate_tone = fmt.delta(med["success_rate"], prev["success_rate"], 1, True)
    rec, _ = fmt.delta(med["received"], prev["received"], 0, False)
    month = pd.Timestamp(prev["month"]).month
    return [f"较上月（{month}月）成功率 ", span(rate, f"gw-delta-{rate_tone}"),
            f" · 受理 {rec}"]


def caption(med: dict, as_of_caption: str) -> str:
    if not med["month"]:
        return as_of_caption
    month = pd.Timestamp(med["month"])
    text = f"{month.year}年{month.month}月"
    if med["month"] != med["requested_month"]:
        # the newest report may be months old: say it is the latest, not this month's
        text = f"最近报表 {text}（本月暂无）"
    return f"{text} · {as_of_caption}"


def layout(ctx):
    stats = html.Div([html.Div([html.B("—", id=f"med-{key}"), html.Span(label)],
                               className=f"gw-med-stat gw-med-{key}") for key, label in STATS],
                     className="gw-med-stats")
    body = html.Div([stats, html.Div(id="med-delta", className="gw-med-delta"),
                     graph("mediation-graph")], className="gw-med")
    return panel("mediation", "矛盾纠纷调解", body, caption_id="mediation-caption")


OUTPUTS = [*[(f"med-{key}", "children") for key, _l in STATS], ("med-delta", "children"),
           ("mediation-graph", "figure"), ("mediation-caption", "children")]


def read(ctx, v) -> dict:
    return ctx.cached(wr.mediation, v.township, v.as_of.date().replace(day=1))


def outputs(med: dict, v) -> list:
    return [*stat_texts(med), month_delta(med), plain_dict(mediation_spec(med["by_type"])),
            caption(med, v.as_of_caption)]
