"""A city's grid layer for the ETL benchmark: N irregular grids instead of the 1,521 squares.

Real grids follow roads and rivers: tens to hundreds of vertices each, neighbours that do not
quite share their edges (digitised one by one), a few overlaps. This draws N Voronoi cells over
the benchmark's box (the events of ``bench_load`` fall anywhere in it), densifies every edge to
~20 m and bends it by a smooth field; each cell's own densification of a shared edge differs
slightly from its neighbour's, which leaves the slivers and small overlaps of a layer digitised
grid by grid. Townships (40 by default) and villages (10 grids each) are groups of
neighbouring cells (k-means of the centroids).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from bench.bench_load import LAT0, LON0, SIDE, STEP


def city_grids(n: int, townships: int = 40, seed: int = 7):
    """A GeoDataFrame of ``n`` grids with the columns of ``bench_load.write_grids``."""
    import geopandas as gpd
    import shapely
    from scipy.cluster.vq import kmeans2

    rng = np.random.default_rng(seed)
    w = SIDE * STEP
    box = shapely.box(LON0, LAT0, LON0 + w, LAT0 + w)
    seeds = shapely.multipoints(np.column_stack([LON0 + rng.random(n) * w,
                                                 LAT0 + rng.random(n) * w]))
    cells = shapely.intersection(
        shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=box)), box)
    cells = shapely.segmentize(cells, 0.0002)

    def bend(xy: np.ndarray) -> np.ndarray:
        x, y = xy[:, 0], xy[:, 1]
        rim = (np.isclose(x, LON0) | np.isclose(x, LON0 + w)
               | np.isclose(y, LAT0) | np.isclose(y, LAT0 + w))   # the city's edge stays
        d = np.column_stack([0.0006 * np.sin(x * 1700) * np.cos(y * 1300),
                             0.0006 * np.cos(x * 1100) * np.sin(y * 1900)])
        return np.where(rim[:, None], xy, xy + d)

    cells = shapely.make_valid(shapely.transform(cells, bend))
    cells = np.array([max(shapely.get_parts(c), key=shapely.area) if c.geom_type != "Polygon"
                      else c for c in cells], dtype=object)   # one polygon a grid
    cent = shapely.get_coordinates(shapely.centroid(cells))
    _, town = kmeans2(cent, min(townships, n), seed=seed, minit="++")
    _, village = kmeans2(cent, max(1, n // 10), seed=seed + 1, minit="++")
    return gpd.GeoDataFrame({
        "网格编号": [f"W{k:05d}" for k in range(len(cells))],
        "网格名称": [f"第{k}网格" for k in range(len(cells))],
        "所属镇街": [f"镇{t:02d}" for t in town],
        "村(社区)": [f"村{v:04d}" for v in village],
    }, geometry=list(cells), crs=4326)


def write_city_grids(path: Path, n: int, townships: int = 40) -> None:
    city_grids(n, townships).to_file(path, driver="GPKG")
