"""Accounts made by the real CLI and a real server that requires login: shared by the auth
tests and the admin tests, which each keep their own users and settings."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import requests

from tests.serving import ROOT, started

PASSWORDS = {"admin": "Adm1n-long-passphrase", "officer": "办案-officer-2026",
             "wall": "wall-pass-99"}


def county_copy(demo_db: Path, tmp_path_factory, folder: str) -> Path:
    """The demo county copied into a folder of its own (what gridwall writes beside it, the
    accounts and the admin's records, is then all there is in that folder)."""
    db = tmp_path_factory.mktemp(folder) / "county.duckdb"
    shutil.copyfile(demo_db, db)
    return db


def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dashboard", *args], cwd=ROOT, input=stdin,
                          capture_output=True, text=True, timeout=60)


def add_users(db: Path, users: dict[str, str], passwords: dict[str, str]) -> None:
    """``users add`` for each role -> name, the password typed on stdin."""
    for role, name in users.items():
        done = cli("users", "add", "--db", str(db), "--name", name, "--role", role,
                   stdin=passwords[role] + "\n")
        assert done.returncode == 0, done.stderr


def new_token(db: Path, role: str, name: str) -> str:
    done = cli("token", "--db", str(db), "--role", role, "--name", name)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def start(db: Path, *, settings: Path | None = None, host: str = "127.0.0.1",
          port: int | None = None) -> tuple[str, subprocess.Popen]:
    """``python -m dashboard`` as a subprocess; returns once /login answers."""
    return started(db, settings, host=host, port=port, ready="/login")


def sign_in(base: str, username: str, password: str) -> requests.Session:
    s = requests.Session()
    r = s.post(base + "/login", data={"username": username, "password": password},
               allow_redirects=False)
    assert r.status_code == 302, r.text
    return s
