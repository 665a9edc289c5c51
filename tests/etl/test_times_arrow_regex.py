"""Loose time spellings (2024/3/5 14:03, 2024年3月5日, …T14:03:00+08:00, 20240305140300) are
matched by RE2 in Arrow, not row by row by Python's ``re``: a city's export written that way
spent ~10 CPU s a million rows there (half its load). The split must not change a value:
``_extract`` is checked against pandas' own ``str.extract`` on spellings that include the
characters where the two regex engines differ (non-ASCII digits and spaces, \\v, \\x1c)."""
from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pandas.core.strings.object_array import ObjectStringArrayMixin

from etl import times
from etl.times import parse_times

SH = "Asia/Shanghai"
LOOSE = ["2026/3/5 14:03", "2026年3月5日 14时03分", "2026-03-05T14:03:00+08:00",
         "20260305140300", "2026.3.5", "2026-3-5 4:3:7.25", "2026-03-05T06:03:00Z"]


@pytest.fixture
def python_regex_rows(monkeypatch):
    """How many rows reach pandas' per-row Python regex (the real one is still called)."""
    seen = []
    real = ObjectStringArrayMixin._str_extract

    def counting(self, pat, flags=0, expand=True):
        seen.append(len(self))
        return real(self, pat, flags, expand)
    monkeypatch.setattr(ObjectStringArrayMixin, "_str_extract", counting)
    return seen


def test_loose_spellings_do_not_go_through_python_regex_row_by_row(python_regex_rows):
    text = pd.Series(LOOSE * 3000 + ["未知", "２０２６-03-05 14:03", "2026-03-05\u300014:03"])
    values, empty, bad = parse_times(text, None, SH, SH)
    assert not empty.any()
    assert bad[-3] and bad[-2] and bad.sum() == 2     # 未知, full-width digits (as before)
    assert values.iloc[-1] == pd.Timestamp("2026-03-05 14:03")   # an ideographic space
    assert values.iloc[0] == pd.Timestamp("2026-03-05 14:03")
    assert values.iloc[2] == pd.Timestamp("2026-03-05 14:03")
    assert values.iloc[6] == pd.Timestamp("2026-03-05 14:03")
    assert sum(python_regex_rows) <= 6      # the rows RE2 cannot judge, twice at most; not 21,000


PIECES = st.sampled_from(["2026", "3", "03", "12", "31", "5", "14", "7", "25",
                          "-", "/", ".", "年", "月", "日", "时", "分", "秒", " ", "  ", "T", ":",
                          ",", "Z", "UTC", "+08:00", "-0500", "+08", "２", "٣", "\u3000",
                          "\x0b", "\x1c", "\t", "x", ""])
TEXTS = st.lists(st.lists(PIECES, min_size=1, max_size=14).map("".join), min_size=1,
                 max_size=40)


@settings(max_examples=150, deadline=None)
@given(rows=TEXTS)
def test_extract_equals_pandas_str_extract(rows):
    s = pd.Series(rows + [None], dtype="string[pyarrow]")
    for pattern in (times._LOOSE, times._COMPACT):
        want = s.astype(object).str.extract(pattern)
        got = times._extract(s, pattern)
        assert list(got.columns) == list(want.columns)
        for k in want.columns:
            assert got[k].astype(object).where(got[k].notna(), None).tolist() == \
                want[k].astype(object).where(want[k].notna(), None).tolist(), (pattern, k)


@settings(max_examples=60, deadline=None)
@given(rows=TEXTS)
def test_parse_times_of_any_spelling_is_that_of_the_python_path(rows):
    """The whole parse, values and masks, against the same parse through pandas' extract."""
    s = pd.Series(rows + LOOSE, dtype="string[pyarrow]")
    got = parse_times(s, None, SH, SH)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(times, "_extract", lambda t, pattern: t.astype(object).str.extract(pattern))
        want = parse_times(s, None, SH, SH)
    assert got[0].tolist() == want[0].tolist()
    assert (got[1] == want[1]).all() and (got[2] == want[2]).all()
