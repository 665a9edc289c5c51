"""The ETL, the read functions and the map layers stay free of Dash (architecture.md),
so other screens, the briefing export and the ETL reuse them without a web app."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_layers_and_map_reads_do_not_import_dash():
    code = ("import sys, layers, etl, etl.load, etl.demo, store.metrics, store.wall_reads, "
            "store.map_reads, store.hotspots; "
            "bad = sorted(m for m in sys.modules if m == 'dash' or m.startswith('dash.')); "
            "print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == ""
