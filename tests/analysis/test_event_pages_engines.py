"""The event pages on both engines: the same filters, sorts and deep pages give the same
totals, invalid counts and rows on DuckDB and on ClickHouse (chdb, the same rows published by
the real publisher) — the per-day / per-value page finder and the rowid pick included."""
from __future__ import annotations

from store import event_table as et
from store.analysis_filters import parse_filters
from store.settings import Settings
from tests.engines import close_all, store_on

SORTS = ("-reported_at", "reported_at", "department", "-closed_at", "-warning", "address",
         "township")


def pages(store, deep: bool, monkeypatch) -> list:
    monkeypatch.setattr(et, "DEEP_OFFSET", 0 if deep else 10_000)
    s = Settings()
    out = []
    for args in ({"as_of": "2025-06-15T23:00"},
                 {"start": "2025-06-09", "end": "2025-06-16", "as_of": "2025-06-15T23:00"},
                 {"as_of": "2025-06-15T23:00", "warning": "red"}):
        f = parse_filters(store, s, args, unbounded=True)
        for sort in SORTS:
            for p in (1, 2, 3):
                b = et.event_page(store, s, f, et.Page(sort=sort, page=p, page_size=4))
                out.append((sort, p, b["total"], b["invalid"],
                            [(r["event_id"], r["reporter_phone"], r["warning"]) for r in b["rows"]]))
    return out


def test_event_pages_are_the_same_on_duckdb_and_chdb(planted_db, tmp_path, monkeypatch):
    """Every sort, three pages, three filter sets; pages found by a top-N and (DEEP_OFFSET
    0) from the per-day / per-value counts."""
    import shutil

    db = tmp_path / "copy.duckdb"               # chdb publishes beside the file it reads
    shutil.copy(planted_db, db)
    got = {}
    try:
        for engine in ("duckdb", "chdb"):
            store = store_on(engine, db)
            got[engine] = [pages(store, deep, monkeypatch) for deep in (False, True)]
            if engine == "duckdb":
                store.close()
    finally:
        close_all()
    assert got["duckdb"] == got["chdb"]
    assert got["duckdb"][0] == got["duckdb"][1]          # both finders: the same pages
    assert any(rows for *_, rows in got["duckdb"][0])
