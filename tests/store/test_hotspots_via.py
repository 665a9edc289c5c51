"""A township's emerging hotspots cut from the county's (store.hotspots.emerging_hotspots_via,
which the wall's map and hotspot board read through) are exactly its own read: the same rows,
order, values and dtypes, profiled or not, for every township of the demo county, over
windows where some townships have hotspots and others none, and for an unknown code."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from store import hotspots as hs
from store.engines import open_store
from store.settings import Settings

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def store(wall_demo_db):
    s = open_store(wall_demo_db)
    yield s
    s.close()


def test_a_townships_hotspots_cut_from_the_countys_are_its_own_read(store):
    settings = Settings.load(ROOT / "data" / "settings.toml")
    calls = []

    def read(fn, *args, **kw):
        calls.append((args, tuple(sorted(kw.items()))))
        return fn(store, settings, *args, **kw)

    last = store.scalar("SELECT max(day) FROM daily_rollup")
    codes = [c for (c,) in store.rows("SELECT township_code FROM townships ORDER BY 1")]
    as_of = dt.datetime.combine(last, dt.time(15, 30))
    with_hot = without = 0
    for days in (7, 30, 90):
        start, end = last - dt.timedelta(days=days - 1), last + dt.timedelta(days=1)
        for profiled in (False, True):
            kw = {"profiled": profiled, "as_of": as_of if profiled else None}
            for code in [None, *codes, "T-unknown"]:
                own = hs.emerging_hotspots(store, settings, start, end, code, **kw)
                cut = hs.emerging_hotspots_via(read, start, end, code, **kw)
                pd.testing.assert_frame_equal(cut, own, check_dtype=True, check_index_type=True)
                if code in codes:
                    with_hot += not own.empty
                    without += own.empty
    # both kinds of township were compared; and every cut came from the county's one read
    assert with_hot and without
    assert all(args[2] is None for args, _kw in calls)
