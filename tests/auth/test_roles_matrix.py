"""Every role against every guarded route on a real server that requires login.

Routes of other rooms (analysis, event rows, briefing, admin) may not be merged yet: where a
role is allowed, the check is "not refused" (not 401/403), since the app may still answer 404.
"""
from __future__ import annotations

import pytest
import requests

from tests.auth.conftest import kiosk, login

WALL_PAGES = ["/"]
WALL_MACHINE = ["/api/health", "/api/metrics", "/api/townships", "/api/hotspots",
                "/_dash-layout", "/_dash-dependencies", "/assets/gridwall.css"]
OFFICER_PAGES = ["/analysis", "/analysis/", "/briefing.zip"]
OFFICER_MACHINE = ["/api/events", "/api/events.csv", "/api/events/E0001", "/api/cameras",
                   "/api/deck", "/api/deck/events", "/analysis/_dash-layout",
                   "/api/something-new"]
ADMIN_PAGES = ["/admin", "/admin/users"]
ADMIN_MACHINE = ["/api/admin/loads"]
EXISTING = {"/", "/api/health", "/api/metrics", "/api/townships", "/_dash-layout",
            "/_dash-dependencies", "/assets/gridwall.css"}

LEVEL = {"wall": 0, "officer": 1, "admin": 2}
ROUTES = ([(p, "wall", False) for p in WALL_PAGES] + [(p, "wall", True) for p in WALL_MACHINE]
          + [(p, "officer", False) for p in OFFICER_PAGES]
          + [(p, "officer", True) for p in OFFICER_MACHINE]
          + [(p, "admin", False) for p in ADMIN_PAGES]
          + [(p, "admin", True) for p in ADMIN_MACHINE])


@pytest.fixture(scope="module")
def sessions(secured, accounts) -> dict[str, requests.Session]:
    return {
        "wall-kiosk": kiosk(secured, accounts.tokens["wall"]),
        "wall": login(secured, "wall"),
        "officer": login(secured, "officer"),
        "admin": login(secured, "admin"),
    }


@pytest.mark.parametrize("path,needed,machine", ROUTES)
def test_without_a_session_pages_go_to_login_and_the_api_answers_401(secured, path, needed,
                                                                      machine):
    r = requests.get(secured + path, allow_redirects=False)
    if machine:
        assert r.status_code == 401
        if path.startswith("/api/"):
            assert r.json() == {"error": "未登录 (login required)"}
    else:
        assert r.status_code == 302
        assert r.headers["Location"].startswith("/login?next=" + path.replace("/", "%2F"))


@pytest.mark.parametrize("who", ["wall-kiosk", "wall", "officer", "admin"])
@pytest.mark.parametrize("path,needed,machine", ROUTES)
def test_each_role_reads_what_its_level_allows_and_is_refused_the_rest(sessions, secured, who,
                                                                       path, needed, machine):
    r = sessions[who].get(secured + path, allow_redirects=False)
    role = "wall" if who == "wall-kiosk" else who
    if LEVEL[role] >= LEVEL[needed]:
        assert r.status_code not in (401, 403), (who, path, r.status_code)
        if path in EXISTING:
            assert r.status_code == 200
    else:
        assert r.status_code == 403, (who, path, r.status_code)
        if path.startswith("/api/"):
            assert r.json()["error"] == "权限不足 (forbidden)"
        elif not machine:
            assert "无权访问" in r.text


def test_bearer_tokens_open_the_api_at_their_own_role_only(secured, accounts):
    wall = {"Authorization": "Bearer " + accounts.tokens["wall"]}
    officer = {"Authorization": "Bearer " + accounts.tokens["officer"]}
    assert requests.get(secured + "/api/metrics", headers=wall).status_code == 200
    assert requests.get(secured + "/api/events", headers=wall).status_code == 403
    assert requests.get(secured + "/api/events", headers=officer).status_code not in (401, 403)
    assert requests.get(secured + "/admin", headers=officer,
                        allow_redirects=False).status_code == 403
    bad = requests.get(secured + "/api/metrics", headers={"Authorization": "Bearer gw_nope"})
    assert bad.status_code == 401


def test_a_wall_session_runs_the_walls_dash_callbacks(sessions, secured):
    deps = sessions["wall-kiosk"].get(secured + "/_dash-dependencies").json()
    assert deps, "the wall declares its callbacks"
    anonymous = requests.post(secured + "/_dash-update-component", json={})
    assert anonymous.status_code == 401


def test_unknown_paths_need_a_session_then_fall_through_to_the_app(sessions, secured):
    assert requests.get(secured + "/no-such-page", allow_redirects=False).status_code == 302
    r = sessions["officer"].get(secured + "/no-such-page", allow_redirects=False)
    assert r.status_code not in (302, 401, 403)  # the app's answer (404 once paths are listed)


def test_an_officer_reads_an_event_with_the_reporter_masked_and_a_wall_cannot(sessions, secured,
                                                                            accounts):
    import duckdb

    with duckdb.connect(str(accounts.db), read_only=True) as con:
        event_id, phone = con.execute(
            "SELECT event_id, reporter_phone FROM events WHERE length(reporter_phone) = 11"
            " LIMIT 1").fetchone()
    r = sessions["officer"].get(f"{secured}/api/events/{event_id}")
    assert r.status_code == 200
    assert r.json()["reporter_phone"] == phone[:3] + "****" + phone[-4:]
    assert phone not in r.text
    assert sessions["wall-kiosk"].get(f"{secured}/api/events/{event_id}").status_code == 403


def test_an_admin_reads_the_raw_reporter_and_the_view_is_audited_an_officer_is_not(
        sessions, secured, accounts):
    import json

    import duckdb

    with duckdb.connect(str(accounts.db), read_only=True) as con:
        event_id, name, phone = con.execute(
            "SELECT event_id, reporter_name, reporter_phone FROM events"
            " WHERE length(reporter_phone) = 11 AND reporter_name IS NOT NULL"
            " ORDER BY event_id DESC LIMIT 1").fetchone()
    audit_log = accounts.db.with_name(accounts.db.name + ".audit.jsonl")
    before = audit_log.read_text(encoding="utf-8").splitlines() if audit_log.exists() else []
    officer = sessions["officer"].get(f"{secured}/api/events/{event_id}").json()
    assert officer["reporter_phone"] != phone and officer["reporter_name"] != name
    admin = sessions["admin"].get(f"{secured}/api/events/{event_id}").json()
    assert admin["reporter_phone"] == phone and admin["reporter_name"] == name
    officer_again = sessions["officer"].get(f"{secured}/api/events/{event_id}").json()
    assert officer_again["reporter_phone"] != phone          # the raw answer is not cached for all
    new = audit_log.read_text(encoding="utf-8").splitlines()[len(before):]
    assert [json.loads(line)["event_ids"] for line in new] == [[event_id]]
    assert json.loads(new[0])["role"] == "admin"


def test_the_event_table_and_its_export_are_raw_and_audited_for_admin_masked_for_officer(
        sessions, secured, accounts):
    import json

    import duckdb

    with duckdb.connect(str(accounts.db), read_only=True) as con:
        phones = {r[0] for r in con.execute(
            "SELECT reporter_phone FROM events WHERE reporter_phone IS NOT NULL").fetchall()}
    audit_log = accounts.db.with_name(accounts.db.name + ".audit.jsonl")
    before = len(audit_log.read_text(encoding="utf-8").splitlines()) if audit_log.exists() else 0
    query = "/api/events?page_size=20&sort=-reported_at"
    officer = sessions["officer"].get(secured + query).json()["rows"]
    admin = sessions["admin"].get(secured + query).json()["rows"]
    assert [r["event_id"] for r in officer] == [r["event_id"] for r in admin]
    with_phone = [i for i, r in enumerate(admin) if r["reporter_phone"]]
    assert with_phone, "the fixture has reporters"
    assert all(admin[i]["reporter_phone"] in phones for i in with_phone)
    assert not any(officer[i]["reporter_phone"] in phones for i in with_phone)
    csv_officer = sessions["officer"].get(secured + "/api/events.csv").text
    csv_admin = sessions["admin"].get(secured + "/api/events.csv").text
    assert not any(p in csv_officer for p in phones)
    assert any(p in csv_admin for p in phones)
    new = [json.loads(x) for x in audit_log.read_text(encoding="utf-8").splitlines()[before:]]
    assert [x["route"] for x in new] == ["/api/events", "/api/events.csv"]
    assert new[0]["event_ids"] == [r["event_id"] for r in admin]
    assert all(x["role"] == "admin" for x in new)
