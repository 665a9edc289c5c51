"""A foreign export loads with a mapping file only: real San Francisco 311 cases
(blank first header, "MM/DD/YYYY hh:mm:ss AM" times, "(lat, lon)" point text)."""
from __future__ import annotations

import datetime as dt
import gzip
import shutil
from pathlib import Path

import pandas as pd
import pytest

from etl.load import run_load
from tests.etl.conftest import FIX, one, q, source



def _sf_folder(tmp_path: Path) -> Path:
    for name in ("sf311_load.toml", "sf311_settings.toml", "sf311_sample_200.csv",
                 "sf_supervisor_districts.geojson"):
        shutil.copyfile(FIX / name, tmp_path / name)
    return tmp_path


def test_sf311_sample_loads_with_the_mapping_file(tmp_path):
    folder = _sf_folder(tmp_path)
    db = tmp_path / "sf.duckdb"
    rep = run_load(db, folder / "sf311_load.toml", folder / "sf311_settings.toml",
                   progress=False)
    src = pd.read_csv(FIX / "sf311_sample_200.csv", dtype=str, keep_default_na=False)
    opened = pd.to_datetime(src["Opened"], format="%m/%d/%Y %I:%M:%S %p")
    closed = pd.to_datetime(src["Closed"], format="%m/%d/%Y %I:%M:%S %p", errors="coerce")
    n_before = int((closed < opened).sum())
    n_nopoint = int((src["Point"] == "").sum())
    ev = source(rep, "events")
    assert ev["rows_read"] == 200
    assert ev["rejected_by_reason"] == {"closed_before_reported": n_before,
                                        "missing_location": n_nopoint}
    assert ev["new"] == 200 - n_before - n_nopoint
    # rows numbered as data rows (header excluded), raw row kept with its blank header
    bad_rows = sorted(int(i) + 1 for i in src.index[(closed < opened) | (src["Point"] == "")])
    assert [r[0] for r in q(db, "SELECT source_row FROM rejects ORDER BY 1")] == bad_rows
    raw = one(db, "SELECT raw FROM rejects WHERE reason = 'missing_location'")
    assert '"Point": ""' in raw and '"": ' in raw
    # times stay local (the settings' zone is the city's own), values mapped by the file
    first = src.iloc[0]
    got = q(db, "SELECT reported_at, status, channel, category FROM events WHERE event_id = ?",
            [first["CaseID"]])
    assert got[0][0] == dt.datetime.strptime(first["Opened"], "%m/%d/%Y %I:%M:%S %p")
    assert got[0][1] == {"Closed": "closed", "Open": "dispatched"}[first["Status"]]
    assert one(db, "SELECT count(*) FROM events WHERE channel = '电话'") == int(
        ((src["Source"] == "Voice In") & ~((closed < opened) | (src["Point"] == ""))).sum())
    # the point-in-district join agrees with the cases' own district on almost every row
    joined = dict(q(db, "SELECT event_id, grid_id FROM events"))
    own = src.set_index("CaseID")["Supervisor.District"]
    agree = sum(joined[k] == own[k] for k in joined) / len(joined)
    assert agree > 0.93


def test_full_sf311_sample_matches_the_independent_figures(tmp_path):
    """data/README: 9,976 parseable points, 9,974 inside a district, 129 closed before
    opened, 97.01 % joined to their own district."""
    with gzip.open(FIX / "sf311_cases_sample_10000.csv.gz", "rb") as src_file:
        (tmp_path / "sf311_sample_200.csv").write_bytes(src_file.read())
    shutil.copyfile(FIX / "sf_supervisor_districts.geojson",
                    tmp_path / "sf_supervisor_districts.geojson")
    shutil.copyfile(FIX / "sf311_load.toml", tmp_path / "sf311_load.toml")
    (tmp_path / "s.toml").write_text('timezone = "America/Los_Angeles"\n'
                                     '[geo]\noutside_tolerance_m = 0\n', encoding="utf-8")
    db = tmp_path / "sf.duckdb"
    rep = run_load(db, tmp_path / "sf311_load.toml", tmp_path / "s.toml", progress=False)
    ev = source(rep, "events")
    assert ev["rejected_by_reason"] == {"closed_before_reported": 129, "missing_location": 24,
                                        "outside_county": 2}
    assert ev["new"] == 10_000 - 155
    src = pd.read_csv(tmp_path / "sf311_sample_200.csv", dtype=str, keep_default_na=False)
    own = src.set_index("CaseID")["Supervisor.District"]
    joined = dict(q(db, "SELECT event_id, grid_id FROM events"))
    agree = sum(joined[k] == own[k] for k in joined) / len(joined)
    assert 0.965 < agree < 0.975
