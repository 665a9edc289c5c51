"""The analysis page's department list (store.analysis_reads.options) is read once per
published version, not per view or per cache expiry, and still names a department that a
later load brings."""
from __future__ import annotations

from store import analysis_reads as ar
from store.db import ReadStore
from store.settings import Settings
from tests.etl.conftest import EVENT_HEAD, cell

HEAD = [*EVENT_HEAD, "处置部门"]


def _ev(eid: str, dept: str, day: int = 5) -> list:
    return [eid, f"2024-03-{day:02d} 10:00:00", "矛盾纠纷", *cell(1, 1), "", "", "", dept]


def _by_definition(store) -> list[str]:
    return [r[0] for r in store.rows("SELECT coalesce(department, '未指派') FROM events "
                                     "GROUP BY 1 ORDER BY count(*) DESC, 1")]


def test_the_department_list_is_read_once_a_load_and_follows_a_new_department(county,
                                                                              monkeypatch):
    county.load([county.events([_ev("A1", "城管局"), _ev("A2", "城管局"), _ev("A3", "")],
                               head=HEAD)])
    store = ReadStore(county.db)
    s = Settings()
    try:
        first = ar.options(store, s)
        assert first["departments"] == ["城管局", "未指派"] == _by_definition(store)

        def no_query(*a, **k):
            raise AssertionError("a second view of the same data read the store")

        with monkeypatch.context() as mp:          # the next views: no query at all
            mp.setattr(store, "rows", no_query)
            mp.setattr(store, "df", no_query)
            again = ar.options(store, s)
            assert again == first
            again["departments"].append("x")       # a caller's copy, not the memo
            assert ar.options(store, s) == first
        county.load([county.events([_ev(f"B{i}", "交通运输局", 6) for i in range(3)],
                                   head=HEAD, name="newer.csv")])
        got = ar.options(store, s)["departments"]
        assert got == ["交通运输局", "城管局", "未指派"] == _by_definition(store)
    finally:
        store.close()
