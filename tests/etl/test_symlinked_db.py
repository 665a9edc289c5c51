"""A database reached through a symlink (the data disk linked from the service's folder) is
published where it lives: the server reading the link sees each load, the link stays a link,
and a load through the link and one through the target share one lock."""
from __future__ import annotations

import os

import pytest

from etl.errors import LoadLocked
from etl.load import run_load
from etl.publish import db_lock
from store.db import ReadStore
from tests.etl.conftest import copy_fixture, write_config


def test_a_load_through_a_symlink_replaces_its_target_and_the_server_sees_it(county, tmp_path):
    copy_fixture("events_zh.csv", county.path)
    county.load([{"kind": "events", "path": "events_zh.csv"}])
    link = tmp_path / "srv" / "county.duckdb"
    link.parent.mkdir()
    link.symlink_to(county.db)
    store = ReadStore(link)                         # what python -m dashboard --db LINK reads
    assert store.scalar("SELECT max(load_id) FROM load_runs") == 1
    cfg = write_config(county.path, [county.grids], name="again.toml")
    run_load(link, cfg, progress=False)
    assert store.scalar("SELECT max(load_id) FROM load_runs") == 2
    assert link.is_symlink() and os.path.realpath(link) == str(county.db)
    assert sorted(p.name for p in link.parent.iterdir()) == ["county.duckdb"]
    store.close()
    with db_lock(county.db), pytest.raises(LoadLocked):   # one lock, whichever path is given
        run_load(link, cfg, progress=False)
