"""The wall's small text read from 5 m: the map legend, the panel captions and the gauge
ticks were 14, 14 and 12 px, under the theme's 16 px minimum (dashboard.figures.theme
FONT_SIZE). At 16 px nothing may overlap or be cut: the gauges' end ticks were half cut on
2x2 (the arc takes the figure's whole height there), and a gauge without a rate writes why
under its "—". Real Chromium on the real app, on 1920x1080 and ?splice=2x2."""
from __future__ import annotations

import json

import pytest

from dashboard.figures import theme
from dashboard.wall import gauges

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LAYOUTS = [("", 1920, 1080), ("2x2", 3840, 2160)]

MEASURE = """() => {
    const box = e => { const b = e.getBoundingClientRect();
                       return {l: b.left, t: b.top, r: b.right, b: b.bottom}; };
    const size = e => parseFloat(getComputedStyle(e).fontSize);
    // a text's em box (its size tall, centred on its line box): the line box of the CJK font
    // is 1.5 em, its half-leading empty, and would count as overlap
    const em = e => { const b = e.getBoundingClientRect(), z = b.height / e.getBBox().height,
                      h = parseFloat(getComputedStyle(e).fontSize) * z, m = (b.top + b.bottom) / 2;
                      return {l: b.left, t: m - h / 2, r: b.right, b: m + h / 2}; };
    const seen = t => { const s = getComputedStyle(t);      // a hidden number is transparent
        return t.textContent.trim() && s.fill !== 'rgba(0, 0, 0, 0)' && s.fillOpacity !== '0'
               && t.getBoundingClientRect().width > 0; };
    const gauges = [...document.querySelectorAll('.gw-gauge')].map(g => ({
        svg: box(g.querySelector('.main-svg')), label: box(g.querySelector('.gw-gauge-label')),
        ticks: [...g.querySelectorAll('.xangularaxistick text')].filter(seen)
            .map(t => ({text: t.textContent, size: size(t), box: em(t)})),
        others: [...g.querySelectorAll('text.number, .annotation-text')].filter(seen)
            .map(t => ({text: t.textContent, size: size(t), box: em(t)}))}));
    const captions = [...document.querySelectorAll('.gw-panel-caption')].map(c => {
        const head = c.closest('.gw-panel-head');
        return {id: c.id, text: c.textContent, size: size(c), box: box(c),
                cut: c.scrollWidth > c.clientWidth + 1, head: box(head),
                siblings: [...head.children].filter(s => s !== c).map(box)};
    });
    const gd = document.querySelector('#map-graph .js-plotly-plot');
    const legend = gd.querySelector('.legend');
    return {gauges, captions, zoom: document.getElementById('gw-canvas').getBoundingClientRect()
                                       .width / document.getElementById('gw-canvas').offsetWidth,
            gauge_head: box(document.querySelector('#panel-gauges .gw-panel-head')),
            legend: {box: box(legend.querySelector('rect.bg')),
                     texts: [...legend.querySelectorAll('text')].filter(seen)
                         .map(t => ({text: t.textContent, size: size(t), box: em(t)}))},
            board: box(document.getElementById('hot-board')),
            map: box(document.querySelector('#panel-map .gw-panel-body'))};
}"""


def _meets(a: dict, b: dict, slack: float = 0.5) -> bool:
    """Two boxes overlap by more than ``slack`` px either way."""
    return (min(a["r"], b["r"]) - max(a["l"], b["l"]) > slack
            and min(a["b"], b["b"]) - max(a["t"], b["t"]) > slack)


def _inside(a: dict, outer: dict, slack: float = 1.0) -> bool:
    return (a["l"] >= outer["l"] - slack and a["t"] >= outer["t"] - slack
            and a["r"] <= outer["r"] + slack and a["b"] <= outer["b"] + slack)


def _check(got: dict, where: str) -> None:
    least = theme.FONT_SIZE
    for i, g in enumerate(got["gauges"]):
        texts = g["ticks"] + g["others"]
        assert len(g["ticks"]) >= 3 or any(t["text"].startswith("本期") for t in texts), (where, g)
        for t in g["ticks"]:
            assert t["size"] >= least, (where, i, t)
        for n, t in enumerate(texts):
            # whole inside the figure (not cut at its foot), clear of the name below it and
            # of the panel's head above
            assert _inside(t["box"], g["svg"]), (where, i, t, g["svg"])
            assert not _meets(t["box"], g["label"]), (where, i, t, g["label"])
            assert not _meets(t["box"], got["gauge_head"]), (where, i, t)
            for u in texts[n + 1:]:
                assert not _meets(t["box"], u["box"]), (where, i, t, u)
    for c in got["captions"]:
        assert c["size"] >= least, (where, c)
        assert not c["cut"], (where, c)                  # not ended in …
        assert _inside(c["box"], c["head"]), (where, c)
        assert not any(_meets(c["box"], s) for s in c["siblings"]), (where, c)
    leg = got["legend"]
    assert len(leg["texts"]) >= 3, (where, leg)
    for t in leg["texts"]:
        assert t["size"] >= least, (where, t)
        assert _inside(t["box"], leg["box"]), (where, t, leg["box"])
    assert _inside(leg["box"], got["map"]), (where, leg["box"], got["map"])
    assert not _meets(leg["box"], got["board"]), (where, leg["box"], got["board"])


@pytest.mark.parametrize("splice,width,height", LAYOUTS)
def test_legend_captions_and_gauge_ticks_are_16px_and_clear_of_each_other(
        wall_url, open_page, splice, width, height):
    w = open_page(wall_url + (f"/?splice={splice}" if splice else "/"), width, height)
    page = w.page
    page.wait_for_timeout(800)           # the hotspot board fitted above the legend
    where = splice or f"{width}x{height}"
    got = page.evaluate(MEASURE)
    assert got["zoom"] == pytest.approx(width / 1920, abs=0.01)
    _check(got, where)
    # a gauge without a rate, as the server sends it for a county exporting no 流转时间,
    # drawn in the same box: its reason at 16 px below the arc, clear of all else
    spec = gauges.gauge_json(None, 0.95, why="本期无应办结事件")
    page.evaluate("""s => Plotly.react(document.querySelector('#gauge-on_time_rate .js-plotly-plot'),
                                       s.data, s.layout)""", json.loads(json.dumps(spec)))
    got = page.evaluate(MEASURE)
    why = [t for t in got["gauges"][1]["others"] if t["text"] == "本期无应办结事件"]
    assert why and why[0]["size"] >= theme.FONT_SIZE, got["gauges"][1]
    _check(got, where + " no rate")
    assert w.errors == []
