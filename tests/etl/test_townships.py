"""Township codes and shapes: from the source, from a townships layer (by name or by
largest overlap), or derived; villages; areas measured on the ground."""
from __future__ import annotations

import hashlib

import geopandas as gpd
import numpy as np
import pyproj
import shapely

from tests.etl.conftest import FIX, LAT0, LON0, SIZE, one, q, source

GEOD = pyproj.Geod(ellps="WGS84")


def derived(prefix: str, *parts: str) -> str:
    return prefix + hashlib.sha1("|".join(parts).encode("utf-8")).hexdigest()[:8]


def grids(drop=(), **rename):
    g = gpd.read_file(FIX / "grids_zh.geojson").drop(columns=list(drop))
    return g.rename(columns=rename)


def test_codes_from_the_source_and_areas_on_the_ground(county):
    county.load([])
    db = county.db
    assert dict(q(db, "SELECT grid_id, township_code FROM grids WHERE grid_id IN "
                  "('G00', 'G10')")) == {"G00": "330683100", "G10": "330683001"}
    for gid, area in q(db, "SELECT grid_id, area_km2 FROM grids"):
        c, r = int(gid[1]), int(gid[2])
        x0, y0 = LON0 + c * SIZE, LAT0 + r * SIZE
        geodesic = abs(GEOD.geometry_area_perimeter(
            shapely.box(x0, y0, x0 + SIZE, y0 + SIZE))[0]) / 1e6
        assert abs(area - geodesic) / geodesic < 1e-3
    # townships dissolved from their grids: 3 and 6 squares
    tw = {c: (n, a) for c, n, a in q(db, "SELECT township_code, township_name, area_km2 "
                                       "FROM townships")}
    sums = dict(q(db, "SELECT township_code, sum(area_km2) FROM grids GROUP BY 1"))
    assert tw["330683100"][0] == "甘霖镇" and tw["330683001"][0] == "剡湖街道"
    for code, (_, area) in tw.items():
        assert abs(area - sums[code]) / sums[code] < 1e-6
    lon, lat = q(db, "SELECT centroid_lon, centroid_lat FROM townships "
                     "WHERE township_code = '330683100'")[0]
    assert abs(lon - (LON0 + 0.5 * SIZE)) < 1e-4 and abs(lat - (LAT0 + 1.5 * SIZE)) < 1e-4
    shape = shapely.from_wkb(one(db, "SELECT geom_wkb FROM townships "
                                    "WHERE township_code = '330683001'"))
    assert shape.geom_type == "Polygon" and shapely.get_num_interior_rings(shape) == 0
    simple = [shapely.from_wkb(w) for (w,) in q(db, "SELECT geom_simple_wkb FROM grids")]
    assert all(s is not None and s.is_valid and not s.is_empty for s in simple)
    # villages: names and codes from the grids (no code given: derived from township + name)
    v = dict(q(db, "SELECT village_name, village_code FROM villages"))
    assert v["甘霖1村"] == derived("V", "330683100", "甘霖1村") and len(v) == 6


def test_derived_township_codes_are_stable(county):
    grids(drop=["镇街编码"]).to_file(county.path / "g.gpkg", driver="GPKG")
    county.grids = {"kind": "grids", "path": "g.gpkg"}
    county.load([])
    want = {derived("T", "甘霖镇"): "甘霖镇", derived("T", "剡湖街道"): "剡湖街道"}
    assert dict(q(county.db, "SELECT township_code, township_name FROM townships")) == want
    assert want == {"T" + hashlib.sha1("甘霖镇".encode()).hexdigest()[:8]: "甘霖镇",
                    "T" + hashlib.sha1("剡湖街道".encode()).hexdigest()[:8]: "剡湖街道"}
    county.load([])
    assert dict(q(county.db, "SELECT township_code, township_name FROM townships")) == want


def _layer(folder, name="townships.geojson", codes=("330683100", "330683001")):
    """Two township polygons: the west one covers lattice column 0 and 40 % of column 1."""
    split = LON0 + 1.4 * SIZE
    gpd.GeoDataFrame(
        {"镇街编码": list(codes), "镇街名称": ["甘霖镇", "剡湖街道"]},
        geometry=[shapely.box(LON0 - SIZE, LAT0 - SIZE, split, LAT0 + 4 * SIZE),
                  shapely.box(split, LAT0 - SIZE, LON0 + 4 * SIZE, LAT0 + 4 * SIZE)],
        crs=4326).to_file(folder / name, driver="GeoJSON")
    return {"kind": "townships", "path": name}


def test_layer_gives_codes_to_names(county):
    grids(drop=["镇街编码"]).to_file(county.path / "g.gpkg", driver="GPKG")
    county.grids = {"kind": "grids", "path": "g.gpkg"}
    rep = county.load([_layer(county.path)])
    assert source(rep, "townships")["new"] == 2
    assert dict(q(county.db, "SELECT grid_id, township_code FROM grids WHERE grid_id IN "
                  "('G00', 'G10')")) == {"G00": "330683100", "G10": "330683001"}
    # shapes come from the layer, not from the grids
    area = one(county.db, "SELECT area_km2 FROM townships WHERE township_code = '330683100'")
    assert area > 1.3 * one(county.db, "SELECT sum(area_km2) FROM grids WHERE "
                                       "township_code = '330683100'")


def test_township_from_largest_overlap(county):
    grids(drop=["镇街编码", "所属镇街"]).to_file(county.path / "g.gpkg", driver="GPKG")
    county.grids = {"kind": "grids", "path": "g.gpkg"}
    county.load([_layer(county.path)])
    got = dict(q(county.db, "SELECT grid_id, township_code FROM grids"))
    # column 1 lies 40 % in the west township, 60 % in the east one
    assert {g: t for g, t in got.items() if g[1] in "01"} == {
        "G00": "330683100", "G01": "330683100", "G02": "330683100",
        "G10": "330683001", "G11": "330683001", "G12": "330683001"}
    # a later grids file without townships still finds the layer in the database
    county.load([])
    assert dict(q(county.db, "SELECT grid_id, township_code FROM grids")) == got


def test_grid_township_may_hold_a_code(county):
    g = grids(drop=["镇街编码"])
    g["所属镇街"] = g["所属镇街"].map({"甘霖镇": "330683100", "剡湖街道": "330683001"})
    g.to_file(county.path / "g.gpkg", driver="GPKG")
    county.grids = {"kind": "grids", "path": "g.gpkg"}
    county.load([_layer(county.path)])
    assert dict(q(county.db, "SELECT grid_id, township_code FROM grids WHERE grid_id IN "
                  "('G00', 'G20')")) == {"G00": "330683100", "G20": "330683001"}
    assert one(county.db, "SELECT count(*) FROM townships") == 2


def test_grids_without_township_and_no_layer_is_a_load_error(county):
    import pytest

    from etl.errors import LoadError

    grids(drop=["镇街编码", "所属镇街"]).to_file(county.path / "g.gpkg", driver="GPKG")
    county.grids = {"kind": "grids", "path": "g.gpkg"}
    with pytest.raises(LoadError, match="no townships layer"):
        county.load([])


def test_projected_and_offset_crs_are_converted(county):
    g = grids()
    g.to_crs("EPSG:4549").to_file(county.path / "g.gpkg", driver="GPKG")  # CGCS2000 GK 120E
    county.grids = {"kind": "grids", "path": "g.gpkg"}
    county.load([])
    lon, lat = q(county.db, "SELECT centroid_lon, centroid_lat FROM grids "
                            "WHERE grid_id = 'G00'")[0]
    assert abs(lon - (LON0 + 0.5 * SIZE)) < 1e-6 and abs(lat - (LAT0 + 0.5 * SIZE)) < 1e-6
    from etl.chinacrs import wgs84_to_gcj02

    gcj = g.copy()
    gcj["geometry"] = shapely.transform(
        g.geometry.values, lambda xy: __import__("numpy").column_stack(
            wgs84_to_gcj02(xy[:, 0], xy[:, 1])))
    gcj.to_file(county.path / "gcj.geojson", driver="GeoJSON")
    county.grids = {"kind": "grids", "path": "gcj.geojson", "crs": "gcj02"}
    county.db.unlink()
    county.load([])
    lon, lat = q(county.db, "SELECT centroid_lon, centroid_lat FROM grids "
                            "WHERE grid_id = 'G00'")[0]
    assert abs(lon - (LON0 + 0.5 * SIZE)) < 1e-6 and abs(lat - (LAT0 + 0.5 * SIZE)) < 1e-6


def test_township_union_drops_specks_between_grids_but_keeps_enclaves():
    """Grids digitised one by one leave tiny gaps: their union's holes and splinters under
    SLIVER_M2 go (each would be a dot on the wall); a missing grid is a real hole and stays."""
    from etl import geom as G

    step = 0.001                                           # ~100 m x 97 m at 29.6° N
    ring = [shapely.box(LON0 + i * step, LAT0 + j * step, LON0 + (i + 1) * step,
                        LAT0 + (j + 1) * step)
            for i in range(3) for j in range(3) if (i, j) != (1, 1)]    # centre left out
    speck = shapely.box(LON0 + 0.1 * step, LAT0 + 0.1 * step,
                        LON0 + 0.12 * step, LAT0 + 0.12 * step)          # ~2 m x 2 m
    ring[0] = ring[0].difference(speck)                    # a gap inside one grid
    splinter = shapely.box(LON0 + 5 * step, LAT0, LON0 + 5.1 * step, LAT0 + 0.1 * step)
    geoms = np.array(ring + [splinter], dtype=object)
    crs = G.metric_crs_for(geoms)
    raw = shapely.union_all(geoms)
    assert shapely.get_num_interior_rings(shapely.get_parts(raw)).sum() == 2
    shape = G.dissolve(geoms, crs)
    assert shape.geom_type == "Polygon"                    # the ~100 m² splinter is gone
    assert shapely.get_num_interior_rings(shape) == 1      # the missing grid's hole stays
    hole = shapely.Polygon(shapely.get_interior_ring(shape, 0))
    assert abs(GEOD.geometry_area_perimeter(hole)[0]) > 9_000


def test_a_village_no_grid_names_any_more_is_removed_as_a_township_is(county):
    """docs/etl.md: villages come from the grids. When a newer grids layer moves the third
    column to another township, its villages get new codes; when a later one moves it back,
    the codes of the other township were kept (as villages of a township that no longer
    exists), where a fresh load of the same grids has none: listed under by=village, and
    taken by a village scope given by name."""
    path = county.path / "grids_zh.geojson"
    base = path.read_text(encoding="utf-8")
    county.load([])
    before = q(county.db, "SELECT * FROM villages ORDER BY ALL")
    moved = gpd.read_file(path)
    third = moved["网格编号"].str.startswith("G2")
    moved.loc[third, "所属镇街"] = "三界镇"
    moved.loc[third, "镇街编码"] = "330683102"
    moved.to_file(path, driver="GeoJSON")
    county.load([])
    assert one(county.db, "SELECT count(*) FROM villages WHERE township_code = '330683102'") == 3
    assert one(county.db, "SELECT count(*) FROM villages WHERE village_code NOT IN "
               "(SELECT village_code FROM grids)") == 0
    path.write_text(base, encoding="utf-8")
    county.load([])
    assert q(county.db, "SELECT * FROM villages ORDER BY ALL") == before
    assert q(county.db, "SELECT township_code FROM townships ORDER BY 1") == [
        ("330683001",), ("330683100",)]
