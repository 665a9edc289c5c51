"""The slides of a county of many long names (长名县 of test_unseen_counties: 32 townships of
17 characters, 96 grids of 19) are laid out by Chromium in both themes and measured:

- the map's township names stay apart, inside the map and off its legend (they were nudged
  onto each other's rows, went under the legend, and 第4号… was cut at the map's right edge);
- nothing on a slide reaches past its 40 px side margins (the ranking's right-hand table
  reached 21 px past the right one: each name column kept its 9em).
"""
from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

import layers as L
from dashboard.briefing import document
from dashboard.figures.briefing_map import map_figure
from dashboard.figures.briefing_theme import DARK, LIGHT
from tests.briefing import test_unseen_counties as unseen
from tests.briefing.test_unseen_counties import N_TOWNS, _town

county = unseen.county          # the same county, made once for this module

MAP = """() => {
    const plot = document.querySelector('#plot-map').getBoundingClientRect();
    const legend = document.querySelector('#plot-map g.legend rect.bg').getBoundingClientRect();
    const names = [...document.querySelectorAll('#plot-map .scatterlayer text')]
        .filter(t => t.textContent.trim())
        .map(t => { const b = t.getBoundingClientRect();
                    return {text: t.textContent, l: b.left, r: b.right, t: b.top, b: b.bottom}; });
    const hit = (a, c) => Math.min(a.r, c.r) - Math.max(a.l, c.l) > 1
                          && Math.min(a.b, c.b) - Math.max(a.t, c.t) > 1;
    const box = {l: legend.left, r: legend.right, t: legend.top, b: legend.bottom};
    const out = names.filter(n => n.l < plot.left - 0.5 || n.r > plot.right + 0.5
                                  || n.t < plot.top - 0.5 || n.b > plot.bottom + 0.5);
    const pairs = [];
    for (let i = 0; i < names.length; i++)
        for (let j = i + 1; j < names.length; j++)
            if (hit(names[i], names[j])) pairs.push([names[i].text, names[j].text]);
    return {names: names.map(n => n.text), outside: out.map(n => n.text), overlapping: pairs,
            underLegend: names.filter(n => hit(n, box)).map(n => n.text)};
}"""

MARGINS = """() => [...document.querySelectorAll('section.slide')].map(s => {
    const box = s.getBoundingClientRect();
    const left = box.left + 40, right = box.right - 40;
    let worst = 0, what = '';
    for (const e of s.querySelectorAll('.body *')) {
        if (e.closest('svg')) continue;            // a figure is measured as its div
        const r = e.getBoundingClientRect();
        if (!r.width || !r.height) continue;
        let l = r.left, rr = r.right;               // what an ancestor that cuts leaves shown
        for (let a = e.parentElement; a && a !== s; a = a.parentElement)
            if (getComputedStyle(a).overflowX !== 'visible') {
                const c = a.getBoundingClientRect();
                l = Math.max(l, c.left); rr = Math.min(rr, c.right);
            }
        if (rr - l < 1) continue;
        const past = Math.max(rr - right, left - l);
        if (past > worst) { worst = past; what = e.outerHTML.slice(0, 80); }
    }
    return {slide: s.id, past: Math.round(worst * 10) / 10, what};
})"""


@pytest.fixture(scope="module")
def laid_out(county, chromium, tmp_path_factory):
    """Each theme's document drawn once: (theme, map measures, margin measures)."""
    _, _, b = county
    folder = tmp_path_factory.mktemp("long_layout")
    out = []
    for pal in (DARK, LIGHT):
        html = folder / f"{pal.name}.html"
        html.write_text(document.document(b, pal, None), encoding="utf-8")
        page = chromium.new_page(viewport={"width": 1280, "height": 720})
        try:
            page.goto(html.as_uri())
            page.wait_for_function("() => window.__briefingReady || window.__briefingError",
                                   timeout=60_000)
            assert page.evaluate("() => window.__briefingError || null") is None
            out.append((pal.name, page.evaluate(MAP), page.evaluate(MARGINS)))
        finally:
            page.close()
    return out


@pytest.mark.browser
@pytest.mark.slow
def test_map_names_stay_apart_inside_the_map_and_off_the_legend(laid_out):
    for theme, m, _ in laid_out:
        assert m["outside"] == [], (theme, m["outside"])
        assert m["overlapping"] == [], (theme, m["overlapping"])
        assert m["underLegend"] == [], (theme, m["underLegend"])
        towns = [n for n in m["names"] if n.startswith("第")]
        assert len(towns) >= N_TOWNS - 4, (theme, towns)    # most still named, some cut


@pytest.mark.browser
@pytest.mark.slow
def test_no_slide_reaches_past_its_side_margins(laid_out):
    for theme, _, margins in laid_out:
        past = [s for s in margins if s["past"] > 1]
        assert past == [], (theme, past)


def test_map_names_are_cut_only_when_whole_ones_do_not_fit_their_township(county):
    """The figure's names: each over its own township and no wider than it (one em a
    character), each the name or its first characters and …; on a map of few short
    names (the demo's kind) every name is whole."""
    _, _, b = county
    fig = map_figure(b.map_units, b.map_outlines, b.map_grids, b.map_hotspots, LIGHT,
                     numbered=document.MAP_LISTED)
    towns = {_town(i) for i in range(N_TOWNS)}
    labels = next(t for t in fig.data if t.mode == "text" and t.text
                  and any(str(x).startswith("第") for x in t.text))
    for text in labels.text:
        assert text in towns or (text.endswith("…") and any(
            n.startswith(text[:-1]) for n in towns)), text
    assert any(t.endswith("…") for t in labels.text)

    squares = gpd.GeoDataFrame(
        {"code": list("ABC"), "name": ["甲镇", "乙街道", "丙乡"]},
        geometry=[shapely.box(120 + i * 0.1, 30, 120.09 + i * 0.1, 30.09) for i in range(3)],
        crs="EPSG:4326")
    axes = L.map_axes(L.bounds(squares.geometry.values), pad=0.03)
    named = L.declutter(squares, axes, (820, 600), large=16, small=12, inside=True, own=True,
                        shorten=True, keep_out=[("bottom-left", (170, 190))])
    assert named["label"].tolist() == named["name"].tolist() == ["甲镇", "乙街道", "丙乡"]
    assert named["size"].tolist() == [16.0] * 3
