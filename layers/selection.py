"""The selected township or grid: a glowing accent outline that says "you are here"."""
from __future__ import annotations

import geopandas as gpd
import plotly.graph_objects as go

from layers._geom import polygon_xy


def selection_outline(
    gdf: gpd.GeoDataFrame,
    *,
    color: str = "#27d3ff",
    width: float = 3.0,
    glow_width: float = 12.0,
    glow_opacity: float = 0.3,
    name: str = "选中",
) -> list[go.Scatter]:
    """Glow + crisp outline of every geometry in ``gdf`` (normally one).

    Options (keyword-only):
        color (str, "#27d3ff"): outline colour.
        width (float, 3.0): crisp line width in px.
        glow_width (float, 12.0), glow_opacity (float, 0.3): the halo under the line.
        name (str, "选中"): trace name.
    """
    if gdf.empty:
        return []
    x, y = polygon_xy(gdf.geometry.values)
    return [
        go.Scatter(x=x, y=y, mode="lines", name=name, showlegend=False, hoverinfo="skip",
                   line={"color": color, "width": glow_width}, opacity=glow_opacity),
        go.Scatter(x=x, y=y, mode="lines", name=name, showlegend=False, hoverinfo="skip",
                   line={"color": color, "width": width}),
    ]
