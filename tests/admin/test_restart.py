"""A page load outlives a server restart: the loader runs in its own session, the wall's
server can stop while it works, and the next server picks up how it ended."""
from __future__ import annotations

import shutil
import sqlite3
import time

from tests.accounts import start
from tests.admin.conftest import SETTINGS, USERS, csrf_of, login, renamed_events
from tests.serving import stop_server


def test_a_load_started_before_a_restart_is_reported_done_by_the_next_server(
        site, tmp_path):
    db = tmp_path / "county.duckdb"
    shutil.copyfile(site.db, db)
    shutil.copyfile(site.db.with_name(site.db.name + ".auth.sqlite"),
                    db.with_name(db.name + ".auth.sqlite"))
    settings = tmp_path / "settings.toml"
    settings.write_text(SETTINGS, encoding="utf-8")
    src = renamed_events(site.sources / "events_2024.csv", tmp_path / "e.csv", rows=600)
    base, proc = start(db, settings=settings)
    try:
        s = login(base, "admin")
        r = s.post(base + "/admin/upload", data={"csrf_token": csrf_of(s, base)},
                   files={"file_events": ("e.csv", src.read_bytes())}, allow_redirects=False)
        assert r.status_code == 303
        job_id = r.headers["Location"].rsplit("/", 1)[-1]
        assert s.get(f"{base}/api/admin/jobs/{job_id}").json()["running"]
    finally:
        stop_server(proc)   # while the loader still starts up or works
    runs = sqlite3.connect(db.with_name(db.name + ".admin") / "runs.sqlite")
    assert runs.execute("SELECT finished FROM runs WHERE job_id = ?",
                        (job_id,)).fetchone() == (None,)   # the end is not recorded yet
    runs.close()
    base, proc = start(db, settings=settings)
    try:
        s = login(base, "admin")
        deadline = time.monotonic() + 120
        while True:
            st = s.get(f"{base}/api/admin/jobs/{job_id}").json()
            if not st["running"]:
                break
            assert time.monotonic() < deadline, st
            time.sleep(0.5)
        assert st["stage"] == "done" and st["load_id"] is not None, st
        loads = {x["load_id"]: x for x in s.get(base + "/api/admin/loads").json()["loads"]}
        assert loads[st["load_id"]]["started_by"] == USERS["admin"]
        assert loads[st["load_id"]]["counts"]["rows_read"] == 600
    finally:
        stop_server(proc)
