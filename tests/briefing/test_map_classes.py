"""The briefing's density map (slide 05 本周事件密度与新发热点) reads its colours as the wall's
map does: one class cutting (layers/choropleth.py, metrics.md 'The map's colour classes'), on
the distributions an unseen county brings. Each unit's class is read back from the drawn
polygons, so the test holds whatever the map module calls."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import box

from dashboard.figures.briefing_map import map_figure
from dashboard.figures.briefing_theme import DARK, LIGHT

CASES = {
    # a 10 M city's 16 townships in one week (bench, 2024-W51): 115.2 to 119.2 件/km²
    "nearly_equal": [115.2, 115.6, 116.0, 116.3, 116.7, 116.8, 117.0, 117.5, 117.8, 118.0,
                     118.2, 118.8, 118.8, 118.9, 119.0, 119.2],
    # a township's grids: tens, and one small grid of 150 events in 0.01 km²
    "skewed_past_wan": [0.5, 0.6, 0.7, 0.8, 1.0, 1.1, 1.2, 2.0, 3.0, 5.0, 8.0, 13.0, 40.0,
                        120.0, 900.0, 15000.0],
    "with_zero": [0.0, 0.0, 3.2, 3.3, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0],
}


def _units(values) -> gpd.GeoDataFrame:
    n = len(values)
    return gpd.GeoDataFrame({"code": [f"U{i}" for i in range(n)],
                             "name": [f"镇{i:02d}" for i in range(n)], "density": values},
                            geometry=[box(i % 4, i // 4, i % 4 + 0.9, i // 4 + 0.9)
                                      for i in range(n)], crs=4326)


def _legend(values, pal) -> dict[str, list[float]]:
    """{legend entry: the values of the units drawn in it}, low to high."""
    u = _units(values)
    fig = map_figure(u, u, None, gpd.GeoDataFrame(geometry=[], crs=4326), pal)
    out = {}
    for t in fig.data:
        if t.legendgroup != "choropleth":
            continue
        x, y = np.asarray(t.x, dtype=float), np.asarray(t.y, dtype=float)
        corners = {(a, b) for a, b in zip(x, y) if np.isfinite(a) and a == int(a) and b == int(b)}
        out[t.name] = sorted(values[int(b) * 4 + int(a)] for a, b in corners
                             if int(b) * 4 + int(a) < len(values))
    return out


@pytest.mark.parametrize("pal", [LIGHT, DARK], ids=["light", "dark"])
@pytest.mark.parametrize("name", list(CASES))
def test_classes_discriminate_and_each_entry_reads_its_least_and_most_unit(name, pal):
    values = CASES[name]
    legend = _legend(values, pal)
    zero = legend.pop("0", [])
    assert zero == [v for v in values if v == 0]            # no unit with events reads 0
    assert len(legend) == 5                                 # five classes, none empty
    assert max(len(v) for v in legend.values()) <= -(-len(values) // 5) + 1, legend
    for label, vals in legend.items():
        ends = [float(e.replace(",", "").replace("万", "")) * (1e4 if "万" in e else 1)
                for e in label.split("–")]
        assert abs(ends[0] - vals[0]) <= (100 if "万" in label.split("–")[0] else 0.05)
        assert abs(ends[-1] - vals[-1]) <= (100 if "万" in label else 0.05), (label, vals)
    if name == "skewed_past_wan":
        assert "120.0–1.5万" in legend and not any("0.0万" in k for k in legend)



def _rgb(colour: str) -> np.ndarray:
    c = colour.strip()
    if c.startswith("rgba"):
        return np.array([float(x) for x in c[5:-1].split(",")[:3]])
    return np.array([int(c.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4)], dtype=float)


@pytest.mark.parametrize("pal", [LIGHT, DARK], ids=["light", "dark"])
def test_the_zero_entry_has_a_key_the_reader_can_see(pal):
    """A township without events is drawn in the zero class; its legend entry '0' must show
    a swatch apart from the legend's background and from the lowest class (before: a fill
    of #f8fafc on the panel's #f5f7fb, #0b1f40 on #0a1c3a: '0' stood beside nothing)."""
    u = _units(CASES["with_zero"])
    fig = map_figure(u, u, None, gpd.GeoDataFrame(geometry=[], crs=4326), pal)
    fills = {t.name: _rgb(t.fillcolor) for t in fig.data if t.legendgroup == "choropleth"}
    lowest = fills[[k for k in fills if k != "0"][0]]       # zero first, then low -> high
    bg = _rgb(fig.layout.legend.bgcolor)
    assert np.linalg.norm(fills["0"] - bg) >= 35, (fills["0"], bg)
    assert np.linalg.norm(fills["0"] - lowest) >= 25, (fills["0"], lowest)
