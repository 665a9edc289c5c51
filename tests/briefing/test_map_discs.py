"""The briefing map numbers the hotspots its slide lists, and only those: a city's hundred
hotspots are outlined, not a hundred discs over the map (pure figure, no Chromium)."""
from __future__ import annotations

import geopandas as gpd
import shapely

from dashboard.briefing.document import MAP_LISTED
from dashboard.figures.briefing_map import map_figure
from dashboard.figures.briefing_theme import DARK


def _grids(n: int) -> gpd.GeoDataFrame:
    boxes = [shapely.box(120 + (i % 10) * 0.01, 29 + (i // 10) * 0.01,
                         120.01 + (i % 10) * 0.01, 29.01 + (i // 10) * 0.01) for i in range(n)]
    return gpd.GeoDataFrame({"code": [f"G{i}" for i in range(n)],
                             "name": [f"第{i}网格" for i in range(n)],
                             "density": [float(i) for i in range(n)],
                             "label_lon": [b.centroid.x for b in boxes],
                             "label_lat": [b.centroid.y for b in boxes]},
                            geometry=boxes, crs=4326)


def test_only_the_listed_hotspots_get_a_numbered_disc():
    units = _grids(100)
    hot = units.head(30).assign(k=9, ratio=3.0)
    fig = map_figure(units, None, None, hot, DARK, numbered=MAP_LISTED)
    discs = [t for t in fig.data if t.mode == "markers+text"]
    assert len(discs) == 1
    assert list(discs[0].text) == [str(i) for i in range(1, MAP_LISTED + 1)]
    assert "新发热点 30 处" in [t.name for t in fig.data]
    few = map_figure(units, None, None, hot.head(3), DARK, numbered=MAP_LISTED)
    assert [list(t.text) for t in few.data if t.mode == "markers+text"] == [["1", "2", "3"]]
