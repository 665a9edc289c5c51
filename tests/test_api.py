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


def test_health_reports_a_dead_feed_as_stale(tmp_path):
    from zoneinfo import ZoneInfo

    now = D.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)  # the settings' time zone
    old = now - dt.timedelta(days=3, hours=1)               # settings as_of unset, mode 'now'
    db = make_db(tmp_path / "stale.duckdb", [ev("a", old)], meta={"as_of_mode": "now"})
    body = create_app(db).server.test_client().get("/api/health").get_json()
    assert body["stale"] is True and body["as_of_pinned"] is False
    assert 72.9 <= body["stale_hours"] <= 73.2
    assert body["as_of_data"] == old.isoformat(sep="T")


def test_health_of_a_pinned_store_is_never_stale(tmp_path):
    db = make_db(tmp_path / "demo.duckdb", [ev("a", D(2025, 6, 15, 8))],
                 meta={"as_of_mode": "newest_report"})          # the demo pins as_of
    body = create_app(db).server.test_client().get("/api/health").get_json()
    assert (body["stale"], body["as_of_pinned"]) == (False, True)
    assert body["stale_hours"] > 24 * 100


def test_health_of_an_unpinned_store_with_old_data_is_stale(client):
    assert client.get("/api/health").get_json()["stale"] is True


def _random_events(seed: int, n: int):
    import random

    rnd = random.Random(seed)
    rows, dicts = [], []
    for i in range(n):
        r = D(2025, 5, 1) + dt.timedelta(minutes=rnd.randrange(0, 60 * 24 * 60))
        closed = r + dt.timedelta(minutes=rnd.randrange(1, 60 * 120)) if rnd.random() < .8 else None
        grid = rnd.choice(["G1", "G2", "G3"])
        town = "T2" if grid == "G3" else "T1"
        cat = rnd.choice(["矛盾纠纷", "安全隐患"])
        status = "invalid" if rnd.random() < .05 else None
        rows.append(ev(f"e{i}", r, category=cat, grid=grid, township=town, closed_at=closed,
                       status=status, accepted_at=r + dt.timedelta(hours=rnd.uniform(0, 5))))
        dicts.append(dict(event_id=f"e{i}", reported_at=r, closed_at=closed, category=cat,
                          grid_id=grid, township_code=town, status=status,
                          accepted_at=rows[-1][6], dispatched_at=None, satisfaction=None,
                          level=None))
    return rows, dicts


@pytest.mark.parametrize("scope,pred", [("county", None),
                                        ("township:T1", lambda e: e["township_code"] == "T1"),
                                        ("grid:G3", lambda e: e["grid_id"] == "G3")])
def test_compare_previous_equals_an_independent_computation_one_period_earlier(tmp_path, scope, pred):
    from tests.store.oracle import oracle

    rows, dicts = _random_events(5, 500)
    c = create_app(make_db(tmp_path / "cmp.duckdb", rows)).server.test_client()
    body = c.get(f"/api/metrics?scope={scope}&start=2025-06-09&end=2025-06-16"
                 "&as_of=2025-06-14T15:30:00&compare=previous").get_json()
    prev = body["previous"]
    assert (prev["start"], prev["end"], prev["as_of"]) == ("2025-06-02", "2025-06-09",
                                                           "2025-06-07T15:30:00")
    want = oracle(dicts, start=dt.date(2025, 6, 2), end=dt.date(2025, 6, 9),
                  as_of=D(2025, 6, 7, 15, 30), scope=pred)
    now = oracle(dicts, start=dt.date(2025, 6, 9), end=dt.date(2025, 6, 16),
                 as_of=D(2025, 6, 14, 15, 30), scope=pred)
    for key, value in want.items():
        assert prev[key] == (pytest.approx(value) if value is not None else None), key
        assert body[key] == (pytest.approx(now[key]) if now[key] is not None else None), key
    assert want["due"] > 0 and want != now
    year = c.get(f"/api/metrics?scope={scope}&start=2025-06-09&end=2025-06-16"
                 "&as_of=2025-06-14T15:30:00&compare=year").get_json()["year"]
    assert (year["start"], year["as_of"], year["reported"]) == ("2024-06-09", "2024-06-14T15:30:00", 0)


def test_an_unknown_compare_is_a_bad_request(client):
    resp = client.get("/api/metrics?compare=lastweek")
    assert resp.status_code == 400 and "compare" in resp.get_json()["error"]


@pytest.fixture()
def detail_client(tmp_path):
    import duckdb

    r = D(2025, 6, 15, 8, 30)
    db = make_db(tmp_path / "detail.duckdb", [
        ev("SZ/2025/0001", r, category="安全隐患", grid="G3", township="T2",
           accepted_at=r + dt.timedelta(hours=1)), ev("b", r)])
    con = duckdb.connect(str(db))
    con.execute("UPDATE events SET reporter_name = '张三', reporter_phone = '13812345678'")
    con.close()
    settings = tmp_path / "s.toml"
    settings.write_text('as_of = "2025-06-17T10:30:00"\n[limits.category."安全隐患"]\nclose_h = 24\n',
                        encoding="utf-8")
    return create_app(db, settings).server.test_client()


def test_event_detail_has_its_due_time_and_a_masked_reporter(detail_client):
    resp = detail_client.get("/api/events/SZ/2025/0001")
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["due_at"] == "2025-06-16T08:30:00"                  # reported + 24 h
    assert (body["warning"], body["overdue_hours"]) == ("red", 26.0)  # at the pinned as_of
    assert body["reporter_phone"] == "138****5678" and body["reporter_name"] == "张*"
    assert "13812345678" not in resp.get_data(as_text=True)
    assert (body["grid_name"], body["township"]) == ("三号网格", "乙镇")
    # 周边视频 is around the event's point; this one was placed by its grid id alone
    assert (body["lon"], body["lat"]) == (None, None)
    assert body["cameras"] == {"radius_m": 300.0, "within": 0, "online": 0, "nearest": []}
    assert [t["at"] for t in body["timeline"]] == ["2025-06-15T08:30:00", "2025-06-15T09:30:00",
                                                   None, None]
    other = detail_client.get("/api/events/b?as_of=2025-06-16T08:30:00").get_json()
    assert other["due_at"] == "2025-06-18T08:30:00"
    assert (other["warning"], other["overdue_hours"]) == (None, -48.0)   # 48 h left
    later = detail_client.get("/api/events/b?as_of=2025-06-17T08:30:00").get_json()
    assert (later["warning"], later["overdue_hours"]) == ("yellow", -24.0)


def test_an_unknown_event_is_404_with_a_message(detail_client):
    resp = detail_client.get("/api/events/nothing-here")
    assert resp.status_code == 404 and "nothing-here" in resp.get_json()["error"]
    assert detail_client.get("/api/events/b?as_of=never").status_code == 400


def test_a_database_problem_answers_503_with_its_title_on_both_json_apis(tmp_path):
    db = make_db(tmp_path / "gone.duckdb", [ev("a", D(2025, 6, 15, 8))])
    app = create_app(db)
    client = app.server.test_client()
    assert client.get("/api/townships").status_code == 200
    db.unlink()                                   # the file went away under a running wall
    for path in ("/api/townships", "/api/hotspots?start=2025-06-09&end=2025-06-16"):
        r = client.get(path)
        assert r.status_code == 503, (path, r.status_code)
        assert r.get_json()["error"] == "数据库文件不存在", path


# round 2 of #17: the wall-side API took a parameter named twice (the first value, without a
# word: a script asking for two scopes got one) and /api/townships any parameter at all
@pytest.mark.parametrize("path", [
    "/api/metrics?scope=township:T1&scope=township:T2",
    "/api/metrics?start=2025-06-01&start=2025-06-10&end=2025-07-01",
    "/api/metrics?as_of=2025-06-20T00:00:00&as_of=2025-06-21T00:00:00",
    "/api/townships?township=T1", "/api/townships?x=1&x=2",
    "/api/cameras?near=point:120.8,29.6&near=point:120.9,29.6",
    "/api/hotspots?township=T1&township=T2", "/briefing.zip?week=2025-W24&week=2025-W25",
])
def test_a_parameter_named_twice_or_unknown_is_a_bad_request(client, path):
    resp = client.get(path)
    assert resp.status_code == 400, (path, resp.status_code)
    assert resp.get_json()["error"]


def test_event_detail_refuses_as_of_named_twice(detail_client):
    resp = detail_client.get("/api/events/b?as_of=2025-06-16T08:30:00&as_of=2025-06-17T08:30:00")
    assert resp.status_code == 400 and "as_of" in resp.get_json()["error"]
    assert detail_client.get("/api/events/b?as_of=2025-06-16T08:30:00").status_code == 200
