"""Which Dash modules a fresh interpreter holds after importing some of ours: the figures,
reads, layers and the briefing must hold none (architecture.md), so the briefing, the API and
the ETL reuse them without a web app. A subprocess, because this test session has Dash loaded."""
from __future__ import annotations

import subprocess
import sys

from tests.serving import ROOT


def dash_imported_by(*modules: str) -> list[str]:
    code = ("import importlib, sys\n"
            f"for name in {list(modules)!r}:\n"
            "    importlib.import_module(name)\n"
            "print(','.join(sorted(m for m in sys.modules if m == 'dash' or m.startswith('dash.'))))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    return [m for m in out.stdout.strip().split(",") if m]
