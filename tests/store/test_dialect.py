"""store/dialect.py: DuckDB SQL and its ClickHouse translation give the same values, and a
parameter is always a literal, never SQL."""
from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from store import privacy
from store.clickhouse import plain
from store.dialect import bind, ch_type, literal
from store.engines import parse_target, side_path
from tests.engines import close_all


@pytest.fixture()
def ch(tmp_path):
    """A bare in-process ClickHouse session with the store's settings."""
    from chdb import session

    from store.dialect import SETTINGS

    close_all()
    sess = session.Session(str(tmp_path / "ch"))
    for k, v in SETTINGS.items():
        sess.query(f"SET {k} = {v!r}" if isinstance(v, str) else f"SET {k} = {v}")

    def run(sql, params=()):
        table = plain(sess.query(bind(sql, list(params)), "ArrowTable"))
        return table.to_pylist()

    yield run
    sess.close()


def both(ch, sql, params=()):
    got_duck = duckdb.connect().execute(sql, list(params)).fetchall()
    got_ch = [tuple(r.values()) for r in ch(sql, params)]
    return got_duck, got_ch


HOSTILE = ["x' OR '1'='1", "a\\'b", "\\", "'; DROP TABLE events; --", "反斜杠\\n不是换行",
           "?", "'?'"]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_string_parameter_comes_back_exactly_as_given(ch, value):
    duck, click = both(ch, "SELECT ? AS v, length(?) AS n", [value, value])
    assert duck == click == [(value, len(value))]


def test_timestamps_keep_microseconds_and_stay_naive_local_time(ch):
    t = dt.datetime(2025, 6, 30, 23, 59, 59, 999999)
    duck, click = both(ch, "SELECT ?::TIMESTAMP AS t, date_diff('microsecond', ?::TIMESTAMP,"
                           " ?::TIMESTAMP) AS d, CAST(?::TIMESTAMP AS DATE) AS day",
                       [t, t - dt.timedelta(microseconds=1), t, t])
    assert click[0][0].replace(tzinfo=None) == duck[0][0] == t
    assert click[0][1] == duck[0][1] == 1
    assert click[0][2] == duck[0][2] == dt.date(2025, 6, 30)


def test_median_interpolates_like_duckdb_and_filter_counts_like_countif(ch):
    sql = ("SELECT quantile_cont(x, 0.5) AS q, median(x) AS m,"
           " count(*) FILTER (WHERE x > 2) AS c, sum(x) FILTER (WHERE x > 100) AS none"
           " FROM (SELECT unnest([1, 2, 4, 10]) AS x) t")
    duck, click = both(ch, sql)
    assert duck == click == [(3.0, 3.0, 2, None)]


@pytest.mark.parametrize("value", ["13812345678", "138 1234 5678", "+86 (571) 8888-1234",
                                   "+86 139 1234 5678", "0086-13912345678", "8613912345678",
                                   "欧阳娜娜", "张三", "李", "  王小明 ", "12345", None])
def test_masking_sql_masks_alike_on_both_engines_and_as_python_does(ch, value):
    sql = (f"SELECT {privacy.mask_phone_sql('v')} AS p, {privacy.mask_name_sql('v')} AS n"
           " FROM (SELECT ?::VARCHAR AS v) t")
    duck, click = both(ch, sql, [value])
    assert duck == click == [(privacy.mask_phone(value), privacy.mask_name(value))]


@pytest.mark.parametrize("value", ["当事人电话13912345678，备用18800001111", "无号码", None,
                                   "身份证33068319900101123X，电话13912345678",
                                   "电话 +86 139-1234-5678，座机(0575)8512 3456",
                                   "身份证330682900101123，TEL0575-85123456，网格330683001002004",
                                   "ID:330682900101123,330682900101124",
                                   "座机+86 575 85123456，0086-10-6512 3456，(+86)21 6512-3456",
                                   "身份证号３３０６８２ １９９００１０１ １２３Ｘ，１３９１２３４５６７８"])
def test_ids_and_phones_in_text_are_masked_alike_on_both_engines(ch, value):
    duck, click = both(ch, f"SELECT {privacy.mask_text_sql('v')} AS t"
                           " FROM (SELECT ?::VARCHAR AS v) t", [value])
    assert duck == click == [(privacy.mask_text(value),)]


def test_characters_not_bytes_in_left_right_substr(ch):
    duck, click = both(ch, "SELECT left(?, 1), right(?, 2), substr(?, 2, 2)", ["网格化治理"] * 3)
    assert duck == click == [("网", "治理", "格化")]


def test_a_qualified_column_is_named_as_duckdb_names_it(ch):
    sql = "SELECT t.a, t.a > 1 AS big FROM (SELECT 2 AS a) t"
    assert ch(sql) == [{"a": 2, "big": True}]


def test_literals_refuse_what_they_cannot_bind_safely():
    with pytest.raises(ValueError):
        literal(dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc))
    with pytest.raises(TypeError):
        literal(object())
    with pytest.raises(ValueError):
        bind("SELECT ?", [])
    assert literal([1, "a'"]) == "[1, 'a\\'']"


def test_column_types_are_nullable_unless_not_null():
    assert ch_type("TIMESTAMP") == "Nullable(DateTime64(6))"
    assert ch_type("TIMESTAMP", nullable=False) == "DateTime64(6)"
    assert ch_type("BLOB") == "Nullable(String)"


def test_db_urls_name_their_engine_and_where_sidecar_files_go(tmp_path):
    assert parse_target(tmp_path / "c.duckdb").kind == "duckdb"
    t = parse_target(f"chdb:{tmp_path}/wall")
    assert (t.kind, t.path, t.ledger) == ("chdb", tmp_path / "wall", tmp_path / "wall" / "ledger.duckdb")
    assert side_path(f"chdb:{tmp_path}/wall").with_name("gridwall.auth.sqlite") == \
        tmp_path / "wall" / "gridwall.auth.sqlite"
    s = parse_target("clickhouse://wall:s%40cret@ch.example:9000/county?ledger=/srv/l.duckdb")
    assert (s.kind, s.user, s.password, s.host, s.port, s.database) == (
        "clickhouse", "wall", "s@cret", "ch.example", 9000, "county")
    assert str(s.ledger) == "/srv/l.duckdb"
    d = parse_target("clickhouse://ch.example/")
    assert (d.user, d.port, d.database, d.secure) == ("default", 8123, "default", False)
    assert parse_target("clickhouses://u@h/db").port == 8443
    for bad in ("chdb:", "clickhouse:///db", "postgres://h/db", "clickhouse://h/a/b",
                "clickhouse://h/db?user=x"):
        with pytest.raises(ValueError):
            parse_target(bad)


def test_strftime_minutes_stay_minutes(ch):
    t = dt.datetime(2025, 10, 31, 22, 44, 55)
    duck, click = both(ch, "SELECT strftime(?::TIMESTAMP, '%Y-%m-%dT%H:%M:%S')", [t])
    assert duck == click == [("2025-10-31T22:44:55",)]


def test_open_time_bounds_clamp_to_what_clickhouse_can_hold(ch):
    lo, hi = dt.datetime.min, dt.datetime.max
    sql = "SELECT ?::TIMESTAMP < ?::TIMESTAMP AND ?::TIMESTAMP > ?::TIMESTAMP AS inside"
    t = dt.datetime(2025, 6, 30, 12)
    duck, click = both(ch, sql, [lo, t, hi, t])
    assert duck == click == [(True,)]


@pytest.mark.parametrize("value", ["Café ÉCOLE", "ＡＢＣ大厦", "ΣΟΦΊΑ 广场", "Привет Улица",
                                   "MiXeD cAsE 噪音"])
def test_lower_and_upper_fold_every_letter_not_only_ascii(ch, value):
    """ClickHouse's lower/upper change ASCII letters only: the keyword search (q) then missed
    'École' for 'école' on ClickHouse while DuckDB found it."""
    sql = "SELECT lower(?) AS lo, upper(?) AS up, strpos(lower(?), ?) > 0 AS hit"
    params = [value, value, value, value.lower()[1:]]
    got_duck, got_ch = both(ch, sql, params)
    assert got_ch == got_duck == [(value.lower(), value.upper(), True)]
