"""deck.gl HexagonLayer: 3D event density (三维密度) from weighted cell centres.

Input: ``cells`` with ``lon``, ``lat``, ``n`` (events per small square, counted in SQL by
:func:`store.analysis_reads.density_cells`). deck.gl sums ``n`` per hexagon of
``radius_m``: height and colour are events per hexagon, i.e. proportional to density.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pydeck as pdk


def hexagon_layer(cells: pd.DataFrame, *, radius_m: float, colors: list[list[int]],
                  max_height_m: float, layer_id: str = "density-hex") -> pdk.Layer:
    """An extruded, pickable HexagonLayer (SUM of ``n``) with the given colour range; the
    fullest hexagon stands ``max_height_m`` metres (heights are linear in the sum)."""
    xy = np.round(cells[["lon", "lat"]].to_numpy(dtype="float64"), 4).tolist()   # ~10 m
    data = [{"p": p, "n": n} for p, n in zip(xy, cells["n"].astype("int64").tolist())]
    return pdk.Layer(
        "HexagonLayer", data=data, id=layer_id, get_position="p",
        get_elevation_weight="n", get_color_weight="n",
        elevation_aggregation='"SUM"', color_aggregation='"SUM"',
        radius=radius_m, coverage=0.88, extruded=True, elevation_scale=1,
        elevation_range=[0, round(max_height_m, 1)],
        color_range=colors, upper_percentile=100, pickable=True, auto_highlight=True,
        opacity=0.9)


def column_tops(cells: pd.DataFrame, *, radius_m: float, max_height_m: float,
                least: float = 0.05) -> tuple[list[tuple[float, float]], list[float]]:
    """Where the tallest columns stand and how high, for fitting the camera to them: the
    cells summed per square of about a hexagon's area (deck.gl bins in hexagons on the
    client, so this is an estimate), the fullest at ``max_height_m``, linear below, as the
    layer draws them; squares under ``least`` of the tallest are left out (their tops
    stay near the ground the outline already fits). Returns (lon/lat points, heights)."""
    if cells is None or len(cells) == 0:
        return [], []
    lon, lat = cells["lon"].to_numpy(dtype="float64"), cells["lat"].to_numpy(dtype="float64")
    n = cells["n"].to_numpy(dtype="float64")
    side = 1.6 * radius_m                           # a square of ~ a hexagon's area (2.6 r²)
    lat0 = float(np.mean(lat))
    dy = side / 110_574.0
    dx = side / (111_320.0 * np.cos(np.radians(lat0)))
    ix, iy = np.floor(lon / dx).astype("int64"), np.floor(lat / dy).astype("int64")
    sums = pd.Series(n).groupby([ix, iy]).sum()
    top = float(sums.max())
    if top <= 0:
        return [], []
    sums = sums[sums >= least * top]
    pts = [((i + 0.5) * dx, (j + 0.5) * dy) for i, j in sums.index]
    return pts, (sums.to_numpy() / top * max_height_m).tolist()
