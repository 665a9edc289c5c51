"""The demo territory, read back from the written files: real names and codes, grids that tile
the real outline with no gap or overlap, nested in villages and townships, sized like real ones."""
from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from etl.demo.reference import DATA_DIR, display_name, load_reference

LAEA = "+proj=laea +lat_0=29.6 +lon_0=120.8 +ellps=WGS84 +units=m"


@pytest.fixture(scope="module")
def grids(demo_small):
    return gpd.read_file(demo_small / "grids.gpkg").to_crs(LAEA)


@pytest.fixture(scope="module")
def outline():
    ref = load_reference()
    return gpd.GeoSeries([ref.outline], crs="EPSG:4326").to_crs(LAEA).iloc[0]


def test_reference_data_is_shengzhou():
    ref = load_reference()
    assert len(ref.townships) == 15
    assert ("330683103", "黄泽镇") in ref.townships
    assert len(ref.villages) == 304
    assert all(v.code.startswith(v.township_code) and len(v.code) == 12 for v in ref.villages)
    assert display_name("里坂村委会") == "里坂村"
    assert display_name("章村路居委会") == "章村路社区"
    assert display_name("城隍坊社区") == "城隍坊社区"
    assert (DATA_DIR / "README.md").exists()


def test_outline_is_the_real_county(outline):
    # 嵊州市 is about 1,790 km²; the converted Amap outline measures 1,780.7 km²
    assert 1_770 < outline.area / 1e6 < 1_795
    lon, lat = shapely.get_coordinates(load_reference().outline.centroid)[0]
    assert 120.70 < lon < 120.80 and 29.55 < lat < 29.62


def test_grids_tile_the_county_without_gaps_or_overlaps(grids, outline):
    union = shapely.union_all(grids.geometry.values, grid_size=0.01)
    total = grids.geometry.area.sum()
    assert abs(union.area - outline.area) / outline.area < 1e-4      # no gap
    assert abs(total - union.area) / union.area < 1e-4               # no overlap
    assert shapely.symmetric_difference(union, outline).area / outline.area < 1e-4
    assert grids.geometry.is_valid.all()
    assert set(grids.geometry.geom_type) <= {"Polygon", "MultiPolygon"}


def test_grids_nest_in_real_villages_and_townships(grids, demo_small):
    ref = load_reference()
    codes = dict(ref.townships)
    vills = {v.code: v for v in ref.villages}
    assert grids["网格编号"].is_unique
    assert set(grids["镇街编码"]) == set(codes)
    assert (grids["所属镇街"] == grids["镇街编码"].map(codes)).all()
    assert set(grids["村社编码"]) == set(vills)                      # every village has grids
    assert (grids["村(社区)"] == grids["村社编码"].map(lambda c: vills[c].name)).all()
    assert grids.apply(lambda r: r["村社编码"].startswith(r["镇街编码"]), axis=1).all()
    per_village = grids.groupby("村社编码").size()
    assert per_village.min() >= 1 and 3.5 <= per_village.mean() <= 6
    # grids of one village form one contiguous piece, as do villages of one township
    for key in ("村社编码", "镇街编码"):
        merged = grids.dissolve(key).geometry.buffer(0.05)
        assert (merged.geom_type == "Polygon").mean() > 0.97, key
    towns = gpd.read_file(demo_small / "townships.geojson").to_crs(LAEA)
    assert len(towns) == 15 and set(towns["镇街编码"]) == set(codes)
    dissolved = grids.dissolve("镇街编码").geometry
    for code, geom in zip(towns["镇街编码"], towns.geometry):
        assert shapely.symmetric_difference(geom, dissolved[code]).area / geom.area < 1e-4


def test_grids_are_sized_like_real_ones(grids):
    assert 1_200 <= len(grids) <= 1_700             # 嵊州市 reports 1,434 grids
    area = grids.geometry.area / 1e6
    street = grids["所属镇街"].str.endswith("街道")
    community = grids["村(社区)"].str.endswith("社区")
    city = area[street & community]
    rural = area[~street & ~community]
    assert city.median() < 0.35                      # a few hundred metres across
    assert rural.median() > 1.0 and rural.quantile(0.9) > 2.5   # several km² in the hills
    assert city.median() * 5 < rural.median()
    pop = grids["人口"]
    assert 600_000 < pop.sum() < 750_000
    assert (grids["户数"] < pop).all() and (grids["户数"] > 0).all()
    assert grids["网格员"].str.len().between(2, 3).all()


def test_township_seats_sit_where_the_city_is(grids):
    wgs = grids.to_crs("EPSG:4326")
    city = wgs[wgs["所属镇街"].isin(["剡湖街道", "三江街道", "鹿山街道", "浦口街道"])]
    lon, lat = city.geometry.union_all().centroid.coords[0]
    assert abs(lon - 120.82) < 0.05 and abs(lat - 29.59) < 0.04


def test_truth_file_names_planted_grids(demo_small, grids):
    truth = json.loads((demo_small / "demo_truth.json").read_text("utf-8"))
    ids = set(grids["网格编号"])
    assert len(truth["planted_hotspots"]) == 3
    for h in truth["planted_hotspots"]:
        assert set(h["grid_ids"]) <= ids
    assert pd.Series(truth["lagging_townships"]).isin(grids["镇街编码"]).all()
    assert np.isfinite([h["lon"] for h in truth["planted_hotspots"]]).all()
