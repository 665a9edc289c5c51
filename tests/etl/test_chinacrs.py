"""GCJ-02 / BD-09 conversions against published reference values and the real outlines."""
from __future__ import annotations

import json

import numpy as np
import pyproj
import pytest
import shapely

from etl import chinacrs as cc
from etl.geom import geoms_to_wgs84, metric_crs_for, to_metric
from tests.etl.conftest import FIX

# Test vectors published with googollee/eviltransform (go/transform_test.go, python/test.py):
# (wgs lat, wgs lng, gcj lat, gcj lng)
EVILTRANSFORM = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),     # Shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),     # Shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),     # Beijing
]


@pytest.mark.parametrize("wlat,wlon,glat,glon", EVILTRANSFORM)
def test_wgs84_to_gcj02_matches_published_vectors(wlat, wlon, glat, glon):
    lon, lat = cc.wgs84_to_gcj02(wlon, wlat)
    assert abs(lon - glon) < 1e-9 and abs(lat - glat) < 1e-9


@pytest.mark.parametrize("wlat,wlon,glat,glon", EVILTRANSFORM)
def test_gcj02_to_wgs84_inverts_to_1e9_degrees(wlat, wlon, glat, glon):
    lon, lat = cc.gcj02_to_wgs84(glon, glat)
    assert abs(lon - wlon) < 1e-9 and abs(lat - wlat) < 1e-9


def test_tiananmen_offset_is_the_well_known_one():
    # WGS84 (116.391, 39.907) is about GCJ-02 (116.3972, 39.9084): the Tiananmen example
    lon, lat = cc.wgs84_to_gcj02(116.391, 39.907)
    assert lon == pytest.approx(116.3972, abs=2e-4) and lat == pytest.approx(39.9084, abs=2e-4)


def test_bd09_matches_wandergis_coordtransform():
    # wandergis/coordtransform test/app.js results for (116.404, 39.915)
    assert cc.gcj02_to_bd09(116.404, 39.915) == pytest.approx(
        (116.41036949371029, 39.92133699351021), abs=1e-12)
    # coordtransform's bd09togcj02 is the one-step closed form; ours refines it (~1e-6° apart)
    assert cc.bd09_to_gcj02(116.404, 39.915) == pytest.approx(
        (116.39762729119315, 39.90865673957631), abs=1e-5)
    assert cc.gcj02_to_wgs84(116.404, 39.915) == pytest.approx(
        (116.39775550083061, 39.91359571849836), abs=1e-5)


def test_round_trips_are_exact_over_china():
    rng = np.random.default_rng(4)
    lon = rng.uniform(74, 134, 20_000)
    lat = rng.uniform(19, 53, 20_000)
    for fwd, inv in ((cc.wgs84_to_gcj02, cc.gcj02_to_wgs84), (cc.gcj02_to_bd09, cc.bd09_to_gcj02),
                     (cc.wgs84_to_bd09, cc.bd09_to_wgs84)):
        back = inv(*fwd(lon, lat))
        assert np.abs(back[0] - lon).max() < 1e-9 and np.abs(back[1] - lat).max() < 1e-9
    # and the offset is real (300-700 m scale), so the round trip is not trivially identity
    glon, glat = cc.wgs84_to_gcj02(lon, lat)
    assert np.abs(glon - lon).max() > 1e-3


def test_no_offset_outside_china():
    lon, lat = np.array([-122.42, 2.35, 151.2]), np.array([37.77, 48.85, -33.87])
    assert cc.out_of_china(lon, lat).all()
    g = cc.wgs84_to_gcj02(lon, lat)
    assert np.array_equal(g[0], lon) and np.array_equal(g[1], lat)
    w = cc.gcj02_to_wgs84(lon, lat)
    assert np.array_equal(w[0], lon) and np.array_equal(w[1], lat)


def _best_shift(g, target) -> tuple[float, float]:
    """The translation (metres) that best lays ``g`` on ``target`` (least symmetric
    difference), found coarse to fine; the outlines differ in detail (165 vs 1,633
    vertices), so compare positions, not vertices."""
    cx = cy = 0.0
    for step, half in ((100, 700), (20, 100), (4, 20)):
        cands = [(cx + dx, cy + dy) for dx in np.arange(-half, half + 1, step)
                 for dy in np.arange(-half, half + 1, step)]
        moved = np.array([shapely.affinity.translate(g, dx, dy) for dx, dy in cands])
        cx, cy = cands[int(np.argmin(shapely.area(shapely.symmetric_difference(moved, target))))]
    return float(cx), float(cy)


def test_shengzhou_gcj02_outline_lands_on_the_cgcs2000_one():
    import shapely.affinity  # noqa: F401

    gcj = shapely.from_geojson((FIX / "shengzhou_330683_outline_gcj02.geojson").read_text())
    feat = json.loads((FIX / "shengzhou_330683_outline_cgcs2000.geojson").read_text())
    cgcs = shapely.geometry.shape(feat["features"][0]["geometry"])
    cgcs_wgs = geoms_to_wgs84(np.array([cgcs]), "EPSG:4490")[0]
    wgs = geoms_to_wgs84(np.array([gcj]), "gcj02")[0]
    crs = metric_crs_for(np.array([cgcs_wgs]))
    converted, target, raw = to_metric(np.array([wgs, cgcs_wgs, gcj]), crs)
    before = np.hypot(*_best_shift(raw, target))
    after = np.hypot(*_best_shift(converted, target))
    assert 350 < before < 600          # the GCJ-02 offset here: ~+0.0042° lon, -0.0025° lat
    assert after < 50                  # converted: within ~50 m of the CGCS2000 outline
    assert abs(converted.area - target.area) / target.area < 0.005
    assert 1700 < target.area / 1e6 < 1900   # about 1,790 km² on the ground
    assert pyproj.CRS(crs).is_projected
