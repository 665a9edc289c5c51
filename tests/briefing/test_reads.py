"""The briefing's reads agree with the metrics module and with plain counts of the events."""
from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import duckdb
import pytest

from dashboard.briefing.compose import (EmptyWeek, change_pct_text, compose, points_text,
                                        rise_pct_text)
from store import briefing_reads as br
from store import metrics as m
from store.db import ReadStore
from store.settings import Settings
from tests.briefing.conftest import AS_OF, END, START, WEEK
from tests.hygiene import dash_imported_by


@pytest.fixture(scope="module")
def store(wall_demo_db):
    s = ReadStore(wall_demo_db)
    yield s
    s.close()


def test_iso_weeks_are_monday_to_monday_and_the_default_is_the_last_complete_week():
    assert br.parse_week("2026-W36") == (dt.date(2026, 8, 31), dt.date(2026, 9, 7))
    assert br.parse_week("2020-W53") == (dt.date(2020, 12, 28), dt.date(2021, 1, 4))
    assert br.week_name(dt.date(2026, 8, 31)) == "2026-W36"
    assert br.last_complete_week(dt.date(2026, 9, 7)) == "2026-W36"     # a Monday
    assert br.last_complete_week(dt.date(2026, 9, 13)) == "2026-W36"    # the Sunday after
    assert br.week_end_as_of(dt.date(2026, 9, 7)) == dt.datetime(2026, 9, 7)
    for bad in ("2026-36", "2026-W54", "W36", ""):
        with pytest.raises(m.MetricsError):
            br.parse_week(bad)


def test_the_default_week_is_the_last_complete_one_before_the_datas_as_of(store):
    newest = m.newest_report(store)
    assert store.meta().get("as_of_mode") == "newest_report" and newest.date() > END
    assert br.default_week(store, Settings()) == br.last_complete_week(newest.date()) == WEEK
    assert br.default_week(store, Settings(), dt.datetime(2026, 9, 9, 8)) == "2026-W36"
    live = Settings()
    live.raw["as_of"] = "now"                                   # a live feed: before today
    today = dt.datetime.now(ZoneInfo(live.timezone)).date()
    assert br.default_week(store, live) == br.last_complete_week(today)


def test_the_previous_week_is_shifted_with_its_as_of():
    assert br.previous_period(START, END, AS_OF) == (
        dt.date(2025, 10, 13), dt.date(2025, 10, 20), dt.datetime(2025, 10, 20))


@pytest.mark.parametrize("scope", ["county", "township"])
def test_overdue_lists_add_up_to_the_red_figure(store, scope):
    settings = Settings()
    sc = m.Scope() if scope == "county" else m.Scope(
        "township", store.scalar("SELECT min(township_code) FROM townships"))
    red = m.metrics(store, settings, scope=sc, start=START, end=END, as_of=AS_OF)["red"]
    assert red > 0 or scope == "township"
    for by in ("township", "grid", "department"):
        df = br.overdue_by(store, settings, AS_OF, by, sc)
        assert int(df["red"].sum()) == red
        assert (df["worst_over_h"] > 0).all()


def test_overdue_by_department_equals_a_plain_count(store, wall_demo_db):
    con = duckdb.connect(str(wall_demo_db), read_only=True)
    rows = con.execute(
        "SELECT coalesce(department, '未指派'), reported_at FROM events"
        " WHERE status IS DISTINCT FROM 'invalid' AND reported_at <= ?"
        " AND NOT (closed_at IS NOT NULL AND closed_at <= ?)", [AS_OF, AS_OF]).fetchall()
    con.close()
    want: dict[str, int] = {}
    for dept, rep in rows:
        if AS_OF - rep > dt.timedelta(hours=72):
            want[dept] = want.get(dept, 0) + 1
    got = br.overdue_by(store, Settings(), AS_OF, "department")
    assert dict(zip(got["name"], got["red"])) == want


def test_rises_are_week_on_week_counts_of_the_metrics_cohort(store):
    settings = Settings()
    p_start, p_end, _ = br.previous_period(START, END, AS_OF)
    df = br.rises(store, settings, START, END, p_start, p_end, dim="township", top=100)
    towns = dict(store.rows("SELECT township_name, township_code FROM townships"))
    for r in df.itertuples():
        sc = m.Scope("township", towns[r.label])
        now = m.metrics(store, settings, scope=sc, start=START, end=END, as_of=AS_OF)
        before = m.metrics(store, settings, scope=sc, start=p_start, end=p_end, as_of=AS_OF)
        assert (r.now, r.before) == (now["reported"], before["reported"])
        assert r.change > 0
    cats = br.rises(store, settings, START, END, p_start, p_end, dim="category")
    assert list(cats["change"]) == sorted(cats["change"], reverse=True)


def test_worst_grids_have_cards_other_than_green_and_enough_events_or_red(store):
    df = br.worst_grids(store, Settings(), START, END, AS_OF)
    assert len(df) <= 10
    for r in df.itertuples():
        assert (r.reported >= br.MIN_GRID_EVENTS and r.card != "green") or (r.few and r.red > 0)


def test_a_grid_too_small_to_judge_is_carded_on_its_red_warnings_not_its_rates(store):
    """Rates of a grid with under MIN_GRID_EVENTS events are not judged (样本少), so one late
    case in one event must not read 红牌 by its 0 %: its card is that of its red count."""
    settings = Settings()
    start, end = br.parse_week("2025-W40")     # a week where such a grid has a rate under 90 %
    df = br.worst_grids(store, settings, start, end, dt.datetime.combine(end, dt.time()),
                        n=10_000)
    few = df[df["few"]]
    assert len(few) > 0 and (few["on_time_rate"] < settings.raw["cards"]["red_below"]).any()
    limit = int(settings.raw["cards"]["red_card_overdue"])
    for r in few.itertuples():
        assert r.card == ("red" if r.red > limit else "yellow"), r


def test_compose_takes_every_figure_from_the_metrics_module(store):
    settings = Settings()
    b = compose(store, settings, WEEK)
    api = m.metrics(store, settings, start=START, end=END, as_of=AS_OF, compare="previous")
    assert b.before == api.pop("previous")
    assert b.now == api
    assert f"共受理事件{api['reported']:,}件" in b.summary
    assert f"办结率{api['handling_rate'] * 100:.1f}%" in b.summary
    assert f"超期未办结{api['red']}件" in b.summary or api["red"] == 0


def test_a_township_briefing_ranks_and_lists_its_grids(store):
    settings = Settings()
    code, name = store.rows("SELECT township_code, township_name FROM townships"
                            " ORDER BY township_code LIMIT 1")[0]
    b = compose(store, settings, WEEK, f"township:{name}")
    sc = m.Scope("township", code)
    assert b.now == m.metrics(store, settings, scope=sc, start=START, end=END, as_of=AS_OF)
    grids = {r[0] for r in store.rows("SELECT grid_id FROM grids WHERE township_code = ?",
                                      [code])}
    assert set(b.ranking["code"]) == grids and b.place_word == "网格"
    # its map fills each grid by density and outlines every one of them
    assert set(b.map_units["code"]) == grids and set(b.map_grids["code"]) == grids
    assert int(b.overdue_place["red"].sum()) == b.now["red"]
    assert b.scope_name.endswith(name) and f"本周{b.scope_name}共受理事件" in b.summary


def test_an_empty_week_raises_before_anything_is_read(store):
    with pytest.raises(EmptyWeek):
        compose(store, Settings(), "2019-W10")


def test_change_texts():
    assert change_pct_text(110, 100) == "环比上升10.0%"
    assert change_pct_text(90, 100) == "环比下降10.0%"
    assert change_pct_text(100, 100) == "与上周持平"
    assert change_pct_text(5, 0) == "上周无事件可比"
    assert points_text(0.95, 0.93) == "较上周提高2.0个百分点"
    assert points_text(0.93, 0.95) == "较上周下降2.0个百分点"
    assert points_text(None, 0.95) == ""


def test_a_city_sized_rise_does_not_read_zero():
    """The rises tables printed whole percents: a city's +64 on 27,371 read '+0%'."""
    assert rise_pct_text(64 / 27_371) == "+0.2%"
    assert rise_pct_text(1 / 27_371) == "+不足0.1%"
    assert rise_pct_text(0.123) == "+12.3%"
    assert rise_pct_text(1.0) == "+100.0%"
    assert rise_pct_text(float("nan")) == rise_pct_text(None) == "新出现"


def test_prune_keeps_the_newest_briefing_folders(tmp_path):
    from dashboard.briefing.build import MANIFEST, prune

    for name in ("2026-08-31", "2026-09-07", "2026-09-14", "2026-09-21"):
        (tmp_path / name).mkdir()
        (tmp_path / name / MANIFEST).write_text("{}")
    (tmp_path / "notes").mkdir()                  # not a briefing: never touched
    removed = prune(tmp_path, 2)
    assert sorted(p.name for p in removed) == ["2026-08-31", "2026-09-07"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-09-14", "2026-09-21", "notes"]


def test_the_figure_builders_and_reads_do_not_import_dash():
    assert dash_imported_by("dashboard.figures.briefing_charts", "dashboard.figures.briefing_map",
                            "dashboard.figures.briefing_theme", "store.briefing_reads",
                            "dashboard.briefing.compose", "dashboard.briefing.document",
                            "dashboard.briefing.build") == []


def test_the_map_slide_lists_the_numbered_hotspots_and_counts_the_rest(store, monkeypatch):
    """The slide lists as many hotspots as the map numbers, then says how many more are
    only outlined (a city's week has a hundred: ten rows ran off the slide)."""
    from dashboard.briefing import document
    from dashboard.figures.briefing_theme import DARK

    b = compose(store, Settings(), WEEK)
    n = len(b.hotspots)
    assert n >= 2, "the demo week should have hotspots"
    monkeypatch.setattr(document, "MAP_LISTED", 1)
    html = document.slide_map(b, DARK)
    assert html.count("<li>") == 1 and f"另有 {n - 1} 处，见地图轮廓" in html
    monkeypatch.setattr(document, "MAP_LISTED", n)
    html = document.slide_map(b, DARK)
    assert html.count("<li>") == n and "另有" not in html
    for r in b.hotspots.itertuples():        # each with its main kind, as the rises slide
        assert f'{r.ratio:.1f} 倍</small><small class="kind">主要类别：{r.top_category} ' \
            f'{r.top_share:.0%}</small>' in html, r


def test_the_summary_says_where_the_hotspots_it_does_not_list_are(store):
    from dashboard.briefing import document

    import pandas as pd

    b = compose(store, Settings(), WEEK)
    assert len(b.hotspots) >= 2, "the demo week should have hotspots"
    many = dataclasses.replace(b, hotspots=pd.concat([b.hotspots] * 3, ignore_index=True))
    n = len(many.hotspots)
    html = document._points(many)
    assert f"新发热点 {n} 处" in html and f"另有 {n - 3} 处，见“本周事件密度与新发热点”" in html
    few = document._points(dataclasses.replace(b, hotspots=many.hotspots.head(3)))
    assert "新发热点 3 处" in few and "另有" not in few


def test_each_hotspot_says_its_main_kind_counted_from_the_events_themselves(store):
    """The week's hotspots carry their most reported kind and its share; counted here from
    the events table (not the rollup the briefing reads), valid reports of the week."""
    from dashboard.briefing import document

    b = compose(store, Settings(), WEEK)
    assert len(b.hotspots) >= 2
    for r in b.hotspots.itertuples():
        rows = store.rows(
            "SELECT category, count(*) FROM events WHERE grid_id = ? AND reported_at >= ?"
            " AND reported_at < ? AND status IS DISTINCT FROM 'invalid' GROUP BY 1"
            " ORDER BY 2 DESC, 1", [r.grid_id, START, END])
        assert sum(n for _, n in rows) == r.k
        assert (r.top_category, r.top_share) == (rows[0][0], pytest.approx(rows[0][1] / r.k))
    first = b.hotspots.iloc[0]
    slide = document.slide_rises(b)
    assert "主要类别" in slide and f"{first.top_category} {first.top_share:.0%}" in slide


def test_each_overdue_row_says_how_many_it_had_at_the_end_of_the_week_before(store):
    """A backlog's change: every place's and department's red count at the previous week's
    end (the metrics module's 'previous' as_of), which adds up to that week's red figure."""
    from dashboard.briefing import document
    from dashboard.figures.briefing_charts import overdue_figure
    from dashboard.figures.briefing_theme import DARK

    settings = Settings()
    b = compose(store, settings, "2025-W39")    # a township with a red case new that week
    p_as_of = dt.datetime(2025, 9, 22)           # the Monday 00:00 after W38
    for frame, by in ((b.overdue_place, "township"), (b.overdue_dept, "department")):
        before = br.overdue_by(store, settings, p_as_of, by)
        assert int(before["red"].sum()) == b.before["red"]
        was = dict(zip(before["code"].astype(str), before["red"]))
        assert [int(was.get(str(c), 0)) for c in frame["code"]] == list(frame["prev_red"])
    assert (b.overdue_place["prev_red"] < b.overdue_place["red"]).any()
    assert f"超期未办结{b.now['red']}件（上周末{b.before['red']}件）" in b.summary
    top = b.overdue_place.iloc[0]
    fig = overdue_figure(b.overdue_place, b.overdue_dept, DARK)
    d = int(top.red) - int(top.prev_red)
    assert any(t.startswith(f"{int(top.red)} 件（") and (
        f"{'+' if d > 0 else '−'}{abs(d)}" in t if d else "持平" in t or "新增" in t)
        for t in fig.data[0].text)
    assert "上周末" in document.slide_late(b)


def test_the_mediation_slide_compares_each_figure_with_the_month_before(store):
    """A month's mediation figures say their change on the month before (较上月), from the
    same table: the rates in points, coloured better/worse; the counts uncoloured."""
    from dashboard.briefing import document
    from dashboard.figures.briefing_theme import DARK

    b = compose(store, Settings(), WEEK)
    med, prev = b.mediation, b.mediation["previous"]
    assert prev is not None, "the demo's October should have a September"
    html = document.slide_mediation(b, DARK)
    text, cls = document.change_cell(med["success_rate"], prev["success_rate"], "rate", 1)
    assert cls in ("good", "bad") and f'<small class="chg {cls}">较上月 {text}</small>' in html
    rec, _ = document.change_cell(med["received"], prev["received"], "count", 0)
    assert f'<small class="chg flat">较上月 {rec}</small>' in html
    month = int(prev["month"][5:7])
    assert f"较上月（{month}月）" in html
    said = points_text(med["success_rate"], prev["success_rate"], "上月")
    assert said.startswith("较上月") and f"调解成功率{med['success_rate'] * 100:.1f}%，{said}" \
        in b.summary
    no_prev = dataclasses.replace(b, mediation={**med, "previous": None})
    assert "较上月" not in document.slide_mediation(no_prev, DARK)


def test_a_township_ranking_never_cards_a_grid_too_small_to_judge_green(store):
    """Issue 12: a grid with too few events is marked 样本少, ranked after the others and never
    shown as a green 100 %: in the briefing its card cell is empty unless it has red warnings
    (then it is carded on those), and the lead does not count it among the green ones."""
    from dashboard.briefing import document
    from dashboard.figures.briefing_theme import DARK

    code = store.scalar("SELECT township_code FROM grids GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
    b = compose(store, Settings(), WEEK, f"township:{code}")
    df = b.ranking
    few = df["few"].tolist()
    assert few == sorted(few) and any(few)                    # 样本少 after the others
    # those with most red warnings first, then by grid code (metrics.md), never by a rate;
    # the 问题网格 list its 样本少 grids with red warnings in that order too
    small = [(-int(r.red), r.code) for r in df[df["few"]].itertuples()]
    assert small == sorted(small) and len({c for _r, c in small}) > 2
    late = [c for c in b.worst["code"] if c in set(df.loc[df["few"] & (df["red"] > 0), "code"])]
    assert late == [c for r, c in small if r < 0]
    quiet = df[df["few"] & (df["red"] == 0)]
    assert len(quiet) and (quiet["card"] == "green").all()
    shown = df.head(document.RANK_ROWS_GRIDS)              # all on the slide, none cut
    html = document.slide_ranking(dataclasses.replace(b, ranking=shown), DARK)
    assert f"绿牌 {int(((~shown['few']) & (shown['card'] == 'green')).sum())} 个" in html
    assert f"样本少未亮牌 {int((shown['few'] & (shown['red'] == 0)).sum())} 个" in html
    for r in shown[shown["few"] & (shown["red"] == 0)].itertuples():
        after_name = html.split(f'<span class="clip">{r.name}</span></td>')[1]
        assert after_name.startswith(f"<td>{document.DASH}</td>"), r.name


def test_the_briefings_worst_grids_read_in_the_walls_worst_first_order(tmp_path):
    """Two red-carded grids with the same on-time rate: the one with more red warnings comes
    first on the wall (store.wall_reads.worst_first), so it must in the briefing's 问题网格
    too, although its handling rate is the higher (the briefing put the lower handling first)."""
    from store.wall_reads import worst_first
    from tests.store.dbmaker import ev, make_db

    t0, as_of = dt.datetime(2025, 3, 3, 9), dt.datetime(2025, 3, 9, 23)
    old, young = t0, as_of - dt.timedelta(hours=5)
    on_time, late = t0 + dt.timedelta(hours=10), t0 + dt.timedelta(hours=100)
    rows = ([ev(f"A{i}", old, grid="G1", closed_at=on_time) for i in range(5)]
            + [ev(f"B{i}", old, grid="G1", closed_at=late) for i in range(2)]
            + [ev(f"C{i}", old, grid="G1") for i in range(3)]          # G1: 0.5, 0.7, 3 red
            + [ev(f"D{i}", old, grid="G2", closed_at=on_time) for i in range(2)]
            + [ev("E0", old, grid="G2", closed_at=late), ev("F0", old, grid="G2")]
            + [ev(f"G{i}", young, grid="G2") for i in range(2)])        # G2: 0.5, 0.5, 1 red
    store = ReadStore(make_db(tmp_path / "c.duckdb", rows))
    try:
        df = br.worst_grids(store, Settings(), dt.date(2025, 3, 3), dt.date(2025, 3, 10), as_of)
    finally:
        store.close()
    got = df[["code", "on_time_rate", "handling_rate", "red", "card"]].values.tolist()
    assert got == [["G1", 0.5, 0.7, 3, "red"], ["G2", 0.5, 0.5, 1, "red"]]
    assert worst_first(df)["code"].tolist() == df["code"].tolist()
