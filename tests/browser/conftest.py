"""A city district served once for the browser tests that need more townships than the demo's
15 (tests/split_towns.py: each split in three, 45)."""
from __future__ import annotations

import pytest

from tests.serving import running_server
from tests.split_towns import split_copy


@pytest.fixture(scope="session")
def city_url(wall_demo_db, wall_settings, tmp_path_factory):
    db = split_copy(wall_demo_db, tmp_path_factory.mktemp("city45") / "city.duckdb")
    with running_server(db, wall_settings) as (base, _proc):
        yield base
