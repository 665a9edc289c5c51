"""The event table sorted by 预警 (warning): the first direction (a header's first click,
ascending) lists red cases first, then yellow, then the rest, ties by event number; every
page equals an order computed here from metrics.md's definition of a warning, on DuckDB and
chdb. And the page is found without running ``ev`` (joins, due time, masking) over the
window's closed cases: at 10 M events that sorted the year (1.7-5 s a click)."""
from __future__ import annotations

import datetime as dt
import random
import shutil

import pytest

from store import event_table as et
from store.analysis_filters import parse_filters
from store.event_rows import open_sql
from store.settings import Settings
from tests.analysis.analysisdb import event, make_db
from tests.engines import close_all, store_on

AS_OF = dt.datetime(2025, 6, 15, 23, 0)
CLOSE_H = {"安全隐患": 24.0}          # a category limit of its own, beside the default 72 h
WARN = 2 / 3
RANK = {"red": 0, "yellow": 1, None: 2}


def _events() -> list[tuple]:
    rnd = random.Random(19)
    out = []
    for i in range(60):
        reported = AS_OF - dt.timedelta(hours=rnd.uniform(-30, 200))   # some after as_of
        kind = rnd.choice(["open", "open", "closed", "closed_later", "invalid"])
        closed = {"closed": reported + dt.timedelta(hours=2),
                  "closed_later": AS_OF + dt.timedelta(hours=3)}.get(kind)
        if closed is not None and closed <= reported:
            closed = reported + dt.timedelta(minutes=5)
        out.append(event(f"E{rnd.randrange(10**6):06d}-{i}", reported,
                         rnd.choice(["G1", "G2", "G3"]),
                         category=rnd.choice(["安全隐患", "矛盾纠纷"]),
                         status="invalid" if kind == "invalid" else
                         "closed" if closed else "reported", closed_at=closed))
    return out


def _warning(e: tuple, settings: Settings) -> str | None:
    """metrics.md without SQL: open at as_of (valid, reported by it, not closed by it), red
    past close_h, yellow from warn_fraction of it."""
    reported, category, closed, status = e[1], e[2], e[12], e[14]
    if status == "invalid" or reported > AS_OF or (closed is not None and closed <= AS_OF):
        return None
    age_h = (AS_OF - reported).total_seconds() / 3600
    close_h = settings.limit("close_h", category)
    return "red" if age_h > close_h else "yellow" if age_h >= WARN * close_h else None


def _settings() -> Settings:
    s = Settings()
    s.raw["limits"]["category"] = {k: {"close_h": v} for k, v in CLOSE_H.items()}
    return s


@pytest.fixture(scope="module")
def warned_db(tmp_path_factory):
    return make_db(tmp_path_factory.mktemp("warnsort") / "w.duckdb", _events())


VIEWS = ({}, {"category": "安全隐患"}, {"status": "closed"})


def _expected(settings: Settings, view: dict, desc: bool) -> list[str]:
    rows = [e for e in _events()
            if all(e[{"category": 2, "status": 14, "grid": 7}[k]] == v for k, v in view.items())]
    order = sorted(rows, key=lambda e: (RANK[_warning(e, settings)], e[0]))
    return [e[0] for e in (order[::-1] if desc else order)]


@pytest.mark.parametrize("deep", [False, True])
def test_warning_sort_pages_equal_the_definition_on_duckdb_and_chdb(warned_db, tmp_path,
                                                                    monkeypatch, deep):
    """Both directions, pages of 12, three filter sets; shallow pages (each bucket from its
    top) and, with DEEP_OFFSET 0, deep ones (buckets counted, read from the end)."""
    monkeypatch.setattr(et, "DEEP_OFFSET", 0 if deep else 10_000)
    s = _settings()
    db = tmp_path / "copy.duckdb"
    shutil.copy(warned_db, db)
    want = {(i, sort): _expected(s, v, sort.startswith("-"))
            for i, v in enumerate(VIEWS) for sort in ("warning", "-warning")}
    marks = {e[0]: _warning(e, s) for e in _events()}
    assert set(marks.values()) == {"red", "yellow", None}
    try:
        for engine in ("duckdb", "chdb"):
            store = store_on(engine, db)
            for i, view in enumerate(VIEWS):
                f = parse_filters(store, s, {"as_of": AS_OF.isoformat(), **view},
                                  unbounded=True)
                for sort in ("warning", "-warning"):
                    exp = want[(i, sort)]
                    got, p = [], 1
                    while len(got) < len(exp):
                        b = et.event_page(store, s, f, et.Page(sort=sort, page=p, page_size=12))
                        assert b["total"] == len(exp) and b["rows"], (engine, view, sort)
                        assert all(r["warning"] == marks[r["event_id"]] for r in b["rows"])
                        got += [r["event_id"] for r in b["rows"]]
                        p += 1
                    assert got == exp, (engine, view, sort)
            if engine == "duckdb":
                store.close()
    finally:
        close_all()


def test_the_first_direction_lists_red_cases_first(warned_db):
    """A header's first click asks for ascending: red, then yellow, then the rest (the API's
    ``sort=warning``); ``-warning`` the other way round."""
    from store.db import ReadStore

    s = _settings()
    store = ReadStore(warned_db)
    try:
        f = parse_filters(store, s, {"as_of": AS_OF.isoformat()}, unbounded=True)
        first = et.event_page(store, s, f, et.Page(sort="warning", page_size=200))["rows"]
        marks = [r["warning"] for r in first]
        assert marks[0] == "red" and marks == sorted(marks, key=RANK.get)
        back = et.event_page(store, s, f, et.Page(sort="-warning", page_size=200))["rows"]
        assert [r["event_id"] for r in back] == [r["event_id"] for r in first][::-1]
        # one first page across every bucket, both ways: the definition's order
        assert [r["event_id"] for r in first] == _expected(s, {}, desc=False)
        assert [r["event_id"] for r in back] == _expected(s, {}, desc=True)
    finally:
        store.close()


def test_the_warning_sort_runs_ev_only_on_open_cases(warned_db, monkeypatch):
    """Every statement that builds ``ev`` to find the page (and its total) has the open-only
    filter; only the page's own rows go through the full ``ev`` (the last statement)."""
    from contextlib import contextmanager

    from store.db import ReadStore

    s = _settings()
    store = ReadStore(warned_db)
    seen: list[str] = []
    real = store.cursor

    class Spy:
        def __init__(self, cur):
            self.cur = cur

        def execute(self, sql, params=None):
            seen.append(sql)
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
        f = parse_filters(store, s, {"as_of": AS_OF.isoformat()}, unbounded=True)
        for sort, page in (("warning", 1), ("-warning", 1), ("-warning", 9)):
            seen.clear()
            assert et.event_page(store, s, f, et.Page(sort=sort, page=page,
                                                      page_size=7))["rows"]
            finding = [q for q in seen if "ev_base" in q][:-1]
            assert finding and all("WHERE " + open_sql("e") in q for q in finding), sort
            assert "gw_rowid" in seen[-1]
    finally:
        store.close()
