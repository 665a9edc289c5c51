"""One load at a time, all or nothing: a bad file or a killed load leaves PATH as it was;
readers keep the old file open while the new one is swapped in."""
from __future__ import annotations

import fcntl
import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import openpyxl
import pytest

from etl.errors import LoadError, LoadLocked
from etl.load import run_load
from tests.etl.conftest import cell, copy_fixture, one, write_config, write_csv

ROOT = Path(__file__).resolve().parents[2]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def loaded(county):
    copy_fixture("events_zh.csv", county.path)
    county.load([{"kind": "events", "path": "events_zh.csv"}])
    return county


def _leftovers(db: Path) -> list[str]:
    return sorted(p.name for p in db.parent.iterdir() if ".tmp-" in p.name)


BAD_FILES = {
    "missing file": ({"kind": "events", "path": "nope.csv"}, None, "file not found"),
    "missing column": ({"kind": "events", "path": "e.csv"},
                       (["事件编号", "事件类型", "经度", "纬度"], [["X", "矛盾纠纷", "120.8", "29.6"]]),
                       "reported_at (上报时间"),
    "no location": ({"kind": "events", "path": "e.csv"},
                    (["事件编号", "上报时间", "事件类型"], [["X", "2024-03-05", "矛盾纠纷"]]),
                    "no location columns"),
    "wrong encoding": ({"kind": "events", "path": "e.csv", "encoding": "utf-8"}, "gbk",
                       "not valid utf-8"),
    "ragged csv": ({"kind": "events", "path": "e.csv"}, "ragged", "do not have the header's"),
    "not xlsx": ({"kind": "events", "path": "e.xlsx"}, "fake-xlsx", "not a readable XLSX"),
    "no sheet": ({"kind": "events", "path": "e.xlsx", "sheet": "事件"}, "xlsx", "no sheet"),
    "mapped column absent": ({"kind": "events", "path": "e.csv",
                              "columns": {"event_id": "编号X"}}, "good", "编号X"),
    "unknown key": ({"kind": "events", "path": "e.csv", "colums": "x"}, "good", "colums"),
    "bad crs": ({"kind": "events", "path": "e.csv", "crs": "EPSG:999999"}, "good", "crs"),
    "wrong kind of file": ({"kind": "events", "path": "grids_zh.geojson"}, None, "events files"),
    "broken geojson": ({"kind": "grids", "path": "g.geojson"}, "broken-geojson", "g.geojson"),
}


def _write_bad(folder: Path, src: dict, how) -> None:
    p = folder / src["path"]
    good = (["事件编号", "上报时间", "事件类型", "经度", "纬度"],
            [["X1", "2024-03-05 10:00", "矛盾纠纷", *cell(1, 1)]])
    if how is None:
        return
    if isinstance(how, tuple):
        write_csv(p, *how)
    elif how == "good":
        write_csv(p, *good)
    elif how == "gbk":
        write_csv(p, *good, encoding="gbk")
        p.write_bytes(p.read_bytes() + "备注".encode("gbk"))
    elif how == "ragged":
        # every row two fields too long (one such row would be a malformed_row reject)
        p.write_text("事件编号,上报时间,事件类型,经度,纬度\n" + "".join(
            f"X{i},2024-03-05,矛盾纠纷,120.8,29.6,多,余\n" for i in range(25)), encoding="utf-8")
    elif how == "fake-xlsx":
        p.write_text("this is not a workbook", encoding="utf-8")
    elif how == "xlsx":
        wb = openpyxl.Workbook()
        wb.active.append(good[0])
        wb.save(p)
    elif how == "broken-geojson":
        p.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_bad_file_stops_the_load_and_leaves_the_database_byte_for_byte(loaded, case):
    src, how, words = BAD_FILES[case]
    _write_bad(loaded.path, src, how)
    before = digest(loaded.db)
    with pytest.raises(LoadError) as err:
        loaded.load([src])
    assert src["path"] in str(err.value) or "load.toml" in str(err.value)
    assert words.lower() in str(err.value).lower()
    assert digest(loaded.db) == before
    assert _leftovers(loaded.db) == []


def test_events_need_grids(tmp_path):
    copy_fixture("events_zh.csv", tmp_path)
    cfg = write_config(tmp_path, [{"kind": "events", "path": "events_zh.csv"}])
    with pytest.raises(LoadError, match="no grids are loaded"):
        run_load(tmp_path / "x.duckdb", cfg, progress=False)
    assert not (tmp_path / "x.duckdb").exists()


def test_bad_settings_file_is_a_load_error(loaded, tmp_path):
    s = tmp_path / "s.toml"
    s.write_text("[geo]\nradius = 3\n", encoding="utf-8")
    with pytest.raises(LoadError, match="geo.radius"):
        loaded.load([], settings=s)


def test_second_load_is_refused_while_the_lock_is_held(loaded):
    before = digest(loaded.db)
    fd = os.open(str(loaded.db) + ".lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(LoadLocked, match="another load is running"):
            loaded.load([])
        cli = _cli(loaded.db, loaded.path / "load.toml")
        assert cli.returncode == 3 and "another load is running" in cli.stderr
    finally:
        os.close(fd)
    assert digest(loaded.db) == before
    loaded.load([])                  # released: the next load runs


def _cli(db, cfg, *extra):
    return subprocess.run([sys.executable, "-m", "etl", "load", "--db", str(db), "--config",
                           str(cfg), *extra], cwd=ROOT, capture_output=True, text=True)


def test_cli_exit_codes_and_messages(loaded, tmp_path):
    ok = _cli(loaded.db, loaded.path / "load.toml", "--quiet", "--report",
              str(tmp_path / "r.json"))
    assert ok.returncode == 0, ok.stderr
    assert "events_zh.csv" in ok.stdout and "unchanged" in ok.stdout
    assert '"unchanged": 8' in (tmp_path / "r.json").read_text(encoding="utf-8")
    cfg = write_config(loaded.path, [{"kind": "events", "path": "missing.csv"}], name="bad.toml")
    bad = _cli(loaded.db, cfg)
    assert bad.returncode == 2
    assert "missing.csv" in bad.stderr and "Traceback" not in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1


def test_readers_keep_the_old_file_until_they_reopen(loaded):
    ro = duckdb.connect(str(loaded.db), read_only=True)
    try:
        assert ro.execute("SELECT count(*) FROM events").fetchone()[0] == 8
        write_csv(loaded.path / "more.csv", ["事件编号", "上报时间", "事件类型", "经度", "纬度"],
                  [["M1", "2024-03-09 10:00", "矛盾纠纷", *cell(1, 1)]])
        loaded.load([{"kind": "events", "path": "more.csv"}])     # while a reader is open
        assert ro.execute("SELECT count(*) FROM events").fetchone()[0] == 8
    finally:
        ro.close()
    assert one(loaded.db, "SELECT count(*) FROM events") == 9


def test_a_killed_load_leaves_the_last_good_data(loaded):
    rows = [[f"K{i:06d}", "2024-03-05 10:00:00", "矛盾纠纷", *cell(i % 3, (i // 3) % 3)]
            for i in range(300_000)]
    write_csv(loaded.path / "big.csv", ["事件编号", "上报时间", "事件类型", "经度", "纬度"], rows)
    cfg = write_config(loaded.path, [loaded.grids, {"kind": "events", "path": "big.csv"}],
                       name="big.toml")
    before = digest(loaded.db)
    proc = subprocess.Popen([sys.executable, "-m", "etl", "load", "--db", str(loaded.db),
                             "--config", str(cfg), "--quiet"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not _leftovers(loaded.db) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    assert proc.poll() is None, "the load finished before it could be killed"
    time.sleep(0.3)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert digest(loaded.db) == before
    assert _leftovers(loaded.db)                   # the killed load's tmp copy is left ...
    loaded.load([])                                # ... and the next load removes it
    assert _leftovers(loaded.db) == []
    assert one(loaded.db, "SELECT count(*) FROM events") == 8
