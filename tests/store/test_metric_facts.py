"""The figures from memory (store/metric_facts.py) equal the figures of the metrics SQL.

/api/metrics answers county and township views at a recent as_of from the version's facts:
old events summed per report day, recent ones counted at as_of in numpy (a twin of the
SQL's aggregates). A store without the memo answers every view with the SQL. On the demo
county both must agree key by key on many views: as_of now, hours and days back, exactly
at (and a microsecond before) a case's closing, dispatch, acceptance, limit and yellow
line, at the facts' own horizon; windows of 1 to 120 days; the county, townships, and
rankings by township.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from store import metrics as m
from store.db import ReadStore
from store.metric_facts import median_hours, metric_facts
from store.settings import Settings

pytestmark = pytest.mark.slow
US = dt.timedelta(microseconds=1)


class Scanning:
    """The same store without its per-version memo: every figure from the SQL."""

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


def _at(micros: int) -> dt.datetime:
    return dt.datetime(1970, 1, 1) + dt.timedelta(microseconds=int(micros))


def boundary_moments(store, settings) -> list[dt.datetime]:
    """Moments where a recent case changes state: its closing, dispatch and acceptance, the
    end of its close limit and the start of its yellow line; each exactly and 1 µs either
    side. Half the cases are still open, where the limits decide red, yellow and due."""
    facts = metric_facts(store, settings)
    r = facts.recent
    never = np.iinfo("int64").max
    spread = np.linspace(0, len(r["reported"]) - 1, 6).astype(int)
    still_open = np.flatnonzero(r["closed"] == never)           # limits bite here
    picks = [*spread, *still_open[np.linspace(0, len(still_open) - 1, 6).astype(int)]]
    moments = []
    for i in picks:
        rep = int(r["reported"][i])
        for t in (r["closed"][i], r["dispatched"][i], r["accepted"][i]):
            if t != never:
                moments.append(_at(t))
        moments.append(_at(rep + int(r["clo_us"][i])))
        moments.append(_at(rep + int(round(settings.warn_fraction * r["clo_us"][i]))))
    moments += [facts.since]
    return [t + d for t in moments for d in (-US, dt.timedelta(0), US) if t - US >= facts.since]


def views(store, settings):
    newest = m.resolve_as_of(store, settings)
    towns = [r[0] for r in store.rows("SELECT township_code FROM townships ORDER BY 1")]
    moments = [newest, newest - dt.timedelta(minutes=7), newest - dt.timedelta(days=3, hours=5),
               newest - dt.timedelta(days=31), dt.datetime(2000, 1, 1),
               newest + dt.timedelta(days=400)]
    for as_of in moments:
        for days in (1, 7, 30, 120):
            end = as_of.date() + dt.timedelta(days=1)
            for scope in (m.Scope(), m.Scope("township", towns[0]),
                          m.Scope("township", towns[-1])):
                yield dict(start=end - dt.timedelta(days=days), end=end, as_of=as_of,
                           scope=scope)
    for as_of in boundary_moments(store, settings):
        end = as_of.date() + dt.timedelta(days=1)
        yield dict(start=end - dt.timedelta(days=30), end=end, as_of=as_of, scope=m.Scope())
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


def test_every_view_from_memory_equals_the_sql(store):
    settings = Settings()
    used = 0
    for v in views(store, settings):
        for by in (None, "township"):
            fast = m.metrics_table(store, settings, by=by, **v)
            slow = m.metrics_table(Scanning(store), settings, by=by, **v)
            assert len(fast) == len(slow)
            for (_, a), (_, b) in zip(fast.iterrows(), slow.iterrows()):
                equal(a, b, (v, by))
            used += m._memory_frame(store, settings, v["start"], v["end"], v["as_of"],
                                    v["scope"], by) is not None
    assert used >= 100     # most views came from memory: the test compares something


def test_the_facts_keep_old_events_as_sums_and_recent_ones_as_rows(store):
    settings = Settings()
    facts = metric_facts(store, settings)
    total = store.scalar("SELECT count(*) FROM events")
    old = int(facts.counts[:, 0].sum() + facts.counts[:, -1].sum())   # valid + invalid
    assert old > 0 and len(facts.recent["reported"]) > 0
    assert old + len(facts.recent["reported"]) == total
    days = len(np.unique(facts.day))
    towns = store.scalar("SELECT count(*) FROM townships")
    assert len(facts.counts) <= days * (towns + 1)       # one row per day and township at most


def test_an_old_as_of_is_answered_by_the_sql(store):
    settings = Settings()
    facts = metric_facts(store, settings)
    before = facts.since - US
    assert m._memory_frame(store, settings, before.date(), before.date() + dt.timedelta(days=1),
                           before, m.Scope(), None) is None
    assert m._memory_frame(store, settings, facts.since.date(),
                           facts.since.date() + dt.timedelta(days=1), facts.since, m.Scope(),
                           None) is not None


@pytest.mark.parametrize("values,hours", [
    ([], None), ([7_200_000_000], 2.0), ([3_600_000_000, 10_800_000_000], 2.0),
    ([5, 1, 3, 2, 4, 6], 3.5 / 3_600_000_000.0)])
def test_the_median_is_the_middle_value_or_the_two_middles_mean(values, hours):
    got = median_hours(np.array(values, dtype="int64"))
    assert got == (None if hours is None else pytest.approx(hours, rel=1e-15))


@pytest.mark.parametrize("engine", ["duckdb", "chdb"])
def test_old_times_to_close_read_in_parts_equal_one_read(engine, wall_demo_db, monkeypatch):
    """At city scale the old cases' times to close are read a run of report days at a time
    (a bounded sort); the parts must join into exactly the array one read gives, on both
    engines (the parts' bounds are timestamp parameters)."""
    import store.metric_facts as mf
    from tests.engines import close_all, store_on

    store = store_on(engine, wall_demo_db)
    settings = Settings()
    whole = mf._build(store, settings)
    assert len(whole.close_us) > 1000
    monkeypatch.setattr(mf, "CLOSE_PART", 97)
    parts = mf._build(store, settings)
    days = np.unique(whole.day)
    assert len(days) > 40                      # so 97 cases make many parts
    np.testing.assert_array_equal(parts.close_at, whole.close_at)

    def runs(f):     # within a (day, township) row the order of its cases is free
        return [np.sort(f.close_us[a:b]) for a, b in zip(f.close_at[:-1], f.close_at[1:])]
    for a, b in zip(runs(parts), runs(whole)):
        np.testing.assert_array_equal(a, b)
    for key in whole.recent:
        np.testing.assert_array_equal(parts.recent[key], whole.recent[key])
    # and the grouping is the one the sums have: each row's run of times has its count
    closed = whole.counts[:, mf.OLD_COUNTS.index("closed")]
    assert (np.diff(whole.close_at) == closed).all()
    if engine == "duckdb":
        store.close()
    close_all()
