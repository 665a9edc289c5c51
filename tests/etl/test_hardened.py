"""Loaders that cannot be fooled: each bad input is a named reject or one clear message
(exit 2, database unchanged), never a silent wrong figure or a traceback. Every test loads
real files through run_load or `python -m etl load` into a real DuckDB file."""
from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from etl.load import LoadError
from store.db import ReadStore
from store.metrics import resolve_as_of
from store.settings import Settings, SettingsError
from tests.etl.conftest import cell, one, q, source, write_config, write_csv

ROOT = Path(__file__).resolve().parents[2]


def _now() -> dt.datetime:
    return dt.datetime.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None, microsecond=0)


def _ts(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S")


def _settings(folder: Path, text: str) -> Path:
    p = folder / "settings.toml"
    p.write_text(text, encoding="utf-8")
    return p


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "etl", "load", "--quiet", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


# --- 2. times far in the past or the future ----------------------------------------------
def test_times_before_min_date_and_after_the_clock_are_rejected_by_name(county):
    now = _now()
    lon, lat = cell(1, 1)
    rows = [["E1", _ts(now - dt.timedelta(days=2)), "环境卫生", lon, lat, "", "", ""],
            ["E2", "1999-12-31 23:59:59", "环境卫生", lon, lat, "", "", ""],
            ["E3", _ts(now + dt.timedelta(days=400)), "环境卫生", lon, lat, "", "", ""],
            ["E4", _ts(now + dt.timedelta(hours=2)), "环境卫生", lon, lat, "", "", ""],
            ["E5", _ts(now - dt.timedelta(days=1)), "环境卫生", lon, lat,
             "", _ts(now + dt.timedelta(days=30)), ""]]
    rep = county.load([county.events(rows)])
    ev = source(rep, "events")
    assert ev["rejected_by_reason"] == {"bad_time": 1, "future_time": 2}
    assert q(county.db, "SELECT event_id FROM events ORDER BY 1") == [("E1",), ("E4",)]
    assert q(county.db, "SELECT source_row, reason, detail LIKE '%min_date 2000-01-01%', "
             "detail LIKE '%after the load''s clock%' FROM rejects ORDER BY 1") == [
        (2, "bad_time", True, False), (3, "future_time", False, True),
        (5, "future_time", False, True)]


def test_one_future_dated_row_never_moves_the_walls_as_of(county):
    now = _now()
    lon, lat = cell(2, 2)
    good = [[f"E{i}", _ts(now - dt.timedelta(days=3, hours=i)), "环境卫生", lon, lat, "", "", ""]
            for i in range(5)]
    county.load([county.events(good)], dataset={"as_of": "newest_report"})
    store = ReadStore(county.db)
    before = resolve_as_of(store, Settings())
    store.close()
    assert before == now - dt.timedelta(days=3)
    typo = [["E99", _ts(now.replace(year=now.year + 180)), "环境卫生", lon, lat, "", "", ""]]
    rep = county.load([county.events(good + typo)], dataset={"as_of": "newest_report"})
    assert source(rep, "events")["rejected_by_reason"] == {"future_time": 1}
    store = ReadStore(county.db)
    assert resolve_as_of(store, Settings()) == before
    store.close()


def test_min_date_and_tolerance_come_from_the_settings(county):
    now = _now()
    lon, lat = cell(1, 2)
    s = _settings(county.path, 'min_date = "2020-01-01"\nfuture_tolerance_h = 1000\n')
    rows = [["E1", "2019-06-01 08:00:00", "环境卫生", lon, lat, "", "", ""],
            ["E2", _ts(now + dt.timedelta(days=30)), "环境卫生", lon, lat, "", "", ""]]
    rep = county.load([county.events(rows)], settings=s)
    assert source(rep, "events")["rejected_by_reason"] == {"bad_time": 1}
    assert q(county.db, "SELECT event_id FROM events") == [("E2",)]


@pytest.mark.parametrize("line", ['min_date = "yesterday"', "future_tolerance_h = -1",
                                  'future_tolerance_h = "24h"', "[privacy]\nkeep_reporter = 0"])
def test_bad_bounds_in_the_settings_stop_the_load_naming_the_key(county, line):
    s = _settings(county.path, line + "\n")
    with pytest.raises(SettingsError, match=line.split(" ")[0].split("\n")[-1]):
        Settings.load(s)
    before = county.db.exists()
    with pytest.raises(LoadError):
        county.load([], settings=s)
    assert county.db.exists() == before


def test_camera_and_mediation_times_are_bounded_too(county):
    now = _now()
    lon, lat = cell(0, 0)
    write_csv(county.path / "cams.csv", ["点位编号", "经度", "纬度", "状态", "最后在线时间"],
              [["C1", lon, lat, "在线", _ts(now - dt.timedelta(hours=1))],
               ["C2", lon, lat, "在线", _ts(now + dt.timedelta(days=9))]])
    write_csv(county.path / "m.csv", ["乡镇", "月份", "纠纷类型", "受理数", "调解数", "成功数"],
              [["甘霖镇", "1998-01", "邻里纠纷", 5, 4, 3],
               ["甘霖镇", f"{now.year + 3}-01", "邻里纠纷", 5, 4, 3],
               ["甘霖镇", "2024-02", "邻里纠纷", 5, 4, 3]])
    rep = county.load([{"kind": "cameras", "path": "cams.csv"},
                       {"kind": "mediation", "path": "m.csv"}])
    assert source(rep, "cameras")["rejected_by_reason"] == {"future_time": 1}
    assert source(rep, "mediation")["rejected_by_reason"] == {"bad_time": 1, "future_time": 1}
    assert one(county.db, "SELECT count(*) FROM mediation") == 1


# --- 3. counts that overflow or are not whole numbers --------------------------------------
def test_mediation_counts_that_overflow_or_are_not_whole_are_bad_values(county):
    head = ["乡镇", "月份", "纠纷类型", "受理数", "调解数", "成功数", "涉及人数", "涉及金额"]
    rows = [["甘霖镇", "2024-01", "邻里纠纷", 5, 4, 3, 2, "100.5"],
            ["甘霖镇", "2024-02", "邻里纠纷", "99999999999999999999", 4, 3, "", ""],
            ["甘霖镇", "2024-03", "邻里纠纷", "9223372036854775808", 4, 3, "", ""],
            ["甘霖镇", "2024-04", "邻里纠纷", "2.5", 1, 1, "", ""],
            ["甘霖镇", "2024-05", "邻里纠纷", 5, 4, 3, "1e30", ""],
            ["甘霖镇", "2024-06", "邻里纠纷", 5, 4, 3, "", "inf"],
            ["甘霖镇", "2024-07", "邻里纠纷", "nan", 0, 0, "", ""],
            ["甘霖镇", "2024-08", "邻里纠纷", "-1", 0, 0, "", ""],
            ["甘霖镇", "2024-09", "邻里纠纷", "2147483647", 4, 3, "", ""]]
    write_csv(county.path / "m.csv", head, rows)
    rep = county.load([{"kind": "mediation", "path": "m.csv"}])
    assert source(rep, "mediation")["rejected_by_reason"] == {"bad_value": 7}
    assert q(county.db, "SELECT month, received FROM mediation ORDER BY 1") == [
        (dt.date(2024, 1, 1), 5), (dt.date(2024, 9, 1), 2147483647)]
    assert one(county.db, "SELECT min(received) FROM mediation") > 0   # nothing wrapped


# --- 10. [privacy] keep_reporter = false -------------------------------------------------
def test_keep_reporter_false_stores_no_reporter_name_or_phone(county):
    head = ["事件编号", "上报时间", "事件类型", "经度", "纬度", "上报人", "联系电话"]
    lon, lat = cell(1, 1)
    rows = [["E1", "2024-03-05 10:00:00", "环境卫生", lon, lat, "张三", "13812345678"],
            ["E2", "2024-03-05 10:00:00", "", lon, lat, "李四", "13900001111"]]   # rejected
    s = _settings(county.path, "[privacy]\nkeep_reporter = false\n")
    county.load([county.events(rows, head=head)], settings=s)
    assert q(county.db, "SELECT reporter_name, reporter_phone FROM events") == [(None, None)]
    (raw,) = q(county.db, "SELECT raw FROM rejects")[0]
    assert "李四" not in raw and "13900001111" not in raw and "事件编号" in raw
    raw = county.db.read_bytes()
    assert "13812345678".encode() not in raw and "张三".encode() not in raw
    county.load([county.events(rows, head=head)])          # default: kept
    assert q(county.db, "SELECT reporter_name, reporter_phone FROM events") == [
        ("张三", "13812345678")]
    assert "13900001111" in one(county.db, "SELECT raw FROM rejects")
