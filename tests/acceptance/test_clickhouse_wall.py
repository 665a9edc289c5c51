"""``python -m etl load --db chdb:DIR`` and ``python -m dashboard --db chdb:DIR`` serve the
figures the DuckDB wall serves: every /api/metrics figure (windows, the county, every
township and grid, 环比 and 同比) equals the DuckDB server's answer and metrics.md computed
independently; the other JSON endpoints agree too. A load or a publish that fails leaves
what ClickHouse serves unchanged.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import math
import subprocess
import sys

import duckdb
import pytest
import requests

from store import chdb_folder
from tests.acceptance import county
from tests.serving import ROOT, running_server
from tests.store.oracle import oracle

AS_OF = dt.datetime(2025, 6, 30, 18, 0)
WINDOWS = [(dt.date(2025, 6, 1), dt.date(2025, 7, 1), AS_OF),
           (dt.date(2025, 6, 23), dt.date(2025, 6, 30), AS_OF),
           (dt.date(2025, 5, 12), dt.date(2025, 5, 19), dt.datetime(2025, 5, 25, 9, 30))]
pytestmark = pytest.mark.slow


def etl(*args):
    return subprocess.run([sys.executable, "-m", "etl", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True)


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """The same county loaded by the CLI into DuckDB and into chdb, both served."""
    folder = tmp_path_factory.mktemp("county2")
    truth = county.build(folder / "src", AS_OF)
    duck, ch = folder / "county.duckdb", f"chdb:{folder / 'ch'}"
    for db in (duck, ch):
        res = etl("load", "--db", db, "--config", folder / "src" / "load.toml", "--quiet")
        assert res.returncode == 0, res.stderr
    with contextlib.ExitStack() as stack:
        d_base, _ = stack.enter_context(running_server(duck))
        c_base, _ = stack.enter_context(running_server(ch))
        yield {"duck": d_base, "ch": c_base, "truth": truth, "folder": folder, "db": ch}


def get(base, path, **params):
    r = requests.get(base + path, params=params, timeout=60)
    assert r.status_code == 200, (path, params, r.status_code, r.text[:300])
    return r.json() if "json" in r.headers.get("Content-Type", "") else r.content


def equal(a, b, where=""):
    """JSON equality, floats to 1e-12 (a median interpolated in another engine)."""
    if isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), where
        for k in a:
            equal(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            equal(x, y, f"{where}[{i}]")
    elif isinstance(a, float) or isinstance(b, float):
        assert a is not None and b is not None and math.isclose(a, b, rel_tol=1e-12), \
            (where, a, b)
    else:
        assert a == b, (where, a, b)


def scopes(servers):
    towns = get(servers["duck"], "/api/townships")["townships"]
    grids = [f"G{c}{r}" for c in range(county.COLS) for r in range(county.ROWS)]
    return (["county"] + [f"township:{t['code']}" for t in towns] + [f"township:{towns[0]['name']}"]
            + [f"grid:{g}" for g in grids])


def test_every_metrics_figure_on_chdb_equals_duckdb_and_the_definition(servers):
    truth = servers["truth"]
    towns = {t["code"]: t["name"] for t in get(servers["duck"], "/api/townships")["townships"]}
    code_of = {v: k for k, v in county.TOWNS.items()}        # name -> TA/TB of the fixture
    checked = 0
    for scope in scopes(servers):
        level, _, ident = scope.partition(":")
        if level == "township":
            name = towns.get(ident, ident)
            pred = lambda e, n=name: e["township_code"] == code_of[n]   # noqa: E731
        elif level == "grid":
            pred = lambda e, g=ident: e["grid_id"] == g                # noqa: E731
        else:
            pred = None
        # 环比 and 同比 for the county and the townships; each grid on its own window
        compares = (None,) if level == "grid" else (None, "previous", "year")
        for start, end, as_of in WINDOWS:
            for compare in compares:
                q = {"scope": scope, "start": start.isoformat(), "end": end.isoformat(),
                     "as_of": as_of.isoformat(), **({"compare": compare} if compare else {})}
                want = get(servers["duck"], "/api/metrics", **q)
                got = get(servers["ch"], "/api/metrics", **q)
                equal(want, got, f"{scope} {start} {compare}")
                ref = oracle(truth["events"], start=start, end=end, as_of=as_of, scope=pred)
                for key, value in ref.items():
                    equal(value, got[key], f"oracle {scope} {start} {key}")
                checked += 1
    grids = sum(s.startswith("grid:") for s in scopes(servers))
    assert checked == ((len(scopes(servers)) - grids) * 3 + grids) * len(WINDOWS)


def health_of_the_data(base: str) -> dict:
    """/api/health without the wall renderer's state, which moves with its clock."""
    body = get(base, "/api/health")
    body.pop("wall_prerendered")
    return body


def test_the_other_json_endpoints_agree(servers):
    d, c = servers["duck"], servers["ch"]
    h_d, h_c = get(d, "/api/health"), get(c, "/api/health")
    h_d.pop("data_version"), h_c.pop("data_version")        # each load has its own
    # each server's own renderer: its store version, its timing, maybe not yet its first pass
    h_d.pop("wall_prerendered"), h_c.pop("wall_prerendered")
    # hours since the newest report, to 0.1 h at the moment each server answered (each
    # caches its health for 30 s): the two may straddle a rounding step
    s_d, s_c = h_d.pop("stale_hours"), h_c.pop("stale_hours")
    assert abs(s_d - s_c) <= 0.1 + 1e-9, ("health.stale_hours", s_d, s_c)
    equal(h_d, h_c, "health")
    equal(get(d, "/api/townships"), get(c, "/api/townships"), "townships")
    win = {"start": "2025-06-01", "end": "2025-07-01", "as_of": AS_OF.isoformat()}
    for params in ({}, {"sort": "-reported_at", "page": "2"}, {"sort": "category"},
                   {"warning": "red"}, {"status": "open", "sort": "due_at"}):
        equal(get(d, "/api/events", **win, **params), get(c, "/api/events", **win, **params),
              f"events {params}")
    first = get(d, "/api/events", **win)["rows"][0]["event_id"]
    equal(get(d, f"/api/events/{first}", as_of=AS_OF.isoformat()),
          get(c, f"/api/events/{first}", as_of=AS_OF.isoformat()), "event detail")
    assert get(d, "/api/events.csv", **win) == get(c, "/api/events.csv", **win)
    equal(get(d, "/api/hotspots", **win), get(c, "/api/hotspots", **win), "hotspots")
    equal(get(d, "/api/cameras", near="grid:G11", as_of=AS_OF.isoformat()),
          get(c, "/api/cameras", near="grid:G11", as_of=AS_OF.isoformat()), "cameras")


def test_a_load_that_fails_leaves_clickhouse_serving_what_it_served(servers):
    folder, db, c = servers["folder"], servers["db"], servers["ch"]
    target = folder / "ch"
    before = (chdb_folder.current(target), health_of_the_data(c),
              get(c, "/api/metrics", start="2025-06-01", end="2025-07-01",
                  as_of=AS_OF.isoformat()))
    bad = folder / "bad"
    bad.mkdir()
    (bad / "events.csv").write_bytes(b"\x00\x01 not a csv \xff\xfe" * 50)
    (bad / "load.toml").write_text(
        f'[[source]]\nkind = "events"\npath = "{bad / "events.csv"}"\n', encoding="utf-8")
    res = etl("load", "--db", db, "--config", bad / "load.toml", "--quiet")
    assert res.returncode == 2 and "load stopped" in res.stderr
    assert chdb_folder.current(target) == before[0]
    assert health_of_the_data(c) == before[1]
    assert get(c, "/api/metrics", start="2025-06-01", end="2025-07-01",
               as_of=AS_OF.isoformat()) == before[2]


def test_a_publish_that_fails_changes_nothing_and_leaves_no_half_generation(servers):
    folder, db, c = servers["folder"], servers["db"], servers["ch"]
    target = folder / "ch"
    current = chdb_folder.current(target)
    version = get(c, "/api/health")["data_version"]
    gens = sorted(p.name for p in (target / "ch").iterdir())
    blocker = target / "ch" / f"g{int(gens[-1][1:]) + 1:06d}"
    blocker.write_text("a file where the next generation's folder must go")
    try:
        res = etl("publish", "--db", db)
        assert res.returncode == 2 and "ClickHouse is unchanged" in res.stderr
        assert chdb_folder.current(target) == current
        assert sorted(p.name for p in (target / "ch").iterdir()) == sorted([*gens, blocker.name])
        assert get(c, "/api/health")["data_version"] == version
    finally:
        blocker.unlink()
    res = etl("publish", "--db", db)              # and the ledger publishes again
    assert res.returncode == 0, res.stderr
    assert chdb_folder.current(target) != current
    assert get(c, "/api/health")["data_version"] == version   # the same load, republished


def test_a_ledger_table_of_a_type_clickhouse_is_not_given_is_published_as_text(servers):
    folder, db, c = servers["folder"], servers["db"], servers["ch"]
    ledger = folder / "ch" / "ledger.duckdb"
    con = duckdb.connect(str(ledger))
    con.execute("CREATE TABLE odd AS SELECT INTERVAL 90 MINUTE AS span, [1, 2] AS xs")
    con.close()
    try:
        res = etl("publish", "--db", db)
        assert res.returncode == 0, res.stderr
        assert get(c, "/api/health")["tables"]["events"] == 504      # the wall reads on
    finally:
        con = duckdb.connect(str(ledger))
        con.execute("DROP TABLE odd")
        con.close()
