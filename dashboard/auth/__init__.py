"""Who may see what: roles, login, kiosk tokens, security headers, the raw-data audit log.

``install(server, ctx_or_settings, db_path, host=None)`` is the one hook the app calls.
Other code asks ``current_role()`` to decide raw vs masked personal data and calls
``audit(event_ids, route)`` whenever it shows an admin raw personal data.
"""
from __future__ import annotations

import threading
from pathlib import Path

import flask

from dashboard.auth.policy import ROLES, required_role
from dashboard.auth.settings import AuthSettings, auth_settings, is_loopback
from dashboard.auth.store import AuthStore, audit_path
from dashboard.auth.throttle import LoginThrottle
from dashboard.auth.web import audit, audit_query, current_role, current_user

__all__ = ["install", "current_role", "current_user", "audit", "audit_query",
           "sees_raw_personal_data",
           "ROLES", "required_role", "is_loopback"]


def sees_raw_personal_data() -> bool:
    """True only for admin: everyone else gets reporter name and phone masked."""
    return current_role() == "admin"


def install(server: flask.Flask, ctx_or_settings, db_path: str | Path,
            host: str | None = None) -> AuthSettings:
    """Guard every route of ``server`` (policy.py), serve /login and /logout, add headers."""
    from dashboard.auth.web import AuthState, install_routes

    settings = getattr(ctx_or_settings, "settings", ctx_or_settings)
    section = settings.raw.get("auth") if settings is not None else None
    cfg = auth_settings(section, host)
    store = AuthStore(db_path)
    store.users()  # creates the file (0600) and its tables now, not on the first login
    st = AuthState(
        settings=cfg, store=store,
        throttle=LoginThrottle(cfg.free_failures, cfg.lockout_s, cfg.lockout_max_s),
        audit_path=audit_path(db_path), audit_lock=threading.Lock())
    install_routes(server, st)
    return cfg
