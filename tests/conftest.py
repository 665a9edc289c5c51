"""Fixtures shared across test folders.

``wall_demo_db``: the demo county (嵊州市, 演示数据) at a small scale, built once per session
by the real generator and loaded by the real ETL into ``demo.duckdb`` in a tmp dir. Wall and
browser tests read it; nothing writes it after the load.
"""
from __future__ import annotations

import pytest

# One Playwright/Chromium per session for every folder: two sync_playwright() in one process
# fail ("Sync API inside the asyncio loop").
pytest_plugins = ("tests.browser_harness",)

WALL_DEMO_SCALE = 0.05


@pytest.fixture(scope="session")
def wall_demo_db(tmp_path_factory):
    from etl.demo import build_demo_sources
    from etl.load import run_load

    root = tmp_path_factory.mktemp("wall_demo")
    config = build_demo_sources(root / "src", seed=7, scale=WALL_DEMO_SCALE)
    db = root / "demo.duckdb"
    run_load(db, config, progress=False)
    return db
