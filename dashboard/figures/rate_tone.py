"""Which status colour a rate earns against its target, and when it earns none yet.

Green at or above the target, yellow within 3 points below it, red further below: one rule
for the wall's KPI tiles and gauges and the briefing's gauges.

办结率 (closed ÷ reported) counts every case of the window, also those still open inside
their time limit. On 今日 most cases are such (60 % closed reads red while nothing is late),
and every window ending at as_of holds some. So 办结率 is judged on what is decided: with
``best`` (the rate if every case still inside its limit closed, :func:`handling_best`) a rate
below target that could still reach it earns no colour (``None``: shown neutral, with how
many cases are not yet due); one that cannot is yellow or red by its best, since only that
much is certain. Rates whose cases are all decided (按期办结率 counts only due cases) pass
no ``best`` and are judged on their value.

A rate of a handful of cases (1 of 1 closed on time) is no achievement and no failure: below
``[wall] ranking_min_events`` cases in its denominator it earns no colour either (``few``),
and the screens say 样本少, as the grid ranking does.
"""
from __future__ import annotations

from collections.abc import Mapping

from store.metrics import RATES

BAND = 0.03   # below target by at most this: yellow; further: red
# what a rate's empty denominator (store.metrics.RATES, docs/metrics.md) holds none of: a
# screen says why under a rate's "—", which bare reads as a failure or a broken feed
NO_RATE_WHAT = {"handling_rate": "有效事件", "on_time_rate": "应办结事件",
                "timely_dispatch_rate": "流转事件", "satisfaction_rate": "满意度评价"}


def rate_tone(value: float | None, target: float, best: float | None = None,
              few: bool = False) -> str | None:
    """The tone "green", "yellow" or "red"; None for no rate, a rate not yet decided or one
    of too few cases (``few``, :func:`small_sample`)."""
    if value is None or value != value or few:
        return None
    if value >= target:
        return "green"
    judged = value if best is None else best
    if judged >= target:
        return None
    return "yellow" if judged >= target - BAND else "red"


def no_rate_reason(rate: str, period: str) -> str:
    """Why ``rate`` has no value: its period ("本周" in the briefing, "本期" on the wall,
    whose window varies) had none of its denominator's cases."""
    return f"{period}无{NO_RATE_WHAT.get(rate, '数据')}"


def denominator(m: Mapping, rate: str) -> int:
    """How many cases ``rate`` (an /api/metrics rate key) is taken over (store.metrics.RATES)."""
    return int(m.get(RATES[rate][1]) or 0)


def small_sample(m: Mapping, rate: str, min_events: int) -> bool:
    """``rate`` stands on fewer than ``min_events`` cases (but some: none is no rate at all)."""
    return 0 < denominator(m, rate) < int(min_events)


def not_yet_due(m: Mapping) -> int:
    """Cases of the window still open and inside their limit (metrics.md: reported − due)."""
    reported, due = m.get("reported") or 0, m.get("due") or 0
    return max(int(reported) - int(due), 0)


def handling_best(m: Mapping) -> float | None:
    """办结率 if every case not yet due closed: (closed + not yet due) ÷ reported."""
    reported = m.get("reported") or 0
    if not reported or m.get("due") is None:
        return None
    return ((m.get("closed") or 0) + not_yet_due(m)) / reported


def handling_undecided(m: Mapping, target: float) -> bool:
    """办结率 below ``target`` that its cases not yet due could still lift to it: the rate
    wears no status colour and its caption says how many are not yet due."""
    rate = m.get("handling_rate")
    return (rate is not None and rate == rate and rate < target
            and rate_tone(rate, target, handling_best(m)) is None)
