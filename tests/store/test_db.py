"""Publish by swap: a reader keeps working while a new file replaces the old one."""
from __future__ import annotations

import datetime as dt
import os
import shutil
import threading

import duckdb
import pytest

from store.db import ReadStore, StoreError
from tests.store.dbmaker import ev, make_db


def test_reader_sees_the_swapped_file_and_never_a_half_file(tmp_path):
    path = make_db(tmp_path / "live.duckdb", [ev("a", dt.datetime(2025, 1, 1))])
    store = ReadStore(path)
    assert store.scalar("SELECT count(*) FROM events") == 1
    v1 = store.version

    new = tmp_path / "next.duckdb"
    shutil.copy(path, new)
    con = duckdb.connect(str(new))
    con.execute("INSERT INTO events (event_id, reported_at, category) VALUES "
                "('b', TIMESTAMP '2025-01-02', 'x'), ('c', TIMESTAMP '2025-01-03', 'x')")
    con.close()

    errors, counts = [], []

    def reader():
        try:
            for _ in range(200):
                counts.append(store.scalar("SELECT count(*) FROM events"))
        except Exception as exc:  # pragma: no cover - the assertion below reports it
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for t in threads:
        t.start()
    os.replace(new, path)
    for t in threads:
        t.join()
    assert not errors
    assert set(counts) <= {1, 3}
    assert store.scalar("SELECT count(*) FROM events") == 3
    assert store.version != v1


def test_missing_file_is_a_titled_error(tmp_path):
    with pytest.raises(StoreError) as info:
        ReadStore(tmp_path / "nope.duckdb").scalar("SELECT 1")
    assert info.value.title == "数据库文件不存在"


def test_the_read_side_caps_duckdb_memory_and_another_connection_to_the_file_still_opens(
        tmp_path, monkeypatch):
    import duckdb

    from store.db import ReadStore, memory_limit
    from tests.store.dbmaker import make_db

    path = make_db(tmp_path / "cap.duckdb", [])
    monkeypatch.setenv("GRIDWALL_DB_MEMORY", "300MB")
    store = ReadStore(path)
    assert store.scalar("SELECT current_setting('memory_limit')").startswith("286")  # MiB
    other = duckdb.connect(str(path), read_only=True)      # same config: not refused
    assert other.execute("SELECT count(*) FROM events").fetchone() == (0,)
    other.close()
    store.close()
    monkeypatch.setenv("GRIDWALL_DB_MEMORY", "1GB'; DROP TABLE events")
    assert memory_limit() == "256MB"                        # not a number and unit: default
