"""The CSV export lists its rows in the event list's order, on both engines: sorted by the
stored values (NULLs last), not by the export's cells (an empty cell for NULL, an
apostrophe before a formula-like value), which DuckDB took when a cell's alias had the
sort column's name."""
from __future__ import annotations

import csv
import datetime as dt
import io
import shutil

import pytest

from store import event_table as et
from store.analysis_filters import parse_filters
from store.settings import Settings
from tests.analysis.analysisdb import event, make_db
from tests.engines import close_all, store_on

AS_OF = dt.datetime(2025, 6, 15, 23, 0)
DAY = dt.datetime(2025, 6, 10, 9, 0)
H = dt.timedelta(hours=1)
EVENTS = [
    event("E1", DAY, address="+plus", department=None, status="closed", closed_at=DAY + 5 * H),
    event("E2", DAY + H, address=None, department="综治办"),
    event("E3", DAY + 2 * H, address="#3号", department="城管局", status="closed",
          closed_at=DAY + 2 * H),
    event("E4", DAY + 3 * H, address="人民路1号", department=None),
    event("E5", DAY + 4 * H, address="=A1", department="住建局", status="closed",
          closed_at=DAY + 9 * H),
]
SORTS = ["address", "-address", "closed_at", "-closed_at", "department", "-department",
         "accepted_at", "event_id"]


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return make_db(tmp_path_factory.mktemp("csvorder") / "o.duckdb", EVENTS)


def orders(store, sort):
    s = Settings()
    f = parse_filters(store, s, {"as_of": AS_OF.isoformat()}, unbounded=True)
    page = et.event_page(store, s, f, et.Page(sort=sort, page_size=100))
    listed = [r["event_id"] for r in page["rows"]]
    text = b"".join(et.csv_lines(store, s, f, sort)).decode("utf-8-sig")
    exported = [row[0] for row in list(csv.reader(io.StringIO(text)))[1:]]
    return listed, exported


@pytest.mark.parametrize("engine", ["duckdb", "chdb"])
def test_the_export_keeps_the_lists_order(db, tmp_path, engine):
    copy = tmp_path / "copy.duckdb"
    shutil.copy(db, copy)
    try:
        store = store_on(engine, copy)
        got = {sort: orders(store, sort) for sort in SORTS}
    finally:
        close_all()
    for sort, (listed, exported) in got.items():
        assert exported == listed, sort
    assert got["address"][0] == ["E3", "E1", "E5", "E4", "E2"]      # by bytes, NULL last
    assert got["closed_at"][0] == ["E3", "E1", "E5", "E2", "E4"]    # open ones last
