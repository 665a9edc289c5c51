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
