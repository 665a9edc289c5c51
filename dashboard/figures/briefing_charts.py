"""The briefing's charts as pure functions: figures and small dicts in → plotly figures out.

Gauges with the change on last week, the daily trend of this week against last week, the
overdue counts by township and by department, mediation by dispute type. Each takes a
:class:`~dashboard.figures.briefing_theme.Palette` so one builder serves the dark and the light
briefing. No Dash import (the briefing runs without a server).
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.figures.briefing_theme import (DASH, Palette, base_layout, pct, rgba,
                                              shown_change)
from dashboard.figures.numbers import short_label
from dashboard.figures.rate_tone import (NO_RATE_WHAT, handling_best, handling_undecided,
                                         no_rate_reason, not_yet_due, rate_tone)

GAUGES = (("handling_rate", "办结率"), ("on_time_rate", "按期办结率"),
          ("timely_dispatch_rate", "及时流转率"), ("satisfaction_rate", "满意率"))
WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
# why a gauge has no rate: its denominator (docs/metrics.md) is empty this week, and a bare
# "—" reads as a failure on the wall of the meeting room (the wall says 本期…, rate_tone)
NO_RATE = {key: no_rate_reason(key, "本周") for key in NO_RATE_WHAT}


def _gauge_color(pal: Palette, value: float | None, target: float,
                 best: float | None = None) -> str:
    """The status colour (rate_tone); the accent for a rate not yet decided."""
    if value is None:
        return pal.grey
    tone = rate_tone(value, target, best)
    return {"green": pal.green, "yellow": pal.yellow, "red": pal.red}.get(tone, pal.accent)


def gauges_figure(now: dict, before: dict, targets: dict, pal: Palette,
                  compared: bool = True) -> go.Figure:
    """Four gauges in a row, each titled with its target, and under it last week's value and
    the change in percentage points (green when better, red when worse): the change of the
    two rates as printed (one decimal), as in the key-figures table. Titles and changes are annotations (plotly's
    own delta overlaps the number on a gauge). A gauge without a rate says why under its
    "—" (NO_RATE); one without last week's says 不作环比 (``compared`` False: the week is
    not compared at all) or 上周无此项数据, never nothing."""
    n = len(GAUGES)
    gap = 0.012
    traces, notes = [], []
    for i, (key, label) in enumerate(GAUGES):
        value, prev = now.get(key), before.get(key)
        target = float(targets.get(key, 0.95))
        v = None if value is None else value * 100
        low = 60.0 if v is None or v >= 60 else max(0.0, (v // 10) * 10 - 10)
        step = 10 if 100 - low <= 50 else 20
        best = handling_best(now) if key == "handling_rate" else None
        color = _gauge_color(pal, value, target, best)
        x0, x1 = i / n + gap, (i + 1) / n - gap
        traces.append(go.Indicator(
            mode="gauge+number", value=v if v is not None else low,
            number={"suffix": "%", "valueformat": ".1f",
                    "font": {"size": 46, "color": color if v is not None else "rgba(0,0,0,0)"}},
            gauge={"shape": "angular",
                   # inner ticks only: the end labels of neighbouring gauges would touch
                   "axis": {"range": [low, 100], "tickwidth": 1, "tickcolor": pal.dim,
                            "tickfont": {"size": 14, "color": pal.dim}, "tickmode": "array",
                            "tickvals": list(range(int(low) + step, 100, step))},
                   "bar": {"color": color, "thickness": 0.32},
                   "bgcolor": pal.gauge_bg, "borderwidth": 0,
                   "threshold": {"line": {"color": pal.text, "width": 4}, "thickness": 0.9,
                                 "value": target * 100}},
            domain={"x": [x0, x1], "y": [0.36, 0.74]}))
        mid = (x0 + x1) / 2
        notes.append({"text": f"<b>{label}</b>", "x": mid, "y": 0.93, "yanchor": "top",
                      "font": {"size": 26, "color": pal.text}})
        pending = (f" · {not_yet_due(now):,}件未到期"        # why it has no status colour
                   if key == "handling_rate" and handling_undecided(now, target) else "")
        notes.append({"text": f"目标 {target * 100:.0f}%{pending}", "x": mid, "y": 0.84,
                      "yanchor": "top", "font": {"size": 17, "color": pal.dim}})
        if v is None:
            notes.append({"text": DASH, "x": mid, "y": 0.38, "yanchor": "bottom",
                          "font": {"size": 46, "color": pal.dim}})
            notes.append({"text": NO_RATE.get(key, "本周无数据"), "x": mid, "y": 0.30,
                          "yanchor": "top", "font": {"size": 20, "color": pal.dim}})
        elif prev is None:
            notes.append({"text": "不作环比" if not compared else "上周无此项数据，不作比较",
                          "x": mid, "y": 0.30, "yanchor": "top",
                          "font": {"size": 20, "color": pal.dim}})
        if v is not None and prev is not None:
            d = shown_change(value, prev, "rate")     # of the two rates printed here
            sign, col = (("▲", pal.green) if d > 0 else ("▼", pal.red) if d < 0
                         else ("", pal.dim))
            change = f"{sign}{abs(d):.1f} 个百分点" if d else "持平"
            notes.append({"text": f"较上周 <span style='color:{col}'><b>{change}</b></span>",
                          "x": mid, "y": 0.30, "yanchor": "top",
                          "font": {"size": 20, "color": pal.text}})
            notes.append({"text": f"上周 {pct(prev)}", "x": mid, "y": 0.21, "yanchor": "top",
                          "font": {"size": 17, "color": pal.dim}})
    annotations = [{"xref": "paper", "yref": "paper", "showarrow": False, "xanchor": "center",
                    **a} for a in notes]
    return go.Figure(traces, layout=base_layout(pal, annotations=annotations,
                                                margin={"l": 10, "r": 10, "t": 10, "b": 10}))


def week_trend_figure(this_week: pd.DataFrame, last_week: pd.DataFrame,
                      pal: Palette) -> go.Figure:
    """Reported per weekday this week (bars, labelled at their foot, clear of the lines) against
    last week (dashed line), and closed this week (line). Frames: ``day``, ``reported``,
    ``closed``, seven rows each, Monday first."""
    x = [f"{WEEKDAYS[i]}<br>{pd.Timestamp(d):%m-%d}"
         for i, d in enumerate(this_week["day"])]
    fig = go.Figure([
        go.Bar(x=x, y=this_week["reported"], name="本周上报", marker={"color": pal.accent},
               # 27,298 as the tiles print it (a city's day read 27298); a day after the data
               # ends has no bar and no label
               text=["" if v is None or v != v else f"{int(v):,}" for v in this_week["reported"]],
               textposition="inside", insidetextanchor="start",
               textangle=0, textfont={"size": 18, "color": pal.bg if pal.name == "dark"
                                                     else "#ffffff"}),
        # a first week has no last week: its legend entry would key a line nobody sees
        go.Scatter(x=x, y=last_week["reported"], name="上周上报", mode="lines+markers",
                   line={"color": pal.grey, "width": 3, "dash": "dash"},
                   marker={"size": 8, "color": pal.grey},
                   showlegend=bool(pd.to_numeric(last_week["reported"]).notna().any())),
        go.Scatter(x=x, y=this_week["closed"], name="本周办结", mode="lines+markers",
                   line={"color": pal.green, "width": 3}, marker={"size": 8, "color": pal.green}),
    ])
    # days the store has no data for are NaN (not drawn): the largest drawn value
    top = float(pd.concat([this_week["reported"], last_week["reported"],
                           this_week["closed"]]).max(skipna=True) or 0)
    top = max(top if top == top else 0.0, 1.0)
    fig.update_layout(base_layout(
        pal, showlegend=True, bargap=0.35, margin={"l": 60, "r": 20, "t": 50, "b": 60},
        legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.08, "yanchor": "bottom",
                "font": {"size": 17, "color": pal.text}},
        xaxis={"showgrid": False, "tickfont": {"size": 16, "color": pal.text}},
        yaxis={"range": [0, top * 1.18], "nticks": 6, "title": {"text": "件",
                                                                 "font": {"color": pal.dim}}}))
    return fig


def _top_slots(n: int, slots: int) -> list[float]:
    """A category-axis range of ``slots`` rows with the ``n`` bars at the top: two bars keep
    the thickness they have in a full chart instead of filling the panel."""
    slots = max(n, min(slots, 8))
    return [n - 0.5 - slots, n - 0.5]


def week_change(now: int, prev) -> str:
    """'（+3）' more than at the end of the week before, '（−2）' fewer, '（持平）', '（新增）'
    where there were none; '' when the week before is not known."""
    if prev is None or prev != prev:
        return ""
    d = int(now) - int(prev)
    if int(prev) == 0:
        return "（新增）"
    return "（持平）" if d == 0 else f"（{'+' if d > 0 else '−'}{abs(d):,}）"


LABEL_CHARS = 12     # a bar's name on a slide: longer ones end in … (a city's department
                    # names run to 20 characters and ran over the chart beside them)


def overdue_figure(by_town: pd.DataFrame, by_dept: pd.DataFrame, pal: Palette,
                   town_title: str = "按镇街", top: int = 10,
                   moment: str = "本周末") -> go.Figure:
    """Red warnings (超期未办结) by township (left) and by department (right), most on top;
    with ``prev_red`` each bar says its change on the end of the week before. ``moment``:
    when they are counted (a partly loaded week's are counted when its data ends)."""
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.22,
                        subplot_titles=(f"{town_title}（件）", "按责任部门（件）"))
    for col, df in ((1, by_town), (2, by_dept)):
        d = df.head(top).iloc[::-1]
        if d.empty:
            continue
        fig.add_trace(go.Bar(
            y=d["name"], x=d["red"], orientation="h", marker={"color": pal.red},
            text=[f"{int(r):,} 件{week_change(r, p)} · 最久 {h / 24:.0f} 天"
                  for r, p, h in zip(d["red"], d.get("prev_red", [None] * len(d)),
                                     d["oldest_h"])],
            textposition="outside", cliponaxis=False, textfont={"size": 15, "color": pal.text}),
            row=1, col=col)
        fig.update_xaxes(range=[0, float(d["red"].max()) * 2.2], visible=False, row=1, col=col)
        # the bars stay keyed by the full name (two names alike in their first characters
        # stay two bars); only the label shown is cut
        fig.update_yaxes(tickfont={"size": 16, "color": pal.text}, showgrid=False,
                         automargin=True, ticksuffix=" ", range=_top_slots(len(d), top),
                         tickmode="array", tickvals=list(d["name"]),
                         ticktext=[short_label(n, LABEL_CHARS) for n in d["name"]],
                         row=1, col=col)
    fig.update_layout(base_layout(pal, margin={"l": 10, "r": 10, "t": 40, "b": 10}))
    fig.update_annotations(font={"size": 19, "color": pal.dim})
    if by_town.empty and by_dept.empty:
        fig.add_annotation(text=f"{moment}无超期未办结事件", x=0.5, y=0.5, xref="paper", yref="paper",
                           showarrow=False, font={"size": 26, "color": pal.dim})
    return fig


def mediation_figure(by_type: pd.DataFrame, pal: Palette, top: int = 8,
                     empty: str = "本月暂无调解案件") -> go.Figure:
    """Per dispute type: mediated (wide bar) with succeeded inside it, largest on top;
    ``empty``: what an empty chart says (no cases, or no table on file at all)."""
    d = by_type[by_type["mediated"] > 0].head(top).iloc[::-1] if len(by_type) else by_type
    if d.empty:
        fig = go.Figure(layout=base_layout(pal, xaxis={"visible": False},
                                           yaxis={"visible": False}))
        fig.add_annotation(text=empty, x=0.5, y=0.5, xref="paper", yref="paper",
                           showarrow=False, font={"size": 26, "color": pal.dim})
        return fig
    text = [f"成功 {int(s):,} / 调解 {int(m):,} · {pct(r, 0)}"
            for s, m, r in zip(d["succeeded"], d["mediated"], d["success_rate"])]
    fig = go.Figure([
        go.Bar(y=d["dispute_type"], x=d["mediated"], name="调解", orientation="h", width=0.74,
               marker={"color": rgba(pal.accent2, 0.45)}, text=text,
               textposition="outside", cliponaxis=False, textfont={"size": 16, "color": pal.text}),
        go.Bar(y=d["dispute_type"], x=d["succeeded"], name="成功", orientation="h", width=0.42,
               marker={"color": pal.green}),
    ])
    fig.update_layout(base_layout(
        pal, barmode="overlay", showlegend=True, margin={"l": 10, "r": 10, "t": 40, "b": 10},
        legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.02, "yanchor": "bottom"},
        xaxis={"visible": False, "range": [0, float(d["mediated"].max()) * 1.75]},
        yaxis={"automargin": True, "tickfont": {"size": 17, "color": pal.text},
               "showgrid": False, "ticksuffix": " ", "range": _top_slots(len(d), top)}))
    return fig
