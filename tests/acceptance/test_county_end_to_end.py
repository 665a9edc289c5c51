"""The data foundation end to end: export files → `python -m etl load` → `python -m dashboard`
→ /api/metrics equals metrics.md computed independently; a reload while serving is seen.

Every test runs on both engines: ``--db county.duckdb`` and ``--db chdb:DIR`` (ClickHouse in
the server's process, loaded through the DuckDB ledger and published)."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
import requests

from tests.acceptance import county
from tests.serving import ROOT, running_server
from tests.store.oracle import oracle

AS_OF = dt.datetime(2025, 6, 30, 18, 0)
pytestmark = pytest.mark.slow


def load(db, config, *extra):
    return subprocess.run([sys.executable, "-m", "etl", "load", "--db", str(db), "--config",
                           str(config), "--quiet", *extra], cwd=ROOT, capture_output=True, text=True)


def db_for(engine: str, folder):
    return folder / "county.duckdb" if engine == "duckdb" else f"chdb:{folder / 'county-ch'}"


@pytest.fixture(scope="module", params=["duckdb", "chdb"])
def loaded(tmp_path_factory, request):
    folder = tmp_path_factory.mktemp("county")
    truth = county.build(folder / "src", AS_OF)
    db = db_for(request.param, folder)
    res = load(db, folder / "src" / "load.toml")
    assert res.returncode == 0, res.stderr
    return db, folder, truth


@pytest.fixture(scope="module")
def served(loaded):
    """One server per engine for the module (a server start is seconds on a busy machine)."""
    db, _, _ = loaded
    with running_server(db) as (base, _proc):
        yield base


def _close(a, b):
    if a is None or b is None:
        return a is b
    return abs(a - b) < 1e-9


@pytest.mark.parametrize("scope,pred", [
    ("county", None),
    ("township:东镇", lambda e: e["township_code"] == "TA"),
    ("township:西镇", lambda e: e["township_code"] == "TB"),
    ("grid:G11", lambda e: e["grid_id"] == "G11"),
    ("grid:G20", lambda e: e["grid_id"] == "G20"),
])
def test_every_figure_matches_the_definition(loaded, served, scope, pred):
    db, _, truth = loaded
    windows = [(dt.date(2025, 6, 1), dt.date(2025, 7, 1), AS_OF),
               (dt.date(2025, 6, 23), dt.date(2025, 6, 30), AS_OF),
               (dt.date(2025, 5, 12), dt.date(2025, 5, 19), dt.datetime(2025, 5, 25, 9, 30))]
    base = served
    for start, end, as_of in windows:
        got = requests.get(f"{base}/api/metrics", params={
            "scope": scope, "start": start.isoformat(), "end": end.isoformat(),
            "as_of": as_of.isoformat()}).json()
        want = oracle(truth["events"], start=start, end=end, as_of=as_of, scope=pred)
        for key, value in want.items():
            assert _close(got[key], value), (scope, start, key, got[key], value)
        cams = [c for c in truth["cameras"] if pred is None or pred(
            {"township_code": c["township"], "grid_id": c["grid"]})]
        assert got["cameras"] == len(cams)
        assert got["cameras_online"] == sum(c["status"] == "在线" for c in cams)


def test_rejects_count_exactly_the_bad_rows_and_reload_changes_nothing(loaded, served):
    db, folder, _ = loaded
    base = served
    before = requests.get(f"{base}/api/health").json()
    assert before["rejected"] == county.BAD_ROWS
    assert before["tables"]["events"] == 300 + 4 + 200
    county_before = requests.get(f"{base}/api/metrics", params={
        "start": "2025-06-01", "end": "2025-07-01", "as_of": AS_OF.isoformat()}).json()
    res = load(db, folder / "src" / "load.toml")        # the same files, server running
    assert res.returncode == 0, res.stderr
    after = requests.get(f"{base}/api/health").json()
    assert after["rejected"] == county.BAD_ROWS and after["tables"] == before["tables"]
    county_after = requests.get(f"{base}/api/metrics", params={
        "start": "2025-06-01", "end": "2025-07-01", "as_of": AS_OF.isoformat()}).json()
    assert county_after == county_before


@pytest.mark.parametrize("engine", ["duckdb", "chdb"])
def test_newer_export_updates_events_while_serving(tmp_path, engine):
    src = tmp_path / "src"
    truth = county.build(src, AS_OF)
    db = db_for(engine, tmp_path)
    assert load(db, src / "load.toml").returncode == 0
    with running_server(db) as (base, _):
        q = {"start": "2025-06-01", "end": "2025-07-01", "as_of": AS_OF.isoformat()}
        first = requests.get(f"{base}/api/metrics", params=q).json()
        # the next export: every open valid event of the GCJ file is now closed
        events = [e for e in truth["events"] if e["event_id"].startswith("G")]
        for e in events:
            if e["closed_at"] is None:
                e["closed_at"] = AS_OF - dt.timedelta(minutes=1) if e["reported_at"] < AS_OF - \
                    dt.timedelta(minutes=1) else AS_OF
        county.write_events(src / "events_gcj.csv", events, gcj=True)
        assert load(db, src / "load.toml").returncode == 0
        second = requests.get(f"{base}/api/metrics", params=q).json()
        assert second["closed"] > first["closed"]
        assert second["reported"] == first["reported"]
        want = oracle(truth["events"], start=dt.date(2025, 6, 1), end=dt.date(2025, 7, 1),
                      as_of=AS_OF)
        assert second["closed"] == want["closed"] and second["open_backlog"] == want["open_backlog"]
