"""Township names at representative points, large enough to read from 5 m."""
from __future__ import annotations

from typing import Sequence

import geopandas as gpd
import plotly.graph_objects as go


def label_points(gdf: gpd.GeoDataFrame) -> tuple[list[float], list[float]]:
    """``label_lon``/``label_lat`` columns when present, else representative points."""
    if {"label_lon", "label_lat"} <= set(gdf.columns):
        return gdf["label_lon"].astype(float).tolist(), gdf["label_lat"].astype(float).tolist()
    pts = gdf.geometry.representative_point()
    return pts.x.tolist(), pts.y.tolist()


def township_labels(
    gdf: gpd.GeoDataFrame,
    *,
    font_size: float | Sequence[float] = 20,
    color: str = "#e6f1ff",
    font_family: str | None = None,
    weight: str | int = "normal",
    shadow: str = "0px 0px 3px #000, 0px 0px 6px #000",
    name: str = "镇街名称",
) -> list[go.Scatter]:
    """One text trace with ``gdf["name"]`` at each unit's label point.

    Options (keyword-only):
        font_size (float | sequence of float, 20): text size in px of the logical canvas,
            one for all or one per row (smaller names for small units keep them apart).
        color (str, "#e6f1ff"): text colour.
        font_family (str | None, None): CSS font family; None inherits the figure's font.
        weight (str | int, "normal"): font weight ("bold" or 100–900).
        shadow (str, dark halo): CSS text-shadow so names stay legible over fills and heat.
        name (str, "镇街名称"): trace name.
    """
    x, y = label_points(gdf)
    size = font_size if isinstance(font_size, (int, float)) else [float(v) for v in font_size]
    font = {"size": size, "color": color, "shadow": shadow, "weight": weight}
    if font_family:
        font["family"] = font_family
    return [go.Scatter(
        x=x, y=y, text=gdf["name"].tolist(), mode="text", name=name, showlegend=False,
        hoverinfo="skip", textposition="middle center", textfont=font,
    )]
