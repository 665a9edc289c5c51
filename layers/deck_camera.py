"""Where deck.gl's camera must stand so that a tilted 3D view shows the whole place.

A view tilted by ``pitch`` shows the near (south, with bearing 0) side of a place larger and
lower on screen, the far side smaller and higher: centred on the place's middle at the zoom
that fits it flat, a county's south ran off the bottom of the 3D view, under its legend.
This fits with deck.gl's own camera (a ``MapView``: Web Mercator with a 512 px world at zoom
0, the eye ``altitude`` = 1.5 viewport heights above the centre, tilted by pitch, turned by
bearing): the place's points are projected as deck.gl projects them, and the centre and
zoom are moved until they fill the viewport inside its margins. The browser test checks the
result with deck.gl's ``viewport.project`` in Chromium.
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import shapely

ALTITUDE = 1.5           # deck.gl MapView default, in viewport heights
WORLD_PX = 512           # deck.gl's world size at zoom 0
EARTH_M = 40_075_016.686  # deck.gl's earth circumference (metres per world at the equator)


def hull_points(geoms) -> list[tuple[float, float]]:
    """The corners of the shapes' convex hull (lon, lat): what the camera must keep in view
    (a county's outline, not its bounding box, whose empty corners would shrink the view)."""
    present = [g for g in geoms if g is not None and not g.is_empty]
    if not present:
        return []
    hull = shapely.convex_hull(shapely.GeometryCollection(present))
    return [(round(x, 6), round(y, 6)) for x, y in shapely.get_coordinates(hull)]


def _mercator(lonlat: np.ndarray) -> np.ndarray:
    """lon/lat → Web Mercator in world pixels at zoom 0 (y down, as deck.gl)."""
    lon, lat = lonlat[:, 0], np.clip(lonlat[:, 1], -85.0, 85.0)
    x = (lon + 180.0) / 360.0 * WORLD_PX
    y = (math.pi - np.log(np.tan(math.pi / 4 + np.radians(lat) / 2))) / (2 * math.pi) * WORLD_PX
    return np.column_stack([x, y])


def _lonlat(x: float, y: float) -> tuple[float, float]:
    lon = x / WORLD_PX * 360.0 - 180.0
    lat = math.degrees(2 * math.atan(math.exp(math.pi - y / WORLD_PX * 2 * math.pi)) - math.pi / 2)
    return lon, lat


def world_up(heights_m, lat: float) -> np.ndarray:
    """Heights in metres as world pixels at zoom 0: deck.gl scales z by the metres per
    pixel at the viewport's latitude."""
    return np.asarray(heights_m, dtype="float64") * WORLD_PX / (
        EARTH_M * math.cos(math.radians(lat)))


def screen_offsets(world: np.ndarray, centre: Sequence[float], zoom: float,
                   height_px: float, pitch: float, bearing: float,
                   up: np.ndarray | None = None) -> np.ndarray:
    """Screen offsets (px right, px up) from the viewport's centre of points given in world
    pixels at zoom 0 (``up``: their heights above the ground, the same units; 0 without),
    for a camera over ``centre`` (the same units)."""
    s = 2.0 ** zoom
    b, th = math.radians(bearing), math.radians(pitch)
    east = (world[:, 0] - centre[0]) * s
    north = (centre[1] - world[:, 1]) * s
    z = np.zeros(len(world)) if up is None else np.asarray(up, dtype="float64") * s
    ahead = east * math.sin(b) + north * math.cos(b)        # away from the eye
    right = east * math.cos(b) - north * math.sin(b)
    eye = ALTITUDE * height_px
    depth = eye + ahead * math.sin(th) - z * math.cos(th)
    return np.column_stack([right * eye / depth,
                            (ahead * math.cos(th) + z * math.sin(th)) * eye / depth])


def fit_camera(lonlat: Sequence[Sequence[float]], size_px: tuple[int, int], pitch: float,
               bearing: float, margins: tuple[float, float, float, float] = (0.06, 0.03, 0.1, 0.03),
               heights_m: Sequence[float] | None = None,
               ) -> tuple[float, float, float]:
    """(longitude, latitude, zoom) of a camera at ``pitch`` and ``bearing`` whose view of
    the points ``lonlat`` fills ``size_px`` (width, height) inside ``margins`` (top, right,
    bottom, left, as fractions of the height or width: room above and the legend below).
    ``heights_m``: each point's height above the ground (the tops of the 3D columns, which
    a tilted view shows above their foot), 0 without."""
    w, h = float(size_px[0]), float(size_px[1])
    world = _mercator(np.asarray(lonlat, dtype="float64").reshape(-1, 2))
    up = None
    if heights_m is not None:
        lat0 = float(np.mean(np.asarray(lonlat, dtype="float64").reshape(-1, 2)[:, 1]))
        up = world_up(heights_m, lat0)
    top, right, bottom, left = margins
    x0, x1 = -w / 2 + left * w, w / 2 - right * w
    y0, y1 = -h / 2 + bottom * h, h / 2 - top * h
    lo, hi = world.min(axis=0), world.max(axis=0)
    centre = (lo + hi) / 2
    span = np.maximum(hi - lo, 1e-9)
    zoom = math.log2(min((x1 - x0) / span[0], (y1 - y0) / span[1]))
    b, th = math.radians(bearing), math.radians(pitch)
    for _ in range(80):
        sc = screen_offsets(world, centre, zoom, h, pitch, bearing, up)
        smin, smax = sc.min(axis=0), sc.max(axis=0)
        off_x = (smin[0] + smax[0]) / 2 - (x0 + x1) / 2
        off_y = (smin[1] + smax[1]) / 2 - (y0 + y1) / 2
        scale = max((smax[0] - smin[0]) / (x1 - x0), (smax[1] - smin[1]) / (y1 - y0), 1e-9)
        if abs(scale - 1) < 1e-3 and abs(off_x) < 0.25 and abs(off_y) < 0.25:
            break
        # move the centre by the offset as seen at the centre (where ahead reads cos(pitch))
        ahead, rightward = off_y / max(math.cos(th), 0.2), off_x
        east = rightward * math.cos(b) + ahead * math.sin(b)
        north = -rightward * math.sin(b) + ahead * math.cos(b)
        s = 2.0 ** zoom
        centre = centre + np.array([east / s, -north / s])
        zoom -= math.log2(scale)
    lon, lat = _lonlat(float(centre[0]), float(centre[1]))
    return lon, lat, zoom
