"""Hooks auth into the Flask server: the guard before every request, /login, /logout, headers.

Identity comes from, in order: ``Authorization: Bearer <token>``, the session cookie, or a
``?token=`` on a page (a kiosk signing in; answered by a redirect without the token). Sessions
live server-side (their ids hashed in the auth store), so there is no signing key to keep
secret, a restart keeps everyone signed in, and removing a user or token ends its sessions.
"""
from __future__ import annotations

import json
import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import flask

from dashboard.auth import pages
from dashboard.auth.headers import add_security_headers
from dashboard.auth.policy import PUBLIC, RANK, allows, is_machine_path, required_role
from dashboard.auth.settings import AuthSettings
from dashboard.auth.store import AuthStore, audit_path
from dashboard.auth.throttle import LoginThrottle

COOKIE = "gridwall_session"
EXT = "gridwall_auth"
LOGIN_REQUIRED = {"error": "未登录 (login required)"}
FORBIDDEN = "权限不足 (forbidden)"


@dataclass
class AuthState:
    settings: AuthSettings
    store: AuthStore
    throttle: LoginThrottle
    audit_path: Path
    audit_lock: threading.Lock


def state() -> AuthState:
    return flask.current_app.extensions[EXT]


# --- who is asking ------------------------------------------------------------------------
def current_role() -> str | None:
    """The role the current request acts with ("wall" | "officer" | "admin"), or None.

    When auth is not required, a visitor without a session acts as ``[auth] open_role``
    (officer by default), never as admin. Outside a request: None.
    """
    if not flask.has_request_context():
        return None
    return flask.g.get("gw_role")


def current_user() -> str | None:
    """User or token name of the current request (None without a session)."""
    return flask.g.get("gw_user") if flask.has_request_context() else None


def audit(event_ids, route: str | None = None) -> None:
    """Append one JSON line: who saw raw personal data of which events, on which route."""
    st = state()
    line = json.dumps({
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "user": current_user(),
        "role": current_role(),
        "route": route or (flask.request.path if flask.has_request_context() else None),
        "ip": flask.request.remote_addr if flask.has_request_context() else None,
        "event_ids": [str(e) for e in event_ids],
    }, ensure_ascii=False)
    with st.audit_lock:
        fd = os.open(st.audit_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as f:
            f.write(line + "\n")


# filter keys whose values are codes, dates or vocabulary, never typed-in personal data
PLAIN_KEYS = frozenset({"start", "end", "window", "as_of", "township", "grid", "category",
                        "channel", "department", "status", "warning", "scope", "sort",
                        "header", "load", "reason", "raw", "page", "page_size"})
_CASE_NUMBER = re.compile(r"[A-Za-z]{1,6}[-_]?\d[\w-]*")
# a run of letters (any script); 4+ digits that are not part of a number mask_text masked
_LETTERS_OR_DIGITS = re.compile(r"[^\W\d_]+|(?<![\d*])\d{4,}(?![\d*])")


def _cut(m: re.Match) -> str:
    keep = 2 if m[0][0].isdigit() else 1
    return m[0][:keep] + "*" * (len(m[0]) - keep)


def _typed_word(word: str) -> str:
    """One word typed into a search (after store.privacy.mask_text), as the audit log keeps
    it: a case number as written; in anything else every run of letters keeps its first
    character (a name, a street) and every run of 4+ digits its first 2 (part of a number)."""
    if _CASE_NUMBER.fullmatch(word):
        return word
    return _LETTERS_OR_DIGITS.sub(_cut, word)


def audit_query(args) -> str:
    """The export's filters for the audit log without the personal data a keyword may hold:
    ``q=13912345678 张三`` is kept as ``q=139****5678 张*`` (numbers masked as on screen,
    words cut to their first character; a case number ``E2026000123`` stays); codes, dates
    and vocabulary stay as given. Before,
    the raw query string went in whole, so the log copied what the export was audited for."""
    from store.privacy import mask_text

    parts = []
    for key, value in args.items(multi=True):
        if key not in PLAIN_KEYS:
            value = " ".join(_typed_word(w) for w in mask_text(value).split())
        parts.append(f"{key}={value}")
    return "&".join(parts)


# --- helpers ------------------------------------------------------------------------------
def _safe_next(value: str | None) -> str:
    """Only a local path: '/x?y'; never '//host', '/\\host' or 'http://...'."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return "/"
    if any(c in value for c in "\r\n\t\\") or ":" in value.split("?", 1)[0]:
        return "/"
    return value


def _here(drop_token: bool = False) -> str:
    req = flask.request
    items = [(k, v) for k, v in req.args.items(multi=True) if not (drop_token and k == "token")]
    return req.path + ("?" + urlencode(items) if items else "")


def _set_cookie(resp: flask.Response, sid: str, expires: float) -> None:
    st = state()
    resp.set_cookie(COOKIE, sid, expires=int(expires), path="/", httponly=True,
                    samesite="Lax", secure=st.settings.cookie_secure or flask.request.is_secure)


def _json(status: int, body: dict, **headers) -> flask.Response:
    resp = flask.jsonify(body)
    resp.status_code = status
    resp.headers.update(headers)
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _unauthenticated(path: str) -> flask.Response:
    if is_machine_path(path):
        return _json(401, LOGIN_REQUIRED, **{"WWW-Authenticate": 'Bearer realm="gridwall"'})
    resp = flask.redirect("/login?" + urlencode({"next": _here(drop_token=True)}), 302)
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _forbidden(path: str, role: str | None, needed: str) -> flask.Response:
    if is_machine_path(path):
        return _json(403, {"error": FORBIDDEN, "role": role, "needed": needed})
    resp = flask.make_response(pages.forbidden_page(role, needed), 403)
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _cross_site() -> bool:
    """A state-changing request announced from another origin (defence beside SameSite)."""
    req = flask.request
    if req.method in ("GET", "HEAD", "OPTIONS"):
        return False
    origin = req.headers.get("Origin")
    return bool(origin) and origin != "null" and origin.rstrip("/") != req.host_url.rstrip("/")


# --- the guard ----------------------------------------------------------------------------
def _identify(st: AuthState, now: float) -> tuple[str | None, str | None, str | None]:
    """(kind, subject, role) from the Bearer header or the session cookie."""
    req = flask.request
    header = req.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        hit = st.store.check_token(header[7:].strip())
        return ("bearer", hit[0], hit[1]) if hit else ("bad-bearer", None, None)
    sid = req.cookies.get(COOKIE)
    if sid:
        sess = st.store.session(sid, now)
        if sess is not None:
            flask.g.gw_sid = sid
            half = st.settings.session_hours * 1800
            if sess.kind == "token" and sess.expires - now < half:  # a kiosk slides on
                flask.g.gw_extend = now + st.settings.session_hours * 3600
                st.store.extend_session(sid, flask.g.gw_extend)
            return sess.kind, sess.subject, sess.role
    return None, None, None


def _guard():
    st = state()
    req = flask.request
    path = req.path
    now = time.time()
    if _cross_site():
        return _json(403, {"error": "跨站请求被拒绝 (cross-site request refused)"})
    kind, subject, role = _identify(st, now)
    if kind == "bad-bearer":
        return _json(401, {"error": "令牌无效 (invalid token)"},
                     **{"WWW-Authenticate": 'Bearer error="invalid_token"'})
    if (req.method == "GET" and "token" in req.args and not is_machine_path(path)
            and path != "/login"):
        if kind == "user":
            # a signed-in person keeps their session: a kiosk link (a GET any site can
            # send) must not silently swap it for a wall session; the token is dropped
            resp = flask.redirect(_safe_next(_here(drop_token=True)), 302)
            resp.headers["Cache-Control"] = "no-store"
            return resp
        return _kiosk_sign_in(st, path, now)
    effective = role
    if not st.settings.required and (role is None or RANK[role] < RANK[st.settings.open_role]):
        effective = st.settings.open_role
    flask.g.gw_user, flask.g.gw_role, flask.g.gw_kind = subject, effective, kind
    needed = required_role(path)
    if needed is None or needed == PUBLIC or allows(effective, needed):
        return None
    if role is None:
        return _unauthenticated(path)
    return _forbidden(path, effective, needed)


def _kiosk_sign_in(st: AuthState, path: str, now: float) -> flask.Response:
    hit = st.store.check_token(flask.request.args.get("token", ""))
    if hit is None:
        return flask.redirect("/login?" + urlencode(
            {"next": _here(drop_token=True), "error": "token"}), 302)
    sid = st.store.new_session("token", hit[0], st.settings.session_hours, now)
    resp = flask.redirect(_safe_next(_here(drop_token=True)), 302)  # never '//other.host'
    _set_cookie(resp, sid, now + st.settings.session_hours * 3600)
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _after(resp: flask.Response) -> flask.Response:
    extend = flask.g.get("gw_extend")
    if extend and flask.g.get("gw_sid"):
        _set_cookie(resp, flask.g.gw_sid, extend)
    return add_security_headers(resp)


# --- /login and /logout -------------------------------------------------------------------
def _login_get():
    args = flask.request.args
    error = "令牌无效或已吊销，请登录" if args.get("error") == "token" else None
    resp = flask.make_response(pages.login_page(_safe_next(args.get("next")), error))
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _login_post():
    st = state()
    form = flask.request.form
    if flask.request.is_json:  # scripts may post {"username": …, "password": …}
        body = flask.request.get_json(silent=True)
        body = body if isinstance(body, dict) else {}
        form = {k: v for k, v in body.items() if isinstance(v, str)}
    name = (form.get("username") or "").strip()[:64]
    password = form.get("password") or ""
    nxt = _safe_next(form.get("next") or flask.request.args.get("next"))
    ip = flask.request.remote_addr or "-"

    def refuse(status: int, message: str, **headers):
        resp = flask.make_response(pages.login_page(nxt, message, name), status)
        resp.headers.update(headers)
        resp.headers["Cache-Control"] = "no-store"
        return resp

    wait = st.throttle.wait_s(name, ip)
    if wait > 0:
        st.throttle.slow_down(st.throttle.failures(name, ip))
        return refuse(429, f"登录失败次数过多，请 {int(wait) + 1} 秒后再试",
                      **{"Retry-After": str(int(wait) + 1)})
    role = st.store.check_password(name, password) if name and password else None
    if role is None:
        st.throttle.slow_down(st.throttle.failures(name, ip) + 1)
        wait = st.throttle.failed(name, ip)  # after the delay: the lockout starts at the answer
        headers = {"Retry-After": str(int(wait) + 1)} if wait > 0 else {}
        return refuse(401, "用户名或密码错误", **headers)
    st.throttle.succeeded(name, ip)
    now = time.time()
    old = flask.request.cookies.get(COOKIE)
    if old:
        st.store.end_session(old)  # a fresh id at every login (no session fixation)
    sid = st.store.new_session("user", name, st.settings.session_hours, now)
    resp = flask.redirect(nxt, 302)
    _set_cookie(resp, sid, now + st.settings.session_hours * 3600)
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _logout():
    sid = flask.request.cookies.get(COOKIE)
    if sid:
        state().store.end_session(sid)
    resp = flask.redirect("/login", 302)
    resp.delete_cookie(COOKIE, path="/", httponly=True, samesite="Lax")
    resp.headers["Cache-Control"] = "no-store"
    return resp


def install_routes(server: flask.Flask, st: AuthState) -> None:
    server.extensions[EXT] = st
    # the guard runs before every other before_request hook
    server.before_request_funcs.setdefault(None, []).insert(0, _guard)
    # Headers go on before every after_request hook, whatever order they were added in: the
    # CSP hashes need the index page's body before flask-compress (of any Dash app mounted on
    # this server, even one created after this call) compresses it.
    process_response = server.process_response

    def _process_response(response):
        return process_response(_after(response))

    server.process_response = _process_response
    server.add_url_rule("/login", "gw_login_form", _login_get, methods=["GET"])
    server.add_url_rule("/login", "gw_login", _login_post, methods=["POST"])
    server.add_url_rule("/logout", "gw_logout", _logout, methods=["POST"])
