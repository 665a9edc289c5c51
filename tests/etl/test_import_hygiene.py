"""The ETL never imports Dash (the wall reads what it writes, never the other way round)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_etl_does_not_import_dash():
    code = ("import sys, etl.load, etl.__main__, etl.chinacrs, etl.spatial; "
            "bad = [m for m in sys.modules if m == 'dash' or m.startswith('dash.') "
            "or m == 'plotly' or m.startswith('plotly.')]; print(bad); sys.exit(bool(bad))")
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr
