"""Hour-of-day × weekday matrix (时段分布): when events are reported, as a heatmap.

Duty rosters and patrols follow this: the brightest cells are the hours that need people.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from dashboard.figures import theme

WEEKDAYS_ZH = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]


def hour_weekday_figure(counts: np.ndarray, font_size: int = 13) -> go.Figure:
    """``counts``: 7 × 24 (Monday..Sunday × hour 0..23) → heatmap, Monday on top."""
    counts = np.asarray(counts)
    if counts.shape != (7, 24):
        raise ValueError(f"hour × weekday matrix must be 7 × 24, got {counts.shape}")
    # zmin alone does not stop plotly.js autoscaling: all-zero counts became -0.5 .. 0.5 and
    # every cell the scale's middle colour. Both ends fixed: 0 is always the darkest colour.
    top = int(counts.max()) if counts.size else 0
    fig = go.Figure(go.Heatmap(
        z=counts, x=[f"{h}时" for h in range(24)], y=WEEKDAYS_ZH,
        colorscale=theme.SEQUENTIAL, zmin=0, zmax=max(top, 1), showscale=top > 0,
        xgap=1, ygap=1,
        colorbar={"thickness": 10, "tickfont": {"color": theme.TEXT_DIM, "size": font_size},
                  "outlinewidth": 0},
        hovertemplate="%{y} %{x}：%{z} 件<extra></extra>"))
    fig.update_layout(theme.base_layout(
        font={"size": font_size}, margin={"l": 48, "r": 8, "t": 6, "b": 28},
        xaxis={"showgrid": False, "tickfont": {"size": font_size}, "dtick": 2},
        yaxis={"showgrid": False, "autorange": "reversed", "tickfont": {"size": font_size}},
        uirevision="analysis"))
    if int(counts.sum()) == 0:
        fig.add_annotation(text=theme.NO_DATA, showarrow=False, x=0.5, y=0.5, xref="paper",
                           yref="paper", font={"color": theme.TEXT_DIM, "size": 18})
    return fig
