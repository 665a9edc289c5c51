"""Timestamp parsing: the spellings county exports use, offsets and zones."""
from __future__ import annotations

import pandas as pd
import pytest

from etl.times import parse_months, parse_times

SH = "Asia/Shanghai"


@pytest.mark.parametrize("text", [
    "2024-03-05 14:03:00", "2024-03-05T14:03", "2024/3/5 14:03", "2024年3月5日 14:03",
    "2024年3月5日 14时03分", "2024-3-5 14:03:00", "20240305140300", "2024.03.05 14:03",
    " 2024-03-05 14:03:00 ", "2024-03-05T06:03:00Z", "2024-03-05 14:03:00+08:00",
    "2024-03-05T01:03:00-05:00", "2024-03-05 07:03:00+0100",
])
def test_common_spellings_parse_to_local_time(text):
    values, empty, bad = parse_times(pd.Series([text]), None, SH, SH)
    assert not empty[0] and not bad[0]
    assert values[0] == pd.Timestamp("2024-03-05 14:03:00")


def test_date_only_and_fractional_seconds():
    values, _, bad = parse_times(pd.Series(["2024-03-05", "2024-03-05 14:03:00.250"]),
                                 None, SH, SH)
    assert not bad.any()
    assert values[0] == pd.Timestamp("2024-03-05")
    assert values[1] == pd.Timestamp("2024-03-05 14:03:00.250")


@pytest.mark.parametrize("text", ["2024-02-30 10:00", "2024-13-01", "yesterday", "14:03",
                                  "2024-03-05 25:00", "9999-99-99"])
def test_unparseable_is_bad_not_empty(text):
    values, empty, bad = parse_times(pd.Series([text, ""]), None, SH, SH)
    assert bad.tolist() == [True, False]
    assert empty.tolist() == [False, True]
    assert values.isna().all()


def test_time_format_and_source_zone_are_converted_to_the_settings_zone():
    text = pd.Series(["04/30/2014 02:51:52 PM", "01/15/2014 09:00:00 AM"])
    values, _, bad = parse_times(text, "%m/%d/%Y %I:%M:%S %p", "America/Los_Angeles", SH)
    assert not bad.any()
    # PDT (UTC-7) in April, PST (UTC-8) in January; Shanghai is UTC+8
    assert values[0] == pd.Timestamp("2014-05-01 05:51:52")
    assert values[1] == pd.Timestamp("2014-01-16 01:00:00")


def test_same_zone_keeps_wall_clock_time():
    values, _, _ = parse_times(pd.Series(["04/30/2014 02:51:52 PM"]), "%m/%d/%Y %I:%M:%S %p",
                               "America/Los_Angeles", "America/Los_Angeles")
    assert values[0] == pd.Timestamp("2014-04-30 14:51:52")


def test_many_rows_vectorised_with_mixed_spellings():
    n = 50_000
    text = pd.Series(["2024-03-05 14:03:00", "2024/3/5 14:03", "", "bad"] * (n // 4))
    values, empty, bad = parse_times(text, None, SH, SH)
    assert empty.sum() == n // 4 and bad.sum() == n // 4
    assert (values.dropna() == pd.Timestamp("2024-03-05 14:03:00")).all()


@pytest.mark.parametrize("text", ["2024-03", "2024/3", "2024年3月", "202403", "2024-03-01",
                                  "2024-03-01 00:00:00", "2024.3"])
def test_months(text):
    values, empty, bad = parse_months(pd.Series([text]))
    assert not bad[0] and not empty[0]
    assert values[0] == pd.Timestamp("2024-03-01")


def test_bad_months():
    values, empty, bad = parse_months(pd.Series(["2024-13", "三月", "", "24-03"]))
    assert bad.tolist() == [True, True, False, True]
    assert empty.tolist() == [False, False, True, False]
