"""Choropleth of one measure: a few colour classes, one filled trace per class.

Drawing 1,400 polygons as 1,400 traces makes plotly slow and the JSON large; grouping them into
classes (polygons of a class joined by gaps) keeps it to a handful of traces. The legend shows
the classes. Clicks go to the marker trace from :mod:`layers.click_targets`.
"""
from __future__ import annotations

import math
from typing import Sequence

import geopandas as gpd
import numpy as np
import plotly.graph_objects as go

from layers._geom import polygon_xy
from layers.click_targets import click_markers

# Low → high, bright enough on the dark wall; the stops of the wall theme's SEQUENTIAL scale.
CLASS_COLORS = ("#0b2a55", "#1565c0", "#27d3ff", "#facc15", "#ef4444")
ZERO_COLOR = "#3f4654"      # a grey off the ramp, apart from the dark panel (theme.ZERO_COLOR)


def _nice_ceil(x: float, decimals: int) -> float:
    """Round ``x`` up to two significant figures, and to ``decimals`` places."""
    if x <= 0:
        return 0.0
    step = 10 ** (math.floor(math.log10(x)) - 1)
    step = max(step, 10 ** -decimals)
    return round(math.ceil(x / step - 1e-9) * step, max(decimals, 0))


def _roundest(lo: float, hi: float, decimals: int) -> float:
    """The roundest number in ``[lo, hi)`` at ``decimals`` places (``lo`` itself at worst):
    a break there keeps every value <= lo below it and every value >= hi above it."""
    tiny = 10.0 ** -decimals
    top = 10.0 ** math.ceil(math.log10(max(abs(hi), tiny)) + 1)
    step = top
    while step >= tiny * (1 - 1e-9):
        for mult in (10, 5, 2, 1):          # 500 before 200 before 100 ...
            s = step * mult / 10
            if s < tiny * (1 - 1e-9):
                continue
            cand = round(math.ceil(lo / s - 1e-9) * s, max(decimals, 0))
            if lo - 1e-9 <= cand < hi - 1e-9:
                return cand
        step /= 10
    return round(lo, max(decimals, 0))


WAN = 10_000        # from here up the legend reads in 万, to 0.01万 at most


def shown(values: Sequence[float], decimals: int) -> np.ndarray:
    """``values`` as the legend reads them: to ``decimals`` places, and to 0.01万 (hundreds)
    from 1万 up, so two classes never differ by less than their labels show. Only values of
    1万 and more are read in 万: rounding every value to hundreds once one reached 1万 put a
    grid of 40 件/km² beside one of 15,000 in the zero class, drawn and labelled '0'."""
    v = np.round(np.asarray(values, dtype="float64"), max(decimals, 0))
    with np.errstate(invalid="ignore"):
        big = np.abs(v) >= WAN
    return np.where(big, np.round(v, -2), v)


def _positive(values: Sequence[float], decimals: int) -> np.ndarray:
    """The finite positive values as shown (:func:`shown`), sorted."""
    v = shown(values, decimals)
    v = v[np.isfinite(v)]
    return np.sort(v[v > 0])


def class_breaks(values: Sequence[float], *, n_classes: int = 5, decimals: int = 0) -> list[float]:
    """Upper bounds of up to ``n_classes`` classes of the positive values: equal counts
    (quantiles of the values as shown), each bound the roundest number between the last value
    of its class and the first of the next.

    Class i holds values in (breaks[i-1], breaks[i]] (the first from 0, exclusive); zero and
    missing values are outside every class. The last bound is >= the maximum. Every class
    holds a value. Bounds are not rounded to the values' magnitude: 16 townships of 497 to
    511 件/km² (a city of 10 M events) all fell in one class "0–510" and the map showed
    one colour; bounds inside the gaps between values keep the classes apart whatever the
    values' offset, spread or skew.
    """
    v = _positive(values, decimals)
    if v.size == 0:
        return []
    uniq = np.unique(v)
    # equal counts, re-cut above each class: a class of ties (30 grids of 1 event) leaves
    # its share of classes to the values above it, so 9, 400 and 5,000 are not one colour
    ends: list[float] = []
    rest, left = v, min(n_classes, uniq.size)
    while rest.size and left:
        distinct = np.unique(rest)
        left = min(left, distinct.size)
        # ... and each class leaves a distinct value for each class still to come
        end = min(float(rest[math.ceil(rest.size / left) - 1]), float(distinct[-left]))
        ends.append(end)
        rest, left = rest[rest > end], left - 1
    out: list[float] = []
    for e in ends[:-1]:
        nxt = float(uniq[np.searchsorted(uniq, e, side="right")])
        out.append(_roundest(e, nxt, decimals))
    out.append(max(_nice_ceil(float(v[-1]), decimals), float(v[-1])))
    return out


def _fmt(x: float, decimals: int) -> str:
    return f"{x:,.{decimals}f}"


def _wan(x: float, places: int) -> str:
    """``x`` in 万 (10,000) at ``places`` decimals, trailing zeros kept (aligned labels)."""
    return f"{x / 10_000:,.{places}f}万"


def class_labels(breaks: Sequence[float], *, decimals: int = 0,
                 values: Sequence[float] | None = None) -> list[str]:
    """Legend text per class.

    Without ``values``: the class bounds, integers "1–12", "13–40"; decimals "0.0–1.5",
    "1.5–3.2". With ``values`` (what the map shows): the smallest and the largest value
    each class holds ("4.4万–4.9万", "5.3万–5.4万"; one value alone: "7"), so no label
    claims a range nobody is in (the first class read "1–30,000" for townships of 26,480 to
    29,526) and no two labels share an end. From 10,000 up in 万, with the fewest decimals
    that keep every class's ends apart from its neighbours'.
    """
    if values is None:
        labels, lo = [], 0.0
        for hi in breaks:
            if decimals == 0:
                first = int(lo) + 1
                labels.append(_fmt(hi, 0) if first >= hi else f"{first:,}–{_fmt(hi, 0)}")
            else:
                labels.append(f"{_fmt(lo, decimals)}–{_fmt(hi, decimals)}")
            lo = hi
        return labels
    v = _positive(values, decimals)
    spans, lo = [], 0.0
    for hi in breaks:
        inside = v[(v > lo) & (v <= hi)]
        spans.append((float(inside[0]), float(inside[-1])) if inside.size else None)
        lo = hi
    ends = [x for s in spans if s for x in s]
    places = 1
    if ends and max(ends) >= WAN:
        for places in (1, 2):
            read = [_wan(x, places) if x >= WAN else _fmt(x, decimals) for x in ends]
            # neighbours' ends (a class's max, the next class's min) must read apart
            if all(read[i] != read[i + 1] for i in range(1, len(read) - 1, 2)):
                break

    def fmt(x: float) -> str:           # 万 from 1万 up only: 40 stays 40, not 0.0万
        return _wan(x, places) if x >= WAN else _fmt(x, decimals)
    labels = []
    for s in spans:
        if s is None:
            labels.append("")
        else:
            a, b = fmt(s[0]), fmt(s[1])
            labels.append(a if a == b else f"{a}–{b}")
    return labels


def _class_colors(n: int, colors: Sequence[str]) -> list[str]:
    """The colours of ``n`` classes, low → high: the top class always the ramp's strongest.
    With fewer classes than colours the palest is left out (and one class is the strongest):
    a county where one township had every event drew it in the palest colour, beside the
    zero class's grey, so the only place with events looked the quietest."""
    if n <= 0:
        return []
    if n >= len(colors):
        return list(colors)[:n]
    if n == 1:
        return [colors[-1]]
    idx = np.round(np.linspace(1, len(colors) - 1, n)).astype(int)
    return [colors[i] for i in idx]


def _rgba(color: str, alpha: float) -> str:
    c = color.lstrip("#")
    r, g, b = (int(c[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def choropleth(
    gdf: gpd.GeoDataFrame,
    column: str,
    *,
    kind: str,
    label: str,
    unit: str = "",
    decimals: int = 0,
    n_classes: int = 5,
    colors: Sequence[str] = CLASS_COLORS,
    zero_color: str = ZERO_COLOR,
    zero_label: str = "0",
    fill_opacity: float = 0.55,
    line_color: str = "rgba(0,0,0,0)",
    hover_text: Sequence[str] | None = None,
    marker_size: float = 16,
    marker_color: str = "rgba(39,211,255,0.18)",
    marker_line_color: str = "rgba(39,211,255,0.55)",
    show_legend: bool = True,
) -> list[go.Scatter]:
    """Class fill traces (zero class first, then low → high) and one click-marker trace.

    ``gdf`` has ``code``, ``name``, geometry and the measure ``column``; optional
    ``label_lon``/``label_lat`` place the markers.

    Options (keyword-only):
        kind (str, required): "township" or "grid", the customdata kind of the markers.
        label (str, required): measure name for the legend title and hover, e.g. "事件数".
        unit (str, ""): unit after values, e.g. "件" or "件/km²".
        decimals (int, 0): decimals of breaks and hover values.
        n_classes (int, 5): maximum number of classes above zero.
        colors (sequence of str, CLASS_COLORS): class colours, low → high.
        zero_color (str, ZERO_COLOR): fill of units whose value is 0 or missing.
        zero_label (str, "0"): legend text of the zero class.
        fill_opacity (float, 0.55): fill alpha, so heat, labels and outlines show through.
        line_color (str, transparent): outline of the fills (boundary layers draw lines).
        hover_text (sequence of str | None, None): hover per row; None = "name<br>label value unit".
        marker_size (float, 16): click-marker diameter in px.
        marker_color, marker_line_color (str): click-marker fill and ring.
        show_legend (bool, True): list the classes in the figure legend.
    """
    values = gdf[column].astype("float64").to_numpy()
    breaks = class_breaks(values, n_classes=n_classes, decimals=decimals)
    as_shown = shown(values, decimals)          # classed as the legend reads them
    labels = class_labels(breaks, decimals=decimals, values=values)
    colours = _class_colors(len(breaks), colors)
    klass = np.full(len(values), -1)
    finite = np.isfinite(as_shown) & (as_shown > 0)
    if breaks:
        klass[finite] = np.searchsorted(np.asarray(breaks), as_shown[finite], side="left")
        klass = np.minimum(klass, len(breaks) - 1)
    geoms = gdf.geometry.values
    legend_title = f"{label}（{unit}）" if unit else label
    traces: list[go.Scatter] = []
    for i, (name, colour) in enumerate([(zero_label, zero_color), *zip(labels, colours)]):
        sel = klass == (i - 1)
        if not sel.any():
            continue
        x, y = polygon_xy(geoms[sel])
        traces.append(go.Scatter(
            x=x, y=y, mode="lines", fill="toself", fillcolor=_rgba(colour, fill_opacity),
            line={"color": line_color, "width": 0.5}, name=name, hoverinfo="skip",
            showlegend=show_legend, legendgroup="choropleth", legendrank=100 - i,
            legendgrouptitle={"text": legend_title} if show_legend else None,
        ))
    if hover_text is None:
        texts = ["—" if not np.isfinite(v) else _fmt(v, decimals) for v in values]
        hover_text = [f"{n}<br>{label} {s}{(' ' + unit) if unit else ''}"
                      for n, s in zip(gdf["name"].astype(str), texts)]
    traces += click_markers(gdf, kind=kind, hover_text=hover_text, size=marker_size,
                            color=marker_color, line_color=marker_line_color)
    return traces
