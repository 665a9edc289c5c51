"""Township / street (乡镇/街道) boundary lines: the frame a leader recognises the county by."""
from __future__ import annotations

import geopandas as gpd
import plotly.graph_objects as go

from layers._geom import polygon_xy


def township_boundaries(
    gdf: gpd.GeoDataFrame,
    *,
    line_color: str = "#27d3ff",
    line_width: float = 2.0,
    opacity: float = 0.9,
    fill_color: str | None = None,
    name: str = "镇街边界",
) -> list[go.Scatter]:
    """One line trace with every township outline (rings separated by gaps).

    Options (keyword-only):
        line_color (str, "#27d3ff"): outline colour.
        line_width (float, 2.0): outline width in px of the logical canvas.
        opacity (float, 0.9): trace opacity; neighbours on a drill-down use a low value.
        fill_color (str | None, None): also fill the townships (e.g. to dim the neighbours
            of a drilled township); None draws lines only.
        name (str, "镇街边界"): trace name.
    """
    x, y = polygon_xy(gdf.geometry.values)
    fill = {"fill": "toself", "fillcolor": fill_color} if fill_color else {}
    return [go.Scatter(
        x=x, y=y, mode="lines", name=name, showlegend=False, hoverinfo="skip",
        line={"color": line_color, "width": line_width}, opacity=opacity, **fill,
    )]
