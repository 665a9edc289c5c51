"""The briefing's map: the week's event density per township (or per grid inside a township)
with the week's emerging hotspots outlined and named. Pure: GeoDataFrames in → a figure out.

Built from the same map layers as the wall (``layers``), on plain axes (no tiles, offline).
Density is a volume, so its classes are a neutral blue ramp; the hotspots stand out in the
palette's hotspot colour and are labelled on the map, because a printed page has no hover.
"""
from __future__ import annotations

import geopandas as gpd
import plotly.graph_objects as go

import layers as L
from dashboard.figures.briefing_theme import Palette, base_layout


DISC_PX = 24              # a numbered hotspot disc's diameter
LEGEND_FONT = 15


def legend_px(traces: list) -> tuple[float, float]:
    """The legend box's size (px) on the slide, from its entries: a title line and one
    line of LEGEND_FONT a class, the hotspot key after a gap (measured in Chromium: 156×181
    for five classes and the key, 156×134 for three); a little more, so no name touches it."""
    shown = [t for t in traces if getattr(t, "showlegend", None)]
    longest = max((len(str(t.name or "")) for t in shown), default=0)
    width = max(160.0, 0.6 * LEGEND_FONT * longest + 60)
    return width + 8, 40 + 23.5 * len(shown) + 8


def map_figure(units: gpd.GeoDataFrame, outlines: gpd.GeoDataFrame | None,
               grids: gpd.GeoDataFrame | None, hotspots: gpd.GeoDataFrame,
               pal: Palette, numbered: int = 8,
               view_px: tuple[float, float] = (820, 600)) -> go.Figure:
    """``units``: code, name, geometry, density (events/km² this week), label_lon/lat.
    ``outlines``: the townships to frame (the county's, or the one township's); ``grids``:
    faint grid outlines (None to leave out); ``hotspots``: hotspot grids (code, name, geometry,
    k, ratio), in the order the briefing lists them: disc N is row N of that list. Only the
    first ``numbered`` (the rows the slide lists) get a disc: a city's hundred hotspots are
    outlined, and a hundred numbered discs would hide the map and name nothing on the page.
    ``view_px``: the plot's size on the slide; names are placed in it clear of each other,
    of the discs and of the legend, inside the plot and over their own township
    (layers.declutter): smaller, nudged or cut short (第4号北部经济…) where they would
    collide or spread over the neighbours, the larger townships first; a name with no room
    is left out (the Word document names every township)."""
    axes = L.map_axes(L.bounds((outlines if outlines is not None else units).geometry.values),
                      pad=0.03)
    traces: list = L.choropleth(units, "density", kind="grid", label="事件密度", unit="件/km²",
                                decimals=1, colors=pal.classes, zero_color=pal.zero,
                                fill_opacity=0.92, marker_size=1,
                                marker_color="rgba(0,0,0,0)",
                                marker_line_color="rgba(0,0,0,0)")[:-1]
    if grids is not None and not grids.empty:
        traces += L.grid_boundaries(grids, line_color=pal.dim, line_width=0.4, opacity=0.35)
    discs = hotspots.geometry.representative_point().head(numbered)   # the listed ones
    corner = L.emptiest_corner(units.geometry.values, axes,
                               avoid=(discs.x.to_numpy(), discs.y.to_numpy()))
    keys = traces + ([go.Scatter(name=f"新发热点 {len(hotspots)} 处", showlegend=True)]
                     if not hotspots.empty else [])
    # the legend on empty paper: the view widened on its side where the county reaches under
    # it (a square county has no empty corner); its margin (legend_position) counted in
    box = legend_px(keys)
    axes = L.clear_corner(units.geometry.values, axes, view_px,
                          (box[0] + 0.01 * view_px[0], box[1] + 0.01 * view_px[1]), corner)
    if outlines is not None and not outlines.empty:
        traces += L.township_boundaries(outlines, line_color=pal.text if pal.name == "light"
                                        else pal.accent, line_width=1.4, opacity=0.8)
        halo = "0 0 3px #000, 0 0 6px #000" if pal.name == "dark" else \
            "0 0 3px #fff, 0 0 6px #fff, 0 0 9px #fff"
        # the names that fit, none on another or on a numbered disc
        clear = [(a, b, DISC_PX / 2 + 2) for a, b in zip(discs.x, discs.y)]
        named = L.declutter(outlines, axes, view_px, large=16, small=12, keep_clear=clear,
                            keep_out=[(corner, legend_px(keys))], inside=True, own=True,
                            shorten=True)
        traces += L.township_labels(named, font_size=named["size"].tolist(), color=pal.text,
                                    weight=600, shadow=halo)
    if not hotspots.empty:
        traces += L.hotspot_outlines(hotspots, color=pal.hotspot, width=2.5, glow_width=9,
                                     clickable=False)
        # numbered discs; the names are listed beside the map (labels collide in a town centre)
        traces.append(go.Scatter(
            x=discs.x, y=discs.y, mode="markers+text", showlegend=False, hoverinfo="skip",
            marker={"size": DISC_PX, "color": pal.hotspot,
                    "line": {"color": pal.bg, "width": 2}},
            text=[str(i) for i in range(1, len(discs) + 1)], textposition="middle center",
            textfont={"size": 14, "color": "#ffffff", "weight": 700}))
        traces.append(go.Scatter(x=[None], y=[None], mode="lines", showlegend=True,
                                 name=f"新发热点 {len(hotspots)} 处",
                                 line={"color": pal.hotspot, "width": 3}, legendrank=1000))
    fig = go.Figure(traces, layout=base_layout(
        pal, **axes, showlegend=True, margin={"l": 0, "r": 0, "t": 0, "b": 0},
        legend={**L.legend_position(corner), "bgcolor": pal.panel, "bordercolor": pal.border,
                "borderwidth": 1, "font": {"size": LEGEND_FONT, "color": pal.text},
                "grouptitlefont": {"size": LEGEND_FONT, "color": pal.dim},
                "traceorder": "grouped", "itemsizing": "constant"}))
    return fig
