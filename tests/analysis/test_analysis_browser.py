"""/analysis in a real Chromium: the 3D view draws a deck.gl canvas, the hotspot and event
tables fill, filters live in the URL, a row opens the event card; nothing leaves localhost
and the console stays clean."""
from __future__ import annotations

import time
from urllib.parse import parse_qs, urlparse

import pytest
import requests

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def wait_for_analysis(page, timeout: int = 40_000) -> None:
    """Until the deck frame has drawn (a canvas and its data) and the event table has rows."""
    page.wait_for_function(
        """() => {
            const f = document.getElementById('an-deck-frame');
            const d = f && f.contentDocument;
            return d && d.body && d.body.getAttribute('data-ready') === '1'
                && d.querySelector('canvas')
                && document.querySelectorAll('#an-events tbody tr td').length > 0
                && document.querySelector('#an-matrix .main-svg');
        }""", timeout=timeout)


def test_analysis_draws_deck_canvas_and_tables_offline(wall_url, open_page):
    w = open_page(wall_url + "/analysis", wait=False)         # redirected to /analysis/
    page = w.page
    wait_for_analysis(page)
    assert urlparse(page.url).path == "/analysis/"
    frame = page.frame_locator("#an-deck-frame")
    canvas = frame.locator("canvas").first
    box = canvas.bounding_box()
    assert box["width"] > 400 and box["height"] > 300
    # the canvas has a WebGL context deck.gl drew into
    drawn = page.evaluate("""() => {
        const c = document.getElementById('an-deck-frame').contentDocument.querySelector('canvas');
        return !!(c.getContext('webgl2') || c.getContext('webgl'));
    }""")
    assert drawn
    n_rows = page.locator("#an-events tbody tr").count()
    assert n_rows > 5
    caption = page.inner_text("#an-events-caption")
    assert caption.startswith("共 ")
    total = int(caption.split()[1].replace(",", ""))
    api = requests.get(wall_url + "/api/events", params={"window": "30d", "page_size": 1},
                       timeout=30).json()                       # the page's default window
    assert total == api["total"] > 0
    # masked reporters on the page
    text = page.inner_text("#an-events")
    assert "****" in text
    page.wait_for_timeout(1000)
    assert w.outside() == [], w.outside()
    assert w.errors == [], w.errors


def test_filters_go_to_the_url_and_a_row_opens_the_card(wall_url, open_page):
    town = requests.get(wall_url + "/api/townships", timeout=10).json()["townships"][0]
    w = open_page(wall_url + f"/analysis/?window=7d&township={town['code']}", wait=False)
    page = w.page
    wait_for_analysis(page)
    assert page.inner_text("#an-f-township").strip().startswith(town["name"])
    api = requests.get(wall_url + "/api/events",
                       params={"window": "7d", "township": town["code"], "page_size": 1},
                       timeout=30).json()
    assert page.inner_text("#an-events-caption").startswith(f"共 {api['total']:,} 件")
    # a row opens the event card, reporter masked like the table
    phone = page.locator("#an-events td[data-dash-column='reporter_phone']").first.inner_text()
    page.locator("#an-events td[data-dash-column='event_id']").first.click()
    page.wait_for_function(
        "() => document.getElementById('an-detail').innerText.includes('办理进程')")
    detail = page.inner_text("#an-detail")
    assert phone in detail and ("****" in phone or phone in ("", "—"))
    # choosing a warning filter rewrites the URL and the table follows
    page.click("#an-f-warning")
    page.get_by_text("红线示警", exact=True).click()
    page.wait_for_function("() => location.search.includes('warning=red')")
    q = parse_qs(urlparse(page.url).query)
    assert q["warning"] == ["red"] and q["township"] == [town["code"]]
    red = requests.get(wall_url + "/api/events",
                       params={"window": "7d", "township": town["code"], "warning": "red",
                               "page_size": 1}, timeout=30).json()
    page.wait_for_function("t => document.getElementById('an-events-caption').innerText"
                           ".startsWith(t)", arg=f"共 {red['total']:,} 件", timeout=30_000)
    page.wait_for_timeout(500)
    assert w.outside() == [], w.outside()
    assert w.errors == [], w.errors


def _number_after(text: str, marker: str) -> int:
    import re

    m = re.search(re.escape(marker) + r"\s*([\d,]+)", text)
    assert m, (marker, text)
    return int(m.group(1).replace(",", ""))


def test_the_list_total_and_the_chart_total_differ_only_by_the_invalid_events_said_on_screen(
        wall_url, open_page):
    """One filter set, two totals: the event list counts every event (invalid ones too),
    the hour × weekday matrix valid ones. The list's caption names the difference, and it is
    exactly the gap; the API's own count of invalid events agrees."""
    w = open_page(wall_url + "/analysis/?window=30d", wait=False)
    page = w.page
    wait_for_analysis(page)
    page.wait_for_function(
        "() => document.getElementById('an-matrix-caption').innerText.includes('有效事件')")
    listed = page.inner_text("#an-events-caption")
    charted = page.inner_text("#an-matrix-caption")
    api = requests.get(wall_url + "/api/events", params={"window": "30d", "page_size": 1},
                       timeout=30).json()
    total = _number_after(listed, "共")
    assert total == api["total"] and api["invalid"] > 0        # the demo has invalid reports
    assert _number_after(listed, "含无效/重复") == api["invalid"]
    assert _number_after(charted, "有效事件") == total - api["invalid"] \
        == _number_after(listed, "统计图只计有效")
    assert w.errors == [], w.errors


@pytest.mark.parametrize("with_township", [False, True])
def test_a_hotspot_in_the_url_stays_selected_while_the_page_loads(wall_url, open_page,
                                                                  with_township):
    """A link with grid= (a hotspot picked and sent on) opens with that grid: the filter is
    not dropped while the grid list loads, the row is marked and its cameras are listed.
    With its township too (the wall's 研判分析 link from a drilled grid), the township's
    control arriving with the grid's does not clear it."""
    hot = requests.get(wall_url + "/api/hotspots", params={"window": "30d", "all": "1"},
                       timeout=30).json()["hotspots"][0]
    town = f"&township={hot['township_code']}" if with_township else ""
    w = open_page(wall_url + f"/analysis/?window=30d{town}&grid={hot['grid_id']}", wait=False)
    page = w.page
    wait_for_analysis(page)
    page.wait_for_function("() => document.getElementById('an-near').innerText.includes('周边')")
    # the grid list arrives after the first view; until then the control shows the id. Once
    # it shows the name, the list has arrived: the filter must still be there.
    page.wait_for_function("n => document.getElementById('an-f-grid').innerText.trim()"
                           ".startsWith(n)", arg=hot["grid_name"], timeout=60_000)
    page.wait_for_timeout(300)
    assert f"grid={hot['grid_id']}" in page.evaluate("location.search")
    assert page.inner_text("#an-near").startswith(hot["grid_name"])
    api = requests.get(wall_url + "/api/events", params={"window": "30d", "grid": hot["grid_id"],
                                                         "page_size": 1}, timeout=30).json()
    assert _number_after(page.inner_text("#an-events-caption"), "共") == api["total"]
    if with_township:    # picking another township drops the grid, which is not in it
        other = next(t for t in requests.get(wall_url + "/api/townships", timeout=10).json()[
            "townships"] if t["code"] != hot["township_code"])
        page.click("#an-f-township")
        page.get_by_text(other["name"], exact=True).click()
        page.wait_for_function("c => location.search.includes('township=' + c)",
                               arg=other["code"])
        page.wait_for_timeout(300)
        assert "grid=" not in page.evaluate("location.search")
    assert w.outside() == [] and w.errors == [], (w.outside(), w.errors)


FIRST_ROWS_JS = """
document.addEventListener('DOMContentLoaded', () => {
  new MutationObserver(() => {
    if (window.__rowsAt === undefined
        && document.querySelector('#an-events tbody tr td')
        && document.querySelector('#an-hot-table tbody tr td')) {
      window.__rowsAt = performance.timeOrigin + performance.now();
    }
  }).observe(document.body, {childList: true, subtree: true});
});
"""


def test_plotly_and_deck_gl_are_fetched_only_after_both_tables_have_rows(wall_url, open_page):
    """The first view is HTML (the two tables): plotly.js (4.8 MB) and the deck.gl bundle
    are requested only once both tables have rows, so parsing them never delays the rows."""
    w = open_page("about:blank", wait=False)
    page = w.page
    page.add_init_script(FIRST_ROWS_JS)

    # dash_table draws from a chunk it fetches on demand: hold that chunk back for a second,
    # as a busy machine does, so the tables' data has arrived well before any row exists.
    # Gating on the data (not the rows) lets plotly and the frame start in that second.
    def late_chunk(route):
        time.sleep(1.0)
        route.continue_()
    page.route("**/async-table*.js*", late_chunk)
    page.goto(wall_url + "/analysis/?window=30d")
    wait_for_analysis(page)
    rows_at = page.evaluate("window.__rowsAt")
    started = page.evaluate("""() => {
        const t = (win, part) => win.performance.getEntriesByType('resource')
            .filter(e => e.name.includes(part))
            .map(e => win.performance.timeOrigin + e.startTime);
        const frame = document.getElementById('an-deck-frame').contentWindow;
        return {plotly: t(window, 'plotly.min.js'), deck: t(frame, '/analysis/vendor/deckgl'),
                frame: t(window, '/analysis/deck')};
    }""")
    assert rows_at and started["plotly"] and started["deck"] and started["frame"], started
    assert min(started["plotly"]) > rows_at and min(started["frame"]) > rows_at
    assert min(started["deck"]) > rows_at
    assert w.errors == [], w.errors


@pytest.mark.parametrize("query", ["", "?township=330683103"])
def test_the_tilted_3d_view_shows_the_whole_place_above_its_legend(
        wall_url, wall_demo_db, open_page, query):
    """Projected by deck.gl itself (viewport.project in Chromium), every corner of the
    place's outline (the county, a township) is inside the 3D view and above its legend, and
    the place fills most of the view (it was fitted flat and ran off the bottom)."""
    import geopandas as gpd
    import shapely

    from store.db import ReadStore

    w = open_page(wall_url + "/analysis/" + query, wait=False)
    wait_for_analysis(w.page)
    store = ReadStore(wall_demo_db)
    towns = store.df("SELECT township_code, geom_wkb FROM townships")
    store.close()
    if query:
        towns = towns[towns["township_code"] == query.split("=")[1]]
    geoms = gpd.GeoSeries.from_wkb(towns["geom_wkb"].map(bytes))
    hull = shapely.get_coordinates(shapely.convex_hull(shapely.GeometryCollection(list(geoms))))
    got = w.page.evaluate("""(pts) => {
        const f = document.getElementById('an-deck-frame').contentWindow;
        const vp = f.__gwDeck.getViewports()[0];
        const legend = f.document.getElementById('deck-legend').getBoundingClientRect();
        return {w: vp.width, h: vp.height, legendTop: legend.top,
                pitch: vp.pitch, xy: pts.map(p => vp.project(p))};
    }""", hull.tolist())
    xs = [p[0] for p in got["xy"]]
    ys = [p[1] for p in got["xy"]]
    assert got["pitch"] > 30
    assert min(xs) >= 0 and max(xs) <= got["w"], xs
    assert min(ys) >= 0 and max(ys) <= got["legendTop"], (ys, got["legendTop"])
    # fitted, not merely small: the outline spans most of the width or of the height
    assert (max(xs) - min(xs)) > 0.8 * got["w"] or (max(ys) - min(ys)) > 0.7 * got["legendTop"]


def test_a_late_count_opens_exactly_its_cases_in_the_event_table(wall_url, open_page):
    """部门超期清单: clicking a department's red count lists those cases, however old."""
    w = open_page(wall_url + "/analysis/?window=7d", wait=False)
    page = w.page
    wait_for_analysis(page)
    link = page.locator("#an-late-body a.an-late-link.red").first
    link.wait_for(timeout=30_000)
    n = int(link.inner_text().replace(",", ""))     # 1,234 in a city
    department = page.locator("#an-late-body tbody tr").first.locator("td").first.inner_text()
    link.click()
    page.wait_for_function("() => location.search.includes('warning=red')")
    q = parse_qs(urlparse(page.url).query)
    assert q["department"] == [department.strip()] and "window" not in q
    page.wait_for_function("t => document.getElementById('an-events-caption').innerText"
                           ".startsWith(t)", arg=f"共 {n:,} 件", timeout=30_000)
    page.wait_for_timeout(500)
    assert parse_qs(urlparse(page.url).query)["warning"] == ["red"]    # the link stayed
    assert w.outside() == [] and w.errors == [], (w.outside(), w.errors)


def test_open_cases_are_listed_most_overdue_first(wall_url, open_page):
    """Chasing late or open cases (a warning or status=open in the URL), the table lists the
    most overdue first: the due times rise down the page; without them, the newest first."""
    w = open_page(wall_url + "/analysis/?window=30d&status=open", wait=False)
    page = w.page
    wait_for_analysis(page)
    page.wait_for_timeout(500)
    due = page.locator("#an-events td[data-dash-column='due_at']").all_inner_texts()
    assert len(due) >= 3 and due == sorted(due) and len(set(due)) > 1, due
    api = requests.get(wall_url + "/api/events", params={
        "window": "30d", "status": "open", "sort": "due_at", "page_size": 5}, timeout=30).json()
    ids = page.locator("#an-events td[data-dash-column='event_id']").all_inner_texts()
    assert [r["event_id"] for r in api["rows"]] == ids[:len(api["rows"])]
    assert w.errors == [], w.errors


def test_a_keyword_typed_goes_to_the_url_and_every_list_follows_it(wall_url, open_page):
    """Two words typed and Enter: the URL carries them, the list's total is the API's count
    for them (the event number, address or description), the matrix counts the valid ones,
    the hotspot caption says the rule does not use them; 重置 clears the box."""
    w = open_page(wall_url + "/analysis/?window=30d", wait=False)
    page = w.page
    wait_for_analysis(page)
    page.fill("#an-f-q", "网格员 发现")
    page.press("#an-f-q", "Enter")
    page.wait_for_function("() => new URLSearchParams(location.search).get('q') === '网格员 发现'")
    api = requests.get(wall_url + "/api/events", params={"window": "30d", "q": "网格员 发现",
                                                         "page_size": 1}, timeout=30).json()
    every = requests.get(wall_url + "/api/events", params={"window": "30d", "page_size": 1},
                         timeout=30).json()
    assert 0 < api["total"] < every["total"]
    page.wait_for_function("t => document.getElementById('an-events-caption').innerText"
                           ".startsWith(t)", arg=f"共 {api['total']:,} 件", timeout=30_000)
    page.wait_for_function("n => document.getElementById('an-matrix-caption').innerText"
                           ".includes('有效事件 ' + n)",
                           arg=f"{api['total'] - api['invalid']:,}", timeout=30_000)
    assert "热点不按关键词筛选" in page.inner_text("#an-hot-caption")
    page.click("#an-f-reset")
    page.wait_for_function("() => !new URLSearchParams(location.search).get('q')")
    page.wait_for_function("() => document.getElementById('an-f-q').value === ''")
    assert w.outside() == [] and w.errors == [], (w.outside(), w.errors)


def test_a_township_named_in_the_url_is_shown_and_an_unknown_one_is_said(wall_url, open_page):
    """?township=<name> (docs: a code or a name) drills like its code: the dropdown shows it
    and the list counts its events. An unknown one is not dropped to the whole county: the
    URL keeps it and the bar says 筛选条件有误, also after another filter changes."""
    town = requests.get(wall_url + "/api/townships", timeout=10).json()["townships"][-1]
    api = requests.get(wall_url + "/api/events", params={
        "window": "30d", "township": town["code"], "page_size": 1}, timeout=30).json()
    w = open_page(wall_url + f"/analysis/?window=30d&township={town['name']}", wait=False)
    page = w.page
    wait_for_analysis(page)
    page.wait_for_function("t => document.getElementById('an-events-caption').innerText"
                           ".startsWith(t)", arg=f"共 {api['total']:,} 件", timeout=30_000)
    assert page.inner_text("#an-f-township").strip().startswith(town["name"])
    assert parse_qs(urlparse(page.url).query)["township"][0] in (town["name"], town["code"])
    w2 = open_page(wall_url + "/analysis/?township=不存在镇", wait=False)
    page = w2.page
    page.wait_for_function("() => ((document.getElementById('an-f-error') || {}).innerText"
                           " || '').includes('筛选条件有误')", timeout=30_000)
    page.click("#an-f-window")
    page.get_by_text("近7天", exact=True).click()
    page.wait_for_function("() => location.search.includes('window=7d')", timeout=10_000)
    page.wait_for_timeout(1000)
    assert parse_qs(urlparse(page.url).query)["township"] == ["不存在镇"]
    assert "筛选条件有误" in page.inner_text("#an-f-error")
    assert not page.inner_text("#an-events-caption").startswith("共")    # no county list
