"""Fixtures of the analysis tests: a planted county (small, exact). The browser test uses
the session-wide harness (tests/browser_harness.py: one Chromium, the demo wall server)."""
from __future__ import annotations

import datetime as dt

import pytest

from tests.analysis.analysisdb import east_of_border, event, make_db

WEEK = (dt.date(2025, 6, 9), dt.date(2025, 6, 16))          # Monday to Monday
AS_OF = dt.datetime(2025, 6, 15, 23, 0)


def planted_events() -> list[tuple]:
    """G2: 9 events in the week and 1 per earlier week (an emerging hotspot, p ≈ 1e-6);
    G1: 3 a week, steady; G3: 2 this week (below min_count). Departments, channels,
    categories and statuses vary so filter sets have different totals."""
    t = dt.datetime.combine
    evs = []
    s, _e = WEEK
    for i in range(9):
        r = t(s + dt.timedelta(days=i % 7), dt.time(8 + i))
        closed = r + dt.timedelta(hours=5) if i < 3 else None
        evs.append(event(f"H{i}", r, "G2", category="治安问题" if i % 2 else "矛盾纠纷",
                         channel="12345热线" if i < 4 else "网格员",
                         department="派出所" if i < 5 else "综治办",
                         status="closed" if closed else "reported", closed_at=closed,
                         name="李四" if i else "欧阳娜娜", phone="13912345678",
                         address="=HYPERLINK(\"http://x\")" if i == 0 else f"江滨路{i}号"))
    for w in range(1, 5):
        evs.append(event(f"H-w{w}", t(s - dt.timedelta(days=7 * w), dt.time(9)), "G2"))
    for w in range(0, 5):
        for i in range(3):
            evs.append(event(f"S{w}{i}", t(s - dt.timedelta(days=7 * w - i), dt.time(10)), "G1",
                             category="环境卫生", department="城管局", channel="APP"))
    evs.append(event("T0", t(s, dt.time(11)), "G3", department="住建局", phone="+8613700001111"))
    evs.append(event("T1", t(s + dt.timedelta(days=1), dt.time(11)), "G3", status="invalid"))
    # an old open case: red at as_of (reported 10 days before as_of, close_h 72 h)
    evs.append(event("OLD", AS_OF - dt.timedelta(days=10), "G1", department="城管局",
                     category="环境卫生"))
    # a formula-looking reporter name and a tab-led address, for the CSV export
    evs.append(event("F1", t(s + dt.timedelta(days=2), dt.time(15)), "G3",
                     name="@SUM(A1)", address="\t-2+3", department="住建局"))
    return evs


def planted_cameras() -> list[tuple]:
    lon, lat = east_of_border(29.55, 120.0)      # 120 m east of G2's border, inside G3
    return [("cam1", "边界东", "online", lon, lat, "G3", "T2", None),
            ("cam2", "甲村口", "offline", 120.02, 29.55, "G1", "T1", None)]


@pytest.fixture(scope="session")
def planted_db(tmp_path_factory):
    return make_db(tmp_path_factory.mktemp("planted") / "planted.duckdb", planted_events(),
                   planted_cameras())


@pytest.fixture(scope="session")
def planted_app(planted_db):
    from dashboard.app import create_app

    return create_app(planted_db)


@pytest.fixture()
def client(planted_app):
    return planted_app.server.test_client()
