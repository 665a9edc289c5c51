"""Small geometry helpers for the demo: a metric CRS, sampling, k-means, clipped Voronoi cells.

Everything the demo measures is done in a local Lambert azimuthal equal-area CRS centred on
嵊州市, so areas in km² and distances in metres are true on the ground.
"""
from __future__ import annotations

import numpy as np
import shapely
from pyproj import Transformer
from shapely import MultiPolygon, Polygon, STRtree

LAEA = "+proj=laea +lat_0=29.6 +lon_0=120.8 +ellps=WGS84 +units=m +no_defs"
GRID_SIZE = 0.001  # metres: precision of overlays, so neighbouring cells share exact edges

_TO_M = Transformer.from_crs("EPSG:4326", LAEA, always_xy=True)
_TO_WGS = Transformer.from_crs(LAEA, "EPSG:4326", always_xy=True)


def lonlat_to_m(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    x, y = _TO_M.transform(np.asarray(lon, float), np.asarray(lat, float))
    return np.asarray(x), np.asarray(y)


def m_to_lonlat(x, y) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = _TO_WGS.transform(np.asarray(x, float), np.asarray(y, float))
    return np.asarray(lon), np.asarray(lat)


def geom_to_m(geom):
    return shapely.transform(geom, lambda c: np.column_stack(lonlat_to_m(c[:, 0], c[:, 1])))


def geom_to_lonlat(geom, decimals: int = 7):
    def fn(c):
        lon, lat = m_to_lonlat(c[:, 0], c[:, 1])
        return np.column_stack([np.round(lon, decimals), np.round(lat, decimals)])

    return shapely.transform(geom, fn)


def sample_in(poly, n: int, rng: np.random.Generator, density=None) -> np.ndarray:
    """n points inside ``poly``; ``density(x, y) -> [0, 1]`` thins them (rejection sampling)."""
    shapely.prepare(poly)
    minx, miny, maxx, maxy = poly.bounds
    frac = max(poly.area / ((maxx - minx) * (maxy - miny)), 0.05)
    out: list[np.ndarray] = []
    got = 0
    while got < n:
        m = int((n - got) / frac * 1.3) + 16
        x = rng.uniform(minx, maxx, m)
        y = rng.uniform(miny, maxy, m)
        keep = shapely.contains_xy(poly, x, y)
        if density is not None:
            keep &= rng.random(m) < density(x, y)
        pts = np.column_stack([x[keep], y[keep]])
        out.append(pts)
        got += len(pts)
    return np.concatenate(out)[:n]


def kmeans(pts: np.ndarray, k: int, rng: np.random.Generator, iters: int = 25) -> np.ndarray:
    """Plain k-means (k-means++ start): seeds whose Voronoi cells hold equal shares of pts."""
    n = len(pts)
    if k >= n:
        return pts[:k].copy()
    first = int(rng.integers(n))
    idx = [first]
    d2 = ((pts - pts[first]) ** 2).sum(1)
    for _ in range(1, k):
        i = int(rng.choice(n, p=d2 / d2.sum()))
        idx.append(i)
        d2 = np.minimum(d2, ((pts - pts[i]) ** 2).sum(1))
    c = pts[idx].astype(float).copy()
    for _ in range(iters):
        lab = (((pts[:, None, :] - c[None, :, :]) ** 2).sum(2)).argmin(1)
        cnt = np.bincount(lab, minlength=k)
        sx = np.bincount(lab, weights=pts[:, 0], minlength=k)
        sy = np.bincount(lab, weights=pts[:, 1], minlength=k)
        ok = cnt > 0
        c[ok, 0] = sx[ok] / cnt[ok]
        c[ok, 1] = sy[ok] / cnt[ok]
    return c


def voronoi_cells(seeds: np.ndarray, region) -> list:
    """Voronoi cells of ``seeds`` (in seed order) clipped to ``region``: they tile it exactly."""
    if len(seeds) == 1:
        return [region]
    mp = shapely.multipoints(seeds)
    vor = shapely.voronoi_polygons(mp, extend_to=region, ordered=True)
    cells = list(shapely.get_parts(vor))
    clipped = shapely.intersection(np.array(cells, dtype=object), region, grid_size=GRID_SIZE)
    return [_polygonal(g) for g in clipped]


def _polygonal(g):
    """Keep only the polygonal parts of an overlay result (drop stray lines and points)."""
    if g.is_empty or g.geom_type in ("Polygon", "MultiPolygon"):
        return g
    parts = [p for p in shapely.get_parts(g) if p.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        return Polygon()
    return shapely.union_all(parts, grid_size=GRID_SIZE)


def merge_strays(polys: list) -> list:
    """Give every non-largest part of a multi-part cell to the neighbour it shares most edge
    with, so cells are single polygons (real grids and villages are contiguous)."""
    polys = list(polys)
    tree = STRtree(polys)
    for i in range(len(polys)):
        g = polys[i]
        if g.geom_type != "MultiPolygon":
            continue
        parts = sorted(g.geoms, key=lambda p: p.area, reverse=True)
        keep = [parts[0]]
        for p in parts[1:]:
            best, best_len = None, 0.0
            for j in tree.query(p):
                if j == i or polys[j].is_empty:
                    continue
                shared = shapely.intersection(p.boundary, polys[j].boundary,
                                              grid_size=GRID_SIZE).length
                if shared > best_len:
                    best, best_len = int(j), shared
            if best is None:
                keep.append(p)
            else:
                polys[best] = _polygonal(shapely.union(polys[best], p, grid_size=GRID_SIZE))
        polys[i] = keep[0] if len(keep) == 1 else MultiPolygon(keep)
    return polys


def smooth_field(rng: np.random.Generator, amplitude: float, wavelengths=(4000.0, 12000.0),
                 waves: int = 6):
    """A smooth random field f(x, y) (sum of plane waves) for wiggly, natural boundaries."""
    ang = rng.uniform(0, 2 * np.pi, waves)
    lam = rng.uniform(*wavelengths, waves)
    ph = rng.uniform(0, 2 * np.pi, waves)
    kx, ky = np.cos(ang) * 2 * np.pi / lam, np.sin(ang) * 2 * np.pi / lam
    amp = amplitude / np.sqrt(waves / 2)

    def f(x, y):
        x = np.asarray(x, float)[..., None]
        y = np.asarray(y, float)[..., None]
        return amp * np.cos(x * kx + y * ky + ph).sum(-1)

    return f


def meander(points: np.ndarray, rng: np.random.Generator, wiggle: float = 0.06,
            subdivisions: int = 3, smooth: int = 3) -> np.ndarray:
    """A road-like polyline through control points: perpendicular jitter, then Chaikin smoothing."""
    out = [points[0]]
    for a, b in zip(points[:-1], points[1:]):
        seg = b - a
        length = float(np.hypot(*seg))
        normal = np.array([-seg[1], seg[0]]) / max(length, 1e-9)
        for t in np.arange(1, subdivisions + 1) / (subdivisions + 1):
            out.append(a + seg * t + normal * rng.normal(0, wiggle * length))
        out.append(b)
    line = np.array(out)
    for _ in range(smooth):
        q = 0.75 * line[:-1] + 0.25 * line[1:]
        r = 0.25 * line[:-1] + 0.75 * line[1:]
        mid = np.empty((2 * len(q), 2))
        mid[0::2], mid[1::2] = q, r
        line = np.vstack([line[:1], mid, line[-1:]])
    return line
