"""A department the filter bar does not list (a city has hundreds; the bar offers the 200
busiest) still filters the page when a link names it: the late list's count of a small
department opens its cases, never the whole city's under that department's name."""
from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlparse

import pytest

from tests.analysis.analysisdb import event, make_db
from tests.serving import running_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AS_OF = dt.datetime(2025, 6, 15, 23, 0)
RARE = "末位部门"


def _events() -> list[tuple]:
    """205 departments with closed cases (two each: busier than RARE), a red case in the
    busiest one and in RARE (reported 4 days before as_of, close_h 72 h)."""
    h = dt.timedelta(hours=1)
    evs = []
    for d in range(205):
        for i in range(2):
            r = AS_OF - (30 + d % 50 + i) * h
            evs.append(event(f"D{d}-{i}", r, "G1", department=f"部门{d:03d}", status="closed",
                             closed_at=r + h))
    evs.append(event("BUSY-RED", AS_OF - 96 * h, "G2", department="部门000"))
    evs.append(event("RARE-RED", AS_OF - 96 * h, "G3", department=RARE))
    return evs


@pytest.fixture(scope="module")
def many_departments(tmp_path_factory):
    db = make_db(tmp_path_factory.mktemp("depts") / "depts.duckdb", _events())
    with running_server(db) as (base, _proc):
        yield base


def test_a_department_beyond_the_dropdown_list_stays_in_the_url_and_filters(
        many_departments, open_page):
    url = (f"{many_departments}/analysis/?start=2025-06-01&end=2025-06-16"
           f"&as_of=2025-06-15T23:00&department={RARE}&warning=red")
    w = open_page(url, wait=False)
    page = w.page
    page.wait_for_function("t => (document.getElementById('an-events-caption') || {})"
                           ".innerText", timeout=30_000)
    page.wait_for_timeout(1500)          # the filter bar has caught up with the URL
    assert parse_qs(urlparse(page.url).query).get("department") == [RARE]
    assert page.inner_text("#an-events-caption").startswith("共 1 件")
    assert page.inner_text("#an-events tbody") .count("RARE-RED") == 1
    # the filter bar says which department the page shows
    assert RARE in page.inner_text("#an-f-department")
    assert w.errors == [], w.errors
