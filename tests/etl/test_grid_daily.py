"""grid_daily (store.schema): valid reports per day and grid, which the hotspot rule and its
since-when read when no category or channel filters them. After a first load, an update that
moves events between grids, days and validity, and a load that adds days (update_rollups,
not a rebuild), it equals a count over the stored events, and every hotspot reply equals the
one read from daily_rollup and the one of a copy whose rollups were rebuilt from scratch."""
from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter

import duckdb

from store import analysis_reads as ar
from store import hotspots as hs
from store.db import ReadStore
from store.schema import refresh_rollups
from store.settings import Settings
from tests.etl.conftest import cell, q
from tests.etl.test_rejects import HEAD, ev

D0 = dt.datetime(2024, 3, 1, 9)
CELLS = [(0, 0), (1, 1), (1, 1), (2, 1), (1, 1)]


def _rows(n_days: int, tag: str, first: int = 0) -> list[list]:
    """A few events a day over ``n_days`` days, most in one cell; every seventh invalid."""
    out = []
    for d in range(first, first + n_days):
        for i, c in enumerate(CELLS[: 1 + (d * 3) % len(CELLS)]):
            t = (D0 + dt.timedelta(days=d, hours=i)).strftime("%Y-%m-%d %H:%M:%S")
            out.append(ev(f"{tag}{d}-{i}", t=t, lonlat=cell(*c),
                          status="无效" if (d + i) % 7 == 0 else ""))
    return out


def _counted(db) -> list[tuple]:
    n = Counter((day, g) for day, g, st in q(db, "SELECT CAST(reported_at AS DATE), grid_id, "
                                                 "status FROM events")
                if g is not None and st != "invalid")
    return sorted((day, g, k) for (day, g), k in n.items())


def _replies(db, tmp_path, name: str) -> dict:
    s = Settings()
    store = ReadStore(db)
    try:
        out = {}
        last = store.scalar("SELECT max(day) FROM grid_daily")
        for days in (1, 7, 30):
            start, end = last - dt.timedelta(days=days - 1), last + dt.timedelta(days=1)
            as_of = dt.datetime.combine(last, dt.time(23))
            out[days] = (ar.hotspot_records(ar.hotspots(store, s, start, end, as_of,
                                                        everything=True)),
                         hs.emerging_hotspots(store, s, start, end, profiled=True,
                                              as_of=as_of).to_json(date_format="iso"))
        return out
    finally:
        store.close()


def _check(db, tmp_path, monkeypatch) -> None:
    assert q(db, "SELECT * FROM grid_daily ORDER BY ALL") == _counted(db)
    store = ReadStore(db)
    assert hs.grid_daily_agrees(store)        # the fast path is the one read
    store.close()
    got = _replies(db, tmp_path, "loaded")
    assert any(r["k"] > 0 for r, *_ in [v[0] for v in got.values()])    # not all empty
    fresh = tmp_path / "fresh.duckdb"
    shutil.copy(db, fresh)
    con = duckdb.connect(str(fresh))
    refresh_rollups(con)
    con.close()
    assert _replies(fresh, tmp_path, "fresh") == got
    with monkeypatch.context() as mp:       # the same figures from daily_rollup
        mp.setattr(hs, "grid_daily_agrees", lambda store: False)
        assert _replies(db, tmp_path, "rollup") == got


def test_grid_daily_and_the_hotspots_follow_incremental_loads(county, tmp_path, monkeypatch):
    county.load([county.events(_rows(30, "A"), head=HEAD)])
    _check(county.db, tmp_path, monkeypatch)
    # an update: events move to another cell (grid), another day, or become valid / invalid
    moved = [ev("A3-0", t="2024-03-20 08:00:00", lonlat=cell(2, 1)),
             ev("A7-0", t="2024-03-08 09:00:00", lonlat=cell(1, 1)),
             ev("A10-1", t="2024-03-11 10:00:00", lonlat=cell(1, 1), status="无效"),
             ev("A14-0", t="2024-03-15 09:00:00", lonlat=cell(0, 0))]
    county.load([county.events(moved, head=HEAD, name="moved.csv")])
    _check(county.db, tmp_path, monkeypatch)
    # a newer export that adds a few days (a rise in one cell)
    county.load([county.events(_rows(4, "B", first=30) + [
        ev(f"C{i}", t=f"2024-04-0{1 + i % 3} 12:00:00", lonlat=cell(2, 1)) for i in range(9)],
        head=HEAD, name="newer.csv")])
    _check(county.db, tmp_path, monkeypatch)


def test_a_load_fills_grid_daily_on_a_database_written_before_it(county):
    """A database from before grid_daily (the dashboard asks for a load): the next load,
    even of nothing new, creates and fills it."""
    county.load([county.events(_rows(10, "A"), head=HEAD)])
    con = duckdb.connect(str(county.db))
    con.execute("DROP TABLE grid_daily")
    con.close()
    county.load([county.events(_rows(10, "A"), head=HEAD, name="again.csv")])
    assert q(county.db, "SELECT * FROM grid_daily ORDER BY ALL") == _counted(county.db) != []


def test_a_database_without_grid_daily_or_with_a_rollup_written_otherwise_reads_the_rollup(
        tmp_path):
    """Served as it is (no load asked for): its hotspots come from daily_rollup, whether the
    table is missing (written before it) or does not add up to daily_rollup (rows planted
    by other means)."""
    from store.db import check_database
    from tests.store.dbmaker import ev as row, make_db

    day = dt.datetime(2025, 6, 3, 10)
    db = make_db(tmp_path / "old.duckdb", [row(f"E{i}", day) for i in range(7)])
    con = duckdb.connect(str(db))
    refresh_rollups(con)
    con.execute("DROP TABLE grid_daily")
    con.close()
    check_database(db)                  # no StoreError: an older file is served
    s, start, end = Settings(), dt.date(2025, 6, 1), dt.date(2025, 6, 8)

    def k_of_g1(path) -> int:
        store = ReadStore(path)
        try:
            t = hs.hotspot_table(store, s, start, end).set_index("grid_id")
            prof = hs.profile(store, s, start, end, t.reset_index()[["grid_id", "baseline"]])
            return int(t.loc["G1", "k"]), int(prof.set_index("grid_id").loc["G1", "since_k"])
        finally:
            store.close()

    assert k_of_g1(db) == (7, 7)
    con = duckdb.connect(str(db))          # the next load's schema: grid_daily empty
    con.execute("CREATE TABLE grid_daily (day DATE, grid_id VARCHAR, reported BIGINT)")
    con.close()
    assert k_of_g1(db) == (7, 7)


def test_a_grid_renamed_in_daily_rollup_alone_reads_the_rollup(tmp_path):
    """Totals unchanged but a grid's rows moved (a rename written into daily_rollup by
    hand, as test fixtures and repairs do): grid_daily no longer agrees, the rollup is read."""
    from tests.store.dbmaker import ev as row, make_db

    day = dt.datetime(2025, 6, 3, 10)
    db = make_db(tmp_path / "r.duckdb", [row(f"E{i}", day) for i in range(7)])
    con = duckdb.connect(str(db))
    refresh_rollups(con)
    con.execute("UPDATE daily_rollup SET grid_id = 'G2' WHERE grid_id = 'G1'")
    con.close()
    store = ReadStore(db)
    try:
        assert not hs.grid_daily_agrees(store)
        t = hs.hotspot_table(store, Settings(), dt.date(2025, 6, 1),
                             dt.date(2025, 6, 8)).set_index("grid_id")
        assert (int(t.loc["G1", "k"]), int(t.loc["G2", "k"])) == (0, 7)
    finally:
        store.close()
