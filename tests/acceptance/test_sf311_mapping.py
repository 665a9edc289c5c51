"""A held-out real city: San Francisco 311 cases, its supervisor districts and a camera
inventory without a status column, loaded by `python -m etl load` with a mapping file alone;
/api/metrics per district equals metrics.md computed on an independent geopandas join."""
from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import requests

from tests.serving import ROOT, running_server
from tests.store.oracle import oracle

DATA = Path(__file__).parent / "data" / "sf311"
FMT = "%m/%d/%Y %I:%M:%S %p"
TOLERANCE_M = 500            # settings geo.outside_tolerance_m, default
AS_OF = dt.datetime(2016, 1, 31, 0, 0)
WINDOWS = [(dt.date(2008, 7, 1), dt.date(2016, 2, 1), AS_OF),
           (dt.date(2015, 1, 1), dt.date(2015, 7, 1), dt.datetime(2015, 6, 30, 12, 0)),
           (dt.date(2015, 12, 1), dt.date(2016, 1, 1), dt.datetime(2015, 12, 28, 9, 0))]
pytestmark = pytest.mark.slow


def _district_of(points: gpd.GeoSeries) -> pd.Series:
    """District id per point: inside a polygon, else the nearest one within TOLERANCE_M."""
    districts = gpd.read_file(DATA / "supervisor_districts.geojson")[["id", "geometry"]]
    pts = gpd.GeoDataFrame(geometry=points, crs=4326)
    inside = gpd.sjoin(pts, districts, predicate="within", how="left")
    assert not inside.index.duplicated().any()        # no point on two districts
    out = inside["id"]
    miss = out.isna()
    if miss.any():
        utm = 32610                                     # UTM 10N: metres in San Francisco
        near = gpd.sjoin_nearest(pts[miss].to_crs(utm), districts.to_crs(utm), how="left",
                                 max_distance=TOLERANCE_M)
        out[miss] = near["id"].groupby(level=0).first()
    return out


def _lat_lon(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    parts = text.str.extract(r"^\(\s*([-\d.]+)\s*,\s*([-\d.]+)\s*\)$").astype(float)
    return parts[0], parts[1]


def independent_events() -> list[dict]:
    src = pd.read_csv(DATA / "sf311_cases_2000.csv", dtype=str, keep_default_na=False)
    opened = pd.to_datetime(src["Opened"], format=FMT)
    closed = pd.to_datetime(src["Closed"], format=FMT, errors="coerce")
    lat, lon = _lat_lon(src["Point"])
    keep = lat.notna() & ~(closed < opened)
    district = _district_of(gpd.points_from_xy(lon[keep], lat[keep]))
    district.index = src.index[keep]
    out = []
    for i in src.index[keep]:
        if pd.isna(district[i]):
            continue                                    # outside every district: rejected
        out.append({"event_id": src.at[i, "CaseID"], "grid_id": district[i],
                    "reported_at": opened[i].to_pydatetime(),
                    "closed_at": None if pd.isna(closed[i]) else closed[i].to_pydatetime(),
                    "category": src.at[i, "Category"], "status": None, "accepted_at": None,
                    "dispatched_at": None, "satisfaction": None, "level": None})
    return out


def independent_cameras() -> pd.DataFrame:
    cams = pd.read_csv(DATA / "cameras_no_status.csv", dtype=str, keep_default_na=False)
    lat, lon = _lat_lon(cams["Location"])
    cams["district"] = _district_of(gpd.points_from_xy(lon, lat)).to_numpy()
    cams["seen"] = pd.to_datetime(cams["Last Contact"], format=FMT, errors="coerce")
    return cams


def load(db: Path, config: Path) -> None:
    res = subprocess.run([sys.executable, "-m", "etl", "load", "--db", str(db), "--config",
                          str(config), "--quiet"], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sf311")
    for f in DATA.iterdir():
        shutil.copyfile(f, out / f.name)
    return out


def _close(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) < 1e-9


def test_every_district_figure_agrees_with_an_independent_geopandas_join(folder):
    db = folder / "sf.duckdb"
    load(db, folder / "load.toml")
    truth = independent_events()
    cams = independent_cameras()
    districts = sorted({e["grid_id"] for e in truth}, key=int)
    assert len(districts) == 11 and len(truth) > 1900
    with running_server(db) as (base, _):
        health = requests.get(f"{base}/api/health").json()
        assert health["tables"]["events"] == len(truth)
        assert health["tables"]["grids"] == 11 and health["tables"]["cameras"] == len(cams)
        checked = 0
        for start, end, as_of in WINDOWS:
            for scope in ["county", *(f"grid:{d}" for d in districts),
                          *(f"township:{d}" for d in districts[:3])]:
                code = None if scope == "county" else scope.split(":")[1]
                got = requests.get(f"{base}/api/metrics", params={
                    "scope": scope, "start": start.isoformat(), "end": end.isoformat(),
                    "as_of": as_of.isoformat()}).json()
                want = oracle(truth, start=start, end=end, as_of=as_of,
                              scope=None if code is None else (lambda e, c=code: e["grid_id"] == c))
                for key, value in want.items():
                    assert _close(got[key], value), (scope, start, key, got[key], value)
                mine = cams if code is None else cams[cams["district"] == code]
                assert (got["cameras"], got["cameras_online"]) == (len(mine), 0)  # all unknown
                checked += 1
        assert checked == 3 * 15
        channels = requests.get(f"{base}/api/metrics", params={"as_of": AS_OF.isoformat()})
        assert channels.status_code == 200


def test_a_constant_status_makes_cameras_online_until_last_seen_ages_them(folder):
    db = folder / "sf_online.duckdb"
    load(db, folder / "load_online.toml")
    cams = independent_cameras()
    fresh = cams["seen"].isna() | (AS_OF - cams["seen"] <= pd.Timedelta(hours=24))
    with running_server(db) as (base, _):
        for d in ["county", "3", "6", "10"]:
            scope = d if d == "county" else f"grid:{d}"
            got = requests.get(f"{base}/api/metrics", params={
                "scope": scope, "as_of": AS_OF.isoformat()}).json()
            mine = cams if d == "county" else cams[cams["district"] == d]
            online = int(fresh[mine.index].sum())
            assert (got["cameras"], got["cameras_online"]) == (len(mine), online), d
        county = requests.get(f"{base}/api/metrics", params={"as_of": AS_OF.isoformat()}).json()
        assert 0 < county["cameras_online"] < county["cameras"]
