"""deck.gl ScatterplotLayers: cameras (green online, grey offline) and coverage gaps.

A coverage gap (视频盲区) is an emerging hotspot with no online camera within the coverage
radius; it is drawn as a red ring sized to the grid, so it stays visible above the columns.
"""
from __future__ import annotations

import pydeck as pdk


def camera_layer(records: list[dict], *, layer_id: str = "cameras") -> pdk.Layer:
    """``records``: ``p`` [lon, lat], ``c`` [r, g, b, a], ``tip`` (HTML)."""
    return pdk.Layer(
        "ScatterplotLayer", data=records, id=layer_id, get_position="p", get_fill_color="c",
        get_radius=30, radius_min_pixels=1.8, radius_max_pixels=7, stroked=False,
        pickable=True, parameters={"depthTest": False})


def gap_layer(records: list[dict], *, color: list[int],
              layer_id: str = "coverage-gaps") -> pdk.Layer:
    """``records``: ``p`` [lon, lat], ``r`` (metres), ``tip``: red rings, not filled."""
    return pdk.Layer(
        "ScatterplotLayer", data=records, id=layer_id, get_position="p", get_radius="r",
        filled=False, stroked=True, get_line_color=color, line_width_min_pixels=3.5,
        radius_min_pixels=10, pickable=True, parameters={"depthTest": False})
