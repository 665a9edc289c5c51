"""The soak run at a tiny length: it serves the wall, keeps Chromium on it while real loads
publish newer exports, and reports what it promises (RSS at start and end, callback latency,
loads, errors). Nothing here asserts a time; the hour-long run is for the notes."""
from __future__ import annotations

import json
import subprocess
import sys

import duckdb

from tests.serving import ROOT


def test_a_short_soak_loads_newer_exports_while_the_wall_refreshes(wall_demo_db, tmp_path):
    config = wall_demo_db.parent / "src" / "load.toml"
    assert config.exists()
    out = tmp_path / "soak.json"
    res = subprocess.run(
        [sys.executable, "-m", "bench.soak", "--minutes", "0.7", "--refresh-s", "5",
         "--load-every-s", "12", "--sample-s", "3", "--bucket-s", "15", "--db", str(wall_demo_db),
         "--config", str(config), "--workdir", str(tmp_path / "w"), "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-2000:]
    rep = json.loads(out.read_text(encoding="utf-8"))
    assert rep["errors"]["count"] == 0, rep["errors"]["first"]
    assert rep["loads"]["count"] >= 1 and rep["loads"]["failed"] == 0
    assert rep["callback_ms"]["count"] > 0 and rep["callback_ms"]["p95"] > 0
    assert rep["server_rss_mb"]["start"] > 50 and rep["server_rss_mb"]["end"] > 50
    assert len(rep["samples"]) >= 5
    assert len(rep["buckets"]) >= 2
    assert sum(b["callbacks"] for b in rep["buckets"]) <= rep["callback_ms"]["count"]
    assert all(b["load_avg"] is not None for b in rep["buckets"])
    # the loads really published: the live events are in the served file, the source untouched
    con = duckdb.connect(str(tmp_path / "w" / "soak.duckdb"), read_only=True)
    try:
        live = con.execute("SELECT count(*) FROM events WHERE event_id LIKE 'SOAK%'").fetchone()[0]
    finally:
        con.close()
    assert live == 20 * rep["loads"]["count"]
    assert not (config.parent / "events_live.csv").exists()
    con = duckdb.connect(str(wall_demo_db), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM events WHERE event_id LIKE 'SOAK%'").fetchone()[0] == 0
    finally:
        con.close()
