"""Click anywhere inside a unit: one invisible filled path per unit that answers on its fill.

A label marker is a small target; a leader pointing at a township on a touch wall, or an
officer clicking its middle, expects the whole polygon to respond. plotly reports hover and
click on a filled scatter path when ``hoveron="fills"`` (point-in-polygon, even-odd, so a
hole such as the town centre inside its surrounding township answers for the inner unit).
A fill's hover and click carry the trace (``curveNumber``) but no point, so each path is its
own trace with ``customdata = [[kind, code]]`` (one entry); the wall's click handler reads
``data[curveNumber].customdata[0]`` when a click has no point of its own.
"""
from __future__ import annotations

from typing import Sequence

import geopandas as gpd
import plotly.graph_objects as go

from layers._geom import polygon_xy_each

KINDS = ("township", "grid")


def click_fills(
    gdf: gpd.GeoDataFrame,
    *,
    kind: str,
    hover_text: Sequence[str] | None = None,
    fill_color: str = "rgba(0,0,0,0)",
) -> list[go.Scatter]:
    """One transparent filled trace per row of ``gdf`` (columns ``code``, ``name``).

    Options (keyword-only):
        kind (str, required): "township" or "grid"; first element of each customdata.
        hover_text (sequence of str | None, None): hover label per row (plotly shows a fill's
            trace name on hover, so this becomes the name); None shows ``name``.
        fill_color (str, transparent): the fill; it must stay fully transparent on the wall
            (the choropleth draws the colours underneath).
    """
    if kind not in KINDS:
        raise ValueError(f"click fill kind must be one of {KINDS}, not {kind!r}")
    text = list(hover_text) if hover_text is not None else gdf["name"].astype(str).tolist()
    out = []
    # built without plotly's validation (a township's ~100 traces cost ~20 ms validated);
    # tests/layers/test_map_figure.py validates the whole map against plotly's schema
    xys = polygon_xy_each(gdf.geometry.values)
    for code, label, (x, y) in zip(gdf["code"].astype(str), text, xys):
        if x.size == 0:
            continue
        out.append(go.Scatter(
            x=x, y=y, mode="lines", fill="toself", fillcolor=fill_color, hoveron="fills",
            line={"width": 0, "color": "rgba(0,0,0,0)"}, name=label, showlegend=False,
            customdata=[[kind, code]], hoverlabel={"namelength": -1}, _validate=False,
        ))
    return out
