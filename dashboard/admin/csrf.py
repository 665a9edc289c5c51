"""CSRF tokens for the admin page's forms, beside the SameSite=Lax session cookie.

The token is derived from the session id (SHA-256 of a fixed label and the id): unguessable
without the HttpOnly cookie, different for every session, and nothing to store or keep
secret. A request signed with ``Authorization: Bearer`` needs none (a browser never adds
that header on its own).
"""
from __future__ import annotations

import hashlib
import hmac

import flask

from dashboard.auth.web import COOKIE

FIELD = "csrf_token"


def token() -> str:
    sid = flask.request.cookies.get(COOKIE, "")
    return hashlib.sha256(b"gridwall-admin-csrf\x00" + sid.encode("utf-8")).hexdigest()


def valid() -> bool:
    if flask.g.get("gw_kind") == "bearer":
        return True
    if not flask.request.cookies.get(COOKIE):
        return False
    sent = flask.request.form.get(FIELD) or flask.request.headers.get("X-CSRF-Token") or ""
    return hmac.compare_digest(sent.encode("utf-8"), token().encode("utf-8"))
