"""The map's legend sits on empty paper, not on the corner townships.

A county whose townships fill every corner of the map's box (a city's square districts, the
40 long-named townships of tests/briefing/test_unseen_counties.py) had the legend drawn over
the corner townships (~30 px into 第1号、第5号…): their colours, the very figure the legend
explains, were hidden. The figure is laid out by plotly.js in Chromium; the legend's box is
read from the rendered page and put back into map coordinates with the axes plotly drew.
"""
from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from dashboard.briefing.document import plotly_js
from dashboard.figures.briefing_map import map_figure
from dashboard.figures.briefing_theme import DARK, LIGHT

pytestmark = [pytest.mark.browser]

VIEW = (820, 600)
LEGEND_IN_MAP = """() => {
  const gd = document.getElementById('m');
  const fl = gd._fullLayout, xa = fl.xaxis, ya = fl.yaxis;
  const plot = gd.querySelector('.bglayer rect, .draglayer .nsewdrag').getBoundingClientRect();
  const box = gd.querySelector('g.legend').getBoundingClientRect();
  const x = px => xa.p2d(px - plot.left), y = px => ya.p2d(px - plot.top);
  return [x(box.left), y(box.bottom), x(box.right), y(box.top)];
}"""


def _county(cols: int, rows: int) -> gpd.GeoDataFrame:
    """Square townships filling their bounding box: no corner of the map is empty."""
    d = 0.05
    boxes = [shapely.box(120 + c * d, 29 + r * d, 120 + (c + 1) * d, 29 + (r + 1) * d)
             for r in range(rows) for c in range(cols)]
    n = len(boxes)
    return gpd.GeoDataFrame({"code": [f"T{i}" for i in range(n)],
                             "name": [f"第{i + 1}号经济技术开发区新城街道" for i in range(n)],
                             "density": [float(i % 7) for i in range(n)],
                             "label_lon": [b.centroid.x for b in boxes],
                             "label_lat": [b.centroid.y for b in boxes]},
                            geometry=boxes, crs=4326)


@pytest.mark.parametrize("cols,rows,pal", [(4, 10, LIGHT), (6, 5, DARK), (8, 5, DARK)])
def test_the_legend_covers_no_township(chromium, tmp_path, cols, rows, pal):
    units = _county(cols, rows)
    hot = units.iloc[[0, cols - 1, len(units) - 1]].assign(k=9, ratio=3.0)
    fig = map_figure(units, units, None, hot, pal, numbered=6, view_px=VIEW)
    fig.update_layout(width=VIEW[0], height=VIEW[1], autosize=False)
    page = chromium.new_page(viewport={"width": 900, "height": 700})
    try:
        page.set_content(f"<div id=m></div><script>{plotly_js()}</script>")
        page.evaluate("f => Plotly.newPlot('m', f.data, f.layout, {staticPlot: true})",
                      fig.to_plotly_json())
        x0, y0, x1, y1 = page.evaluate(LEGEND_IN_MAP)
    finally:
        page.close()
    legend = shapely.box(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
    county = shapely.union_all(list(units.geometry))
    # in map units; a hair of antialiasing aside, the legend and the county do not meet
    assert county.intersection(legend).area <= 1e-4 * legend.area, (
        county.intersection(legend).bounds, legend.bounds)
