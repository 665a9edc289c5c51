"""Bad set-ups an operator meets on the first day: a ``--db`` that is no gridwall database
is refused by ``python -m dashboard``, ``python -m dashboard.briefing`` and ``python -m etl
load`` with one line naming the file and what to run, exit 2, and nothing written beside it
(real subprocesses on real files)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.serving import ROOT, free_port
from tests.store.dbmaker import make_db

GRIDS = ROOT / "tests" / "etl" / "fixtures" / "grids_zh.geojson"


def _missing(folder: Path) -> Path:
    return folder / "county.duckdb"


def _folder(folder: Path) -> Path:
    (folder / "county.duckdb").mkdir()
    return folder / "county.duckdb"


def _empty(folder: Path) -> Path:
    (folder / "county.duckdb").write_bytes(b"")
    return folder / "county.duckdb"


def _text(folder: Path) -> Path:
    (folder / "county.duckdb").write_text("事件编号,上报时间\nE1,2026-01-01\n", encoding="utf-8")
    return folder / "county.duckdb"


def _duckdb(folder: Path, sql: str) -> Path:
    path = folder / "county.duckdb"
    con = duckdb.connect(str(path))
    if sql:
        con.execute(sql)
    con.close()
    return path


def _other_program(folder: Path) -> Path:
    return _duckdb(folder, "CREATE TABLE invoices (id INTEGER, amount DOUBLE);"
                           "INSERT INTO invoices VALUES (1, 9.5)")


def _no_tables(folder: Path) -> Path:
    return _duckdb(folder, "")


def _newer(folder: Path) -> Path:
    path = make_db(folder / "county.duckdb", [])
    _duckdb(folder, "UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    return path


def _older(folder: Path) -> Path:
    path = make_db(folder / "county.duckdb", [])
    _duckdb(folder, "DROP TABLE daily_rollup; DELETE FROM grids; DELETE FROM townships")
    return path


def _other_columns(folder: Path) -> Path:
    path = make_db(folder / "county.duckdb", [])
    _duckdb(folder, "ALTER TABLE events DROP COLUMN closed_at")
    return path


SERVER_CASES = {
    "missing": (_missing, "no such database file", "python -m etl load"),
    "folder": (_folder, "is a folder", "chdb:DIR"),
    "empty file": (_empty, "empty file", "python -m etl load"),
    "text file": (_text, "not a DuckDB database", "NEW.duckdb"),
    "another program's DuckDB": (_other_program, "tables: invoices", "NEW.duckdb"),
    "DuckDB without tables": (_no_tables, "no tables", "python -m etl load"),
    "newer schema": (_newer, "newer gridwall (schema 2", "upgrade"),
    "older schema": (_older, "older gridwall (no table daily_rollup)", "python -m etl load"),
    "other columns": (_other_columns, "events.closed_at", "NEW.duckdb"),
}


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=40, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})


def _listing(folder: Path) -> dict[str, bytes | None]:
    return {p.name: (p.read_bytes() if p.is_file() else None) for p in folder.iterdir()}


@pytest.mark.parametrize("case", list(SERVER_CASES))
def test_the_server_refuses_a_db_that_is_no_gridwall_database_in_one_line(tmp_path, case):
    make, says, todo = SERVER_CASES[case]
    folder = tmp_path / "srv"
    folder.mkdir()
    db = make(folder)
    before = _listing(folder)
    res = _run(["-m", "dashboard", "--db", str(db), "--port", str(free_port())], tmp_path)
    lines = res.stderr.strip().splitlines()
    assert res.returncode == 2, res.stdout + res.stderr
    assert len(lines) == 1 and str(db) in lines[0], res.stderr
    assert says in lines[0] and todo in lines[0], lines[0]
    assert "serving" not in res.stdout
    # no lock, no accounts database, no admin folder beside a database that is not there
    assert _listing(folder) == before


@pytest.mark.parametrize("case", ["missing", "another program's DuckDB", "older schema"])
def test_the_briefing_refuses_them_in_one_line_too(tmp_path, case):
    make, says, _ = SERVER_CASES[case]
    db = make(tmp_path)
    res = _run(["-m", "dashboard.briefing", "--db", str(db), "--out", str(tmp_path / "out"),
                "--no-progress"], tmp_path)
    lines = res.stderr.strip().splitlines()
    assert res.returncode == 2
    assert len(lines) == 1 and says in lines[0] and str(db) in lines[0], res.stderr
    assert not (tmp_path / "out").exists()


def test_a_load_brings_an_older_database_up_to_date_and_the_server_then_accepts_it(tmp_path):
    from etl.load import run_load
    from store.db import check_database

    db = _older(tmp_path)
    cfg = _grids_config(tmp_path)
    run_load(db, cfg, progress=False)
    check_database(db)      # no error: the load made the missing table


ETL_CASES = {
    "folder": (_folder, "is a folder"),
    "empty file": (_empty, "empty file"),
    "text file": (_text, "not a DuckDB database"),
    "another program's DuckDB": (_other_program, "another program (tables invoices)"),
    "newer schema": (_newer, "newer gridwall (schema 2"),
}


def _grids_config(tmp_path):
    """A load config of the fixture grids alone, in ``tmp_path``."""
    (tmp_path / "grids.geojson").write_bytes(GRIDS.read_bytes())
    cfg = tmp_path / "load.toml"
    cfg.write_text('[[source]]\nkind = "grids"\npath = "grids.geojson"\n', encoding="utf-8")
    return cfg


@pytest.mark.parametrize("case", list(ETL_CASES))
def test_a_load_into_a_file_that_is_no_gridwall_database_changes_nothing(tmp_path, case):
    make, says = ETL_CASES[case]
    folder = tmp_path / "srv"
    folder.mkdir()
    db = make(folder)
    cfg = _grids_config(tmp_path)
    before = _listing(folder)
    res = _run(["-m", "etl", "load", "--db", str(db), "--config", str(cfg), "--quiet"],
               tmp_path)
    lines = res.stderr.strip().splitlines()
    assert res.returncode == 2, res.stdout + res.stderr
    assert len(lines) == 1 and says in lines[0] and str(db) in lines[0], res.stderr
    assert "unexpected" not in lines[0]
    assert _listing(folder) == before       # byte for byte, and no lock left beside it


def _zoned(folder: Path, zone: str = "Asia/Shanghai") -> Path:
    import datetime as dt

    from tests.store.dbmaker import ev

    return make_db(folder / "county.duckdb", [ev("E1", dt.datetime(2026, 3, 2, 23, 30))],
                   meta={"timezone": zone})


def test_the_server_and_the_briefing_refuse_data_loaded_in_another_time_zone(tmp_path):
    """Naive times read in another zone shift 'today', the hour of day and the feed's age
    (by 8 h from Shanghai to UTC): the start says so instead of a wall that is quietly off."""
    folder = tmp_path / "srv"
    folder.mkdir()
    db = _zoned(folder)
    settings = tmp_path / "utc.toml"
    settings.write_text('timezone = "UTC"\n', encoding="utf-8")
    before = _listing(folder)
    for args in (["-m", "dashboard", "--port", str(free_port())],
                 ["-m", "dashboard.briefing", "--out", str(tmp_path / "out"), "--no-progress"]):
        res = _run([*args, "--db", str(db), "--settings", str(settings)], tmp_path)
        lines = res.stderr.strip().splitlines()
        assert res.returncode == 2, res.stdout + res.stderr
        assert len(lines) == 1 and str(db) in lines[0], res.stderr
        assert "'Asia/Shanghai'" in lines[0] and "'UTC'" in lines[0] and "8 h apart" in lines[0]
        assert "--settings" in lines[0]
    assert _listing(folder) == before and not (tmp_path / "out").exists()
    # the same zone spelled in the settings serves (the check is no blanket refusal)
    from store.db import check_database
    from store.settings import Settings

    settings.write_text('timezone = "Asia/Shanghai"\n', encoding="utf-8")
    check_database(db, Settings.load(settings))


def test_a_load_in_another_time_zone_is_refused_and_changes_nothing(tmp_path):
    folder = tmp_path / "srv"
    folder.mkdir()
    db = _zoned(folder)
    cfg = _grids_config(tmp_path)
    settings = tmp_path / "utc.toml"
    settings.write_text('timezone = "UTC"\n', encoding="utf-8")
    before = _listing(folder)
    res = _run(["-m", "etl", "load", "--db", str(db), "--config", str(cfg), "--settings",
                str(settings), "--quiet"], tmp_path)
    lines = res.stderr.strip().splitlines()
    assert res.returncode == 2, res.stdout + res.stderr
    assert len(lines) == 1 and "'Asia/Shanghai'" in lines[0] and "'UTC'" in lines[0]
    assert "nothing was written" in lines[0]
    assert _listing(folder) == before


def test_a_file_of_another_zone_swapped_in_while_serving_turns_health_off_ok(tmp_path):
    import os

    from dashboard.app import create_app

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    db = _zoned(tmp_path / "a")
    client = create_app(db).server.test_client()
    body = client.get("/api/health").get_json()
    assert (body["timezone"], body["data_timezone"]) == ("Asia/Shanghai", "Asia/Shanghai")
    assert body["status"] in ("ok", "stale")
    os.replace(_zoned(tmp_path / "b", "Europe/Berlin"), db)      # a restore of the wrong file
    body = client.get("/api/health").get_json()
    assert body["status"] == "timezone_mismatch" and body["data_timezone"] == "Europe/Berlin"


def test_a_chdb_folder_with_nothing_published_is_refused_in_one_line(tmp_path):
    folder = tmp_path / "county"
    res = _run(["-m", "dashboard", "--db", f"chdb:{folder}", "--port", str(free_port())],
               tmp_path)
    lines = res.stderr.strip().splitlines()
    assert res.returncode == 2, res.stdout + res.stderr
    assert len(lines) == 1 and f"chdb:{folder}" in lines[0] and "python -m etl load" in lines[0]
    assert not folder.exists()


def test_accounts_are_not_made_beside_a_file_the_server_would_refuse(tmp_path):
    db = _other_program(tmp_path)
    before = _listing(tmp_path)
    res = subprocess.run([sys.executable, "-m", "dashboard", "users", "add", "--db", str(db),
                          "--name", "admin", "--role", "admin"], input="a-long-passphrase\n",
                         cwd=tmp_path, capture_output=True, text=True, timeout=40,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert res.returncode == 2 and "tables: invoices" in res.stderr, res.stderr
    assert _listing(tmp_path) == before           # no county.duckdb.auth.sqlite
