"""Read functions for the wall's map: shapes, measures per unit, event raster, cameras.

Every function takes ``(store, settings, ...)`` with plain-value arguments, so the wall calls
them through ``ctx.cached`` and a refresh re-reads nothing that has not changed. Shapes come
from the ETL's simplified ``geom_simple_wkb`` (the full geometry only when that is missing) and
are parsed once per store version. Figures per unit come from :mod:`store.metrics` only.
"""
from __future__ import annotations

import datetime as dt
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from store.cameras_near import bbox_pad, distances_m, grid_geometry
from store.db import ReadStore
from store.memo import shared_read
from store.metrics import Scope, camera_status_at, metrics_table
from store.settings import Settings
from store.vocab import MAP_MEASURES

CRS = "EPSG:4326"


def _shapes(df: pd.DataFrame) -> gpd.GeoDataFrame:
    simple = df.pop("geom_simple_wkb")
    full = df.pop("geom_wkb")
    def blob(b):
        return None if b is None or b is pd.NA or (isinstance(b, float) and b != b) else bytes(b)

    blobs = [blob(s) if blob(s) is not None else blob(f) for s, f in zip(simple, full)]
    geoms = shapely.from_wkb(np.array(blobs, dtype=object))
    gdf = gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms, crs=CRS), crs=CRS)
    gdf = gdf[~gdf.geometry.isna() & ~gdf.geometry.is_empty].reset_index(drop=True)
    gdf["geometry"] = shapely.make_valid(gdf.geometry.values)
    lon, lat = label_points(gdf.geometry.values)
    gdf["label_lon"], gdf["label_lat"] = lon, lat
    return gdf


def label_points(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The most interior point of each polygon (centre of the largest inscribed circle).

    A centroid can fall outside a crescent-shaped township; the inscribed-circle centre is
    always inside and where a name fits best.
    """
    out_x = np.empty(len(geoms))
    out_y = np.empty(len(geoms))
    for i, g in enumerate(geoms):
        if g.geom_type == "MultiPolygon":
            g = max(g.geoms, key=lambda p: p.area)
        elif g.geom_type == "GeometryCollection":
            polys = [p for p in shapely.get_parts(g) if p.geom_type == "Polygon"]
            g = max(polys, key=lambda p: p.area) if polys else g
        minx, miny, maxx, maxy = g.bounds
        tol = max(maxx - minx, maxy - miny) / 200 or 1e-6
        try:
            pt = shapely.get_point(shapely.maximum_inscribed_circle(g, tol), 0)
        except shapely.errors.GEOSException:
            pt = g.representative_point()
        out_x[i], out_y[i] = pt.x, pt.y
    return out_x, out_y


def township_shapes(store: ReadStore, settings: Settings) -> gpd.GeoDataFrame:
    """Townships: code, name, area_km2, label_lon, label_lat, geometry (simplified), by code."""
    df = store.df(
        "SELECT township_code AS code, township_name AS name, area_km2, geom_simple_wkb, geom_wkb"
        " FROM townships ORDER BY code")
    return _shapes(df)


def grid_shapes(store: ReadStore, settings: Settings,
                township_code: str | None = None) -> gpd.GeoDataFrame:
    """Grids (all, or one township's): code, name, township_code, village_code, grid_worker,
    area_km2, label_lon, label_lat, geometry (simplified), by code."""
    where, params = ("WHERE township_code = ?", [township_code]) if township_code else ("", [])
    df = store.df(
        "SELECT grid_id AS code, grid_name AS name, township_code, village_code, grid_worker,"
        f" area_km2, geom_simple_wkb, geom_wkb FROM grids {where} ORDER BY code", params)
    return _shapes(df)


@shared_read
def township_grid_shapes(store: ReadStore, settings: Settings) -> dict[str, gpd.GeoDataFrame]:
    """:func:`grid_shapes` of every township, keyed by township code, from one read of
    every grid: the wall renders every township's view each minute, and each read and
    parsed its grids again (their WKB, validity, inscribed-circle label points: ~10 ms a
    view on a 100-township city). A grid's shape and label point are its own, and the
    county's order (by code) keeps a township's, so a township's part is its own read
    (tests/store/test_map_reads_via.py). Shared: callers take a copy (:func:`grid_shapes_via`)."""
    gdf = grid_shapes(store, settings)
    codes = gdf["township_code"]
    return {code: gdf[codes == code].reset_index(drop=True)
            for code in codes.dropna().unique()}


def grid_shapes_via(read, township_code: str | None = None) -> gpd.GeoDataFrame:
    """:func:`grid_shapes` through a caching reader (``ctx.cached``): a township's grids are
    cut from :func:`township_grid_shapes`, read once for every township."""
    if township_code:
        found = read(township_grid_shapes).get(township_code)
        if found is not None:
            return found.copy()           # the read is shared: its frames are not ours
    return read(grid_shapes, township_code)


def extent(store: ReadStore, settings: Settings,
           township_code: str | None = None) -> tuple[float, float, float, float] | None:
    """(minx, miny, maxx, maxy) of the county or of one township, None without geometry."""
    gdf = township_shapes(store, settings)
    if township_code:
        gdf = gdf[gdf["code"] == township_code]
    if gdf.empty:
        gdf = grid_shapes(store, settings, township_code)
    if gdf.empty:
        return None
    b = gdf.total_bounds
    return (float(b[0]), float(b[1]), float(b[2]), float(b[3]))


MEASURES = MAP_MEASURES  # key: (zh label, unit, decimals), from the one vocabulary


def unit_areas(store: ReadStore, settings: Settings,
               township_code: str | None = None) -> pd.DataFrame:
    """``code``, ``area_km2`` of the townships (county view) or of one township's grids."""
    if township_code:
        return store.df("SELECT grid_id AS code, area_km2 FROM grids WHERE township_code = ?",
                        [township_code])
    return store.df("SELECT township_code AS code, area_km2 FROM townships")


def with_density(metrics: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """``metrics`` (one row per unit, ``code`` and ``reported``) plus ``area_km2`` and
    ``density`` = reported per km² of ground area (None without an area)."""
    df = metrics.drop(columns=["area_km2", "density"], errors="ignore").merge(
        areas, on="code", how="left")
    a = df["area_km2"].astype("float64")
    df["density"] = (df["reported"] / a).where(a > 0)
    return df


def unit_measures(
    store: ReadStore,
    settings: Settings,
    start: dt.date,
    end: dt.date,
    as_of: dt.datetime,
    township_code: str | None = None,
) -> pd.DataFrame:
    """Per township (county view) or per grid of one township: every metric of
    :func:`store.metrics.metrics_table` plus ``area_km2`` and ``density`` (reported per km²)."""
    scope = Scope("township", township_code) if township_code else Scope()
    df = metrics_table(store, settings, start=start, end=end, as_of=as_of, scope=scope,
                       by="grid" if township_code else "township")
    return with_density(df, unit_areas(store, settings, township_code))


def cell_size(bounds: tuple[float, float, float, float], cells_across: int) -> tuple[float, float]:
    """(dx, dy) in degrees for about ``cells_across`` square cells (on the ground) across."""
    minx, miny, maxx, maxy = bounds
    span_km_x = (maxx - minx) * math.cos(math.radians((miny + maxy) / 2))
    span = max(span_km_x, maxy - miny)  # in degrees of latitude
    dy = span / max(cells_across, 1)
    dx = dy / math.cos(math.radians((miny + maxy) / 2))
    return dx, dy


def event_cells(
    store: ReadStore,
    settings: Settings,
    start: dt.date,
    end: dt.date,
    township_code: str | None = None,
    cells_across: int = 160,
) -> tuple[pd.DataFrame, float, float]:
    """Cohort events of ``[start, end)`` counted per raster cell, in SQL.

    Returns (cells with ``lon``, ``lat`` (cell centres) and ``n``; dx; dy). The raster spans
    the county, or the township when one is given (its events only). Events without
    coordinates are left out.
    """
    bounds = extent(store, settings, township_code)
    if bounds is None:
        return pd.DataFrame({"lon": [], "lat": [], "n": []}), 0.0, 0.0
    dx, dy = cell_size(bounds, cells_across)
    x0, y0 = bounds[0], bounds[1]
    where, params = ("AND township_code = ?", [township_code]) if township_code else ("", [])
    df = store.df(
        f"""
        SELECT floor((lon - ?) / ?)::INTEGER AS ix, floor((lat - ?) / ?)::INTEGER AS iy,
               count(*) AS n
        FROM events
        WHERE reported_at >= ? AND reported_at < ? AND status IS DISTINCT FROM 'invalid'
          AND lon BETWEEN ? AND ? AND lat BETWEEN ? AND ? {where}
        GROUP BY ALL
        """,
        [x0, dx, y0, dy, dt.datetime.combine(start, dt.time()), dt.datetime.combine(end, dt.time()),
         bounds[0], bounds[2], bounds[1], bounds[3], *params])
    cells = pd.DataFrame({
        "lon": x0 + (df["ix"].to_numpy() + 0.5) * dx,
        "lat": y0 + (df["iy"].to_numpy() + 0.5) * dy,
        "n": df["n"].to_numpy(dtype="int64"),
    })
    return cells, dx, dy


def camera_points(store: ReadStore, settings: Settings,
                  township_code: str | None = None,
                  as_of: dt.datetime | None = None) -> pd.DataFrame:
    """Cameras with coordinates: camera_id, name, status, lon, lat, grid_id, township_code.

    With ``as_of``, ``status`` is the status at as_of (a camera not seen for
    ``camera_offline_after_h`` reads offline), so the map shows what 视频在线 counts.
    """
    where, params = ("AND township_code = ?", [township_code]) if township_code else ("", [])
    status, s_params = camera_status_at(settings, as_of, "") if as_of else ("status", [])
    return store.df(
        f"SELECT camera_id, name, {status} AS status, lon, lat, grid_id, township_code"
        f" FROM cameras WHERE lon IS NOT NULL AND lat IS NOT NULL {where} ORDER BY camera_id",
        [*s_params, *params])


def cameras_near_grid(store: ReadStore, settings: Settings, grid_id: str,
                      radius_m: float | None = None,
                      as_of: dt.datetime | None = None) -> pd.DataFrame:
    """Cameras within ``radius_m`` metres (default settings [geo] camera_radius_m) of a grid.

    Distances are metres on the ground, 0 inside the grid, measured as the analysis page's
    cameras-near lookup measures them (``store.cameras_near.distances_m``), so the grid card
    and that lookup never disagree. Columns: camera_id, name, status, lon, lat, distance_m;
    nearest first. With ``as_of``, ``status`` is the status at as_of (as
    :func:`camera_points`).
    """
    radius = float(radius_m if radius_m is not None else settings.section("geo")["camera_radius_m"])
    cols = ["camera_id", "name", "status", "lon", "lat", "distance_m"]
    grid = grid_geometry(store, grid_id)
    if grid is None:
        return pd.DataFrame(columns=cols)
    minx, miny, maxx, maxy = bbox_pad(grid.bounds, radius)
    status, s_params = camera_status_at(settings, as_of, "") if as_of else ("status", [])
    cams = store.df(
        f"SELECT camera_id, name, {status} AS status, lon, lat FROM cameras"
        " WHERE lon BETWEEN ? AND ? AND lat BETWEEN ? AND ?",
        [*s_params, minx, maxx, miny, maxy])
    if cams.empty:
        return pd.DataFrame(columns=cols)
    cams["distance_m"] = distances_m(grid, cams["lon"].to_numpy(), cams["lat"].to_numpy())
    cams = cams[cams["distance_m"] <= radius]
    return cams.sort_values(["distance_m", "camera_id"], ignore_index=True)[cols]
