"""Roles × admin routes on a real server that requires login: no session → /login (pages)
or 401 JSON (API); wall and officer → 403; admin → 200. Every POST also needs the CSRF
token of the admin's own session."""
from __future__ import annotations

import pytest
import requests

from tests.admin.conftest import csrf_of, login

PAGES = ["/admin", "/admin/", "/admin/presets", "/admin/loads", "/admin/rejects",
         "/admin/rejects?raw=1", "/admin/rejects.csv", "/admin/rejects.csv?raw=1",
         "/admin/users", "/admin/static/admin.js", "/admin/static/admin.css"]
MACHINE = ["/api/admin/loads", "/api/admin/rejects", "/api/admin/rejects?raw=1",
           "/api/admin/jobs/nope"]
POSTS = ["/admin/upload", "/admin/presets", "/admin/presets/delete", "/admin/users/add",
         "/admin/users/role", "/admin/users/disable", "/admin/tokens/add",
         "/admin/tokens/revoke"]


@pytest.fixture(scope="module")
def sessions(site) -> dict[str, requests.Session]:
    kiosk = requests.Session()
    assert kiosk.get(site.base + "/?token=" + site.wall_token,
                     allow_redirects=False).status_code == 302
    return {"wall-kiosk": kiosk, "wall": login(site.base, "wall"),
            "officer": login(site.base, "officer"), "admin": login(site.base, "admin")}


def _is_page(path: str) -> bool:
    return not path.startswith("/api/")


@pytest.mark.parametrize("path", PAGES + MACHINE)
def test_without_a_session_admin_pages_go_to_login_and_the_admin_api_answers_401(site, path):
    r = requests.get(site.base + path, allow_redirects=False)
    if _is_page(path):
        assert r.status_code == 302
        assert r.headers["Location"].startswith("/login?next=")
    else:
        assert r.status_code == 401
        if path.startswith("/api/"):
            assert r.json() == {"error": "未登录 (login required)"}


@pytest.mark.parametrize("who", ["wall-kiosk", "wall", "officer"])
@pytest.mark.parametrize("path", PAGES + MACHINE)
def test_wall_and_officer_are_refused_every_admin_route_with_403(sessions, site, who, path):
    r = sessions[who].get(site.base + path, allow_redirects=False)
    assert r.status_code == 403, (who, path, r.status_code)
    if path.startswith("/api/"):
        assert r.json()["error"] == "权限不足 (forbidden)"
    elif _is_page(path):
        assert "无权访问" in r.text
    assert "raw" not in r.text and "联系" not in r.text   # not a byte of a reject


@pytest.mark.parametrize("path", PAGES + MACHINE[:-1])
def test_an_admin_opens_every_admin_route(sessions, site, path):
    r = sessions["admin"].get(site.base + path, allow_redirects=False)
    assert r.status_code == 200, (path, r.status_code)
    assert r.headers["Cache-Control"] == "no-store" or path.startswith("/admin/static/")
    if _is_page(path) and not path.startswith(("/admin/rejects.csv", "/admin/static/")):
        assert "系统管理" in r.text and r.headers["Content-Type"].startswith("text/html")


def test_an_unknown_job_is_a_404_json_for_the_admin(sessions, site):
    r = sessions["admin"].get(site.base + "/api/admin/jobs/nope")
    assert r.status_code == 404 and "没有导入任务" in r.json()["error"]


@pytest.mark.parametrize("who", [None, "wall-kiosk", "officer"])
@pytest.mark.parametrize("path", POSTS)
def test_every_admin_post_is_refused_below_admin(sessions, site, who, path):
    s = sessions[who] if who else requests.Session()
    r = s.post(site.base + path, data={"name": "x", "role": "admin", "password": "x" * 12},
               allow_redirects=False)
    assert r.status_code == (302 if who is None else 403), (who, path, r.status_code)


@pytest.mark.parametrize("path", POSTS)
def test_an_admin_post_without_the_csrf_token_of_the_session_is_refused(sessions, site, path):
    s = sessions["admin"]
    other = csrf_of(login(site.base, "admin"), site.base)   # another session's token
    for data in ({}, {"csrf_token": "0" * 64}, {"csrf_token": other}):
        r = s.post(site.base + path, data={**data, "name": "csrf-probe", "role": "wall",
                                           "password": "x" * 12}, allow_redirects=False)
        assert r.status_code == 403 and "CSRF" in r.text, (path, data, r.status_code)
    names = [line for line in s.get(site.base + "/admin/users").text.splitlines()
             if "csrf-probe" in line]
    assert names == []


def test_a_post_announced_from_another_origin_is_refused_even_with_the_token(sessions, site):
    s = sessions["admin"]
    token = csrf_of(s, site.base)
    r = s.post(site.base + "/admin/tokens/add", data={"csrf_token": token, "role": "wall"},
               headers={"Origin": "http://evil.example"}, allow_redirects=False)
    assert r.status_code == 403


def test_admin_pages_carry_the_strict_csp_without_inline_script(sessions, site):
    r = sessions["admin"].get(site.base + "/admin")
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp.split("script-src")[1] \
        .split(";")[0]
    assert r.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "<script>" not in r.text and '<script src="/admin/static/admin.js"' in r.text


def test_on_an_open_loopback_server_no_visitor_below_admin_gets_an_admin_route(site):
    from tests.accounts import start
    from tests.serving import stop_server

    base, proc = start(site.db)   # no settings: required = "auto", open on 127.0.0.1
    try:
        assert requests.get(base + "/api/events").status_code == 200   # open as officer
        for path in ("/admin", "/admin/rejects", "/admin/rejects.csv"):   # asks for a login
            r = requests.get(base + path, allow_redirects=False)
            assert r.status_code == 302 and r.headers["Location"].startswith("/login"), path
        for path in ("/api/admin/rejects", "/api/admin/rejects?raw=1", "/api/admin/loads"):
            assert requests.get(base + path).status_code == 401, path
        officer = login(base, "officer")   # a signed-in officer: still 403
        assert officer.get(base + "/api/admin/rejects").status_code == 403
    finally:
        stop_server(proc)
