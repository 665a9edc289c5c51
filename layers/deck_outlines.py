"""deck.gl PathLayers for outlines (townships, grids, hotspots, the selected grid).

Input: records from :func:`store.analysis_reads.outline_records` (``path`` plus fields).
Widths are in screen pixels, so an outline reads the same at every zoom and tilt.
"""
from __future__ import annotations

import pydeck as pdk


def outline_layer(records: list[dict], *, layer_id: str, color: list[int], width_px: float,
                  pickable: bool = False) -> pdk.Layer:
    """One PathLayer; ``color`` is [r, g, b, a] (0–255)."""
    return pdk.Layer(
        "PathLayer", data=records, id=layer_id, get_path="path", get_color=color,
        width_units='"pixels"', get_width=width_px, width_min_pixels=width_px,
        joint_rounded=True, pickable=pickable, parameters={"depthTest": False})
