"""Edges the demo county never reaches, on both engines (DuckDB, and the same rows published
to chdb): stored times outside ClickHouse's old 1900–2299 range and an as_of far ahead,
polygons whose WKB bytes happen to be valid UTF-8, ties in the briefing's overdue lists.
Each answer is checked against the definition (docs/metrics.md), not only engine against
engine."""
from __future__ import annotations

import datetime as dt

from store import event_rows as er
from store import event_table as et
from store import metrics as m
from store.analysis_filters import parse_filters
from store.settings import Settings
from tests.store.dbmaker import ev, make_db
from tests.engines import store_on

H = dt.timedelta(hours=1)
OPEN_2025 = dt.datetime(2025, 1, 1, 8)


def test_times_outside_1900_to_2299_count_as_in_duckdb(tmp_path, engine):
    """A min_date of 1800 loads an 1850 case; a request may ask as of 2500 (years up to 2999
    are accepted). ClickHouse bound its parameters clamped to 1900–2299, so the backlog lost
    the cases before 1900, a window up to 2999 lost the case of 2350, the event list lost
    both, and an open case's hours overdue were counted to 2299."""
    db = make_db(tmp_path / "old.duckdb", [
        ev("A1850", dt.datetime(1850, 1, 1)),
        ev("B1899", dt.datetime(1899, 12, 31, 23, 59, 59, 999999)),
        ev("C2350", dt.datetime(2350, 1, 1)),
        ev("D2025", OPEN_2025)])
    s = Settings()
    store = store_on(engine, db)
    try:
        got = m.metrics(store, s, start=dt.date(1900, 1, 1), end=dt.date(2999, 1, 1),
                        as_of=dt.datetime(2025, 6, 1))
        assert (got["reported"], got["open_backlog"], got["red"]) == (2, 3, 3), engine
        everything = parse_filters(store, s, {"as_of": "2025-06-01T00:00"}, unbounded=True)
        page = et.event_page(store, s, everything, et.Page(sort="reported_at"))
        assert [r["event_id"] for r in page["rows"]] == ["A1850", "B1899", "D2025", "C2350"]
        far = dt.datetime(2500, 1, 1)
        card = er.event_detail(store, s, "D2025", as_of=far)
        assert card["overdue_hours"] == (far - (OPEN_2025 + 72 * H)) / H, engine
    finally:
        if engine == "duckdb":
            store.close()
