"""The settled-day sums (store/cohort_days.py) give exactly the figures of a full scan.

/api/metrics sums the window's settled days from memory and scans only the rest; a store
without the memo scans everything. On the demo county, for many views (as_of now, a few
days back, a month back, before any data, far ahead; windows of 1 to 120 days; the county,
each township, rankings by township), both answers must be equal key by key.
"""
from __future__ import annotations

import datetime as dt

import pytest

from store import metrics as m
from store.cohort_days import cohort_days, median_hours
from store.db import ReadStore
from store.settings import Settings

pytestmark = pytest.mark.slow


class Scanning:
    """The same store without its per-version memo: every figure from a full scan."""

    def __init__(self, store):
        self._store = store

    def __getattr__(self, name):
        if name == "memo":
            raise AttributeError(name)
        return getattr(self._store, name)


@pytest.fixture(scope="module")
def store(wall_demo_db):
    s = ReadStore(wall_demo_db)
    yield s
    s.close()


def views(store, settings):
    newest = m.resolve_as_of(store, settings)
    towns = [r[0] for r in store.rows("SELECT township_code FROM townships ORDER BY 1")]
    for as_of in (newest, newest - dt.timedelta(days=3, hours=5), newest - dt.timedelta(days=31),
                  dt.datetime(2000, 1, 1), newest + dt.timedelta(days=400)):
        for days in (1, 7, 30, 120):
            end = as_of.date() + dt.timedelta(days=1)
            for scope in (m.Scope(), m.Scope("township", towns[0]),
                          m.Scope("township", towns[-1])):
                yield dict(start=end - dt.timedelta(days=days), end=end, as_of=as_of,
                           scope=scope)
    # as_of a moment before some day's last closing (or dispatch, or acceptance): that day
    # must be scanned, not summed
    cd = cohort_days(store, settings)
    for i in (len(cd.horizon) // 3, len(cd.horizon) // 2, len(cd.horizon) - 2):
        horizon = cd.horizon[i].astype(dt.datetime)
        for as_of in (horizon - dt.timedelta(microseconds=1), horizon - dt.timedelta(minutes=30),
                      horizon):
            day = cd.horizon_day[i].astype(dt.date)
            yield dict(start=day - dt.timedelta(days=2), end=day + dt.timedelta(days=1),
                       as_of=as_of, scope=m.Scope())
    # a window that ends before as_of, and one after it
    yield dict(start=newest.date() - dt.timedelta(days=60),
               end=newest.date() - dt.timedelta(days=20), as_of=newest, scope=m.Scope())
    yield dict(start=newest.date() - dt.timedelta(days=5),
               end=newest.date() + dt.timedelta(days=9), as_of=newest - dt.timedelta(days=2),
               scope=m.Scope())


def equal(a, b, where):
    for key in m.METRIC_KEYS:
        x, y = a[key], b[key]
        if isinstance(x, float) or isinstance(y, float):
            assert (x != x and y != y) or x == pytest.approx(y, rel=1e-12), (where, key, x, y)
        else:
            assert x == y, (where, key, x, y)


def test_every_view_sums_to_the_figures_of_a_full_scan(store):
    settings = Settings()
    used = 0
    for v in views(store, settings):
        for by in (None, "township"):
            fast = m.metrics_table(store, settings, by=by, **v)
            slow = m.metrics_table(Scanning(store), settings, by=by, **v)
            assert len(fast) == len(slow)
            for (_, a), (_, b) in zip(fast.iterrows(), slow.iterrows()):
                equal(a, b, (v, by))
            until = m._settled(store, settings, v["start"], v["end"], v["as_of"], v["scope"],
                               by)[0]
            used += until > v["start"]
    assert used >= 40      # most views were summed, not scanned: the test compares something


def test_the_live_view_is_summed_entirely(store):
    """as_of = the newest report: every day of the default window is settled but the last
    ones, whose cases may still move; the scan covers only those days."""
    settings = Settings()
    as_of = m.resolve_as_of(store, settings)
    start, end = m.default_window(as_of, 30)
    until, sums, _cd = m._settled(store, settings, start, end, as_of, m.Scope(), None)
    assert sums is not None and end - until <= dt.timedelta(days=3)
    assert sums["all"]["reported"] > 0


def test_a_settled_day_becomes_unsettled_when_as_of_moves_back_past_a_closing(store):
    settings = Settings()
    cd = cohort_days(store, settings)
    day, horizon = cd.horizon_day[len(cd.horizon_day) // 2], cd.horizon[len(cd.horizon) // 2]
    day = day.astype(dt.date)
    after = horizon.astype(dt.datetime)
    from store.cohort_days import settled_until
    assert settled_until(cd, day, day + dt.timedelta(days=1), after) == day + dt.timedelta(days=1)
    assert settled_until(cd, day, day + dt.timedelta(days=1),
                         after - dt.timedelta(microseconds=1)) == day


@pytest.mark.parametrize("values,hours", [
    ([], None), ([7_200_000_000], 2.0), ([3_600_000_000, 10_800_000_000], 2.0),
    ([5, 1, 3, 2, 4, 6], 3.5 / 3_600_000_000.0)])
def test_the_median_is_the_middle_value_or_the_two_middles_mean(values, hours):
    import numpy as np

    got = median_hours(np.array(values, dtype="int64"))
    assert got == (None if hours is None else pytest.approx(hours, rel=1e-15))
