"""Clickable markers at label points: the map's only click targets.

Clicks on filled paths are unreliable in plotly, so every clickable unit gets one marker whose
``customdata`` is ``[kind, code]`` (kind "township" or "grid"); the wall's drill callback reads
``clickData.points[0].customdata``.
"""
from __future__ import annotations

from typing import Sequence

import geopandas as gpd
import plotly.graph_objects as go

from layers.township_labels import label_points

KINDS = ("township", "grid")


def click_markers(
    gdf: gpd.GeoDataFrame,
    *,
    kind: str,
    hover_text: Sequence[str] | None = None,
    size: float = 16,
    color: str = "rgba(39,211,255,0.18)",
    line_color: str = "rgba(39,211,255,0.55)",
    line_width: float = 1.0,
    name: str = "点击",
) -> list[go.Scatter]:
    """One marker trace, a marker per row of ``gdf`` (columns ``code``, ``name``).

    Options (keyword-only):
        kind (str, required): "township" or "grid"; first element of each customdata.
        hover_text (sequence of str | None, None): hover per row; None shows ``name``.
        size (float, 16): marker diameter in px; large enough to hit on a touch wall.
        color (str, faint cyan): marker fill.
        line_color (str, cyan): marker ring.
        line_width (float, 1.0): ring width in px.
        name (str, "点击"): trace name.
    """
    if kind not in KINDS:
        raise ValueError(f"click marker kind must be one of {KINDS}, not {kind!r}")
    x, y = label_points(gdf)
    codes = gdf["code"].astype(str).tolist()
    text = list(hover_text) if hover_text is not None else gdf["name"].astype(str).tolist()
    # not validated here (a list of ~250 hover texts and codes cost 4 ms a map validated);
    # tests/layers/test_map_figure.py validates the whole map against plotly's schema
    return [go.Scatter(
        x=x, y=y, mode="markers", name=name, showlegend=False,
        customdata=[[kind, c] for c in codes], hovertext=text,
        hovertemplate="%{hovertext}<extra></extra>",
        marker={"size": size, "color": color, "line": {"color": line_color, "width": line_width}},
        _validate=False,
    )]
