"""Event heat layer: counts binned into a lon/lat raster (in SQL), drawn as one heatmap.

Drawing 30 k raw points is slow and reads as a smear; a raster of a few thousand cells with a
light blur shows where events concentrate. Empty cells map to the transparent end of the scale.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

# transparent-ish amber → orange → yellow → white: heat that is not confused with the
# blue→red choropleth classes underneath.
HEAT_SCALE = [[0.0, "rgba(251,146,60,0.0)"], [0.15, "rgba(251,146,60,0.35)"],
              [0.45, "rgba(249,115,22,0.7)"], [0.75, "rgba(250,204,21,0.9)"],
              [1.0, "rgba(255,255,240,1.0)"]]


def raster_matrix(cells: pd.DataFrame, *, dx: float, dy: float, blur: int = 1,
                  pad: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x centres, y centres, z) from cells with ``lon``, ``lat`` (cell centres) and ``n``.

    ``blur`` passes of a [1, 2, 1]/4 kernel along each axis spread each count to its
    neighbours (a cheap kernel density); counts are conserved (``pad`` >= ``blur`` cells of
    margin keep the spread inside the matrix).
    """
    if cells.empty:
        return np.empty(0), np.empty(0), np.empty((0, 0))
    lon0, lat0 = float(cells["lon"].min()), float(cells["lat"].min())
    ix = np.rint((cells["lon"].to_numpy() - lon0) / dx).astype(int) + pad
    iy = np.rint((cells["lat"].to_numpy() - lat0) / dy).astype(int) + pad
    z = np.zeros((iy.max() + pad + 1, ix.max() + pad + 1))
    np.add.at(z, (iy, ix), cells["n"].to_numpy(dtype="float64"))
    k = np.array([0.25, 0.5, 0.25])
    for _ in range(max(blur, 0)):
        z = np.apply_along_axis(lambda r: np.convolve(r, k, mode="same"), 1, z)
        z = np.apply_along_axis(lambda c: np.convolve(c, k, mode="same"), 0, z)
    xs = lon0 + (np.arange(z.shape[1]) - pad) * dx
    ys = lat0 + (np.arange(z.shape[0]) - pad) * dy
    return xs, ys, z


def heat(
    cells: pd.DataFrame,
    *,
    dx: float,
    dy: float,
    blur: int = 1,
    scale: str = "sqrt",
    min_share: float = 0.03,
    colorscale=HEAT_SCALE,
    opacity: float = 0.9,
    name: str = "事件热力",
) -> list[go.Heatmap]:
    """One heatmap trace (or none when there are no cells).

    Cells below ``min_share`` of the maximum are set to 0, which the colour scale draws fully
    transparent; no NaN holes, so ``zsmooth="best"`` fades the edges instead of showing blocks.

    Options (keyword-only):
        dx, dy (float, required): cell size in degrees of lon / lat (cells are centres).
        blur (int, 1): blur passes, see :func:`raster_matrix`.
        scale (str, "sqrt"): "sqrt" | "log" | "linear" colour mapping of the density; sqrt
            keeps a busy town centre hot without washing the countryside orange.
        min_share (float, 0.03): cells below this share of the maximum stay transparent.
        colorscale (plotly colorscale, HEAT_SCALE): transparent at 0.
        opacity (float, 0.9): trace opacity.
        name (str, "事件热力"): trace name.
    """
    if scale not in ("sqrt", "log", "linear"):
        raise ValueError(f"heat scale must be sqrt, log or linear, not {scale!r}")
    xs, ys, z = raster_matrix(cells, dx=dx, dy=dy, blur=blur)
    if z.size == 0:
        return []
    top = float(z.max())
    shown = {"sqrt": np.sqrt, "log": np.log1p, "linear": lambda a: a}[scale](z)
    shown[z < top * min_share] = 0.0
    return [go.Heatmap(
        x=xs.astype(np.float32), y=ys.astype(np.float32), z=shown.astype(np.float32),
        colorscale=colorscale, showscale=False, zsmooth="best", opacity=opacity,
        hoverinfo="skip", name=name, zmin=0, zmax=float(shown.max()) if top > 0 else 1,
    )]
