"""A called-out township name (too small for its name: set beside it with a leader line,
layers.callout_lines) keeps its line on a spliced wall. On ?splice=2x2 a name a bezel ran
through was moved off it and its line still ended where the name had been (24 px away on 45
townships); on 3x3 and 3x2, where the map is larger than the 16:9 panel it was laid out
for, every line ended 10-30 px short of its name. Now each ends at its name's box, as drawn.
Real Chromium, the demo split into 45 townships (tests/browser/conftest.py)."""
from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

READ = """() => {
    const gd = document.querySelector('#map-graph .js-plotly-plot');
    const t = gd._fullData.find(t => t.mode === 'lines' && Array.isArray(t.meta));
    if (!t) { return null; }
    // every line drawn (plotly draws one path per segment)
    const ends = [...gd.querySelectorAll('.trace' + t.uid + ' path.js-line')].flatMap(path =>
        [...path.getAttribute('d').matchAll(/L([-\\d.]+),([-\\d.]+)/g)].map(m => {
            const p = new DOMPoint(+m[1], +m[2]).matrixTransform(path.getScreenCTM());
            return [p.x, p.y]; }));
    const names = [...gd.querySelectorAll('.textpoint text')]
        .filter(e => e.style.visibility !== 'hidden').map(e => {
            const r = e.getBoundingClientRect();
            return {text: e.textContent, l: r.left, r: r.right, t: r.top, b: r.bottom,
                    moved: !!e.getAttribute('transform')};
        });
    const k = gd.querySelector('.main-svg').getBoundingClientRect().width / gd._fullLayout.width;
    return {called: t.meta, ends, names, k};
}"""


def _gap(end, box) -> float:
    x, y = end
    return max(box["l"] - x, 0, x - box["r"]) + max(box["t"] - y, 0, y - box["b"])


@pytest.mark.parametrize("splice, width, height", [("2x2", 3840, 2160), ("3x3", 5760, 3240)])
def test_each_leader_line_ends_at_its_name_where_the_name_is_drawn(
        city_url, open_page, splice, width, height):
    w = open_page(f"{city_url}/?splice={splice}", width, height)
    w.page.wait_for_timeout(3200)            # the names moved off the bezels (every 3 s too)
    got = w.page.evaluate(READ)
    assert got and len(got["called"]) >= 3, got
    assert len(got["ends"]) == len(got["called"])          # none left out: all in view
    moved = 0
    for name, end in zip(got["called"], got["ends"]):
        boxes = [n for n in got["names"] if n["text"] == name]
        assert boxes, (name, got["names"])
        box = min(boxes, key=lambda b: _gap(end, b))
        gap = _gap(end, box) / got["k"]           # logical px of the 1920x1080 canvas
        assert gap <= 7, (splice, name, round(gap, 1), box, end)
        moved += box["moved"]
    if splice == "2x2":          # the case of the defect: a called-out name moved off a bezel
        assert moved >= 1, got["names"]
    assert w.errors == []
