"""Vectorised timestamp parsing: many source spellings in, naive local TIMESTAMPs out.

Naive source times are in the source's zone (config ``timezone``, default the settings'
zone); times with an explicit offset are converted. Everything is stored as naive local time
in the settings' zone, as metrics.md compares them.
"""
from __future__ import annotations

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


def _components_to_datetime(parts: pd.DataFrame) -> pd.Series:
    """Year/month/day/... text columns -> datetime64 (NaT where a value is out of range)."""
    num = {k: pd.to_numeric(parts[k], errors="coerce") for k in parts.columns}
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
    if "f" in parts.columns:
        frac = parts["f"].fillna("").astype(str).str.ljust(6, "0").str[:6]
        us = pd.to_numeric(frac.where(frac != "000000", "0"), errors="coerce").fillna(0)
        out = out + pd.to_timedelta(us.to_numpy(dtype="int64"), unit="us")
    return out


def _offset_minutes(tz: pd.Series) -> pd.Series:
    """'+08:00' / '-0500' / 'Z' -> minutes east of UTC; NaN where there is no offset."""
    tz = tz.fillna("").astype(str)
    zulu = tz.isin(["Z", "UTC", "GMT"])
    sign = np.where(tz.str[0] == "-", -1.0, 1.0)
    digits = tz.str.replace(":", "", regex=False).str[1:]
    hh = pd.to_numeric(digits.str[:2], errors="coerce")
    mm = pd.to_numeric(digits.str[2:4].replace("", "0"), errors="coerce").fillna(0)
    mins = sign * (hh * 60 + mm)
    return mins.where(~zulu, 0.0).where((tz != "") | zulu, np.nan)


def _parse_loose(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """ISO-like and Chinese forms; returns (naive datetime, offset minutes or NaN)."""
    s = s.astype(object)
    parts = s.str.extract(_LOOSE)
    dtv = _components_to_datetime(parts)
    off = _offset_minutes(parts["tz"])
    miss = dtv.isna()
    if miss.any():
        comp = s[miss].str.extract(_COMPACT)
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
