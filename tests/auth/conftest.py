"""Accounts made by the real CLI and a real server that requires login.

The demo county database is copied into a directory of its own, so the test that greps every
file beside the database for secrets sees only what gridwall wrote there.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.serving import ROOT, free_port, stop_server

PASSWORDS = {"officer": "办案-officer-2026", "admin": "Adm1n-long-passphrase",
             "wall": "wall-pass-99"}
USERS = {"officer": "李警官", "admin": "admin", "wall": "大屏值守"}
# a short lockout so the throttle can be watched within a test
AUTH_SETTINGS = "[auth]\nrequired = true\nfree_failures = 2\nlockout_s = 3.0\n"


def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dashboard", *args], cwd=ROOT, input=stdin,
                          capture_output=True, text=True, timeout=60)


@dataclass
class Accounts:
    db: Path
    tokens: dict[str, str]  # role -> token


@pytest.fixture(scope="session")
def auth_db(wall_demo_db, tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("auth_county") / "county.duckdb"
    shutil.copyfile(wall_demo_db, db)
    return db


@pytest.fixture(scope="session")
def accounts(auth_db) -> Accounts:
    for role, name in USERS.items():
        done = cli("users", "add", "--db", str(auth_db), "--name", name, "--role", role,
                   stdin=PASSWORDS[role] + "\n")
        assert done.returncode == 0, done.stderr
    tokens = {}
    for role in ("wall", "officer"):
        done = cli("token", "--db", str(auth_db), "--role", role, "--name", f"{role}-token")
        assert done.returncode == 0, done.stderr
        tokens[role] = done.stdout.strip().splitlines()[-1]
    return Accounts(auth_db, tokens)


def start(db: Path, *, settings: Path | None = None, host: str = "127.0.0.1",
          port: int | None = None) -> tuple[str, subprocess.Popen]:
    """``python -m dashboard`` as a subprocess; returns once /login answers."""
    port = port or free_port()
    extra = ["--settings", str(settings)] if settings else []
    proc = subprocess.Popen(
        [sys.executable, "-m", "dashboard", "--db", str(db), "--host", host,
         "--port", str(port), *extra],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.stdout.read()}")
        try:
            if requests.get(base + "/login", timeout=2).status_code == 200:
                return base, proc
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline:
            stop_server(proc)
            raise TimeoutError("server did not come up")
        time.sleep(0.2)


@pytest.fixture(scope="session")
def auth_settings_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("auth_settings") / "settings.toml"
    path.write_text(AUTH_SETTINGS, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def secured(accounts, auth_settings_file):
    """Base URL of a server on 127.0.0.1 with ``[auth] required = true``."""
    base, proc = start(accounts.db, settings=auth_settings_file)
    yield base
    stop_server(proc)


def login(base: str, role: str) -> requests.Session:
    s = requests.Session()
    r = s.post(base + "/login", data={"username": USERS[role], "password": PASSWORDS[role]},
               allow_redirects=False)
    assert r.status_code == 302, r.text
    return s


def kiosk(base: str, token: str) -> requests.Session:
    s = requests.Session()
    r = s.get(base + "/?token=" + token, allow_redirects=False)
    assert r.status_code == 302 and "token" not in r.headers["Location"]
    return s
