"""The event table and its CSV export on a planted county: totals equal an independent count
for several filter sets, paging and sorting are stable, personal data is masked, and the CSV
is streamed with a BOM and neutralised against formula injection."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest

from store.analysis_filters import parse_filters
from store.db import ReadStore
from store.event_table import Page, event_page, neutralise, raw_path
from store.settings import Settings
from tests.analysis.analysisdb import EVENT_COLS
from tests.analysis.conftest import AS_OF, WEEK, planted_events

Q = "start=2025-06-09&end=2025-06-16&as_of=2025-06-15T23:00"
CLOSE_H, WARN = 72.0, 2 / 3


def planted() -> list[dict]:
    return [dict(zip(EVENT_COLS, e)) for e in planted_events()]


def warning_of(e: dict) -> str | None:
    """metrics.md, computed here without SQL: open at as_of, age against close_h."""
    if e["status"] == "invalid" or e["reported_at"] > AS_OF:
        return None
    if e["closed_at"] is not None and e["closed_at"] <= AS_OF:
        return None
    age_h = (AS_OF - e["reported_at"]).total_seconds() / 3600
    if age_h > CLOSE_H:
        return "red"
    return "yellow" if age_h >= WARN * CLOSE_H else None


def own_count(**flt) -> int:
    """The test's own count: plain AND of the filters over the planted rows."""
    start, end = WEEK
    n = 0
    for e in planted():
        if not (dt.datetime.combine(start, dt.time()) <= e["reported_at"]
                < dt.datetime.combine(end, dt.time())):
            continue
        if any(e[k] != v for k, v in flt.items() if k not in ("warning", "township")):
            continue
        if "township" in flt and e["township_code"] != flt["township"]:
            continue
        if "warning" in flt and warning_of(e) != flt["warning"]:
            continue
        n += 1
    return n


@pytest.mark.parametrize("flt", [
    {}, {"category": "治安问题"}, {"channel": "12345热线"}, {"department": "派出所"},
    {"status": "closed"}, {"status": "invalid"}, {"township": "T1"},
    {"category": "矛盾纠纷", "department": "综治办"}, {"warning": "red"}, {"warning": "yellow"},
    {"grid_id": "G3", "department": "住建局"},
])
def test_totals_equal_an_independent_count(client, flt):
    params = {("grid" if k == "grid_id" else k): v for k, v in flt.items()}
    params.update(start="2025-06-09", end="2025-06-16", as_of="2025-06-15T23:00")
    body = client.get("/api/events", query_string=params).get_json()
    assert body["total"] == own_count(**flt)
    assert len(body["rows"]) == min(body["total"], 50)


def test_the_window_counts_every_event_invalid_ones_too(client):
    body = client.get(f"/api/events?{Q}&page_size=500").get_json()
    assert body["total"] == 15 == own_count()
    assert {r["status"] for r in body["rows"]} >= {"invalid", "closed", "reported"}
    assert client.get(f"/api/events?{Q}&scope=grid:G2").get_json()["total"] == 9
    assert client.get(f"/api/events?{Q}&scope=township:乙镇").get_json()["total"] == 3


def test_rows_have_the_contract_fields_and_masked_reporters(client):
    rows = client.get(f"/api/events?{Q}&page_size=500").get_json()["rows"]
    assert set(rows[0]) == {"event_id", "reported_at", "category", "channel", "township",
                            "grid_id", "grid_name", "address", "department", "status",
                            "accepted_at", "dispatched_at", "closed_at", "due_at", "warning",
                            "reporter_name", "reporter_phone"}
    by_id = {r["event_id"]: r for r in rows}
    assert by_id["H0"]["reporter_name"] == "欧***" and by_id["H1"]["reporter_name"] == "李*"
    assert by_id["H1"]["reporter_phone"] == "139****5678"
    assert by_id["T0"]["reporter_phone"] == "137****1111"     # +86 is the country code
    assert by_id["H1"]["township"] == "甲镇" and by_id["H1"]["grid_name"] == "二号网格"
    assert by_id["H1"]["due_at"] == "2025-06-13T09:00:00"          # reported 06-10 09:00 + 72 h
    text = str(rows)
    assert not re.search(r"1[3-9]\d{9}", text) and "李四" not in text and "欧阳" not in text


def test_sorting_is_whitelisted_and_paging_is_stable(client):
    for sort in ("-reported_at", "reported_at", "department", "-department", "township",
                 "-warning", "due_at", "grid_name", "status"):
        pages = [client.get(f"/api/events?{Q}&sort={sort}&page={p}&page_size=4").get_json()
                 for p in (1, 2, 3, 4, 5)]
        ids = [r["event_id"] for b in pages for r in b["rows"]]
        assert len(ids) == len(set(ids)) == 15, sort              # no overlap, nothing lost
    rows = client.get(f"/api/events?{Q}&sort=-reported_at&page_size=500").get_json()["rows"]
    times = [r["reported_at"] for r in rows]
    assert times == sorted(times, reverse=True)
    rows = client.get(f"/api/events?{Q}&sort=warning&page_size=3").get_json()["rows"]
    assert rows[0]["warning"] == "red"
    assert client.get(f"/api/events?{Q}&page=99").get_json()["rows"] == []
    for bad in ("sort=reporter_phone", "sort=;drop", "page=0", "page_size=10001", "page=x",
                "status=done", "warning=green", "scope=planet:1", "colour=red"):
        r = client.get(f"/api/events?{Q}&{bad}")
        assert r.status_code == 400 and r.get_json()["error"], bad


def test_both_paths_give_the_same_page(planted_db):
    """Without category limits due_at orders like reported_at (the fast path on events);
    with one, the page comes from ev: same rows either way when no limit differs."""
    store = ReadStore(planted_db)
    plain = Settings()
    custom = Settings()
    custom.raw["limits"]["category"] = {"信访": {"close_h": 72.0}}   # a category not present
    f = parse_filters(store, plain, {"start": "2025-06-09", "end": "2025-06-16",
                                     "as_of": "2025-06-15T23:00"})
    assert raw_path(plain, f, "-due_at") and not raw_path(custom, f, "-due_at")
    a = event_page(store, plain, f, Page(sort="-due_at", page=1, page_size=500))
    b = event_page(store, custom, f, Page(sort="-due_at", page=1, page_size=500))
    key = [(r["due_at"]) for r in a["rows"]]
    assert key == sorted(key, reverse=True) and a["total"] == b["total"] == 15
    assert [r["due_at"] for r in b["rows"]] == key
    store.close()


def test_the_csv_is_streamed_with_a_bom_masked_and_neutralised(client):
    r = client.get(f"/api/events.csv?{Q}&sort=event_id")
    assert r.status_code == 200 and r.is_streamed
    assert r.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in r.headers["Content-Disposition"]
    raw = r.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 15 == own_count()
    by_id = {x["event_id"]: x for x in rows}
    assert by_id["H0"]["address"] == "'=HYPERLINK(\"http://x\")"
    assert by_id["F1"]["reporter_name"] == "'@*******"             # masked, then neutralised
    assert by_id["F1"]["address"] == "'\t-2+3"
    assert by_id["H1"]["reporter_phone"] == "139****5678"
    assert not re.search(r"1[3-9]\d{9}", raw.decode("utf-8-sig"))
    for x in rows:
        for v in x.values():
            assert not v.startswith(("=", "+", "-", "@", "\t", "\r")), v
    zh = client.get(f"/api/events.csv?{Q}&header=zh").get_data().decode("utf-8-sig")
    assert zh.splitlines()[0].startswith("事件编号,上报时间,事件类别")
    assert client.get(f"/api/events.csv?{Q}&warning=red").get_data().decode(
        "utf-8-sig").count("\r\n") == 1 + own_count(warning="red")
    assert client.get(f"/api/events.csv?{Q}&page=2").status_code == 400


@pytest.mark.parametrize("value,out", [
    ("=1+1", "'=1+1"), ("+86 138", "'+86 138"), ("-3", "'-3"), ("@A1", "'@A1"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("张*", "张*"), ("a=b", "a=b"), (None, ""),
    (dt.datetime(2025, 6, 9, 8, 0), "2025-06-09T08:00:00"),
])
def test_neutralise(value, out):
    assert neutralise(value) == out


def test_events_csv_is_not_shadowed_by_the_event_detail_route(client):
    assert client.get("/api/events/H1").get_json()["event_id"] == "H1"
    assert client.get(f"/api/events.csv?{Q}").headers["Content-Type"].startswith("text/csv")


def test_late_list_groups_open_warnings_by_department(planted_db):
    from store.analysis_reads import late_by_department

    store = ReadStore(planted_db)
    f = parse_filters(store, Settings(), {"start": "2025-06-09", "end": "2025-06-16",
                                          "as_of": "2025-06-15T23:00"})
    df = late_by_department(store, Settings(), f).set_index("department")
    expected: dict[str, list[int]] = {}
    for e in planted():                      # the backlog: no window
        w = warning_of(e)
        if w:
            expected.setdefault(e["department"], [0, 0])[0 if w == "red" else 1] += 1
    assert {d: [int(r.red), int(r.yellow)] for d, r in df.iterrows()} == expected
    assert "城管局" in expected                      # open cases reported before the window
    assert df.loc["城管局", "oldest"] == min(e["reported_at"] for e in planted()
                                          if e["department"] == "城管局" and warning_of(e))
    assert df.loc["城管局", "worst_grid"] == "一号网格"
    # every department's worst grid: most red, then most late, then first by name (ties are
    # common, one late case each; the same grid on every refresh and every engine)
    from tests.layers.mapdb import GRIDS

    per: dict[str, dict[str, list[int]]] = {}
    for e in planted():
        w = warning_of(e)
        if w:
            c = per.setdefault(e["department"], {}).setdefault(GRIDS[e["grid_id"]][0], [0, 0])
            c[0] += w == "red"
            c[1] += 1
    worst = {d: min(g, key=lambda name: (-g[name][0], -g[name][1], name)) for d, g in per.items()}
    assert df["worst_grid"].to_dict() == worst
    assert {d: int(n) for d, n in df["worst_grid_n"].items()} == {
        d: per[d][g][1] for d, g in worst.items()}
    reds = list(df["red"])
    assert reds == sorted(reds, reverse=True)
    only = late_by_department(store, Settings(), parse_filters(
        store, Settings(), {"as_of": "2025-06-15T23:00", "warning": "yellow"}))
    assert int(only["red"].sum()) == 0 and int(only["yellow"].sum()) == sum(
        v[1] for v in expected.values())
    store.close()


def test_the_worst_grid_of_a_tie_is_the_first_by_name(tmp_path):
    """Two grids with one red case each for 信访局: 一号网格 sorts before 三号网格, whichever
    was stored first."""
    from store.analysis_reads import late_by_department
    from tests.analysis.analysisdb import event, make_db
    from tests.analysis.conftest import planted_cameras

    red_at = dt.datetime(2025, 6, 10, 9)                       # > 72 h before as_of, open
    ties = [event("X3", red_at, "G3", department="信访局"),
            event("X1", red_at + dt.timedelta(hours=1), "G1", department="信访局")]
    store = ReadStore(make_db(tmp_path / "tie.duckdb", planted_events() + ties,
                              planted_cameras()))
    f = parse_filters(store, Settings(), {"as_of": "2025-06-15T23:00"})
    row = late_by_department(store, Settings(), f).set_index("department").loc["信访局"]
    assert (row["red"], row["worst_grid"], row["worst_grid_n"]) == (2, "一号网格", 1)
    store.close()


@pytest.mark.parametrize("sort", ["department", "-department", "category", "-channel",
                                  "township", "-status", "grid_name"])
def test_pages_sorted_by_a_few_valued_column_match_a_plain_sort(client, sort):
    """The grouped page finder gives the order of ORDER BY col, rowid (rowid = the order the
    rows were written, here planted_events())."""
    col = {"township": "township_code", "grid_name": "grid_id"}.get(sort.lstrip("-"),
                                                                  sort.lstrip("-"))
    start, end = (dt.datetime.combine(d, dt.time()) for d in WEEK)
    rows = [(e[col], i, e["event_id"]) for i, e in enumerate(planted())
            if start <= e["reported_at"] < end]
    want = [r[2] for r in sorted(rows, reverse=sort.startswith("-"))]
    got = [r["event_id"] for p in (1, 2, 3, 4)
           for r in client.get(f"/api/events?{Q}&sort={sort}&page={p}&page_size=4")
           .get_json()["rows"]]
    assert got == want


def test_the_sql_twin_neutralises_like_python(tmp_path):
    import duckdb

    from store.event_table import neutralise_sql

    values = ["=1+1", "+86", "-3", "@A1", "\tx", "\rx", "张*", "a=b", "", " =x", "'=x",
              "138****5678", "=", "-", "\n=x", None]
    con = duckdb.connect()
    got = [r[0] for r in con.execute(
        f"SELECT {neutralise_sql('v')} FROM (SELECT unnest(?::VARCHAR[]) AS v, "
        "generate_subscripts(?::VARCHAR[], 1) AS i) ORDER BY i", [values, values]).fetchall()]
    assert got == [neutralise(v) for v in values]


def test_without_dates_the_list_has_every_report_time(client):
    """The event list filters only by what is given: no window and no dates is all time
    (the backlog's red cases reported weeks ago included); a window narrows it."""
    everything = client.get("/api/events?as_of=2025-06-15T23:00&page_size=1").get_json()
    assert everything["total"] == len(planted()) and everything["start"] is None
    red = client.get("/api/events?as_of=2025-06-15T23:00&warning=red").get_json()
    assert red["total"] == sum(1 for e in planted() if warning_of(e) == "red") > own_count(
        warning="red")
    csv_text = client.get("/api/events.csv?as_of=2025-06-15T23:00&warning=red").get_data()
    assert csv_text.decode("utf-8-sig").count("\r\n") == 1 + red["total"]
    week = client.get("/api/events?as_of=2025-06-15T23:00&window=week").get_json()
    assert (week["start"], week["end"], week["total"]) == ("2025-06-09", "2025-06-16", 15)


@pytest.mark.parametrize("sort", ["-reported_at", "reported_at", "-closed_at", "closed_at",
                                  "department", "-category", "-due_at", "township"])
def test_deep_pages_found_from_bucket_counts_match_a_plain_sort(planted_db, monkeypatch, sort):
    """Past DEEP_OFFSET a page is found from per-day (timestamps) or per-value counts; here
    every page takes that path and must give ORDER BY col NULLS LAST, rowid — the order a
    plain sort of the planted rows gives (rowid = planted order; due_at orders like
    reported_at without per-category limits)."""
    from store import event_table as et

    monkeypatch.setattr(et, "DEEP_OFFSET", 0)
    store = ReadStore(planted_db)
    f = parse_filters(store, Settings(), {"as_of": "2025-06-15T23:00"}, unbounded=True)
    key = sort.lstrip("-")
    col = {"township": "township_code", "due_at": "reported_at"}.get(key, key)
    desc = sort.startswith("-")
    rows = [(e[col] is None, e[col], i, e["event_id"]) for i, e in enumerate(planted())]
    present = sorted((r for r in rows if not r[0]), reverse=desc)
    nulls = sorted((r for r in rows if r[0]), key=lambda r: r[2], reverse=desc)
    want = [r[3] for r in present + nulls]
    got, total = [], None
    for p in range(1, 20):
        body = event_page(store, Settings(), f, Page(sort=sort, page=p, page_size=3))
        total = body["total"]
        got += [r["event_id"] for r in body["rows"]]
    assert total == len(planted()) and got == want
    assert any(r[0] for r in rows) or key not in ("closed_at",)       # NULLs were exercised
    store.close()


def test_the_total_says_how_many_of_its_events_are_invalid(client):
    body = client.get(f"/api/events?{Q}").get_json()
    invalid = sum(1 for e in planted() if e["status"] == "invalid"
                  and dt.datetime.combine(WEEK[0], dt.time()) <= e["reported_at"]
                  < dt.datetime.combine(WEEK[1], dt.time()))
    assert body["invalid"] == invalid == 1 and body["total"] == own_count()
    assert client.get(f"/api/events?{Q}&status=invalid").get_json()["invalid"] == 1
    assert client.get(f"/api/events?{Q}&warning=red").get_json()["invalid"] == 0


PAGED_SORTS = ["address", "-address", "event_id", "-event_id", "-warning", "warning",
               "closed_at", "-accepted_at", "-due_at", "grid_name"]


def _paged(store, settings, f, sort: str, size: int) -> list[str]:
    total = event_page(store, settings, f, Page(sort=sort, page_size=1))["total"]
    return [r["event_id"] for p in range(1, -(-total // size) + 1)
            for r in event_page(store, settings, f, Page(sort=sort, page=p,
                                                         page_size=size))["rows"]]


@pytest.mark.parametrize("sort", PAGED_SORTS)
@pytest.mark.parametrize("derived", [False, True])
def test_pages_past_the_middle_read_from_the_end_match_the_one_page_list(planted_db, sort,
                                                                         derived):
    """Pages past the middle are read in the mirrored order (NULLs first, ties reversed)
    and turned round: page by page, every sort (with NULLs, text, derived warning, due
    time from per-category limits) gives the list read as one page, on both paths."""
    store = ReadStore(planted_db)
    s = Settings()
    if derived:          # a limit of its own: due_at from ev, not from events alone
        s.raw["limits"]["category"] = {"治安问题": {"close_h": 24.0}}
    f = parse_filters(store, s, {"as_of": "2025-06-15T23:00"}, unbounded=True)
    try:
        whole = [r["event_id"] for r in event_page(store, s, f, Page(sort=sort,
                                                                     page_size=500))["rows"]]
        assert len(whole) == len(planted())
        for size in (4, 7):
            assert _paged(store, s, f, sort, size) == whole, (sort, size)
    finally:
        store.close()


@pytest.mark.parametrize("sort", ["address", "-warning"])
def test_the_last_page_is_not_a_top_n_of_the_whole_list(planted_db, monkeypatch, sort):
    """The last page of a year sorted by address kept a million rows in DuckDB's top-N
    (offset + limit) and took 3 s at 1 M events; read from the end it keeps one page."""
    from contextlib import contextmanager

    store = ReadStore(planted_db)
    f = parse_filters(store, Settings(), {"as_of": "2025-06-15T23:00"}, unbounded=True)
    seen: list[tuple[str, list]] = []
    real = store.cursor

    class Spy:
        def __init__(self, cur):
            self.cur = cur

        def execute(self, sql, params=None):
            seen.append((sql, list(params or [])))
            self.cur.execute(sql, params or [])
            return self

        def __getattr__(self, name):
            return getattr(self.cur, name)

    @contextmanager
    def spying():
        with real() as cur:
            yield Spy(cur)

    monkeypatch.setattr(store, "cursor", spying)
    try:
        total = len(planted())
        last = -(-total // 4)
        body = event_page(store, Settings(), f, Page(sort=sort, page=last, page_size=4))
        assert len(body["rows"]) == total - 4 * (last - 1)
        paged = [p for sql, p in seen if "LIMIT ? OFFSET ?" in sql]
        assert paged and all(p[-1] + p[-2] <= 4 for p in paged), paged
    finally:
        store.close()
