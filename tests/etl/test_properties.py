"""Property-based tests (hypothesis): time parsing, coordinate systems and text encodings
hold for many generated inputs, not just the few spelled out in the other tests.

Kept fast: modest max_examples, no deadline (the machine is shared)."""
from __future__ import annotations

import csv
import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from etl import chinacrs
from etl.config import SourceConfig
from etl.read_table import read_table
from etl.times import parse_months, parse_times

FAST = settings(max_examples=60, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
TZ = "Asia/Shanghai"

# --- time parsing ------------------------------------------------------------------------
moments = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2099, 12, 31))

SPELLINGS = {   # how exports write a moment -> what of it survives the spelling
    "iso": (lambda t: t.strftime("%Y-%m-%d %H:%M:%S"), "s"),
    "iso_t": (lambda t: t.strftime("%Y-%m-%dT%H:%M:%S"), "s"),
    "iso_minutes": (lambda t: t.strftime("%Y-%m-%d %H:%M"), "min"),
    "slashes": (lambda t: f"{t.year}/{t.month}/{t.day} {t.hour}:{t.minute:02d}", "min"),
    "dots": (lambda t: t.strftime("%Y.%m.%d"), "D"),
    "chinese": (lambda t: f"{t.year}年{t.month}月{t.day}日 {t.hour}时{t.minute:02d}分", "min"),
    "compact": (lambda t: t.strftime("%Y%m%d%H%M%S"), "s"),
    "date_only": (lambda t: t.strftime("%Y-%m-%d"), "D"),
    "fraction": (lambda t: t.strftime("%Y-%m-%d %H:%M:%S.%f"), "us"),
}


@FAST
@given(st.lists(st.tuples(moments, st.sampled_from(sorted(SPELLINGS))), min_size=1,
                max_size=20))
def test_every_spelling_of_a_moment_parses_back_to_it(cases):
    text = pd.Series([SPELLINGS[k][0](t) for t, k in cases], dtype="string[pyarrow]")
    out, empty, bad = parse_times(text, None, TZ, TZ)
    assert not empty.any() and not bad.any(), list(text[bad])
    for (t, k), got in zip(cases, out):
        assert got == pd.Timestamp(t).floor(SPELLINGS[k][1]), (k, t)


@FAST
@given(moments, st.integers(min_value=-12, max_value=14), st.sampled_from(["+%02d:00", "+%02d00"]))
def test_an_explicit_offset_is_converted_to_the_settings_zone(t, hours, style):
    t = t.replace(microsecond=0)
    sign = "-" if hours < 0 else "+"
    offset = style.replace("+", sign) % abs(hours)
    out, _, bad = parse_times(pd.Series([t.strftime("%Y-%m-%dT%H:%M:%S") + offset]), None, TZ,
                              TZ)
    assert not bad.any()
    utc = t - dt.timedelta(hours=hours)
    assert out.iloc[0] == pd.Timestamp(utc) + pd.Timedelta(hours=8)   # Shanghai: UTC+8, no DST


@FAST
@given(st.lists(st.text(max_size=30), min_size=1, max_size=30))
@example(["00000000²"])                    # found by hypothesis: '²' is a Unicode digit
@example(["2024-03-0² 10:00:00", "2024-03-05 10:00:00"])
def test_any_text_is_a_time_or_a_named_bad_time_never_a_crash(texts):
    s = pd.Series(texts, dtype="string[pyarrow]")
    out, empty, bad = parse_times(s, None, TZ, TZ)
    assert len(out) == len(texts)
    blank = np.array([t.strip() == "" for t in texts])
    assert (empty == blank).all()
    # each cell is exactly one of: empty, bad (NaT), or a value
    assert (out.isna().to_numpy() == (empty | bad)).all()
    months, m_empty, m_bad = parse_months(pd.Series(texts, dtype=object))
    assert (months.isna().to_numpy() == (m_empty | m_bad)).all()


@FAST
@given(st.lists(st.text(max_size=20), min_size=1, max_size=10),
       st.sampled_from(["%Y-%m-%d %H:%M", "%m/%d/%Y %I:%M:%S %p", "%d.%m.%Y"]))
def test_a_declared_format_never_crashes_on_other_text(texts, fmt):
    out, empty, bad = parse_times(pd.Series(texts, dtype="string[pyarrow]"), fmt, TZ, TZ)
    assert (out.isna().to_numpy() == (empty | bad)).all()


# --- coordinates -------------------------------------------------------------------------
china_lon = st.floats(min_value=73.7, max_value=134.7, allow_nan=False)
china_lat = st.floats(min_value=18.2, max_value=53.5, allow_nan=False)
CM = 1e-7    # degrees: about 1 cm on the ground; the inverse is held to 1e-9° (≈ 0.1 mm)


@FAST
@given(st.lists(st.tuples(china_lon, china_lat), min_size=1, max_size=50))
def test_gcj02_and_bd09_round_trip_to_well_under_a_centimetre(points):
    lon = np.array([p[0] for p in points])
    lat = np.array([p[1] for p in points])
    for forward, system in ((chinacrs.wgs84_to_gcj02, "gcj02"), (chinacrs.wgs84_to_bd09, "bd09")):
        flon, flat = forward(lon, lat)
        blon, blat = chinacrs.to_wgs84(system, flon, flat)
        assert np.abs(blon - lon).max() < 1e-9 and np.abs(blat - lat).max() < 1e-9
        assert np.abs(blon - lon).max() < CM


@FAST
@given(st.lists(st.tuples(st.floats(-180, 180), st.floats(-90, 90)), min_size=1, max_size=30))
def test_offset_systems_never_give_nan_for_a_real_point(points):
    lon = np.array([p[0] for p in points])
    lat = np.array([p[1] for p in points])
    for system in ("gcj02", "bd09"):
        wlon, wlat = chinacrs.to_wgs84(system, lon, lat)
        assert np.isfinite(wlon).all() and np.isfinite(wlat).all()
        assert np.abs(wlon - lon).max() < 0.02 and np.abs(wlat - lat).max() < 0.02


# --- encodings ---------------------------------------------------------------------------
hanzi = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)   # all of them in GBK
cell_text = st.text(alphabet=st.one_of(hanzi, st.sampled_from(list("ab1 ,\"\n;|·—《》（）"))),
                    max_size=12)


@FAST
@given(st.lists(st.tuples(cell_text, cell_text), min_size=1, max_size=25),
       st.sampled_from(["utf-8", "utf-8-sig", "gbk", "gb18030"]))
def test_csv_with_chinese_text_reads_the_same_in_every_encoding(tmp_path_factory, rows, enc):
    folder = tmp_path_factory.mktemp("enc")
    path = folder / "m.csv"
    with path.open("w", encoding=enc, newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["乡镇", "纠纷类型"])
        w.writerows(rows)
    src = SourceConfig(kind="mediation", path="m.csv", file=path)
    data = read_table(src)
    assert data.headers == ["乡镇", "纠纷类型"]
    got = list(zip(data.df["乡镇"].astype(object), data.df["纠纷类型"].astype(object)))
    assert got == rows
    assert data.info["encoding"] in ({"utf-8", "utf-8-sig"} if enc.startswith("utf")
                                     else {"gb18030"})


@pytest.mark.parametrize("enc", ["gbk", "gb18030"])
def test_gbk_text_that_happens_to_look_like_utf8_is_still_read_right(tmp_path, enc):
    # 录 is C2 BC in GBK, which is also valid UTF-8 ('¼'): the header decides
    path = tmp_path / "m.csv"
    path.write_bytes("乡镇,纠纷类型\n录,录录\n".encode(enc))
    data = read_table(SourceConfig(kind="mediation", path="m.csv", file=path))
    assert list(data.df["纠纷类型"]) == ["录录"]


# --- Big5 told from GBK --------------------------------------------------------------------
_GB2312_HANZI = [bytes([a, b]).decode("gb2312") for a in range(0xB0, 0xF8)
                 for b in range(0xA1, 0xFF) if not (a == 0xD7 and b > 0xF9)]
_BIG5_HANZI = [c for c in (bytes([a, b]).decode("big5", errors="ignore")
                           for a in range(0xA4, 0xC6)
                           for b in [*range(0x40, 0x7F), *range(0xA1, 0xFF)]) if c]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(st.sampled_from(_GB2312_HANZI + list("，。、（）0123456789,.")),
                        min_size=1, max_size=40), min_size=1, max_size=30),
       st.lists(st.sampled_from("喆堃玥昇珺赟犇"), max_size=6))
def test_gbk_chinese_with_rare_name_characters_is_never_taken_for_big5(lines, rare):
    from etl.sniff import big5_suspect

    text = "\n".join(lines) + "".join(rare)
    assert big5_suspect(text.encode("gb18030")) is None


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(st.sampled_from(_BIG5_HANZI), min_size=10, max_size=30),
                min_size=6, max_size=20))
def test_big5_chinese_is_told_when_it_would_be_read_as_gb18030(lines):
    from etl.sniff import big5_suspect

    seen = big5_suspect("\n".join(lines).encode("big5"))
    assert seen is not None and seen[1] == lines[0][:40]
