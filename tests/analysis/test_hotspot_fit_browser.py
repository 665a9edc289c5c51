"""The hotspot table in real Chromium uses its panel's room: whole rows down to the fold (no
half row), a count of the rows below it (另有N条), no empty band under a short list and no
overflow when the selected grid's cameras take room, at 1920×1080 and at 3840×2160 (zoom 2);
a grid= far down the table is scrolled into view. The late list (部门超期清单) likewise: whole
rows, 另有N个部门 for the listed ones out of view, apart from the ones past the 30 listed."""
from __future__ import annotations

import datetime as dt
import re

import pytest
import requests

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# in the panel body's own CSS pixels (offset*), so the zoomed 4K page measures alike
MEASURE = """() => {
  const body = document.querySelector('#an-panel-hotspots .an-panel-body');
  const sc = document.querySelector('#an-hot-table .dash-spreadsheet-container');
  const rows = [...sc.querySelectorAll('tbody tr')].filter(tr => tr.querySelector('td'));
  const top = tr => { let y = 0, e = tr; while (e && e !== sc) { y += e.offsetTop; e = e.offsetParent; } return y; };
  const last = body.lastElementChild;
  return {n: rows.length, view: sc.clientHeight, scrollH: sc.scrollHeight,
          spans: rows.map(tr => [top(tr), top(tr) + tr.offsetHeight]),
          rowH: rows.length ? rows[0].offsetHeight : 0,
          more: document.getElementById('an-hot-more').innerText,
          bodyH: body.clientHeight, bodyScroll: body.scrollHeight,
          slack: body.clientHeight - (last.offsetTop + last.offsetHeight)};
}"""
NEAR_LISTED = "() => ((document.getElementById('an-near') || {}).innerText || '').includes('周边')"


def _window(base: str) -> dict:
    """Every day of data: its baseline lies before the data, so every grid with at least
    min_count events reads as a hotspot (docs/analysis.md) — more rows than the panel holds."""
    d = requests.get(base + "/api/hotspots", params={"window": "30d"}, timeout=30).json()
    end = dt.date.fromisoformat(d["as_of"][:10]) + dt.timedelta(days=1)
    return {"start": d["data_from"][:10], "end": end.isoformat()}


def _fitted(page) -> dict:
    page.wait_for_selector("#an-hot-table tbody tr td", timeout=40_000)
    page.wait_for_function("() => ((document.getElementById('an-hot-more') || {}).innerText"
                           " || '').includes('另有')",
                           timeout=20_000)
    page.wait_for_timeout(400)
    return page.evaluate(MEASURE)


def _check(m: dict) -> int:
    """Whole rows to the fold, the rest counted, the panel neither overflowing nor leaving
    more than a row's height empty. → the rows in view."""
    shown = [s for s in m["spans"] if s[1] <= m["view"] + 1]
    assert shown and len(shown) < m["n"]
    cut = [s for s in m["spans"] if s[0] < m["view"] - 1 < s[1] - 1]
    assert cut == [], (cut, m["view"])                       # no half row at the fold
    hidden = int(re.search(r"另有(\d+)条", m["more"]).group(1))
    assert hidden == m["n"] - len(shown), m["more"]
    assert m["bodyScroll"] <= m["bodyH"] + 1, m              # nothing pushed out of the panel
    assert 0 <= m["slack"] < m["rowH"] + 8, m                # its room used, to a row
    return len(shown)


def test_the_hotspot_table_fills_its_panel_in_whole_rows_and_counts_the_rest(
        wall_url, open_page):
    win = _window(wall_url)
    hots = requests.get(wall_url + "/api/hotspots", params=win, timeout=30).json()["hotspots"]
    assert len(hots) > 20                                    # more than any panel holds
    query = f"/analysis/?start={win['start']}&end={win['end']}"
    county = _check(_fitted(open_page(wall_url + query, wait=False).page))
    # a grid chosen: its cameras take room below, the table gives up whole rows for them
    grid_q = query + f"&grid={hots[0]['grid_id']}"
    page = open_page(wall_url + grid_q, wait=False).page
    page.wait_for_function(NEAR_LISTED, timeout=40_000)
    with_grid = _check(_fitted(page))
    assert with_grid < county
    # a 4K screen at 100 % (zoom 2): the same layout, the same whole rows
    page = open_page(wall_url + grid_q, 3840, 2160, wait=False).page
    page.wait_for_function(NEAR_LISTED, timeout=40_000)
    assert _check(_fitted(page)) == with_grid


# the late list (部门超期清单): rows in its own scroller, measured under its sticky header
LATE = """() => {
  const body = document.querySelector('#an-panel-late .an-panel-body');
  const sc = body.querySelector('.an-late-scroll');
  const rows = [...sc.querySelectorAll('tbody tr')];
  const top = tr => { let y = 0, e = tr; while (e && e !== sc) { y += e.offsetTop; e = e.offsetParent; } return y; };
  const last = body.lastElementChild.lastElementChild;
  return {n: rows.length, head: sc.querySelector('thead').offsetHeight,
          scrollTop: sc.scrollTop, view: sc.clientHeight,
          spans: rows.map(tr => [top(tr), top(tr) + tr.offsetHeight]),
          rowH: rows[0].offsetHeight,
          more: body.querySelector('.an-late-more').innerText,
          rest: (body.querySelector('.an-late-rest') || {}).innerText || '',
          bodyH: body.clientHeight, bodyScroll: body.scrollHeight,
          slack: body.clientHeight - (last.offsetTop + last.offsetHeight)};
}"""


def _in_view(m: dict) -> list:
    lo, hi = m["scrollTop"] + m["head"] - 1, m["scrollTop"] + m["view"] + 1
    return [s for s in m["spans"] if s[0] >= lo and s[1] <= hi]


def test_the_late_list_shows_whole_rows_and_counts_the_departments_out_of_view(
        wall_url, open_page):
    # ten days past the data's as_of every open case is late: more departments than fit
    as_of = requests.get(wall_url + "/api/hotspots", params={"window": "30d"},
                         timeout=30).json()["as_of"]
    later = (dt.datetime.fromisoformat(as_of) + dt.timedelta(days=10)).isoformat()
    page = open_page(wall_url + f"/analysis/?window=30d&as_of={later}", wait=False).page
    page.wait_for_selector(".an-late-scroll tbody tr", timeout=40_000)
    page.wait_for_function("() => ((document.querySelector('.an-late-more') || {}).innerText"
                           " || '').includes('另有')", timeout=20_000)
    page.wait_for_timeout(400)
    m = page.evaluate(LATE)
    shown = _in_view(m)
    assert 2 <= len(shown) < m["n"], m                       # the demo lists more than fit
    fold = m["scrollTop"] + m["view"]
    assert [s for s in m["spans"] if s[0] < fold - 1 < s[1] - 1] == [], m   # no half row
    hidden = int(re.fullmatch(r"另有(\d+)个部门（在表内滚动查看）", m["more"]).group(1))
    assert hidden == m["n"] - len(shown), m
    assert m["bodyScroll"] <= m["bodyH"] + 1, m              # the panel itself never scrolls
    assert 0 <= m["slack"] < m["rowH"] + 8, m                # its room used, to a row
    # the departments past the 30 listed are another count, worded apart (还有…未列出)
    assert "另有" not in m["rest"], m
    # counted again as the list scrolls: at its end, the rows above are the ones out of view
    page.evaluate("() => { const sc = document.querySelector('.an-late-scroll');"
                  " sc.scrollTop = sc.scrollHeight; }")
    page.wait_for_timeout(300)
    end = page.evaluate(LATE)
    assert end["spans"][-1] in _in_view(end), end
    assert end["more"] == f"另有{end['n'] - len(_in_view(end))}个部门（在表内滚动查看）", end


def test_a_hotspot_picked_below_the_fold_is_scrolled_into_view(wall_url, open_page):
    win = _window(wall_url)
    hots = requests.get(wall_url + "/api/hotspots", params=win, timeout=30).json()["hotspots"]
    picked = hots[19]                                        # row 20 of a long window
    page = open_page(wall_url + f"/analysis/?start={win['start']}&end={win['end']}"
                     f"&grid={picked['grid_id']}", wait=False).page
    page.wait_for_function(NEAR_LISTED, timeout=40_000)
    m = _fitted(page)
    page.wait_for_timeout(300)
    at = page.evaluate("""() => {
      const sc = document.querySelector('#an-hot-table .dash-spreadsheet-container');
      const rows = [...sc.querySelectorAll('tbody tr')].filter(tr => tr.querySelector('td'));
      const top = tr => { let y = 0, e = tr; while (e && e !== sc) { y += e.offsetTop; e = e.offsetParent; } return y; };
      const tr = rows.find(r => r.querySelector('td').innerText.trim() === '20');
      const head = sc.querySelector('tbody tr th').parentElement.offsetHeight;
      return {top: top(tr), bottom: top(tr) + tr.offsetHeight, head, scrollTop: sc.scrollTop,
              view: sc.clientHeight, name: tr.innerText,
              more: document.getElementById('an-hot-more').innerText};
    }""")
    assert picked["grid_name"][:4] in at["name"].replace("\n", ""), at
    assert at["top"] >= at["scrollTop"] + at["head"] - 1, at          # not under the header
    assert at["bottom"] <= at["scrollTop"] + at["view"] + 1, at       # nor below the fold
    hidden = int(re.search(r"另有(\d+)条", at["more"]).group(1))
    assert 0 < hidden < m["n"] - 1, at                        # the count follows the scroll
