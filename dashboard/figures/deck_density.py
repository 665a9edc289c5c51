"""The 3D density view (三维密度): a pydeck Deck with no base map (polygons are the map).

Bottom to top: event density hexagons (extruded), grid outlines, township outlines, hotspot
outlines, the selected grid, cameras, coverage-gap rings. ``map_provider=None``: no style,
no tiles, nothing fetched from the internet; the page draws it with the deck.gl bundle the
app serves.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd
import pydeck as pdk

from dashboard.figures import style
from layers.deck_camera import fit_camera
from layers.deck_density import column_tops, hexagon_layer
from layers.deck_outlines import outline_layer
from layers.deck_points import camera_layer, gap_layer


@dataclass
class DeckData:
    """What one 3D view shows, already read: plain records and frames, no renderer types."""

    bounds: tuple[float, float, float, float]          # lon/lat box of the place
    cells: pd.DataFrame                                 # lon, lat, n
    outline: list = field(default_factory=list)         # lon/lat points the camera fits
    townships: list[dict] = field(default_factory=list)  # outline records
    grids: list[dict] = field(default_factory=list)
    hotspots: list[dict] = field(default_factory=list)
    selected: list[dict] = field(default_factory=list)
    cameras: list[dict] = field(default_factory=list)    # p, online, tip
    gaps: list[dict] = field(default_factory=list)       # p, r, tip
    hex_radius_m: float = 300.0
    pitch: float = 45.0
    bearing: float = -12.0
    size_px: tuple[int, int] = (900, 560)


def fit_view(outline: list, bounds: tuple[float, float, float, float],
             size_px: tuple[int, int], pitch: float, bearing: float,
             tops: tuple[list, list] = ([], [])) -> pdk.ViewState:
    """The tilted camera that shows the whole place: the points of ``outline`` (lon, lat;
    else the corners of ``bounds``) and the ``tops`` of the columns (points, heights in
    metres: layers.deck_density.column_tops) inside the view, clear of the legend at its
    foot (layers.deck_camera). Fitted to the outline alone, a tall column near the place's
    far edge ran out of the top of the view."""
    minx, miny, maxx, maxy = bounds
    pts = list(outline or [(minx, miny), (maxx, miny), (minx, maxy), (maxx, maxy)])
    top_pts, top_h = tops
    lon, lat, zoom = fit_camera(pts + list(top_pts), size_px, pitch, bearing,
                                heights_m=[0.0] * len(pts) + list(top_h))
    return pdk.ViewState(longitude=round(lon, 6), latitude=round(lat, 6), zoom=round(zoom, 2),
                         pitch=pitch, bearing=bearing, max_pitch=70)


def column_height_m(bounds) -> float:
    """Height of the tallest hexagon: a quarter of the view's width, so a county, a
    township and a grid all read as 3D without columns leaving the screen. deck.gl maps
    events per hexagon linearly onto [0, this]."""
    minx, miny, maxx, maxy = bounds
    width_m = (maxx - minx) * 111_320 * math.cos(math.radians((miny + maxy) / 2))
    return max(width_m / 4, 50.0)


# deck.gl's JSON converter reads every string of the deck, data rows included, that starts
# with '@@=' as an expression and '@@#' as a constant: one camera named '@@#…' threw in the
# converter and no 3D view was drawn. A leading '@' of a text from the data is sent as the
# entity '&#64;' (the tooltip is HTML, so it still reads '@'; the frame decodes a clicked code).
INERT_AT = "&#64;"


def inert(records: list[dict]) -> list[dict]:
    """``records`` with every text that starts with '@@' made inert for deck.gl's converter."""
    def one(v):
        return INERT_AT + v[1:] if isinstance(v, str) and v.startswith("@@") else v
    if not any(isinstance(v, str) and v.startswith("@@") for r in records for v in r.values()):
        return records
    return [{k: one(v) for k, v in r.items()} for r in records]


def density_deck(data: DeckData) -> pdk.Deck:
    max_h = column_height_m(data.bounds)
    layers = [hexagon_layer(data.cells, radius_m=data.hex_radius_m, colors=style.DENSITY_RANGE,
                            max_height_m=max_h)]
    if data.grids:
        layers.append(outline_layer(inert(data.grids), layer_id="grids", color=style.GRID_LINE,
                                    width_px=0.8))
    if data.townships:
        layers.append(outline_layer(inert(data.townships), layer_id="townships",
                                    color=style.TOWNSHIP_LINE, width_px=1.8))
    if data.hotspots:
        layers.append(outline_layer(inert(data.hotspots), layer_id="hotspots",
                                    color=style.HOTSPOT_LINE, width_px=3, pickable=True))
    if data.selected:
        layers.append(outline_layer(inert(data.selected), layer_id="selected",
                                    color=style.SELECTED_LINE, width_px=3.5))
    if data.cameras:
        cams = [{"p": c["p"], "tip": c["tip"],
                 "c": style.CAMERA_ONLINE if c["online"] else style.CAMERA_OFFLINE}
                for c in data.cameras]
        layers.append(camera_layer(inert(cams)))
    if data.gaps:
        layers.append(gap_layer(inert(data.gaps), color=style.GAP_RING))
    return pdk.Deck(
        layers=layers, map_provider=None, map_style=None,
        initial_view_state=fit_view(data.outline, data.bounds, data.size_px, data.pitch,
                                    data.bearing, column_tops(data.cells,
                                                              radius_m=data.hex_radius_m,
                                                              max_height_m=max_h)),
        views=[pdk.View(type="MapView", controller=True)],
        parameters={"clearColor": [0, 0, 0, 0]})
