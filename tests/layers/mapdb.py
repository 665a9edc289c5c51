"""A small real DuckDB file for the map tests: the real schema, real polygons, exact rows.

Two townships side by side (甲镇 T1 and 乙镇 T2, 0.1° squares near 29.55°N); T1 holds grids
G1 (west half) and G2 (east half), T2 holds G3. Areas are measured in an equal-area CRS, as
the ETL does. Events and cameras are placed by the test that needs them.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import geopandas as gpd
import shapely
from shapely.geometry import box

from store.schema import create_schema, refresh_rollups

T1 = box(120.00, 29.50, 120.10, 29.60)
T2 = box(120.10, 29.50, 120.20, 29.60)
GRIDS = {"G1": ("一号网格", "T1", box(120.00, 29.50, 120.05, 29.60), "张三"),
         "G2": ("二号网格", "T1", box(120.05, 29.50, 120.10, 29.60), "李四"),
         "G3": ("三号网格", "T2", T2, "王五")}


def area_km2(geom) -> float:
    return float(gpd.GeoSeries([geom], crs=4326).to_crs("EPSG:6933").area.iloc[0] / 1e6)


def event(event_id: str, reported_at: dt.datetime, lon: float, lat: float, grid: str, *,
          status: str = "reported", closed_at: dt.datetime | None = None) -> tuple:
    township = GRIDS[grid][1]
    return (event_id, reported_at, "矛盾纠纷", lon, lat, grid, township, township + "V",
            closed_at, status)


def write_places(con, *, simple: bool = True) -> None:
    """The two townships and three grids (the analysis tests' file has the same ones);
    ``simple=False`` leaves geom_simple_wkb empty (full geometry only)."""
    for code, name, geom in (("T1", "甲镇", T1), ("T2", "乙镇", T2)):
        c = geom.centroid
        wkb = shapely.to_wkb(geom)
        con.execute("INSERT INTO townships VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [code, name, area_km2(geom), c.x, c.y, wkb, wkb if simple else None])
    for gid, (name, town, geom, worker) in GRIDS.items():
        c = geom.centroid
        wkb = shapely.to_wkb(geom)
        con.execute(
            "INSERT INTO grids VALUES (?, ?, ?, ?, ?, 100, 40, ?, ?, ?, ?, ?)",
            [gid, name, town, town + "V", worker, area_km2(geom), c.x, c.y, wkb,
             wkb if simple else None])


def make_map_db(path: Path, events=(), cameras=(), *, simple: bool = True) -> Path:
    """Write the file; ``simple=False`` leaves geom_simple_wkb empty (full geometry only)."""
    con = duckdb.connect(str(path))
    create_schema(con)
    write_places(con, simple=simple)
    if events:
        con.executemany(
            "INSERT INTO events (event_id, reported_at, category, lon, lat, grid_id,"
            " township_code, village_code, closed_at, status) VALUES (?,?,?,?,?,?,?,?,?,?)",
            list(events))
    if cameras:
        con.executemany(
            "INSERT INTO cameras (camera_id, name, status, lon, lat, grid_id, township_code)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)", list(cameras))
    refresh_rollups(con)
    con.close()
    return path
