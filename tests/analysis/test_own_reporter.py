"""A reporter's own name and phone written into their own description or address (12345
exports: '张三反映…', '来电人李四（139…）称…', '联系人：王五，电话85123456') reached every
officer-facing answer in clear while the reporter column beside it read '张*'. Each surface
is searched for every reporter's name and phone, as the acceptance check does: the case
table, the event card (officer's and wall's), the CSV export, the served API; on DuckDB and
ClickHouse. The keyword search and the export's keyword read the masked text alike."""
from __future__ import annotations

import csv
import datetime as dt
import io

import duckdb
import pytest
import requests

from store import event_table as et
from store import wall_reads as wr
from store.analysis_filters import parse_filters
from store.event_rows import event_detail
from store.privacy import mask_text
from store.settings import Settings
from tests.analysis.analysisdb import event, make_db
from tests.engines import ENGINES, close_all, store_on
from tests.serving import started, stop_server

AS_OF = dt.datetime(2025, 6, 15, 23, 0)
DAY = dt.datetime(2025, 6, 1, 9, 0)
# (reporter name, reporter phone, address, description)
CASES = [
    ("张三", "13912345678", "人民路1号", "张三反映楼道堆放杂物"),
    ("李四", "13812345678", "江滨路2号", "来电人李四（13812345678）称楼上漏水"),
    ("王五", "85123456", "城中路3号", "联系人：王五，电话85123456，楼道噪音"),
    ("欧阳娜娜", "0575-83012345", "欧阳娜娜家 鹿山街道4号", "门口垃圾未清运，回电0575-83012345"),
    ("赵小六", "8512-3456", "人民路5号", "赵小六称邻居占道，回访8512-3456"),
    ("陈七", "+86 139 1234 0000", "江滨路6号", "求助人陈七家中漏水，电话+86 139 1234 0000"),
    ("李", "1", "李家巷7号", "李子树倒伏压坏围墙"),           # one character: stays
    (None, None, "人民路8号", "市民反映丰收路段路灯不亮"),    # no reporter: nothing of theirs
]


def _reporters() -> list[str]:
    """Every value the check looks for: names and phones as stored (and the phone's digits)."""
    out = []
    for name, phone, _a, _d in CASES:
        digits = "".join(c for c in phone or "" if c.isdigit())
        out += [name] if name and len(name) > 1 else []
        out += [phone, digits] if len(digits) >= 7 else []
    return out


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("own") / "own.duckdb"
    evs = [event(f"E{i:03d}", DAY + dt.timedelta(hours=i), address=a, name=n, phone=p,
                 closed_at=None if i % 2 else DAY + dt.timedelta(days=1))
           for i, (n, p, a, _d) in enumerate(CASES)]
    make_db(path, evs)
    con = duckdb.connect(str(path))
    con.executemany("UPDATE events SET description = ? WHERE event_id = ?",
                    [(d, f"E{i:03d}") for i, (_n, _p, _a, d) in enumerate(CASES)])
    con.close()
    return path


def _filters(store, q: str | None = None):
    args = {"as_of": AS_OF.isoformat()}
    if q:
        args["q"] = q
    return parse_filters(store, Settings(), args, unbounded=True)


def _csv(store, f, raw: bool = False) -> list[dict]:
    text = b"".join(et.csv_lines(store, Settings(), f, raw=raw)).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def _leaks(texts: list[str]) -> list[tuple[str, str]]:
    return [(v, t) for t in texts for v in _reporters() if v in t]


@pytest.mark.parametrize("engine", ENGINES)
def test_no_officer_surface_shows_a_reporters_name_or_phone(db, engine):
    store = store_on(engine, db)
    try:
        f = _filters(store)
        rows = et.event_page(store, Settings(), f, et.Page(page_size=50))["rows"]
        ids = [r["event_id"] for r in rows]
        assert len(ids) == len(CASES)
        cards = [event_detail(store, Settings(), i, as_of=AS_OF) for i in ids]
        walls = [wr.event_card(store, Settings(), i, AS_OF) for i in ids]
        exported = _csv(store, f)
        raw = _csv(store, f, raw=True)
    finally:
        close_all()
    seen = [str(v) for part in (rows, cards, walls, exported) for r in part for v in r.values()]
    assert not _leaks(seen)
    # what the texts say stays readable, and masked as the columns are
    by_id = {c["event_id"]: c for c in cards}
    assert by_id["E000"]["description"] == "张*反映楼道堆放杂物"
    assert by_id["E002"]["description"] == "联系人：王*，电话8******6，楼道噪音"
    assert by_id["E003"]["address"] == "欧***家 鹿山街道4号"
    assert by_id["E006"]["description"] == "李子树倒伏压坏围墙"
    assert by_id["E007"]["description"] == "市民反映丰收路段路灯不亮"
    # the admin's raw export stays raw (the export has the address, not the description)
    assert sorted(r["address"] for r in raw) == sorted(a for _n, _p, a, _d in CASES)
    assert {r["address"] for r in exported} >= {"欧***家 鹿山街道4号", "李家巷7号"}


# a reporter's own name, a role-word name, a word beside them, a masked name, a phone
QUERIES = ["张三", "王五", "欧阳娜娜", "楼道", "张*", "欧***", "8******6", "85123456", "李子",
           "陈* 漏水"]


def _read(q: str) -> set[str]:
    """The test's own search: every word in the id or the texts as the officer reads them."""
    hits = set()
    for i, (n, p, a, d) in enumerate(CASES):
        texts = [f"E{i:03d}".lower(), mask_text(a, n, p).lower(), mask_text(d, n, p).lower()]
        if all(any(w in t for t in texts) for w in q.lower().split()):
            hits.add(f"E{i:03d}")
    return hits


@pytest.mark.parametrize("engine", ENGINES)
def test_the_keyword_finds_what_the_officer_reads_in_the_list_and_the_export(db, engine):
    """A name typed in finds no case where it reads masked; the export's keyword (now on the
    stored rows, as the list's) gives the list's rows, for officers and admins alike."""
    store = store_on(engine, db)
    try:
        for q in QUERIES:
            f = _filters(store, q)
            listed = {r["event_id"] for r in
                      et.event_page(store, Settings(), f, et.Page(page_size=50))["rows"]}
            exported = {r["event_id"] for r in _csv(store, f)}
            raw = {r["event_id"] for r in _csv(store, f, raw=True)}
            assert listed == exported == raw == _read(q), q
    finally:
        close_all()
    assert not _read("张三") and _read("张*") == {"E000"} and _read("楼道") == {"E000", "E002"}


def test_the_served_api_shows_no_reporters_name_or_phone(db, tmp_path):
    """The officer's JSON list, card and CSV and the wall's API, through the real server."""
    base, proc = started(db)     # a free port (tests.serving)
    try:
        q = f"as_of={AS_OF.isoformat()}"
        body = requests.get(f"{base}/api/events?{q}&page_size=50", timeout=30)
        ids = [r["event_id"] for r in body.json()["rows"]]
        answers = [body.text, requests.get(f"{base}/api/events.csv?{q}", timeout=30).text]
        answers += [requests.get(f"{base}/api/events/{i}?{q}", timeout=30).text for i in ids]
        answers += [requests.get(f"{base}/api/{p}", timeout=30).text
                    for p in ("metrics", "townships", "hotspots", "health")]
        answers.append(requests.get(f"{base}/", timeout=30).text)
    finally:
        stop_server(proc)
    assert len(ids) == len(CASES)
    decoded = [a.encode().decode("unicode_escape") if "\\u" in a else a for a in answers]
    assert not _leaks(answers + decoded)
