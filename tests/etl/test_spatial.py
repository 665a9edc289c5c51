"""Point-in-polygon: shared edges (lower-left-closed), ambiguity, tolerance in metres."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyproj
import shapely

from etl.spatial import INSIDE, NEAR, OUTSIDE, GridIndex
from tests.etl.conftest import LAT0, LON0, SIZE, cell, one, q, source

GEOD = pyproj.Geod(ellps="WGS84")


def lattice(cols=3, rows=3) -> GridIndex:
    recs = []
    for c in range(cols):
        for r in range(rows):
            x0, y0 = LON0 + c * SIZE, LAT0 + r * SIZE
            recs.append({"grid_id": f"G{c}{r}", "village_code": None, "township_code": "T",
                         "geom": shapely.box(x0, y0, x0 + SIZE, y0 + SIZE)})
    return GridIndex(pd.DataFrame(recs))


def ids(index: GridIndex, lon, lat, tol=500.0):
    a = index.assign(np.asarray(lon, float), np.asarray(lat, float), tol)
    return [index.grid_ids[i] if i >= 0 else None for i in a.index], a


def test_points_on_shared_edges_go_up_and_right():
    index = lattice()
    x1, y1 = LON0 + SIZE, LAT0 + SIZE
    lon = [x1, LON0 + 0.5 * SIZE, x1, LON0, LON0 + 3 * SIZE, LON0 + 0.5 * SIZE]
    lat = [LAT0 + 0.5 * SIZE, y1, y1, LAT0 + 0.5 * SIZE, LAT0 + 0.5 * SIZE, LAT0 + 3 * SIZE]
    got, a = ids(index, lon, lat)
    # vertical edge -> right grid; horizontal edge -> upper grid; corner of four -> upper
    # right; the county's own outer edges belong to the only grid there
    assert got == ["G10", "G01", "G11", "G00", "G20", "G02"]
    assert (a.state == INSIDE).all()


def test_random_points_agree_with_floor_on_the_lattice():
    index = lattice(5, 4)
    rng = np.random.default_rng(1)
    n = 20_000
    c = rng.integers(0, 5, n)
    r = rng.integers(0, 4, n)
    # a third exactly on lower/left edges, the rest inside
    fx = np.where(rng.random(n) < 0.33, 0.0, rng.uniform(0.01, 0.99, n))
    fy = np.where(rng.random(n) < 0.33, 0.0, rng.uniform(0.01, 0.99, n))
    lon = LON0 + (c + fx) * SIZE
    lat = LAT0 + (r + fy) * SIZE
    got, _ = ids(index, lon, lat)
    want = [f"G{a}{b}" for a, b in zip(c, r)]
    assert got == want


def test_ambiguous_after_the_nudge_takes_the_smallest_grid_id():
    # two triangles share the diagonal y = x: a point on it, nudged along (+1e-9, +1e-9),
    # stays on the diagonal; and two identical squares overlap completely
    lower = shapely.Polygon([(0, 0), (1, 0), (1, 1)])
    upper = shapely.Polygon([(0, 0), (1, 1), (0, 1)])
    sq = shapely.box(2, 0, 3, 1)
    index = GridIndex(pd.DataFrame({
        "grid_id": ["T2", "T1", "SB", "SA"], "village_code": None, "township_code": "T",
        "geom": [lower, upper, sq, sq]}))
    got, _ = ids(index, [0.5, 2.5, 0.75], [0.5, 0.5, 0.25], tol=0)
    assert got == ["T1", "SA", "T2"]


def _offset(lon, lat, az, metres):
    x, y, _ = GEOD.fwd(lon, lat, az, metres)
    return x, y


def test_tolerance_is_metres_on_the_ground():
    index = lattice()
    east_edge = LON0 + 3 * SIZE
    mid = LAT0 + 1.5 * SIZE
    pts = [_offset(east_edge, mid, 90, 300), _offset(east_edge, mid, 90, 700),
           _offset(LON0, LAT0 - 0.0, 180, 450), _offset(LON0, LAT0, 225, 600)]
    got, a = ids(index, [p[0] for p in pts], [p[1] for p in pts], tol=500)
    assert got == ["G21", None, "G00", None]
    assert a.state.tolist() == [NEAR, OUTSIDE, NEAR, OUTSIDE]
    assert abs(a.distance_m[0] - 300) < 2 and abs(a.distance_m[2] - 450) < 2
    d = index.distance_m(np.array([pts[1][0]]), np.array([pts[1][1]]))
    assert abs(d[0] - 700) < 2


def test_end_to_end_locations_and_tolerance_setting(county, tmp_path):
    east = LON0 + 3 * SIZE
    mid = LAT0 + 1.5 * SIZE
    near = _offset(east, mid, 90, 300)
    far = _offset(east, mid, 90, 800)
    rows = [
        ["E1", "2024-03-05 10:00", "矛盾纠纷", *cell(1, 1, 0.0, 0.5), "", "", ""],   # edge
        ["E2", "2024-03-05 10:00", "矛盾纠纷", f"{near[0]:.7f}", f"{near[1]:.7f}", "", "", ""],
        ["E3", "2024-03-05 10:00", "矛盾纠纷", f"{far[0]:.7f}", f"{far[1]:.7f}", "", "", ""],
        ["E4", "2024-03-05 10:00", "矛盾纠纷", "", "", "G02", "", ""],               # by grid
    ]
    rep = county.load([county.events(rows)])
    assert dict(q(county.db, "SELECT event_id, grid_id FROM events")) == {
        "E1": "G11", "E2": "G21", "E4": "G02"}
    assert source(rep, "events")["warnings"]["joined_nearest_grid"]["count"] == 1
    detail = one(county.db, "SELECT detail FROM rejects WHERE reason = 'outside_county'")
    assert "800 m outside" in detail
    # E4 has no point: grid, village and township come from its grid
    assert q(county.db, "SELECT lon, township_code FROM events WHERE event_id = 'E4'") == [
        (None, "330683100")]
    settings = tmp_path / "settings.toml"
    settings.write_text("[geo]\noutside_tolerance_m = 1000\n", encoding="utf-8")
    county.load([county.events(rows)], settings=settings)
    assert one(county.db, "SELECT grid_id FROM events WHERE event_id = 'E3'") == "G21"
    assert one(county.db, "SELECT count(*) FROM rejects") == 0
