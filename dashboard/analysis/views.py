"""Reads the page and the API share, assembled from cached pieces (no Dash here).

The hotspot table of a view = the rollup counts of its window (cached per window and
filters) + camera coverage of every grid at as_of (cached per as_of) + the grids'
contiguity (cached per load): changing the window re-runs one rollup query, never the
geometry. The assembled view is cached too (per store version, like every ctx.cached
read), so the page's table and the API's reply for one view cost one assembly.
"""
from __future__ import annotations

import pandas as pd

from store import analysis_reads as ar
from store import cameras_near as cn
from store import hotspots as hs
from store.analysis_filters import Filters


def hotspot_view(ctx, f: Filters, everything: bool = False) -> pd.DataFrame:
    def assemble(store, settings, start, end, as_of, township, category, channel, everything):
        table = ctx.cached(hs.hotspot_table, start, end, township, category=category,
                           channel=channel)
        coverage = ctx.cached(cn.online_within, None, as_of)
        neighbours = ctx.cached(hs.grid_neighbours)
        return ar.hotspots(store, settings, start, end, as_of, township, category, channel,
                           everything, table=table, coverage=coverage, neighbours=neighbours)

    return ctx.cached(assemble, f.start, f.end, f.as_of, f.township, f.category, f.channel,
                      everything)
