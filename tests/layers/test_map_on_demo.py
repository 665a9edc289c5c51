"""The map on the demo county built by the real generator and loaded by the real ETL.

Checks what only real data shows: every simplified shape parses and labels fall inside it,
the raster holds exactly the cohort that metrics.py counts, and the county view stays small.
"""
from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
import shapely
from dash._utils import to_json
from flask import Flask
from flask_caching import Cache

from dashboard.context import AppContext
from dashboard.wall import map_panel as mp
from store import hotspots as hs
from store import map_reads as mr
from store import metrics as m
from store.db import ReadStore
from store.settings import Settings


def test_map_reads_and_figure_on_the_demo_county(wall_demo_db):
    store = ReadStore(wall_demo_db)
    s = Settings()
    try:
        towns = mr.township_shapes(store, s)
        grids = mr.grid_shapes(store, s)
        assert len(towns) == 15 and len(grids) == store.scalar("SELECT count(*) FROM grids")
        assert towns.geometry.is_valid.all() and grids.geometry.is_valid.all()
        inside = shapely.contains_xy(grids.geometry.values, grids["label_lon"], grids["label_lat"])
        assert inside.mean() > 0.99

        as_of = m.resolve_as_of(store, s)
        start, end = m.default_window(as_of, 30)
        cells, dx, dy = mr.event_cells(store, s, start, end)
        reported = m.metrics(store, s, start=start, end=end, as_of=as_of)["reported"]
        located = store.scalar(
            "SELECT count(*) FROM events WHERE reported_at >= ? AND reported_at < ?"
            " AND status IS DISTINCT FROM 'invalid' AND lon IS NOT NULL",
            [dt.datetime.combine(start, dt.time()), dt.datetime.combine(end, dt.time())])
        assert cells["n"].sum() == located <= reported and located > 0.95 * reported

        table = hs.hotspot_table(store, s, start, end)
        assert len(table) == len(grids)
        assert set(hs.emerging_hotspots(store, s, start, end)["grid_id"]) <= set(grids["code"])

        ctx = AppContext(store=store, settings=s,
                         cache=Cache(Flask(__name__), config={"CACHE_TYPE": "SimpleCache"}))
        county, _ = mp.update_map(ctx, None, list(mp.DEFAULT_LAYERS), "reported", None)
        everything, _ = mp.update_map(ctx, None, [k for k, _ in mp.LAYER_OPTIONS], "density", None)
        code = towns["code"].iloc[0]
        town, _ = mp.update_map(ctx, {"township": code}, list(mp.DEFAULT_LAYERS), "red", None)
        town = go.Figure(town)                     # the wall sends the figure's JSON
        assert len(to_json(county)) < 1_000_000 and len(to_json(everything)) < 1_000_000
        kinds = {c[0] for t in town.data if t.customdata is not None for c in t.customdata}
        assert kinds == {"township", "grid"}
    finally:
        store.close()
