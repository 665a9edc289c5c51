"""Every township on the county map can be told by its name: one too small to hold its name
(the demo's 三江街道 between three names) has it beside it with a leader line to it, not
on a neighbour as if it were the neighbour's, and not left out (dashboard/figures/wall_map)."""
from __future__ import annotations

import datetime as dt

import numpy as np
import shapely

from dashboard.figures import wall_map as wm
from store import map_view as mv
from store.db import ReadStore
from store.settings import Settings


def _names_and_leaders(fig):
    text = next(t for t in fig.data if t.mode == "text" and t.name == "镇街名称")
    lines = [t for t in fig.data if t.name == "镇街名称引线" and t.mode == "lines"]
    segs = []
    if lines:
        x, y = list(lines[0].x), list(lines[0].y)
        segs = [(x[i], y[i], x[i + 1], y[i + 1]) for i in range(0, len(x), 3)]
    return text, segs


def test_a_township_too_small_for_its_name_has_it_beside_it_with_a_leader_line(wall_demo_db):
    store = ReadStore(wall_demo_db)
    try:
        data = mv.map_data(mv.direct_reader(store, Settings()), None, ("townships",),
                           dt.date(2025, 10, 2), dt.date(2025, 11, 1),
                           dt.datetime(2025, 10, 31, 23))
    finally:
        store.close()
    towns = data.townships
    fig = wm.map_figure(data, layers=("townships",), measure="red")
    text, segs = _names_and_leaders(fig)
    shown = dict(zip(text.text, zip(text.x, text.y)))
    # every township is named (14 of 15 before: 三江街道 had no name)
    assert set(shown) == set(towns["name"]), set(towns["name"]) - set(shown)
    geoms = dict(zip(towns["name"], towns.geometry.values))
    leaders = {}
    for x0, y0, x1, y1 in segs:
        # a leader line starts on a township and ends at a name that is not on it
        home = [n for n, g in geoms.items() if g.contains(shapely.Point(x0, y0))]
        assert len(home) == 1, (x0, y0)
        leaders[home[0]] = (x1, y1)
    assert "三江街道" in leaders
    for name, (x, y) in shown.items():
        if name in leaders:
            lx, ly = leaders[name]
            # the line reaches the name (ends within a name's length of its centre) ...
            x0, x1 = fig.layout.xaxis.range
            assert np.hypot(lx - x, ly - y) < 0.1 * (x1 - x0)
            # ... which is not on its own township (else no line was needed)
            assert not geoms[name].contains(shapely.Point(x, y))
        else:
            # any other name sits on its own township
            assert geoms[name].contains(shapely.Point(x, y)), name
