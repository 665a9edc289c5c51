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

import dash
from dash import dcc, html

from dashboard.figures import theme
from dashboard.figures.wall_map import (CONTROLS_PX, DEFAULT_LAYERS, DEFAULT_MEASURE,  # noqa: F401
                                        LAYER_OPTIONS, PANEL_PX, SIDE_PX, VIEW_PX, map_figure,
                                        map_parts, message_figure)
from dashboard.wall.figure_json import plain_parts
from dashboard.wall.view import current_view, min_events, outlines_max, short_names
from store import map_reads as mr
from store import map_view
from store.db import StoreError
from store.map_view import MapData  # noqa: F401 - the map's data, re-exported for callers

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
                             min_events(ctx), outlines_max(ctx))


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


OUTPUTS = [(MAP_GRAPH, "figure"), (MAP_SIGNATURE, "data")]
STATE = (MAP_SIGNATURE, "data")    # what the browser has: an unchanged map is not sent again
BY_GRID = True
BY_LAYERS = True


def signature(ctx, v) -> str:
    text = "|".join([ctx.store.version, v.as_of.isoformat(), str(v.township), str(v.grid),
                     ",".join(v.layers), v.measure, v.start.isoformat(), v.end.isoformat()])
    return hashlib.sha1(text.encode()).hexdigest()


def read(ctx, v) -> dict:
    return {"signature": signature(ctx, v),
            "data": map_view.map_data(ctx.cached, v.township, v.layers, v.start, v.end, v.as_of,
                                      min_events(ctx), outlines_max(ctx)),
            "names": short_names(ctx, v)}


def outputs(d: dict, v) -> list:
    data = d["data"]
    if data.townships.empty:
        return [message_figure("暂无地图数据"), d["signature"]]
    traces, layout = map_parts(data, township=v.township, grid=v.grid, layers=v.layers,
                               measure=v.measure, names=d.get("names"))
    return [plain_parts(traces, layout), d["signature"]]


def with_state(values: list, _d, _v, known: str | None):
    """Nothing to send when the browser already has this map."""
    return [dash.no_update, dash.no_update] if known and values[1] == known else None


def on_error(exc: StoreError, refresh: bool) -> list:
    """A refresh keeps the map it has; a drill-down says what is wrong."""
    return [dash.no_update, dash.no_update] if refresh else [message_figure(exc.title), None]


def update_map(ctx, drill: dict | None, layers: list | None, measure: str | None,
               known_signature: str | None, refresh: bool = False):
    """(figure, signature) for the drill state and controls; ``no_update`` when unchanged."""
    drill = dict(drill or {})
    try:
        if drill.get("grid") and not drill.get("township"):   # a grid alone
            grids = ctx.cached(mr.grid_shapes, None)
            match = grids.loc[grids["code"] == drill["grid"], "township_code"]
            drill["township"] = match.iloc[0] if len(match) else None
        v = current_view(ctx, drill, layers or (), measure)
        if signature(ctx, v) == known_signature:
            return dash.no_update, dash.no_update
        fig, sig = outputs(read(ctx, v), v)
    except StoreError as exc:
        return tuple(on_error(exc, refresh))
    return fig, sig
