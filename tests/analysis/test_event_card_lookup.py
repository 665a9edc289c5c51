"""The event card opened from the event table reads the blocks of the row's report time, not
every event id (10 M events: ~0.16 s → ~0.05 s CPU a click), and shows exactly what the
plain lookup by id shows (GET /api/events/<id>), a stale or wrong time included, on DuckDB
and chdb."""
from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest

from dashboard.analysis import events_panel as ep
from store import event_table as et
from store.analysis_filters import parse_filters
from store.db import ReadStore
from store.event_rows import event_detail
from store.settings import Settings
from tests.analysis.conftest import AS_OF, planted_events
from tests.engines import close_all, store_on


def test_the_card_read_by_its_report_time_is_the_card_read_by_id(planted_db, tmp_path):
    s = Settings()
    db = tmp_path / "copy.duckdb"
    shutil.copy(planted_db, db)
    events = [(e[0], e[1]) for e in planted_events()][::3]
    try:
        for engine in ("duckdb", "chdb"):
            store = store_on(engine, db)
            for event_id, reported in events:
                plain = event_detail(store, s, event_id, as_of=AS_OF)
                assert plain is not None and plain["reported_at"] == reported.isoformat(sep="T")
                for hint in (reported, reported + dt.timedelta(seconds=1)):   # right, stale
                    assert event_detail(store, s, event_id, as_of=AS_OF,
                                        reported_at=hint) == plain, (engine, event_id, hint)
            assert event_detail(store, s, "NOPE", as_of=AS_OF, reported_at=AS_OF) is None
            if engine == "duckdb":
                store.close()
    finally:
        close_all()


@pytest.fixture()
def card_app(planted_db, tmp_path):
    from dashboard.app import create_app

    db = tmp_path / "card.duckdb"       # an app of its own: nothing cached by other tests
    shutil.copy(planted_db, db)
    return create_app(db), db


def test_a_click_in_the_table_looks_the_card_up_by_the_rows_report_time(card_app, monkeypatch):
    app, db = card_app
    store, s = ReadStore(db), Settings()
    search = "?start=2025-06-09&end=2025-06-16&as_of=2025-06-15T23:00"
    f = parse_filters(store, s, {"start": "2025-06-09", "end": "2025-06-16",
                                 "as_of": "2025-06-15T23:00"})
    rows = [ep._row(r) for r in et.event_page(store, s, f, et.Page(page_size=20))["rows"]]
    store.close()
    row = rows[3]
    seen: list[str] = []
    real = ReadStore.df

    def spy(self, sql, params=None):
        seen.append(sql)
        return real(self, sql, params)

    monkeypatch.setattr(ReadStore, "df", spy)
    client = app.server.test_client()
    body = {"output": "an-detail.children",
            "outputs": {"id": "an-detail", "property": "children"},
            "inputs": [{"id": "an-events", "property": "active_cell",
                        "value": {"row": 3, "column": 0, "column_id": "event_id",
                                  "row_id": row["id"]}}],
            "state": [{"id": "an-url", "property": "search", "value": search},
                      {"id": "an-events", "property": "data", "value": rows}],
            "changedPropIds": ["an-events.active_cell"]}
    r = client.post("/analysis/_dash-update-component", json=body)
    assert r.status_code == 200, r.get_data(as_text=True)
    card = json.dumps(json.loads(r.get_data(as_text=True))["response"], ensure_ascii=False)
    looked = [q for q in seen if "FROM ev" in q]
    assert looked and all("e.reported_at = ?" in q for q in looked), looked
    assert row["id"] in card and "办理进程" in card
    api = client.get(f"/api/events/{row['id']}?as_of=2025-06-15T23:00").get_json()
    assert api["event_id"] == row["id"] and api["address"] in card
