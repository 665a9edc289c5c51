"""The ETL, the read functions and the map layers stay free of Dash (architecture.md),
so other screens, the briefing export and the ETL reuse them without a web app."""
from __future__ import annotations

from tests.hygiene import dash_imported_by


def test_layers_and_map_reads_do_not_import_dash():
    assert dash_imported_by("layers", "etl", "etl.load", "etl.demo", "store.metrics",
                            "store.wall_reads", "store.map_reads", "store.hotspots") == []
