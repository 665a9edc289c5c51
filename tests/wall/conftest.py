"""The wall inside a real app (create_app on the demo county), once per test module: the
reply tests and the layout tests read the same app and its context."""
from __future__ import annotations

import pytest

from dashboard.app import create_app


@pytest.fixture(scope="module")
def app(wall_demo_db):
    return create_app(wall_demo_db)


@pytest.fixture(scope="module")
def ctx(app):
    return app.server.config["GRIDWALL_CTX"]
