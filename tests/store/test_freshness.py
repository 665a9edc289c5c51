"""Data freshness: a feed whose newest report is older than stale_after_h is stale, unless pinned."""
from __future__ import annotations

import datetime as dt

from store.db import ReadStore
from store.freshness import freshness
from store.settings import Settings
from tests.store.dbmaker import ev, make_db

D = dt.datetime
NEWEST = D(2025, 6, 30, 8, 0)


def _store(tmp_path, meta=None, events=True, name="f"):
    return ReadStore(make_db(tmp_path / f"{name}.duckdb", [ev("a", NEWEST - dt.timedelta(days=3)),
                                                    ev("b", NEWEST)] if events else [], meta=meta))


def test_a_feed_older_than_stale_after_h_is_stale(tmp_path):
    f = freshness(_store(tmp_path), Settings(), now=NEWEST + dt.timedelta(hours=2, minutes=6))
    assert f == {"newest_report": "2025-06-30T08:00:00", "stale": True, "stale_hours": 2.1,
                 "pinned": False, "stale_after_h": 2.0, "timezone_clash": False}


def test_exactly_stale_after_h_is_still_fresh_and_the_limit_is_a_setting(tmp_path):
    store = _store(tmp_path)
    assert freshness(store, Settings(), now=NEWEST + dt.timedelta(hours=2))["stale"] is False
    lax = Settings(raw={**Settings().raw, "stale_after_h": 48.0})
    f = freshness(store, lax, now=NEWEST + dt.timedelta(days=1))
    assert (f["stale"], f["stale_hours"]) == (False, 24.0)


def test_a_pinned_as_of_is_never_stale(tmp_path):
    demo = _store(tmp_path, meta={"as_of_mode": "newest_report"})
    f = freshness(demo, Settings(), now=NEWEST + dt.timedelta(days=30))
    assert (f["stale"], f["pinned"], f["stale_hours"]) == (False, True, 720.0)
    plain = _store(tmp_path, name="plain")
    pinned = Settings(raw={**Settings().raw, "as_of": "2025-06-30T09:00:00"})
    assert freshness(plain, pinned, now=NEWEST + dt.timedelta(days=3))["stale"] is False
    # the settings may un-pin a demo: as_of = "now" makes it judge the feed again
    now_mode = Settings(raw={**Settings().raw, "as_of": "now"})
    assert freshness(plain, now_mode, now=NEWEST + dt.timedelta(days=3))["stale"] is True


def test_an_empty_store_is_not_stale(tmp_path):
    f = freshness(_store(tmp_path, events=False), Settings(), now=NEWEST)
    assert (f["newest_report"], f["stale"], f["stale_hours"]) == (None, False, None)


def test_data_of_another_time_zone_swapped_in_is_said_before_anything_else(tmp_path):
    """The server refuses such a file at start; one restored under it while serving turns
    the wall's alarm and the analysis header to 数据时区与设置不一致 (days and hours shifted)."""
    from store.freshness import stale_text

    store = _store(tmp_path, meta={"timezone": "Europe/Berlin", "as_of_mode": "newest_report"})
    f = freshness(store, Settings(), now=NEWEST)
    assert f["timezone_clash"] is True and f["stale"] is False
    assert stale_text(f) == "数据时区与设置不一致"
    same = _store(tmp_path, meta={"timezone": "Asia/Shanghai"}, name="same")
    assert freshness(same, Settings(), now=NEWEST)["timezone_clash"] is False
