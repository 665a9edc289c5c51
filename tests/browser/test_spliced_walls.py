"""The wall on spliced video walls (#4): LCD panels of 1920×1080 with a bezel every 1920 px
across and every 1080 px down. The whole wall is used, and a bezel runs between panels or
KPI tiles, not through the county or a figure, where the layout can avoid it."""
from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

BOXES = """() => {
    const box = e => { const r = e.getBoundingClientRect();
                       return {id: e.id, l: r.left, t: r.top, r: r.right, b: r.bottom,
                               w: r.width, h: r.height}; };
    const c = document.getElementById('gw-canvas');
    return {canvas: box(c), cls: c.className,
            sw: document.documentElement.scrollWidth, sh: document.documentElement.scrollHeight,
            panels: [...document.querySelectorAll('.gw-panel')].map(box),
            kpis: [...document.querySelectorAll('.gw-kpi')].map(box),
            kpi: box(document.getElementById('kpi-backlog-value')),
            graph: box(document.querySelector('#map-graph .main-svg')),
            map: box(document.getElementById('map-graph'))}; }"""


def across(box: dict, x: float) -> bool:
    return box["l"] < x < box["r"]


def open_event_card(page) -> list[float]:
    """Click the first red/yellow row until the event card shows; its [left, top, right,
    bottom] (a click during a refresh's redraw of the list is lost, as by a person)."""
    card = page.locator("#event-card")
    for attempt in range(3):
        page.locator("#warn-board .gw-ev-row").first.click()
        try:
            card.wait_for(state="visible", timeout=8_000)
            break
        except Exception:  # noqa: BLE001 - playwright's TimeoutError: click again
            if attempt == 2:
                raise
    return page.evaluate("() => { const r = document.querySelector('#event-card .gw-ec')"
                         ".getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }")


def test_a_stacked_wall_fills_both_panels_and_keeps_the_bezel_off_the_map(wall_url, open_page):
    """1×2 panels (1920×2160): before, a 1920×1080 canvas in the middle, 540 px empty above
    and below, and the bezel through the middle of the map; now a canvas as high as the
    wall, the map and the ranking in the upper panel, the other six in the lower one."""
    w = open_page(wall_url + "/", 1920, 2160)
    page = w.page
    c = page.evaluate(BOXES)["canvas"]
    assert (c["l"], c["t"]) == (0, 0) and c["w"] == pytest.approx(1920, abs=1)
    assert c["h"] == pytest.approx(2160, abs=1)
    page.wait_for_function("() => { const g = document.querySelector('#map-graph .main-svg');"
                           " return g && g.getBoundingClientRect().height > 700; }",
                           timeout=10_000)
    got = page.evaluate(BOXES)
    assert "gw-tall" in got["cls"], got["cls"]
    assert got["sw"] <= 1920 and got["sh"] <= 2160                 # no scrollbars
    assert got["kpi"]["h"] >= 40                                   # same text as on 1080
    # the bezel at 1080 runs between panels: each is above or below it
    cut = [p["id"] for p in got["panels"] if p["t"] < 1080 < p["b"]]
    assert cut == [], cut
    upper = {p["id"] for p in got["panels"] if p["b"] <= 1080}
    assert upper == {"panel-map", "panel-ranking"}, upper
    assert min(p["t"] for p in got["panels"] if p["id"] not in upper) >= 1080
    assert max(p["b"] for p in got["panels"]) >= 2160 - 20         # down to the foot
    # the map uses its panel (the graph follows the reflowed canvas), drawn at equal scale
    assert got["map"]["h"] > 780 and got["graph"]["h"] == pytest.approx(got["map"]["h"], abs=2)
    ratio = page.evaluate("""() => { const fl = document.querySelector('#map-graph .js-plotly-plot')._fullLayout;
        const x = fl.xaxis, y = fl.yaxis;
        const kx = x._length / (x.range[1] - x.range[0]), ky = y._length / (y.range[1] - y.range[0]);
        return [ky / kx, y.scaleratio]; }""")
    assert ratio[0] == pytest.approx(ratio[1], rel=0.01)           # a county is not squashed
    # the event card opens in the upper panel, not across the bezel
    card = open_event_card(page)
    assert card[1] >= got["kpis"][0]["b"] and card[3] <= 1080, card
    assert w.errors == [] and w.outside() == []


@pytest.mark.parametrize("width,height,panels", [(5760, 1080, True), (5760, 3240, False)])
def test_on_a_wall_three_panels_wide_no_bezel_runs_through_a_kpi_tile(wall_url, open_page,
                                                                      width, height, panels):
    """3×1 (5760×1080, the wide layout) and 3×3 (5760×3240, the 1920×1080 canvas ×3): before,
    eight equal tiles put the bezels at 1920 and 3840 through 黄线提醒 and 按期办结率 (a
    figure such as 93.7 % split across two panels); now 3+2+3 tiles, the bezels in the gaps.
    The wide layout also gave the map 1812-3945 px, both bezels through it (its hotspot
    board, its controls, a grid card's title); now the map is the middle panel."""
    w = open_page(wall_url + "/", width, height)
    got = w.page.evaluate(BOXES)
    assert got["sw"] <= width and got["sh"] <= height
    tiles = got["kpis"]
    assert len(tiles) == 8
    for seam in (1920, 3840):
        hit = [i for i, t in enumerate(tiles) if across(t, seam)]
        assert hit == [], (seam, hit, tiles)
        if panels:
            cut = [p["id"] for p in got["panels"] if across(p, seam)]
            assert cut == [], (seam, cut)
    # the tiles still span the canvas, and the narrowest keeps room for its figure
    assert tiles[0]["l"] < 50 and tiles[-1]["r"] > width - 50
    assert min(t["w"] for t in tiles) > width / 10
    assert w.errors == [] and w.outside() == []


@pytest.mark.parametrize("height", [1080, 2160])
def test_a_wall_four_panels_wide_gives_each_panel_whole_columns(wall_url, open_page, height):
    """4×1 (7680×1080): before, five stretched columns: the map's panel 2,855 px wide across
    the middle bezel (the county cut in two) and a ranking row's name 1,300 px and a bezel
    away from its figures. 4×2 (7680×2160, or 2×1 of 4K): the bezels through the trend, the
    map and the ranking (names on one panel, figures on the next). Now eight columns, two
    to a panel, no bezel through a panel."""
    w = open_page(wall_url + "/", 7680, height)
    page = w.page
    got = page.evaluate(BOXES)
    assert got["sw"] <= 7680 and got["sh"] <= height
    for seam in (1920, 3840, 5760):
        cut = [p["id"] for p in got["panels"] + got["kpis"] if across(p, seam)]
        assert cut == [], (seam, cut)
    rank = next(p for p in got["panels"] if p["id"] == "panel-ranking")
    assert 900 < rank["w"] < 1000 and rank["h"] > 800 * height / 1080   # a column, full height
    # the map has a panel to itself and its graph follows the reflowed canvas
    assert got["map"]["w"] > 1850
    # two rows: a list's column is as narrow as on 1920×1080, and its grid names as whole
    # (the wide layout's share for the kind cut 崇仁九十村第四网格 to 崇仁九十…)
    cut = page.evaluate("""() => [...document.querySelectorAll('#live-board .gw-ev-place,'
        + ' #warn-board .gw-ev-place')].filter(s => s.scrollWidth > s.clientWidth + 1)
        .map(s => s.innerText)""")
    assert cut == [], cut
    page.wait_for_function("w => document.querySelector('#map-graph .main-svg')"
                           ".getBoundingClientRect().width > w", arg=1850, timeout=10_000)
    assert w.errors == [] and w.outside() == []


TITLE_GLYPHS = """title => {
    const h = document.getElementById('wall-title');
    if (title) { h.firstChild.data = title; window.dispatchEvent(new Event('resize')); }
    const n = h.firstChild, r = document.createRange();
    const ls = parseFloat(getComputedStyle(h).letterSpacing) || 0, out = [];
    for (let i = 0; i < n.length; i++) {       // each character's ink, without its spacing
        r.setStart(n, i); r.setEnd(n, i + 1);
        const b = r.getBoundingClientRect();
        out.push([n.data[i], b.left, b.right - ls]);
    }
    return out; }"""


def test_a_wall_two_panels_wide_keeps_the_county_and_the_event_card_off_its_middle_bezel(
        wall_url, open_page):
    """2×1 (3840×1080): the wide layout centred the map on the bezel at 1920, the county cut
    in two halves; now eight columns (as wide as 1920×1080's), the map the inner half of the
    left panel. The event card, centred too, had the bezel through its title, its timeline
    and every field; now it opens just left of the bezel, whole. The title stays centred,
    the bezel between two of its characters."""
    w = open_page(wall_url + "/", 3840, 1080)
    got = w.page.evaluate(BOXES)
    cut = [p["id"] for p in got["panels"] + got["kpis"] if across(p, 1920)]
    assert cut == [], cut
    assert got["map"]["w"] > 900 and got["map"]["r"] <= 1920
    w.page.wait_for_function("w => Math.abs(document.querySelector('#map-graph .main-svg')"
                             ".getBoundingClientRect().width - w) < 4", arg=got["map"]["w"],
                             timeout=10_000)
    # the title, centred on the bezel, has it between two characters: a data set named with
    # an even number of characters (嵊州: 13 with 网格化社会治理指挥中心) put the middle one,
    # 会, under it, half on each panel; now the title is nudged by under half a character
    for title in ("", "嵊州网格化社会治理指挥中心", "嵊州市网格化社会治理指挥中心"):
        w.page.wait_for_timeout(200)                               # the resize's fit
        glyphs = w.page.evaluate(TITLE_GLYPHS, title)
        under = [g for g in glyphs if g[1] + 1 < 1920 < g[2] - 1]
        assert under == [], (title, under)
        mid = (glyphs[0][1] + glyphs[-1][2]) / 2
        assert abs(mid - 1920) < 30                                # still centred on the wall
    left, _top, right, _bottom = open_event_card(w.page)
    assert right - left > 800
    assert not left < 1920 < right, (left, right)
    assert right > 1920 - 60                                       # still near the middle
    assert w.errors == [] and w.outside() == []



# every text box the leaders read off the strip, the gauges, the ranking, the title and the
# red/yellow list, clipped to the list it scrolls in (rows out of view are not drawn)
TEXT_BOXES = """() => {
    const out = [];
    const clip = (r, c) => ({l: Math.max(r.left, c.left), r: Math.min(r.right, c.right),
                             t: Math.max(r.top, c.top), b: Math.min(r.bottom, c.bottom)});
    const add = (what, e, c) => {
        const r = e.getBoundingClientRect();
        if (!r.width || !r.height) { return; }
        const b = c ? clip(r, c.getBoundingClientRect()) : {l: r.left, r: r.right, t: r.top, b: r.bottom};
        if (b.r > b.l && b.b > b.t) { out.push({what, text: e.textContent.slice(0, 12), ...b}); }
    };
    document.querySelectorAll('.gw-kpi-label, .gw-kpi-value, .gw-kpi-delta, .gw-kpi-sub')
        .forEach(e => add('kpi', e));
    document.querySelectorAll('.gw-gauge-label, #panel-gauges text.number')
        .forEach(e => add('gauge', e));
    const rank = document.getElementById('ranking-board');
    rank.querySelectorAll('.gw-row').forEach(e => add('ranking', e, rank));
    const warn = document.getElementById('warn-board');
    warn.querySelectorAll('.gw-ev-row').forEach(e => add('warning', e, warn));
    document.querySelectorAll('#hot-board .gw-hot-row, #hot-board .gw-hot-more')
        .forEach(e => add('hotspot', e));
    const h = document.getElementById('wall-title'), n = h.firstChild, g = document.createRange();
    const ls = parseFloat(getComputedStyle(h).letterSpacing) || 0;
    for (let i = 0; i < n.length; i++) {     // the title glyph by glyph: a bezel between two is fine
        g.setStart(n, i); g.setEnd(n, i + 1);
        const r = g.getBoundingClientRect();
        out.push({what: 'title', text: n.data[i], l: r.left + 1, r: r.right - ls - 1, t: r.top, b: r.bottom});
    }
    return {boxes: out, cls: document.getElementById('gw-canvas').className}; }"""


def cut_by_bezels(boxes: list[dict], width: int, height: int, cols: int, rows: int) -> list:
    """The boxes a bezel line runs through: every width/cols across, every height/rows down."""
    xs = [width * i / cols for i in range(1, cols)]
    ys = [height * j / rows for j in range(1, rows)]
    return [(b["what"], b["text"], x, y) for b in boxes
            for x, y in [(x, None) for x in xs] + [(None, y) for y in ys]
            if (x is not None and b["l"] < x < b["r"]) or (y is not None and b["t"] < y < b["b"])]


def test_a_splice_the_operator_gives_keeps_every_figure_row_and_title_off_the_bezels(
        wall_url, open_page):
    """2×2 (3840×2160, four 1920×1080 panels) looks like one 4K screen and 3×3 (5760×3240)
    like a 16:9 one: before, the horizontal bezels ran through the gauges (96.9 % on two
    panels), the ranking's rows, the hotspot board and, on 3×3, the map's panel column of
    every list; ?splice= was an unknown parameter. Now each KPI figure, gauge, ranking row,
    warning row and title glyph is whole on one panel (one page, resized between the two)."""
    w = open_page(wall_url + "/?splice=2x2", 3840, 2160)
    page = w.page
    for (width, height, cols, rows) in [(3840, 2160, 2, 2), (5760, 3240, 3, 3)]:
        if cols == 3:
            page.evaluate("() => history.replaceState(null, '', '/?splice=3x3')")
            page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(3500)                # the reflow, the boards' fit to whole rows (3 s)
        got = page.evaluate(TEXT_BOXES)
        kinds = {b["what"] for b in got["boxes"]}
        assert kinds >= {"kpi", "gauge", "ranking", "warning", "title", "hotspot"}, kinds
        assert sum(b["what"] == "gauge" for b in got["boxes"]) >= 8   # 4 labels, 4 numbers
        cut = cut_by_bezels(got["boxes"], width, height, cols, rows)
        assert cut == [], (cols, rows, cut)
        # the wall is still used whole: no scrollbars, the ranking shows most townships
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        assert sum(b["what"] == "ranking" for b in got["boxes"]) >= 10
    assert w.errors == [] and w.outside() == []


def test_on_a_splice_of_two_or_three_rows_the_event_card_opens_inside_one_row(
        wall_url, open_page):
    """2×2 (3840×2160), 3×2 (5760×2160) and 3×3 (5760×3240): the event card opened centred,
    a horizontal bezel through its timeline and fields (2×2: 534-1626 px across the bezel at
    1080). Now it opens inside one row of panels (the lower of two, the middle of three),
    between the vertical bezels, whole: fields that do not fit are left out, not cut."""
    w = open_page(wall_url + "/?splice=2x2", 3840, 2160)
    page = w.page
    for (width, height, cols, rows) in [(3840, 2160, 2, 2), (5760, 2160, 3, 2),
                                        (5760, 3240, 3, 3)]:
        if width != 3840:
            page.keyboard.press("Escape")
            page.evaluate(f"() => history.replaceState(null, '', '/?splice={cols}x{rows}')")
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_timeout(1500)                # the reflow
        left, top, right, bottom = open_event_card(page)
        xs = [width * i / cols for i in range(1, cols)]
        ys = [height * j / rows for j in range(1, rows)]
        assert not [y for y in ys if top < y < bottom], (cols, rows, top, bottom)
        assert not [x for x in xs if left < x < right], (cols, rows, left, right)
        assert bottom - top > height / rows * 0.6                  # a panel's worth of card
        # no field is cut at the card's foot: each shown field ends inside the card's body
        cut = page.evaluate("""() => { const box = document.querySelector('#event-card .gw-ec-fields');
            const b = box.getBoundingClientRect();
            return [...box.children].filter(f => f.offsetParent !== null)
                .filter(f => f.getBoundingClientRect().bottom > b.bottom + 1).length; }""")
        assert cut == 0, (cols, rows, cut)
        assert page.locator("#event-card .gw-ec-fields > *:visible").count() >= 4
    assert w.errors == [] and w.outside() == []


COUNTY_IN_PANEL = """() => {
    const gd = document.querySelector('#map-graph .js-plotly-plot'), fl = gd._fullLayout;
    const g = gd.getBoundingClientRect(), s = g.width / fl.width;
    const xa = fl.xaxis, ya = fl.yaxis, pts = [];
    gd._fullData.filter(t => t.legendgroup === 'choropleth' && t.fill === 'toself').forEach(t => {
        for (let i = 0; i < t.x.length; i++) {
            if (Number.isFinite(t.x[i]) && Number.isFinite(t.y[i])) {
                pts.push([g.left + (xa._offset + xa.l2p(t.x[i])) * s,
                          g.top + (ya._offset + ya.l2p(t.y[i])) * s]);
            }
        }
    });
    const xs = pts.map(p => p[0]), ys = pts.map(p => p[1]);
    const over = [document.getElementById('hot-board'), gd.querySelector('.legend'),
                  document.querySelector('#map-panel .map-controls')].map(e => e.getBoundingClientRect())
        .map(r => pts.filter(p => p[0] > r.left && p[0] < r.right && p[1] > r.top && p[1] < r.bottom).length);
    return {w: (Math.max(...xs) - Math.min(...xs)) / g.width,
            h: (Math.max(...ys) - Math.min(...ys)) / g.height,
            inside: pts.every(p => p[0] >= g.left - 1 && p[0] <= g.right + 1
                                   && p[1] >= g.top - 1 && p[1] <= g.bottom + 1), over}; }"""


def test_in_the_tall_map_column_of_3x3_the_county_fills_its_panel(wall_url, open_page):
    """3×3 (3840×2160 of 1280×720 panels): the map's figure is laid out for the 16:9 panel, a
    250 px strip on the left for the hotspot board and the legend; in 3×3's column (841×900)
    the county filled the rest's width and 62 % of the width, 61 % of the height of its
    panel, a third of it empty. Now it is drawn as large as it goes with nothing of it under
    the board, the legend or the controls (82 % of the width); on one screen the figure
    keeps its strip."""
    w = open_page(wall_url + "/?splice=3x3", 3840, 2160)
    page = w.page
    page.wait_for_timeout(2000)                    # the reflow and the map's redraw
    got = page.evaluate(COUNTY_IN_PANEL)
    assert max(got["w"], got["h"]) > 0.75, got
    assert got["inside"] and got["over"] == [0, 0, 0], got
    # back on one 16:9 screen the figure's own layout (the strip) returns
    page.evaluate("() => history.replaceState(null, '', '/?splice=none')")
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.wait_for_timeout(1500)
    got = page.evaluate(COUNTY_IN_PANEL)
    assert got["over"][0] == 0 and page.evaluate(
        "() => document.querySelector('#map-graph .js-plotly-plot')._fullLayout.margin.l") == 250
    assert w.errors == [] and w.outside() == []
