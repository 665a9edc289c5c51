"""The canvas (the wall's layout; named canvas.py because ``dashboard.wall.layout`` is the
room's layout function): a fixed logical size from settings [wall], laid out with a CSS grid.

``assets/gridwall.js`` scales the canvas to the screen (fit mode from settings, passed in
data-* attributes). A canvas wider than 2.2:1 (spliced walls such as 5760×1080 or
6656×1792) gets the ``gw-wide`` grid: more panels side by side, same text size. A canvas
narrower than 1.2:1 (a stacked 1×2 wall, 1920×2160) gets the ``gw-tall`` grid: the map and
the ranking fill the upper panel, the six smaller panels the lower one, so the bezel
between the two falls between panels, not through the county. A canvas wider than 6:1 (four
1080p panels in a row, 7680×1080) also gets ``gw-ultra``: eight equal columns, two to a
panel, so each bezel runs between two columns; the map has a panel of its own. Not pinned,
the browser also gives it to a wide wall of an even number of 1920-px panels in a row
(3840×1080, 7680×2160), whose middle bezel the wide grid ran through the county.

When the canvas is not pinned (settings keep the default 1920×1080 canvas and the
``contain`` fit, ``data-auto="1"``), the browser picks the canvas from the screen: a screen
wider than 2.2:1 gets a canvas of its own aspect, 1080 logical pixels high, in the wide
layout, instead of a 1920×1080 canvas letterboxed to the middle third of a 5760×1080 wall;
a screen narrower than 1.2:1 a canvas 1920 logical pixels wide and as high as the screen's
aspect gives, in the tall layout, instead of a 1920×1080 band with empty halves above and
below.
"""
from __future__ import annotations

from dash import html

from dashboard.wall import (drill, event_card, gauges, grid_card, hotspot_board, kpis, live_list,
                            map_panel, mediation, mix, ranking, titlebar, trend, warnings)
from dashboard.wall.panel import panel
from store import wall_reads as wr
from store.db import StoreError
from store.settings import SPLICES, parse_splice

WIDE_ASPECT = 2.2
TALL_ASPECT = 1.2
ULTRA_ASPECT = 6.0
DEFAULT_CANVAS = (1920, 1080)


def auto_canvas(width: int, height: int, fit: str) -> bool:
    """Whether the browser may reflow the canvas to the screen's aspect (not pinned)."""
    return (width, height) == DEFAULT_CANVAS and fit == "contain"


def canvas_class(width: int, height: int) -> str:
    aspect = width / max(1, height)
    if aspect > ULTRA_ASPECT:
        return "gw-canvas gw-wide gw-ultra"
    if aspect > WIDE_ASPECT:
        return "gw-canvas gw-wide"
    return "gw-canvas gw-tall" if aspect < TALL_ASPECT else "gw-canvas"


def _facts(ctx) -> tuple[str, bool, list[str]]:
    """County name, demo flag and township codes; a missing store still draws the wall."""
    try:
        meta = ctx.meta()
        codes = [t["code"] for t in ctx.cached(wr.township_list)]
        return meta.get("dataset_name") or "", meta.get("demo") == "true", codes
    except StoreError:
        return "", False, []


def build(ctx) -> html.Div:
    wall = ctx.settings.section("wall")
    cw, ch = int(wall["canvas_width"]), int(wall["canvas_height"])
    county, demo, codes = _facts(ctx)
    map_area = panel("map", html.Span("态势地图", id="map-title-text"),
                     [map_panel.layout(ctx), grid_card.layout(ctx), hotspot_board.layout(ctx)],
                     body_class="gw-map-body",
                     caption_id="map-caption")
    body = html.Div(className="gw-body", children=[
        gauges.layout(ctx), trend.layout(ctx), mix.layout(ctx), map_area,
        ranking.layout(ctx), live_list.layout(ctx), warnings.layout(ctx), mediation.layout(ctx),
    ])
    return html.Div(
        id="gw-canvas", className=canvas_class(cw, ch),
        style={"width": f"{cw}px", "height": f"{ch}px"},
        **{"data-cw": str(cw), "data-ch": str(ch), "data-fit": wall["fit"],
           "data-auto": "1" if auto_canvas(cw, ch, wall["fit"]) else "0",
           "data-wide": str(WIDE_ASPECT), "data-tall": str(TALL_ASPECT),
           "data-ultra": str(ULTRA_ASPECT),
           "data-splice": parse_splice(wall["splice"]) or "", "data-splices": " ".join(SPLICES),
           "data-tz": ctx.settings.timezone, "data-refresh": str(wall["refresh_s"])},
        children=[*drill.components(ctx, codes), titlebar.layout(ctx, county, demo),
                  kpis.layout(ctx), body, event_card.layout(ctx)])
