"""Names from the data that deck.gl's JSON converter would read as code: a camera or grid
named '@@#…' or '@@=…' (its converter turns such strings anywhere in the deck, data rows
included, into a constant lookup or an expression). Before, one such camera name threw in
the converter and the 3D view of the whole county stayed empty."""
from __future__ import annotations

import json

import pytest

from tests.analysis.analysisdb import make_db
from tests.analysis.conftest import planted_cameras, planted_events
from tests.serving import running_server

HOSTILE = ["@@#evil<img src=x onerror=alert(1)>", "@@=a.b.c"]


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory):
    cams = [(cid, HOSTILE[i % 2], status, lon, lat, grid, town, seen)
            for i, (cid, _name, status, lon, lat, grid, town, seen)
            in enumerate(planted_cameras())]
    return make_db(tmp_path_factory.mktemp("hostile_deck") / "county.duckdb",
                   planted_events(), cams)


def _data_strings(deck: dict):
    for layer in deck["layers"]:
        for row in layer.get("data") or []:
            if isinstance(row, dict):
                yield from (v for v in row.values() if isinstance(v, str))


def test_no_text_of_the_data_reaches_deck_gl_starting_with_its_code_prefix(hostile_db):
    from dashboard.app import create_app

    reply = create_app(hostile_db).server.test_client().get("/api/deck")
    assert reply.status_code == 200
    deck = json.loads(reply.data)["deck"]
    texts = list(_data_strings(deck))
    assert any("evil" in t for t in texts)                      # the cameras are there
    assert not [t for t in texts if t.startswith("@@")]
    assert any(t.startswith("&#64;@#evil&lt;img") for t in texts)  # the tip reads '@@#evil<img'


def test_the_3d_view_draws_with_such_names_and_runs_nothing(hostile_db, chromium):
    with running_server(hostile_db) as (base, _proc):
        context = chromium.new_context(viewport={"width": 1000, "height": 700})
        page = context.new_page()
        errors, dialogs = [], []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        try:
            page.goto(base + "/analysis/deck", wait_until="load")
            page.wait_for_function(
                "() => document.body.getAttribute('data-ready') === '1'"
                " || (document.getElementById('deck-status') || {}).textContent"
                ".indexOf('不可用') >= 0", timeout=20_000)
            status = page.inner_text("#deck-status")
            assert page.get_attribute("body", "data-ready") == "1", (status, errors)
            assert errors == [] and dialogs == []
        finally:
            context.close()
