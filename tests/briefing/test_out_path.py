"""``--out`` that cannot be made (a file in the way, no permission) is one line and exit 2,
as docs/briefing.md's exit codes say, not a traceback and exit 1 in the cron log; checked
before Chromium is started."""
from __future__ import annotations

import datetime as dt

import duckdb

from store.schema import refresh_rollups
from tests.briefing.conftest import run_cli
from tests.store.dbmaker import ev, make_db


def test_an_out_folder_that_cannot_be_made_is_one_line_and_exit_2(tmp_path):
    monday = dt.datetime(2025, 9, 1)
    db = make_db(tmp_path / "w.duckdb",
                 [ev(f"E{i}", monday + dt.timedelta(days=d, hours=9 + i))
                  for d in range(-14, 7) for i in range(2)])
    with duckdb.connect(str(db)) as con:
        refresh_rollups(con)
    blocker = tmp_path / "briefings"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    p = run_cli("--db", str(db), "--week", "2025-W36", "--out", str(blocker / "2025-09-08"),
                "--no-progress", timeout=60)
    assert p.returncode == 2, p.stderr
    assert "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) == 1
    assert "--out" in p.stderr and "nothing written" in p.stderr
