"""Personal data in free text, round 4 of #17: the reporter's own name and phone written into
their own description or address, a local number after a phone word, a name after a role
word. Before, all three reached officers in clear beside a masked reporter column. Python and
SQL give the same text, on DuckDB and on ClickHouse (chdb, published by the real publisher)."""
from __future__ import annotations

import datetime as dt
import random

import duckdb
import pytest

from store.privacy import mask_text, mask_text_sql
from tests.engines import ENGINES, close_all, store_on
from tests.store.dbmaker import make_db

# (text, reporter name, reporter phone, as an officer reads it)
OWN = [
    ("张三反映楼道堆放杂物", "张三", "13912345678", "张*反映楼道堆放杂物"),
    ("来电人李四（13912345678）称楼上漏水", "李四", "13912345678",
     "来电人李*（139****5678）称楼上漏水"),
    ("联系人：王五，电话85123456", "王五", "85123456", "联系人：王*，电话8******6"),
    ("欧阳娜娜家门口垃圾未清运", "欧阳娜娜", None, "欧***家门口垃圾未清运"),
    ("匿名反映广场噪音", "匿名", None, "匿*反映广场噪音"),        # as the column reads it
    ("回访号码 8512-3456，另留 85123456", "赵六", "8512-3456", "回访号码 8*******6，另留 8*******6"),
    ("陈小明说陈小明的车被刮", " 陈小明 ", "", "陈**说陈**的车被刮"),
    ("座机(0575)8512-3456 找刘七", "刘七", "(0575)8512-3456", "座机(057****3456 找刘*"),
]
# (b) a local number without its area code after a phone word
LOCAL = [
    ("联系电话85123456", "联系电话****3456"), ("电话：8512 3456。", "电话：****3456。"),
    ("手机号 2345678，", "手机号 ****5678，"), ("Tel:8512-3456 转12", "Tel:****3456 转12"),
    ("TEL85123456", "TEL****3456"), ("tel（85123456）", "tel（****3456）"),
    ("联系方式：８５１２３４５６", "联系方式：****３４５６"),
]
# (c) a name after a role word
ROLES = [
    ("联系人：王五，电话未留", "联系人：王*，电话未留"),
    ("当事人张三电话13912345678", "当事人张*电话139****5678"),
    ("来电人李四称楼上漏水", "来电人李*称楼上漏水"),
    ("报警人 赵小六 反映有人打架", "报警人 赵** 反映有人打架"),
    ("举报人为钱七，投诉人孙八", "举报人为钱*，投诉人孙*"),
    ("姓名：欧阳娜娜。", "姓名：欧***。"),
    ("求助人周九家中漏水", "求助人周*家中漏水"),
    ("当事人王小明称其家中漏水", "当事人王**称其家中漏水"),
]
# what stays: case numbers, grid codes, dates, amounts, places, category words, words after
# a role word that are no name, short numbers, a one-character or empty reporter
KEPT = [
    ("SZ20251031000130 网格330683102001001 2025-10-31 14:30", "张三", "13912345678"),
    ("金额12345678元，共35户，编号1234567", "李四", None),
    ("人民路253号3单元 噪音扰民 矛盾纠纷", "王五", "0575-85123456"),
    ("报警人称有人打架，当事人双方情绪激动，反映人反映属实", None, None),
    ("投诉人要求尽快处理，联系人不在家", None, None),
    ("李家巷李子树倒伏", "李", "1"),
    ("王家反映王府井广场噪音", "王", "110"),
    ("张家村道路破损", "", ""),
    ("电话12345 热线，回访 95588", None, "12345"),
]


def _sql_twin(rows: list[tuple]) -> list:
    """mask_text_sql of each (text, name, phone), through DuckDB."""
    con = duckdb.connect()
    con.execute("CREATE TABLE t (i INTEGER, v VARCHAR, n VARCHAR, p VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?, ?, ?)",
                    [(i, *r) for i, r in enumerate(rows)])
    return [m for _, m in con.execute(
        f"SELECT i, {mask_text_sql('v', 'n', 'p')} FROM t ORDER BY i").fetchall()]


@pytest.mark.parametrize("text,name,phone,masked", OWN)
def test_the_reporters_own_name_and_phone_are_masked_in_their_texts(text, name, phone, masked):
    assert mask_text(text, name, phone) == masked
    assert _sql_twin([(text, name, phone)]) == [masked]


@pytest.mark.parametrize("text,masked", LOCAL)
def test_a_local_number_after_a_phone_word_is_masked(text, masked):
    assert mask_text(text) == masked
    assert _sql_twin([(text, None, None)]) == [masked]


@pytest.mark.parametrize("text,masked", ROLES)
def test_a_name_after_a_role_word_is_masked(text, masked):
    assert mask_text(text) == masked
    assert _sql_twin([(text, None, None)]) == [masked]


@pytest.mark.parametrize("text,name,phone", KEPT)
def test_numbers_places_and_words_that_are_no_personal_data_stay(text, name, phone):
    assert mask_text(text, name, phone) == text
    assert _sql_twin([(text, name, phone)]) == [text]


NAMES = ["张三", "李四", "欧阳娜娜", "王小明", "李", "", None, "匿名", " 赵六 ", "e\u0301x", "😀😀"]
PHONES = ["13912345678", "85123456", "0575-85123456", "+86 139 1234 5678", "8512345",
          "(0575)8512-3456", "110", "", None, " 85123456 ", "8512 3456"]
PIECES = ["联系人", "来电人", "当事人", "姓名：", "报警人", "反映", "称", "电话", "手机号", "Tel",
          "TEL:", "：", "，", " ", "（", "）", "的", "家", "双方", "要求", "路", "号", "噪音",
          "8512", "3456", "85123456", "139", "1234", "5678", "0575-", "-", "２３４５６７８",
          "1", "2", "9", "小", "明", "娜", "SZ2025", "*"]


def random_rows(n: int, seed: int) -> list[tuple]:
    rnd = random.Random(seed)
    rows = []
    for _ in range(n):
        name, phone = rnd.choice(NAMES), rnd.choice(PHONES)
        parts = [rnd.choice(PIECES) for _ in range(rnd.randrange(12))]
        for own in (name, phone):         # the reporter's own values, now and then
            if own and rnd.random() < .5:
                parts.insert(rnd.randrange(len(parts) + 1), own.strip(" "))
        rows.append(("".join(parts) if rnd.random() > .02 else None, name, phone))
    return rows


def test_the_twins_agree_on_random_texts_with_reporters():
    rows = random_rows(3000, 17)
    got = _sql_twin(rows)
    want = [mask_text(*r) for r in rows]
    assert got == want
    changed = [w for w, (t, _n, _p) in zip(want, rows) if w != t]
    assert len(changed) > 1000                       # every rule is exercised
    assert sum("**" in w and "*" not in t for w, (t, _n, _p) in zip(want, rows) if t) > 300


@pytest.mark.parametrize("engine", ENGINES)
def test_both_engines_mask_the_stored_rows_as_python_does(engine, tmp_path):
    """The expression event_rows_cte uses, on the events table of a real file and of its
    ClickHouse copy: the same text, row by row, as mask_text."""
    rows = OWN + [(t, None, None, m) for t, m in LOCAL + ROLES] + [
        (t, n, p, t) for t, n, p in KEPT] + [(*r, None) for r in random_rows(1000, 18)]
    db = make_db(tmp_path / "own.duckdb", [])
    con = duckdb.connect(str(db))
    con.executemany("INSERT INTO events (event_id, reported_at, category, description,"
                    " reporter_name, reporter_phone) VALUES (?, ?, '矛盾纠纷', ?, ?, ?)",
                    [(f"E{i:05d}", dt.datetime(2025, 6, 1), t, n, p)
                     for i, (t, n, p, _m) in enumerate(rows)])
    con.close()
    store = store_on(engine, db)
    try:
        masked = mask_text_sql("description", "reporter_name", "reporter_phone")
        got = store.df(f"SELECT event_id, {masked} AS m FROM events ORDER BY event_id")
    finally:
        close_all()
        if engine == "duckdb":
            store.close()
    want = [mask_text(t, n, p) for t, n, p, _m in rows]
    assert [None if v is None or v != v else v for v in got["m"]] == want
    assert [w for w, r in zip(want, rows) if r[3] is not None] == [
        r[3] for r in rows if r[3] is not None]
