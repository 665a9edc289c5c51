"""A township's grid shapes cut from every township's one read (store.map_reads.
grid_shapes_via, which the wall's map reads through) are exactly its own read: the same rows,
order, columns, dtypes, geometries and label points, for every township of the demo county
and an unknown code; and the shared read is left as it was after the map has used it."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from geopandas.testing import assert_geodataframe_equal

from dashboard.figures.wall_map import map_parts
from store import map_reads as mr
from store import map_view
from store.engines import open_store
from store.settings import Settings

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def store(wall_demo_db):
    s = open_store(wall_demo_db)
    yield s
    s.close()


def test_a_townships_grid_shapes_cut_from_every_townships_read_are_its_own(store):
    settings = Settings.load(ROOT / "data" / "settings.toml")
    kept: dict = {}

    def read(fn, *args, **kw):        # a cache that hands out the one object, as ctx.cached
        key = (fn.__name__, args, tuple(sorted(kw.items())))     # does for a shared read
        if key not in kept:
            kept[key] = fn(store, settings, *args, **kw)
        return kept[key]

    codes = [c for (c,) in store.rows("SELECT township_code FROM townships ORDER BY 1")]
    assert len(codes) > 1
    for code in [*codes, "T-unknown"]:
        own = mr.grid_shapes(store, settings, code)
        assert_geodataframe_equal(mr.grid_shapes_via(read, code), own, check_dtype=True,
                                  check_index_type=True, check_crs=True)
    # the wall's map of every township, drawn from the shared read, leaves it as it was
    last = store.scalar("SELECT max(day) FROM daily_rollup")
    as_of = dt.datetime.combine(last, dt.time(15, 30))
    for code in codes:
        data = map_view.map_data(read, code, ("townships", "grids", "hotspots"),
                                 last - dt.timedelta(days=29), last + dt.timedelta(days=1), as_of)
        map_parts(data, township=code, grid=data.units["code"].iloc[0])
    shared = kept[("township_grid_shapes", (), ())]
    assert sorted(shared) == codes
    for code in codes:
        assert_geodataframe_equal(shared[code], mr.grid_shapes(store, settings, code))
