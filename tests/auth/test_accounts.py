"""The users/token commands, and what they leave beside the database: digests only, 0600,
untouched by a load that swaps the database."""
from __future__ import annotations

import os
import stat
import subprocess
import sys

import requests

from tests.auth.conftest import PASSWORDS, USERS, cli, kiosk, login
from tests.serving import ROOT


def test_users_add_reads_one_line_of_password_from_stdin_and_list_shows_roles(accounts):
    listed = cli("users", "list", "--db", str(accounts.db))
    assert listed.returncode == 0
    rows = {line.split("\t")[0]: line.split("\t")[1] for line in listed.stdout.splitlines()}
    assert rows[USERS["officer"]] == "officer" and rows[USERS["admin"]] == "admin"
    assert not any(p in listed.stdout for p in PASSWORDS.values())


def test_a_short_password_a_duplicate_user_or_an_unknown_role_is_refused_with_exit_2(accounts):
    db = str(accounts.db)
    short = cli("users", "add", "--db", db, "--name", "x", "--role", "wall", stdin="short\n")
    assert short.returncode == 2 and "at least 8" in short.stderr
    dup = cli("users", "add", "--db", db, "--name", USERS["admin"], "--role", "admin",
              stdin="another-long-pass\n")
    assert dup.returncode == 2 and "exists" in dup.stderr
    role = cli("users", "add", "--db", db, "--name", "y", "--role", "root", stdin="long-enough\n")
    assert role.returncode == 2


def test_the_token_command_prints_the_token_as_its_last_line_and_list_never_shows_it(accounts):
    made = cli("token", "--db", str(accounts.db), "--role", "wall")
    assert made.returncode == 0
    token = made.stdout.strip().splitlines()[-1]
    assert token.startswith("gw_") and len(token) > 40
    listed = cli("token", "--db", str(accounts.db), "--list")
    assert "wall-token" in listed.stdout and token not in listed.stdout


def test_removing_a_user_or_revoking_a_token_ends_their_sessions_at_once(secured, accounts):
    db = str(accounts.db)
    assert cli("users", "add", "--db", db, "--name", "temp", "--role", "officer",
               stdin="temp-pass-123\n").returncode == 0
    s = requests.Session()
    s.post(secured + "/login", data={"username": "temp", "password": "temp-pass-123"})
    assert s.get(secured + "/api/health").status_code == 200
    assert cli("users", "remove", "--db", db, "--name", "temp").returncode == 0
    assert s.get(secured + "/api/health").status_code == 401

    token = cli("token", "--db", db, "--role", "wall", "--name", "kiosk-9").stdout.split()[-1]
    k = kiosk(secured, token)
    assert k.get(secured + "/api/health").status_code == 200
    assert cli("token", "--db", db, "--revoke", "kiosk-9").returncode == 0
    assert k.get(secured + "/api/health").status_code == 401
    bearer = {"Authorization": f"Bearer {token}"}
    assert requests.get(secured + "/api/health", headers=bearer).status_code == 401


def test_no_password_token_or_session_id_is_written_in_clear_beside_the_database(secured,
                                                                                 accounts):
    secrets = list(PASSWORDS.values()) + list(accounts.tokens.values())
    for role in ("officer", "admin", "wall"):
        secrets.append(login(secured, role).cookies["gridwall_session"])
    ended = login(secured, "officer")
    secrets.append(ended.cookies["gridwall_session"])
    ended.post(secured + "/logout")
    k = kiosk(secured, accounts.tokens["wall"])
    secrets.append(k.cookies["gridwall_session"])
    requests.post(secured + "/login", data={"username": USERS["admin"], "password": "admin-typo"})
    files = [p for p in accounts.db.parent.rglob("*") if p.is_file()]
    assert any(p.name.endswith(".auth.sqlite") for p in files)
    for path in files:
        data = path.read_bytes()
        for secret in secrets:
            assert secret.encode() not in data, (path.name, "holds a secret in clear")
    auth_file = accounts.db.with_name(accounts.db.name + ".auth.sqlite")
    assert stat.S_IMODE(os.stat(auth_file).st_mode) == 0o600


def test_accounts_and_sessions_survive_a_load_that_swaps_the_database(secured, accounts,
                                                                      wall_demo_db):
    officer = login(secured, "officer")
    before = os.stat(accounts.db).st_ino
    config = wall_demo_db.parent / "src" / "load.toml"
    load = subprocess.run([sys.executable, "-m", "etl", "load", "--db", str(accounts.db),
                           "--config", str(config)], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert load.returncode == 0, load.stderr[-2000:]
    assert os.stat(accounts.db).st_ino != before  # a new file was swapped in
    assert officer.get(secured + "/api/health").status_code == 200
    login(secured, "admin")
    bearer = {"Authorization": "Bearer " + accounts.tokens["wall"]}
    assert requests.get(secured + "/api/metrics", headers=bearer).status_code == 200


def test_accounts_for_a_database_that_does_not_exist_are_refused_and_nothing_is_written(
        tmp_path):
    """A misspelt --db (contry.duckdb) made contry.duckdb.auth.sqlite and said 'saved': the
    served county.duckdb then refused the admin's password."""
    typo = tmp_path / "contry.duckdb"
    add = cli("users", "add", "--db", str(typo), "--name", "admin", "--role", "admin",
              stdin="a-long-passphrase\n")
    tok = cli("token", "--db", str(typo), "--role", "wall")
    for done in (add, tok):
        assert done.returncode == 2 and "no such database" in done.stderr, done.stderr
    assert list(tmp_path.iterdir()) == []
