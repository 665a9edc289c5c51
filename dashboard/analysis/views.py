"""Reads the page and the API share, assembled from cached pieces (no Dash here).

The hotspot table of a view = the rollup counts of its window (cached per window and
filters) + camera coverage of every grid at as_of (cached per as_of): changing the window
re-runs one rollup query, never the geometry.
"""
from __future__ import annotations

import pandas as pd

from store import analysis_reads as ar
from store import cameras_near as cn
from store import hotspots as hs
from store.analysis_filters import Filters


def hotspot_view(ctx, f: Filters, everything: bool = False) -> pd.DataFrame:
    table = ctx.cached(hs.hotspot_table, f.start, f.end, f.township, category=f.category,
                       channel=f.channel)
    coverage = ctx.cached(cn.online_within, None, f.as_of)
    neighbours = ctx.cached(hs.grid_neighbours)
    return ar.hotspots(ctx.store, ctx.settings, f.start, f.end, f.as_of, f.township,
                       f.category, f.channel, everything, table=table, coverage=coverage,
                       neighbours=neighbours)
