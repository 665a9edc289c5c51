"""The analysis page's trend by category: a day without events is a 0 on its line, and days
too sparse to read become rolling 7-day sums."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from store import analysis_reads as ar
from store.analysis_filters import Filters
from store.db import ReadStore
from store.settings import Settings
from tests.analysis.conftest import AS_OF, WEEK, planted_events


def own_counts(start: dt.date, end: dt.date, unit: str) -> dict:
    """(period, category) → valid events, counted from the planted rows themselves."""
    out: dict = {}
    for e in planted_events():
        r, cat, status = e[1], e[2], e[14]
        if status == "invalid" or not start <= r.date() < end:
            continue
        p = pd.Timestamp(r.date() - dt.timedelta(days=r.weekday() if unit == "week" else 0))
        out[(p, cat)] = out.get((p, cat), 0) + 1
    return out


def trend(planted_db, start, end) -> pd.DataFrame:
    return ar.trend_by_category(ReadStore(planted_db), Settings(),
                                Filters(start=start, end=end, as_of=AS_OF))


def nonzero(df: pd.DataFrame) -> dict:
    return {(p, c): n for p, c, n in zip(df["period"], df["category"], df["n"]) if n}


def test_every_day_of_the_window_is_on_every_line(planted_db, monkeypatch):
    monkeypatch.setattr(ar, "SPARSE_PER_DAY", 0.0)            # read as a dense county
    df = trend(planted_db, *WEEK)
    days = pd.date_range(WEEK[0], WEEK[1] - dt.timedelta(days=1), freq="D")
    cats = sorted(df["category"].unique())
    assert len(cats) >= 3 and set(df["per"]) == {"day"}
    assert list(df["period"].unique()) == list(days)
    assert len(df) == len(days) * len(cats)                  # no gap for a line to jump
    assert nonzero(df) == own_counts(*WEEK, "day")
    # 环境卫生 comes Monday to Wednesday only: Thursday is a 0, not a missing point
    assert df.loc[(df["category"] == "环境卫生") & (df["period"] == "2025-06-12"), "n"].item() == 0


def test_sparse_days_are_rolling_seven_day_sums_reaching_before_the_window(planted_db):
    """The planted week has 14 valid events on 3 lines over 7 days (under 1 a day a line):
    each point is that day and the six before, the first days counting last week's too."""
    df = trend(planted_db, *WEEK)
    assert set(df["per"]) == {"7d"}
    daily = own_counts(WEEK[0] - dt.timedelta(days=6), WEEK[1], "day")
    for (p, c, n) in zip(df["period"], df["category"], df["n"]):
        assert n == sum(v for (d, k), v in daily.items()
                        if k == c and p - pd.Timedelta(days=6) <= d <= p), (p, c)
    first = df[(df["period"] == pd.Timestamp(WEEK[0])) & (df["category"] == "环境卫生")]
    # Monday's S00, and from before the window S11 (Tue 3 June), S12 (Wed 4) and OLD (Thu 5)
    assert first["n"].item() == 4
    assert list(df["period"].unique()) == list(
        pd.date_range(WEEK[0], WEEK[1] - dt.timedelta(days=1), freq="D"))


@pytest.mark.parametrize("sparse", [0.0, 1.0])
def test_a_window_past_as_of_stops_at_as_of_day(planted_db, monkeypatch, sparse):
    monkeypatch.setattr(ar, "SPARSE_PER_DAY", sparse)
    df = trend(planted_db, WEEK[0], WEEK[0] + dt.timedelta(days=14))   # as_of is day 7
    assert df["period"].max() == pd.Timestamp(AS_OF.date())
    assert df["period"].min() == pd.Timestamp(WEEK[0])


def test_a_long_window_is_whole_seven_day_blocks_ending_on_its_last_day(planted_db):
    """Over 62 days a point is seven whole days: blocks end on the last day shown (here a
    Wednesday, the window's end) and the first reaches six days before the window's start,
    so neither end dips the way a calendar week cut by the window would."""
    start, end = dt.date(2025, 3, 5), dt.date(2025, 6, 12)   # Wednesday to Thursday, 99 days
    df = trend(planted_db, start, end)
    first = pd.Timestamp("2025-02-27")                        # 2025-06-11 minus 14 weeks + 1
    blocks = pd.date_range(first, periods=15, freq="7D")
    assert set(df["per"]) == {"week"}
    assert list(df["period"].unique()) == list(blocks)
    assert blocks[-1] + pd.Timedelta(days=6) == pd.Timestamp("2025-06-11")
    daily = own_counts(first.date(), end, "day")
    want: dict = {}
    for (d, c), v in daily.items():
        p = blocks[blocks <= d][-1]
        want[(p, c)] = want.get((p, c), 0) + v
    assert nonzero(df) == want and sum(want.values()) > 10


def test_an_unbounded_window_starts_at_its_first_data(planted_db):
    df = ar.trend_by_category(ReadStore(planted_db), Settings(),
                              Filters(start=dt.date(2020, 1, 1), end=WEEK[1], as_of=AS_OF,
                                      window="all"))
    first_event = min(e[1] for e in planted_events() if e[14] != "invalid").date()
    assert df["period"].min() <= pd.Timestamp(first_event) < df["period"].min() + pd.Timedelta(
        days=7 if set(df["per"]) == {"week"} else 1)
    assert df["n"].sum() == sum(own_counts(first_event, WEEK[1], "day").values())


def test_a_window_without_events_is_empty(planted_db):
    df = trend(planted_db, dt.date(2024, 1, 1), dt.date(2024, 1, 8))
    assert df.empty and "per" in df


def own_totals(start: dt.date, end: dt.date, as_of: dt.datetime) -> dict:
    """category → valid events reported in [start, end) up to as_of, from the planted rows."""
    out: dict = {}
    for e in planted_events():
        r, cat, status = e[1], e[2], e[14]
        if status != "invalid" and start <= r.date() < end and r <= as_of:
            out[cat] = out.get(cat, 0) + 1
    return out


@pytest.mark.parametrize("as_of", [AS_OF, dt.datetime(2025, 6, 11, 9, 0)])
def test_each_line_has_its_window_total_and_the_window_before_as_it_stood(planted_db, as_of):
    """The legend's 本期合计 · 较上期: the week's count per line (the cohort of /api/metrics
    and the matrix, a report after a pinned as_of too), and the week before's up to as_of
    minus a week (the same stretch, not the wall's 环比 of its whole window). Mid-week, the
    week before counts its first days."""
    df = ar.trend_by_category(ReadStore(planted_db), Settings(),
                              Filters(start=WEEK[0], end=WEEK[1], as_of=as_of))
    week = dt.timedelta(days=7)
    now = own_totals(*WEEK, dt.datetime.max)
    before = own_totals(WEEK[0] - week, WEEK[1] - week, as_of - week)
    got = df.groupby("category")[["total", "prev"]].first()
    assert {c: int(t) for c, t in got["total"].items()} == now
    assert {c: int(p) for c, p in got["prev"].items()} == {c: before.get(c, 0) for c in now}
    assert sum(before.values()) > 0 and before != now


def test_an_unbounded_window_has_no_window_before(planted_db):
    df = ar.trend_by_category(ReadStore(planted_db), Settings(),
                              Filters(start=dt.date(2020, 1, 1), end=WEEK[1], as_of=AS_OF,
                                      window="all"))
    assert df["prev"].isna().all() and df["total"].sum() > 0


def test_the_legend_says_each_line_s_total_and_change():
    from dashboard.figures.category_trend import category_trend_figure, legend_note

    days = pd.date_range("2025-06-09", periods=2)
    df = pd.DataFrame({"period": list(days) * 4,
                       "category": ["安全隐患"] * 2 + ["民生诉求"] * 2 + ["治安问题"] * 2
                       + ["其他"] * 2,
                       "n": [60, 60, 40, 40, 5, 5, 1, 1], "per": "day",
                       "total": [120] * 2 + [80] * 2 + [10] * 2 + [2] * 2,
                       "prev": pd.array([100] * 2 + [100] * 2 + [0] * 2 + [2] * 2,
                                        dtype="Int64")})
    fig = category_trend_figure(df)
    names = [t.name for t in fig.data]
    assert names[0].startswith("安全隐患 120 ") and "▲20%" in names[0]
    assert "▼20%" in names[1] and "新增" in names[2] and "上期2" in names[3]
    assert "%" not in names[3]                  # 2 → 2 is not a percentage to read
    assert legend_note(df) == "图例：本期合计 · 较上期"
    unbounded = category_trend_figure(df.assign(prev=pd.array([pd.NA] * 8, dtype="Int64")))
    assert [t.name for t in unbounded.data] == ["安全隐患 120", "民生诉求 80", "治安问题 10",
                                                "其他 2"]
    assert legend_note(df.assign(prev=pd.NA)) == "图例：合计"
