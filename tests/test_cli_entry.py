"""The two commands a user types: a busy port is one line and exit 2; pyproject's console
scripts point at real entry functions."""
from __future__ import annotations

import importlib
import socket
import subprocess
import sys
import tomllib

from tests.serving import ROOT, free_port
from tests.store.dbmaker import make_db


def test_a_second_server_on_a_busy_port_says_so_in_one_line_and_exits_2(tmp_path):
    db = make_db(tmp_path / "w.duckdb", [])
    port = free_port()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        res = subprocess.run([sys.executable, "-m", "dashboard", "--db", str(db), "--port",
                              str(port)], cwd=tmp_path, capture_output=True, text=True,
                             timeout=120, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert res.returncode == 2
    assert res.stdout == ""
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"端口 {port} 已被占用 (port in use): ")
    assert "Traceback" not in res.stderr


def test_a_free_port_is_not_reported_busy():
    from dashboard.__main__ import port_in_use

    assert port_in_use("127.0.0.1", free_port()) is None


def test_console_scripts_name_real_entry_functions():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    scripts = project["project"]["scripts"]
    assert set(scripts) == {"gridwall", "gridwall-etl"}
    for target in scripts.values():
        module, func = target.split(":")
        assert callable(getattr(importlib.import_module(module), func))
    # the installed package depends on exactly what requirements.txt pins (one list)
    assert "dependencies" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["dependencies"] == {
        "file": ["requirements.txt"]}


def test_the_etl_command_answers_from_any_folder(tmp_path):
    res = subprocess.run([sys.executable, "-m", "etl", "--help"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=60,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert res.returncode == 0 and "load" in res.stdout


def test_the_server_removes_copies_a_killed_load_left_when_it_starts(tmp_path):
    from tests.serving import running_server

    db = make_db(tmp_path / "county.duckdb", [])
    leftover = tmp_path / "county.duckdb.tmp-424242"
    leftover.write_bytes(b"half a database")
    with running_server(db) as (_base, _proc):
        assert not leftover.exists()
    assert db.exists()
