"""Click anywhere inside a unit: one invisible filled path per unit that answers on its fill.

A label marker is a small target; a leader pointing at a township on a touch wall, or an
officer clicking its middle, expects the whole polygon to respond. plotly reports hover and
click on a filled scatter path when ``hoveron="fills"`` (point-in-polygon, even-odd, so a
hole such as the town centre inside its surrounding township answers for the inner unit).
A fill's hover and click carry the trace (``curveNumber``) but no point, so each path is its
own trace with ``customdata = [[kind, code]]`` (one entry); the wall's click handler reads
``data[curveNumber].customdata[0]`` when a click has no point of its own.

The traces are plain plotly trace dicts, not ``go.Scatter``: a city's wall builds ~12,000 of
them every minute (41 views, ~250 units each), and constructing each ``go.Scatter``, even
unvalidated, was most of the ~0.5 s a minute this saves (docs/scale.md). ``go.Figure(data=...)``
takes them as they are; the wall sends them as JSON directly (dashboard/wall/figure_json).
"""
from __future__ import annotations

from typing import Sequence

import geopandas as gpd

from layers._geom import polygon_xy_each

KINDS = ("township", "grid")


def click_fills(
    gdf: gpd.GeoDataFrame,
    *,
    kind: str,
    hover_text: Sequence[str] | None = None,
    fill_color: str = "rgba(0,0,0,0)",
    zorder: int | None = None,
) -> list[dict]:
    """One transparent filled trace (a plotly scatter trace dict) per row of ``gdf``
    (columns ``code``, ``name``).

    Options (keyword-only):
        kind (str, required): "township" or "grid"; first element of each customdata.
        hover_text (sequence of str | None, None): hover label per row (plotly shows a fill's
            trace name on hover, so this becomes the name); None shows ``name``.
        fill_color (str, transparent): the fill; it must stay fully transparent on the wall
            (the choropleth draws the colours underneath).
        zorder (int | None, None): plotly's drawing layer of each trace; None leaves it out.
    """
    if kind not in KINDS:
        raise ValueError(f"click fill kind must be one of {KINDS}, not {kind!r}")
    text = list(hover_text) if hover_text is not None else gdf["name"].astype(str).tolist()
    out = []
    # not validated by plotly here; tests/layers/test_map_figure.py validates the whole map
    # against plotly's schema
    extra = {} if zorder is None else {"zorder": zorder}
    xys = polygon_xy_each(gdf.geometry.values)
    for code, label, (x, y) in zip(gdf["code"].astype(str), text, xys):
        if x.size == 0:
            continue
        out.append({
            "type": "scatter", "x": x, "y": y, "mode": "lines", "fill": "toself",
            "fillcolor": fill_color, "hoveron": "fills",
            "line": {"width": 0, "color": "rgba(0,0,0,0)"}, "name": label, "showlegend": False,
            "customdata": [[kind, code]], "hoverlabel": {"namelength": -1}, **extra,
        })
    return out
