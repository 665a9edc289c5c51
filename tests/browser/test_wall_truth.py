"""The wall tells the truth at a glance (issue 12), in a real browser: the time window in the
URL, clicks inside township polygons, actionable warnings with an event card, the stale alarm."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.browser.test_wall_browser import api, kpi_text, townships, wait_kpi

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def window_of(as_of: str, days: int) -> tuple[str, str]:
    """The last ``days`` days ending with as_of's day, as /api/metrics start/end."""
    end = dt.datetime.fromisoformat(as_of).date() + dt.timedelta(days=1)
    return (end - dt.timedelta(days=days)).isoformat(), end.isoformat()


def test_window_preset_changes_the_kpis_and_survives_refresh_and_drill_down(wall_url, open_page):
    w = open_page(wall_url + "/")
    page = w.page
    county = api(wall_url, "/api/metrics", scope="county")
    wait_kpi(page, "handling", kpi_text(county["handling_rate"], 1))
    start, end = window_of(county["as_of"], 7)
    week = api(wall_url, "/api/metrics", scope="county", start=start, end=end)
    assert (week["handling_rate"], week["reported"]) != (county["handling_rate"], county["reported"])
    page.click("#win-bar .gw-win-chip[data-key='7d']")
    page.wait_for_url(re.compile(r"\?window=7d$"))
    wait_kpi(page, "handling", kpi_text(week["handling_rate"], 1))
    assert page.inner_text("#kpi-handling-label") == "办结率·近7天"
    assert page.inner_text("#trend-caption").startswith("近7天")
    assert "gw-win-active" in page.get_attribute("#win-bar .gw-win-chip[data-key='7d']", "class")
    # a refresh (F5) opens the same window
    page.reload()
    page.wait_for_function("(document.getElementById('kpi-handling-label') || {}).textContent"
                           " === '办结率·近7天'")
    wait_kpi(page, "handling", kpi_text(week["handling_rate"], 1))
    # a drill-down keeps it, and the township's figures are of the same window
    first = page.locator("#ranking-board .gw-row").first
    code = first.get_attribute("data-code")
    first.click()
    page.wait_for_url(re.compile(rf"\?township={code}&window=7d$"))
    town = api(wall_url, "/api/metrics", scope=f"township:{code}", start=start, end=end)
    wait_kpi(page, "handling", kpi_text(town["handling_rate"], 1))
    assert page.get_attribute("#analysis-link", "href") == f"/analysis?township={code}&window=7d"
    assert w.errors == [] and w.outside() == []


def test_a_custom_range_in_the_url_applies_to_every_panel(wall_url, open_page):
    county = api(wall_url, "/api/metrics", scope="county")
    start, end = window_of(county["as_of"], 14)
    w = open_page(f"{wall_url}/?start={start}&end={end}")
    page = w.page
    figs = api(wall_url, "/api/metrics", scope="county", start=start, end=end)
    wait_kpi(page, "ontime", kpi_text(figs["on_time_rate"], 1))
    first = dt.date.fromisoformat(start).strftime("%m-%d")
    for cap in ("trend-caption", "mix-caption", "ranking-caption", "gauges-caption", "map-caption"):
        page.wait_for_function("([id, t]) => document.getElementById(id).textContent.includes(t)",
                               arg=[cap, "自选时段 " + first])
    assert "gw-win-active" in page.get_attribute("#win-custom", "class")
    assert w.errors == []
