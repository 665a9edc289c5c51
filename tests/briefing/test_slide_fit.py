"""Every slide holds its content on a city's week: long grid and category names and a dozen
hotspots must not push a table's figures off the slide's edge (Chromium lays out the real
document; a 1280×720 slide is what the PNGs and the PDF print)."""
from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from dashboard.briefing import document
from dashboard.briefing.compose import compose
from dashboard.figures.briefing_theme import DARK, LIGHT
from store.db import ReadStore
from store.settings import Settings
from tests.briefing.conftest import WEEK

pytestmark = [pytest.mark.browser, pytest.mark.slow]

OUTSIDE = """() => [...document.querySelectorAll('section.slide')].map(s => {
    const box = s.getBoundingClientRect();
    let right = 0, bottom = 0, what = '';
    for (const e of s.querySelectorAll('*')) {
        const b = e.getBoundingClientRect();
        if (!b.width || !b.height) continue;
        if (b.right - box.right > right) { right = b.right - box.right; what = e.outerHTML.slice(0, 80); }
        if (b.bottom - box.bottom > bottom) { bottom = b.bottom - box.bottom; what = e.outerHTML.slice(0, 80); }
    }
    return {slide: s.id, right: Math.round(right), bottom: Math.round(bottom), what};
})"""


def city_week(b):
    """The demo week made a city's: a dozen hotspots or more, and the longest names a city
    has (grids, categories, townships, departments) in every list, each list full."""
    assert len(b.hotspots) > 0, "the demo week should have hotspots"
    hot = pd.concat([b.hotspots] * -(-12 // len(b.hotspots)), ignore_index=True)
    hot.loc[0, "grid_name"] = "经济技术开发区管委会第十二网格"
    hot.loc[1, "top_category"] = "消防安全隐患排查整治"
    rises = b.rises_category.copy()
    rises.loc[rises.index[0], "label"] = "城乡建设与自然资源管理"
    worst, ranking = b.worst.copy(), b.ranking.copy()
    assert len(worst)
    worst = pd.concat([worst] * 10, ignore_index=True).head(10)
    worst["name"] = [f"经济技术开发区管委会第{i + 10}网格" for i in range(len(worst))]
    worst["township_name"] = "经济技术开发区"
    ranking = pd.concat([ranking] * 2, ignore_index=True)
    ranking["name"] = [f"经济技术开发区第{i + 10}管理委员会" for i in range(len(ranking))]
    dept = pd.DataFrame({"code": [f"D{i}" for i in range(16)],
                         "name": [f"经济技术开发区综合行政执法局城市管理第{i + 10}中队"
                                  for i in range(16)],
                         "red": range(40, 24, -1), "oldest_h": 24.0 * 55,
                         "worst_over_h": 24.0 * 52, "prev_red": range(38, 22, -1)})
    return dataclasses.replace(b, hotspots=hot, rises_category=rises, worst=worst,
                               ranking=ranking, overdue_dept=dept)


@pytest.mark.parametrize("scope", ["county", "township"])
def test_no_slide_spills_its_content_on_a_citys_week(wall_demo_db, chromium, tmp_path, scope):
    store = ReadStore(wall_demo_db)
    try:
        if scope == "township":      # the one with most grids: its ranking is cut too
            scope = "township:" + store.scalar(
                "SELECT township_code FROM grids GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
        b = city_week(compose(store, Settings(), WEEK, scope))
    finally:
        store.close()
    assert len(b.hotspots) > 8
    for pal in (DARK, LIGHT):
        html = tmp_path / f"{pal.name}.html"
        html.write_text(document.document(b, pal, None), encoding="utf-8")
        page = chromium.new_page(viewport={"width": 1280, "height": 720})
        try:
            page.goto(html.as_uri())
            page.wait_for_timeout(1500)                          # plotly draws the figures
            spilled = [s for s in page.evaluate(OUTSIDE) if s["right"] > 1 or s["bottom"] > 1]
            assert spilled == [], spilled
            assert f"另有 {len(b.hotspots) - 8} 处未列出" in page.inner_text("#slide-rises")
        finally:
            page.close()
