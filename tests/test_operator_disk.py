"""The disk says no: a full disk under a load, a read-only database folder. One line naming
the folder and what to do, exit 2, the database byte for byte as it was and no copy left.

Real small file systems (tmpfs mounted for the test; skipped where mounting is not allowed)."""
from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.serving import ROOT, free_port
from tests.store.dbmaker import make_db

GRIDS = ROOT / "tests" / "etl" / "fixtures" / "grids_zh.geojson"


@contextlib.contextmanager
def tmpfs(folder: Path, size: str):
    folder.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=60, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin:/sbin"})


def _config(tmp_path: Path) -> Path:
    (tmp_path / "grids.geojson").write_bytes(GRIDS.read_bytes())
    cfg = tmp_path / "load.toml"
    cfg.write_text('[[source]]\nkind = "grids"\npath = "grids.geojson"\n', encoding="utf-8")
    return cfg


def _county(folder: Path) -> Path:
    db = make_db(folder / "county.duckdb", [])
    import duckdb

    with duckdb.connect(str(db)) as con:    # no grids yet: the load's grids are all new
        con.execute("DELETE FROM grids; DELETE FROM townships")
    return db


@pytest.mark.parametrize("size", ["4m", "5m"])   # the copy does not fit / the checkpoint does not
def test_a_load_on_a_full_disk_says_so_and_leaves_the_database_and_no_copy(tmp_path, size):
    cfg = _config(tmp_path)
    with tmpfs(tmp_path / "disk", size) as disk:
        db = _county(disk)
        before = db.read_bytes()
        res = _run(["-m", "etl", "load", "--db", str(db), "--config", str(cfg), "--quiet"],
                   tmp_path)
        lines = res.stderr.strip().splitlines()
        assert res.returncode == 2, res.stdout + res.stderr
        assert len(lines) == 1 and "No space left on device" in lines[0], res.stderr
        assert str(disk) in lines[0] and "free space" in lines[0]
        assert "unexpected" not in lines[0]
        assert db.read_bytes() == before
        assert sorted(p.name for p in disk.iterdir()) == ["county.duckdb", "county.duckdb.lock"]


def test_a_read_only_database_folder_stops_the_server_the_load_and_the_accounts(tmp_path):
    cfg = _config(tmp_path)
    with tmpfs(tmp_path / "ro", "8m") as ro:
        db = _county(ro)
        subprocess.run(["mount", "-o", "remount,ro", str(ro)], check=True)
        for args, says in (
                (["-m", "dashboard", "--db", str(db), "--port", str(free_port())],
                 f"cannot write in {ro}"),
                (["-m", "etl", "load", "--db", str(db), "--config", str(cfg), "--quiet"],
                 f"cannot write in {ro} (Read-only file system)"),
                (["-m", "dashboard", "users", "list", "--db", str(db)], "Read-only file system")):
            res = _run(args, tmp_path)
            lines = res.stderr.strip().splitlines()
            assert res.returncode == 2, (args, res.stdout + res.stderr)
            assert len(lines) == 1 and says in lines[0], res.stderr


def test_a_path_beside_the_database_the_server_cannot_make_is_one_line(tmp_path):
    """The admin folder's name taken by a file (any OSError while setting up beside the
    database): one line, not a traceback."""
    db = _county(tmp_path)
    (tmp_path / "county.duckdb.admin").write_text("not a folder", encoding="utf-8")
    res = _run(["-m", "dashboard", "--db", str(db), "--port", str(free_port())], tmp_path)
    lines = res.stderr.strip().splitlines()
    assert res.returncode == 2, res.stdout + res.stderr
    assert len(lines) == 1 and lines[0].startswith(f"gridwall: cannot write in {tmp_path}")
    assert "Traceback" not in res.stderr
    assert os.path.isfile(tmp_path / "county.duckdb.admin")
