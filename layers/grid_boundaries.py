"""Grid (网格) boundaries: thin and faint, so 1,400 of them read as texture, not noise."""
from __future__ import annotations

import geopandas as gpd
import plotly.graph_objects as go

from layers._geom import polygon_xy


def grid_boundaries(
    gdf: gpd.GeoDataFrame,
    *,
    line_color: str = "#8aa4c8",
    line_width: float = 0.5,
    opacity: float = 0.35,
    name: str = "网格边界",
) -> list[go.Scatter]:
    """One line trace with every grid outline.

    Options (keyword-only):
        line_color (str, "#8aa4c8"): line colour.
        line_width (float, 0.5): line width in px.
        opacity (float, 0.35): trace opacity (faint at county level; higher on a drill-down).
        name (str, "网格边界"): trace name.
    """
    x, y = polygon_xy(gdf.geometry.values)
    return [go.Scatter(
        x=x, y=y, mode="lines", name=name, showlegend=False, hoverinfo="skip",
        line={"color": line_color, "width": line_width}, opacity=opacity,
    )]
