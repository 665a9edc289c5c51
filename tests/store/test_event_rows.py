"""The event row CTE (due time, warning, hours overdue, masked reporter) and the detail card."""
from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from store.db import ReadStore
from store.event_rows import event_detail, event_rows_cte
from store.settings import Settings
from tests.store.dbmaker import ev, make_db

D = dt.datetime
H = dt.timedelta(hours=1)
US = dt.timedelta(microseconds=1)
AS_OF = D(2025, 6, 30, 12, 0)
HAZARD = Settings(raw={**Settings().raw, "limits": {**Settings().raw["limits"],
                                                  "category": {"安全隐患": {"close_h": 24}}}})


@pytest.fixture()
def store(tmp_path):
    r = D(2025, 6, 20, 8, 0)
    events = [
        ev("red", AS_OF - 72 * H - US), ev("edge", AS_OF - 72 * H), ev("yellow", AS_OF - 48 * H),
        ev("young", AS_OF - 48 * H + US), ev("hz", AS_OF - 30 * H, category="安全隐患", grid="G3",
                                             township="T2"),
        ev("closed", r, accepted_at=r + H, dispatched_at=r + 2 * H, closed_at=r + 20 * H,
           level="village"),
        ev("late_close", AS_OF - 100 * H, closed_at=AS_OF + H),   # closed only after as_of
        ev("inv", AS_OF - 100 * H, status="invalid"), ev("future", AS_OF + H)]
    path = make_db(tmp_path / "e.duckdb", events)
    con = duckdb.connect(str(path))
    con.execute("UPDATE events SET reporter_name = '欧阳娜娜', reporter_phone = '138-1234-5678',"
                " address = '城关镇一号', description = '噪声扰民', department = '城管',"
                " channel = '12345', subcategory = '噪声' WHERE event_id = 'closed'")
    con.close()
    return ReadStore(path)


def rows(store, settings=HAZARD, as_of=AS_OF):
    sql, params = event_rows_cte(settings, as_of)
    df = store.df(f"WITH {sql} SELECT * FROM ev ORDER BY event_id", params)
    return df.set_index("event_id")


def test_warnings_follow_the_yellow_and_red_boundaries(store):
    w = rows(store)["warning"].where(lambda s: s.notna(), None).to_dict()
    assert w == {"red": "red", "edge": "yellow", "yellow": "yellow", "young": None, "hz": "red",
                 "closed": None, "late_close": "red", "inv": None, "future": None}


def test_due_at_is_reported_plus_the_category_close_limit(store):
    df = rows(store)
    assert df.loc["hz", "due_at"] == AS_OF - 30 * H + 24 * H
    assert df.loc["edge", "due_at"] == AS_OF
    assert df.loc["hz", "overdue_hours"] == pytest.approx(6.0)
    assert df.loc["edge", "overdue_hours"] == 0.0
    assert df.loc["young", "overdue_hours"] == pytest.approx(-24.0 - 1 / 3.6e9)  # hours left
    assert df[["overdue_hours"]].loc[["closed", "inv", "future"]].isna().all().all()


def test_names_come_from_the_reference_tables_and_reporters_are_masked(store):
    df = rows(store)
    assert (df.loc["hz", "grid_name"], df.loc["hz", "township_name"]) == ("三号网格", "乙镇")
    assert (df.loc["closed", "reporter_name"], df.loc["closed", "reporter_phone"]) == \
        ("欧***", "138****5678")


def test_detail_has_the_timeline_due_time_and_a_masked_reporter(store):
    d = event_detail(store, Settings(), "closed", as_of=AS_OF)
    assert d["due_at"] == "2025-06-23T08:00:00" and d["reported_at"] == "2025-06-20T08:00:00"
    assert d["reporter_phone"] == "138****5678" and d["reporter_name"] == "欧***"
    assert (d["township"], d["grid_name"], d["department"], d["level"]) == ("甲镇", "一号网格", "城管",
                                                                           "village")
    assert d["warning"] is None and d["overdue_hours"] is None
    assert [(t["step"], t["label"], t["at"]) for t in d["timeline"]] == [
        ("reported", "上报", "2025-06-20T08:00:00"), ("accepted", "受理", "2025-06-20T09:00:00"),
        ("dispatched", "流转", "2025-06-20T10:00:00"), ("closed", "办结", "2025-06-21T04:00:00")]
    red = event_detail(store, HAZARD, "hz", as_of=AS_OF)
    assert red["warning"] == "red" and red["overdue_hours"] == pytest.approx(6.0)
    assert red["timeline"][1]["at"] is None and red["closed_at"] is None
    assert event_detail(store, Settings(), "nope", as_of=AS_OF) is None


def test_every_detail_key_is_present(store):
    d = event_detail(store, Settings(), "red", as_of=AS_OF)
    assert list(d) == ["event_id", "reported_at", "accepted_at", "dispatched_at", "closed_at",
                       "due_at", "category", "subcategory", "channel", "township_code", "township",
                       "grid_id", "grid_name", "address", "description", "department", "level",
                       "status", "warning", "overdue_hours", "reporter_name", "reporter_phone",
                       "timeline", "lon", "lat", "cameras"]


def test_open_only_keeps_exactly_the_rows_open_at_as_of_with_the_same_fields(store):
    every = rows(store)
    sql, params = event_rows_cte(HAZARD, AS_OF, open_only=True)
    opened = store.df(f"WITH {sql} SELECT * FROM ev ORDER BY event_id", params).set_index("event_id")
    assert list(opened.index) == sorted(every.index[every["is_open"]])
    assert set(opened.index) == {"red", "edge", "yellow", "young", "hz", "late_close"}
    assert opened.equals(every.loc[opened.index])
