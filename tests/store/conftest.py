"""``engine``: the store tests that take it run on DuckDB and on ClickHouse (chdb)."""
from __future__ import annotations

import pytest

from tests.engines import ENGINES, close_all


@pytest.fixture(params=ENGINES)
def engine(request):
    yield request.param
    close_all()
