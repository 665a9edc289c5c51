"""The analysis page's trend by category: a day without events is a 0 on its line."""
from __future__ import annotations

import datetime as dt

import pandas as pd

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
        p = r.date() - dt.timedelta(days=r.weekday() if unit == "week" else 0)
        out[(pd.Timestamp(p), cat)] = out.get((pd.Timestamp(p), cat), 0) + 1
    return out


def trend(planted_db, start, end) -> pd.DataFrame:
    return ar.trend_by_category(ReadStore(planted_db), Settings(),
                                Filters(start=start, end=end, as_of=AS_OF))


def test_every_day_of_the_window_is_on_every_line(planted_db):
    df = trend(planted_db, *WEEK)
    days = pd.date_range(WEEK[0], WEEK[1] - dt.timedelta(days=1), freq="D")
    cats = sorted(df["category"].unique())
    assert len(cats) >= 3
    assert list(df["period"].unique()) == list(days)
    assert len(df) == len(days) * len(cats)                  # no gap for a line to jump
    got = {(p, c): n for p, c, n in df.itertuples(index=False) if n}
    assert got == own_counts(*WEEK, "day")
    # 环境卫生 comes Monday to Wednesday only: Thursday is a 0, not a missing point
    assert df.loc[(df["category"] == "环境卫生") & (df["period"] == "2025-06-12"), "n"].item() == 0


def test_a_window_past_as_of_stops_at_as_of_day(planted_db):
    df = trend(planted_db, WEEK[0], WEEK[0] + dt.timedelta(days=14))   # as_of is day 7
    assert df["period"].max() == pd.Timestamp(AS_OF.date())


def test_weeks_for_a_long_window_each_monday_once(planted_db):
    start, end = dt.date(2025, 3, 5), WEEK[1]                # a Wednesday; > 62 days
    df = trend(planted_db, start, end)
    mondays = pd.date_range("2025-03-03", WEEK[0], freq="W-MON")
    assert list(df["period"].unique()) == list(mondays)
    got = {(p, c): n for p, c, n in df.itertuples(index=False) if n}
    assert got == own_counts(start, end, "week")
