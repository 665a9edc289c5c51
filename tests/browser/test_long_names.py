"""A city's names on the screens: every grid and township renamed as long as a development
zone's (经济技术开发区管委会… 15 characters and more), categories, departments and dispute
types too (tests/long_names.py), must not hide figures or run into the title. The demo county
copied, renamed in the copy, served by the real app."""
from __future__ import annotations

import duckdb
import pytest
import requests
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.long_names import CAMERA_PREFIX, GRID_PREFIX, long_copy
from tests.serving import running_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def long_db(wall_demo_db, tmp_path_factory):
    return long_copy(wall_demo_db, tmp_path_factory.mktemp("long_names") / "long.duckdb")


@pytest.fixture(scope="module")
def long_url(long_db, wall_settings):
    with running_server(long_db, wall_settings) as (base, _proc):
        yield base


def analysis_with_rows(open_page, base: str, table: str):
    """/analysis/ at 1920×1080 once ``table`` has rows → (the watched page, its page)."""
    w = open_page(base + "/analysis/", wait=False)
    w.page.wait_for_function(f"() => document.querySelectorAll('#{table} td').length > 0",
                             timeout=40_000)
    return w, w.page


def test_the_hotspot_table_keeps_every_column_in_its_panel(long_url, open_page):
    hot = requests.get(long_url + "/api/hotspots", timeout=10).json()["hotspots"]
    assert hot and all(h["grid_name"].startswith(GRID_PREFIX) for h in hot)
    w, page = analysis_with_rows(open_page, long_url, "an-hot-table")
    box = page.evaluate("""() => {
        const table = document.getElementById('an-hot-table');
        const panel = table.closest('.an-panel') || table.parentElement;
        const heads = [...table.querySelectorAll('th')].map(h => h.getBoundingClientRect().right);
        return {right: Math.max(...heads), panel: panel.getBoundingClientRect().right,
                cells: [...[...table.querySelectorAll('tr')].find(tr => tr.querySelector('td'))
                    .querySelectorAll('td')].map(td => td.innerText.trim())};
    }""")
    assert box["right"] <= box["panel"] + 1, box                 # 300米内在线视频 still in view
    assert box["cells"][1].replace("\n", "").startswith(GRID_PREFIX)
    assert w.errors == [] and w.outside() == []


def test_the_wall_keeps_long_names_off_the_title_and_the_figures_on_the_board(
        long_url, open_page):
    hot = requests.get(long_url + "/api/hotspots", timeout=10).json()["hotspots"][0]
    w = open_page(f"{long_url}/?township={hot['township_code']}&grid={hot['grid_id']}")
    page = w.page
    page.wait_for_selector("#grid-card-hot", timeout=15_000)
    box = page.evaluate("""() => ({
        crumb: Math.max(...[...document.querySelectorAll('#breadcrumb > span')]
            .map(e => e.getBoundingClientRect().right)),
        title: document.getElementById('wall-title').getBoundingClientRect().left})""")
    assert box["crumb"] <= box["title"], box
    w.page.goto(long_url + "/")
    page.wait_for_selector("#hot-board .gw-hot-detail", timeout=15_000)
    detail = page.inner_text("#hot-board .gw-hot-detail")
    # the township in short (without what all townships' names share), the count kept
    assert f"{hot['k']}件" in detail and not detail.startswith("经济技术"), detail
    # every row's count and share in full view, inside the board: the kind gives way (…)
    cut = page.evaluate("""() => [...document.querySelectorAll(
            '#hot-board .gw-hot-k, #hot-board .gw-hot-share')]
        .filter(s => {
            const r = s.getBoundingClientRect(), d = s.closest('.gw-hot-detail')
                .getBoundingClientRect();
            const box = s.closest('.gw-hot-detail');
            return s.scrollWidth > s.clientWidth + 1 || box.scrollWidth > box.clientWidth + 1
                || r.left < d.left - 1
                || r.right > d.right + 1;
        }).map(s => s.closest('.gw-hot-detail').innerText)""")
    assert cut == [], cut
    assert page.locator("#hot-board .gw-hot-share").count() > 0
    assert w.errors == [] and w.outside() == []


def test_the_event_table_keeps_the_reporter_columns_in_view(long_url, open_page):
    """At 1920 px the long texts (address, grid, department) are cut with … and whole on
    hover, so the masked reporter and phone stay on screen without a sideways scroll."""
    w, page = analysis_with_rows(open_page, long_url, "an-events")
    box = page.evaluate("""() => {
        const table = document.getElementById('an-events');
        const scroller = table.querySelector('.dash-spreadsheet-container') || table;
        const panel = table.closest('.an-panel');
        const heads = [...table.querySelectorAll('th')];
        return {scroll: scroller.scrollWidth - scroller.clientWidth,
                phone: heads[heads.length - 1].getBoundingClientRect().right,
                panel: panel.getBoundingClientRect().right,
                grid: table.querySelector('td[data-dash-column="grid_name"]').innerText};
    }""")
    assert box["scroll"] <= 1 and box["phone"] <= box["panel"] + 1, box
    assert box["grid"].startswith(GRID_PREFIX)
    for attempt in range(3):     # a redraw of the rows under the pointer drops the hover
        page.hover('#an-events td[data-dash-column="grid_name"]')
        try:
            page.wait_for_selector(".dash-tooltip", state="visible", timeout=5_000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            page.mouse.move(0, 0)
    assert GRID_PREFIX in page.inner_text(".dash-tooltip")
    assert w.errors == [] and w.outside() == []


def _open_event_grid(db, low_h: float, high_h: float) -> tuple[str, str]:
    """(township code, grid id) of the newest open event between ``low_h`` and ``high_h``
    hours old at the demo's as_of (its newest report)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        row = con.execute(
            "WITH a AS (SELECT max(reported_at) AS t FROM events)"
            " SELECT township_code, grid_id FROM events, a WHERE closed_at IS NULL"
            " AND status <> 'invalid' AND date_diff('minute', reported_at, a.t)"
            " BETWEEN ? AND ? ORDER BY reported_at DESC LIMIT 1",
            [low_h * 60, high_h * 60]).fetchone()
    finally:
        con.close()
    assert row, "the demo county has an event open that long"
    return row


CUT_IN = """sel => [...document.querySelectorAll(sel)].filter(s => {
    const box = (s.closest('.gw-gridcard, .gw-panel, .gw-ec') || document.body)
        .getBoundingClientRect(), r = s.getBoundingClientRect();
    return s.scrollWidth > s.clientWidth + 1 || r.right > box.right + 1 || r.left < box.left - 1;
}).map(s => s.innerText)"""


def test_the_grid_card_keeps_the_time_open_and_the_status_whole(long_db, long_url, open_page):
    """A case open 12 hours and 15 minutes read '12小时1…' in the card's last column at
    1920 px; the lists' short form ('12小时') fits, and the long kind gives way (…)."""
    town, grid = _open_event_grid(long_db, 10.1, 47.9)
    w = open_page(f"{long_url}/?township={town}&grid={grid}")
    page = w.page
    page.wait_for_selector("#grid-card-body .gw-gc-list .gw-row .gw-num-r", timeout=15_000)
    times = page.evaluate("""() => [...document.querySelectorAll(
        '#grid-card-body .gw-gc-list .gw-num-r')].map(s => s.innerText)""")
    assert any("小时" in t for t in times), times
    cut = page.evaluate(CUT_IN, ", ".join(
        "#grid-card-body " + s for s in (
            ".gw-gc-list .gw-num-r", ".gw-gc-list [class^='gw-status']", ".gw-gc-fig b",
            ".gw-gc-list:not(.gw-gc-cams) .gw-row > span:first-child")))
    assert cut == [], cut
    assert w.errors == [] and w.outside() == []


def test_the_grid_card_tells_cameras_along_one_road_apart(long_db, long_url, open_page):
    """Cameras named 公安视频专网高清球机上三高速嵊州段K22+685, …K22+709: cut at the end they
    all read the same; cut in the middle (whole in the title) each keeps its own end."""
    con = duckdb.connect(str(long_db), read_only=True)
    try:
        town, grid = con.execute(
            "SELECT township_code, grid_id FROM cameras WHERE name LIKE ? || '%'"
            " AND length(name) >= 23 GROUP BY 1, 2 HAVING count(*) >= 2"
            " ORDER BY count(*) DESC, 2 LIMIT 1", [CAMERA_PREFIX]).fetchone()
    finally:
        con.close()
    w = open_page(f"{long_url}/?township={town}&grid={grid}")
    page = w.page
    page.wait_for_selector("#grid-card-body .gw-gc-cams .gw-row", timeout=15_000)
    cams = page.evaluate("""() => [...document.querySelectorAll(
        '#grid-card-body .gw-gc-cams .gw-row > span:first-child')].map(s => ({
            text: s.innerText, title: s.title, cut: s.scrollWidth > s.clientWidth + 1}))""")
    assert any(c["title"].startswith(CAMERA_PREFIX) for c in cams), cams
    assert [c for c in cams if c["cut"]] == [], cams
    assert len({c["text"] for c in cams}) == len({c["title"] for c in cams}), cams
    assert w.errors == [] and w.outside() == []


def test_the_bar_charts_keep_every_figure_and_name_in_their_graphs(long_url, open_page):
    """事件构成 and 矛盾纠纷调解 on 14-character kinds: the names (cut with …, whole on hover)
    and every share and count at the bars' ends stay inside their graphs; the long names
    pushed the bars' texts past the panel's edge (22% read 22, 100% read 100) and the
    kinds' first characters off its left edge."""
    w = open_page(long_url + "/")
    page = w.page
    page.wait_for_selector("#mediation-graph .bartext", timeout=15_000)
    out = page.evaluate("""() => ['mix-category', 'mix-channel', 'mediation-graph'].flatMap(id => {
        const g = document.getElementById(id).getBoundingClientRect();
        return [...document.querySelectorAll(`#${id} .bartext, #${id} .ytick text`)]
            .filter(t => { const r = t.getBoundingClientRect();
                           return r.left < g.left - 1 || r.right > g.right - 1; })
            .map(t => id + ': ' + t.textContent);
    })""")
    assert out == [], out
    ticks = page.evaluate("""() => [...document.querySelectorAll('#mix-category .ytick text')]
        .map(t => t.textContent)""")
    assert any(t.endswith("…") for t in ticks) and len(set(ticks)) == len(ticks), ticks
    assert w.errors == [] and w.outside() == []


NAMES = """() => Object.fromEntries(['#ranking-board .gw-rank-name', '#hot-board .gw-hot-name',
        '#live-board .gw-ev-place', '#warn-board .gw-ev-place'].map(sel => [sel,
    [...document.querySelectorAll(sel)].map(s => ({text: s.innerText,
        cut: s.scrollWidth > s.clientWidth + 1}))]))"""


def test_the_lists_tell_long_named_townships_and_grids_apart(long_url, open_page):
    """Every township named 经济技术开发区…片区管理委员会 and every grid 经济技术开发区管委会…:
    the ranking read 经济技术开发区… on all 15 rows, the hotspot board and the lists
    经济技术开发区管… on every one. Listed without what all names share, each name is whole
    and its own, at the county and in a township; the map's labels stay on the map."""
    hot = requests.get(long_url + "/api/hotspots", timeout=10).json()["hotspots"][0]
    for query in ("", f"?township={hot['township_code']}"):
        w = open_page(f"{long_url}/{query}")
        page = w.page
        page.wait_for_selector("#hot-board .gw-hot-name", timeout=15_000)
        lists = page.evaluate(NAMES)
        ranking = [n["text"] for n in lists["#ranking-board .gw-rank-name"]]
        assert len(ranking) > 3 and len(set(ranking)) == len(ranking), ranking
        assert not any(t.startswith("经济技术") for t in ranking), ranking
        for sel, names in lists.items():
            assert [n["text"] for n in names if n["cut"]] == [], (query, sel)
        labels = page.evaluate("""() => {
            const g = document.getElementById('map-graph').getBoundingClientRect();
            const c = [...document.querySelectorAll('.map-controls > *')]
                .map(e => e.getBoundingClientRect());
            return [...document.querySelectorAll('#map-graph .textpoint text')]
                .filter(t => t.textContent.trim()).map(t => {
                    const r = t.getBoundingClientRect();
                    const under = c.some(b => r.left < b.right && r.right > b.left
                                             && r.top < b.bottom && r.bottom > b.top);
                    return {text: t.textContent,
                            out: r.left < g.left || r.right > g.right || under};
                });
        }""")
        assert labels and [t["text"] for t in labels if t["out"]] == [], labels
        assert w.errors == [] and w.outside() == []


def test_a_spliced_wall_gives_the_lists_kinds_room(long_url, open_page):
    """5760×1080: the lists are twice as wide as on 1920×1080, but the kind kept its 74 px
    (矛盾纠… beside a place column with 300 px to spare); it takes a share of the room now
    and reads whole, and so does the department."""
    w = open_page(long_url + "/", 5760, 1080)
    cut = w.page.evaluate("""() => [...document.querySelectorAll(
        '#live-board .gw-ev-cat, #warn-board .gw-ev-cat, #live-board .gw-ev-dept,'
        + ' #warn-board .gw-ev-dept, #live-board .gw-ev-place, #warn-board .gw-ev-place')]
        .filter(s => s.scrollWidth > s.clientWidth + 1).map(s => s.innerText)""")
    assert cut == [], cut
    assert w.errors == [] and w.outside() == []


EC_LINES = """names => {
    // on how many lines each of ``names`` is drawn in the event card (1: whole or cut with …)
    const body = document.getElementById('event-card-body');
    const walk = document.createTreeWalker(body, NodeFilter.SHOW_TEXT), out = {};
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
        for (const name of names) {
            const i = n.data.indexOf(name);
            if (i < 0) continue;
            const r = document.createRange();
            r.setStart(n, i);
            r.setEnd(n, i + name.length);
            out[name] = new Set([...r.getClientRects()].map(x => Math.round(x.top))).size;
        }
    }
    return out;
}"""

EC_FIT = """() => {
    const card = document.querySelector('#event-card .gw-ec');
    const body = document.getElementById('event-card-body').getBoundingClientRect();
    const inside = e => { const r = e.getBoundingClientRect();
                          return r.height > 0 && r.top >= body.top - 1
                              && r.bottom <= body.bottom + 1; };
    const fields = [...document.querySelectorAll('#event-card-body .gw-ec-field')];
    return {height: card.offsetHeight,
            out: [...document.querySelectorAll('#event-card-body .gw-ec-badges,'
                    + ' #event-card-body .gw-ec-timeline, #event-card-body .gw-ec-due')]
                .concat(fields).filter(e => !inside(e)).map(e => e.innerText.slice(0, 12)),
            labels: fields.map(f => f.querySelector('.gw-ec-k').innerText),
            titles: fields.map(f => f.querySelector('[title]') ? f.querySelector('[title]').title
                                                               : '')};
}"""


def test_the_event_card_keeps_names_whole_and_a_long_description_in_the_card(
        long_url, open_page):
    """A 600-character 12345 case ran past the card's 820 px (the cameras and the reporter
    cut off), and the long names broke in mid-word (…第 / 六网格, 综合治 / 理与平安…): each
    name stays on its line (cut with … when whole it cannot be), the description is clamped
    (whole in its title), and the badges, timeline, due time and every field stay in view."""
    from tests.long_names import LONG_DESCRIPTION

    w = open_page(long_url + "/")
    page = w.page
    row = page.locator("#live-board .gw-ev-row").first
    event_id = row.get_attribute("data-id")
    d = requests.get(f"{long_url}/api/events/{event_id}", timeout=10).json()
    assert d["description"].endswith(LONG_DESCRIPTION), d["description"]
    row.click()
    page.wait_for_function("t => document.getElementById('event-card-title').textContent"
                           ".includes(t)", arg=event_id, timeout=15_000)
    page.wait_for_selector("#event-card-body .gw-ec-field", timeout=15_000)
    names = [d[k] for k in ("township", "grid_name", "department", "category", "subcategory")]
    lines = page.evaluate(EC_LINES, names)
    assert lines == {n: 1 for n in names}, lines
    fit = page.evaluate(EC_FIT)
    assert fit["height"] <= 820 and fit["out"] == [], fit
    assert {"事件类别", "所在网格", "处置部门", "事件描述", "周边视频"} <= set(fit["labels"]), fit
    assert d["description"] in fit["titles"], fit["titles"]
    assert w.errors == [] and w.outside() == []


GC_ROWS = """() => {
    const body = document.getElementById('grid-card-body').getBoundingClientRect();
    const lists = [...document.querySelectorAll('#grid-card-body .gw-gc-list')];
    const subs = [...document.querySelectorAll('#grid-card-body .gw-gc-sub')];
    return {hot: document.getElementById('grid-card-hot').getClientRects().length
                 && Math.round(document.getElementById('grid-card-hot').offsetHeight),
            subs: subs.map(s => s.innerText),
            rows: lists.map(l => [...l.querySelectorAll('.gw-row')].map(r => {
                const b = r.getBoundingClientRect();
                return b.height > 0 && b.top >= body.top - 1 && b.bottom <= body.bottom + 1;
            }))};
}"""


def test_the_grid_card_lists_every_row_or_says_how_many_more(long_db, long_url, open_page):
    """The top hotspot's line (新发热点 … 安全生产与消防安全隐患排查97%) wraps to two lines on
    a city's kinds: the card's lists, cut at its bottom, dropped their last events and
    cameras without a word. Every row listed is in full view now, and what is left off is
    counted (另有N条, 另有N路)."""
    import re

    hot = requests.get(long_url + "/api/hotspots", timeout=10).json()["hotspots"][0]
    con = duckdb.connect(str(long_db), read_only=True)
    try:
        n_events = con.execute(
            "SELECT least(count(*), 5) FROM events WHERE grid_id = ? AND status <> 'invalid'"
            " AND reported_at <= (SELECT max(reported_at) FROM events)",
            [hot["grid_id"]]).fetchone()[0]
    finally:
        con.close()
    w = open_page(f"{long_url}/?township={hot['township_code']}&grid={hot['grid_id']}")
    page = w.page
    page.wait_for_selector("#grid-card-hot", timeout=15_000)
    got = page.evaluate(GC_ROWS)
    assert got["hot"] > 40, got                        # the hotspot line on two lines
    assert all(all(r) for r in got["rows"]), got       # no row cut off at the card's bottom

    def more(text):
        m = re.search(r"另有(\d+)[条路]", text)
        return int(m.group(1)) if m else 0

    ev_sub, cam_sub = got["subs"]
    cams = int(re.search(r"视频 (\d+) 路", cam_sub).group(1))
    assert len(got["rows"][0]) + more(ev_sub) == n_events, got
    assert len(got["rows"][1]) + more(cam_sub) == cams, got
    assert w.errors == [] and w.outside() == []
