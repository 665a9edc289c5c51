"""Accounts made by the real CLI and a real server that requires login.

The demo county database is copied into a directory of its own, so the test that greps every
file beside the database for secrets sees only what gridwall wrote there.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

# PASSWORDS, cli and start are also imported from here by this folder's tests
from tests.accounts import (PASSWORDS, add_users, cli, county_copy, new_token,  # noqa: F401
                            sign_in, start)
from tests.serving import settings_file, stop_server

USERS = {"officer": "李警官", "admin": "admin", "wall": "大屏值守"}
# a short lockout so the throttle can be watched within a test
AUTH_SETTINGS = "[auth]\nrequired = true\nfree_failures = 2\nlockout_s = 3.0\n"


@dataclass
class Accounts:
    db: Path
    tokens: dict[str, str]  # role -> token


@pytest.fixture(scope="session")
def auth_db(wall_demo_db, tmp_path_factory) -> Path:
    return county_copy(wall_demo_db, tmp_path_factory, "auth_county")


@pytest.fixture(scope="session")
def accounts(auth_db) -> Accounts:
    add_users(auth_db, USERS, PASSWORDS)
    tokens = {role: new_token(auth_db, role, f"{role}-token") for role in ("wall", "officer")}
    return Accounts(auth_db, tokens)


@pytest.fixture(scope="session")
def auth_settings_file(tmp_path_factory) -> Path:
    return settings_file(tmp_path_factory, "auth_settings", AUTH_SETTINGS)


@pytest.fixture(scope="session")
def secured(accounts, auth_settings_file):
    """Base URL of a server on 127.0.0.1 with ``[auth] required = true``."""
    base, proc = start(accounts.db, settings=auth_settings_file)
    yield base
    stop_server(proc)


def login(base: str, role: str) -> requests.Session:
    return sign_in(base, USERS[role], PASSWORDS[role])


def kiosk(base: str, token: str) -> requests.Session:
    s = requests.Session()
    r = s.get(base + "/?token=" + token, allow_redirects=False)
    assert r.status_code == 302 and "token" not in r.headers["Location"]
    return s
