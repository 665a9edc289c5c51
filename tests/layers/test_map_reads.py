"""store.map_reads on a real DuckDB file: shapes, measures, raster, cameras near a grid."""
from __future__ import annotations

import datetime as dt
import math

import pytest

from store import map_reads as mr
from store import metrics as m
from store.db import ReadStore
from store.metrics import metrics_table
from store.settings import Settings
from tests.layers.mapdb import GRIDS, T1, event, make_map_db

START, END = dt.date(2025, 6, 1), dt.date(2025, 7, 1)
AS_OF = dt.datetime(2025, 6, 30, 12, 0)
AT = dt.datetime(2025, 6, 10, 9, 0)

# metres per degree of longitude at 29.55°N
M_PER_DEG_LON = 111_320 * math.cos(math.radians(29.55))


@pytest.fixture
def store(tmp_path):
    evs = [
        event("e1", AT, 120.01, 29.51, "G1"),
        event("e2", AT, 120.012, 29.512, "G1"),
        event("e3", AT, 120.06, 29.55, "G2", closed_at=AT + dt.timedelta(hours=5), status="closed"),
        event("e4", AT, 120.15, 29.55, "G3"),
        event("inv", AT, 120.15, 29.55, "G3", status="invalid"),
        event("old", dt.datetime(2025, 5, 31, 23, 59), 120.15, 29.55, "G3"),
    ]
    cams = [
        ("C1", "东门", "online", 120.02, 29.55, "G1", "T1"),
        # 200 m and 400 m east of G1's east edge (inside G2)
        ("C2", "二百米", "offline", 120.05 + 200 / M_PER_DEG_LON, 29.55, "G2", "T1"),
        ("C3", "四百米", "online", 120.05 + 400 / M_PER_DEG_LON, 29.55, "G2", "T1"),
        ("C4", "乙镇", "online", 120.15, 29.55, "G3", "T2"),
    ]
    s = ReadStore(make_map_db(tmp_path / "map.duckdb", evs, cams))
    yield s
    s.close()


def test_township_and_grid_shapes(store):
    t = mr.township_shapes(store, Settings())
    assert list(t["code"]) == ["T1", "T2"] and list(t["name"]) == ["甲镇", "乙镇"]
    assert t.crs.to_epsg() == 4326 and t.geometry.iloc[0].equals(T1)
    for _, r in t.iterrows():                                   # label points inside
        assert r.geometry.contains(__import__("shapely").Point(r.label_lon, r.label_lat))
    g = mr.grid_shapes(store, Settings())
    assert list(g["code"]) == ["G1", "G2", "G3"]
    assert list(mr.grid_shapes(store, Settings(), "T1")["code"]) == ["G1", "G2"]
    assert mr.grid_shapes(store, Settings(), "T1")["grid_worker"].tolist() == ["张三", "李四"]


def test_shapes_fall_back_to_full_geometry(tmp_path):
    s = ReadStore(make_map_db(tmp_path / "full.duckdb", simple=False))
    assert mr.grid_shapes(s, Settings()).geometry.iloc[2].equals(GRIDS["G3"][2])
    s.close()


def test_extent(store):
    assert mr.extent(store, Settings()) == pytest.approx((120.0, 29.5, 120.2, 29.6))
    assert mr.extent(store, Settings(), "T1") == pytest.approx((120.0, 29.5, 120.1, 29.6))


def test_unit_measures_come_from_metrics_table(store):
    county = mr.unit_measures(store, Settings(), START, END, AS_OF).set_index("code")
    ref = metrics_table(store, Settings(), start=START, end=END, as_of=AS_OF,
                        by="township").set_index("code")
    assert county.loc["T1", "reported"] == ref.loc["T1", "reported"] == 3
    assert county.loc["T2", "reported"] == 1                      # invalid and old excluded
    assert county.loc["T1", "open_backlog"] == ref.loc["T1", "open_backlog"]
    assert math.isclose(county.loc["T1", "density"], 3 / county.loc["T1", "area_km2"])
    grids = mr.unit_measures(store, Settings(), START, END, AS_OF, "T1").set_index("code")
    assert list(grids.index) == ["G1", "G2"]
    assert grids.loc["G1", "reported"] == 2 and grids.loc["G2", "closed"] == 1


def test_event_cells_bin_the_cohort_in_sql(store):
    cells, dx, dy = mr.event_cells(store, Settings(), START, END, None, 20)
    assert cells["n"].sum() == 4                                 # e1..e4
    assert dx > dy > 0
    assert math.isclose(dx * math.cos(math.radians(29.55)), dy, rel_tol=1e-9)   # square cells
    # e1 and e2 share a cell (0.002° apart, cells ~0.01°)
    assert cells["n"].max() == 2
    row = cells.loc[cells["n"].idxmax()]
    assert abs(row["lon"] - 120.01) < dx and abs(row["lat"] - 29.51) < dy
    t2, _, _ = mr.event_cells(store, Settings(), START, END, "T2", 20)
    assert t2["n"].sum() == 1


def test_camera_points(store):
    assert len(mr.camera_points(store, Settings())) == 4
    t2 = mr.camera_points(store, Settings(), "T2")
    assert t2["camera_id"].tolist() == ["C4"] and t2["status"].tolist() == ["online"]


def test_cameras_on_the_map_and_near_a_grid_age_to_offline_like_the_counts(tmp_path):
    """A camera whose last_seen_at is older than camera_offline_after_h (24 h) at as_of reads
    offline on the map and in the grid card, as 视频在线 counts it (store.metrics)."""
    import duckdb

    cams = [("C1", "东门", "online", 120.02, 29.55, "G1", "T1"),
            ("C2", "北门", "online", 120.03, 29.55, "G1", "T1")]
    db = make_map_db(tmp_path / "aged.duckdb", [], cams)
    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE cameras SET last_seen_at = ? WHERE camera_id = 'C1'",
                    [AT - dt.timedelta(hours=1)])
        con.execute("UPDATE cameras SET last_seen_at = ? WHERE camera_id = 'C2'",
                    [AT - dt.timedelta(hours=25)])
    s = ReadStore(db)
    try:
        status = dict(zip(*mr.camera_points(s, Settings(), None, AT)[["camera_id", "status"]]
                          .T.values))
        assert status == {"C1": "online", "C2": "offline"}
        stored = mr.camera_points(s, Settings())
        assert set(stored["status"]) == {"online"}            # without as_of: as stored
        near = mr.cameras_near_grid(s, Settings(), "G1", as_of=AT)
        assert dict(zip(near["camera_id"], near["status"])) == {"C1": "online", "C2": "offline"}
        counted = m.metrics(s, Settings(), as_of=AT)
        assert (counted["cameras"], counted["cameras_online"]) == (2, 1)
    finally:
        s.close()


def test_cameras_near_grid_in_metres(store):
    near = mr.cameras_near_grid(store, Settings(), "G1")         # default radius 300 m
    assert near["camera_id"].tolist() == ["C1", "C2"]
    assert near["distance_m"].iloc[0] == 0
    assert near["distance_m"].iloc[1] == pytest.approx(200, abs=2)
    wide = mr.cameras_near_grid(store, Settings(), "G1", radius_m=450)
    assert wide["camera_id"].tolist() == ["C1", "C2", "C3"]
    assert mr.cameras_near_grid(store, Settings(), "nope").empty


def test_the_grid_card_and_the_cameras_near_lookup_measure_alike(store):
    """The wall's grid card and the analysis page's 视频点位查找 give a camera the same
    distance (they measured in a UTM zone and in an AEQD: centimetres apart here, up to
    0.04 % of the distance with UTM's scale factor, enough to print 200 m and 199 m)."""
    from store import cameras_near as cn

    card = mr.cameras_near_grid(store, Settings(), "G1", radius_m=450,
                                as_of=dt.datetime(2030, 1, 1))
    near = cn.cameras_near(store, Settings(), cn.Place("grid", "G1"), 450.0,
                           dt.datetime(2030, 1, 1))
    assert card["camera_id"].tolist() == near["camera_id"].tolist() == ["C1", "C2", "C3"]
    assert card["distance_m"].tolist() == near["distance_m"].tolist()
