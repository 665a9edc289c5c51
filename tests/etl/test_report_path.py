"""``etl load --report PATH``: a path that cannot be written stops the load before anything
is loaded; before, the load was published and the CLI then said 'load stopped … the
database is unchanged' (exit 2), so a cron job reported a failure over new data."""
from __future__ import annotations

import json

import duckdb

from etl.cli import load_and_report
from tests.etl.conftest import cell, write_config


def _version(db):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()[0]


def test_a_report_that_cannot_be_written_stops_the_load_before_it_changes_anything(
        county, tmp_path, capsys):
    county.load([])                                   # the grids: a database to keep
    before = _version(county.db)
    src = county.events([["E1", "2024-03-05 10:00", "矛盾纠纷", *cell(0, 0), "", "", ""]])
    cfg = write_config(county.path, [src], name="ev.toml")
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("x", encoding="utf-8")
    code = load_and_report(county.db, cfg, report=blocker / "run.json", progress=False)
    err = capsys.readouterr().err
    assert code == 2 and "--report" in err and "nothing was loaded" in err, err
    assert _version(county.db) == before              # the events were not loaded
    with duckdb.connect(str(county.db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM events").fetchone()[0] == 0


def test_a_report_in_a_new_folder_is_written(county, tmp_path, capsys):
    src = county.events([["E1", "2024-03-05 10:00", "矛盾纠纷", *cell(0, 0), "", "", ""]])
    cfg = write_config(county.path, [county.grids, src], name="ev.toml")
    out = tmp_path / "reports" / "2026-12-03" / "run.json"
    assert load_and_report(county.db, cfg, report=out, progress=False) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["total"]["new"] >= 1


def test_a_progress_file_that_cannot_be_written_is_one_line_and_exit_2(county, tmp_path, capsys):
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("x", encoding="utf-8")
    cfg = write_config(county.path, [county.grids])
    code = load_and_report(county.db, cfg, progress=False,
                           progress_file=blocker / "p.jsonl")
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and "--progress" in err
    assert not county.db.exists()
