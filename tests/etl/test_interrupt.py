"""Ctrl-C or SIGTERM (systemctl stop, a cron timeout) during a load: one line, exit 130, the
database byte for byte as before, and neither its copy nor the spill folder left beside it."""
from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.etl.conftest import cell, copy_fixture, write_config, write_csv

ROOT = Path(__file__).resolve().parents[2]


def _beside(db: Path) -> list[str]:
    return sorted(p.name for p in db.parent.iterdir() if p.name.startswith(db.name + "."))


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_load_says_so_and_leaves_the_database_and_nothing_beside_it(county, sig):
    copy_fixture("events_zh.csv", county.path)
    county.load([{"kind": "events", "path": "events_zh.csv"}])
    rows = [[f"K{i:06d}", "2024-03-05 10:00:00", "矛盾纠纷", *cell(i % 3, (i // 3) % 3)]
            for i in range(300_000)]
    write_csv(county.path / "big.csv", ["事件编号", "上报时间", "事件类型", "经度", "纬度"], rows)
    cfg = write_config(county.path, [county.grids, {"kind": "events", "path": "big.csv"}],
                       name="big.toml")
    before = hashlib.sha256(county.db.read_bytes()).digest()
    beside = _beside(county.db)
    proc = subprocess.Popen([sys.executable, "-m", "etl", "load", "--db", str(county.db),
                             "--config", str(cfg), "--quiet"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            # as from a terminal: a shell's background job starts with
                            # SIGINT ignored, and Python then installs no Ctrl-C handler
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 60
    while (not any(".tmp-" in n for n in _beside(county.db)) and proc.poll() is None
           and time.monotonic() < deadline):
        time.sleep(0.005)
    assert proc.poll() is None, "the load finished before it could be interrupted"
    time.sleep(0.3)
    os.kill(proc.pid, sig)
    _, err = proc.communicate(timeout=60)
    lines = err.strip().splitlines()
    assert proc.returncode == 130, err
    assert len(lines) == 1 and lines[0].startswith("导入中断 load interrupted: "), err
    assert str(county.db) in lines[0] and "unchanged" in lines[0]
    assert hashlib.sha256(county.db.read_bytes()).digest() == before
    assert _beside(county.db) == beside           # no copy, no spill folder
