"""The demo county (嵊州市, 演示数据): ``python -m etl demo --db PATH`` writes a believable county's
source files (grids, events, cameras, mediation, a load config) and loads them with the ETL.

Public API: ``main(argv) -> int`` (the CLI) and ``build_demo_sources(out_dir, *, seed=7,
years=2, scale=1.0) -> Path`` (writes the files, returns the load config's path).
"""
from __future__ import annotations

from etl.demo.build import build_demo_sources
from etl.demo.cli import main

__all__ = ["build_demo_sources", "main"]
