"""Emerging hotspots (新发热点): a thick bright outline around each hotspot grid.

Input is the grids that :func:`store.hotspots.emerging_hotspots` flagged, with their statistics
(``k``, ``baseline``, ``ratio``, ``p``) for the hover; the outline is drawn on top of the fills.
"""
from __future__ import annotations

import geopandas as gpd
import plotly.graph_objects as go

from layers._geom import polygon_xy
from layers.click_targets import click_markers


def hotspot_hover(row) -> str:
    return (f"新发热点 {row['name']}"
            f"<br>本期 {int(row['k'])} 件，基线 {row['baseline']:.1f} 件"
            f"<br>倍数 {row['ratio']:.1f}，p={row['p']:.1g}")


def hotspot_outlines(
    gdf: gpd.GeoDataFrame,
    *,
    color: str = "#ff4fd8",
    width: float = 3.0,
    glow_width: float = 9.0,
    glow_opacity: float = 0.25,
    clickable: bool = True,
    marker_size: float = 12,
    name: str = "新发热点",
) -> list[go.Scatter]:
    """A glow line, a crisp line, and (optionally) click markers with the statistics.

    ``gdf``: ``code``, ``name``, geometry; with ``k``, ``baseline``, ``ratio``, ``p`` the
    hover shows them.

    Options (keyword-only):
        color (str, "#ff4fd8"): outline colour (magenta: not a status colour, not a class).
        width (float, 3.0): crisp line width in px.
        glow_width (float, 9.0), glow_opacity (float, 0.25): the halo under the line.
        clickable (bool, True): add grid click markers (customdata ["grid", code]).
        marker_size (float, 12): click-marker diameter.
        name (str, "新发热点"): trace name.
    """
    if gdf.empty:
        return []
    x, y = polygon_xy(gdf.geometry.values)
    out = [
        go.Scatter(x=x, y=y, mode="lines", name=name, showlegend=False, hoverinfo="skip",
                   line={"color": color, "width": glow_width}, opacity=glow_opacity),
        go.Scatter(x=x, y=y, mode="lines", name=name, showlegend=False, hoverinfo="skip",
                   line={"color": color, "width": width}),
    ]
    if clickable:
        has_stats = {"k", "baseline", "ratio", "p"} <= set(gdf.columns)
        hover = [hotspot_hover(r) for _, r in gdf.iterrows()] if has_stats else None
        out += click_markers(gdf, kind="grid", hover_text=hover, size=marker_size,
                             color="rgba(255,79,216,0.25)", line_color=color)
    return out
