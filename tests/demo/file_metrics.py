"""Metrics computed straight from the demo's source files with pandas, per metrics.md.

An independent oracle for the demo's own tests: it reads the CSVs the way a person checking
the export would, not through the ETL.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

TIME_COLS = ["上报时间", "受理时间", "派单时间", "办结时间"]


def read_events(src: Path) -> pd.DataFrame:
    files = sorted(Path(src).glob("events_*.csv"))
    df = pd.concat([pd.read_csv(f, dtype=str, keep_default_na=False) for f in files],
                   ignore_index=True)
    for c in TIME_COLS:
        df[c] = pd.to_datetime(df[c].replace("", None), format="%Y-%m-%d %H:%M:%S")
    return df


def summary(df: pd.DataFrame, days: int = 30, close_h: float = 72.0,
            warn_fraction: float = 2 / 3) -> dict:
    """Handling and on-time rates of the last ``days`` days, and the backlog at as_of."""
    as_of = df["上报时间"].max()
    valid = df[df["状态"] != "无效"]
    closed = valid["办结时间"].notna() & (valid["办结时间"] <= as_of)
    hours = (valid["办结时间"] - valid["上报时间"]).dt.total_seconds() / 3600
    cohort = valid["上报时间"] > as_of - pd.Timedelta(days=days)
    c_closed = cohort & closed
    age_h = (as_of - valid["上报时间"]).dt.total_seconds() / 3600
    open_ = ~closed & (valid["上报时间"] <= as_of)
    by_town = (valid[c_closed].assign(ok=hours[c_closed] <= close_h)
               .groupby("所属镇街")["ok"].mean())
    return {
        "as_of": as_of,
        "cohort": int(cohort.sum()),
        "handling_rate": c_closed.sum() / cohort.sum(),
        "on_time_rate": (hours[c_closed] <= close_h).mean(),
        "on_time_by_township": by_town,
        "median_hours": float(hours[c_closed].median()),
        "open": int(open_.sum()),
        "red": int((open_ & (age_h > close_h)).sum()),
        "yellow": int((open_ & (age_h >= warn_fraction * close_h) & (age_h <= close_h)).sum()),
        "closed_after_as_of": int((df["办结时间"] > as_of).sum()),
    }
