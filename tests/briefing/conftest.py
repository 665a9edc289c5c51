"""The briefing CLI run once per session on the small demo county (``wall_demo_db`` of
tests/conftest.py: the real generator loaded by the real ETL), into a folder the tests read.

Poppler's pdftotext/pdftoppm read the PDF (scripts/system_deps.sh installs poppler-utils).
"""
from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WEEK = "2025-W43"                       # 2025-10-20 .. 10-26, a full week of the demo
START, END = dt.date(2025, 10, 20), dt.date(2025, 10, 27)
AS_OF = dt.datetime(2025, 10, 27)       # the default: the next Monday 00:00


@dataclass
class Run:
    out: Path
    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str, timeout: int = 240) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dashboard.briefing", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="session")
def poppler():
    missing = [t for t in ("pdftotext", "pdftoppm") if shutil.which(t) is None]
    if missing:
        pytest.fail(f"{missing} missing: run scripts/system_deps.sh (poppler-utils)")


@pytest.fixture(scope="session")
def briefing_run(wall_demo_db, tmp_path_factory) -> Run:
    out = tmp_path_factory.mktemp("briefing") / "2025-10-27"
    # no --week: the default is the last complete week before the data's as_of, which for
    # the demo (read as of its newest report, 2025-10-31) is WEEK, not last week's empty one
    p = run_cli("--db", str(wall_demo_db), "--out", str(out))
    return Run(out=out, returncode=p.returncode, stdout=p.stdout, stderr=p.stderr)


@pytest.fixture(scope="session")
def pdf_text(briefing_run, poppler) -> str:
    pdf = briefing_run.out / f"briefing_{WEEK}_light.pdf"
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
