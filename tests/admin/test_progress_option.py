"""``python -m etl load --progress FILE``: JSON lines a program can follow (the admin page
does), ending in ``done`` with the load id, or ``failed`` with the exit code."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

from etl.publish import db_lock
from tests.serving import ROOT


def _load(db, config, progress):
    return subprocess.run([sys.executable, "-m", "etl", "load", "--db", str(db), "--config",
                           str(config), "--quiet", "--progress", str(progress)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_a_load_writes_reading_loading_publishing_done_with_rows_and_its_load_id(
        wall_demo_db, tmp_path):
    db = tmp_path / "county.duckdb"
    shutil.copyfile(wall_demo_db, db)
    prog = tmp_path / "progress.jsonl"
    done = _load(db, wall_demo_db.parent / "src" / "load.toml", prog)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(x) for x in prog.read_text(encoding="utf-8").splitlines()]
    stages = [x["stage"] for x in lines]
    assert stages[0] == "reading" and stages[-2:] == ["publishing", "done"]
    assert "loading" in stages
    assert lines[-1]["load_id"] == 2 and lines[-1]["rows"] > 9000
    assert [x["t"] for x in lines] == sorted(x["t"] for x in lines)
    assert all(x["rows"] <= y["rows"] for x, y in zip(lines, lines[1:]))


def test_a_refused_load_ends_its_progress_with_failed_and_exit_code_3(wall_demo_db, tmp_path):
    db = tmp_path / "county.duckdb"
    shutil.copyfile(wall_demo_db, db)
    prog = tmp_path / "progress.jsonl"
    with db_lock(db):
        done = _load(db, wall_demo_db.parent / "src" / "load.toml", prog)
    assert done.returncode == 3 and "another load is running" in done.stderr
    last = json.loads(prog.read_text(encoding="utf-8").splitlines()[-1])
    assert last["stage"] == "failed" and last["exit_code"] == 3
