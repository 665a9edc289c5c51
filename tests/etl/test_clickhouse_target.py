"""The ``clickhouse://`` server path, as far as it runs without a server here (none is
mocked): the load goes into the DuckDB ledger, the publish fails with one line that keeps
the password out, and the store answers with a titled error."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys

import duckdb
import pytest

from store.db import StoreError
from store.engines import open_store
from tests.acceptance import county as county_files
from tests.serving import ROOT, free_port


def test_a_load_for_an_unreachable_server_keeps_the_ledger_and_says_clickhouse_is_unchanged(
        tmp_path):
    county_files.build(tmp_path / "src", dt.datetime(2025, 6, 30, 18))
    ledger = tmp_path / "ledger.duckdb"
    url = f"clickhouse://gw:s3cret-pw@127.0.0.1:{free_port()}/county?ledger={ledger}"
    res = subprocess.run([sys.executable, "-m", "etl", "load", "--db", url, "--config",
                          str(tmp_path / "src" / "load.toml"), "--quiet"], cwd=ROOT,
                         capture_output=True, text=True)
    assert res.returncode == 2
    assert "publish stopped" in res.stderr and "ClickHouse is unchanged" in res.stderr
    assert "s3cret-pw" not in res.stderr + res.stdout
    con = duckdb.connect(str(ledger), read_only=True)
    assert con.execute("SELECT count(*) FROM events").fetchone()[0] == 504
    con.close()


def test_a_store_on_an_unreachable_server_is_a_titled_error_without_the_password():
    store = open_store(f"clickhouse://gw:s3cret-pw@127.0.0.1:{free_port()}/county")
    with pytest.raises(StoreError) as info:
        store.scalar("SELECT count(*) FROM events")
    assert info.value.title == "数据库无法连接"
    assert "s3cret-pw" not in str(info.value)
