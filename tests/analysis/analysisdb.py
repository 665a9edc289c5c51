"""A small real DuckDB file for the analysis tests: the real schema, real polygons (two
townships side by side, the map tests' geometry), events with every column the event table
shows, and cameras placed at exact geodesic distances from a grid's border.

Geometry (WGS84): 甲镇 T1 = [120.00, 120.10] × [29.50, 29.60] holding G1 (west half) and G2
(east half); 乙镇 T2 = [120.10, 120.20] × [29.50, 29.60] = grid G3. So G2's east edge, the
meridian 120.10°E, is also the township border.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
from pyproj import Geod

from store.schema import create_schema, refresh_rollups
from tests.layers.mapdb import GRIDS, write_places

GEOD = Geod(ellps="WGS84")
BORDER_LON = 120.10
EVENT_COLS = ("event_id", "reported_at", "category", "channel", "address", "lon", "lat",
              "grid_id", "village_code", "township_code", "accepted_at", "dispatched_at",
              "closed_at", "department", "status", "reporter_name", "reporter_phone")


def event(event_id: str, reported_at: dt.datetime, grid: str = "G1", *,
          category: str = "矛盾纠纷", channel: str = "网格员", department: str = "综治办",
          status: str = "reported", closed_at=None, accepted_at=None, dispatched_at=None,
          address: str = "人民路1号", name: str = "张三丰", phone: str = "13812345678",
          lon: float | None = None, lat: float | None = None) -> tuple:
    town = GRIDS[grid][1]
    c = GRIDS[grid][2].centroid
    return (event_id, reported_at, category, channel, address,
            c.x if lon is None else lon, c.y if lat is None else lat, grid, town + "V", town,
            accepted_at, dispatched_at, closed_at, department, status, name, phone)


def east_of_border(lat: float, metres: float) -> tuple[float, float]:
    """The point ``metres`` due east (geodesic azimuth 90°) of the border at ``lat``."""
    lon, la, _ = GEOD.fwd(BORDER_LON, lat, 90.0, metres)
    return lon, la


def make_db(path: Path, events=(), cameras=()) -> Path:
    """``cameras``: (camera_id, name, status, lon, lat, grid_id, township_code, last_seen_at)."""
    con = duckdb.connect(str(path))
    create_schema(con)
    write_places(con)
    con.execute("INSERT INTO villages VALUES ('T1V', '甲村', 'T1'), ('T2V', '乙村', 'T2')")
    if events:
        con.executemany(f"INSERT INTO events ({', '.join(EVENT_COLS)}) VALUES "
                        f"({', '.join('?' for _ in EVENT_COLS)})", list(events))
    if cameras:
        con.executemany(
            "INSERT INTO cameras (camera_id, name, status, lon, lat, grid_id, township_code,"
            " last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", list(cameras))
    con.execute("INSERT OR REPLACE INTO meta VALUES ('dataset_name', '测试县')")
    refresh_rollups(con)
    con.close()
    return path
