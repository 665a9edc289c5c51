"""A briefing composed from a test database whose events were written by hand."""
from __future__ import annotations

import duckdb

from dashboard.briefing.compose import compose
from store.db import ReadStore
from store.schema import refresh_rollups
from store.settings import Settings


def composed_week(db, week: str, con: duckdb.DuckDBPyConnection | None = None):
    """Refresh ``daily_rollup`` (on ``con`` if the caller still holds one, which is closed
    here), then the briefing of ``week`` with the default settings."""
    con = con or duckdb.connect(str(db))
    refresh_rollups(con)
    con.close()
    store = ReadStore(db)
    try:
        return compose(store, Settings(), week)
    finally:
        store.close()
