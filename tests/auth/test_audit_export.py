"""An admin's raw CSV export is audited by what it exported, not by copying the personal
data a keyword search held into the audit log (docs/security.md)."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from dashboard.app import create_app
from dashboard.auth.store import AuthStore
from tests.store.dbmaker import ev, make_db

PHONE, NAME, ID = "13912345678", "张三丰", "330102199001011234"


@pytest.fixture()
def admin(tmp_path):
    db = make_db(tmp_path / "county.duckdb", [ev("E1", dt.datetime(2026, 3, 2, 8))])
    AuthStore(db).add_user("root", "admin", "a-long-passphrase")
    client = create_app(db, host="0.0.0.0").server.test_client()
    r = client.post("/login", data={"username": "root", "password": "a-long-passphrase"})
    assert r.status_code == 302
    return db, client


def _audit(db) -> list[dict]:
    path = db.with_name(db.name + ".audit.jsonl")
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def test_a_keyword_with_a_phone_a_name_and_an_id_is_masked_in_the_audit_line(admin):
    db, client = admin
    r = client.get("/api/events.csv", query_string={
        "q": f"{PHONE} {NAME}/139 1234 5678 {ID}",    # five words at most
        "start": "2026-03-01", "end": "2026-03-08", "township": "甲镇"})
    assert r.status_code == 200
    r.get_data()                                       # the whole stream
    line = json.dumps(_audit(db)[-1], ensure_ascii=False)
    for secret in (PHONE, NAME, ID, "1234 5678", "%E5%BC%A0"):
        assert secret not in line, (secret, line)
    record = _audit(db)[-1]["event_ids"][0]
    assert "139****5678" in record and "张**" in record and "330***********1234" in record
    # what was exported: the filters, readable
    assert {"start=2026-03-01", "end=2026-03-08", "township=甲镇"} <= set(record.split("&"))
    client.get("/api/events.csv", query_string={"q": "E2026000123 噪音"}).get_data()
    assert _audit(db)[-1]["event_ids"] == ["csv export ?q=E2026000123 噪*"]   # a case number stays
