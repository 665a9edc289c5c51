"""The dark wall's map keys a zero class a leader can see from 5 m: a township with no red
warning was filled with the panel's own navy (contrast 1.05 against the panel: it read as
outside the county), and the legend's '0' swatch was as dark on the legend's ground (1.11).
Colours as Chromium computes them, composited the way they are drawn; real app, demo county."""
from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

READ = """() => {
    const gd = document.querySelector('#map-graph .js-plotly-plot');
    const leg = gd.querySelector('.legend'), bg = leg.querySelector('rect.bg');
    const swatches = [...leg.querySelectorAll('.traces')].map(t => {
        const p = t.querySelector('.legendfill path'), s = p && getComputedStyle(p);
        return {text: t.textContent, fill: s && s.fill, alpha: s && s.fillOpacity};
    }).filter(s => s.fill && s.fill !== 'none');
    // what lies under the map: the panel's fill over its ancestors' (the canvas, the page)
    const grounds = [];
    for (let n = document.getElementById('panel-map'); n; n = n.parentElement) {
        grounds.push(getComputedStyle(n).backgroundColor);
    }
    grounds.push(getComputedStyle(document.body).backgroundColor);
    const zero = gd.data.find(t => t.legendgroup === 'choropleth' && t.name === '0');
    return {swatches, legend: [getComputedStyle(bg).fill, getComputedStyle(bg).fillOpacity],
            grounds, zero: zero && zero.fillcolor};
}"""


def _rgba(css: str, alpha: float = 1.0) -> tuple[list[float], float]:
    v = [float(x) for x in re.findall(r"[\d.]+", css)]
    return v[:3], (v[3] if len(v) > 3 else 1.0) * float(alpha)


def _over(top: str, under: list[float], alpha: float = 1.0) -> list[float]:
    rgb, a = _rgba(top, alpha)
    return [a * x + (1 - a) * y for x, y in zip(rgb, under)]


def _contrast(a: list[float], b: list[float]) -> float:
    def lum(rgb):
        c = [v / 255 for v in rgb]
        c = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]
    hi, lo = sorted([lum(a), lum(b)], reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_the_zero_class_is_seen_on_the_map_and_keyed_in_its_legend(wall_url, open_page):
    w = open_page(wall_url + "/")
    w.page.wait_for_function("() => document.querySelector('#map-graph .legend .legendfill')")
    got = w.page.evaluate(READ)
    ground = [0.0, 0.0, 0.0]
    for css in reversed(got["grounds"]):            # the page up to the map's panel
        ground = _over(css, ground)
    legend_ground = _over(got["legend"][0], ground, float(got["legend"][1]))
    keys = {s["text"]: _over(s["fill"], legend_ground, float(s["alpha"]))
            for s in got["swatches"]}
    assert "0" in keys and len(keys) >= 2, keys   # the default 红线示警 has a zero class
    # the '0' swatch is seen on the legend's ground, and is not one of the classes
    assert _contrast(keys["0"], legend_ground) >= 1.4, (keys["0"], legend_ground)
    for text, rgb in keys.items():
        if text != "0":
            assert max(abs(a - b) for a, b in zip(rgb, keys["0"])) >= 30, (text, rgb, keys["0"])
    # a township without any is filled apart from the panel (outside the county)
    zero = _over(got["zero"], ground)
    assert _contrast(zero, ground) >= 1.4, (got["zero"], zero, ground)
    assert w.errors == []
