"""Demo folders built once per test session (the territory alone takes a few seconds)."""
from __future__ import annotations

import pytest

from etl.demo import build_demo_sources


@pytest.fixture(scope="session")
def demo_small(tmp_path_factory):
    """scale 0.1 (about 6,500 events): for format, determinism and the end-to-end load."""
    out = tmp_path_factory.mktemp("demo_small")
    return build_demo_sources(out, seed=7, scale=0.1).parent


@pytest.fixture(scope="session")
def demo_full(tmp_path_factory):
    """scale 1, the default demo: for the figures the wall will show."""
    out = tmp_path_factory.mktemp("demo_full")
    return build_demo_sources(out, seed=7, scale=1.0).parent
