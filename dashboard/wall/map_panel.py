"""The wall's map room: the ``map-graph`` with its measure selector and layer toggles.

Thin on purpose: the store assembles what a view shows (:func:`store.map_view.map_data`,
read through ``ctx.cached``), :mod:`dashboard.figures.wall_map` draws it (pure, no Dash), and
this module only places the graph and answers the wall's one view callback
(:mod:`dashboard.wall.reply`). A refresh that would send the same figure sends nothing
(``map-signature`` remembers what the browser has), so an unattended wall does not flicker
and does not re-download the map every minute.
"""
from __future__ import annotations

import hashlib
import logging
import threading

import dash
from dash import Input, Output, State, dcc, html

from dashboard.figures import theme
from dashboard.figures.wall_map import (CONTROLS_PX, DEFAULT_LAYERS, DEFAULT_MEASURE,  # noqa: F401
                                        LAYER_OPTIONS, PANEL_PX, SIDE_PX, VIEW_PX, map_figure,
                                        message_figure)
from dashboard.wall.view import current_view, min_events
from store import map_reads as mr
from store import map_view
from store.db import StoreError
from store.map_view import MapData  # noqa: F401 - the map's data, re-exported for callers

log = logging.getLogger(__name__)

MAP_GRAPH = "map-graph"
MAP_LAYERS = "map-layers"
MAP_MEASURE = "map-measure"
MAP_SIGNATURE = "map-signature"


def read_map_data(ctx, township: str | None, layers: tuple[str, ...],
                  window: dict | None = None) -> MapData:
    """What the view of ``township`` (None = county) shows, read through ``ctx.cached``, for
    the window of ``window`` (drill-store data; None = the settings' default)."""
    v = current_view(ctx, window)
    return map_view.map_data(ctx.cached, township, tuple(layers), v.start, v.end, v.as_of,
                             min_events(ctx))


# --- layout and callback ------------------------------------------------------------------

def layout(ctx) -> html.Div:
    """The map panel: graph filling the parent, controls over its top-right corner."""
    controls = html.Div(className="map-controls", children=[
        dcc.RadioItems(
            id=MAP_MEASURE, value=DEFAULT_MEASURE, className="map-measure",
            options=[{"label": lbl, "value": key} for key, (lbl, _u, _d) in mr.MEASURES.items()],
            inputClassName="map-input", labelClassName="map-option"),
        dcc.Checklist(
            id=MAP_LAYERS, value=list(DEFAULT_LAYERS), className="map-layers",
            options=[{"label": lbl, "value": key} for key, lbl in LAYER_OPTIONS],
            inputClassName="map-input", labelClassName="map-option"),
    ])
    return html.Div(className="map-panel", id="map-panel", children=[
        dcc.Graph(id=MAP_GRAPH, className="map-graph", figure=message_figure(""),
                  config={**theme.GRAPH_CONFIG, "displayModeBar": False, "scrollZoom": False},
                  style={"width": "100%", "height": "100%"}),
        controls,
        dcc.Store(id=MAP_SIGNATURE, data=None),
    ])


def _signature(ctx, township, grid, layers, measure, window: dict) -> str:
    v = current_view(ctx, window)
    text = "|".join([ctx.store.version, v.as_of.isoformat(), str(township), str(grid),
                     ",".join(layers), measure, v.start.isoformat(), v.end.isoformat()])
    return hashlib.sha1(text.encode()).hexdigest()


def _build(ctx, township, grid, layers, measure, window: dict):
    data = read_map_data(ctx, township, layers, window)
    if data.townships.empty:
        return message_figure("暂无地图数据")
    return map_figure(data, township=township, grid=grid, layers=layers, measure=measure)


def update_map(ctx, drill: dict | None, layers: list | None, measure: str | None,
               known_signature: str | None, refresh: bool = False):
    """(figure, signature) for the drill state and controls; ``no_update`` when unchanged."""
    drill = drill or {}
    township = drill.get("township") or None
    grid = drill.get("grid") or None
    layers = tuple(sorted(layers or ()))
    measure = measure if measure in mr.MEASURES else DEFAULT_MEASURE
    try:
        if grid and not township:       # a grid alone (e.g. a hotspot clicked on the county map)
            grids = ctx.cached(mr.grid_shapes, None)
            match = grids.loc[grids["code"] == grid, "township_code"]
            township = match.iloc[0] if len(match) else None
        sig = _signature(ctx, township, grid, layers, measure, drill)
        if sig == known_signature:
            return dash.no_update, dash.no_update
        fig = _build(ctx, township, grid, layers, measure, drill)
    except StoreError as exc:
        if refresh:
            return dash.no_update, dash.no_update
        return message_figure(exc.title), None
    return fig, sig


def warm(ctx) -> None:
    """Read the county view once (shapes, per-township figures, hotspots) into the cache.

    Run in a background thread when the app starts, so the first wall to connect after a
    server restart does not wait for geometry parsing and the county aggregation (the
    ranking panel reads the same cached figures). Failures are left to the real request.
    """
    try:
        read_map_data(ctx, None, tuple(DEFAULT_LAYERS))
    except Exception:  # noqa: BLE001 - a warm-up must never take the server down
        log.info("map warm-up skipped", exc_info=True)


def register_callbacks(app, ctx) -> None:
    threading.Thread(target=warm, args=(ctx,), name="map-warm-up", daemon=True).start()

    @app.callback(
        Output(MAP_GRAPH, "figure"),
        Output(MAP_SIGNATURE, "data"),
        Input("drill-store", "data"),
        Input("refresh-interval", "n_intervals"),
        Input(MAP_LAYERS, "value"),
        Input(MAP_MEASURE, "value"),
        State(MAP_SIGNATURE, "data"),
    )
    def _update_map(drill, _n, layers, measure, signature):
        refresh = dash.ctx.triggered_id == "refresh-interval"
        return update_map(ctx, drill, layers, measure, signature, refresh=refresh)
