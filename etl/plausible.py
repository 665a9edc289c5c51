"""Values that parse but would fool the figures: times before ``min_date`` or after the load's
clock (plus ``future_tolerance_h``), and counts too large for the database or not whole.

A mistyped year (2204 for 2024) parses fine; loaded, it would move the wall's as_of
(newest_report) centuries ahead and empty every window. Such rows are rejected by name
(``bad_time`` before min_date, ``future_time`` after the clock), never loaded silently.
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

# counts go to BIGINT columns, but a count past this is a typing error, not a county's
# workload; it also keeps sums of a few million rows far from overflowing
MAX_COUNT = 2**31 - 1


def load_clock(ctx) -> pd.Timestamp:
    """The load's clock: now, naive, in the settings' zone (one value for the whole load)."""
    if ctx.clock is None:
        ctx.clock = datetime.now(ZoneInfo(ctx.tz)).replace(tzinfo=None, microsecond=0)
    return pd.Timestamp(ctx.clock)


def bounds(ctx) -> tuple[pd.Timestamp, pd.Timestamp]:
    """(earliest, latest) time a row may carry."""
    s = ctx.settings
    return (pd.Timestamp(s.min_date),
            load_clock(ctx) + pd.Timedelta(hours=s.future_tolerance_h))


def flag_time_range(ctx, rj, values: pd.Series, field: str, text: pd.Series) -> None:
    """Reject rows whose parsed ``values`` lie before min_date (bad_time) or after the
    load's clock plus the tolerance (future_time). NaT rows are left alone."""
    lo, hi = bounds(ctx)
    v = pd.Series(values)
    early = (v < lo).to_numpy(dtype=bool)
    late = (v > hi).to_numpy(dtype=bool)
    if early.any():
        rj.flag(early, "bad_time", _detail(text, f"{field}: ", f" is before min_date "
                                           f"{lo.date().isoformat()}"))
    if late.any():
        tol = ctx.settings.future_tolerance_h
        rj.flag(late, "future_time", _detail(
            text, f"{field}: ", f" is more than {tol:g} h after the load's clock "
            f"{load_clock(ctx).isoformat(sep=' ')}"))


def _detail(text: pd.Series, prefix: str, suffix: str):
    def build(idx: np.ndarray) -> list[str]:
        return [f"{prefix}{v}{suffix}" for v in text.iloc[idx].astype(object)]
    return build


def whole_counts(text: pd.Series, empty_is_zero: bool,
                 limit: int = MAX_COUNT) -> tuple[np.ndarray, np.ndarray]:
    """Count cells -> (float values, bad mask). Bad: not a number, negative, not whole,
    not finite, or above ``limit`` (never wrapped into a wrong integer)."""
    t = text.astype(object).fillna("").astype(str).str.replace(",", "", regex=False) \
        .str.strip()
    num = pd.to_numeric(t, errors="coerce").astype("float64")
    val = num.to_numpy(dtype="float64", na_value=np.nan)
    empty = (t == "").to_numpy()
    with np.errstate(invalid="ignore"):
        bad = ~empty & (np.isnan(val) | ~np.isfinite(val) | (val < 0) | (np.mod(val, 1) != 0)
                        | (val > limit))
    if empty_is_zero:
        val = np.where(empty, 0.0, val)
    val = np.where(bad, np.nan, val)
    return val, bad


def amounts(text: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Money cells -> (values, bad mask): bad when not a finite non-negative number."""
    t = text.astype(object).fillna("").astype(str).str.replace(",", "", regex=False) \
        .str.strip()
    val = pd.to_numeric(t, errors="coerce").astype("float64").to_numpy(na_value=np.nan)
    with np.errstate(invalid="ignore"):
        bad = (t != "").to_numpy() & (np.isnan(val) | ~np.isfinite(val) | (val < 0))
    return np.where(bad, np.nan, val), bad
