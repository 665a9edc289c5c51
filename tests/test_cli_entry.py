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


def test_the_served_wall_renders_its_views_before_anyone_opens_it(tmp_path):
    """A drill-down in a wall's first seconds must not wait for a render (0.39 s at 1 M events
    when the renderer started only with the first visitor): `python -m dashboard` starts it,
    and /api/health says when the county and every township view are ready."""
    import datetime as dt
    import time

    import requests

    from tests.serving import running_server
    from tests.store.dbmaker import ev

    t = dt.datetime(2025, 3, 3, 9, 0)
    db = make_db(tmp_path / "county.duckdb", [ev("E1", t), ev("E2", t, grid="G3")],
                 meta={"as_of_mode": "newest_report"})
    with running_server(db) as (base, _proc):
        deadline = time.monotonic() + 60
        body = requests.get(base + "/api/health", timeout=10).json()
        while body["wall_prerendered"] is None and time.monotonic() < deadline:
            time.sleep(0.3)      # no page was opened: only the server's own renderer can do it
            body = requests.get(base + "/api/health", timeout=10).json()
    done = body["wall_prerendered"]
    assert done is not None, "the wall's views were not rendered until someone opened it"
    assert done["views"] == 3                        # the county and its two townships
    assert done["as_of"] == "2025-03-03T09:00:00"
    assert done["data_version"]


def test_what_the_readme_commands_write_beside_a_database_in_the_clone_is_ignored_by_git(
        tmp_path):
    """`--db county.duckdb` run in the clone writes accounts (password hashes), an audit log
    and the admin page's uploads (personal data) beside it: none may be one `git add` away.
    The project's .gitignore is read in a repository of its own, so the check runs in a
    release tarball too, not only in a checkout."""
    import shutil

    shutil.copy(ROOT / ".gitignore", tmp_path / ".gitignore")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True, timeout=30)
    paths = ["county.duckdb", "county.duckdb.auth.sqlite", "county.duckdb.audit.jsonl",
             "county.duckdb.admin/runs/1/events.csv", "county.duckdb.admin/presets/p.toml",
             "county.duckdb.spill-12/part-0.parquet", "county.duckdb.tmp-12",
             "county.duckdb.lock", "ch/gridwall.auth.sqlite", "gridwall.egg-info/PKG-INFO"]
    res = subprocess.run(["git", "check-ignore", "--no-index", *paths], cwd=tmp_path,
                         capture_output=True, text=True, timeout=30)
    assert sorted(res.stdout.split()) == sorted(paths)


def test_debug_mode_is_refused_on_the_lan(tmp_path):
    """--debug is Flask's server with Werkzeug's debugger: not for --host 0.0.0.0."""
    db = make_db(tmp_path / "w.duckdb", [])
    res = subprocess.run([sys.executable, "-m", "dashboard", "--db", str(db), "--host",
                          "0.0.0.0", "--port", str(free_port()), "--debug"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=20,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert res.returncode == 2 and "--debug" in res.stderr and res.stdout == ""


def test_debug_mode_serves_on_loopback(tmp_path):
    """Its reloader's child ran the port check against the port its parent held: exit 2."""
    import time

    import requests

    db = make_db(tmp_path / "w.duckdb", [])
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "dashboard", "--db", str(db), "--port",
                             str(port), "--debug"], cwd=tmp_path, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    try:
        deadline, ok = time.monotonic() + 15, False
        while time.monotonic() < deadline and proc.poll() is None and not ok:
            try:
                ok = requests.get(f"http://127.0.0.1:{port}/api/health", timeout=2).ok
            except requests.ConnectionError:
                time.sleep(0.3)
        assert ok, proc.stderr.read() if proc.poll() is not None else "no answer"
    finally:
        import os
        import signal

        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
