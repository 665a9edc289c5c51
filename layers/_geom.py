"""Polygons → coordinate arrays for plotly paths, vectorised with shapely.

One trace can draw many polygons when their rings are joined with NaN gaps (plotly treats a
NaN in a typed array like ``None``), so a layer costs one JSON array, not one trace per unit.
Arrays are float32: about 1 m at these longitudes, half the bytes of float64.
"""
from __future__ import annotations

from typing import Iterable

import numpy as np
import shapely


def _objects(geoms: Iterable) -> np.ndarray:
    return np.asarray(list(geoms) if not isinstance(geoms, np.ndarray) else geoms, dtype=object)


def _present(arr: np.ndarray) -> np.ndarray:
    """Mask of the geometries that are neither missing nor empty."""
    return ~shapely.is_missing(arr) & ~shapely.is_empty(arr) if arr.size else np.zeros(0, bool)


def _as_array(geoms: Iterable) -> np.ndarray:
    arr = _objects(geoms)
    return arr[_present(arr)]


def _rings_xy(arr: np.ndarray, dtype) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """x, y of every ring of ``arr`` (present geometries), one NaN after each ring, oriented
    as :func:`polygon_xy` says; with each ring's geometry (index into ``arr``) and each
    coordinate's ring. Coordinate i of ring r sits at i + r."""
    parts, part_geom = shapely.get_parts(arr, return_index=True)
    parts = shapely.orient_polygons(parts, exterior_cw=False)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    x = np.full(len(coords) + len(rings), np.nan, dtype)
    y = np.full(len(coords) + len(rings), np.nan, dtype)
    pos = np.arange(len(coords)) + coord_ring
    x[pos] = coords[:, 0]
    y[pos] = coords[:, 1]
    return x, y, part_geom[ring_part], coord_ring


def polygon_xy(geoms: Iterable, *, dtype=np.float32) -> tuple[np.ndarray, np.ndarray]:
    """x (lon) and y (lat) of every ring of every (Multi)Polygon, rings separated by NaN.

    Exteriors are oriented counter-clockwise and holes clockwise so that a filled path with
    the non-zero rule leaves the holes open (a township that surrounds the town centre).
    """
    arr = _as_array(geoms)
    if arr.size == 0:
        return np.empty(0, dtype), np.empty(0, dtype)
    x, y, _, _ = _rings_xy(arr, dtype)
    return x[:-1], y[:-1]            # no NaN after the last ring


def polygon_xy_each(geoms: Iterable, *, dtype=np.float32) -> list[tuple[np.ndarray, np.ndarray]]:
    """:func:`polygon_xy` of each geometry on its own (one per-unit trace each: the click
    fills), computed in one pass over all of them: a township's ~100 grids cost one set of
    shapely calls instead of ~100. Missing or empty geometries give empty arrays."""
    arr = _objects(geoms)
    out = [(np.empty(0, dtype), np.empty(0, dtype))] * len(arr)
    which = np.flatnonzero(_present(arr))
    if len(which) == 0:
        return out
    x, y, ring_geom, coord_ring = _rings_xy(arr[which], dtype)
    n_rings = len(ring_geom)
    first_ring = np.searchsorted(ring_geom, np.arange(len(which)), side="left")
    end_ring = np.searchsorted(ring_geom, np.arange(len(which)), side="right")
    ring_start = np.searchsorted(coord_ring, np.arange(n_rings), side="left")
    ring_end = np.searchsorted(coord_ring, np.arange(n_rings), side="right")
    # a geometry's slice: its first ring's first point to its last ring's last point
    for k, g in enumerate(which):
        if end_ring[k] > first_ring[k]:
            a, b = first_ring[k], end_ring[k] - 1
            out[g] = (x[ring_start[a] + a:ring_end[b] + b], y[ring_start[a] + a:ring_end[b] + b])
    return out


def bounds(geoms: Iterable) -> tuple[float, float, float, float]:
    """(minx, miny, maxx, maxy) of all geometries together."""
    arr = _as_array(geoms)
    if arr.size == 0:
        raise ValueError("no geometry to take bounds of")
    b = shapely.bounds(arr)
    return (float(np.nanmin(b[:, 0])), float(np.nanmin(b[:, 1])),
            float(np.nanmax(b[:, 2])), float(np.nanmax(b[:, 3])))


def areas_km2(units) -> np.ndarray | None:
    """Each unit's area in km², to rank labels by size: the stored ``area_km2`` (the ETL's,
    measured on the ground) where every unit has one; otherwise all measured here in UTM
    (estimating the zone costs ~90 ms, too much for a map drawn every minute). None when the
    units have neither a stored area nor a CRS to measure in."""
    if "area_km2" in units and units["area_km2"].notna().all():
        return units["area_km2"].to_numpy(dtype="float64")
    if units.crs is None:
        return None
    return units.to_crs(units.estimate_utm_crs()).area.to_numpy(dtype="float64") / 1e6
