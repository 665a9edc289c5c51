"""Plain cartesian axes as an offline map: x = lon, y = lat, no tiles, nothing fetched.

Map-tile traces (MapLibre) load styles and glyphs from the internet; a wall on a government
network has none. Equal scale is kept with ``scaleanchor`` and ``scaleratio = 1/cos(lat)``,
so one km east is as long on screen as one km north near the view's latitude.
"""
from __future__ import annotations

import math

import numpy as np


def map_axes(
    bounds: tuple[float, float, float, float],
    *,
    pad: float = 0.04,
    min_span_deg: float = 0.005,
    extra_top: float = 0.0,
) -> dict:
    """Layout fragment ``{"xaxis": ..., "yaxis": ...}`` showing ``bounds`` (lon/lat).

    Options (keyword-only):
        pad (float, 0.04): padding as a share of the larger span, on every side.
        min_span_deg (float, 0.005): smallest span shown (a tiny grid is not zoomed to a pixel).
        extra_top (float, 0.0): more room above, as a share of the latitude span (for
            controls floating over the top of the map).
    """
    minx, miny, maxx, maxy = bounds
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    span_x = max(maxx - minx, min_span_deg)
    span_y = max(maxy - miny, min_span_deg)
    px = span_x * pad
    py = span_y * pad
    ratio = 1 / math.cos(math.radians(cy))
    hidden = {"visible": False, "showgrid": False, "zeroline": False, "fixedrange": True}
    return {
        "xaxis": {**hidden, "range": [cx - span_x / 2 - px, cx + span_x / 2 + px]},
        "yaxis": {**hidden,
                  "range": [cy - span_y / 2 - py, cy + span_y / 2 + py + span_y * extra_top],
                  "scaleanchor": "x", "scaleratio": ratio},
    }


CORNERS = {"bottom-left": (0.0, 0.0), "bottom-right": (1.0, 0.0), "top-left": (0.0, 1.0),
           "top-right": (1.0, 1.0)}


def emptiest_corner(
    geoms,
    axes: dict,
    *,
    box_frac: tuple[float, float] = (0.22, 0.38),
    candidates: tuple[str, ...] = ("bottom-left", "bottom-right", "top-left"),
    avoid: tuple[np.ndarray, np.ndarray] | None = None,
) -> str:
    """The corner of the view where a legend box covers the least of ``geoms``.

    ``axes`` is :func:`map_axes`'s result; the box is ``box_frac`` of the view's width and
    height. ``avoid`` (x, y arrays): marks the box must not hide (a numbered disc the page
    refers to); a corner that hides fewer of them wins, then the one covering less of
    ``geoms``. Ties go to the first candidate. Used to keep the legend off the county.
    """
    import shapely

    (x0, x1), (y0, y1) = axes["xaxis"]["range"], axes["yaxis"]["range"]
    w, h = (x1 - x0) * box_frac[0], (y1 - y0) * box_frac[1]
    shape = shapely.union_all(list(geoms))
    ax, ay = (np.asarray(avoid[0], dtype=float), np.asarray(avoid[1], dtype=float)) \
        if avoid is not None else (np.array([]), np.array([]))
    best, best_key = candidates[0], None
    for name in candidates:
        fx, fy = CORNERS[name]
        bx = x0 if fx == 0 else x1 - w
        by = y0 if fy == 0 else y1 - h
        hidden = int(((ax >= bx) & (ax <= bx + w) & (ay >= by) & (ay <= by + h)).sum())
        key = (hidden, shape.intersection(shapely.box(bx, by, bx + w, by + h)).area)
        if best_key is None or key[0] < best_key[0] or (
                key[0] == best_key[0] and key[1] < best_key[1] - 1e-15):
            best, best_key = name, key
    return best


def legend_position(corner: str, *, margin: float = 0.01) -> dict:
    """plotly legend ``x``/``y``/anchors for a corner name of :data:`CORNERS`."""
    fx, fy = CORNERS[corner]
    return {"x": margin if fx == 0 else 1 - margin, "y": margin if fy == 0 else 1 - margin,
            "xanchor": "left" if fx == 0 else "right", "yanchor": "bottom" if fy == 0 else "top"}


def visible_range(axes: dict, view_px: tuple[float, float]) -> tuple[list[float], list[float]]:
    """The x and y ranges plotly will show in a ``view_px`` (width, height) plot area.

    With ``scaleanchor`` the axis that binds keeps its range and the other one widens,
    centred, to keep ground scale.
    """
    (x0, x1), (y0, y1) = axes["xaxis"]["range"], axes["yaxis"]["range"]
    r = axes["yaxis"].get("scaleratio", 1.0)
    scale = min(view_px[0] / (x1 - x0), view_px[1] / ((y1 - y0) * r))
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    hx, hy = view_px[0] / scale / 2, view_px[1] / (scale * r) / 2
    return [cx - hx, cx + hx], [cy - hy, cy + hy]


def clear_corner(geoms, axes: dict, view_px: tuple[float, float],
                 box_px: tuple[float, float], corner: str, *, step: float = 0.02,
                 most: float = 0.8) -> dict:
    """``axes`` widened on ``corner``'s side until ``geoms`` no longer reach under a
    ``box_px`` box (a legend) in that corner of a ``view_px`` plot: along x or along y,
    whichever keeps the map larger (the same ground scale shown bigger). ``axes`` itself
    when nothing reaches under it, and when no widening up to ``most`` of a span
    clears it, ``axes`` as given. The legend then sits on empty paper instead of on the corner townships."""
    if not covers(geoms, axes, view_px, box_px, corner):
        return axes
    fx, fy = CORNERS[corner]
    best, best_scale = None, -1.0
    for axis, side in (("xaxis", fx), ("yaxis", fy)):
        lo, hi = axes[axis]["range"]
        span = hi - lo
        k = step
        while k <= most + 1e-9:
            grow = span * k
            rng = [lo, hi + grow] if side else [lo - grow, hi]
            tried = {**axes, axis: {**axes[axis], "range": rng}}
            if not covers(geoms, tried, view_px, box_px, corner):
                (x0, x1), _ = visible_range(tried, view_px)
                scale = view_px[0] / (x1 - x0)         # px per degree: bigger is better
                if scale > best_scale:
                    best, best_scale = tried, scale
                break
            k += step
    if best is None:                    # no widening within `most` clears it: as it was
        return axes
    return best


def covers(geoms, axes: dict, view_px: tuple[float, float], box_px: tuple[float, float],
           corner: str = "top-right") -> bool:
    """Whether ``geoms`` reach under a ``box_px`` (width, height) box in a corner of the view
    (e.g. controls floating over the map)."""
    import shapely

    (x0, x1), (y0, y1) = visible_range(axes, view_px)
    w = (x1 - x0) * box_px[0] / view_px[0]
    h = (y1 - y0) * box_px[1] / view_px[1]
    fx, fy = CORNERS[corner]
    bx = x0 if fx == 0 else x1 - w
    by = y0 if fy == 0 else y1 - h
    box = shapely.box(bx, by, bx + w, by + h)
    return bool(shapely.intersects(shapely.union_all(list(geoms)), box))
