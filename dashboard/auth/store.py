"""Users, tokens and sessions in ``<db>.auth.sqlite`` beside the DuckDB file.

Beside, not inside: the ETL replaces the DuckDB file by a swap on every load, and the accounts
must survive that. Only digests are stored (scrypt for passwords, SHA-256 for tokens and session
ids), the file is created 0600, and every call opens its own connection (waitress threads and
the CLI may write at the same time; SQLite serialises them).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import os
import secrets
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from dashboard.auth import kdf
from dashboard.auth.policy import ROLES

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY, role TEXT NOT NULL, pw_hash TEXT NOT NULL, created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (
    name TEXT PRIMARY KEY, role TEXT NOT NULL, digest TEXT NOT NULL UNIQUE, created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    digest TEXT PRIMARY KEY, kind TEXT NOT NULL, subject TEXT NOT NULL,
    created REAL NOT NULL, expires REAL NOT NULL);
"""
MIN_PASSWORD = 8
DISABLED = "disabled$"   # prefix of a disabled user's password hash (kdf rejects it)


class AuthStoreError(ValueError):
    """A refused account operation; the message is for the operator."""


def auth_path(db_path: str | Path) -> Path:
    p = Path(db_path)
    return p.with_name(p.name + ".auth.sqlite")


def audit_path(db_path: str | Path) -> Path:
    p = Path(db_path)
    return p.with_name(p.name + ".audit.jsonl")


def _now_text() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 64 or any(ord(c) < 32 or c in "\x7f$" for c in name):
        raise AuthStoreError("name must be 1-64 printable characters")
    return name


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AuthStoreError(f"role must be one of {', '.join(ROLES)}")
    return role


@dataclass(frozen=True)
class Session:
    kind: str      # "user" | "token"
    subject: str   # user or token name
    role: str
    expires: float


class AuthStore:
    def __init__(self, db_path: str | Path):
        self.path = auth_path(db_path)
        self._ready = False

    @contextlib.contextmanager
    def _conn(self):
        if not self._ready:
            self._create()
        con = sqlite3.connect(self.path, timeout=15)
        try:
            with con:  # one transaction: commit or roll back
                yield con
        finally:
            con.close()

    def _create(self) -> None:
        if not self.path.parent.is_dir():
            raise AuthStoreError(f"directory {self.path.parent} does not exist")
        try:
            os.close(os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except FileExistsError:
            pass
        con = sqlite3.connect(self.path, timeout=15)
        try:
            con.executescript(SCHEMA)
        finally:
            con.close()
        self._ready = True

    # --- users -----------------------------------------------------------------------------
    def add_user(self, name: str, role: str, password: str, *, replace: bool = False) -> None:
        name, role = check_name(name), check_role(role)
        if len(password) < MIN_PASSWORD:
            raise AuthStoreError(f"password must have at least {MIN_PASSWORD} characters")
        pw_hash = kdf.hash_password(password)
        with self._conn() as con:
            exists = con.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone()
            if exists and not replace:
                raise AuthStoreError(f"user {name!r} exists (use --replace to change it)")
            con.execute("DELETE FROM sessions WHERE kind = 'user' AND subject = ?", (name,))
            con.execute("INSERT OR REPLACE INTO users VALUES (?, ?, ?, ?)",
                        (name, role, pw_hash, _now_text()))

    def remove_user(self, name: str) -> None:
        with self._conn() as con:
            if con.execute("DELETE FROM users WHERE name = ?", (name,)).rowcount == 0:
                raise AuthStoreError(f"no user {name!r}")
            con.execute("DELETE FROM sessions WHERE kind = 'user' AND subject = ?", (name,))

    def users(self) -> list[tuple[str, str, str]]:
        with self._conn() as con:
            return con.execute("SELECT name, role, created FROM users ORDER BY name").fetchall()

    def set_role(self, name: str, role: str) -> None:
        role = check_role(role)
        with self._conn() as con:
            if con.execute("UPDATE users SET role = ? WHERE name = ?", (role, name)).rowcount == 0:
                raise AuthStoreError(f"no user {name!r}")

    def set_disabled(self, name: str, disabled: bool) -> None:
        """Disable (no login, sessions ended) or enable a user; the password hash is kept
        behind a prefix that no password check accepts."""
        with self._conn() as con:
            row = con.execute("SELECT pw_hash FROM users WHERE name = ?", (name,)).fetchone()
            if row is None:
                raise AuthStoreError(f"no user {name!r}")
            pw = row[0].removeprefix(DISABLED)
            con.execute("UPDATE users SET pw_hash = ? WHERE name = ?",
                        ((DISABLED + pw) if disabled else pw, name))
            if disabled:
                con.execute("DELETE FROM sessions WHERE kind = 'user' AND subject = ?", (name,))

    def user_states(self) -> list[tuple[str, str, str, bool]]:
        """(name, role, created, disabled) of every user."""
        with self._conn() as con:
            return [(n, r, c, h.startswith(DISABLED)) for n, r, c, h in con.execute(
                "SELECT name, role, created, pw_hash FROM users ORDER BY name")]

    def check_password(self, name: str, password: str) -> str | None:
        """The user's role when ``password`` is right, else None (same cost either way)."""
        with self._conn() as con:
            row = con.execute("SELECT role, pw_hash FROM users WHERE name = ?",
                              (name,)).fetchone()
        if row is None or row[1].startswith(DISABLED):   # unknown or disabled: same cost
            kdf.verify_password(password, kdf.dummy_hash())
            return None
        return row[0] if kdf.verify_password(password, row[1]) else None

    # --- tokens ----------------------------------------------------------------------------
    def add_token(self, role: str, name: str | None = None) -> tuple[str, str]:
        """A new token for ``role``: returns (name, token); only its digest is kept."""
        role = check_role(role)
        name = check_name(name or f"{role}-{secrets.token_hex(3)}")
        token = kdf.new_token()
        with self._conn() as con:
            if con.execute("SELECT 1 FROM tokens WHERE name = ?", (name,)).fetchone():
                raise AuthStoreError(f"token {name!r} exists (revoke it first)")
            con.execute("INSERT INTO tokens VALUES (?, ?, ?, ?)",
                        (name, role, kdf.token_digest(token), _now_text()))
        return name, token

    def revoke_token(self, name: str) -> None:
        with self._conn() as con:
            if con.execute("DELETE FROM tokens WHERE name = ?", (name,)).rowcount == 0:
                raise AuthStoreError(f"no token {name!r}")
            con.execute("DELETE FROM sessions WHERE kind = 'token' AND subject = ?", (name,))

    def tokens(self) -> list[tuple[str, str, str]]:
        with self._conn() as con:
            return con.execute("SELECT name, role, created FROM tokens ORDER BY name").fetchall()

    def check_token(self, token: str) -> tuple[str, str] | None:
        """(name, role) of a valid token, else None."""
        if not token or len(token) > 200:
            return None
        with self._conn() as con:
            return con.execute("SELECT name, role FROM tokens WHERE digest = ?",
                               (kdf.token_digest(token),)).fetchone()

    # --- sessions --------------------------------------------------------------------------
    def new_session(self, kind: str, subject: str, hours: float, now: float) -> str:
        sid = secrets.token_urlsafe(32)
        with self._conn() as con:
            con.execute("DELETE FROM sessions WHERE expires < ?", (now,))
            con.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, ?)",
                        (kdf.token_digest(sid), kind, subject, now, now + hours * 3600))
        return sid

    def session(self, sid: str, now: float) -> Session | None:
        """The live session for cookie value ``sid``, with the subject's current role."""
        if not sid or len(sid) > 200:
            return None
        with self._conn() as con:
            row = con.execute(
                "SELECT s.kind, s.subject, coalesce(u.role, t.role), s.expires FROM sessions s"
                " LEFT JOIN users u ON s.kind = 'user' AND u.name = s.subject"
                " LEFT JOIN tokens t ON s.kind = 'token' AND t.name = s.subject"
                " WHERE s.digest = ? AND s.expires > ?",
                (kdf.token_digest(sid), now)).fetchone()
        if row is None or row[2] is None:  # expired, or its user/token was removed
            return None
        return Session(*row)

    def extend_session(self, sid: str, expires: float) -> None:
        with self._conn() as con:
            con.execute("UPDATE sessions SET expires = ? WHERE digest = ?",
                        (expires, kdf.token_digest(sid)))

    def end_session(self, sid: str) -> None:
        with self._conn() as con:
            con.execute("DELETE FROM sessions WHERE digest = ?", (kdf.token_digest(sid),))
