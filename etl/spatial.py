"""Point-in-polygon: which grid holds each point (vectorised with a shapely STRtree).

Rules (docs/etl.md): a point on an edge shared by several grids goes to the grid that
contains the point nudged by (+1e-9°, +1e-9°) — lower-left-closed, like floor() on a
lattice; if that is still ambiguous, to the smallest grid_id. A point outside every grid but
within ``tolerance_m`` metres on the ground joins the nearest grid; farther, it is outside.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyproj
import shapely

from etl import geom as G

NUDGE = 1e-9
INSIDE, NEAR, OUTSIDE = 0, 1, 2


@dataclass
class Assignment:
    index: np.ndarray      # position into GridIndex.grid_ids, -1 where outside
    state: np.ndarray      # INSIDE | NEAR | OUTSIDE
    distance_m: np.ndarray  # 0 inside; metres to the nearest grid otherwise (inf if > limit)


LATTICE_MIN_POINTS = 20_000   # below this the STRtree query is cheaper than a lattice
LATTICE_CELLS = 6             # lattice cells across a typical grid


class Lattice:
    """A regular lattice over the grids: per cell, the grids whose bounding box touches it,
    and whether the cell lies wholly inside one grid (then its points need no geometry test
    at all). Candidate pairs for millions of points come from integer arithmetic, without
    creating a shapely Point per event."""

    def __init__(self, geoms: np.ndarray):
        b = shapely.bounds(geoms)
        self.x0, self.y0 = float(b[:, 0].min()), float(b[:, 1].min())
        w = max(float(np.median(b[:, 2] - b[:, 0])), 1e-9) / LATTICE_CELLS
        h = max(float(np.median(b[:, 3] - b[:, 1])), 1e-9) / LATTICE_CELLS
        span_x, span_y = float(b[:, 2].max()) - self.x0, float(b[:, 3].max()) - self.y0
        grow = max(1.0, np.sqrt((span_x / w) * (span_y / h) / 4e6))   # at most ~4 M cells
        self.dx, self.dy = w * grow, h * grow
        self.nx = int(span_x / self.dx) + 1
        self.ny = int(span_y / self.dy) + 1
        cx0, cx1 = self._ix(b[:, 0]), self._ix(b[:, 2])
        cy0, cy1 = self._iy(b[:, 1]), self._iy(b[:, 3])
        nxs, nys = cx1 - cx0 + 1, cy1 - cy0 + 1
        per = nxs * nys
        g = np.repeat(np.arange(len(geoms)), per)
        k = np.arange(per.sum()) - np.repeat(np.cumsum(per) - per, per)
        cx = np.repeat(cx0, per) + k % np.repeat(nxs, per)
        cy = np.repeat(cy0, per) + k // np.repeat(nxs, per)
        cell = cy * self.nx + cx
        boxes = shapely.box(self.x0 + cx * self.dx, self.y0 + cy * self.dy,
                            self.x0 + (cx + 1) * self.dx, self.y0 + (cy + 1) * self.dy)
        whole = shapely.contains_properly(geoms[g], boxes)
        order = np.lexsort((g, cell))
        cell, g, whole = cell[order], g[order], whole[order]
        counts = np.bincount(cell, minlength=self.nx * self.ny)
        # a cell wholly inside a grid has that grid alone, marked as -(g + 1)
        inside_cells = cell[whole]
        keep = ~np.isin(cell, inside_cells) | whole
        cell, g, whole = cell[keep], g[keep], whole[keep]
        self.counts = np.bincount(cell, minlength=self.nx * self.ny)
        self.starts = np.concatenate([[0], np.cumsum(self.counts)[:-1]])
        self.grids = np.where(whole, -g - 1, g)
        del counts

    def _ix(self, x: np.ndarray) -> np.ndarray:
        return np.clip(np.floor((x - self.x0) / self.dx).astype(np.int64), 0, self.nx - 1)

    def _iy(self, y: np.ndarray) -> np.ndarray:
        return np.clip(np.floor((y - self.y0) / self.dy).astype(np.int64), 0, self.ny - 1)

    def candidates(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(point index, grid index) pairs; grid index -(g+1) means certainly inside g."""
        fx = np.floor((lon - self.x0) / self.dx)
        fy = np.floor((lat - self.y0) / self.dy)
        on = (fx >= 0) & (fx < self.nx) & (fy >= 0) & (fy < self.ny)
        p = np.flatnonzero(on)
        cell = fy[on].astype(np.int64) * self.nx + fx[on].astype(np.int64)
        cnt = self.counts[cell]
        pi = np.repeat(p, cnt)
        k = np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt)
        gi = self.grids[np.repeat(self.starts[cell], cnt) + k]
        return pi, gi


class GridIndex:
    """The grids of the database, sorted by grid_id, ready for point lookups."""

    def __init__(self, grids: pd.DataFrame):
        """``grids`` has grid_id, village_code, township_code and geom (shapely, WGS84)."""
        g = grids.sort_values("grid_id", kind="stable").reset_index(drop=True)
        self.grid_ids = g["grid_id"].to_numpy(dtype=object)
        self.village_codes = g["village_code"].to_numpy(dtype=object)
        self.township_codes = g["township_code"].to_numpy(dtype=object)
        self.geoms = np.asarray(g["geom"].to_numpy(), dtype=object)
        shapely.prepare(self.geoms)
        self.tree = shapely.STRtree(self.geoms)
        self.crs: pyproj.CRS = G.metric_crs_for(self.geoms)
        self._metric_tree: shapely.STRtree | None = None
        self.position = pd.Series(np.arange(len(g)), index=pd.Index(self.grid_ids))
        self._lattice: Lattice | None = None
        # batches are prepared in two threads: lookups take turns (GEOS prepared geometries
        # build their internal indexes lazily, and the lazy trees here are built once)
        self._lock = threading.RLock()

    def __len__(self) -> int:
        return len(self.grid_ids)

    def _metric(self) -> shapely.STRtree:
        if self._metric_tree is None:
            self._metric_tree = shapely.STRtree(G.to_metric(self.geoms, self.crs))
        return self._metric_tree

    def assign(self, lon: np.ndarray, lat: np.ndarray, tolerance_m: float) -> Assignment:
        """Grid position for each WGS84 point (all finite)."""
        with self._lock:
            return self._assign(lon, lat, tolerance_m)

    def _assign(self, lon: np.ndarray, lat: np.ndarray, tolerance_m: float) -> Assignment:
        lon = np.asarray(lon, dtype="float64")
        lat = np.asarray(lat, dtype="float64")
        n = len(lon)
        index = np.full(n, -1, dtype=np.int64)
        state = np.full(n, OUTSIDE, dtype=np.int8)
        dist = np.full(n, np.inf)
        if n == 0 or len(self) == 0:
            return Assignment(index, state, dist)
        if n >= LATTICE_MIN_POINTS:
            if self._lattice is None:
                self._lattice = Lattice(self.geoms)
            pi, gi = self._lattice.candidates(lon, lat)
        else:
            pi, gi = self.tree.query(shapely.points(lon, lat))   # bounding-box candidates
        inner = gi < 0                                    # cell wholly inside one grid
        gi = np.where(inner, -gi - 1, gi)
        hit = inner.copy()
        test = ~inner
        hit[test] = shapely.intersects_xy(self.geoms[gi[test]], lon[pi[test]], lat[pi[test]])
        pi, gi = pi[hit], gi[hit]
        counts = np.bincount(pi, minlength=n)
        one = counts[pi] == 1
        index[pi[one]] = gi[one]
        multi = ~one
        if multi.any():
            mp, mg = pi[multi], gi[multi]
            inner = shapely.contains_xy(self.geoms[mg], lon[mp] + NUDGE, lat[mp] + NUDGE)
            frame = pd.DataFrame({"p": mp, "g": mg, "inner": inner})
            n_inner = frame.groupby("p")["inner"].transform("sum")
            chosen = frame[(n_inner == 1) & frame["inner"]].groupby("p")["g"].min()
            fallback = frame.groupby("p")["g"].min()          # smallest grid_id (sorted)
            pick = fallback.copy()
            pick.loc[chosen.index] = chosen
            index[pick.index.to_numpy()] = pick.to_numpy()
        inside = index >= 0
        state[inside] = INSIDE
        dist[inside] = 0.0
        miss = np.flatnonzero(~inside)
        if len(miss) and tolerance_m > 0:
            tr = G.transformer("EPSG:4326", self.crs)
            mx, my = G.xform(tr, lon[miss], lat[miss])
            ok = np.isfinite(mx) & np.isfinite(my)
            sub = miss[ok]
            if len(sub):
                (qi, qg), d = self._metric().query_nearest(
                    shapely.points(mx[ok], my[ok]), max_distance=tolerance_m,
                    return_distance=True, all_matches=True)
                if len(qi):
                    frame = pd.DataFrame({"p": sub[qi], "g": qg, "d": d})
                    best = frame.sort_values(["p", "d", "g"]).drop_duplicates("p")
                    index[best["p"].to_numpy()] = best["g"].to_numpy()
                    state[best["p"].to_numpy()] = NEAR
                    dist[best["p"].to_numpy()] = best["d"].to_numpy()
        return Assignment(index, state, dist)

    def distance_m(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Metres from each point to the nearest grid (for reject details)."""
        with self._lock:
            return self._distance_m(lon, lat)

    def _distance_m(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        if len(lon) == 0 or len(self) == 0:
            return np.full(len(lon), np.inf)
        tr = G.transformer("EPSG:4326", self.crs)
        mx, my = G.xform(tr, lon, lat)
        out = np.full(len(lon), np.inf)
        ok = np.isfinite(mx) & np.isfinite(my)
        if ok.any():
            (qi, _), d = self._metric().query_nearest(shapely.points(mx[ok], my[ok]),
                                                      return_distance=True)
            res = np.full(ok.sum(), np.inf)
            res[qi] = d
            out[ok] = res
        return out
