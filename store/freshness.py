"""Data freshness: is the feed dead? (docs/metrics.md, "Data freshness")

A wall running on as_of = now keeps computing figures from whatever it last received; if the
export job stopped, the figures quietly freeze. ``stale`` says so: the newest reported_at is
more than ``stale_after_h`` hours before now. A store whose as_of is pinned (settings ``as_of``,
or the data's ``as_of_mode`` such as the demo's 'newest_report') describes a fixed moment and
is never stale.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from store.db import ReadStore, zone_clash
from store.metrics import newest_report
from store.settings import Settings


def data_start(store: ReadStore, settings: Settings) -> dt.date | None:
    """The first day with a report (None for an empty store): comparisons and baselines that
    reach before it compare with days the store never had (store.hotspots.short_history,
    the wall's 环比)."""
    day = store.df("SELECT min(day) AS d FROM daily_rollup")["d"].iloc[0]
    return None if day is None or day != day else dt.date.fromisoformat(str(day)[:10])


def as_of_mode(store: ReadStore, settings: Settings) -> str:
    """What as_of defaults to: the settings' pin, else the data's mode, else 'now'."""
    return settings.raw.get("as_of") or store.meta().get("as_of_mode") or "now"


def freshness(store: ReadStore, settings: Settings, *, now: dt.datetime | None = None) -> dict:
    """``{"newest_report", "stale", "stale_hours", "pinned", "stale_after_h"}``.

    ``now`` is local naive time (default: the clock in the settings' time zone).
    ``stale_hours`` is the hours from the newest report to now (1 decimal; None without
    events). An empty store is not stale (there is no feed to judge).
    """
    if now is None:
        now = dt.datetime.now(ZoneInfo(settings.timezone)).replace(tzinfo=None)
    newest = newest_report(store)
    pinned = as_of_mode(store, settings) != "now"
    hours = None if newest is None else (now - newest) / dt.timedelta(hours=1)
    stale = (not pinned) and hours is not None and hours > settings.stale_after_h
    return {
        "newest_report": None if newest is None else newest.isoformat(sep="T"),
        "stale": bool(stale),
        "stale_hours": None if hours is None else round(hours, 1),
        "pinned": pinned,
        "stale_after_h": settings.stale_after_h,
        # a file loaded in another zone swapped in while serving (the start refuses one)
        "timezone_clash": zone_clash(store.meta().get("timezone"), settings) is not None,
    }


def stale_text(f: dict | None) -> str:
    """The dead-feed notice every screen shows (the wall's alarm, the analysis header):
    '数据已5小时未更新', whole days beyond 48 hours ('数据已3天未更新'); '' when not stale.
    Data of another time zone than the settings' says so first: every day and hour shown
    is shifted, which no figure betrays."""
    if f and f.get("timezone_clash"):
        return "数据时区与设置不一致"
    if not f or not f.get("stale") or f.get("stale_hours") is None:
        return ""
    h = float(f["stale_hours"])
    return f"数据已{int(h)}小时未更新" if h < 48 else f"数据已{int(h // 24)}天未更新"
