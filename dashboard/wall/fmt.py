"""Number, rate, time and duration formatting for the wall (one place, the same everywhere)."""
from __future__ import annotations

import datetime as dt
import math

from dashboard.figures.theme import DASH


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def pct(v, decimals: int = 1) -> str:
    """0.9459 → '94.6%'; None/NaN (no denominator) → '—'."""
    return DASH if _missing(v) else f"{float(v) * 100:.{decimals}f}%"


def pct_value(v, decimals: int = 1) -> float | None:
    """0.9459 → 94.6 (for count-up and gauges); None stays None."""
    return None if _missing(v) else round(float(v) * 100, decimals)


def num(v) -> str:
    return DASH if _missing(v) else f"{int(round(float(v))):,}"


def elapsed(hours) -> str:
    """Hours as a wall reads them: '刚刚', '12分钟', '5小时20分', '3天4小时'."""
    if _missing(hours):
        return DASH
    minutes = max(0, int(float(hours) * 60))
    if minutes < 1:
        return "刚刚"
    if minutes < 60:
        return f"{minutes}分钟"
    h, mi = divmod(minutes, 60)
    if h < 48:
        return f"{h}小时{mi:02d}分" if mi else f"{h}小时"
    d, h = divmod(h, 24)
    return f"{d}天{h}小时" if h else f"{d}天"


def short_elapsed(hours) -> str:
    """:func:`elapsed`, shortened where the detail does not matter, so it fits a list's
    column: minutes only under 10 hours ('5小时20分', '14小时'), whole days from 10 days
    ('56天'); at 18 px no longer than '9小时59分'."""
    if not _missing(hours) and float(hours) >= 240:
        return f"{int(float(hours) // 24)}天"
    if not _missing(hours) and 10 <= float(hours) < 48:
        return f"{int(float(hours))}小时"
    return elapsed(hours)


def stamp(ts: dt.datetime | None, with_date: bool = True) -> str:
    if ts is None:
        return DASH
    return ts.strftime("%m-%d %H:%M") if with_date else ts.strftime("%H:%M")


def clock_or_day(ts: dt.datetime, today: dt.date) -> str:
    """'22:13' for a time on ``today``, else the day '10-30': a list row stays short and clear."""
    return ts.strftime("%H:%M") if ts.date() == today else ts.strftime("%m-%d")


def span(start: dt.date, end: dt.date, year: int | None = None) -> str:
    """A half-open date window [start, end) as its first and last day: '06-01至06-30'; with
    the years when a day is outside ``year`` (as_of's): '2024-10-01至2025-09-30', not a
    '10-01至09-30' that reads backwards, nor a past January read as this one."""
    last = end - dt.timedelta(days=1)
    form = "%m-%d" if year is None or start.year == last.year == year else "%Y-%m-%d"
    if last == start:
        return start.strftime(form)
    return f"{start.strftime(form)}至{last.strftime(form)}"


def delta(now, before, direction: int, rate: bool) -> tuple[str, str]:
    """(text, tone) of a change: '▲2.1个百分点' / '▼12.5%' / '持平' / '—' (no previous data);
    tone 'better' | 'worse' | 'flat' | 'none'."""
    if now is None or before is None:
        return "—", "none"
    diff = float(now) - float(before)
    if rate:       # the change of the two rates as the wall prints them (pct_value, 0.1)
        shown = round(pct_value(now) - pct_value(before), 1)
        if shown == 0:
            return "持平", "flat"
        text = f"{abs(shown):.1f}个百分点"
    else:
        if diff == 0:
            return "持平", "flat"
        text = f"{abs(diff) / float(before) * 100:.1f}%" if before else f"{abs(int(diff)):,}件"
    arrow = "▲" if diff > 0 else "▼"
    tone = "flat" if direction == 0 else ("better" if diff * direction > 0 else "worse")
    return arrow + text, tone
