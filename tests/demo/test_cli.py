"""The demo command end to end: files written beside the DB, loaded by the real ETL, marked demo."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from etl.demo import main
from etl.demo.gcj02 import gcj02_to_wgs84, wgs84_to_gcj02

ROOT = Path(__file__).resolve().parents[2]


def test_gcj02_round_trip_and_offset():
    lon = np.array([120.82, 120.5, 121.1])
    lat = np.array([29.59, 29.35, 29.8])
    glon, glat = wgs84_to_gcj02(lon, lat)
    # near 嵊州 the offset is about +0.0035..0.0052 deg lon and -0.0023..-0.0033 deg lat
    assert ((glon - lon > 0.003) & (glon - lon < 0.006)).all()
    assert ((lat - glat > 0.002) & (lat - glat < 0.0035)).all()
    blon, blat = gcj02_to_wgs84(glon, glat)
    assert np.abs(blon - lon).max() < 1e-9 and np.abs(blat - lat).max() < 1e-9


def test_gcj02_agrees_with_the_etl_converter():
    chinacrs = pytest.importorskip("etl.chinacrs")
    lon = np.linspace(120.5, 121.1, 7)
    lat = np.linspace(29.35, 29.8, 7)
    ours = wgs84_to_gcj02(lon, lat)
    theirs = chinacrs.wgs84_to_gcj02(lon, lat)
    assert np.abs(np.asarray(ours) - np.asarray(theirs)).max() < 1e-9


def test_sources_only_writes_beside_the_db(tmp_path, capsys):
    db = tmp_path / "wall.duckdb"
    assert main(["--db", str(db), "--scale", "0.05", "--sources-only"]) == 0
    src = tmp_path / "wall_demo_src"
    assert (src / "load.toml").exists() and (src / "grids.gpkg").exists()
    assert not db.exists()
    out = capsys.readouterr().out
    assert "演示数据" in out and "generation:" in out


def test_bad_arguments_are_refused(tmp_path, capsys):
    assert main(["--db", str(tmp_path / "x.duckdb"), "--scale", "0"]) == 2
    assert "scale" in capsys.readouterr().err


def test_demo_loads_with_the_real_etl(demo_small, tmp_path):
    load = pytest.importorskip("etl.load")
    db = tmp_path / "demo.duckdb"
    load.run_load(db, demo_small / "load.toml", progress=False)
    con = duckdb.connect(str(db), read_only=True)
    try:
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
        assert meta.get("demo") == "true"
        assert meta.get("dataset_name") == "嵊州市"
        n = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
             for t in ("townships", "grids", "events", "cameras", "mediation")}
        assert n["townships"] == 15 and n["grids"] >= 1_000 and n["cameras"] >= 1_000
        assert n["mediation"] == 3_600
        rows = sum(1 for f in demo_small.glob("events_*.csv")
                   for _ in open(f, encoding="utf-8")) - 3
        assert n["events"] == rows
        assert con.execute("SELECT count(*) FROM rejects").fetchone()[0] == 0
        # the config's crs = "gcj02" was honoured: stored points are back on WGS84
        src = pd.read_csv(demo_small / "events_2025.csv", usecols=["事件编号", "经度", "纬度"])
        db_pts = con.execute("SELECT event_id, lon, lat FROM events").df().set_index("event_id")
        db_pts = db_pts.loc[src["事件编号"]]
        wlon, wlat = gcj02_to_wgs84(src["经度"].to_numpy(), src["纬度"].to_numpy())
        assert np.abs(db_pts["lon"].to_numpy() - wlon).max() < 1e-6
        assert np.abs(db_pts["lat"].to_numpy() - wlat).max() < 1e-6
        townships_with_mediation = con.execute(
            "SELECT count(DISTINCT township_code) FROM mediation").fetchone()[0]
        assert townships_with_mediation == 15
    finally:
        con.close()


def test_importing_the_demo_does_not_import_dash():
    code = "import sys, etl.demo; assert 'dash' not in sys.modules, 'dash imported'"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
