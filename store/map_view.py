"""What one map view shows, assembled from the map's read functions (no figure, no screen).

The wall's map room and any other screen that draws the map call :func:`map_data` with a
``read`` function: ``read(fn, *args)`` must return ``fn(store, settings, *args)``, usually
through a cache (the wall passes ``ctx.cached``, so the ranking panel and the map share one
cached ``metrics_table`` call). :func:`direct_reader` reads without a cache.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable

import geopandas as gpd
import pandas as pd

from store import hotspots as hs
from store import map_reads as mr
from store import wall_reads as wr

Reader = Callable[..., Any]


@dataclass
class MapData:
    """Everything one map view needs, already read from the store."""

    townships: gpd.GeoDataFrame
    units: gpd.GeoDataFrame            # townships (county) or the township's grids, with figures
    grids: gpd.GeoDataFrame | None     # grid outlines to draw (None when the layer is off)
    grids_left_out: int = 0            # the county's grids whose outlines are not drawn
    heat_cells: pd.DataFrame | None = None
    heat_dx: float = 0.0
    heat_dy: float = 0.0
    cameras: pd.DataFrame | None = None
    hotspots: gpd.GeoDataFrame | None = None
    window: tuple[dt.date, dt.date] | None = None


def direct_reader(store, settings) -> Reader:
    """A ``read`` for :func:`map_data` without a cache (scripts, the briefing, tests)."""
    return lambda fn, *args, **kw: fn(store, settings, *args, **kw)


def outlines_max(settings) -> int:
    """[wall] county_grid_outlines_max: with more grids a county view (the wall's map, the
    3D view) draws no grid outlines and says how many it left out."""
    return int(settings.section("wall")["county_grid_outlines_max"])


def grids_left_out(read: Reader, township: str | None, layers: tuple[str, ...],
                   county_grid_outlines_max: int | None) -> int:
    """How many grid outlines the view leaves out: all of them on a county view with the
    grid layer on and more grids than ``county_grid_outlines_max``; else 0."""
    if township or "grids" not in layers or county_grid_outlines_max is None:
        return 0
    n = len(read(mr.grid_shapes, None))
    return n if n > county_grid_outlines_max else 0


def map_data(read: Reader, township: str | None, layers: tuple[str, ...], start: dt.date,
             end: dt.date, as_of: dt.datetime, min_events: int = 5,
             county_grid_outlines_max: int | None = None) -> MapData:
    """The county view (``township`` None, or unknown) or one township's, for ``[start, end)``
    at ``as_of``, with the layers named in ``layers`` read and the others left out.

    A county with more than ``county_grid_outlines_max`` grids gets no grid outlines on its
    county view (``grids_left_out`` says how many): 10,000 grids are ~5 px each on a
    1920×1080 wall and would be a megabyte of every county view; a township view draws its
    own grids whatever their number."""
    towns = read(mr.township_shapes)
    if township and township not in set(towns["code"]):
        township = None
    # the ranking panel reads the very same metrics_table call: share its cache entry
    ranking = wr.unit_ranking_via(read, township, start, end, as_of, min_events)
    measures = mr.with_density(ranking, read(mr.unit_areas, township))
    shapes = mr.grid_shapes_via(read, township) if township else towns
    units = shapes.merge(measures.drop(columns=["name", "area_km2"], errors="ignore"),
                         on="code", how="left")
    grids = None
    if "grids" in layers or "hotspots" in layers:
        grids = shapes if township else read(mr.grid_shapes, None)
    left_out = grids_left_out(read, township, layers, county_grid_outlines_max)
    outlines = grids if "grids" in layers and not left_out else None
    data = MapData(townships=towns, units=units, grids=outlines, grids_left_out=left_out,
                   window=(start, end))
    if "heat" in layers:
        cells, dx, dy = read(mr.event_cells, start, end, township, 45 if township else 150)
        data.heat_cells, data.heat_dx, data.heat_dy = cells, dx, dy
    if "cameras" in layers:
        data.cameras = read(mr.camera_points, township, as_of)
    if "hotspots" in layers:
        hot = hs.emerging_hotspots_via(read, start, end, township)
        data.hotspots = grids.merge(hot.rename(columns={"grid_id": "code"})
                                    .drop(columns=["grid_name", "township_code", "area_km2"]),
                                    on="code", how="inner")
    return data
