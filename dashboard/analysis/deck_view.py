"""Assemble the 3D view for a set of filters: cached reads → DeckData → deck JSON.

Used by ``/api/deck`` (the deck.gl frame asks for it) so the page itself never ships a deck
in a Dash callback: the frame keeps its camera (tilt, rotation) while filters change.
"""
from __future__ import annotations

import html
import json
import math

from pydeck.bindings.json_tools import default_serialize

from dashboard.analysis.views import hotspot_view
from dashboard.figures.deck_density import DeckData, density_deck
from dashboard.figures.numbers import p_value
from layers.deck_camera import hull_points
from store import analysis_reads as ar
from store import map_reads as mr
from store import map_view
from store.analysis_filters import Filters

HEX_RADIUS_M = {"county": 400.0, "township": 220.0, "grid": 60.0}


def _pad(bounds, frac: float):
    minx, miny, maxx, maxy = bounds
    dx, dy = (maxx - minx) * frac, (maxy - miny) * frac
    return (minx - dx, miny - dy, maxx + dx, maxy + dy)


def deck_data(ctx, f: Filters, size_px: tuple[int, int] = (900, 560)) -> tuple[DeckData, dict]:
    """The view's data and a summary (events drawn, hexagon radius, hotspots, gaps)."""
    level = "grid" if f.grid else "township" if f.township else "county"
    radius = HEX_RADIUS_M[level]
    towns = ctx.cached(mr.township_shapes)
    grids = ctx.cached(mr.grid_shapes, f.township)
    outline: list = []
    if f.grid:
        sel = grids[grids["code"] == f.grid]
        if sel.empty:
            sel = ctx.cached(mr.grid_shapes, None)
            sel = sel[sel["code"] == f.grid]
        bounds = _pad(tuple(sel.total_bounds), 1.2) if not sel.empty else None
    else:
        sel = grids.iloc[0:0]
        scope = towns[towns["code"] == f.township] if f.township else towns
        bounds = tuple(scope.total_bounds) if not scope.empty else None
        outline = hull_points(scope.geometry.values)
    if bounds is None or any(map(lambda v: v != v, bounds)):
        bounds = tuple(towns.total_bounds)
        outline = hull_points(towns.geometry.values)
    cells = ctx.cached(ar.density_cells, f, radius / 1.6)
    hot = hotspot_view(ctx, f)
    hot_shapes = ctx.cached(mr.grid_shapes, f.township)
    hot_shapes = hot_shapes[hot_shapes["code"].isin(set(hot["grid_id"]))].merge(
        hot.rename(columns={"grid_id": "code"})[["code", "k", "p", "cameras_online_within"]],
        on="code")
    cams = ctx.cached(ar.camera_status, f.as_of, f.township)
    gaps = hot_shapes[hot_shapes["cameras_online_within"] == 0]
    # a city's county view: its 10,000 grid outlines would be most of the reply and read
    # as noise; the wall's cap ([wall] county_grid_outlines_max) applies, and the legend says
    left_out = 0 if f.grid else map_view.grids_left_out(
        ctx.cached, f.township, ("grids",), map_view.outlines_max(ctx.settings))
    data = DeckData(
        bounds=bounds, outline=outline, cells=cells, hex_radius_m=radius, size_px=size_px,
        townships=ctx.cached(ar.township_outlines, f.township),
        grids=[] if left_out else ctx.cached(ar.grid_outlines, f.township),
        hotspots=[{**r, "tip": _hot_tip(r)} for r in ar.outline_records(
            hot_shapes, ("code", "name", "k", "p", "cameras_online_within"))],
        selected=ar.outline_records(sel),
        cameras=[{"p": [round(x, 6), round(y, 6)], "online": bool(o),
                  "tip": f"{html.escape(str(n or c))}<br>{'在线' if o else '离线'}"}
                 for c, n, o, x, y in zip(cams["camera_id"], cams["name"], cams["online"],
                                          cams["lon"], cams["lat"])],
        gaps=[{"p": [round(x, 6), round(y, 6)],
               "r": round(max(1.4 * math.sqrt(max(a or 0.0, 0.01) / math.pi) * 1000, 150.0), 1),
               "tip": f"视频盲区：{html.escape(str(n))}<br>新发热点，半径"
                      f"{ctx.settings.section('geo')['camera_radius_m']:.0f}米内无在线视频"}
              for n, a, x, y in zip(gaps["name"], gaps["area_km2"], gaps["label_lon"],
                                    gaps["label_lat"])])
    summary = {"events": int(cells["n"].sum()) if not cells.empty else 0,
               "hex_radius_m": radius, "hotspots": int(len(hot)), "gaps": int(len(gaps)),
               "level": level, "grids_left_out": left_out,
               "bounds": [round(v, 6) for v in bounds],
               "cohort": "无效/重复事件" if f.status == "invalid" else "有效事件"}
    return data, summary


def _hot_tip(r: dict) -> str:
    cams = int(r["cameras_online_within"])
    return (f"新发热点：{html.escape(str(r['name']))}<br>本期 {int(r['k'])} 件，p值 {p_value(r['p'])}"
            f"<br>{'周边在线视频 %d 路' % cams if cams else '周边无在线视频（盲区）'}")


def deck_json(ctx, f: Filters, size_px: tuple[int, int] = (900, 560)) -> str:
    """``{"deck": <deck.gl JSON>, "summary": {...}}`` for the frame, as compact JSON text
    (pydeck's own ``to_json`` indents and sorts: 3× the bytes and the time)."""
    data, summary = deck_data(ctx, f, size_px)
    deck = density_deck(data)
    return json.dumps({"deck": deck, "summary": summary}, default=default_serialize,
                      separators=(",", ":"), ensure_ascii=False)
