"""The keyword filter (q, 关键词): every word in the event number, the address or the
description, counted against the test's own search over the rows; the same on ClickHouse;
the panels that aggregate follow it and the hotspot caption says it does not apply there."""
from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from store import analysis_reads as ar
from store import event_table as et
from store.analysis_filters import FilterError, parse_filters
from store.db import ReadStore
from store.privacy import mask_text
from store.settings import Settings
from tests.analysis.analysisdb import event, make_db
from tests.engines import close_all, store_on

AS_OF = dt.datetime(2025, 6, 15, 23, 0)
DAY = dt.datetime(2025, 6, 10, 9, 0)
# (event_id, address, description): words in one field, in two, in none; Latin case
ROWS = [("SZ-2025-001", "江滨路1号", "楼上噪音扰民，夜间施工"),
        ("SZ-2025-002", "江滨路2号", "垃圾未清运"),
        ("SZ-2025-003", "人民路8号", "广场舞噪音"),
        ("sz-2025-004", "人民路9号 Block A", None),
        ("HX-0005", None, "噪音 江滨路 夜间"),
        ("HX-0006", "江滨路噪音巷", "路灯不亮"),
        ("HX-0007", "江滨路7号", "当事人电话13912345678要求处理噪音")]


def own(words: list[str]) -> set[str]:
    """The test's own search: every word in one of the three texts, case folded."""
    hits = set()
    for eid, addr, desc in ROWS:      # the texts as an officer reads them: phones masked
        texts = [t.lower() for t in (eid, mask_text(addr or ""),
                                     mask_text(desc or ""))]
        if all(any(w.lower() in t for t in texts) for w in words):
            hits.add(eid)
    return hits


@pytest.fixture(scope="module")
def kw_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("kw") / "kw.duckdb"
    evs = [event(eid, DAY + dt.timedelta(hours=i), "G1" if i % 2 else "G3",
                 address=addr, department="城管局" if i < 3 else "住建局")
           for i, (eid, addr, _d) in enumerate(ROWS)]
    make_db(db, evs)
    con = duckdb.connect(str(db))
    con.executemany("UPDATE events SET description = ? WHERE event_id = ?",
                    [(d, eid) for eid, _a, d in ROWS])
    con.close()
    return db


QUERIES = ["噪音", "江滨路", "噪音 江滨路", "江滨路　夜间", "SZ-2025", "block a", "HX-0006",
           "不存在的词", "噪音 人民路 广场舞", "13912345678", "912345", "139****5678"]


def ids(store, q: str) -> set[str]:
    f = parse_filters(store, Settings(), {"as_of": AS_OF.isoformat(), "q": q}, unbounded=True)
    body = et.event_page(store, Settings(), f, et.Page(page_size=50))
    assert body["total"] == len(body["rows"])
    return {r["event_id"] for r in body["rows"]}


@pytest.mark.parametrize("q", QUERIES)
def test_the_list_finds_what_the_own_search_finds(kw_db, q):
    store = ReadStore(kw_db)
    try:
        assert ids(store, q) == own(q.split())
    finally:
        store.close()


def test_the_search_is_the_same_on_clickhouse(kw_db, tmp_path):
    import shutil

    db = tmp_path / "copy.duckdb"
    shutil.copy(kw_db, db)
    try:
        got = {eng: [ids(store_on(eng, db), q) for q in QUERIES] for eng in ("duckdb", "chdb")}
    finally:
        close_all()
    assert got["duckdb"] == got["chdb"] == [own(q.split()) for q in QUERIES]


def test_aggregating_panels_and_the_late_list_follow_the_keywords(kw_db):
    store = ReadStore(kw_db)
    s = Settings()
    try:
        def f(**extra):
            return parse_filters(store, s, {"start": "2025-06-09", "end": "2025-06-16",
                                            "as_of": AS_OF.isoformat(), **extra})
        matrix = ar.hour_weekday(store, s, f(q="噪音"))
        assert int(matrix.sum()) == len(own(["噪音"])) == 5
        late = ar.late_by_department(store, s, f(q="江滨路"))
        assert int(late["total"].sum()) == len(own(["江滨路"]))   # all open, all red by as_of
    finally:
        store.close()


@pytest.mark.parametrize("q", ["a b c d e f", "长" * 101])
def test_a_search_past_its_limits_is_an_error(kw_db, q):
    store = ReadStore(kw_db)
    try:
        with pytest.raises(FilterError, match="bad q"):
            parse_filters(store, Settings(), {"q": q})
    finally:
        store.close()


def test_the_api_and_the_csv_take_q_and_a_link_keeps_it(client):
    body = client.get("/api/events", query_string={"as_of": "2025-06-15T23:00",
                                                   "q": "江滨路"}).get_json()
    assert body["total"] == 8 and all("江滨路" in r["address"] for r in body["rows"])
    csv = client.get("/api/events.csv", query_string={"as_of": "2025-06-15T23:00",
                                                      "q": "江滨路 3号"}).get_data(as_text=True)
    assert csv.count("\n") == 2 and "江滨路3号" in csv
    bad = client.get("/api/events", query_string={"q": "1 2 3 4 5 6"})
    assert bad.status_code == 400 and "bad q" in bad.get_json()["error"]


def test_the_hotspot_caption_says_which_filters_it_does_not_apply():
    from dashboard.analysis.hotspot_panel import not_applied
    from store.analysis_filters import Filters

    base = {"start": dt.date(2025, 6, 9), "end": dt.date(2025, 6, 16), "as_of": AS_OF}
    assert not_applied(Filters(**base, category="矛盾纠纷")) == ""
    assert not_applied(Filters(**base, q="噪音", warning="red")) == " · 热点不按关键词、预警筛选"


def test_a_number_in_a_description_is_masked_and_cannot_be_searched(kw_db):
    """The phone a grid worker wrote into the description: masked in the detail an officer
    opens (and the wall's card), and typing it finds nothing (else the search would say
    which case holds that number)."""
    from store.event_rows import event_detail

    store = ReadStore(kw_db)
    try:
        d = event_detail(store, Settings(), "HX-0007", as_of=AS_OF)
        assert d["description"] == "当事人电话139****5678要求处理噪音"
        assert ids(store, "13912345678") == set() and ids(store, "139****5678") == {"HX-0007"}
        raw = event_detail(store, Settings(), "HX-0007", as_of=AS_OF, raw=True)
        assert "13912345678" in raw["description"]                  # admin: the source text
    finally:
        store.close()


# texts with what masking and lower-casing touch: mobiles, ID numbers (X check digit),
# Latin letters in both cases, stars, CJK; words cut from them and from their masked form
TEXTS = ["江滨路12号B座", "当事人电话13912345678，身份证33068319900101123X", "Block A 3单元",
         "sz-2025-004 噪音", "139****5678 已回访", "人民路8号 ABC店", None, "",
         "邻居身份证330683199001011234，夜间噪音", "联系１３９１２３４５６７８，座机(0575)8512—3456",
         "电话139 - 1234 - 5678（王）", "身份证330682 19900101 123X",
         "座机+86 575 85123456", "传真+86-575-8512 3456，0086 575 85123456",
         # names (round 4 of #17): after a role word, and the row's own reporter's
         "张三反映楼道堆放杂物", "来电人李四（85123456）称噪音", "联系人：王五，电话85123456",
         "欧阳娜娜家门口噪音", "当事人双方情绪激动", "匿名反映李家巷 Block B"]
# each row's reporter (name, phone): one-character and placeholder names mask nothing
REPORTERS = [(None, None), ("张三", "13912345678"), ("李", "1"), ("欧阳娜娜", "85123456"),
             ("匿名", None), ("王五", "(0575)8512-3456"), ("李四", " 85123456 "), (" 张三 ", "")]


def _words() -> list[str]:
    import random

    from store.privacy import mask_text

    rnd = random.Random(7)
    texts = [t for t in TEXTS if t] + [mask_text(t) for t in TEXTS if t]
    out = {"噪音", "江滨路", "b座", "block", "13912345678", "139****5678", "123x", "x",
           "33068319900101123x", "330***********123x", "*", "号b", "sz-2025", "abc店",
           "１３９１２３４５６７８", "１３９", "—", "8512—3456", ")", "-", "（王）",
           "+86", "+86575", "575****3456", "0086", "+86-575****3456", "85123456",
           "张三", "张*", "三反映", "李四", "李*", "王五", "王*", "欧阳", "欧***", "娜娜", "家门口",
           "双方", "匿名", "李家巷", "(0575)", "8******6", "****3456"}
    while len(out) < 120:
        t = rnd.choice(texts).lower()
        i = rnd.randrange(len(t))
        out.add("".join(t[i:i + rnd.randint(1, 6)].split()) or "路")   # a word: no spaces
    return sorted(out)


def test_every_word_finds_what_the_read_text_holds_and_nothing_else():
    """The search's shortcuts (the stored text where masking cannot matter, a run of the
    word tested first) find exactly the rows whose masked, lower-cased texts hold the word,
    for words with digits, stars, cased letters and CJK, on both columns and the id."""
    from store.analysis_filters import keyword_sql
    from store.privacy import mask_text

    con = duckdb.connect()
    rows = [(f"ID-{i}-{(t or 'x')[:2]}", t, TEXTS[-1 - i], *REPORTERS[i % len(REPORTERS)])
            for i, t in enumerate(TEXTS)]
    rows += [(f"OWN-{i}-{j}", t, t, *r) for i, t in enumerate(TEXTS[-6:])
             for j, r in enumerate(REPORTERS)]     # every named text with every reporter
    con.execute("CREATE TABLE events (event_id VARCHAR, address VARCHAR,"
                " description VARCHAR, reporter_name VARCHAR, reporter_phone VARCHAR)")
    con.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?)", rows)
    for w in _words():
        sql, params = keyword_sql(w)
        got = {r[0] for r in con.execute(f"SELECT event_id FROM events WHERE {sql}",
                                         params).fetchall()}
        want = {eid for eid, a, d, n, p in rows
                if any(w in t.lower() for t in (eid, mask_text(a or "", n, p),
                                                mask_text(d or "", n, p)))}
        assert got == want, w


@pytest.mark.parametrize("q", ["噪音", "江滨路 夜间", "电动自行车 充电"])
def test_a_word_masking_cannot_touch_is_found_in_the_stored_text(q):
    """No digit, no star, no cased letter: only a text holding a role word or its reporter's
    name or phone can read otherwise masked, so the full masking runs behind the stored
    text's own test and that check, never on every row (three regular expressions per row
    and word made a year's search on a million events take seconds per panel)."""
    from store.analysis_filters import keyword_sql

    sql, params = keyword_sql(q)
    words = q.split()
    assert params == [w for w in words for _ in range(5)]      # id, then 2 per text column
    for col in ("address", "description"):
        guard = f"(strpos(coalesce({col}, ''), ?) > 0 AND (NOT ("
        assert sql.count(guard) == len(words)
        # the masking only ever after the guard: never on a row without the word
        assert sql.index(guard) < sql.index(f"regexp_replace(CAST(coalesce({col}")


def test_a_case_number_tests_its_digits_before_masking_and_lower_case():
    """A case number (letters and digits) needs the masked, lower-cased text, but only on the
    rows whose stored text holds its digits: each such test is guarded by the plain one."""
    from store.analysis_filters import keyword_sql

    import re

    sql, params = keyword_sql("e0001234")
    guarded = re.findall(r"\(strpos\((event_id|coalesce\(\w+, ''\)), \?\) > 0"
                         r" AND strpos\(lower\(", sql)
    assert guarded == ["event_id", "coalesce(address, '')", "coalesce(description, '')"]
    assert sql.count("lower(") == 3
    assert params[::2] == ["0001234"] * 3 and params[1::2] == ["e0001234"] * 3


def test_turkish_dotted_i_and_greek_sigma_find_the_same_cases_on_both_engines(tmp_path):
    """Lower case differs between DuckDB (a simple map), ClickHouse (ICU) and Python: 'İ'
    became 'i' / 'i̇' / 'i̇', a word-final 'Σ' 'σ' / 'ς' / 'ς'. 'İstanbul' typed as stored
    found nothing on either engine, 'istanbul' found 'İSTANBUL' on DuckDB only and 'ΟΔΟΣ'
    found 'ΟΔΟΣ ΑΘΗΝΑΣ' on ClickHouse only. Both now fold those letters alike."""
    db = tmp_path / "fold.duckdb"
    make_db(db, [event(eid, DAY, address=addr) for eid, addr in (
        ("T-1", "İSTANBUL CADDESİ"), ("T-2", "ΟΔΟΣ ΑΘΗΝΑΣ"), ("T-3", "οδος αθηνας istanbul"),
        ("T-4", "人民路1号"))])
    want = {"İstanbul": {"T-1", "T-3"}, "istanbul": {"T-1", "T-3"}, "ISTANBUL": {"T-1", "T-3"},
            "caddesi": {"T-1"}, "ΟΔΟΣ": {"T-2", "T-3"}, "οδος": {"T-2", "T-3"},
            "αθηνασ": {"T-2", "T-3"}}
    try:
        got = {eng: {q: ids(store_on(eng, db), q) for q in want} for eng in ("duckdb", "chdb")}
    finally:
        close_all()
    assert got["duckdb"] == want and got["chdb"] == want
