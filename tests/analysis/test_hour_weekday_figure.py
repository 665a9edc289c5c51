"""The hour × weekday heatmap's colour range: zero is always the darkest colour.

With zmin alone plotly.js still autoscales: a window without events (all cells 0) got the
range -0.5 … 0.5, so every cell was painted the scale's middle colour (bright cyan, as busy
as ~20 events in the demo) under a "暂无数据" note, and the colour bar showed negative counts.
"""
from __future__ import annotations

import numpy as np

from dashboard.figures.hour_weekday import hour_weekday_figure


def _heat(fig):
    return fig.to_plotly_json()["data"][0]


def test_no_events_paints_every_cell_the_zero_colour_and_hides_the_scale():
    h = _heat(hour_weekday_figure(np.zeros((7, 24), dtype=int)))
    assert h.get("zmin") == 0 and h.get("zmax", 0) > 0    # explicit range: 0 is the bottom
    assert h.get("showscale") is False                    # no colour bar for nothing


def test_range_runs_from_zero_to_the_busiest_cell():
    counts = np.full((7, 24), 3)
    counts[2, 10] = 40
    h = _heat(hour_weekday_figure(counts))
    assert (h["zmin"], h["zmax"]) == (0, 40)              # 3 events are not the darkest colour
    assert h.get("showscale") is True
