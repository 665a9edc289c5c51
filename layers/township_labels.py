"""Township names at representative points, large enough to read from 5 m."""
from __future__ import annotations

import math
from functools import lru_cache
from typing import Sequence

import geopandas as gpd
import numpy as np
import plotly.graph_objects as go

from layers._geom import areas_km2


def label_points(gdf: gpd.GeoDataFrame) -> tuple[list[float], list[float]]:
    """``label_lon``/``label_lat`` columns when present, else representative points."""
    if {"label_lon", "label_lat"} <= set(gdf.columns):
        return gdf["label_lon"].astype(float).tolist(), gdf["label_lat"].astype(float).tolist()
    pts = gdf.geometry.representative_point()
    return pts.x.tolist(), pts.y.tolist()


def township_labels(
    gdf: gpd.GeoDataFrame,
    *,
    font_size: float | Sequence[float] = 20,
    color: str = "#e6f1ff",
    font_family: str | None = None,
    weight: str | int = "normal",
    shadow: str = "0px 0px 3px #000, 0px 0px 6px #000",
    name: str = "镇街名称",
) -> list[go.Scatter]:
    """One text trace with ``gdf["label"]`` (:func:`declutter`'s text, a name perhaps cut),
    else ``gdf["name"]``, at each unit's label point.

    Options (keyword-only):
        font_size (float | sequence of float, 20): text size in px of the logical canvas,
            one for all or one per row (smaller names for small units keep them apart).
        color (str, "#e6f1ff"): text colour.
        font_family (str | None, None): CSS font family; None inherits the figure's font.
        weight (str | int, "normal"): font weight ("bold" or 100–900).
        shadow (str, dark halo): CSS text-shadow so names stay legible over fills and heat.
        name (str, "镇街名称"): trace name.
    """
    x, y = label_points(gdf)
    text = gdf["label" if "label" in gdf else "name"].tolist()
    size = font_size if isinstance(font_size, (int, float)) else [float(v) for v in font_size]
    font = {"size": size, "color": color, "shadow": shadow, "weight": weight}
    if font_family:
        font["family"] = font_family
    return [go.Scatter(
        x=x, y=y, text=text, mode="text", name=name, showlegend=False,
        hoverinfo="skip", textposition="middle center", textfont=font,
    )]


def fit_in_view(
    gdf: gpd.GeoDataFrame,
    axes: dict,
    view_px: tuple[float, float],
    *,
    font_px: float = 15,
    keep_out: Sequence[tuple[str, tuple[float, float]]] = (),
    avoid=None,
    pad_px: float = 4,
) -> gpd.GeoDataFrame:
    """The rows whose name fits whole in the visible part of their own polygon, with
    ``label_lon``/``label_lat`` moved there when their usual point is not.

    A drill-down shows the focus township and slivers of its neighbours; a neighbour's own
    label point is often off screen, at the plot's edge (the name cut in half) or under
    controls floating over the map. ``keep_out`` lists such boxes as (corner of
    :data:`layers.canvas.CORNERS`, (width, height) px). A label keeps its point when its
    whole box (one em a character) fits; else it goes to a point well inside the largest
    piece of its polygon that is on screen and clear of ``keep_out``; else it is dropped
    (the unit's fill still answers to hover and click). ``avoid``: a shape no name may
    overlap (the drilled township, so its neighbours' names stay off its outline).
    """
    import shapely
    from shapely.ops import polylabel

    from layers.canvas import CORNERS, visible_range

    if gdf.empty:
        return gdf
    (x0, x1), (y0, y1) = visible_range(axes, view_px)
    sx, sy = view_px[0] / (x1 - x0), view_px[1] / (y1 - y0)
    blocked = []
    for corner, (w, h) in keep_out:
        fx, fy = CORNERS[corner]
        bx = x0 if fx == 0 else x1 - w / sx
        by = y0 if fy == 0 else y1 - h / sy
        blocked.append((bx, by, bx + w / sx, by + h / sy))
    lon, lat = label_points(gdf)
    names = gdf["name"].astype(str).tolist()
    out_x, out_y, keep = list(lon), list(lat), [False] * len(gdf)
    grown: dict[float, object] = {}        # ``avoid`` grown by each label size met
    placed: list[tuple[float, float, float, float]] = []     # the boxes of the names kept
    geoms = gdf.geometry.values
    avoid_wkb = avoid.wkb if avoid is not None else None
    view = shapely.box(x0, y0, x1, y1)
    # the names with the most of their township on screen first: where two would overlap,
    # the one with less of its township in view gives way (is moved or dropped)
    # A unit with nothing on screen can be neither kept nor moved (its point and the room
    # for it are in the view): left out before any geometry work. A city's drill-down has
    # ~100 neighbours and ~10 in view; each one off screen used to cost a difference per
    # name placed (700 differences, 0.4 s, a view).
    on_screen = shapely.intersects(view, geoms) if len(geoms) else np.zeros(0, dtype=bool)
    seen = {i: geoms[i].intersection(view).area for i in np.flatnonzero(on_screen)
            if geoms[i] is not None and not geoms[i].is_empty}
    order = sorted((i for i in seen if seen[i] > 0), key=lambda i: -seen[i])
    for i in order:
        geom = geoms[i]
        hw = (max(len(names[i]), 1) * font_px / 2 + pad_px) / sx
        # a CJK line box is about 1.3 em high and plotly does not centre it exactly on its
        # point: 0.9 em each side (a neighbour's name stood 1 px over the map's top edge)
        hh = (font_px * 0.9 + pad_px) / sy
        room = shapely.box(x0 + hw, y0 + hh, x1 - hw, y1 - hh)
        for bx0, by0, bx1, by1 in [*blocked, *placed]:
            room = room.difference(shapely.box(bx0 - hw, by0 - hh, bx1 + hw, by1 + hh))
        if avoid is not None:
            if hw not in grown:
                grown[hw] = _grown_kept(avoid_wkb, hw, hh)
            room = room.difference(grown[hw])
        if geom is None or geom.is_empty or room.is_empty:
            continue
        here = shapely.Point(lon[i], lat[i])
        if room.contains(here) and geom.contains(here):
            keep[i] = True
            placed.append((lon[i] - hw, lat[i] - hh, lon[i] + hw, lat[i] + hh))
            continue
        part = geom.intersection(room)
        pieces = [g for g in getattr(part, "geoms", [part])
                  if g.geom_type == "Polygon" and not g.is_empty]
        if not pieces:
            continue
        best = max(pieces, key=lambda g: g.area)
        # the pole of inaccessibility: the point of the piece farthest from its edges
        pole = polylabel(best, tolerance=max(hw, hh) / 20)
        out_x[i], out_y[i] = pole.x, pole.y
        keep[i] = True
        placed.append((pole.x - hw, pole.y - hh, pole.x + hw, pole.y + hh))
    return gdf.assign(label_lon=out_x, label_lat=out_y)[keep]


@lru_cache(maxsize=1024)
def _grown_kept(wkb: bytes, hw: float, hh: float):
    """:func:`_grown` of the shape written as ``wkb``, kept: a township's drill-down grows
    the same outline by the same label boxes every minute (a city's round grew 300, ~5 % of
    its CPU). WKB keeps every coordinate, so the shape read back is the one given."""
    import shapely

    return _grown(shapely.from_wkb(wkb), hw, hh)


def _grown(shape, hw: float, hh: float):
    """``shape`` grown by a box of half-size (hw, hh), the Minkowski sum: where a label's
    centre would put its box over ``shape``. The union of ``shape`` and, for every edge of
    its rings, the hull of the edge swept by the box."""
    import numpy as np
    import shapely

    # a quarter of the half-height (about a pixel) of detail is all a label can see
    rings = shapely.get_rings(shapely.get_parts(shape.simplify(min(hw, hh) / 4)))
    segs = []
    for ring in rings:
        c = shapely.get_coordinates(ring)
        segs.append(np.stack([c[:-1], c[1:]], axis=1))          # (n, 2 ends, 2)
    if not segs:
        return shape
    seg = np.concatenate(segs)
    corners = np.array([[-hw, -hh], [hw, -hh], [hw, hh], [-hw, hh]])
    pts = (seg[:, :, None, :] + corners[None, None, :, :]).reshape(len(seg), 8, 2)
    hulls = shapely.convex_hull(shapely.multipoints(pts))
    return shapely.union_all(np.append(hulls, shape))


def declutter(gdf: gpd.GeoDataFrame, axes: dict, view_px: tuple[float, float], *,
              large: float, small: float,
              keep_clear: Sequence[tuple[float, float, float]] = (),
              keep_out: Sequence[tuple[str, tuple[float, float]]] = (),
              inside: bool = False, own: bool = False, shorten: bool = False,
              callouts: int = 0,
              ) -> gpd.GeoDataFrame:
    """The rows whose names fit (:func:`place_labels`), the larger units placed first, with
    ``label_lon``/``label_lat`` nudged where needed, ``size`` added and ``label``, the text
    to draw (the name, or with ``shorten`` its first characters and …): what
    :func:`township_labels` draws on the wall's county map and the briefing's.

    ``keep_out``, ``inside``, ``own`` and ``shorten`` are :func:`place_labels`' (the
    briefing's map, where many long names must stay apart, on their own units and in the
    plot).

    ``callouts`` (int, 0): up to that many names with no room on their own unit (the largest
    first) are set beside it, clear of every other name, with a leader line to it:
    ``anchor_lon``/``anchor_lat`` give the point on the unit the line starts from and
    ``leader_lon``/``leader_lat`` where it ends, at the name (NaN for the names on their
    units; :func:`callout_lines` draws the lines). A county town's small 街道 between
    three neighbours' names had no name at all."""
    if gdf.empty:
        return gdf.assign(size=[], label=[], anchor_lon=[], anchor_lat=[], leader_lon=[],
                          leader_lat=[])
    x, y = label_points(gdf)
    area = areas_km2(gdf)
    names = gdf["name"].astype(str).tolist()
    px, py, size, shown, text, anchors = _place(
        names, x, y, axes, view_px, large=large, small=small,
        priority=list(area) if area is not None else None, keep_clear=keep_clear,
        keep_out=keep_out, inside=inside, shorten=shorten,
        homes=list(gdf.geometry.values) if own else None, callouts=callouts,
        everything=gdf.geometry.values)
    nan = (float("nan"),) * 4
    ax, ay, ex, ey = zip(*[a or nan for a in anchors])
    return gdf.assign(label_lon=px, label_lat=py, size=size, label=text,
                      anchor_lon=ax, anchor_lat=ay, leader_lon=ex, leader_lat=ey)[shown]


def shortened(name: str, chars: int) -> str:
    """``name`` cut to ``chars`` characters, the last one …: 第4号北部经济技术开发区 → 第4号北部…"""
    return name if len(name) <= chars else name[:max(chars - 1, 1)] + "…"


SHORT_MIN = 4          # a shortened name keeps at least three characters and …


def place_labels(
    names: Sequence[str],
    x: Sequence[float],
    y: Sequence[float],
    axes: dict,
    view_px: tuple[float, float],
    *,
    large: float = 20,
    small: float = 15,
    priority: Sequence[float] | None = None,
    pad_px: float = 3,
    keep_clear: Sequence[tuple[float, float, float]] = (),
    keep_out: Sequence[tuple[str, tuple[float, float]]] = (),
    inside: bool = False,
) -> tuple[list[float], list[float], list[float], list[bool]]:
    """Declutter labels in screen space: (x, y, size, shown) per label.

    ``keep_clear``: marks no label may cover, each (x, y, radius in px) at a data point
    (the briefing's numbered hotspot discs). ``keep_out``: boxes floating over the plot no
    label may go under, each (corner of :data:`layers.canvas.CORNERS`, (width, height) px)
    (the briefing map's legend). ``inside``: every label's box stays inside the plot area
    (plotly cuts a name at the plot's edge).

    Each label is a box of one em per character (CJK) estimated in screen pixels for a plot
    area of ``view_px``. Labels are placed by ``priority`` (highest first; default: as given):
    at their point in the ``large`` size, else in the ``small`` size, else nudged one line
    above or below or one name right or left of the point, else hidden (the unit's fill still
    answers to hover and click). A dense town centre keeps every name it has room for, and no
    two names overlap.
    """
    return _place(names, x, y, axes, view_px, large=large, small=small, priority=priority,
                  pad_px=pad_px, keep_clear=keep_clear, keep_out=keep_out, inside=inside)[:4]


def _place(names, x, y, axes, view_px, *, large, small, priority=None, pad_px=3.0,
           keep_clear=(), keep_out=(), inside=False, shorten=False, homes=None,
           callouts=0, everything=None):
    """:func:`place_labels` with the text placed: (x, y, size, shown, text, anchors).

    ``homes`` (one polygon per label, or None): a label stays over its own unit: its centre
    inside the polygon and, past SHORT_MIN characters, its box no wider than the polygon on
    screen (a long name spread over three neighbours says whose it is no better than none).
    ``shorten``: a name that does not fit whole is tried cut (:func:`shortened`), longest
    first: in the large size down to six characters, then in the small one down to
    SHORT_MIN, each at its point and nudged as a whole name is. ``callouts``: see
    :func:`declutter`; ``everything`` (all the units' polygons) tells a spot over no unit
    (the map's background), preferred for a called-out name, from one over a neighbour."""
    from layers.canvas import CORNERS, visible_range

    n = len(names)
    if n == 0:
        return [], [], [], [], [], []
    (x0, x1), (y0, y1) = visible_range(axes, view_px)
    sx = view_px[0] / (x1 - x0)
    sy = view_px[1] / (y1 - y0)
    px = [(float(a) - x0) * sx for a in x]
    py = [(float(b) - y0) * sy for b in y]
    order = sorted(range(n), key=lambda i: -(priority[i] if priority is not None else -i))
    boxes: list[tuple[float, float, float, float]] = [
        ((float(a) - x0) * sx - r, (float(b) - y0) * sy - r,
         (float(a) - x0) * sx + r, (float(b) - y0) * sy + r) for a, b, r in keep_clear]
    for corner, (w, h) in keep_out:
        fx, fy = CORNERS[corner]
        bx = 0.0 if fx == 0 else view_px[0] - w
        by = 0.0 if fy == 0 else view_px[1] - h
        boxes.append((bx, by, bx + w, by + h))
    out_x, out_y = [float(v) for v in x], [float(v) for v in y]
    sizes, shown = [float(large)] * n, [False] * n
    texts = [str(v) for v in names]
    widths = _screen_widths(homes, x0, sx) if homes is not None else None

    def free(b):
        if inside and (b[0] < 0 or b[1] < 0 or b[2] > view_px[0] or b[3] > view_px[1]):
            return False
        return all(b[2] <= o[0] or b[0] >= o[2] or b[3] <= o[1] or b[1] >= o[3] for o in boxes)

    def home(i, cx, cy):
        if homes is None:
            return True
        import shapely
        geom = homes[i]
        return geom is not None and geom.contains(shapely.Point(x0 + cx / sx, y0 + cy / sy))

    def fits(i, chars, size):
        return widths is None or chars <= SHORT_MIN or chars * size + 2 * pad_px <= widths[i]

    nudges = [(0, 0), (0, 1), (0, -1), (1, 0), (-1, 0)]
    for i in order:
        name = texts[i]
        tries = [(name, large, (0, 0))] + [(name, small, d) for d in nudges]
        if shorten:       # cut: large while six characters are left, then small
            tries += [(shortened(name, c), size, d) for size, least in ((large, 6),
                                                                       (small, SHORT_MIN))
                      for c in range(len(name) - 1, least - 1, -1) for d in nudges]
        for text, size, (ox, oy) in tries:
            chars = max(len(text), 1)
            if not fits(i, chars, size):
                continue
            hw, hh = chars * size / 2 + pad_px, size / 2 + pad_px
            # a nudge clears a full-size neighbour's box: one line up or down, one name across
            cx = px[i] + ox * (2 * hw + 1)
            cy = py[i] + oy * (large / 2 + hh + pad_px + 1)
            b = (cx - hw, cy - hh, cx + hw, cy + hh)
            if free(b) and home(i, cx, cy):
                boxes.append(b)
                out_x[i], out_y[i] = x0 + cx / sx, y0 + cy / sy
                sizes[i], shown[i], texts[i] = float(size), True, text
                break
    anchors: list = [None] * n
    left = [i for i in order if not shown[i]][:max(int(callouts), 0)]
    if left:
        land = _land(everything, x0, y0, sx, sy) if everything is not None else None
        for i in left:
            spot = _callout_spot(texts[i], px[i], py[i], small, pad_px, view_px, free, land)
            if spot is None:
                continue
            cx, cy, b = spot
            boxes.append(b)
            # the leader line ends where it meets the name's box, 2 px off it
            dx, dy = px[i] - cx, py[i] - cy
            t = min((b[2] - cx + 2) / abs(dx) if dx else math.inf,
                    (b[3] - cy + 2) / abs(dy) if dy else math.inf)
            anchors[i] = (float(x[i]), float(y[i]), x0 + (cx + dx * t) / sx,
                          y0 + (cy + dy * t) / sy)
            out_x[i], out_y[i] = x0 + cx / sx, y0 + cy / sy
            sizes[i], shown[i] = float(small), True
    return out_x, out_y, sizes, shown, texts, anchors


CALLOUT_RADII = (36, 52, 72, 96, 124, 156)      # px from the unit's point to the name's centre


def _land(geoms, x0: float, y0: float, sx: float, sy: float):
    """The units' polygons together, on screen (px), to tell a spot over the map's
    background from one over a unit."""
    import shapely
    from shapely import affinity

    shapes = [g for g in geoms if g is not None and not g.is_empty]
    if not shapes:
        return None
    whole = shapely.union_all(shapes)
    return affinity.affine_transform(whole, [sx, 0, 0, sy, -x0 * sx, -y0 * sy])


def _callout_spot(text, cx, cy, size, pad_px, view_px, free, land):
    """Where a name set beside its unit goes: (x, y, box) in px, or None. On the nearest
    ring around the unit's point with a free spot, the one over the least land (the map's
    background before a neighbour), the leader line at least a name's half-height long."""
    import math

    import shapely

    hw = max(len(text), 1) * size / 2 + pad_px
    hh = size / 2 + pad_px
    for r in CALLOUT_RADII:
        best = None
        for k in range(16):
            a = 2 * math.pi * k / 16
            # the box's near edge r px from the point, whichever side it is on
            bx = cx + math.cos(a) * (r + hw * abs(math.cos(a)))
            by = cy + math.sin(a) * (r + hh * abs(math.sin(a)))
            b = (bx - hw, by - hh, bx + hw, by + hh)
            if not free(b) or b[0] < 0 or b[1] < 0 or b[2] > view_px[0] or b[3] > view_px[1]:
                continue
            over = 0.0 if land is None else land.intersection(shapely.box(*b)).area
            if best is None or over < best[0] - 1e-9:
                best = (over, bx, by, b)
        if best is not None:
            return best[1], best[2], best[3]
    return None


def callout_lines(gdf: gpd.GeoDataFrame, *, color: str = "#e6f1ff", width: float = 2.0,
                  name: str = "镇街名称引线") -> list[go.Scatter]:
    """The leader lines of :func:`declutter`'s called-out names: from a dot on the unit to
    the edge of its name's box; no trace when no name is called out. The lines' ``meta``
    lists each segment's name as :func:`township_labels` writes it, so the wall, moving a
    name off a bezel in the browser (gw.mapLabels), moves the end of its line with it."""
    if "anchor_lon" not in gdf or gdf.empty:
        return []
    rows = gdf[gdf["anchor_lon"].notna()]
    if rows.empty:
        return []
    xs: list = []
    ys: list = []
    for r in rows.to_dict("records"):
        xs += [r["anchor_lon"], r["leader_lon"], None]
        ys += [r["anchor_lat"], r["leader_lat"], None]
    texts = rows["label" if "label" in rows else "name"].astype(str).tolist()
    return [go.Scatter(x=xs, y=ys, mode="lines", line={"color": color, "width": width},
                       hoverinfo="skip", showlegend=False, name=name, meta=texts),
            go.Scatter(x=rows["anchor_lon"].tolist(), y=rows["anchor_lat"].tolist(),
                       mode="markers", marker={"color": color, "size": 7}, hoverinfo="skip",
                       showlegend=False, name=name)]


def _screen_widths(homes, x0: float, sx: float) -> list[float]:
    """Each polygon's width on screen (px); 0 for an empty one."""
    out = []
    for g in homes:
        if g is None or g.is_empty:
            out.append(0.0)
        else:
            a, _b, c, _d = g.bounds
            out.append((c - a) * sx)
    return out
