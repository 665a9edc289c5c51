"""Vectorised timestamp parsing: many source spellings in, naive local TIMESTAMPs out.

Naive source times are in the source's zone (config ``timezone``, default the settings'
zone); times with an explicit offset are converted. Everything is stored as naive local time
in the settings' zone, as metrics.md compares them.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

FAST_FORMAT = "%Y-%m-%d %H:%M:%S"
_LOOSE = (
    r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:[\sT]*(?P<H>\d{1,2})(?:\s*[:时]\s*(?P<M>\d{1,2})"
    r"(?:\s*[:分]\s*(?P<S>\d{1,2})(?:[.,](?P<f>\d{1,9}))?\s*秒?)?\s*分?)?\s*时?)?"
    r"\s*(?P<tz>Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$"
)
_CELL_ISO = r"\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}:\d{2}(?:\.\d{6})?)?"  # read_table.cell_text of a date cell
_COMPACT = r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?:[\sT]?(?P<H>\d{2})(?P<M>\d{2})(?P<S>\d{2})?)?$"
_MONTH = r"^(?P<y>\d{4})\s*(?:[-/.年]\s*(?P<m>\d{1,2})|(?P<m2>\d{2}))\s*(?:月.*|[-/.][\d].*|[\sT].*)?$"


# characters Python's \d / \s take and RE2's do not: non-ASCII, vertical tab, \x1c-\x1f
_NOT_RE2_SAME = r"[^\x00-\x7f]|[\x0b\x1c-\x1f]"


def _extract(s: pd.Series, pattern: str) -> pd.DataFrame:
    """``s.str.extract(pattern)`` for a text Series, the matching done by RE2 in Arrow's C++.

    Python's ``re`` costs ~5 µs a row, most of a loose-spelled file's load (``2024/3/5
    14:03``, ``…T14:03:00+08:00``, ``2024年3月5日``). The patterns here are anchored and
    have no wildcard, and RE2's ``\\d``/``\\s`` are Python's without the non-ASCII digits
    and spaces (and \\v, \\x1c-\\x1f), so on a row without those both match alike; rows
    RE2 does not match that have one go through ``re`` as before. Groups that take no part are
    NA (as in pandas)."""
    arr = _arrow_text(s)
    if arr is None:
        arr = pa.array(s.astype(object).where(s.notna(), None).tolist(), type=pa.string())
    names = list(re.compile(pattern).groupindex)
    got = pc.extract_regex(arr, pattern)
    if isinstance(got, pa.ChunkedArray):
        got = got.combine_chunks()
    matched = got.is_valid().to_numpy(zero_copy_only=False)
    other = pc.fill_null(pc.match_substring_regex(arr, _NOT_RE2_SAME), False)
    miss = ~matched & other.to_numpy(zero_copy_only=False)
    slow = s[miss].astype(object).str.extract(pattern) if miss.any() else None
    cols = {}
    for k in names:
        col = pc.if_else(pc.equal(got.field(k), ""), pa.scalar(None, pa.string()), got.field(k))
        if slow is not None:
            col = pc.replace_with_mask(col, pa.array(miss), pa.array(
                slow[k].astype(object).where(slow[k].notna(), None).tolist(), type=pa.string()))
        cols[k] = pd.Series(pd.arrays.ArrowStringArray(col), index=s.index)
    return pd.DataFrame(cols)


def _numbers(col: pd.Series) -> pd.Series:
    """Text -> float64 (NaN where not a number); ASCII digits straight from Arrow."""
    arr = _arrow_text(col)
    if arr is not None:
        ok = pc.ascii_is_decimal(arr)
        if pc.all(pc.or_kleene(ok, pc.is_null(arr))).as_py() is not False:
            return pd.Series(pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False),
                             index=col.index)
        col = col.astype(object)
    return pd.to_numeric(col, errors="coerce")


def _components_to_datetime(parts: pd.DataFrame) -> pd.Series:
    """Year/month/day/... text columns -> datetime64 (NaT where a value is out of range)."""
    num = {k: _numbers(parts[k]) for k in parts.columns if k not in ("f", "tz")}
    frame = pd.DataFrame({
        "year": num["y"], "month": num["m"], "day": num["d"],
        "hour": num["H"].fillna(0) if "H" in num else 0,
        "minute": num["M"].fillna(0) if "M" in num else 0,
        "second": num["S"].fillna(0) if "S" in num else 0,
    }).astype("float64")
    bad = ((frame["month"] < 1) | (frame["month"] > 12) | (frame["day"] < 1)
           | (frame["day"] > 31) | (frame["hour"] > 23) | (frame["minute"] > 59)
           | (frame["second"] > 60))
    frame = frame.where(~bad, np.nan)
    out = pd.to_datetime(frame, errors="coerce")
    if "f" in parts.columns and parts["f"].notna().any():   # none: + 0 µs
        frac = parts["f"].fillna("").astype(str).str.ljust(6, "0").str[:6]
        us = pd.to_numeric(frac.where(frac != "000000", "0"), errors="coerce").fillna(0)
        out = out + pd.to_timedelta(us.to_numpy(dtype="int64"), unit="us")
    return out


def _offset_minutes(tz: pd.Series) -> pd.Series:
    """'+08:00' / '-0500' / 'Z' -> minutes east of UTC; NaN where there is no offset."""
    arr = _arrow_text(tz.astype("string[pyarrow]"))
    zulu = pc.fill_null(pc.is_in(arr, value_set=pa.array(["Z", "UTC", "GMT"])), False)
    sign = np.where(pc.fill_null(pc.starts_with(arr, "-"), False).to_numpy(
        zero_copy_only=False), -1.0, 1.0)
    digits = pc.utf8_slice_codeunits(pc.replace_substring(arr, ":", ""), 1)
    hh = _numbers(pd.Series(pd.arrays.ArrowStringArray(pc.utf8_slice_codeunits(digits, 0, 2)),
                            index=tz.index))
    mm_text = pc.utf8_slice_codeunits(digits, 2, 4)
    mm = _numbers(pd.Series(pd.arrays.ArrowStringArray(
        pc.if_else(pc.equal(mm_text, ""), "0", mm_text)), index=tz.index)).fillna(0)
    mins = sign * (hh * 60 + mm)
    zulu = zulu.to_numpy(zero_copy_only=False)
    given = pc.fill_null(pc.not_equal(arr, ""), False).to_numpy(zero_copy_only=False)
    return mins.where(~zulu, 0.0).where(given | zulu, np.nan)


def _parse_loose(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """ISO-like and Chinese forms; returns (naive datetime, offset minutes or NaN)."""
    parts = _extract(s, _LOOSE)
    dtv = _components_to_datetime(parts)
    off = _offset_minutes(parts["tz"])
    miss = dtv.isna()
    if miss.any():
        comp = _extract(s[miss], _COMPACT)
        dtv[miss] = _components_to_datetime(comp)
    return dtv, off


def _localize(values: pd.Series, source_tz: str, target_tz: str) -> pd.Series:
    if source_tz == target_tz or values.notna().sum() == 0:
        return values
    idx = pd.DatetimeIndex(values)
    amb = np.zeros(len(idx), dtype=bool)
    conv = (idx.tz_localize(source_tz, ambiguous=amb, nonexistent="shift_forward")
            .tz_convert(target_tz).tz_localize(None))
    return pd.Series(conv, index=values.index)


def _from_utc(values: pd.Series, target_tz: str) -> pd.Series:
    idx = pd.DatetimeIndex(values)
    if idx.tz is None:
        idx = idx.tz_localize("UTC")
    return pd.Series(idx.tz_convert(target_tz).tz_localize(None), index=values.index)


def _arrow_text(s: pd.Series) -> pa.ChunkedArray | None:
    """The Arrow array behind a pandas string Series (no copy), or None."""
    arr = getattr(s.array, "_pa_array", None)
    if isinstance(arr, pa.ChunkedArray) and pa.types.is_string(arr.type):
        return arr
    if isinstance(arr, pa.ChunkedArray) and pa.types.is_large_string(arr.type):
        return arr.cast(pa.string())
    return None


def _fast_pass(s: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """Canonical 'YYYY-MM-DD HH:MM:SS' cells parsed by Arrow in C++: (datetime64[us], done).

    Only cells that round-trip are taken (Arrow's strptime would roll 30 February over into
    March, and accept years pandas cannot hold); everything else goes the careful way."""
    arr = _arrow_text(s)
    if arr is None:
        return None
    parsed = pc.strptime(arr, format=FAST_FORMAT, unit="us", error_is_null=True)
    day = pc.utf8_slice_codeunits(arr, 8, 10)   # ASCII digits only: "²" is a digit to Unicode
    day_n = pc.cast(pc.if_else(pc.ascii_is_decimal(day), day, "0"), pa.int64())
    year = pc.year(parsed)
    done = pc.and_(pc.and_(pc.equal(pc.utf8_length(arr), 19), pc.equal(pc.day(parsed), day_n)),
                   pc.and_(pc.greater_equal(year, 1678), pc.less_equal(year, 2261)))
    done = pc.fill_null(done, False).to_numpy(zero_copy_only=False)
    values = parsed.to_numpy(zero_copy_only=False).astype("datetime64[us]")
    return values, done


def parse_times(text: pd.Series, fmt: str | None, source_tz: str,
                target_tz: str) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Parse a text column; returns (datetime64[ns] Series, empty mask, bad mask).

    ``fmt`` is a strptime format from the load config; without one, ISO-like and Chinese
    spellings are accepted (2024-03-05 14:03, 2024/3/5 14:03, 2024年3月5日 14时03分,
    20240305140300, with an optional +08:00 / Z offset). Canonical cells take a fast pass
    in Arrow; the rest are parsed as below.
    """
    s = text.fillna("").astype("string[pyarrow]").str.strip()
    empty = (s == "").to_numpy(dtype=bool)
    if not fmt and not empty.all():
        fast = _fast_pass(s)
        if fast is not None and fast[1].any():
            values, done = fast
            rest = ~done & ~empty
            out = pd.Series(values.astype("datetime64[ns]"), index=s.index)
            out[~done] = pd.NaT
            out = _localize(out, source_tz, target_tz) if done.any() else out
            if rest.any():
                sub, _, _ = _parse_all(s[rest], None, source_tz, target_tz)
                out[rest] = sub
            bad = ~empty & out.isna().to_numpy()
            return out, empty, bad
    result, _, _ = _parse_all(s, fmt, source_tz, target_tz)
    bad = ~empty & result.isna().to_numpy()
    return result, empty, bad


def _parse_all(s: pd.Series, fmt: str | None, source_tz: str,
               target_tz: str) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    empty = (s == "").to_numpy(dtype=bool)
    result = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    if empty.all():
        return result, empty, np.zeros(len(s), dtype=bool)
    todo = s[~empty]
    if fmt:
        if "%z" in fmt or "%Z" in fmt:
            parsed = pd.to_datetime(todo, format=fmt, errors="coerce", utc=True)
            local = _from_utc(parsed, target_tz)
        else:
            parsed = pd.to_datetime(todo, format=fmt, errors="coerce")
            local = _localize(parsed, source_tz, target_tz)
        # An XLSX date cell has no spelling: the reader writes it as ISO text
        # (read_table.cell_text), which the format, meant for the text cells, would reject.
        miss = local.isna() & todo.str.fullmatch(_CELL_ISO).fillna(False).astype(bool)
        if miss.any():
            iso = pd.to_datetime(todo[miss], format="ISO8601", errors="coerce")
            local = local.astype("datetime64[ns]")
            local[miss] = _localize(iso, source_tz, target_tz)
        result[~empty] = local
    else:
        naive = pd.to_datetime(todo, format=FAST_FORMAT, errors="coerce")
        off = pd.Series(np.nan, index=todo.index)
        rest = naive.isna()
        if rest.any():
            loose, loose_off = _parse_loose(todo[rest])
            naive[rest] = loose
            off[rest] = loose_off
        has_off = off.notna()
        local = _localize(naive.where(~has_off), source_tz, target_tz)
        if has_off.any():
            utc = naive[has_off] - pd.to_timedelta(off[has_off], unit="min")
            local[has_off] = _from_utc(utc, target_tz)
        result[~empty] = local
    bad = ~empty & result.isna().to_numpy()
    return result, empty, bad


def parse_months(text: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """'2024-03', '2024/3', '2024年3月', '202403', '2024-03-01 00:00:00' -> first of month."""
    s = text.fillna("").astype(object).str.strip()
    empty = (s == "").to_numpy(dtype=bool)
    parts = s.str.extract(_MONTH)
    parts["m"] = parts["m"].where(parts["m"].notna(), parts["m2"])  # fillna warns on object
    parts = parts.drop(columns="m2")
    parts["d"] = "1"
    out = _components_to_datetime(parts).dt.normalize()
    bad = ~empty & out.isna().to_numpy()
    return out, empty, bad
