"""A hotspot's since-when and main kind (store.hotspots.profile) equal a computation here from
the events themselves, on DuckDB and chdb, whether the profiled grids are most of the county
(a year on a short history: every grid a hotspot; the rollup is grouped whole, not tested
row by row against the list) or a few (only theirs are read)."""
from __future__ import annotations

import datetime as dt
import random
import shutil
from collections import Counter

import pandas as pd

from store import hotspots as hs
from store.settings import Settings
from tests.analysis.analysisdb import event, make_db
from tests.engines import close_all, store_on
from tests.test_hotspots import onset_by_hand

START, END = dt.date(2025, 5, 1), dt.date(2025, 5, 21)
KINDS = ("矛盾纠纷", "环境卫生", "治安问题")


def _events() -> list[tuple]:
    rnd = random.Random(7)
    out = []
    for i in range(160):       # a few days either side of the window too
        day = START + dt.timedelta(days=rnd.randrange(-4, 24))
        grid = rnd.choice(["G1", "G2", "G2", "G3"])
        late = grid == "G2" and day >= START + dt.timedelta(days=12)    # G2 rises late
        for _ in range(3 if late else 1):
            out.append(event(f"P{len(out)}", dt.datetime.combine(day, dt.time(rnd.randrange(24))),
                             grid, category=rnd.choice(KINDS[:2] if late else KINDS),
                             status="invalid" if rnd.random() < 0.1 else "reported"))
    return out


def _by_hand(grid: str, baseline: float) -> tuple:
    """since, since_k, top_category, top_share from the valid events of the window."""
    mine = [e for e in _events() if e[7] == grid and e[14] != "invalid"
            and START <= e[1].date() < END]
    n_days = (END - START).days
    daily = [sum(1 for e in mine if e[1].date() == START + dt.timedelta(days=d))
             for d in range(n_days)]
    at, k = onset_by_hand(daily, baseline / n_days)
    kinds = Counter(e[2] for e in mine)
    top = min(kinds, key=lambda c: (-kinds[c], c)) if kinds else None
    return (START + dt.timedelta(days=at) if at < n_days else None, k, top,
            kinds[top] / len(mine) if mine else None)


def test_profile_equals_the_events_on_duckdb_and_chdb(tmp_path):
    db = make_db(tmp_path / "p.duckdb", _events())
    copy = tmp_path / "copy.duckdb"
    shutil.copy(db, copy)
    s = Settings()
    every = pd.DataFrame({"grid_id": ["G1", "G2", "G3"], "baseline": [20.0, 6.0, 12.0]})
    few = every[every["grid_id"] == "G2"].reset_index(drop=True)
    want = {g: _by_hand(g, b) for g, b in zip(every["grid_id"], every["baseline"])}
    assert want["G2"][0] is not None and want["G2"][0] > START      # a rise, begun late
    try:
        for engine in ("duckdb", "chdb"):
            store = store_on(engine, copy)
            for grids in (every, few):
                got = hs.profile(store, s, START, END, grids)
                for r in got.itertuples(index=False):
                    w = want[r.grid_id]
                    assert (r.since, int(r.since_k), r.top_category) == w[:3], (engine, r)
                    assert abs(r.top_share - w[3]) < 1e-9, (engine, r)
                assert list(got["grid_id"]) == list(grids["grid_id"])
            if engine == "duckdb":
                store.close()
    finally:
        close_all()


def test_profiling_most_grids_does_not_test_each_rollup_row_against_the_list(tmp_path,
                                                                             monkeypatch):
    from store.db import ReadStore

    store = ReadStore(make_db(tmp_path / "q.duckdb", _events()))
    seen: list[str] = []
    real = ReadStore.df

    def spy(self, sql, params=None):
        seen.append(sql)
        return real(self, sql, params)

    monkeypatch.setattr(ReadStore, "df", spy)
    try:
        every = pd.DataFrame({"grid_id": ["G1", "G2", "G3"], "baseline": [1.0, 1.0, 1.0]})
        hs.profile(store, Settings(), START, END, every)
        assert seen and not any("unnest" in q for q in seen), seen
        seen.clear()
        hs.profile(store, Settings(), START, END, every.iloc[1:2])
        assert seen and all("unnest" in q for q in seen), seen
    finally:
        store.close()
