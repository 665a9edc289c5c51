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
ZERO_COLOR = "#0f2547"


def _nice_ceil(x: float, decimals: int) -> float:
    """Round ``x`` up to two significant figures, and to ``decimals`` places."""
    if x <= 0:
        return 0.0
    step = 10 ** (math.floor(math.log10(x)) - 1)
    step = max(step, 10 ** -decimals)
    return round(math.ceil(x / step - 1e-9) * step, max(decimals, 0))


def class_breaks(values: Sequence[float], *, n_classes: int = 5, decimals: int = 0) -> list[float]:
    """Upper bounds of up to ``n_classes`` classes of the positive values (quantiles, rounded).

    Class i holds values in (breaks[i-1], breaks[i]] (the first from 0, exclusive); zero and
    missing values are outside every class. The last bound is >= the maximum.
    """
    v = np.asarray(values, dtype="float64")
    v = v[np.isfinite(v) & (v > 0)]
    if v.size == 0:
        return []
    qs = np.quantile(v, np.linspace(0, 1, n_classes + 1)[1:])
    out: list[float] = []
    for q in qs:
        b = _nice_ceil(float(q), decimals)
        if not out or b > out[-1]:
            out.append(b)
    top = _nice_ceil(float(v.max()), decimals)
    if out[-1] < top:
        out[-1] = top
    # rounding can leave a class with no value in it: merge it into the class above, so the
    # legend never lists an empty range
    kept, lo = [], 0.0
    for b in out:
        if ((v > lo) & (v <= b)).any():
            kept.append(b)
            lo = b
    if kept and kept[-1] < out[-1]:
        kept[-1] = out[-1]
    return kept


def _fmt(x: float, decimals: int) -> str:
    return f"{x:,.{decimals}f}"


def class_labels(breaks: Sequence[float], *, decimals: int = 0) -> list[str]:
    """Legend text per class: integers "1–12", "13–40"; decimals "0.0–1.5", "1.5–3.2"."""
    labels, lo = [], 0.0
    for hi in breaks:
        if decimals == 0:
            first = int(lo) + 1
            labels.append(_fmt(hi, 0) if first >= hi else f"{first:,}–{_fmt(hi, 0)}")
        else:
            labels.append(f"{_fmt(lo, decimals)}–{_fmt(hi, decimals)}")
        lo = hi
    return labels


def _class_colors(n: int, colors: Sequence[str]) -> list[str]:
    if n <= 0:
        return []
    if n >= len(colors):
        return list(colors)[:n]
    idx = np.round(np.linspace(0, len(colors) - 1, n)).astype(int)
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
    labels = class_labels(breaks, decimals=decimals)
    colours = _class_colors(len(breaks), colors)
    klass = np.full(len(values), -1)
    finite = np.isfinite(values) & (values > 0)
    if breaks:
        klass[finite] = np.searchsorted(np.asarray(breaks), values[finite], side="left")
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
        shown = ["—" if not np.isfinite(v) else _fmt(v, decimals) for v in values]
        hover_text = [f"{n}<br>{label} {s}{(' ' + unit) if unit else ''}"
                      for n, s in zip(gdf["name"].astype(str), shown)]
    traces += click_markers(gdf, kind=kind, hover_text=hover_text, size=marker_size,
                            color=marker_color, line_color=marker_line_color)
    return traces
