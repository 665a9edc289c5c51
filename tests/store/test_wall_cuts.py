"""A township's live list cut from every township's one read (store.wall_reads.live_events_via,
which the wall's 实时事件 reads through) is exactly its own read (live_events): the same rows,
order, values and dtypes, for every township of the demo county, the county, an unknown code
and an empty window; where the first slice holds a township's list, where it takes a wider
one or the whole table, and where a township has fewer events than the list's length, or
none, up to as_of. On DuckDB every case, on ClickHouse (chdb) the wall's own (its engine
parity: tests/store/test_engine_parity.py)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from store import wall_reads as wr
from store.db import ReadStore
from store.settings import Settings
from tests.engines import close_all, open_chdb, publish_to_chdb

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def stores(wall_demo_db, tmp_path_factory):
    target = publish_to_chdb(wall_demo_db, tmp_path_factory.mktemp("live") / "ch")
    duck = ReadStore(wall_demo_db)
    yield {"duckdb": duck, "chdb": open_chdb(target)}
    duck.close()
    close_all()


@pytest.mark.parametrize("engine", ["duckdb", "chdb"])
def test_a_townships_live_list_cut_from_every_townships_read_is_its_own_read(
        stores, engine, monkeypatch):
    store = stores[engine]
    settings = Settings.load(ROOT / "data" / "settings.toml")
    codes = [c for (c,) in store.rows("SELECT township_code FROM townships ORDER BY 1")]
    first, last = (pd.Timestamp(t).to_pydatetime() for t in
                   store.rows("SELECT min(reported_at), max(reported_at) FROM events")[0])
    cases = [("newest report", last, 30),                  # each slice width taken
             ("the first days", first + dt.timedelta(days=4), 30),  # short lists, some none
             ("before any event", first - dt.timedelta(seconds=1), 30),    # an empty window
             # a feed that stopped long ago (as_of follows the clock): the slices start from
             # the newest report, not from as_of (they held nothing and each minute ranked
             # the whole table)
             ("long after the newest report", last + dt.timedelta(days=400), 30)]
    if engine == "duckdb":
        cases.append(("newest report", last, 2))           # the first slice holds some
    real, widths, starts = wr._live_slice, [], []

    def spy(store_, settings_, towns, since, as_of, limit):
        widths.append(None if since == dt.datetime.min else (as_of - since).days)
        starts.append(since)
        return real(store_, settings_, towns, since, as_of, limit)

    monkeypatch.setattr(wr, "_live_slice", spy)           # the real slice, its widths noted
    for label, as_of, limit in cases:
        calls, lengths, kept = [], [], {}
        widths.clear()
        starts.clear()

        def read(fn, *args):                   # as ctx.cached: one call per read and args
            if (fn, args) not in kept:
                if fn is wr.live_events:
                    calls.append(args[0] or "county")
                kept[fn, args] = fn(store, settings, *args)
            return kept[fn, args]

        for code in [*codes, None, "T-unknown"]:
            own = wr.live_events(store, settings, code, as_of, limit)
            cut = wr.live_events_via(read, code, as_of, limit)
            pd.testing.assert_frame_equal(cut, own, check_dtype=True, check_index_type=True,
                                          obj=f"{label}, {limit} rows, {code}")
            lengths.append(len(own))
        towns = lengths[:len(codes)]
        # the county, an unknown code and a township without events are their own reads;
        # every other township is cut from the one read
        without = [c for c, n in zip(codes, towns) if n == 0]
        assert sorted(calls) == sorted(["county", "T-unknown", *without]), (label, calls)
        if label == "newest report" and limit == 30:
            assert widths == [2, 16, 128, None] and set(towns) == {30}, (widths, towns)
        if limit == 2:
            assert widths[0] == 2 and len(widths) > 1
        if label == "the first days":
            assert without and max(towns) < 30 and len(set(towns)) > 2, towns
        if label == "before any event":
            assert set(lengths) == {0}
        if label.startswith("long after"):
            assert starts[0] == last - dt.timedelta(days=2) and set(towns) == {30}, starts


@pytest.mark.parametrize("engine", ["duckdb", "chdb"])
def test_a_townships_kpis_cut_from_every_townships_figures_are_its_own_read(stores, engine):
    """The KPI strip's, the gauges' and the warnings' figures of a township and of the period
    before (wall_reads.kpis_via / previous_kpis_via, cut from one table by township and one
    count of the day's reports) are its own kpis / previous_kpis: the same keys in the same
    order, the same values and types (an int stays an int, None stays None), for every
    township, the county and an unknown code; at the newest report and before any event."""
    from store import metrics as m

    store = stores[engine]
    settings = Settings.load(ROOT / "data" / "settings.toml")
    codes = [c for (c,) in store.rows("SELECT township_code FROM townships ORDER BY 1")]
    first, last = (pd.Timestamp(t).to_pydatetime() for t in
                   store.rows("SELECT min(reported_at), max(reported_at) FROM events")[0])
    kept: dict = {}

    def read(fn, *args):
        if (fn, args) not in kept:
            kept[fn, args] = fn(store, settings, *args)
        return kept[fn, args]

    busy = 0
    for as_of in (last, first - dt.timedelta(days=1)):
        start, end = m.default_window(as_of, 30)
        for code in [*codes, None, "T-unknown"]:
            own = (wr.kpis(store, settings, code, start, end, as_of),
                   wr.previous_kpis(store, settings, code, start, end, as_of))
            cut = (wr.kpis_via(read, code, start, end, as_of),
                   wr.previous_kpis_via(read, code, start, end, as_of))
            assert repr(cut) == repr(own), (code, as_of)
            busy += bool(own[0]["window"]["reported"] and own[0]["today_reported"]
                         and own[1]["window"]["reported"])
    assert busy > 2          # figures and today's reports of both periods were compared


def test_reports_of_the_same_second_are_cut_by_event_id_as_the_own_read_does(tmp_path, engine):
    """Ties at a list's last place: several reports of one second, stored in reverse id
    order, one invalid and one after as_of; a township with none. The cut keeps the lower
    ids, as live_events' ``ORDER BY reported_at DESC, event_id`` does."""
    from tests.engines import store_on
    from tests.store.dbmaker import ev, make_db

    t = dt.datetime(2025, 3, 1, 9, 30)
    rows = [ev(f"E{i}", t, grid="G1", township="T1") for i in (6, 5, 4, 3, 2, 1)]
    rows += [ev("E0", t - dt.timedelta(hours=1), grid="G2", township="T1"),
             ev("E7", t + dt.timedelta(minutes=1), township="T1", status="invalid"),
             ev("E8", t + dt.timedelta(hours=2), township="T1"),
             ev("F1", t, grid="G3", township="T2")]
    db = make_db(tmp_path / "ties.duckdb", rows,
                 townships=(("T1", "甲镇"), ("T2", "乙镇"), ("T3", "丙镇")))
    store = store_on(engine, db)
    settings = Settings.load(ROOT / "data" / "settings.toml")
    as_of = t + dt.timedelta(hours=1)
    read = lambda fn, *args: fn(store, settings, *args)   # noqa: E731
    for limit in (1, 3, 7, 30):
        for code in ("T1", "T2", "T3", None):
            own = wr.live_events(store, settings, code, as_of, limit)
            pd.testing.assert_frame_equal(wr.live_events_via(read, code, as_of, limit), own,
                                          check_dtype=True, obj=f"{code}, {limit} rows")
    assert list(wr.live_events_via(read, "T1", as_of, 3)["event_id"]) == ["E1", "E2", "E3"]
