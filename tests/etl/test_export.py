"""``python -m etl export``: events by month in hive layout and every other table as Parquet,
read back by DuckDB and by ClickHouse (chdb) with the same counts as the database."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys

import duckdb
import pytest

from store.clickhouse import to_rows
from tests.engines import close_all
from tests.serving import ROOT
from tests.store.dbmaker import ev, make_db

D = dt.datetime


@pytest.fixture()
def exported(tmp_path):
    events = [ev(f"e{i}", D(2025, 1 + i % 3, 1 + i % 27, i % 24), grid="G3" if i % 2 else "G1",
                 township="T2" if i % 2 else "T1") for i in range(90)]
    events.append(ev("edge", D(2025, 3, 31, 23, 59, 59, 999999)))
    db = make_db(tmp_path / "c.duckdb", events)
    con = duckdb.connect(str(db))
    con.execute("UPDATE events SET reporter_name = '张三', reporter_phone = '13812345678'")
    con.close()
    out = tmp_path / "out"
    res = subprocess.run([sys.executable, "-m", "etl", "export", "--db", str(db), "--out",
                          str(out)], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    return db, out


def test_events_are_written_one_folder_per_month_in_hive_layout(exported):
    _, out = exported
    months = sorted(p.relative_to(out / "events").as_posix()
                    for p in (out / "events").glob("year=*/month=*"))
    assert months == ["year=2025/month=01", "year=2025/month=02", "year=2025/month=03"]
    assert (out / "grids.parquet").exists() and (out / "meta.parquet").exists()


def test_duckdb_reads_the_export_back_with_the_same_counts_and_no_personal_data(exported):
    db, out = exported
    con = duckdb.connect()
    got = con.execute(
        f"SELECT year, month, count(*), max(reported_at) FROM read_parquet('{out}/events/*/*/*.parquet',"
        " hive_partitioning = true) GROUP BY ALL ORDER BY ALL").fetchall()
    src = duckdb.connect(str(db), read_only=True)
    want = src.execute("SELECT year(reported_at), month(reported_at), count(*), max(reported_at)"
                       " FROM events GROUP BY ALL ORDER BY ALL").fetchall()
    assert [(int(y), int(m), n, t) for y, m, n, t in got] == want
    cols = con.execute(f"DESCRIBE SELECT * FROM read_parquet('{out}/events/*/*/*.parquet')").fetchall()
    assert not {"reporter_name", "reporter_phone"} & {c[0] for c in cols}
    for t in ("grids", "townships", "daily_rollup", "meta"):
        assert con.execute(f"SELECT count(*) FROM '{out}/{t}.parquet'").fetchone() == \
            src.execute(f"SELECT count(*) FROM {t}").fetchone()


def test_clickhouse_reads_the_export_back_with_the_same_counts(exported, tmp_path):
    from chdb import session

    db, out = exported
    close_all()
    sess = session.Session(str(tmp_path / "ch"))
    try:
        sess.query("SET session_timezone = 'UTC'")
        got = to_rows(sess.query(
            f"SELECT toMonth(reported_at) AS m, count(), max(reported_at)"
            f" FROM file('{out}/events/*/*/*.parquet', Parquet) GROUP BY m ORDER BY m",
            "ArrowTable"))
        grids = to_rows(sess.query(f"SELECT count() FROM file('{out}/grids.parquet', Parquet)",
                                   "ArrowTable"))
    finally:
        sess.close()
    src = duckdb.connect(str(db), read_only=True)
    want = src.execute("SELECT month(reported_at), count(*), max(reported_at) FROM events"
                       " GROUP BY 1 ORDER BY 1").fetchall()
    assert got == want                    # microseconds and naive local time survive
    assert grids[0][0] == src.execute("SELECT count(*) FROM grids").fetchone()[0]


def test_an_export_never_writes_into_a_folder_that_holds_files(exported):
    db, out = exported
    res = subprocess.run([sys.executable, "-m", "etl", "export", "--db", str(db), "--out",
                          str(out)], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 2 and "not empty" in res.stderr


PERSONAL_TEXTS = ("张三", "13812345678", "330682199001011234")


def _export_texts(tmp_path, *flags: str) -> str:
    """Every value of every exported file as text, after a load whose texts carry the
    reporter's own name and phone, an ID number, and whose rejects hold a raw source row."""
    db = make_db(tmp_path / "p.duckdb", [ev("p1", D(2025, 2, 3, 9)), ev("p2", D(2025, 2, 4, 9))])
    con = duckdb.connect(str(db))
    con.execute("UPDATE events SET reporter_name = '张三', reporter_phone = '13812345678',"
                " description = '张三反映楼道堆放杂物，电话13812345678',"
                " address = '身份证330682199001011234的住户门口'")
    con.execute("INSERT INTO rejects VALUES (1, 'events', 'e.csv', 7, 'bad_time', 'x',"
                " '{\"上报人\": \"张三\", \"联系电话\": \"13812345678\"}')")
    con.close()
    out = tmp_path / ("out" + "".join(flags).replace("-", "_"))
    res = subprocess.run([sys.executable, "-m", "etl", "export", "--db", str(db), "--out",
                          str(out), *flags], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    reader = duckdb.connect()
    texts = []
    for f in sorted(out.rglob("*.parquet")):
        rel = reader.execute(f"SELECT * FROM read_parquet('{f}')")
        texts += [str(v) for row in rel.fetchall() for v in row]
    return "\n".join(texts)


def test_without_personal_data_no_name_phone_or_id_leaves_in_any_file(tmp_path):
    """Texts went out raw and rejects with their source row: the reporter's name and phone
    written into a description, an ID number in an address, a rejected row's 上报人 left in
    clear although the reporter columns were dropped."""
    text = _export_texts(tmp_path)
    for secret in PERSONAL_TEXTS:
        assert secret not in text, secret
    assert "张*反映楼道堆放杂物" in text and "138****5678" in text   # masked as officers read


def test_with_personal_data_everything_goes_out_as_stored(tmp_path):
    text = _export_texts(tmp_path, "--with-personal-data")
    for secret in PERSONAL_TEXTS:
        assert secret in text, secret
