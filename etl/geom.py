"""Polygon helpers: CRS conversion, repair, ground measurements and wall simplification.

Measurements never happen in degrees: areas, distances and simplification tolerances are
taken in a Lambert azimuthal equal-area projection centred on the data (equal-area, so areas
are exact; distances within a county are true to well under 0.1 %).
"""
from __future__ import annotations

import functools

import numpy as np
import pyproj
import shapely

from etl import chinacrs
from etl.threads import per_slice

POLYGONAL = (3, 6)  # shapely type ids: Polygon, MultiPolygon


@functools.lru_cache(maxsize=32)
def metric_crs(lon0: float, lat0: float) -> pyproj.CRS:
    """An equal-area metric CRS centred on (lon0, lat0) (rounded to 1e-6°, so cached)."""
    return pyproj.CRS.from_proj4(
        f"+proj=laea +lat_0={lat0:.6f} +lon_0={lon0:.6f} +datum=WGS84 +units=m +no_defs")


def metric_crs_for(geoms: np.ndarray) -> pyproj.CRS:
    xmin, ymin, xmax, ymax = shapely.total_bounds(geoms)
    if not np.isfinite([xmin, ymin, xmax, ymax]).all():
        return metric_crs(0.0, 0.0)
    return metric_crs(round((xmin + xmax) / 2, 6), round((ymin + ymax) / 2, 6))


@functools.lru_cache(maxsize=32)
def transformer(src: pyproj.CRS | str, dst: pyproj.CRS | str) -> pyproj.Transformer:
    """A cached always_xy transformer (building one costs ~10 ms)."""
    return pyproj.Transformer.from_crs(src, dst, always_xy=True)


def xform(tr: pyproj.Transformer, x, y) -> tuple[np.ndarray, np.ndarray]:
    """Transform coordinate arrays (pyproj treats 1-element arrays as scalars; pad them)."""
    x = np.asarray(x, dtype="float64")
    y = np.asarray(y, dtype="float64")
    if x.size == 1:
        ox, oy = tr.transform(np.repeat(x, 2), np.repeat(y, 2))
        return np.asarray(ox)[:1], np.asarray(oy)[:1]
    ox, oy = tr.transform(x, y)
    return np.asarray(ox), np.asarray(oy)


@functools.lru_cache(maxsize=64)
def is_lonlat_crs(crs: str | None) -> bool:
    """Whether coordinates in ``crs`` are longitude/latitude degrees (none declared: WGS84;
    GCJ-02 and BD-09 are degrees too). A CRS pyproj cannot read is neither."""
    if crs in (None, "gcj02", "bd09"):
        return True
    try:
        return pyproj.CRS.from_user_input(crs).is_geographic
    except pyproj.exceptions.CRSError:
        return False


@functools.lru_cache(maxsize=64)
def is_projected_crs(crs: str | None) -> bool:
    """Whether ``crs`` is a projected CRS (metres or feet: Gauss-Krüger, UTM, a state
    plane)."""
    if crs in (None, "gcj02", "bd09"):
        return False
    try:
        return pyproj.CRS.from_user_input(crs).is_projected
    except pyproj.exceptions.CRSError:
        return False


# the end of the message for longitude/latitude declared in a projected CRS (a layer's
# bounds or a table's points: they would land by the equator)
DEGREES_IN_PROJECTED = "a projected CRS in metres: remove crs from the load config"


def gauss_kruger_hint(xmin: float, xmax: float) -> str:
    """The ``crs = "…"`` line to suggest for CGCS2000 Gauss-Krüger metres. An easting that
    starts with its zone number (39,873,134.5: 3-degree zone 39) names the CRS; one
    without (500,000 at the central meridian) needs the county's central meridian."""
    zone = int(xmin // 1_000_000)
    if xmin >= 10_000_000 and zone == int(xmax // 1_000_000):
        if 25 <= zone <= 45:
            return (f'crs = "EPSG:{4488 + zone}" (CGCS2000 / 3-degree Gauss-Kruger zone '
                    f"{zone}, CM {3 * zone}E: the easting starts with its zone number)")
        if 13 <= zone <= 23:
            return (f'crs = "EPSG:{4478 + zone}" (CGCS2000 / 6-degree Gauss-Kruger zone '
                    f"{zone}, CM {6 * zone - 3}E: the easting starts with its zone number)")
    return ('e.g. crs = "EPSG:4549" (CGCS2000 / 3-degree Gauss-Kruger CM 120E; '
            "EPSG:4534 … 4554 are CM 75E … 135E, 3 degrees apart: take the county's)")


def _transform(geoms: np.ndarray, src: pyproj.CRS | str, dst: pyproj.CRS | str) -> np.ndarray:
    tr = transformer(src, dst)

    def f(xy: np.ndarray) -> np.ndarray:
        x, y = xform(tr, xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geoms, f)


def to_metric(geoms: np.ndarray, crs: pyproj.CRS) -> np.ndarray:
    return per_slice(lambda g: _transform(g, "EPSG:4326", crs), np.asarray(geoms, dtype=object))


def from_metric(geoms: np.ndarray, crs: pyproj.CRS) -> np.ndarray:
    return per_slice(lambda g: _transform(g, crs, "EPSG:4326"), np.asarray(geoms, dtype=object))


def geoms_to_wgs84(geoms: np.ndarray, crs: str | None) -> np.ndarray:
    """Geometries in ``crs`` ('gcj02', 'bd09', any pyproj CRS, None = WGS84) -> WGS84."""
    if crs in ("gcj02", "bd09"):
        def f(xy: np.ndarray) -> np.ndarray:
            return np.column_stack(chinacrs.to_wgs84(crs, xy[:, 0], xy[:, 1]))
        return shapely.transform(geoms, f)
    if crs is None:
        return geoms
    src = pyproj.CRS.from_user_input(crs)
    if src.equals(pyproj.CRS.from_epsg(4326), ignore_axis_order=True):
        return geoms
    return _transform(geoms, src, "EPSG:4326")


def make_valid(geom):
    """``shapely.make_valid`` by structure: shells are unioned and holes cut out, as a GIS
    dissolve reads a polygon. The default (linework) keeps every edge and alternates inside
    and outside across them, so parts of a MultiPolygon that overlap lost their overlap, a
    part inside another became a hole, and a hole along the shell's edge was dropped."""
    return shapely.make_valid(geom, method="structure", keep_collapsed=False)


def polygonal_part(geom: shapely.Geometry) -> shapely.Geometry | None:
    """The polygonal part of a geometry (e.g. what make_valid returns), or None."""
    if geom is None or geom.is_empty:
        return None
    tid = shapely.get_type_id(geom)
    if tid in POLYGONAL:
        return geom
    if tid == 7:  # GeometryCollection
        parts = [p for p in shapely.get_parts(geom) if shapely.get_type_id(p) in POLYGONAL]
        if not parts:
            return None
        return shapely.union_all(parts)
    return None


def _collection_polygons(geom: shapely.Geometry) -> tuple[shapely.Geometry | None, int]:
    """A GeometryCollection (QGIS and some converters write a polygon as one) as the union of
    its polygonal members, each made valid, and how many non-empty points / lines it held
    (dropped); (None, n) when it holds no polygon."""
    polys, dropped, todo = [], 0, [geom]
    while todo:
        for p in shapely.get_parts(todo.pop()):
            tid = shapely.get_type_id(p)
            if tid == 7:
                todo.append(p)
            elif shapely.is_empty(p):
                continue
            elif tid in POLYGONAL:
                polys.append(p if shapely.is_valid(p)
                             else polygonal_part(make_valid(p)))
            else:
                dropped += 1
    polys = [p for p in polys if p is not None and not p.is_empty]
    if not polys:
        return None, dropped
    merged = polys[0] if len(polys) == 1 else polygonal_part(shapely.union_all(polys))
    return (merged if merged is not None and not merged.is_empty else None), dropped


def finite_coordinates(geoms: np.ndarray) -> np.ndarray:
    """Per geometry: every coordinate finite (a NaN or infinite vertex is a broken shape,
    not one to repair by dropping the vertex); True for a missing or empty one."""
    geoms = np.asarray(geoms, dtype=object)
    out = np.ones(len(geoms), dtype=bool)
    present = np.flatnonzero([g is not None for g in geoms])
    if len(present):
        xy, idx = shapely.get_coordinates(geoms[present], return_index=True)
        out[present[np.unique(idx[~np.isfinite(xy).all(axis=1)])]] = False
    return out


def repair(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Repair invalid polygons with :func:`make_valid`, keeping polygonal parts.

    A GeometryCollection keeps its polygonal members, as one (Multi)Polygon; its points and
    lines are dropped and counted. Returns (geoms, repaired mask, bad mask, dropped) where
    bad = empty or not polygonal at all and dropped = the points / lines left out per row.
    """
    geoms = np.asarray(geoms, dtype=object).copy()
    n = len(geoms)
    missing = np.array([g is None for g in geoms], dtype=bool)
    tid = np.full(n, -1)
    tid[~missing] = shapely.get_type_id(geoms[~missing])
    empty = missing.copy()
    empty[~missing] = shapely.is_empty(geoms[~missing])
    repaired = np.zeros(n, dtype=bool)
    dropped = np.zeros(n, dtype=np.int64)
    for i in np.flatnonzero(~empty & (tid == 7)):
        geoms[i], dropped[i] = _collection_polygons(geoms[i])
        if geoms[i] is not None:
            tid[i], repaired[i] = shapely.get_type_id(geoms[i]), True
    bad = empty | ~np.isin(tid, POLYGONAL) | np.array([g is None for g in geoms], dtype=bool)
    bad |= ~finite_coordinates(geoms)
    check = ~bad & ~repaired
    invalid = np.zeros(n, dtype=bool)
    invalid[check] = ~shapely.is_valid(geoms[check])
    for i in np.flatnonzero(invalid):
        try:
            fixed = polygonal_part(make_valid(geoms[i]))
        except shapely.errors.GEOSException:
            fixed = None
        if fixed is None or fixed.is_empty:
            bad[i] = True
        else:
            geoms[i] = fixed
            repaired[i] = True
    # A Polygon stays a Polygon; store MultiPolygons as they come.
    return geoms, repaired, bad, dropped


def measure(geoms: np.ndarray, crs: pyproj.CRS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(area_km2, centroid_lon, centroid_lat), areas on the ground via ``crs``."""
    if len(geoms) == 0:
        e = np.array([], dtype=float)
        return e, e, e
    m = to_metric(geoms, crs)
    area = per_slice(shapely.area, m) / 1e6
    cen = from_metric(per_slice(shapely.centroid, m), crs)
    return area, shapely.get_x(cen), shapely.get_y(cen)


def simplify(geoms: np.ndarray, crs: pyproj.CRS, tol_m: float) -> np.ndarray:
    """Simplify for the wall, tolerance in metres; neighbours keep shared edges when the
    polygons form a valid coverage (GEOS coverage simplification), else each one alone."""
    if len(geoms) == 0:
        return geoms
    m = to_metric(geoms, crs)
    out = None
    try:
        if shapely.coverage_is_valid(m):
            out = shapely.coverage_simplify(m, tol_m)
            if not shapely.is_valid(out).all() or shapely.is_empty(out).any():
                out = None
    except shapely.errors.GEOSException:
        out = None
    if out is None:
        out = per_slice(lambda g: shapely.simplify(g, tol_m, preserve_topology=True), m)
    return from_metric(out, crs)


# A hole or a separate piece of a union smaller than this is a gap or sliver between grids
# digitised one by one, not an enclave or an exclave: no real grid is 50 m x 50 m.
SLIVER_M2 = 2500.0


def without_slivers(geom: shapely.Geometry, min_m2: float) -> shapely.Geometry:
    """``geom`` (polygonal, in metres) without holes, and pieces other than the largest,
    of less than ``min_m2``. A city's grid layer that is not a clean coverage leaves
    thousands of such specks in its townships' union (2,732 in the 10,000-grid benchmark
    city), each drawn as a dot on the wall."""
    parts = shapely.get_parts(geom)
    if not len(parts) or shapely.get_type_id(parts[0]) != 3:
        return geom
    area = shapely.area(parts)
    keep = (area >= min_m2) | (np.arange(len(parts)) == np.argmax(area))
    out, changed = [], not keep.all()
    for p in parts[keep]:
        holes = shapely.get_interior_ring(p, np.arange(shapely.get_num_interior_rings(p)))
        big = holes[shapely.area(shapely.polygons(holes)) >= min_m2] if len(holes) else holes
        if len(big) < len(holes):
            p, changed = shapely.Polygon(shapely.get_exterior_ring(p), list(big)), True
        out.append(p)
    if not changed:
        return geom
    return out[0] if len(out) == 1 else shapely.MultiPolygon(out)


def dissolve(geoms: np.ndarray, crs: pyproj.CRS) -> shapely.Geometry:
    """Union of polygons (measured in ``crs`` so snapping is in metres), without the specks
    of ``SLIVER_M2``; WGS84 result."""
    m = to_metric(np.asarray(geoms, dtype=object), crs)
    try:
        merged = (shapely.coverage_union_all(m) if shapely.coverage_is_valid(m)
                  else shapely.union_all(m))
    except shapely.errors.GEOSException:
        merged = shapely.union_all(make_valid(m))
    merged = polygonal_part(merged) or merged
    merged = without_slivers(merged, SLIVER_M2)
    return from_metric(np.array([merged], dtype=object), crs)[0]


def overlaps(geoms: np.ndarray, crs: pyproj.CRS, min_m2: float) -> list[tuple[int, int, float]]:
    """Pairs (i, j, area m²), i < j, of polygons whose interiors overlap by at least
    ``min_m2`` square metres, measured in the equal-area ``crs``. Neighbours that only share
    an edge never count; slivers under ``min_m2`` (digitising noise) are ignored."""
    geoms = np.asarray(geoms, dtype=object)
    if len(geoms) < 2:
        return []
    m = to_metric(geoms, crs)
    left, right = shapely.STRtree(m).query(m, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    if not len(left):
        return []
    inner = per_slice(lambda a, b: shapely.relate_pattern(a, b, "T********"), m[left], m[right])
    left, right = left[inner], right[inner]
    if not len(left):
        return []
    try:
        area = per_slice(lambda a, b: shapely.area(shapely.intersection(a, b)), m[left], m[right])
    except shapely.errors.GEOSException:
        area = np.array([shapely.area(shapely.intersection(make_valid(a), make_valid(b)))
                         for a, b in zip(m[left], m[right])])
    big = area >= min_m2
    return [(int(i), int(j), float(a)) for i, j, a in zip(left[big], right[big], area[big])]
