"""Point-in-polygon: which grid holds each point (vectorised with a shapely STRtree).

Rules (data-contract.md): a point on an edge shared by several grids goes to the grid that
contains the point nudged by (+1e-9°, +1e-9°) — lower-left-closed, like floor() on a
lattice; if that is still ambiguous, to the smallest grid_id. A point outside every grid but
within ``tolerance_m`` metres on the ground joins the nearest grid; farther, it is outside.
"""
from __future__ import annotations

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

    def __len__(self) -> int:
        return len(self.grid_ids)

    def _metric(self) -> shapely.STRtree:
        if self._metric_tree is None:
            self._metric_tree = shapely.STRtree(G.to_metric(self.geoms, self.crs))
        return self._metric_tree

    def assign(self, lon: np.ndarray, lat: np.ndarray, tolerance_m: float) -> Assignment:
        """Grid position for each WGS84 point (all finite)."""
        lon = np.asarray(lon, dtype="float64")
        lat = np.asarray(lat, dtype="float64")
        n = len(lon)
        index = np.full(n, -1, dtype=np.int64)
        state = np.full(n, OUTSIDE, dtype=np.int8)
        dist = np.full(n, np.inf)
        if n == 0 or len(self) == 0:
            return Assignment(index, state, dist)
        pts = shapely.points(lon, lat)
        pi, gi = self.tree.query(pts)                     # bounding-box candidates
        hit = shapely.intersects_xy(self.geoms[gi], lon[pi], lat[pi])
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
