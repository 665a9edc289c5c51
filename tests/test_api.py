"""The JSON API through Flask's test client on a real DuckDB file."""
from __future__ import annotations

import datetime as dt

import pytest

from dashboard.app import create_app
from tests.store.dbmaker import ev, make_db

D = dt.datetime


@pytest.fixture()
def client(tmp_path):
    r = D(2025, 6, 15, 8)
    events = [ev("a", r, closed_at=r + dt.timedelta(hours=5)), ev("b", r, grid="G3", township="T2"),
              ev("c", r, status="invalid")]
    db = make_db(tmp_path / "api.duckdb", events, cameras=[("c1", "online", "G1", "T1")])
    return create_app(db).server.test_client()


def test_health(client):
    body = client.get("/api/health").get_json()
    assert body["as_of_data"] == "2025-06-15T08:00:00"
    assert body["tables"]["events"] == 3 and body["tables"]["grids"] == 3
    assert body["rejected"] == 0


def test_metrics_scopes(client):
    q = "start=2025-06-01&end=2025-07-01&as_of=2025-06-20T00:00:00"
    county = client.get(f"/api/metrics?{q}").get_json()
    assert (county["scope"], county["reported"], county["closed"], county["invalid"]) == ("county", 2, 1, 1)
    assert county["handling_rate"] == 0.5 and county["cameras_online"] == 1
    town = client.get(f"/api/metrics?scope=township:乙镇&{q}").get_json()
    assert (town["scope"], town["reported"], town["handling_rate"], town["red"]) == ("township:T2", 1, 0.0, 1)
    grid = client.get(f"/api/metrics?scope=grid:G1&{q}").get_json()
    assert grid["reported"] == 1 and grid["handling_rate"] == 1.0


@pytest.mark.parametrize("query", [
    "scope=township:nowhere", "scope=planet:x", "start=2025-13-01", "start=20250601",
    "as_of=soon", "start=2025-06-10&end=2025-06-01", "colour=blue"])
def test_bad_parameters_get_400_with_a_message(client, query):
    resp = client.get(f"/api/metrics?{query}")
    assert resp.status_code == 400
    assert resp.get_json()["error"]


def test_townships(client):
    body = client.get("/api/townships").get_json()
    assert body["townships"] == [{"code": "T1", "name": "甲镇", "grids": 2},
                                 {"code": "T2", "name": "乙镇", "grids": 1}]
