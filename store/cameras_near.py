"""Cameras near a place, in metres on the ground (视频点位查找与覆盖).

Why a local azimuthal equidistant projection (AEQD) centred on the place: distances from
its centre are exact geodesic distances on the WGS84 ellipsoid, and a few kilometres away
the scale error is about (d/R)²/6 (d = 30 km: 4·10⁻⁶, a millimetre on 300 m), so a polygon
distance computed in it agrees with a geodesic one far below a metre. A grid's edges are
taken as straight lines in that plane (≈ geodesics); the grid's full geometry is used, not
the simplified one the wall draws. Distance to a grid is to its polygon: 0 inside.

"Online" follows metrics.md at ``as_of``: status online and, when the camera reports a
``last_seen_at``, seen within ``camera_offline_after_h`` hours (0 or unset: no such rule).

Places: ``grid:<id>`` or ``point:<lon>,<lat>`` (WGS84).
"""
from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from store.db import ReadStore
from store.settings import Settings

WGS84 = "EPSG:4326"
COLUMNS = ["camera_id", "name", "status", "online", "lon", "lat", "distance_m"]
MAX_RADIUS_M = 50_000.0


class PlaceError(ValueError):
    """A bad ``near`` or radius; the API answers 400 with this message."""


@dataclass(frozen=True)
class Place:
    kind: str                      # "grid" | "point"
    grid_id: str | None = None
    lon: float | None = None
    lat: float | None = None


def parse_near(text: str | None) -> Place:
    """``grid:<id>`` | ``point:<lon>,<lat>`` → :class:`Place` (PlaceError when malformed)."""
    text = (text or "").strip()
    kind, sep, rest = text.partition(":")
    if sep and kind == "grid" and rest.strip():
        return Place("grid", grid_id=rest.strip())
    if sep and kind == "point":
        m = re.fullmatch(r"\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*", rest)
        if m:
            lon, lat = float(m.group(1)), float(m.group(2))
            if -180 <= lon <= 180 and -90 <= lat <= 90:
                return Place("point", lon=lon, lat=lat)
    raise PlaceError(f"bad near {text!r}: use grid:<id> or point:<lon>,<lat> (WGS84 degrees)")


def parse_radius(text, default: float) -> float:
    if text is None or text == "":
        return float(default)
    try:
        r = float(text)
    except (TypeError, ValueError) as exc:
        raise PlaceError(f"bad radius_m {text!r}: a number of metres") from exc
    if not (0 <= r <= MAX_RADIUS_M) or r != r:
        raise PlaceError(f"bad radius_m {text!r}: between 0 and {MAX_RADIUS_M:.0f} metres")
    return r


def local_crs(lon: float, lat: float) -> CRS:
    """An azimuthal equidistant CRS in metres centred on (lon, lat)."""
    return CRS.from_proj4(f"+proj=aeqd +lat_0={lat:.9f} +lon_0={lon:.9f} +x_0=0 +y_0=0"
                          " +datum=WGS84 +units=m +no_defs")


@lru_cache(maxsize=512)
def _transformer(lon: float, lat: float) -> Transformer:
    return Transformer.from_crs(WGS84, local_crs(lon, lat), always_xy=True)


def _to_local(lon: float, lat: float) -> Transformer:
    """WGS84 → the AEQD centred on (lon, lat); building one costs ~30 ms, so they are kept
    (centres rounded to 1e-7°, about 1 cm)."""
    return _transformer(round(lon, 7), round(lat, 7))


def _xy(tr: Transformer, x, y) -> tuple[np.ndarray, np.ndarray]:
    """Transform coordinate arrays (pyproj takes a 1-element array for a scalar: pass floats)."""
    x = np.asarray(x, dtype="float64").ravel()
    y = np.asarray(y, dtype="float64").ravel()
    if len(x) == 1:
        px, py = tr.transform(float(x[0]), float(y[0]))
        return np.array([px]), np.array([py])
    px, py = tr.transform(x, y)
    return np.asarray(px), np.asarray(py)


def _project(geom, tr: Transformer):
    return shapely.transform(geom, lambda xy: np.column_stack(_xy(tr, xy[:, 0], xy[:, 1])))


def distances_m(geom, lon, lat) -> np.ndarray:
    """Metres on the ground from the points (lon, lat) to ``geom`` (0 inside a polygon), in
    the AEQD centred on the geometry: the one measure of "near" every screen uses."""
    centre = geom.centroid
    tr = _to_local(centre.x, centre.y)
    x, y = _xy(tr, lon, lat)
    return shapely.distance(shapely.points(x, y), _project(geom, tr))


def online_sql(alias: str = "") -> str:
    """SQL condition 'online at as_of'; parameters: as_of, max age in µs, max age in µs."""
    a = alias + "." if alias else ""
    return (f"({a}status = 'online' AND ({a}last_seen_at IS NULL OR ? <= 0"
            f" OR date_diff('microsecond', {a}last_seen_at, ?::TIMESTAMP) <= ?))")


def online_params(settings: Settings, as_of: dt.datetime) -> list:
    max_us = float(settings.raw.get("camera_offline_after_h") or 0) * 3_600_000_000.0
    return [max_us, as_of, max_us]


def grid_geometry(store: ReadStore, grid_id: str):
    """The grid's full polygon (WGS84 shapely geometry), None when unknown or without one."""
    row = store.rows("SELECT coalesce(geom_wkb, geom_simple_wkb) FROM grids WHERE grid_id = ?",
                     [grid_id])
    if not row or row[0][0] is None:
        return None
    return shapely.make_valid(shapely.from_wkb(bytes(row[0][0])))


def bbox_pad(bounds, radius_m: float) -> tuple[float, float, float, float]:
    minx, miny, maxx, maxy = bounds
    pad_lat = radius_m / 110_000 * 1.2 + 1e-6
    pad_lon = pad_lat / max(math.cos(math.radians(max(abs(miny), abs(maxy)))), 0.05)
    return minx - pad_lon, miny - pad_lat, maxx + pad_lon, maxy + pad_lat


def _cameras_in_box(store: ReadStore, settings: Settings, box, as_of: dt.datetime,
                    only_online: bool = False) -> pd.DataFrame:
    online = online_sql()
    where = f" AND {online}" if only_online else ""
    return store.df(
        f"SELECT camera_id, name, status, {online} AS online, lon, lat FROM cameras"
        f" WHERE lon BETWEEN ? AND ? AND lat BETWEEN ? AND ?{where}",
        [*online_params(settings, as_of), box[0], box[2], box[1], box[3],
         *(online_params(settings, as_of) if only_online else [])])


def cameras_near(
    store: ReadStore,
    settings: Settings,
    place: Place,
    radius_m: float,
    as_of: dt.datetime,
) -> pd.DataFrame:
    """Cameras within ``radius_m`` metres of ``place``, nearest first (ties: camera_id).

    Columns: camera_id, name, status (as of ``as_of``: online | offline | unknown), online
    (bool), lon, lat, distance_m. PlaceError for an unknown grid.
    """
    if place.kind == "grid":
        geom = grid_geometry(store, place.grid_id)
        if geom is None:
            raise PlaceError(f"unknown grid {place.grid_id!r}")
    else:
        geom = shapely.Point(place.lon, place.lat)   # the projection's centre, (0, 0) exactly
    cams = _cameras_in_box(store, settings, bbox_pad(geom.bounds, radius_m), as_of)
    if cams.empty:
        return pd.DataFrame(columns=COLUMNS)
    cams["distance_m"] = distances_m(geom, cams["lon"].to_numpy(), cams["lat"].to_numpy())
    cams = cams[cams["distance_m"] <= radius_m].copy()
    cams["online"] = cams["online"].astype(bool)
    cams["status"] = effective_status(cams["status"], cams["online"])
    return cams.sort_values(["distance_m", "camera_id"], ignore_index=True)[COLUMNS]


def effective_status(status: pd.Series, online: pd.Series) -> pd.Series:
    """online when online at as_of; a stored 'online' that went stale reads offline."""
    s = status.fillna("unknown").astype(str)
    return s.where(~((s == "online") & ~online), "offline").where(~online, "online")


def online_within(
    store: ReadStore,
    settings: Settings,
    grid_ids: tuple[str, ...] | None,
    as_of: dt.datetime,
    radius_m: float | None = None,
) -> dict[str, int]:
    """For each grid (``None``: every grid): how many cameras online at ``as_of`` lie within
    ``radius_m`` (default settings geo.camera_radius_m) of its polygon. One AEQD centred on
    the grids' box (its scale error over a county is far below a metre at these radii)."""
    radius = float(radius_m if radius_m is not None
                   else settings.section("geo")["camera_radius_m"])
    if grid_ids is None:
        rows = store.rows("SELECT grid_id, coalesce(geom_wkb, geom_simple_wkb) FROM grids")
        out = {g: 0 for g, _ in rows}
    else:
        out = {g: 0 for g in grid_ids}
        if not grid_ids:
            return out
        rows = store.rows(
            "SELECT grid_id, coalesce(geom_wkb, geom_simple_wkb) FROM grids"
            " WHERE grid_id IN (SELECT unnest(?::VARCHAR[]))", [list(grid_ids)])
    rows = [(g, b) for g, b in rows if b is not None]
    if not rows:
        return out
    geoms = shapely.make_valid(shapely.from_wkb(np.array([bytes(b) for _, b in rows],
                                                         dtype=object)))
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    cams = _cameras_in_box(store, settings, bbox_pad((minx, miny, maxx, maxy), radius),
                           as_of, only_online=True)
    if cams.empty:
        return out
    tr = _to_local((minx + maxx) / 2, (miny + maxy) / 2)
    local = _project(geoms, tr)
    x, y = _xy(tr, cams["lon"].to_numpy(), cams["lat"].to_numpy())
    tree = shapely.STRtree(shapely.points(x, y))
    gi, _ci = tree.query(local, predicate="dwithin", distance=radius)
    counts = np.bincount(gi, minlength=len(rows))
    for (grid_id, _), n in zip(rows, counts):
        out[grid_id] = int(n)
    return out
