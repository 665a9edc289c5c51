"""The ``[auth]`` settings section: keys, defaults and the one rule for ``required``.

The defaults live with every other key in ``store.settings.DEFAULTS``. Keys:

[auth]
    required (bool or "auto", "auto")  true: every route needs a role (see policy.py);
                                       "auto": true unless the server listens on loopback only
    session_hours (float, 12)          a password login lasts this long (absolute);
                                       a kiosk's token session slides while the wall refreshes
    open_role (str, "officer")         role of a visitor without a session when not required
    cookie_secure (bool, false)        mark the session cookie Secure (serve behind TLS)
    free_failures (int, 3)             failed logins per user+IP before the lockout starts
    lockout_s (float, 2)               first lockout; doubles with every further failure
    lockout_max_s (float, 900)
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from store import settings as _store_settings

AUTH_DEFAULTS = _store_settings.DEFAULTS["auth"]

LOOPBACK_NAMES = {"localhost", "ip6-localhost", "ip6-loopback"}


def is_loopback(host: str | None) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost; None (no server yet) counts as loopback."""
    if host is None:
        return True
    h = host.strip().strip("[]").lower()
    if h in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(h).is_loopback
    except ValueError:
        return False  # a hostname or 0.0.0.0 / :: (every interface): not loopback


@dataclass(frozen=True)
class AuthSettings:
    required: bool
    session_hours: float
    open_role: str
    cookie_secure: bool
    free_failures: int
    lockout_s: float
    lockout_max_s: float


class AuthSettingsError(_store_settings.SettingsError):
    """A bad [auth] value; the server refuses to start with this message."""


def auth_settings(section: dict | None, host: str | None = None) -> AuthSettings:
    """Merge ``section`` (the [auth] table, may be None) over the defaults and validate."""
    from dashboard.auth.policy import ROLES

    raw = {**AUTH_DEFAULTS, **(section or {})}
    unknown = set(raw) - set(AUTH_DEFAULTS)
    if unknown:
        raise AuthSettingsError(f"unknown setting auth.{sorted(unknown)[0]}")
    req = raw["required"]
    if req == "auto":
        required = not is_loopback(host)
    elif isinstance(req, bool):
        required = req
    else:
        raise AuthSettingsError('auth.required must be true, false or "auto"')
    if raw["open_role"] not in ROLES or raw["open_role"] == "admin":
        raise AuthSettingsError("auth.open_role must be wall or officer")
    if not float(raw["session_hours"]) > 0:
        raise AuthSettingsError("auth.session_hours must be positive")
    return AuthSettings(
        required=required,
        session_hours=float(raw["session_hours"]),
        open_role=raw["open_role"],
        cookie_secure=bool(raw["cookie_secure"]),
        free_failures=int(raw["free_failures"]),
        lockout_s=float(raw["lockout_s"]),
        lockout_max_s=float(raw["lockout_max_s"]),
    )
