"""The wall's map as a pure function of data: :class:`store.map_view.MapData` in → a plotly
figure out (no Dash, no store access), so the wall, the analysis page and the briefing can
draw the same map and tests can build it from a DataFrame.

An offline map: plotly cartesian axes with equal scale, no tiles. Layers (``layers``) draw
bottom to top: choropleth fills of the measure, heat, grid and township boundaries,
emerging hotspots, the selection, cameras, labels, then invisible click targets. Every
clickable point carries ``customdata = [kind, code]`` (kind "township" | "grid").
"""
from __future__ import annotations

import geopandas as gpd
import pandas as pd
import plotly.graph_objects as go

import layers as L
from dashboard.figures import theme
from store.map_view import MapData
from store.vocab import CARD_ZH, MAP_LAYERS_ZH, MAP_MEASURES

LAYER_OPTIONS = list(MAP_LAYERS_ZH.items())
DEFAULT_LAYERS = ["townships", "grids", "hotspots"]
DEFAULT_MEASURE = "red"          # the map says where it is bad (红线示警), not where it is busy
# the map panel on the 1920×1080 canvas, in px; the left strip holds the hotspot board (an
# HTML overlay on the wall) and the legend, so neither covers the county
PANEL_PX = (942, 525)        # measured in Chromium (tests/browser/test_wall_browser.py)
SIDE_PX = 250
VIEW_PX = (PANEL_PX[0] - SIDE_PX, PANEL_PX[1])
CONTROLS_PX = (125, 250)         # the measure / layer controls' column (assets/map.css)
CALLOUTS = 6                     # names set beside their township with a leader line, at most


def _pct(v) -> str:
    return theme.DASH if v is None or pd.isna(v) else f"{v * 100:.1f}%"


def _num(v, decimals: int = 0) -> str:
    return theme.DASH if v is None or pd.isna(v) else f"{v:,.{decimals}f}"


def _hover(units: gpd.GeoDataFrame, grid_level: bool) -> list[str]:
    out = []
    for r in pd.DataFrame(units.drop(columns="geometry", errors="ignore")).to_dict("records"):
        head = f"<b>{r['name']}</b>"
        if grid_level and isinstance(r.get("grid_worker"), str) and r["grid_worker"]:
            head += f"　网格员 {r['grid_worker']}"
        # a card from red warnings still shows where the rates are not judged (metrics.md)
        warned = (f" {CARD_ZH.get(r['card'], '')}" if r.get("card") in ("red", "yellow")
                  else "")
        if not grid_level and all(r.get(k) is None or pd.isna(r.get(k))
                                  for k in ("on_time_rate", "handling_rate")):
            # no events in the window: not ranked, and no green card (metrics.md)
            head += "　本期无事件" + warned
        elif r.get("few") is True:
            # too few events to judge (a township or a grid): no 第N名, no green card
            head += "　样本少" + warned
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
    """The township labels that fit without overlapping (layers.declutter), larger
    townships placed first; ``label_lon``/``label_lat`` nudged where needed, ``size`` added.
    Each stays whole inside the map and clear of its controls, or is cut (…) to stay so:
    a 21-character development zone ran off the map's edge or under the controls. Each sits
    on its own township (``own``): on a city of 100 townships a name nudged a name's width
    aside landed on a neighbour or outside the city (21 of 40 names). A township too small
    for its name (the demo's 三江街道 between three names) has it set beside it with a
    leader line (``CALLOUTS`` at most, the largest first), not left nameless."""
    return L.declutter(towns, axes, VIEW_PX, large=20, small=15, inside=True, shorten=True,
                       own=True, keep_out=[("top-right", CONTROLS_PX)], callouts=CALLOUTS)


def _short(gdf: gpd.GeoDataFrame, names, kind: str) -> gpd.GeoDataFrame:
    """``gdf`` with its names in short for the labels (``names``' ``town`` or ``grid``)."""
    if names is None or gdf.empty:
        return gdf
    cut = getattr(names, kind)
    return gdf.assign(name=[cut(n) for n in gdf["name"]])


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
    traces, layout = map_parts(data, township=township, grid=grid, layers=layers,
                               measure=measure)
    # the traces are ours (one per unit to click: a township's ~100 grids), so plotly's
    # validation and copy of each is skipped: 104 -> 50 ms for a township's map, the same
    # JSON (tests/layers/test_map_figure.py); the layout is still validated
    return go.Figure(data=traces, layout=layout, _validate=False)


def map_parts(
    data: MapData,
    *,
    township: str | None = None,
    grid: str | None = None,
    layers: tuple[str, ...] = tuple(DEFAULT_LAYERS),
    measure: str = DEFAULT_MEASURE,
    names=None,
) -> tuple[list, go.Layout]:
    """:func:`map_figure`'s traces and layout, not yet a Figure: the wall turns them into
    its JSON directly (dashboard/wall/figure_json.plain_parts), without the Figure's copy
    of every trace (a city's 41 views are re-rendered every minute). The traces are
    ``go`` trace objects, except the click fills, which are plain trace dicts. ``names``
    (anything with ``town(name)`` and ``grid(name)``, the wall's view.ShortNames) gives
    the labels in short; hovers keep the whole names."""
    label, unit, decimals = MAP_MEASURES.get(measure, MAP_MEASURES[DEFAULT_MEASURE])
    measure = measure if measure in MAP_MEASURES else DEFAULT_MEASURE
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
    unit_hover = _hover(units, drilled)     # the fills and the click targets say the same

    # 1. choropleth fills (the measure), with their click markers kept for the top
    choro = L.choropleth(
        units, measure, kind="grid" if drilled else "township", label=label, unit=unit,
        decimals=decimals, hover_text=unit_hover,
        # invisible markers: with hovermode "closest" the nearest label point wins, so a
        # click anywhere in a unit hits it without dots cluttering the map
        marker_size=14 if drilled else 34, marker_color="rgba(0,0,0,0)",
        marker_line_color="rgba(0,0,0,0)",
        # with the heat on, the classes step back so the heat reads over them (but stay
        # readable: the heat is drawn above them with its own transparent low end)
        fill_opacity=0.45 if "heat" in layers else 0.82,
        colors=theme.WARM_CLASSES if measure == "red" else theme.VOLUME_CLASSES,
        zero_color=theme.ZERO_COLOR, zero_label="0")
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
    elif data.grids_left_out and "grids" in layers:
        # on, but too many for the county view: the legend says where they are
        legend.append(_legend_key(f"网格 {data.grids_left_out:,} 个：点击镇街显示边界",
                                  line={"color": theme.TEXT_DIM, "width": 1, "dash": "dot"}))

    # 4. township boundaries (neighbours faint on a drill-down)
    if "townships" in layers:
        traces += L.township_boundaries(towns, line_color=theme.ACCENT,
                                        line_width=1.2 if drilled else 1.6,
                                        opacity=0.35 if drilled else 0.85)

    # 5. emerging hotspots
    hot_markers: list = []
    if data.hotspots is not None and "hotspots" in layers and not data.hotspots.empty:
        hot = L.hotspot_outlines(data.hotspots, color=theme.HOTSPOT,
                                 width=2.5 if drilled else 2.0, glow_width=8 if drilled else 6,
                                 marker_size=12 if drilled else 9)
        traces += hot[:2]
        hot_markers = hot[2:]
        legend.append(_legend_key(f"新发热点 {len(data.hotspots)} 处",
                                  line={"color": theme.HOTSPOT, "width": 3}))

    # 6. selection
    if drilled:
        traces += L.selection_outline(towns[towns["code"] == township], color=theme.ACCENT,
                                      width=3.0, glow_width=12)
        if grid is not None:
            traces += L.selection_outline(units[units["code"] == grid], color=theme.SELECTED,
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
            # only the names that fit whole on screen, clear of the controls and of the
            # drilled township's outline
            others = L.fit_in_view(_short(towns[towns["code"] != township], names, "town"),
                                   axes, VIEW_PX,
                                   font_px=15, keep_out=[("top-right", CONTROLS_PX)],
                                   avoid=focus.geometry.union_all())
            traces += L.township_labels(others, font_size=15, color=theme.TEXT_DIM)
            if grid is not None:
                sel = _short(units[units["code"] == grid], names, "grid")
                traces += L.township_labels(sel, font_size=16, color=theme.TEXT)
        else:
            placed = decluttered(_short(towns, names, "town"), axes)
            traces += L.callout_lines(placed, color=theme.TEXT)
            traces += L.township_labels(placed, font_size=[float(v) for v in placed["size"]],
                                        color=theme.TEXT, weight=600)

    for t in traces[n_below:]:
        t.zorder = 2

    # 9. click targets on top: the whole polygon of every unit (and of the neighbour
    # townships on a drill-down; plain trace dicts, one per unit), then markers at the label
    # points and hotspot grids
    if drilled:
        others = towns[towns["code"] != township]
        traces += L.click_fills(others, kind="township", zorder=2,
                                hover_text=[f"{n}<br><i>点击切换</i>" for n in others["name"]])
    traces += L.click_fills(units, kind="grid" if drilled else "township", hover_text=unit_hover,
                            zorder=2)
    markers = unit_markers + hot_markers
    if drilled:
        markers = L.click_markers(others, kind="township", size=30, color="rgba(0,0,0,0)",
                                  line_color="rgba(0,0,0,0)",
                                  hover_text=[f"{n}<br><i>点击切换</i>"
                                              for n in others["name"]]) + markers
    for t in markers:
        t.zorder = 2
    traces += markers

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
                "borderwidth": 1, "font": {"size": theme.FONT_SIZE, "color": theme.TEXT},
                "grouptitlefont": {"size": theme.FONT_SIZE, "color": theme.TEXT_DIM},
                "itemclick": False, "itemdoubleclick": False, "tracegroupgap": 6,
                "itemsizing": "constant", "traceorder": "grouped"},
        uirevision=f"map:{view}",
    )
    return traces + legend, go.Layout(layout)


def message_figure(text: str) -> go.Figure:
    """An empty map with one centred message (no data, or the store unavailable)."""
    layout = theme.base_layout(
        template="none", xaxis={"visible": False}, yaxis={"visible": False},
        annotations=[{"text": text, "showarrow": False, "x": 0.5, "y": 0.5,
                      "xref": "paper", "yref": "paper",
                      "font": {"size": 24, "color": theme.TEXT_DIM}}])
    return go.Figure(layout=layout)
