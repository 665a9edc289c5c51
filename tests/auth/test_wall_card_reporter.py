"""The wall's event card through Dash's own route: a ``wall`` session (a kiosk token or a
wall user) must not get the reporter, masked or not (docs/security.md: the wall role reads
the aggregate API only; reporters, masked, start at officer). Officers keep the masked line."""
from __future__ import annotations

import re

import pytest

from dashboard.app import create_app
from tests.auth.conftest import PASSWORDS, USERS

MASKED_PHONE = re.compile(r"\d{3}\*{4}\d{4}")


@pytest.fixture(scope="module")
def server(accounts, auth_settings_file):
    return create_app(accounts.db, auth_settings_file).server


@pytest.fixture(scope="module")
def event_id(server):
    """The newest valid event with a reporter: on the wall's live list."""
    ctx = server.config["GRIDWALL_CTX"]
    return ctx.store.scalar("SELECT event_id FROM events WHERE reporter_phone IS NOT NULL"
                            " AND status <> 'invalid' ORDER BY reported_at DESC LIMIT 1")


@pytest.fixture(scope="module")
def old_event_id(server):
    """The oldest event, closed long ago: on no list of the wall."""
    ctx = server.config["GRIDWALL_CTX"]
    return ctx.store.scalar("SELECT event_id FROM events WHERE closed_at IS NOT NULL"
                            " ORDER BY reported_at LIMIT 1")


def _card(client, event_id: str) -> tuple[int, str]:
    body = {
        "output": "..event-card.className...event-card-title.children"
                  "...event-card-body.children..",
        "outputs": [{"id": "event-card", "property": "className"},
                    {"id": "event-card-title", "property": "children"},
                    {"id": "event-card-body", "property": "children"}],
        "inputs": [{"id": "event-open", "property": "data", "value": event_id},
                   {"id": "refresh-interval", "property": "n_intervals", "value": 0}],
        "changedPropIds": ["event-open.data"],
    }
    r = client.post("/_dash-update-component", json=body)
    return r.status_code, r.get_data(as_text=True)


def _signed_in(server, role: str):
    client = server.test_client()
    r = client.post("/login", data={"username": USERS[role], "password": PASSWORDS[role]})
    assert r.status_code == 302
    return client


def test_a_wall_user_opens_an_event_card_without_any_reporter(server, event_id):
    status, text = _card(_signed_in(server, "wall"), event_id)
    assert status == 200 and event_id in text
    assert not MASKED_PHONE.search(text)
    assert "\\u4e0a\\u62a5\\u4eba" not in text and "上报人" not in text


def test_a_kiosk_token_opens_an_event_card_without_any_reporter(server, accounts, event_id):
    client = server.test_client()
    r = client.get("/?token=" + accounts.tokens["wall"])
    assert r.status_code == 302
    status, text = _card(client, event_id)
    assert status == 200 and event_id in text
    assert not MASKED_PHONE.search(text) and "上报人" not in text


def test_an_officer_still_sees_the_reporter_masked_on_the_card(server, event_id):
    status, text = _card(_signed_in(server, "officer"), event_id)
    assert status == 200
    assert MASKED_PHONE.search(text)
    raw = server.config["GRIDWALL_CTX"].store.scalar(
        "SELECT reporter_phone FROM events WHERE event_id = ?", [event_id])
    assert raw not in text


def test_a_wall_session_opens_only_the_cards_of_events_the_wall_lists(server, accounts,
                                                                       old_event_id):
    """Any case's card by its number would be a search of every case; the wall's card is how
    a listed row is read. An unlisted case answers like one that does not exist."""
    kiosk = server.test_client()
    assert kiosk.get("/?token=" + accounts.tokens["wall"]).status_code == 302
    for client in (_signed_in(server, "wall"), kiosk):
        status, text = _card(client, old_event_id)
        assert status == 200 and old_event_id not in text
        assert "未找到该事件" in text
    status, text = _card(_signed_in(server, "officer"), old_event_id)
    assert status == 200 and old_event_id in text
