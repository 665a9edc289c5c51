"""A keyword on the late list (and on any warning-filtered panel) is looked up in the stored
texts before event_rows_cte joins and masks the open cases, as keyword_sql is written to be
used; the answer is the one the officer reads (a number typed whole finds nothing, its
masked form finds the case). Before, the keyword ran on ev's masked texts: every open case
of a city masked first, then masked again by keyword_sql: the 10 M-event city's late list
took 11.6 s with a phone number typed in, 7.3 s with 消防 (1.9 and 2.7 s after)."""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt

import duckdb
import pytest

from store import analysis_reads as ar
from store.analysis_filters import parse_filters
from store.db import ReadStore
from store.schema import refresh_rollups
from store.settings import Settings
from tests.store.dbmaker import ev, make_db

AS_OF = dt.datetime(2025, 6, 20)
PHONE = "13812345678"


class _Tap:
    """A real DuckDB cursor that notes each statement run on it."""

    def __init__(self, cur, seen: list):
        self.cur, self.seen = cur, seen

    def execute(self, sql, params=None):
        self.seen.append(sql)
        return self.cur.execute(sql, params)

    def __getattr__(self, name):
        return getattr(self.cur, name)


class Recording(ReadStore):
    """The real store; keeps the SQL it was given."""

    def __init__(self, path):
        super().__init__(path)
        self.seen: list[str] = []

    def df(self, sql, params=None):
        self.seen.append(sql)
        return super().df(sql, params)

    @contextlib.contextmanager
    def cursor(self):
        with super().cursor() as cur:
            yield _Tap(cur, self.seen)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    rows = [ev(f"E{i}", AS_OF - dt.timedelta(days=5 + i), grid="G1") for i in range(4)]
    rows.append(ev("E9", AS_OF - dt.timedelta(days=5), grid="G3", township="T2"))
    db = make_db(tmp_path_factory.mktemp("latekw") / "c.duckdb", rows)
    con = duckdb.connect(str(db))
    texts = {"E0": f"噪音扰民，来电{PHONE}", "E1": "楼道消防通道堵塞", "E2": "噪音", "E3": "路灯",
             "E9": "噪音"}
    for eid, text in texts.items():
        con.execute("UPDATE events SET description = ?, department = ? WHERE event_id = ?",
                    [text, "城管局" if eid != "E9" else "住建局", eid])
    refresh_rollups(con)
    con.close()
    st = Recording(db)
    yield st
    st.close()


def _filters(st, **kw):
    return parse_filters(st, Settings(), {"window": "30d", "as_of": AS_OF.isoformat(), **kw})


@pytest.mark.parametrize("q, red", [("噪音", {"城管局": 2, "住建局": 1}), ("消防", {"城管局": 1}),
                                    (PHONE, {}), ("138****5678", {"城管局": 1}),
                                    ("噪音 5678", {"城管局": 1})])
def test_the_late_list_finds_what_the_officer_reads(store, q, red):
    df = ar.late_by_department(store, Settings(), _filters(store, q=q))
    assert dict(zip(df["department"], df["red"].astype(int))) == red
    # the same words with the township filter: pushed down together
    df = ar.late_by_department(store, Settings(), _filters(store, q=q, township="T1"))
    assert dict(zip(df["department"], df["red"].astype(int))) == {
        k: v for k, v in red.items() if k == "城管局"}


def _cte_and_rest(sql: str) -> tuple[str, str]:
    """(ev_base's text, everything after the ev CTE)."""
    base = sql[sql.index("ev_base AS ("):sql.index("ev AS (")]
    return base, sql[sql.index("FROM ev_base)"):]


def test_the_keyword_is_applied_to_the_stored_rows_before_masking(store):
    for read, f in ((ar.late_by_department, _filters(store, q="138****5678")),
                    (ar.hour_weekday, dataclasses.replace(_filters(store, q="138****5678"),
                                                          warning="red"))):
        store.seen.clear()
        read(store, Settings(), f)
        sql = next(s for s in store.seen if "ev_base AS (" in s)
        base, rest = _cte_and_rest(sql)
        assert "strpos(" in base, read.__name__          # filtered where rows are stored
        assert "strpos(" not in rest, read.__name__      # not again on the masked texts


def test_the_event_list_of_late_cases_too(store):
    from store import event_table as et

    f = dataclasses.replace(_filters(store, q="138****5678"), warning="red")
    store.seen.clear()
    page = et.event_page(store, Settings(), f)
    assert [r["event_id"] for r in page["rows"]] == ["E0"] and page["total"] == 1
    counted = [s for s in store.seen if "ev_base AS (" in s and "count(*)" in s]
    assert counted, store.seen
    base, rest = _cte_and_rest(counted[0])
    assert "strpos(" in base and "strpos(" not in rest
    f = dataclasses.replace(_filters(store, q=PHONE), warning="red")
    assert et.event_page(store, Settings(), f)["total"] == 0     # a number typed whole
