"""Login, logout, kiosk tokens, the lockout and the security headers, against the real server."""
from __future__ import annotations

import time
from email.utils import parsedate_to_datetime

import requests

from tests.auth.conftest import PASSWORDS, USERS, cli, kiosk, login

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "no-referrer",
}


def _cookie_header(resp) -> str:
    return resp.headers["Set-Cookie"]


def test_login_sets_an_httponly_samesite_cookie_that_expires_after_the_session_hours(secured):
    r = requests.post(secured + "/login", allow_redirects=False,
                      data={"username": USERS["admin"], "password": PASSWORDS["admin"]})
    assert r.status_code == 302 and r.headers["Location"] == "/"
    cookie = _cookie_header(r)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    expires = parsedate_to_datetime(cookie.split("Expires=")[1].split(";")[0]).timestamp()
    assert abs(expires - (time.time() + 12 * 3600)) < 120


def test_a_script_may_post_its_login_as_json(secured):
    s = requests.Session()
    r = s.post(secured + "/login", json={"username": USERS["officer"],
                                         "password": PASSWORDS["officer"]}, allow_redirects=False)
    assert r.status_code == 302
    assert s.get(secured + "/api/events").status_code not in (401, 403)


def test_the_login_form_is_chinese_and_self_contained(secured):
    html = requests.get(secured + "/login?next=/analysis").text
    assert "用户名" in html and "密码" in html and 'name="next" value="/analysis"' in html
    assert "<script" not in html and "http://" not in html and "https://" not in html


def test_next_returns_to_the_page_asked_for_but_never_to_another_site(secured):
    for nxt, where in [("/analysis?tab=2", "/analysis?tab=2"), ("//evil.example/x", "/"),
                       ("https://evil.example/", "/"), ("/\\evil.example", "/")]:
        r = requests.post(secured + "/login", allow_redirects=False,
                          data={"username": USERS["officer"], "password": PASSWORDS["officer"],
                                "next": nxt})
        assert r.headers["Location"] == where, nxt


def test_logout_ends_the_session_on_the_server_not_only_in_the_browser(secured):
    s = login(secured, "officer")
    sid = s.cookies["gridwall_session"]
    assert s.get(secured + "/api/health").status_code == 200
    r = s.post(secured + "/logout", allow_redirects=False)
    assert r.status_code == 302 and r.headers["Location"] == "/login"
    replay = requests.get(secured + "/api/health", cookies={"gridwall_session": sid})
    assert replay.status_code == 401


def test_a_kiosk_token_signs_in_and_the_redirect_drops_only_the_token(secured, accounts):
    s = requests.Session()
    r = s.get(secured + "/?view=township&token=" + accounts.tokens["wall"] + "&x=1",
              allow_redirects=False)
    assert r.status_code == 302
    assert r.headers["Location"] == "/?view=township&x=1"
    assert "HttpOnly" in _cookie_header(r)
    assert s.get(secured + "/api/metrics").status_code == 200
    assert s.get(secured + "/api/events").status_code == 403


def test_a_kiosk_link_does_not_replace_a_signed_in_persons_session(secured, accounts):
    """A GET any site can send: an officer opening a kiosk link stays the officer (the token
    is dropped from the URL); a kiosk's own session is still renewed by a new token."""
    s = login(secured, "officer")
    sid = s.cookies["gridwall_session"]
    r = s.get(secured + "/?token=" + accounts.tokens["wall"] + "&x=1", allow_redirects=False)
    assert r.status_code == 302 and r.headers["Location"] == "/?x=1"
    assert "Set-Cookie" not in r.headers and s.cookies["gridwall_session"] == sid
    assert s.get(secured + "/api/events").status_code == 200            # still an officer
    k = requests.Session()
    k.get(secured + "/?token=" + accounts.tokens["wall"], allow_redirects=False)
    first = k.cookies["gridwall_session"]
    k.get(secured + "/?token=" + accounts.tokens["wall"], allow_redirects=False)
    assert k.cookies["gridwall_session"] != first


def test_a_wrong_kiosk_token_goes_to_the_login_page_without_the_token(secured):
    r = requests.get(secured + "/?token=gw_wrong", allow_redirects=False)
    assert r.status_code == 302 and "gw_wrong" not in r.headers["Location"]
    assert r.headers["Location"].startswith("/login?")


def test_a_state_changing_request_from_another_origin_is_refused(secured):
    s = login(secured, "officer")
    r = s.post(secured + "/logout", headers={"Origin": "http://evil.example"},
               allow_redirects=False)
    assert r.status_code == 403
    assert s.get(secured + "/api/health").status_code == 200  # still signed in


def test_repeated_failed_logins_get_slower_and_then_locked_out(secured, accounts):
    name, password = "throttled-user", "throttle-pass-1"
    assert cli("users", "add", "--db", str(accounts.db), "--name", name, "--role", "wall",
               stdin=password + "\n").returncode == 0

    def attempt(pw):
        t0 = time.perf_counter()
        r = requests.post(secured + "/login", data={"username": name, "password": pw},
                          allow_redirects=False)
        return r, time.perf_counter() - t0

    answers = [attempt("wrong") for _ in range(3)]
    assert [r.status_code for r, _ in answers] == [401, 401, 401]
    # 0.25 s, 0.5 s, 1 s added to the same password check (compared with slack for a busy host)
    assert answers[2][1] - answers[0][1] > 0.5
    assert int(answers[2][0].headers["Retry-After"]) >= 3
    locked, _ = attempt(password)  # the right password is not even checked while locked
    assert locked.status_code == 429 and "秒后再试" in locked.text
    time.sleep(int(locked.headers["Retry-After"]) + 0.2)
    again, _ = attempt("wrong")  # the next lockout is twice as long
    assert int(again.headers["Retry-After"]) >= 6
    time.sleep(int(again.headers["Retry-After"]) + 0.2)
    ok, _ = attempt(password)
    assert ok.status_code == 302


def test_every_response_carries_the_security_headers(secured, accounts):
    s = kiosk(secured, accounts.tokens["wall"])
    answers = [requests.get(secured + "/login"), requests.get(secured + "/api/health"),
               requests.get(secured + "/", allow_redirects=False),
               s.get(secured + "/"), s.get(secured + "/api/metrics"),
               s.get(secured + "/assets/gridwall.css"), s.get(secured + "/api/events")]
    for r in answers:
        for key, value in HEADERS.items():
            assert r.headers.get(key) == value, (r.url, key)
        csp = r.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'self'" in csp
        assert "'unsafe-eval'" not in csp
        script = csp.split("script-src ")[1].split(";")[0]
        assert "'unsafe-inline'" not in script and "http" not in csp


def test_only_the_dash_index_page_gets_hashes_for_its_inline_scripts(secured, accounts):
    s = kiosk(secured, accounts.tokens["wall"])
    index = s.get(secured + "/").headers["Content-Security-Policy"]
    login_csp = requests.get(secured + "/login").headers["Content-Security-Policy"]
    assert "'sha256-" in index
    assert "'sha256-" not in login_csp
