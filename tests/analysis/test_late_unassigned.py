"""未指派 in the late list is a department like the others: its red and yellow counts open
exactly those cases (the overdue cases no department holds). A city whose feed carries no
department has only this row; without a link its whole backlog could not be opened."""
from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qsl

import duckdb
import pytest

from dashboard.analysis.late_panel import table
from store import analysis_reads as ar
from store.analysis_filters import UNASSIGNED, parse_filters
from tests.analysis.analysisdb import event, make_db

AS_OF = dt.datetime(2025, 6, 15, 23, 0)
Q = {"start": "2025-06-09", "end": "2025-06-16", "as_of": "2025-06-15T23:00"}


def _events() -> list[tuple]:
    """Open cases without a department: 3 red (one reported before the window), 2 yellow
    (close_h 72 h, warn_fraction 2/3: 48-72 h old), 1 young; one closed and one invalid,
    neither late; two red cases of 城管局, which must not be in 未指派's list."""
    h = dt.timedelta(hours=1)
    evs = [event(f"R{i}", AS_OF - (80 + 24 * i) * h, "G1", department=None) for i in range(3)]
    evs += [event("OLD", AS_OF - 240 * h, "G2", department=None)]
    evs += [event(f"Y{i}", AS_OF - (50 + i) * h, "G2", department=None) for i in range(2)]
    evs += [event("YOUNG", AS_OF - 5 * h, "G1", department=None),
            event("SHUT", AS_OF - 100 * h, "G1", department=None, status="closed",
                  closed_at=AS_OF - 90 * h),
            event("BAD", AS_OF - 100 * h, "G3", department=None, status="invalid")]
    evs += [event(f"C{i}", AS_OF - 90 * h, "G3", department="城管局") for i in range(2)]
    return evs


@pytest.fixture(scope="module")
def unassigned_app(tmp_path_factory):
    from dashboard.app import create_app

    db = make_db(tmp_path_factory.mktemp("unassigned") / "u.duckdb", _events())
    return create_app(db), db


def test_unassigned_counts_link_to_exactly_the_cases_without_a_department(unassigned_app):
    app, db = unassigned_app
    ctx = app.server.config["GRIDWALL_CTX"]
    client = app.server.test_client()
    search = "?" + "&".join(f"{k}={v}" for k, v in Q.items())
    f = parse_filters(ctx.store, ctx.settings, Q)
    late = ar.late_by_department(ctx.store, ctx.settings, f).set_index("department")
    assert (late.loc[UNASSIGNED, "red"], late.loc[UNASSIGNED, "yellow"]) == (4, 2)
    assert (late.loc["城管局", "red"], late.loc["城管局", "yellow"]) == (2, 0)
    links = _links(table(late.reset_index(), f.as_of, search, f))
    assert UNASSIGNED in {t for t, _ in links}     # the department's name opens its red cases
    ids = {}
    for text, href in links:
        args = dict(parse_qsl(href[1:]))
        if args["department"] != UNASSIGNED:
            continue
        got = client.get("/api/events", query_string={**args, "page_size": 100}).get_json()
        ids[args["warning"]] = {r["event_id"] for r in got["rows"]}
        assert got["total"] == len(got["rows"])
        assert all(r["department"] is None for r in got["rows"])
    # independent of the code under test: the cases themselves
    assert ids == {"red": {"R0", "R1", "R2", "OLD"}, "yellow": {"Y0", "Y1"}}
    # the charts of that filter count the same department-less cases (valid, in the window)
    with duckdb.connect(str(db), read_only=True) as con:
        want = con.execute(
            "SELECT count(*) FROM events WHERE department IS NULL AND status <> 'invalid'"
            " AND reported_at >= ? AND reported_at < ?",
            [dt.datetime(2025, 6, 9), dt.datetime(2025, 6, 16)]).fetchone()[0]
    g = parse_filters(ctx.store, ctx.settings, {**Q, "department": UNASSIGNED})
    assert int(ar.hour_weekday(ctx.store, ctx.settings, g).sum()) == want
    # and the filter bar offers it, so the officer sees which department the list is of
    assert UNASSIGNED in ar.options(ctx.store, ctx.settings)["departments"]


def _links(root) -> list[tuple[str, str]]:
    """(text, href) of every dcc.Link in a Dash component tree."""
    from dash import dcc

    return [(c.children, c.href) for c in root._traverse() if isinstance(c, dcc.Link)]


def test_unassigned_filter_is_the_same_on_duckdb_and_chdb(tmp_path):
    """department=未指派 on both engines: the same cases (coalesce runs on ClickHouse too)."""
    from store import event_table as et
    from store.settings import Settings
    from tests.engines import close_all, store_on

    db = make_db(tmp_path / "u.duckdb", _events())
    got = {}
    try:
        for engine in ("duckdb", "chdb"):
            store = store_on(engine, db)
            s = Settings()
            f = parse_filters(store, s, {**Q, "start": "2025-06-01",
                                         "department": UNASSIGNED, "warning": "red"})
            b = et.event_page(store, s, f, et.Page(sort="due_at", page=1, page_size=10))
            late = ar.late_by_department(store, s, f)
            got[engine] = ([r["event_id"] for r in b["rows"]], late["red"].tolist())
            if engine == "duckdb":
                store.close()
    finally:
        close_all()
    assert got["duckdb"] == got["chdb"] == (["OLD", "R2", "R1", "R0"], [4])


def test_each_warning_links_from_its_own_oldest_case(unassigned_app):
    """The red link's window starts on the oldest red case's day, the yellow one's on the
    oldest yellow case's: yellow cases are two or three days old, and a window from the
    year-old red case made their list a year's page (every panel reading a year)."""
    app, _db = unassigned_app
    ctx = app.server.config["GRIDWALL_CTX"]
    client = app.server.test_client()
    search = "?" + "&".join(f"{k}={v}" for k, v in Q.items())
    f = parse_filters(ctx.store, ctx.settings, Q)
    late = ar.late_by_department(ctx.store, ctx.settings, f)
    starts = {}
    for _text, href in _links(table(late, f.as_of, search, f)):
        args = dict(parse_qsl(href[1:]))
        if args["department"] == UNASSIGNED:
            starts[args["warning"]] = args["start"]
            got = client.get("/api/events", query_string={**args, "page_size": 1}).get_json()
            assert got["total"] == {"red": 4, "yellow": 2}[args["warning"]]
    # OLD: 240 h before as_of (06-05 23:00); Y1: 51 h before (06-13 20:00)
    assert starts == {"red": "2025-06-05", "yellow": "2025-06-13"}


def test_a_window_change_does_not_read_the_backlog_again(unassigned_app, monkeypatch):
    """The late list has no window: 近7天 → 近30天 → dates is one read of the open cases,
    not one per window (a city's 500 k open cases took 1-2 s on each window change)."""
    import functools
    import json

    app, _db = unassigned_app
    calls = []
    real = ar.late_by_department

    @functools.wraps(real)
    def counted(*args, **kwargs):
        calls.append(args[2])
        return real(*args, **kwargs)

    monkeypatch.setattr(ar, "late_by_department", counted)
    client = app.server.test_client()
    outs = ["an-late-body.children", "an-late-caption.children"]
    captions = set()
    for window in ("window=7d", "window=30d", "start=2025-05-01&end=2025-06-16",
                   "window=7d&status=closed"):
        body = {"output": ".." + "...".join(outs) + "..",
                "outputs": [dict(zip(("id", "property"), o.split("."))) for o in outs],
                "inputs": [{"id": "an-url", "property": "search",
                            "value": f"?{window}&as_of=2025-06-15T23:00"},
                           {"id": "an-ready", "property": "data", "value": True}],
                "changedPropIds": ["an-url.search"]}
        r = client.post("/analysis/_dash-update-component", json=body)
        assert r.status_code == 200, r.get_data(as_text=True)
        captions.add(json.loads(r.get_data(as_text=True))["response"]["an-late-caption"]
                     ["children"])
    assert len(calls) == 1, calls
    assert captions == {"截至 06-15 23:00 · 红线 6 · 黄线 2 · 红线多者在前 · 点击件数查看案件"}
