"""The wall's map room: an offline map (plotly cartesian axes, no tiles) with toggleable layers.

``layout(ctx)`` is a div that fills its parent: the ``map-graph`` figure with a measure
selector (``map-measure``) and layer toggles (``map-layers``) over its top-right corner.
``register_callbacks(app, ctx)`` redraws the figure when the drill state (``drill-store``),
the refresh tick (``refresh-interval``) or a control changes. Every clickable point carries
``customdata = [kind, code]`` (kind "township" | "grid") for the wall's drill callback.

The callback is thin: cached read functions (store.map_reads, store.hotspots) → the pure
:func:`map_figure` → the browser. A refresh that would send the same figure sends nothing
(``map-signature`` remembers what the browser has), so an unattended wall does not flicker
and does not re-download the map every minute.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
from dataclasses import dataclass

import dash
import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from dash import Input, Output, State, dcc, html

import layers as L
from dashboard.figures import theme
from store import hotspots as hs
from store import map_reads as mr
from store import wall_reads as wr
from store.db import StoreError
from store.vocab import CARD_ZH
from dashboard.wall.view import current_view, min_events

log = logging.getLogger(__name__)

MAP_GRAPH = "map-graph"
MAP_LAYERS = "map-layers"
MAP_MEASURE = "map-measure"
MAP_SIGNATURE = "map-signature"

LAYER_OPTIONS = [("townships", "镇街边界"), ("grids", "网格边界"), ("heat", "热力"),
                 ("cameras", "视频点位"), ("hotspots", "热点")]
DEFAULT_LAYERS = ["townships", "grids", "hotspots"]
DEFAULT_MEASURE = "red"          # the map says where it is bad (红线示警), not where it is busy
# the map panel on the 1920×1080 canvas, in px; the left strip holds the hotspot board (an
# HTML overlay, hotspot_board.py) and the legend, so neither covers the county
PANEL_PX = (926, 541)
SIDE_PX = 250
VIEW_PX = (PANEL_PX[0] - SIDE_PX, PANEL_PX[1])
CONTROLS_PX = (125, 250)         # one column (assets/map.css), plus a margin for glow
HOTSPOT_COLOR = "#ff4fd8"   # magenta: neither a status colour nor a choropleth class
SELECTED_GRID_COLOR = "#ffffff"
# counts and density: a neutral sequential blue ramp (dark → light), never red: volume is not
# a fault. Only red warnings use red, and its ramp grows from a dull to a bright red.
VOLUME_CLASSES = ("#16345f", "#1f5593", "#2f78bf", "#56a3dc", "#9fd3f2")
WARM_CLASSES = ("#5c1f24", "#8a2329", "#b8282e", "#e0353a", "#ff5c5c")
ZERO_COLOR = "#0e2142"


def _rgba_prefix(color: str) -> str:
    """'#16345f' → 'rgba(22,52,95' (a fill colour without its alpha, for comparisons)."""
    c = color.lstrip("#")
    return "rgba(" + ",".join(str(int(c[i:i + 2], 16)) for i in (0, 2, 4))


# --- data ----------------------------------------------------------------------------------

@dataclass
class MapData:
    """Everything one map view needs, already read (and cached) from the store."""

    townships: gpd.GeoDataFrame
    units: gpd.GeoDataFrame            # townships (county) or the township's grids, with figures
    grids: gpd.GeoDataFrame | None     # grid outlines to draw (None when the layer is off)
    heat_cells: pd.DataFrame | None = None
    heat_dx: float = 0.0
    heat_dy: float = 0.0
    cameras: pd.DataFrame | None = None
    hotspots: gpd.GeoDataFrame | None = None
    window: tuple[dt.date, dt.date] | None = None


def read_map_data(ctx, township: str | None, layers: tuple[str, ...],
                  window: dict | None = None) -> MapData:
    """Read (through ``ctx.cached``) what the view of ``township`` (None = county) shows,
    for the window of ``window`` (drill-store data; None = the settings' default)."""
    v = current_view(ctx, window)
    as_of, start, end = v.as_of, v.start, v.end
    towns = ctx.cached(mr.township_shapes)
    if township and township not in set(towns["code"]):
        township = None
    # the ranking panel reads the very same metrics_table call: share its cache entry
    ranking = ctx.cached(wr.unit_ranking, township, start, end, as_of, min_events(ctx), True)
    measures = mr.with_density(ranking, ctx.cached(mr.unit_areas, township))
    shapes = ctx.cached(mr.grid_shapes, township) if township else towns
    units = shapes.merge(measures.drop(columns=["name", "area_km2"], errors="ignore"),
                         on="code", how="left")
    grids = None
    if "grids" in layers or "hotspots" in layers:
        grids = shapes if township else ctx.cached(mr.grid_shapes, None)
    data = MapData(townships=towns, units=units, grids=grids if "grids" in layers else None,
                   window=(start, end))
    if "heat" in layers:
        cells, dx, dy = ctx.cached(mr.event_cells, start, end, township,
                                   45 if township else 150)
        data.heat_cells, data.heat_dx, data.heat_dy = cells, dx, dy
    if "cameras" in layers:
        data.cameras = ctx.cached(mr.camera_points, township, as_of)
    if "hotspots" in layers:
        hot = ctx.cached(hs.emerging_hotspots, start, end, township)
        hot_grids = grids.merge(hot.rename(columns={"grid_id": "code"})
                                .drop(columns=["grid_name", "township_code", "area_km2"]),
                                on="code", how="inner")
        data.hotspots = hot_grids
    return data


# --- the figure (pure) -------------------------------------------------------------------

def _pct(v) -> str:
    return theme.DASH if v is None or pd.isna(v) else f"{v * 100:.1f}%"


def _num(v, decimals: int = 0) -> str:
    return theme.DASH if v is None or pd.isna(v) else f"{v:,.{decimals}f}"


def _hover(units: gpd.GeoDataFrame, grid_level: bool) -> list[str]:
    out = []
    for _, r in units.iterrows():
        head = f"<b>{r['name']}</b>"
        if grid_level and isinstance(r.get("grid_worker"), str) and r["grid_worker"]:
            head += f"　网格员 {r['grid_worker']}"
        if r.get("few") is True:
            head += "　样本少"
        elif isinstance(r.get("card"), str) and not pd.isna(r.get("rank")):
            head += f"　第{int(r['rank'])}名 {CARD_ZH.get(r['card'], '')}"
        out.append(
            f"{head}<br>事件数 {_num(r.get('reported'))} 件"
            f"　密度 {_num(r.get('density'), 1)} 件/km²"
            f"<br>在办积压 {_num(r.get('open_backlog'))}　红线示警 {_num(r.get('red'))}"
            f"<br>办结率 {_pct(r.get('handling_rate'))}"
            f"　按期办结率 {_pct(r.get('on_time_rate'))}"
            + ("" if grid_level else "<br><i>点击查看网格</i>"))
    return out


def decluttered(towns: gpd.GeoDataFrame, axes: dict) -> gpd.GeoDataFrame:
    """The township labels that fit without overlapping (layers.place_labels), larger
    townships placed first; ``label_lon``/``label_lat`` nudged where needed, ``size`` added."""
    if towns.empty:
        return towns.assign(size=[])
    area = towns.to_crs(towns.estimate_utm_crs()).area.to_numpy() if towns.crs else None
    x, y, size, shown = L.place_labels(
        towns["name"].astype(str).tolist(), towns["label_lon"], towns["label_lat"], axes,
        VIEW_PX, large=20, small=15, priority=list(area) if area is not None else None)
    out = towns.assign(label_lon=x, label_lat=y, size=size)
    return out[shown]


def _legend_key(name: str, *, line: dict | None = None, marker: dict | None = None) -> go.Scatter:
    """A legend-only entry (no data drawn) for layers whose own traces stay out of the legend."""
    return go.Scatter(x=[None], y=[None], mode="lines" if line else "markers", name=name,
                      line=line, marker=marker, showlegend=True, hoverinfo="skip",
                      legendgroup="marks", legendrank=1000)


def map_figure(
    data: MapData,
    *,
    township: str | None = None,
    grid: str | None = None,
    layers: tuple[str, ...] = tuple(DEFAULT_LAYERS),
    measure: str = DEFAULT_MEASURE,
) -> go.Figure:
    """The map for the county (``township`` None) or one township, with ``grid`` highlighted."""
    label, unit, decimals = mr.MEASURES.get(measure, mr.MEASURES[DEFAULT_MEASURE])
    measure = measure if measure in mr.MEASURES else DEFAULT_MEASURE
    towns = data.townships
    drilled = township is not None and township in set(towns["code"])
    units = data.units
    focus = towns[towns["code"] == township] if drilled else towns
    pad = 0.05 if drilled else 0.02
    axes = L.map_axes(L.bounds(focus.geometry.values), pad=pad)
    if L.covers(focus.geometry.values, axes, VIEW_PX, CONTROLS_PX):
        # the shape runs under the measure / layer controls: make room above it
        axes = L.map_axes(L.bounds(focus.geometry.values), pad=pad, extra_top=0.14)
    traces: list = []
    legend: list = []

    # 1. choropleth fills (the measure), with their click markers kept for the top
    choro = L.choropleth(
        units, measure, kind="grid" if drilled else "township", label=label, unit=unit,
        decimals=decimals, hover_text=_hover(units, drilled),
        # invisible markers: with hovermode "closest" the nearest label point wins, so a
        # click anywhere in a unit hits it without dots cluttering the map
        marker_size=14 if drilled else 34, marker_color="rgba(0,0,0,0)",
        marker_line_color="rgba(0,0,0,0)",
        # with the heat on, the classes step back so the heat reads over them (but stay
        # readable: the heat is drawn above them with its own transparent low end)
        fill_opacity=0.45 if "heat" in layers else 0.82,
        colors=WARM_CLASSES if measure == "red" else VOLUME_CLASSES,
        zero_color=ZERO_COLOR, zero_label="0")
    fills, unit_markers = choro[:-1], choro[-1:]
    if drilled:
        others = towns[towns["code"] != township]
        traces += L.township_boundaries(others, fill_color="rgba(10,28,58,0.55)",
                                        line_color="rgba(0,0,0,0)", line_width=0,
                                        opacity=1.0, name="周边镇街")
    traces += fills
    for t in traces:
        t.zorder = 0

    # 2. heat: plotly draws heatmaps under scatter traces of the same zorder, so the heat
    # gets its own layer between the fills and the lines
    if data.heat_cells is not None and "heat" in layers and data.heat_dx > 0:
        for t in L.heat(data.heat_cells, dx=data.heat_dx, dy=data.heat_dy, blur=2):
            t.zorder = 1
            traces.append(t)
        legend.append(_legend_key("事件热力", marker={"color": theme.ORANGE, "size": 12,
                                                   "symbol": "square"}))
    n_below = len(traces)

    # 3. grid boundaries
    if data.grids is not None and "grids" in layers:
        traces += L.grid_boundaries(data.grids, line_color=theme.TEXT_DIM,
                                    line_width=0.8 if drilled else 0.4,
                                    opacity=0.55 if drilled else 0.28)

    # 4. township boundaries (neighbours faint on a drill-down)
    if "townships" in layers:
        traces += L.township_boundaries(towns, line_color=theme.ACCENT,
                                        line_width=1.2 if drilled else 1.6,
                                        opacity=0.35 if drilled else 0.85)

    # 5. emerging hotspots
    hot_markers: list = []
    if data.hotspots is not None and "hotspots" in layers and not data.hotspots.empty:
        hot = L.hotspot_outlines(data.hotspots, color=HOTSPOT_COLOR,
                                 width=2.5 if drilled else 2.0, glow_width=8 if drilled else 6,
                                 marker_size=12 if drilled else 9)
        traces += hot[:2]
        hot_markers = hot[2:]
        legend.append(_legend_key(f"新发热点 {len(data.hotspots)} 处",
                                  line={"color": HOTSPOT_COLOR, "width": 3}))

    # 6. selection
    if drilled:
        traces += L.selection_outline(towns[towns["code"] == township], color=theme.ACCENT,
                                      width=3.0, glow_width=12)
        if grid is not None:
            traces += L.selection_outline(units[units["code"] == grid], color=SELECTED_GRID_COLOR,
                                          width=3.0, glow_width=10, glow_opacity=0.35)

    # 7. cameras
    if data.cameras is not None and "cameras" in layers and not data.cameras.empty:
        traces += L.cameras(data.cameras, online_color=theme.GREEN, offline_color=theme.ORANGE,
                            size=7 if drilled else 5, offline_size=10 if drilled else 8)
        n_on = int((data.cameras["status"] == "online").sum())
        n_off = int((data.cameras["status"] == "offline").sum())
        legend.append(_legend_key(f"视频在线 {n_on}", marker={"color": theme.GREEN, "size": 9}))
        legend.append(_legend_key(f"视频离线 {n_off}",
                                  marker={"color": theme.ORANGE, "size": 11, "symbol": "x"}))

    # 8. labels
    if "townships" in layers or drilled:
        if drilled:
            others = towns[towns["code"] != township]
            traces += L.township_labels(others, font_size=15, color=theme.TEXT_DIM)
            if grid is not None:
                sel = units[units["code"] == grid]
                traces += L.township_labels(sel, font_size=16, color=theme.TEXT)
        else:
            placed = decluttered(towns, axes)
            traces += L.township_labels(placed, font_size=[float(v) for v in placed["size"]],
                                        color=theme.TEXT, weight=600)

    # 9. click targets on top: the whole polygon of every unit (and of the neighbour
    # townships on a drill-down), then markers at the label points and hotspot grids
    unit_hover = _hover(units, drilled)
    if drilled:
        others = towns[towns["code"] != township]
        traces += L.click_fills(others, kind="township",
                                hover_text=[f"{n}<br><i>点击切换</i>" for n in others["name"]])
    traces += L.click_fills(units, kind="grid" if drilled else "township", hover_text=unit_hover)
    if drilled:
        traces += L.click_markers(others, kind="township", size=30,
                                  color="rgba(0,0,0,0)", line_color="rgba(0,0,0,0)",
                                  hover_text=[f"{n}<br><i>点击切换</i>"
                                              for n in others["name"]])
    traces += unit_markers + hot_markers

    view = "township:" + township if drilled else "county"
    layout = theme.base_layout(
        **axes,
        template="none",
        showlegend=True,
        # the left strip: hotspot board on top (HTML), the legend at its foot
        margin={"l": SIDE_PX, "r": 0, "t": 0, "b": 0},
        # fills answer inside every polygon; a point (label marker, hotspot, camera) wins only
        # right under the cursor, not from a neighbouring unit 20 px away
        hovermode="closest", hoverdistance=4, dragmode=False,
        legend={"x": 8 / PANEL_PX[0], "y": 0.01, "xref": "container", "yref": "container",
                "xanchor": "left", "yanchor": "bottom",
                "bgcolor": "rgba(6,18,41,0.72)", "bordercolor": theme.PANEL_BORDER,
                "borderwidth": 1, "font": {"size": 14, "color": theme.TEXT},
                "grouptitlefont": {"size": 14, "color": theme.TEXT_DIM},
                "itemclick": False, "itemdoubleclick": False, "tracegroupgap": 6,
                "itemsizing": "constant", "traceorder": "grouped"},
        uirevision=f"map:{view}",
    )
    for t in traces[n_below:]:
        t.zorder = 2
    fig = go.Figure(data=traces + legend, layout=layout)
    return fig


def message_figure(text: str) -> go.Figure:
    """An empty map with one centred message (no data, or the store unavailable)."""
    layout = theme.base_layout(
        template="none", xaxis={"visible": False}, yaxis={"visible": False},
        annotations=[{"text": text, "showarrow": False, "x": 0.5, "y": 0.5,
                      "xref": "paper", "yref": "paper",
                      "font": {"size": 24, "color": theme.TEXT_DIM}}])
    return go.Figure(layout=layout)


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


def _build(ctx, township, grid, layers, measure, window: dict) -> go.Figure:
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
