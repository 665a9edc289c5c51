"""The event card on the wall and GET /api/events/<id> look an event up by its report time
as well as its id when the caller has the time (a listed row: the events table is sorted by
it, so only that time's blocks are read; the wall finds a listed row's time in the lists
it has read); the reply is the one the id alone gives, also
when the time no longer matches; a bad time in the API is a 400."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from dashboard.app import create_app
from tests.store.dbmaker import ev, make_db

D = dt.datetime
R1, R2 = D(2025, 6, 15, 8, 30, 12, 250000), D(2025, 6, 16, 9, 5)


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lookup")
    db = make_db(tmp / "d.duckdb", [ev("SZ/2025/0001", R1, category="安全隐患"),
                                    ev("b", R2, grid="G3", township="T2")])
    settings = tmp / "s.toml"
    settings.write_text('as_of = "2025-06-17T10:30:00"\n', encoding="utf-8")
    return create_app(db, settings).server.test_client()


@pytest.mark.parametrize("event_id,at", [("SZ/2025/0001", R1), ("b", R2)])
def test_the_api_reply_with_the_report_time_is_the_reply_by_id(client, event_id, at):
    by_id = client.get(f"/api/events/{event_id}")
    assert by_id.status_code == 200
    for when in (at, at + dt.timedelta(seconds=1)):          # the time, and a stale one
        r = client.get(f"/api/events/{event_id}?reported_at={when.isoformat()}")
        assert r.status_code == 200 and r.get_json() == by_id.get_json(), when
    assert client.get(f"/api/events/{event_id}?reported_at=yesterday").status_code == 400
    assert client.get(f"/api/events/nothing?reported_at={at.isoformat()}").status_code == 404


def _card(client, opened) -> dict:
    body = {
        "output": "..event-card.className...event-card-title.children"
                  "...event-card-body.children..",
        "outputs": [{"id": "event-card", "property": "className"},
                    {"id": "event-card-title", "property": "children"},
                    {"id": "event-card-body", "property": "children"}],
        "inputs": [{"id": "event-open", "property": "data", "value": opened},
                   {"id": "refresh-interval", "property": "n_intervals", "value": 0}],
        "changedPropIds": ["event-open.data"],
    }
    r = client.post("/_dash-update-component", json=body)
    assert r.status_code == 200
    return r.get_json()["response"]


def test_the_wall_card_opened_with_the_row_s_time_is_the_card_by_id(client):
    by_id = _card(client, "b")
    assert "b" in json.dumps(by_id["event-card-title"]) and by_id["event-card"]["className"] \
        == "gw-modal"
    for at in (R2.isoformat(), (R2 + dt.timedelta(hours=1)).isoformat(), "not a time"):
        assert _card(client, {"id": "b", "at": at}) == by_id, at


def test_the_wall_card_finds_a_listed_row_s_time_in_the_wall_s_lists(client):
    from dashboard.wall.event_card import listed_time

    ctx = client.application.config["GRIDWALL_CTX"]
    with client.application.test_request_context():
        assert listed_time(ctx, "b") == R2 and listed_time(ctx, "SZ/2025/0001") == R1
        assert listed_time(ctx, "nothing") is None
