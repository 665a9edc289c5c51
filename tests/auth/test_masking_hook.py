"""``current_role()`` and ``audit()``, the hooks event tables and details use to decide raw vs
masked personal data, exercised through the real app and real logins."""
from __future__ import annotations

import json
import os
import stat

import flask
import pytest

from dashboard import auth
from dashboard.app import create_app
from tests.auth.conftest import PASSWORDS, USERS


def _app(db, settings):
    app = create_app(db, settings)

    @app.server.get("/api/events/<eid>/probe")
    def probe(eid):  # what an event detail route does
        if auth.sees_raw_personal_data():
            auth.audit([eid], route=flask.request.path)
        return {"role": auth.current_role(), "user": auth.current_user()}

    return app.server.test_client()


def _login(client, role):
    r = client.post("/login", data={"username": USERS[role], "password": PASSWORDS[role]})
    assert r.status_code == 302


@pytest.fixture(scope="module")
def client(accounts, auth_settings_file):
    return _app(accounts.db, auth_settings_file)


def _audit_lines(db):
    path = db.with_name(db.name + ".audit.jsonl")
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def test_an_officer_gets_the_officer_role_and_leaves_no_audit_line(client, accounts):
    before = len(_audit_lines(accounts.db))
    _login(client, "officer")
    assert client.get("/api/events/E7/probe").json == {"role": "officer", "user": USERS["officer"]}
    assert len(_audit_lines(accounts.db)) == before


def test_an_admin_seeing_raw_personal_data_is_written_to_the_audit_log(client, accounts):
    _login(client, "admin")
    assert client.get("/api/events/E42/probe").json["role"] == "admin"
    last = _audit_lines(accounts.db)[-1]
    assert last["user"] == USERS["admin"] and last["event_ids"] == ["E42"]
    assert last["route"] == "/api/events/E42/probe" and last["time"]
    path = accounts.db.with_name(accounts.db.name + ".audit.jsonl")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_on_an_open_demo_a_visitor_acts_as_officer_never_admin(accounts):
    open_client = _app(accounts.db, None)  # host None = loopback: login not required
    assert open_client.get("/api/events/E1/probe").json == {"role": "officer", "user": None}


def test_outside_a_request_there_is_no_role():
    assert auth.current_role() is None
