"""Cameras near a place, in metres on the ground: distances agree with pyproj's geodesic
(Karney) to a centimetre, at a grid border that is also a township border, at a corner,
around a point, and the radius edge is sharp."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from store.cameras_near import (Place, PlaceError, cameras_near, online_within, parse_near,
                                parse_radius)
from store.db import ReadStore
from store.settings import Settings
from tests.analysis.analysisdb import BORDER_LON, GEOD, east_of_border, make_db

AS_OF = dt.datetime(2025, 6, 30, 12, 0)
LAT = 29.55


def geodesic_to_border(lon: float, lat: float) -> float:
    """Shortest geodesic distance from a point to G2's east edge (the 120.10° meridian from
    29.50° to 29.60°), by brute force: 1 cm steps near the foot of the perpendicular."""
    lats = np.linspace(lat - 0.001, lat + 0.001, 20_001)
    _, _, d = GEOD.inv(np.full_like(lats, lon), np.full_like(lats, lat),
                       np.full_like(lats, BORDER_LON), lats)
    return float(d.min())


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    cams = []
    for cid, metres in (("c100", 100.0), ("c299", 299.5), ("c301", 300.5), ("c250", 250.0)):
        lon, lat = east_of_border(LAT, metres)
        status = "offline" if cid == "c250" else "online"
        cams.append((cid, f"边界东{metres:g}米", status, lon, lat, "G3", "T2", None))
    # inside G2: distance 0
    cams.append(("cin", "网格内", "online", 120.07, 29.55, "G2", "T1", None))
    # north-east of G2's corner (120.10, 29.60): 200 m along azimuth 45°
    lon, lat, _ = GEOD.fwd(BORDER_LON, 29.60, 45.0, 200.0)
    cams.append(("ccorner", "东北角", "online", lon, lat, "G3", "T2", None))
    # seen long ago: online in the source, but stale at as_of when a limit is set
    lon, lat = east_of_border(29.52, 50.0)
    cams.append(("cstale", "久未上线", "online", lon, lat, "G3", "T2",
                 AS_OF - dt.timedelta(hours=72)))
    db = make_db(tmp_path_factory.mktemp("cams") / "cams.duckdb", cameras=cams)
    s = ReadStore(db)
    yield s
    s.close()


def test_distances_to_a_grid_agree_with_the_geodesic_across_the_township_border(store):
    df = cameras_near(store, Settings(), Place("grid", grid_id="G2"), 300.0, AS_OF)
    got = dict(zip(df["camera_id"], df["distance_m"]))
    assert set(got) == {"cin", "c100", "c250", "c299", "cstale", "ccorner"}   # not c301
    assert got["cin"] == 0.0
    for cid, metres in (("c100", 100.0), ("c250", 250.0), ("c299", 299.5)):
        assert got[cid] == pytest.approx(metres, abs=0.01)
        lon, lat = east_of_border(LAT, metres)
        assert got[cid] == pytest.approx(geodesic_to_border(lon, lat), abs=0.01)
    assert got["ccorner"] == pytest.approx(200.0, abs=0.01)     # to the corner vertex
    assert list(df["distance_m"]) == sorted(df["distance_m"])    # nearest first


def test_the_radius_edge_is_sharp_in_metres(store):
    ids = set(cameras_near(store, Settings(), Place("grid", grid_id="G2"), 300.6, AS_OF)
              ["camera_id"])
    assert "c301" in ids
    ids = set(cameras_near(store, Settings(), Place("grid", grid_id="G2"), 299.4, AS_OF)
              ["camera_id"])
    assert "c299" not in ids and "c100" in ids


def test_distances_from_a_point_are_geodesic(store):
    lon0, lat0 = 120.098, 29.5503
    df = cameras_near(store, Settings(), Place("point", lon=lon0, lat=lat0), 800.0, AS_OF)
    assert len(df) >= 4
    for r in df.itertuples():
        _, _, d = GEOD.inv(lon0, lat0, r.lon, r.lat)
        assert r.distance_m == pytest.approx(d, abs=0.01)


def test_status_online_offline_and_stale(store):
    df = cameras_near(store, Settings(), Place("grid", grid_id="G2"), 300.0, AS_OF)
    st = dict(zip(df["camera_id"], df["status"]))
    assert st["c250"] == "offline" and st["c100"] == "online"
    assert st["cstale"] == "offline"            # not seen for 72 h > camera_offline_after_h 24
    s = Settings()
    s.raw["camera_offline_after_h"] = 100.0
    df = cameras_near(store, s, Place("grid", grid_id="G2"), 300.0, AS_OF)
    st = dict(zip(df["camera_id"], df["status"]))
    assert st["cstale"] == "online" and st["c100"] == "online"


def test_online_cameras_within_the_coverage_radius_per_grid(store):
    got = online_within(store, Settings(), ("G1", "G2", "G3"), AS_OF)
    # G2: cin, c100, c299, ccorner (c250 offline, cstale stale, c301 too far)
    assert got["G2"] == 4
    # G1 (west half) is 4.8 km from the border: only what lies inside or near it
    assert got["G1"] == 0
    assert got["G3"] == 4                       # the online ones east of the border (not cin)
    assert online_within(store, Settings(), ("G2",), AS_OF, radius_m=150.0)["G2"] == 2


def test_bad_places_and_radii():
    assert parse_near("grid:G2") == Place("grid", grid_id="G2")
    assert parse_near("point:120.1,29.5") == Place("point", lon=120.1, lat=29.5)
    for bad in ("", "grid:", "point:1", "point:200,10", "town:T1", "point:a,b"):
        with pytest.raises(PlaceError):
            parse_near(bad)
    assert parse_radius(None, 300) == 300.0 and parse_radius("150", 300) == 150.0
    for bad in ("-1", "abc", "1e9", "nan"):
        with pytest.raises(PlaceError):
            parse_radius(bad, 300)


def test_an_unknown_grid_is_an_error(store):
    with pytest.raises(PlaceError, match="unknown grid"):
        cameras_near(store, Settings(), Place("grid", grid_id="nope"), 300.0, AS_OF)


def test_an_events_cameras_are_those_around_its_point_nearest_first(store):
    """周边视频 of an event (store.event_rows.cameras_at): cameras within the coverage radius
    of its point, counted and the nearest three listed with their geodesic distance; an
    event with no point has none."""
    from store.event_rows import cameras_at

    lon, lat = east_of_border(LAT, 0.0)                  # on the border, level with c100
    got = cameras_at(store, Settings(), lon, lat, AS_OF)
    assert got["radius_m"] == 300.0
    # c100, c250 and c299 are 100, 250 and 299.5 m due east; c301 is out; cin is 3 km west
    assert (got["within"], got["online"]) == (3, 2)      # c250 is offline
    assert [c["camera_id"] for c in got["nearest"]] == ["c100", "c250", "c299"]
    for c, metres in zip(got["nearest"], (100.0, 250.0, 299.5)):
        c_lon, c_lat = east_of_border(LAT, metres)
        assert c["distance_m"] == round(GEOD.inv(lon, lat, c_lon, c_lat)[2])
    assert [c["online"] for c in got["nearest"]] == [True, False, True]
    assert cameras_at(store, Settings(), None, None, AS_OF)["nearest"] == []
