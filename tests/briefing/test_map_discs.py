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


def test_no_township_name_covers_a_numbered_disc():
    """A hotspot disc right on a township's label point (浦口街道 under disc 3 on the demo's
    W43 map): the name moves or shrinks off it, and every other name stays where it was."""
    from layers.canvas import visible_range

    units = _grids(100)
    towns = gpd.GeoDataFrame(
        {"code": ["T1", "T2"], "name": ["浦口街道", "甘霖镇"]},
        geometry=[shapely.box(120, 29, 120.05, 29.09), shapely.box(120.05, 29, 120.1, 29.1)],
        crs=4326)
    on_label = towns.geometry.representative_point().iloc[0]          # (120.025, 29.045)
    hot = units[units.contains(on_label)].assign(k=9, ratio=3.0)      # G42: its centre
    assert len(hot) == 1 and hot.geometry.representative_point().iloc[0].distance(
        on_label) < 1e-9
    fig = map_figure(units, towns, None, hot, DARK, numbered=MAP_LISTED, view_px=(820, 600))
    (names,) = [t for t in fig.data if t.mode == "text"]
    (disc,) = [t for t in fig.data if t.mode == "markers+text"]
    (x0, x1), (y0, y1) = visible_range(fig.layout.to_plotly_json(), (820, 600))
    scale_x, scale_y = 820 / (x1 - x0), 600 / (y1 - y0)
    sizes = list(names.textfont.size)
    for name, x, y, size in zip(names.text, names.x, names.y, sizes):
        half_w, half_h = len(name) * size / 2, size / 2
        dx = abs(x - disc.x[0]) * scale_x
        dy = abs(y - disc.y[0]) * scale_y
        assert dx >= half_w + 12 or dy >= half_h + 12, (name, dx, dy)
    assert list(names.text) == ["浦口街道", "甘霖镇"]
    moved = dict(zip(names.text, zip(names.x, names.y)))
    assert moved["甘霖镇"] == tuple(towns.geometry.representative_point().iloc[1].coords[0])


def test_overdue_bars_keep_long_names_apart_and_their_labels_short():
    """A city's department names run to 20 characters: the label is cut to LABEL_CHARS (it ran
    over the township chart beside it), the bars stay one per name even when two names
    share their first characters."""
    import pandas as pd

    from dashboard.figures.briefing_charts import LABEL_CHARS, overdue_figure

    names = [f"经济技术开发区综合行政执法局城市管理第{i}中队" for i in (10, 11)] + ["市住建局"]
    dept = pd.DataFrame({"code": ["a", "b", "c"], "name": names, "red": [5, 4, 3],
                         "oldest_h": [48.0] * 3, "prev_red": [4, 4, 3]})
    town = pd.DataFrame({"code": ["t"], "name": ["黄泽镇"], "red": [2], "oldest_h": [24.0],
                         "prev_red": [1]})
    fig = overdue_figure(town, dept, DARK)
    bars = fig.data[1]
    assert sorted(bars.y) == sorted(names)                          # three bars, full names
    axis = fig.layout.yaxis2
    assert list(axis.tickvals) == list(bars.y)
    assert all(len(t) <= LABEL_CHARS for t in axis.ticktext)
    assert len(set(axis.ticktext)) == 2 and "市住建局" in axis.ticktext   # the short one whole
