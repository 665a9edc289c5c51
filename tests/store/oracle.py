"""metrics.md computed the slow, obvious way in pure Python: the reference the SQL must match."""
from __future__ import annotations

import datetime as dt
import statistics

H = dt.timedelta(hours=1)


def oracle(events, *, start, end, as_of, close_h=72.0, dispatch_h=24.0, accept_h=3.0,
           warn=2 / 3, per_cat=None, scope=None):
    per_cat = per_cat or {}

    def lim(e, key, default):
        return per_cat.get(e["category"], {}).get(key, default)

    rows = [e for e in events if scope is None or scope(e)]
    valid = [e for e in rows if e["status"] != "invalid"]
    start_ts = dt.datetime.combine(start, dt.time())
    end_ts = dt.datetime.combine(end, dt.time())
    cohort = [e for e in valid if start_ts <= e["reported_at"] < end_ts]
    closed = [e for e in cohort if e["closed_at"] is not None and e["closed_at"] <= as_of]

    def rate(num, den):
        return None if den == 0 else num / den

    disp = [e for e in cohort if e["dispatched_at"] is not None and e["dispatched_at"] <= as_of]
    acc = [e for e in cohort if e["accepted_at"] is not None and e["accepted_at"] <= as_of]
    rated = [e for e in closed if e["satisfaction"] is not None]
    leveled = [e for e in closed if e["level"] is not None]
    opened = [e for e in valid if e["reported_at"] <= as_of
              and not (e["closed_at"] is not None and e["closed_at"] <= as_of)]
    durations = [(e["closed_at"] - e["reported_at"]) / H for e in closed]
    overdue_open = [e for e in cohort
                    if not (e["closed_at"] is not None and e["closed_at"] <= as_of)
                    and (as_of - e["reported_at"]) > lim(e, "close_h", close_h) * H]
    due = len(closed) + len(overdue_open)
    on_time = sum((e["closed_at"] - e["reported_at"]) <= lim(e, "close_h", close_h) * H
                  for e in closed)
    return {
        "reported": len(cohort),
        "closed": len(closed),
        "handling_rate": rate(len(closed), len(cohort)),
        "due": due,
        "dispatched": len(disp),
        "accepted": len(acc),
        "rated": len(rated),
        "with_level": len(leveled),
        "on_time_rate": rate(on_time, due),
        "on_time_of_closed_rate": rate(on_time, len(closed)),
        "timely_dispatch_rate": rate(sum((e["dispatched_at"] - e["reported_at"])
                                         <= lim(e, "dispatch_h", dispatch_h) * H for e in disp), len(disp)),
        "timely_accept_rate": rate(sum((e["accepted_at"] - e["reported_at"])
                                       <= lim(e, "accept_h", accept_h) * H for e in acc), len(acc)),
        "satisfaction_rate": rate(sum(e["satisfaction"] in ("satisfied", "basically_satisfied")
                                      for e in rated), len(rated)),
        "resolved_at_source_rate": rate(sum(e["level"] in ("grid", "village") for e in leveled),
                                        len(leveled)),
        "median_hours_to_close": statistics.median(durations) if durations else None,
        "invalid": sum(1 for e in rows if e["status"] == "invalid"
                       and start_ts <= e["reported_at"] < end_ts),
        "open_backlog": len(opened),
        "red": sum((as_of - e["reported_at"]) > lim(e, "close_h", close_h) * H for e in opened),
        "yellow": sum(warn * lim(e, "close_h", close_h) * H <= (as_of - e["reported_at"])
                      <= lim(e, "close_h", close_h) * H for e in opened),
    }
