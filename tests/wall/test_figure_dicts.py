"""The wall's charts are written as plain dicts (dashboard.wall.figure_json.plain_dict) and
sent without building plotly objects: what the browser receives must stay what the plotly
objects sent. The references below are the charts as they were built before (b90ea08),
with ``go`` objects, frozen here; each dict chart must give their JSON exactly (keys, values,
ints vs floats, typed arrays, dates, the template) on empty data, one row, NaN and None
rates, long names, with and without the previous period. And every dict must pass plotly's
validation (``go.Figure(spec)``), so a misspelt key cannot ship."""
from __future__ import annotations

import datetime as dt

import numpy as np
import orjson
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from dashboard.figures import theme
from dashboard.figures.numbers import bar_text_range, short_labels
from dashboard.wall import fmt, gauges, mediation, mix, trend
from dashboard.wall import figure_json as fj
from dashboard.wall.panel import empty_spec


def sent(fig) -> bytes:
    """What plotly sends for ``fig``, keys sorted: 1 and 1.0 stay apart (dict == does not)."""
    value = orjson.loads(pio.to_json(fig, validate=False, engine="orjson"))
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def sent_dict(spec: dict) -> bytes:
    go.Figure(spec)                       # plotly's validation: raises on a misspelt key
    return orjson.dumps(fj.plain_dict(spec), option=orjson.OPT_SORT_KEYS)


# --- the plotly-object charts as they were (reference) ----------------------------------------

def old_empty(text=theme.NO_DATA):
    return go.Figure(layout=theme.base_layout(
        xaxis={"visible": False}, yaxis={"visible": False},
        annotations=[{"text": text, "showarrow": False, "x": 0.5, "y": 0.5, "xref": "paper",
                      "yref": "paper", "font": {"size": 20, "color": theme.TEXT_DIM}}]
        if text else []))


def old_bar(df, color=theme.ACCENT):
    if df.empty:
        return old_empty()
    d = df.iloc[::-1]
    names = [str(n) for n in d["label"]]
    labels = short_labels(names, mix.LABEL_CHARS)
    text = [f"{s * 100:.0f}%" for s in d["share"]]
    fig = go.Figure(go.Bar(
        x=d["reported"], y=names, orientation="h",
        marker={"color": color, "line": {"width": 0}}, text=text, customdata=d["share"] * 100,
        textposition="outside", cliponaxis=False, constraintext="none",
        textfont={"size": 15, "color": theme.TEXT},
        hovertemplate="%{y} %{x} 件 (%{customdata:.1f}%)<extra></extra>"))
    fig.update_layout(theme.base_layout(
        margin={"l": 4, "r": 4, "t": 2, "b": 2}, bargap=0.3,
        xaxis={"visible": False,
               "range": [0, bar_text_range(d["reported"], text, mix.GRAPH_PX, labels)]},
        yaxis={"automargin": True, "tickfont": {"size": 16, "color": theme.TEXT},
               "showgrid": False, "ticksuffix": " ", "tickmode": "array", "tickvals": names,
               "ticktext": labels}))
    return fig


def old_trend(df, prev=None):
    if df.empty or int(df["reported"].sum() + df["closed"].sum()) == 0:
        return old_empty()
    x = pd.to_datetime(df["day"])
    before = []
    if prev is not None and len(prev) == len(df) and int(prev["reported"].sum()) > 0:
        before = [go.Scatter(
            x=x, y=prev["reported"].to_numpy(), name="上期上报", mode="lines", legendrank=2000,
            line={"color": "rgba(200,220,255,0.55)", "width": 2, "dash": "dot",
                  "shape": "spline", "smoothing": 0.6},
            customdata=pd.to_datetime(prev["day"]).dt.strftime("%m-%d"),
            hovertemplate="上期 %{customdata} 上报 %{y} 件<extra></extra>")]
    fig = go.Figure(before + [
        go.Scatter(x=x, y=df["reported"], name="上报", mode="lines",
                   line={"color": theme.ACCENT, "width": 3, "shape": "spline", "smoothing": 0.6},
                   fill="tozeroy", fillcolor="rgba(39,211,255,0.16)",
                   hovertemplate="%{x|%m-%d} 上报 %{y} 件<extra></extra>"),
        go.Scatter(x=x, y=df["closed"], name="办结", mode="lines",
                   line={"color": theme.GREEN, "width": 3, "shape": "spline", "smoothing": 0.6},
                   hovertemplate="%{x|%m-%d} 办结 %{y} 件<extra></extra>"),
    ])
    fig.update_layout(theme.base_layout(
        showlegend=True, margin={"l": 50, "r": 10, "t": 30, "b": 30},
        legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.02, "yanchor": "bottom",
                "font": {"size": 16}},
        xaxis={"tickformat": "%m-%d", "nticks": 7, "showgrid": False},
        yaxis={"rangemode": "tozero", "nticks": 5},
        hovermode="x unified"))
    return fig


def old_gauge(value, target, best=None, few=None, why=None):
    v = fmt.pct_value(value)
    low = 60.0 if v is None or v >= 60 else max(0.0, (v // 10) * 10 - 10)
    color = gauges.gauge_color(value, target, best)
    full = v is not None and v >= 99.95
    ind = go.Indicator(
        mode="gauge+number", value=v if v is not None else low,
        number={"suffix": "%", "valueformat": ".0f" if full else ".1f",
                "font": {"size": gauges.NUMBER_SIZE, "color": color,
                         "family": theme.NUM_FONT_FAMILY}},
        gauge={"shape": "angular",
               "axis": {"range": [low, 100], "tickwidth": 1, "tickcolor": theme.TEXT_DIM,
                        "tickfont": {"size": gauges.TICK_SIZE, "color": theme.TEXT_DIM}, "nticks": 5},
               "bar": {"color": color, "thickness": 0.32},
               "bgcolor": "rgba(29,75,143,0.35)", "borderwidth": 0,
               "threshold": {"line": {"color": theme.TEXT, "width": 3}, "thickness": 0.9,
                             "value": target * 100}},
        domain={"x": [0, 1], "y": [0, 1]})
    bottom = gauges.WHY_SIZE + 10 if v is None and why else 10
    fig = go.Figure(ind, layout=theme.base_layout(margin={"l": 37, "r": 37, "t": 28, "b": bottom}))
    if v is None:
        fig.update_traces(number={"font": {"color": "rgba(0,0,0,0)"}})
        fig.add_annotation(text=theme.DASH, x=0.5, y=0.12, xref="paper", yref="paper",
                           showarrow=False,
                           font={"size": gauges.NUMBER_SIZE, "color": theme.TEXT_DIM})
        if why:
            fig.update_traces(gauge={"axis": {"showticklabels": False}})
            fig.add_annotation(text=why, x=0.5, y=0, xref="paper", yref="paper", yanchor="top",
                               yshift=1, showarrow=False,
                               font={"size": gauges.WHY_SIZE, "color": theme.TEXT_DIM})
    return fig


def old_mediation(by_type, top=6):
    if by_type.empty:
        return old_empty()
    if int(by_type["mediated"].sum()) == 0:
        return old_empty("本月暂无调解案件")
    d = by_type.head(top).iloc[::-1]
    names = [str(n) for n in d["dispute_type"]]
    labels = short_labels(names, mediation.LABEL_CHARS)
    text = [f"{s:,}/{m:,} · {fmt.pct(r, 0)}" for s, m, r in
            zip(d["succeeded"], d["mediated"], d["success_rate"])]
    fig = go.Figure([
        go.Bar(y=names, x=d["mediated"], name="调解", orientation="h", width=0.72,
               marker={"color": "rgba(96,165,250,0.55)", "line": {"width": 0}}, text=text,
               textposition="outside", cliponaxis=False, constraintext="none",
               textfont={"size": 15, "color": theme.TEXT},
               hovertemplate="%{y} 调解 %{x} 件<extra></extra>"),
        go.Bar(y=names, x=d["succeeded"], name="成功", orientation="h", width=0.4,
               marker={"color": theme.GREEN, "line": {"width": 0}},
               hovertemplate="%{y} 成功 %{x} 件<extra></extra>"),
    ])
    fig.update_layout(theme.base_layout(
        barmode="overlay", margin={"l": 4, "r": 4, "t": 2, "b": 2},
        xaxis={"visible": False, "range": [0, bar_text_range(
            d["mediated"], text, mediation.GRAPH_PX, labels, at_least=1.6)]},
        yaxis={"automargin": True, "tickfont": {"size": 16, "color": theme.TEXT}, "dtick": 1,
               "showgrid": False, "ticksuffix": " ", "tickmode": "array", "tickvals": names,
               "ticktext": labels}))
    return fig


# --- inputs ---------------------------------------------------------------------------------------

def mix_frame(labels, counts):
    df = pd.DataFrame({"label": labels, "reported": pd.Series(counts, dtype="int64")})
    df["share"] = df["reported"] / df["reported"].sum() if len(df) else []
    return df


MIXES = {
    "empty": mix_frame([], []),
    "one": mix_frame(["矛盾纠纷"], [1]),
    "several": mix_frame(["矛盾纠纷排查化解（邻里家庭）", "安全生产与消防安全隐患排查", "12345热线",
                          "其他"], [70000, 500, 499, 1]),
    "int16 and beyond": mix_frame(["甲", "乙"], [40000, 3]),
    "beyond int32": mix_frame(["甲", "乙"], [2**33, 1]),
    "NaN share": mix_frame(["甲", "乙"], [3, 1]).assign(share=[np.nan, 0.25]),
}


def days(n, start=dt.date(2026, 11, 1), **cols):
    return pd.DataFrame({"day": pd.date_range(start, periods=n, freq="D"),
                         **{k: pd.Series(v, dtype="int64") for k, v in cols.items()}})


TRENDS = {
    "empty": (days(0, reported=[], closed=[]), None),
    "all zero": (days(3, reported=[0, 0, 0], closed=[0, 0, 0]), None),
    "one day": (days(1, reported=[4], closed=[0]), None),
    "no previous": (days(7, reported=[5, 7, 0, 1, 2, 3, 4], closed=[4, 6, 2, 0, 0, 1, 9]), None),
    "previous all zero": (days(3, reported=[5, 7, 0], closed=[4, 6, 2]),
                          days(3, dt.date(2026, 10, 29), reported=[0, 0, 0], closed=[1, 1, 1])),
    "previous": (days(3, reported=[5, 70000, 0], closed=[4, 6, 2]),
                 days(3, dt.date(2026, 10, 29), reported=[1, 2, 3], closed=[0, 0, 0])),
    "previous of another length": (days(3, reported=[5, 7, 0], closed=[4, 6, 2]),
                                   days(2, dt.date(2026, 10, 29), reported=[1, 2], closed=[0, 0])),
}

GAUGES = [(0.9459, 0.98, None), (0.99, 0.98, None), (1.0, 0.95, 1.0), (0.999, 0.95, None),
          (0.42, 0.95, 0.96), (0.0, 0.9, None), (None, 0.95, None), (float("nan"), 0.95, None),
          (0.6, 0.98, 1.0), (0.5, 1, None), (None, 0.95, None, None, "本期无流转事件")]

MEDIATIONS = {
    "empty": pd.DataFrame({"dispute_type": [], "mediated": [], "succeeded": [],
                           "success_rate": []}),
    "no case": pd.DataFrame({"dispute_type": ["婚姻家庭"], "mediated": [0], "succeeded": [0],
                             "success_rate": [None]}),
    "several": pd.DataFrame({"dispute_type": ["婚姻家庭纠纷调解（含赡养抚养）", "邻里纠纷", "劳资纠纷",
                                              "土地", "物业", "交通事故", "其他"],
                             "mediated": [1200, 30, 7, 5, 4, 3, 2],
                             "succeeded": [1100, 29, 0, 5, 4, 3, 1],
                             "success_rate": [1100 / 1200, 29 / 30, 0.0, 1.0, 1.0, 1.0, 0.5]}),
}


@pytest.mark.parametrize("name", list(MIXES))
def test_the_mix_bars_as_dicts_send_what_the_plotly_bars_sent(name):
    df = MIXES[name]
    for color in (theme.ACCENT, theme.ACCENT_2):
        assert sent_dict(mix.bar_spec(df, color)) == sent(old_bar(df, color))
        assert sent(mix.bar_figure(df, color)) == sent(old_bar(df, color))


@pytest.mark.parametrize("name", list(TRENDS))
def test_the_trend_as_dicts_sends_what_the_plotly_trend_sent(name):
    now, prev = TRENDS[name]
    assert sent_dict(trend.trend_spec(now, prev)) == sent(old_trend(now, prev))
    assert sent(trend.trend_figure(now, prev)) == sent(old_trend(now, prev))


def test_the_trend_days_are_written_as_plotly_wrote_them():
    """plotly's encoder writes the days in seconds, or in nanoseconds when the figure holds an
    object array (the previous period's labels): the dict keeps either as it was."""
    now, prev = TRENDS["previous"]
    with_prev = fj.plain_dict(trend.trend_spec(now, prev))["data"]
    alone = fj.plain_dict(trend.trend_spec(now))["data"]
    assert with_prev[0]["x"][0] == "2026-11-01T00:00:00.000000000"
    assert alone[0]["x"][0] == "2026-11-01T00:00:00"


@pytest.mark.parametrize("args", GAUGES, ids=str)
def test_the_gauges_as_dicts_send_what_the_plotly_gauges_sent(args):
    assert sent_dict(gauges.gauge_spec(*args)) == sent(old_gauge(*args))
    assert orjson.dumps(gauges.gauge_json(*args), option=orjson.OPT_SORT_KEYS) == \
        sent(old_gauge(*args))


@pytest.mark.parametrize("name", list(MEDIATIONS))
def test_the_mediation_bars_as_dicts_send_what_the_plotly_bars_sent(name):
    by = MEDIATIONS[name]
    assert sent_dict(mediation.mediation_spec(by)) == sent(old_mediation(by))
    assert sent_dict(mediation.mediation_spec(by, top=2)) == sent(old_mediation(by, top=2))


@pytest.mark.parametrize("text", [theme.NO_DATA, "", "本月暂无调解案件"])
def test_the_empty_figure_as_a_dict_sends_what_the_plotly_one_sent(text):
    assert sent_dict(empty_spec(text)) == sent(old_empty(text))


def test_a_misspelt_key_in_a_dict_chart_is_refused_by_plotly():
    """The guard the tests above rely on: go.Figure validates a dict chart's keys."""
    spec = mix.bar_spec(MIXES["several"])
    spec["data"][0]["textpositon"] = "outside"
    with pytest.raises(ValueError):
        go.Figure(spec)
    spec = gauges.gauge_spec(0.9, 0.95)
    spec["layout"]["xaxis"]["tickfnt"] = {"size": 3}
    with pytest.raises(ValueError):
        go.Figure(spec)


def test_a_dict_chart_with_a_value_plotly_must_convert_still_comes_out_as_plotly_sends_it():
    """What plain_dict does not convert itself (dates as values, object arrays) goes through
    plotly for the whole figure, so the result is what plotly sends."""
    spec = {"data": [{"type": "scatter", "x": np.array(["a", "b"], dtype=object),
                      "y": fj.data_array(pd.Series([1, 2]))},
                     {"type": "bar", "x": [dt.date(2025, 1, 1)], "y": [np.float32(0.1)]}],
            "layout": theme.base_layout(title={"text": "标题"})}
    assert orjson.dumps(fj.plain_dict(spec), option=orjson.OPT_SORT_KEYS) == \
        sent(go.Figure(spec))
