"""Password hashing (scrypt, memory-hard, stdlib) and kiosk/API token digests.

A stored password is ``scrypt$N$r$p$salt$hash`` (base64); the parameters travel with the hash
so they can be raised later without invalidating old users. Tokens are 32 random bytes, so a
plain SHA-256 is enough to store them: nothing can be guessed back from it.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets

N, R, P, DKLEN = 2**15, 8, 1, 32  # 32 MiB per hash, ~0.1 s
TOKEN_PREFIX = "gw_"


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode("ascii")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p,
                          maxmem=2 * 128 * r * n + 1024 * 1024, dklen=dklen)


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, N, R, P, DKLEN)
    return f"scrypt${N}${R}${P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        expected = base64.b64decode(digest)
        got = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p), len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


@functools.cache
def dummy_hash() -> str:
    """Verifying against this when the user does not exist costs as much as a real check,
    so the response time does not tell which user names exist."""
    return hash_password(secrets.token_urlsafe(16))


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
