"""The wall's pure builders: small DataFrames in, figures and components out (no server)."""
from __future__ import annotations

import datetime as dt
import types

import pandas as pd
import pytest

from dashboard.figures import theme
from dashboard.wall import (
    canvas,
    drill,
    fmt,
    gauges,
    kpis,
    live_list,
    mediation,
    mix,
    ranking,
    titlebar,
    trend,
    view,
    warnings,
)
from dashboard.wall.view import View


def _texts(component) -> list[str]:
    """Every string inside a Dash component tree (or its JSON, dashboard.wall.plain_html),
    depth first."""
    out = []

    def walk(c):
        if c is None:
            return
        if isinstance(c, str):
            out.append(c)
        elif isinstance(c, (list, tuple)):
            for x in c:
                walk(x)
        elif isinstance(c, dict):
            walk(c["props"].get("children"))
        elif hasattr(c, "children"):
            walk(c.children)

    walk(component)
    return out


# --- formatting -------------------------------------------------------------------------------

@pytest.mark.parametrize("hours,text", [(0.0, "刚刚"), (0.2, "12分钟"), (1.0, "1小时"), (5 + 20 / 60, "5小时20分"),
                                        (47.99, "47小时59分"), (48, "2天"), (76.5, "3天4小时"),
                                        (None, "—"), (float("nan"), "—")])
def test_elapsed(hours, text):
    assert fmt.elapsed(hours) == text


@pytest.mark.parametrize("hours,text", [(9 + 59 / 60, "9小时59分"), (12.25, "12小时"),
                                        (47.99, "47小时"), (76.5, "3天4小时"), (240, "10天"),
                                        (None, "—")])
def test_short_elapsed_fits_a_list_column(hours, text):
    assert fmt.short_elapsed(hours) == text


def test_pct_and_span():
    assert fmt.pct(0.94591) == "94.6%" and fmt.pct(None) == "—" and fmt.pct(float("nan")) == "—"
    assert fmt.pct_value(0.94591) == 94.6 and fmt.pct_value(None) is None
    assert fmt.span(dt.date(2025, 6, 1), dt.date(2025, 7, 1)) == "06-01至06-30"
    assert fmt.span(dt.date(2025, 6, 30), dt.date(2025, 7, 1)) == "06-30"
    # as_of's year: a window in it needs no year; one across or before it says its years
    assert fmt.span(dt.date(2025, 6, 1), dt.date(2025, 7, 1), 2025) == "06-01至06-30"
    assert fmt.span(dt.date(2024, 10, 1), dt.date(2025, 10, 1), 2025) == \
        "2024-10-01至2025-09-30"
    assert fmt.span(dt.date(2020, 1, 1), dt.date(2020, 2, 1), 2025) == "2020-01-01至2020-01-31"
    assert fmt.span(dt.date(2020, 1, 1), dt.date(2020, 1, 2), 2025) == "2020-01-01"


def test_view_caption_says_window_and_as_of():
    v = View(None, None, dt.datetime(2025, 10, 31, 23, 6), dt.date(2025, 10, 2),
             dt.date(2025, 11, 1), 30)
    assert v.caption == "近30天 10-02至10-31 · 截至10-31 23:06"


# --- drill state --------------------------------------------------------------------------------

def test_parse_search():
    none = {"window": None, "start": None, "end": None}
    assert drill.parse_search("?township=330683001&grid=G1&tour=1") == {
        "township": "330683001", "grid": "G1", "tour": True, **none}
    assert drill.parse_search("") == {"township": None, "grid": None, "tour": False, **none}
    assert drill.parse_search("?township=&tour=0") == {"township": None, "grid": None,
                                                        "tour": False, **none}
    assert drill.parse_search("?window=7d&start=2025-01-01")["window"] == "7d"


# --- the window ---------------------------------------------------------------------------------

AS_OF = dt.datetime(2025, 10, 29, 15, 30)      # a Wednesday


@pytest.mark.parametrize("key,label,start,end", [
    ("today", "今日", dt.date(2025, 10, 29), dt.date(2025, 10, 30)),
    ("7d", "近7天", dt.date(2025, 10, 23), dt.date(2025, 10, 30)),
    ("week", "本周", dt.date(2025, 10, 27), dt.date(2025, 11, 3)),     # Mon–Sun
    ("30d", "近30天", dt.date(2025, 9, 30), dt.date(2025, 10, 30)),
    ("month", "本月", dt.date(2025, 10, 1), dt.date(2025, 11, 1)),
])
def test_window_presets_resolve_against_as_of(key, label, start, end):
    assert view.resolve_window({"window": key}, AS_OF, 30) == (key, label, start, end)


def test_custom_window_and_the_settings_default():
    custom = view.window_params(None, "2025-09-01", "2025-09-08")
    assert custom == {"window": "custom", "start": "2025-09-01", "end": "2025-09-08"}
    assert view.resolve_window(custom, AS_OF, 30)[2:] == (dt.date(2025, 9, 1), dt.date(2025, 9, 8))
    # nonsense falls back to the settings' window: the last window_days days
    for bad in [("x", None, None), (None, "2025-09-08", "2025-09-01"), (None, "2025-13-01", "2025-09-01"),
                (None, "2019-01-01", "2025-09-01")]:
        assert view.window_params(*bad) == {"window": None, "start": None, "end": None}
    assert view.resolve_window({}, AS_OF, 30)[:2] == ("30d", "近30天")
    assert view.resolve_window({}, AS_OF, 14) == (
        "default", "近14天", dt.date(2025, 10, 16), dt.date(2025, 10, 30))
    assert view.window_params("month", "2025-09-01", "2025-09-08")["window"] == "month"


def test_window_goes_into_links():
    v = View(None, None, AS_OF, dt.date(2025, 10, 23), dt.date(2025, 10, 30), 7, "7d", "近7天")
    assert v.query == "window=7d" and titlebar.analysis_href(v) == "/analysis?window=7d"
    v2 = View("330683001", None, AS_OF, dt.date(2025, 9, 1), dt.date(2025, 9, 8), 7, "custom", "自选时段")
    assert titlebar.analysis_href(v2) == "/analysis?township=330683001&start=2025-09-01&end=2025-09-08"
    assert v2.caption.startswith("自选时段 09-01至09-07")
    v3 = View("330683001", "330683001-023-05", AS_OF, dt.date(2025, 10, 23),
              dt.date(2025, 10, 30), 7, "7d", "近7天")      # drilled into a grid
    assert titlebar.analysis_href(v3) == \
        "/analysis?township=330683001&grid=330683001-023-05&window=7d"


def test_trend_days_stop_at_as_of_and_show_a_week_at_least():
    assert trend.trend_days(dt.date(2025, 10, 27), dt.date(2025, 11, 3), AS_OF) == (
        dt.date(2025, 10, 23), dt.date(2025, 10, 30))
    assert trend.trend_days(dt.date(2025, 9, 30), dt.date(2025, 10, 30), AS_OF) == (
        dt.date(2025, 9, 30), dt.date(2025, 10, 30))
    assert trend.trend_days(dt.date(2025, 10, 29), dt.date(2025, 10, 30), AS_OF) == (
        dt.date(2025, 10, 23), dt.date(2025, 10, 30))


def test_breadcrumb_levels():
    county = titlebar.breadcrumb({"township_name": None, "grid_name": None})
    assert county[0] == "" and "gw-bc-hidden" in county[1] and "gw-bc-current" in county[6]
    town = titlebar.breadcrumb({"township_name": "甘霖镇", "grid_name": None})
    assert town[0] == "甘霖镇" and "gw-bc-current" in town[1] and "gw-bc-hidden" in town[3]
    grid = titlebar.breadcrumb({"township_name": "甘霖镇", "grid_name": "一号网格"})
    assert grid[2] == "一号网格" and "gw-bc-current" in grid[3] and "gw-bc-current" not in grid[1]


def test_only_an_unpinned_canvas_follows_the_screen():
    assert canvas.auto_canvas(1920, 1080, "contain")
    assert not canvas.auto_canvas(5760, 1080, "contain")      # pinned by settings
    assert not canvas.auto_canvas(1920, 1080, "stretch")


def test_canvas_class_reflows_ultra_wide():
    assert canvas.canvas_class(1920, 1080) == "gw-canvas"
    assert canvas.canvas_class(3840, 2160) == "gw-canvas"
    assert canvas.canvas_class(5760, 1080) == "gw-canvas gw-wide"
    assert canvas.canvas_class(6656, 1792) == "gw-canvas gw-wide"


def test_a_canvas_pinned_to_a_stacked_wall_gets_the_tall_layout():
    """settings canvas 1920×2160 (1×2 panels): the tall grid, not the 1080 one stretched."""
    assert canvas.canvas_class(1920, 2160) == "gw-canvas gw-tall"
    assert canvas.canvas_class(1440, 1080) == "gw-canvas"               # 4:3 keeps the 1080 grid


def test_a_canvas_pinned_to_four_panels_in_a_row_gets_the_ultra_layout():
    assert canvas.canvas_class(7680, 1080) == "gw-canvas gw-wide gw-ultra"
    assert canvas.canvas_class(5760, 1080) == "gw-canvas gw-wide"       # 3×1 keeps its layout


# --- KPIs and gauges ----------------------------------------------------------------------------

WINDOW = {"reported": 100, "closed": 90, "due": 96, "handling_rate": 0.9, "on_time_rate": 0.96,
          "timely_dispatch_rate": None, "satisfaction_rate": 0.935, "open_backlog": 12,
          "yellow": 0, "red": 3, "flagged": 1, "cameras": 40, "cameras_online": 30}
TARGETS = {"handling_rate": 0.98, "on_time_rate": 0.95, "timely_dispatch_rate": 0.95,
           "satisfaction_rate": 0.95}


def test_kpi_values_and_tones():
    v = kpis.kpi_values({"window": WINDOW, "today_reported": 7}, TARGETS)
    assert v["today"] == {"value": 7, "dec": 0}
    assert v["backlog"]["value"] == 12 and v["cameras"]["value"] == 30
    assert v["handling"] == {"value": 90.0, "dec": 1, "tone": "red"}        # 8 pp under
    assert v["ontime"]["tone"] == "green" and v["satisfaction"]["tone"] == "yellow"
    assert v["red"]["tone"] == "red" and v["yellow"]["tone"] is None


def test_handling_rate_is_judged_on_what_is_decided():
    """Of 100 cases: 60 closed and the other 40 inside their limit: no colour (it may still
    reach 98 %) and the tile says why; 60 closed, 4 overdue: at best 96 %, yellow; 50 closed,
    2 overdue: at best 98 %, still no colour; 50 closed, 10 overdue: at best 90 %, red."""
    today = {**WINDOW, "closed": 60, "due": 60, "handling_rate": 0.6}
    v = kpis.kpi_values({"window": today, "today_reported": 7}, TARGETS)
    assert v["handling"]["tone"] is None and v["ontime"]["tone"] == "green"
    view = types.SimpleNamespace(as_of=dt.datetime(2025, 10, 31, 23, 6), start=dt.date(2025, 10, 31),
                                 end=dt.date(2025, 11, 1), window_label="今日")
    subs = kpis.kpi_subs({"window": {**today, "cameras": 40}}, view, TARGETS)
    assert subs[4] == "10-31 · 40件未到期" and subs[5] == "10-31"
    capped = {**WINDOW, "closed": 60, "due": 64, "handling_rate": 0.6}     # best 96 %
    assert kpis.kpi_values({"window": capped, "today_reported": 7}, TARGETS)["handling"]["tone"] \
        == "yellow"
    assert kpis.kpi_subs({"window": capped}, view, TARGETS)[4] == "10-31"
    reachable = {**WINDOW, "closed": 50, "due": 52, "handling_rate": 0.5}  # best 98 %
    assert kpis.kpi_values({"window": reachable, "today_reported": 7},
                           TARGETS)["handling"]["tone"] is None
    worse = {**WINDOW, "closed": 50, "due": 60, "handling_rate": 0.5}      # best 90 %
    assert kpis.kpi_values({"window": worse, "today_reported": 7}, TARGETS)["handling"]["tone"] \
        == "red"
    assert gauges.gauge_color(0.6, 0.98, 1.0) == theme.ACCENT
    assert gauges.gauge_color(0.6, 0.98, 0.96) == theme.YELLOW
    assert gauges.gauge_color(0.6, 0.98) == theme.RED            # other rates: by their value
    assert gauges.gauge_color(0.99, 0.98, 1.0) == theme.GREEN


def test_gauge_figure():
    fig = gauges.gauge_figure(0.9459, 0.98)
    ind = fig.data[0]
    assert ind.value == pytest.approx(94.6) and ind.gauge.threshold.value == pytest.approx(98)
    assert ind.gauge.bar.color == theme.RED and ind.gauge.axis.range == (60, 100)
    assert gauges.gauge_figure(0.99, 0.98).data[0].gauge.bar.color == theme.GREEN
    low = gauges.gauge_figure(0.42, 0.95).data[0]
    assert low.gauge.axis.range[0] <= 42
    full = gauges.gauge_figure(1.0, 0.95).data[0]              # "100%", not "100.0%" over the arc
    assert full.number.valueformat == ".0f" and full.value == 100
    assert gauges.gauge_figure(0.999, 0.95).data[0].number.valueformat == ".1f"
    none = gauges.gauge_figure(None, 0.95)
    assert none.data[0].gauge.bar.color == theme.GREY
    assert [a.text for a in none.layout.annotations] == [theme.DASH]


# --- charts -------------------------------------------------------------------------------------

def test_trend_figure():
    df = pd.DataFrame({"day": pd.date_range("2025-06-01", periods=3),
                       "reported": [5, 7, 0], "closed": [4, 6, 2]})
    fig = trend.trend_figure(df)
    assert [t.name for t in fig.data] == ["上报", "办结"]
    assert list(fig.data[0].y) == [5, 7, 0] and list(fig.data[1].y) == [4, 6, 2]
    empty = trend.trend_figure(df.assign(reported=0, closed=0))
    assert not empty.data and empty.layout.annotations[0].text == theme.NO_DATA


def test_mix_bar_figure_largest_on_top():
    df = pd.DataFrame({"label": ["矛盾纠纷", "市容环境", "其他"], "reported": [50, 30, 20]})
    df["share"] = df["reported"] / 100
    bar = mix.bar_figure(df).data[0]
    assert list(bar.y) == ["其他", "市容环境", "矛盾纠纷"]     # plotly draws bottom-up
    assert list(bar.text) == ["20%", "30%", "50%"]
    assert mix.bar_figure(df.iloc[0:0]).layout.annotations[0].text == theme.NO_DATA


def test_names_in_short_leave_out_what_every_name_of_the_list_shares():
    from dashboard.figures.numbers import distinct_name, middle_label, shared_affixes

    towns = [f"经济技术开发区{n}片区管理委员会" for n in ("黄泽镇", "浦口街道", "贵门乡")]
    aff = shared_affixes(towns)
    assert aff == ("经济技术开发区", "片区管理委员会")
    assert [distinct_name(n, aff) for n in towns] == ["黄泽镇", "浦口街道", "贵门乡"]
    # a prefix ends a unit's name: the community stays, 第一网格 is not cut to 一网格
    grids = ["剡湖街道城隍坊社区第一网格", "剡湖街道城隍坊社区第二网格", "剡湖街道鹿山社区第一网格"]
    assert shared_affixes(grids) == ("剡湖街道", "")
    one = ["剡湖街道城隍坊社区第一网格", "剡湖街道城隍坊社区第十一网格"]
    assert [distinct_name(n, shared_affixes(one)) for n in one] == ["第一网格", "第十一网格"]
    # short names stay whole; a name not in the list, or none, is left as it is
    assert shared_affixes(["黄泽镇", "甘霖镇"]) == ("", "")
    assert shared_affixes(["经济技术开发区管委会一号网格"]) == ("", "")
    assert distinct_name("G-0001", aff) == "G-0001" and distinct_name(None, aff) is None
    assert distinct_name(towns[0], None) == towns[0]
    # a long name cut in the middle keeps its end: cameras along one road stay apart
    cams = [f"公安视频专网高清球机上三高速嵊州段K22+{k}" for k in (685, 709)]
    cut = [middle_label(c, 18) for c in cams]
    assert cut[0] != cut[1] and all(c.endswith(k) for c, k in zip(cut, ("685", "709")))
    assert middle_label("上三高速嵊州段", 18) == "上三高速嵊州段"


def test_bar_names_are_cut_apart_and_the_axis_leaves_room_for_the_figures():
    from dashboard.figures.numbers import bar_text_range, short_labels

    assert short_labels(["12345热线", "矛盾纠纷排查化解（邻里家庭）", "安全生产与消防安全隐患排查",
                         "安全生产事故", "其他"], 5) == [
        "12345热线", "矛盾纠纷…", "安全生产与…", "安全生产事故", "其他"]   # digits are narrow
    df = pd.DataFrame({"label": ["矛盾纠纷排查化解（邻里家庭）", "安全生产与消防安全隐患排查"],
                       "reported": [60, 40], "share": [0.6, 0.4]})
    fig = mix.bar_figure(df)
    assert list(fig.data[0].y) == list(df["label"][::-1])     # bars keyed by the whole name
    assert list(fig.layout.yaxis.ticktext) == ["安全生产…", "矛盾纠纷…"]
    # the largest bar's share needs room past its end in a 210 px graph: more than 1.3×
    end = fig.layout.xaxis.range[1]
    assert end > 60 * 1.3 and end == bar_text_range([40, 60], ["40%", "60%"], mix.GRAPH_PX,
                                                     ["安全生产…", "矛盾纠纷…"])
    assert bar_text_range([10], ["1%"], 1000, ["甲"]) == 13.0       # room enough: 1.3×


def test_mediation_figure_and_caption():
    by = pd.DataFrame({"dispute_type": ["邻里纠纷", "婚姻家庭"], "received": [10, 5],
                       "mediated": [8, 4], "succeeded": [6, 4], "success_rate": [0.75, 1.0]})
    fig = mediation.mediation_figure(by)
    assert list(fig.data[0].x) == [4, 8] and list(fig.data[1].x) == [4, 6]
    assert fig.data[0].text[1] == "6/8 · 75%"
    assert mediation.mediation_figure(by.iloc[0:0]).layout.annotations[0].text == theme.NO_DATA
    zero = by.assign(received=0, mediated=0, succeeded=0)
    assert mediation.mediation_figure(zero).layout.annotations[0].text == "本月暂无调解案件"
    med = {"month": "2025-09-01", "requested_month": "2025-10-01"}
    assert mediation.caption(med, "截至10-31 23:06") == "最近报表 2025年9月（本月暂无） · 截至10-31 23:06"
    assert mediation.stat_texts({"received": 1234, "mediated": 0, "succeeded": 0,
                                 "success_rate": None}) == ["1,234", "0", "0", "—"]


def test_mediation_says_its_change_on_the_month_before():
    med = {"month": "2025-10-01", "success_rate": 0.949, "received": 41,
           "previous": {"month": "2025-09-01", "success_rate": 0.9, "received": 50}}
    lead, rate, rest = mediation.month_delta(med)
    assert lead == "较上月（9月）成功率 " and rest == " · 受理 ▼18.0%"
    assert rate["props"] == {"children": "▲4.9个百分点", "className": "gw-delta-better"}
    worse = mediation.month_delta({**med, "success_rate": 0.85})[1]["props"]
    assert worse == {"children": "▼5.0个百分点", "className": "gw-delta-worse"}
    assert mediation.month_delta({**med, "previous": None}) == []
    assert mediation.month_delta({"month": None, "previous": None}) == []


# --- lists --------------------------------------------------------------------------------------

RANK = pd.DataFrame({"code": ["T2", "T1"], "name": ["乙镇", "甲镇"], "rank": [1, 2],
                     "card": ["green", "red"], "on_time_rate": [0.99, None],
                     "handling_rate": [0.97, None], "red": [0, 9]})


def test_ranking_rows_drill_ids_and_cards():
    rows = [r["props"] for r in ranking.ranking_rows(RANK, "township", selected="T1")]
    assert [r["id"] for r in rows] == [{"type": drill.RANK_ROW, "code": "T2", "kind": "township"},
                                       {"type": drill.RANK_ROW, "code": "T1", "kind": "township"}]
    assert "gw-row-selected" in rows[1]["className"]
    assert "gw-row-selected" not in rows[0]["className"]
    assert "gw-card-red" in rows[1]["children"][2]["props"]["children"]["props"]["className"]
    # neither rate (no cohort): not ranked, no number and no top-three mark
    assert _texts(ranking.ranking_rows(RANK, "township")[1]) == ["—", "甲镇", "—", "—", "9"]
    assert "gw-rank-top" not in rows[1]["className"] and "gw-rank-top" in rows[0]["className"]
    assert ranking.ranking_body(RANK.iloc[0:0], "grid").children == theme.NO_DATA


def _warn_df(levels: dict[str, str]) -> pd.DataFrame:
    n = len(levels)
    return pd.DataFrame({"event_id": list(levels), "level": list(levels.values()),
                         "reported_at": [pd.Timestamp("2025-10-30")] * n, "category": ["火灾"] * n,
                         "township_code": ["T1"] * n, "township_name": ["甲镇"] * n,
                         "grid_name": ["一号网格"] * n, "elapsed_h": [80.0] * n,
                         "close_h": [72.0] * n, "department": ["城管局"] * n,
                         "due_at": [pd.Timestamp("2025-11-02")] * n,
                         "overdue_hours": [8.0 if lvl == "red" else -5.5 for lvl in levels.values()]})


def test_new_red_flashes_once_per_scope():
    df = _warn_df({"a": "red", "b": "red", "c": "yellow"})
    assert warnings.new_red(df, None, "county") == set()                   # first view
    seen = {"scope": "county", "ids": ["a"]}                                # red ids shown
    assert warnings.new_red(df, seen, "county") == {"b"}
    assert warnings.new_red(df, {"scope": "T1", "ids": []}, "county") == set()  # scope changed
    assert warnings.new_red(_warn_df({"c": "red", "d": "yellow"}), seen, "county") == {"c"}  # turned red
    rows = warnings.warning_rows(df, False, {"b"})
    assert rows[0]["props"]["id"]["id"] == "b" and "gw-flash" in rows[0]["props"]["className"]
    assert all("gw-flash" not in r["props"]["className"] for r in rows[1:])   # new red on top
    # an actionable row: level, grid, category, how long overdue; event no., department, due
    assert _texts(rows[0]) == ["红", "一号网格", "火灾", "超时8小时", "b", "城管局", "时限11-02 00:00"]
    assert _texts(rows[2])[3] == "剩5小时30分"
    assert rows[0]["props"]["id"] == {"type": "gw-ev-row", "id": "b", "list": "warn"}
    assert warnings.warning_body(df.iloc[0:0], False, set()).children == "无红黄线事件"


def test_live_rows_show_place_and_elapsed_never_personal_data():
    df = pd.DataFrame({"event_id": ["e1", "e2"], "reported_at": pd.to_datetime(
        ["2025-10-31 22:13", "2025-10-31 21:03"]), "category": ["矛盾纠纷", "事故"],
        "status": ["accepted", "closed"], "closed_at": [None, pd.Timestamp("2025-10-31 22:00")],
        "township_code": ["T1", "T1"], "township_name": ["甲镇", "甲镇"],
        "grid_name": ["一号网格", None], "elapsed_h": [0.9, 2.05], "closed_now": [False, True],
        "department": ["调委会", None], "due_at": pd.to_datetime(["2025-11-03 22:13", "2025-11-03 21:03"]),
        "overdue_hours": [-71.1, None]})
    county = live_list.live_rows(df, township_level=False, today=dt.date(2025, 10, 31))
    assert _texts(county[0]) == ["22:13", "一号网格", "矛盾纠纷", "剩2天23小时", "已受理", "e1",
                                 "调委会", "时限11-03 22:13"]
    assert _texts(county[1])[:4] == ["21:03", "甲镇", "事故", "已办结"]     # no grid: township
    assert "未派单" in _texts(county[1])
    earlier = live_list.live_rows(df, township_level=False, today=dt.date(2025, 11, 1))
    assert _texts(earlier[0])[0] == "10-31"                    # not today: the day
    assert county[0]["props"]["id"] == {"type": "gw-ev-row", "id": "e1", "list": "live"}
    from dashboard.wall import event_rows
    assert event_rows.due_text(300.0, False) == ("超时12天", "gw-elapsed-red")
    assert event_rows.due_text(14.2, False)[0] == "超时14小时"
    assert event_rows.due_text(-5.5, False)[0] == "剩5小时30分"
    assert event_rows.due_text(5.0, True) == ("", "")



def test_rows_built_as_json_are_what_dash_sends_for_its_components():
    """The list rows skip Dash's component classes (dashboard.wall.plain_html): the same row
    built from html.* components serialises to the same JSON. A prop named differently
    (``class_name``) or a child in another place fails this."""
    from dash import html

    from dashboard.wall import event_rows, reply
    from dashboard.wall.plain_html import el, span

    df = _warn_df({"a": "red"})
    r = next(df.itertuples(index=False))
    built = event_rows.event_row(r, list_name="warn", township_level=False, cls="gw-warn-red",
                                 today=dt.date(2025, 11, 1),
                                 first=span("红", "gw-badge"))

    def s(text, cls):
        return html.Span(text, className=cls)

    dash_row = html.Div(
        id={"type": "gw-ev-row", "id": "a", "list": "warn"}, n_clicks=0,
        className="gw-ev-row gw-warn-red", title="一号网格 · 火灾 · 城管局：点击查看事件详情",
        **{"data-id": "a"},
        children=[html.Div([s("红", "gw-badge"), s("一号网格", "gw-ev-place"), s("火灾", "gw-ev-cat"),
                            s("超时8小时", "gw-num-r gw-ev-over gw-elapsed-red")],
                           className="gw-ev-line1"),
                  html.Div([s("a", "gw-ev-id"), s("城管局", "gw-ev-dept"),
                            s("时限11-02 00:00", "gw-num-r gw-ev-due")], className="gw-ev-line2")])
    assert built == reply.plain(dash_row)
    nested = html.Span(html.Span("黄", className="gw-badge"))
    assert el("Span", span("黄", "gw-badge")) == reply.plain(nested)

def test_ranking_rows_built_as_json_are_what_dash_sends_for_its_components():
    """A ranking row as dashboard.wall.plain_html builds it equals the same row built from
    html.* components and made plain, for a carded township and a 样本少 grid."""
    from dash import html

    from dashboard.wall import reply

    def s(text, cls):
        return html.Span(text, className=cls)

    town = ranking.ranking_rows(RANK.iloc[1:], "township", selected="T1")[0]
    assert town == reply.plain(html.Div(
        id={"type": drill.RANK_ROW, "code": "T1", "kind": "township"}, n_clicks=0,
        className="gw-row gw-row-selected", title="甲镇：红牌",
        **{"data-code": "T1", "data-worst": 0},
        children=[html.Span(s("—", "gw-rank-no")), s("甲镇", "gw-rank-name"),
                  html.Span(html.I(className="gw-card gw-card-red"), **{"data-card": "red"}),
                  s("—", "gw-num-r"), s("—", "gw-num-r"), s("9", "gw-num-r gw-elapsed-red")]))
    few = pd.DataFrame({"code": ["G2"], "name": ["二号网格"], "rank": [1], "pos": [2],
                        "card": ["green"], "few": [True], "on_time_rate": [1.0],
                        "handling_rate": [1.0], "red": [0], "reported": [2]})
    assert ranking.ranking_rows(few, "grid")[0] == reply.plain(html.Div(
        id={"type": drill.RANK_ROW, "code": "G2", "kind": "grid"}, n_clicks=0,
        className="gw-row gw-rank-few", title="二号网格：样本少（2件）", **{"data-code": "G2"},
        children=[html.Span(s("2", "gw-rank-no")), s("二号网格", "gw-rank-name"),
                  html.Span("样本少", className="gw-few", **{"data-card": "few"}),
                  s("100.0%", "gw-num-r"), s("100.0%", "gw-num-r"), s("0", "gw-num-r")]))


def test_event_card_shows_timeline_due_and_masked_reporter():
    from dashboard.wall import event_card

    d = {"event_id": "SZ1", "reported_at": "2025-10-28T14:00:00", "accepted_at": "2025-10-28T14:30:00",
         "dispatched_at": None, "closed_at": None, "due_at": "2025-10-31T14:00:00",
         "category": "安全隐患", "subcategory": None, "channel": "12345热线", "township": "甲镇",
         "grid_name": "一号网格", "address": "某路1号", "description": "护栏损坏", "department": "城管局",
         "level": "township", "status": "accepted", "warning": "red", "overdue_hours": 9.0,
         "reporter_name": "张*", "reporter_phone": "138****5678",
         "timeline": [{"step": "reported", "label": "上报", "at": "2025-10-28T14:00:00"},
                      {"step": "accepted", "label": "受理", "at": "2025-10-28T14:30:00"},
                      {"step": "dispatched", "label": "流转", "at": None},
                      {"step": "closed", "label": "办结", "at": None}]}
    title, body = event_card.card_content(d)
    text = _texts(body)
    assert title == "事件 SZ1"
    assert ["上报", "10-28 14:00", "受理", "10-28 14:30", "流转", "—", "办结", "—"] == [
        t for t in text if t in ("上报", "受理", "流转", "办结", "—") or t.startswith("10-28")][:8]
    assert "红线示警" in text and "超时9小时" in text and "10-31 14:00" in text
    assert "张* 138****5678" in text and "城管局" in text and "镇街" in text
    assert "某路1号" in text and "护栏损坏" in text
    assert "周边视频" in text and "—" in text                # a detail without cameras
    d["cameras"] = {"radius_m": 300.0, "within": 4, "online": 3,
                    "nearest": [{"camera_id": "c1", "name": "桥头", "online": True,
                                 "distance_m": 13},
                                {"camera_id": "c2", "name": "村口", "online": False,
                                 "distance_m": 140}]}
    assert "300米内 4 路（在线 3）：桥头 在线 13 米、村口 离线 140 米 等" in _texts(
        event_card.card_content(d)[1])
    d["cameras"] = {"radius_m": 300.0, "within": 0, "online": 0, "nearest": []}
    assert "300米内没有视频点位" in _texts(event_card.card_content(d)[1])
    assert event_card.card_content(None)[0] == "事件不存在"


def test_stale_alarm_text():
    assert titlebar.stale_alarm({"stale": True, "stale_hours": 5.4}) == ("数据已5小时未更新", "gw-stale")
    assert titlebar.stale_alarm({"stale": True, "stale_hours": 80.0})[0] == "数据已3天未更新"
    assert titlebar.stale_alarm({"stale": False, "stale_hours": 80.0})[1] == "gw-stale gw-hidden"
    assert titlebar.stale_alarm(None)[1] == "gw-stale gw-hidden"


def test_kpi_change_is_coloured_by_better_or_worse_not_by_sign():
    now = {"window": {**WINDOW, "red": 6, "open_backlog": 10, "handling_rate": 0.92,
                      "on_time_rate": 0.96, "satisfaction_rate": None}, "today_reported": 12}
    before = {"window": {**WINDOW, "red": 4, "open_backlog": 12, "handling_rate": 0.95,
                         "on_time_rate": 0.96, "satisfaction_rate": 0.9, "yellow": 0},
              "today_reported": 8}
    d = dict(zip([k for k, _l, _u in kpis.KPIS], kpis.kpi_deltas(now, before)))
    assert d["red"] == ("环比 ▲50.0%", "worse")                  # more red: worse, in red
    assert d["backlog"] == ("环比 ▼16.7%", "better")             # less backlog: better
    assert d["handling"] == ("环比 ▼3.0个百分点", "worse")         # a rate: points
    assert d["ontime"] == ("环比 持平", "flat")
    assert d["satisfaction"] == ("环比 —", "none")               # no figure now: no change
    assert d["today"] == ("较昨日同时 ▲50.0%", "flat")           # more reports: neither
    assert d["yellow"] == ("环比 持平", "flat")
    # cameras keep no history: the tile says why there is no change, not a bare '—'
    assert d["cameras"] == ("环比 无往期状态", "none")
    no_cams = {**now, "window": {**now["window"], "cameras": 0, "cameras_online": 0}}
    assert kpis.kpi_deltas(no_cams, before)[-1] == ("环比 —", "none")
    assert fmt.delta(3, 0, -1, False) == ("▲3件", "worse")       # from zero: the count
    assert kpis.kpi_deltas(now, None)[3] == ("环比 —", "none")     # no previous data at all
    # a previous period reaching before the first day of data is no comparison; yesterday
    # (the 今日 tile's) still is when it has data
    dated = {**before, "shifted": {"start": "2025-09-01"}, "today": "2025-10-30"}
    assert kpis.comparable(dated, dt.date(2025, 9, 1)) is dated
    assert kpis.comparable(dated, dt.date(2025, 12, 1)) is None
    part = kpis.kpi_deltas(now, kpis.comparable(dated, dt.date(2025, 10, 1)))
    assert part[0] == ("较昨日同时 ▲50.0%", "flat") and {t for t, _ in part[1:-1]} == {"环比 —"}


# --- hotspots, ranking with 样本少 ----------------------------------------------------------------

def test_hotspot_board_lists_grid_township_count_ratio_and_kind():
    from dashboard.wall import grid_card, hotspot_board

    hot = pd.DataFrame({"grid_id": ["G1", "G2"], "grid_name": ["一号网格", "二号网格"],
                        "township_code": ["T1", "T2"], "k": [12, 6], "baseline": [2.0, 1.0],
                        "ratio": [6.0, 6.0], "p": [1e-5, 1e-3]})
    body = hotspot_board.board_body(hot, {"T1": "甲镇", "T2": "乙镇"}, county_level=True)
    text = "".join(_texts(body))
    assert "新发热点" in text and "2处" in text
    assert "一号网格" in text and "×6.0" in text and "甲镇 · 本期12件 · 基线2.0" in text
    assert body[1].id == {"type": drill.HOT_ROW, "code": "G1", "township": "T1"}
    inside = "".join(_texts(hotspot_board.board_body(hot, {}, county_level=False)))
    assert "本期12件 · 基线2.0" in inside and "甲镇" not in inside
    assert "本期无新发热点" in _texts(hotspot_board.board_body(hot.iloc[:0], {}, True))
    # profiled (store.hotspots.profile): the main kind takes the baseline's place
    kinds = hot.assign(top_category=["矛盾纠纷", None], top_share=[0.78, None])
    text = "".join(_texts(hotspot_board.board_body(kinds, {"T1": "甲镇", "T2": "乙镇"}, True)))
    assert "甲镇 · 12件 · 矛盾纠纷78%" in text and "乙镇 · 本期6件 · 基线1.0" in text
    long = "".join(_texts(hotspot_board.board_body(kinds, {"T1": "经济技术开发区管理委员会"}, True)))
    assert "经济技… · 12件 · 矛盾纠纷78%" in long       # the figures stay on the row
    # a baseline reaching before the data: said on the board, in the place of one row
    short = hotspot_board.board_body(hot, {}, False, top=2, short=dt.date(2024, 11, 1))
    assert "基线含无数据时段" in _texts(short) and short[-1].title == "数据起于2024-11-01"
    assert "另有1处（见地图）" in _texts(short) and len(short) == 4    # head, 1 row, more, note
    line = grid_card.hotspot_line(hot.iloc[0].to_dict())
    assert "".join(_texts(line)) == "新发热点 本期12件，为基线2.0件的6.0倍"
    assert grid_card.hotspot_line(None) is None
    profiled = {**hot.iloc[0].to_dict(), "since": dt.date(2025, 10, 12), "since_k": 9,
                "top_category": "矛盾纠纷", "top_share": 0.78}
    assert "".join(_texts(grid_card.hotspot_line(profiled, dt.date(2025, 10, 2)))) == \
        "新发热点 12件，基线2.0的6.0倍，10-12起，矛盾纠纷78%"
    spread = {**profiled, "since": dt.date(2025, 10, 2), "top_share": 0.4}
    assert "".join(_texts(grid_card.hotspot_line(spread, dt.date(2025, 10, 2)))).endswith(
        "，整段高于基线，矛盾纠纷40%")


def test_ranking_marks_few_events_instead_of_a_green_card():
    df = pd.DataFrame({"code": ["G1", "G2"], "name": ["一号网格", "二号网格"], "rank": [2, 1],
                       "pos": [1, 2], "card": ["red", "green"], "few": [False, True],
                       "on_time_rate": [0.8, 1.0], "handling_rate": [0.9, 1.0], "red": [2, 0],
                       "reported": [12, 2]})
    rows = ranking.ranking_rows(df, "grid")
    first, second = (_texts(r) for r in rows)
    assert first[0] == "1" and second[0] == "2"             # place in the worst-first list
    one, two = (r["props"] for r in rows)
    assert "样本少" in second and "gw-rank-few" in two["className"]
    assert two["children"][2]["props"]["className"] == "gw-few"   # no green card for 2 events
    assert "样本少" not in first
    assert one["children"][2]["props"]["children"]["props"]["className"] == "gw-card gw-card-red"
