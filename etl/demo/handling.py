"""How the demo county handles its events: accept, dispatch, close, rate, supervise.

Closing is fast (median ~ 6 h: grid workers settle about 30 % of their own reports on the spot,
the rest close in hours to a day by level) with a tail of slow cases of three to four days; two
lagging townships (and one mediocre) are slower with longer tails, so the on-time rate lands in
the low-to-mid 90s county-wide and near 80 % there. The last-30-day handling rate lands about
0.96–0.975: a median near 20 h, as first planned, left too many recent events open for that.
Everything is simulated to completion and then cut at as_of (the newest report): a case that
would close after as_of is exported open, so the backlog and the yellow and red warnings arise
by themselves. A few dozen "stuck" cases (80 % in the lagging townships) stay open for days to
weeks, flagged for supervision.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from etl.demo import vocab
from etl.demo.territory import STREETS, Territory

HOUR = np.timedelta64(3600, "s")
STATUS = ["已办结", "处置中", "已受理", "待受理", "无效"]
SATISFACTION = ["满意", "基本满意", "不满意"]
STUCK_PER_SCALE = 36
INVALID_SHARE = 0.01


@dataclass
class Performance:
    """Per township (in territory order): how well it handles its events."""

    close_mult: np.ndarray     # multiplies the median hours to close
    tail: np.ndarray           # share of slow cases (days)
    dispatch_h: np.ndarray     # median hours from acceptance to dispatch
    dissatisfied: np.ndarray   # share of ratings 不满意
    lagging: list[str]         # township codes clearly worse than the rest
    lagging_index: list[int]   # their positions


def township_performance(terr: Territory, rng: np.random.Generator) -> Performance:
    codes = list(terr.townships["code"])
    n = len(codes)
    towns = [i for i, c in enumerate(codes) if c not in STREETS]
    lag = list(rng.choice(towns, 2, replace=False))
    mid = [int(rng.choice([i for i in range(n) if i not in lag]))]
    close = rng.lognormal(0, 0.12, n)
    tail = rng.uniform(0.05, 0.085, n)
    disp = rng.uniform(0.8, 1.6, n)
    dis = rng.uniform(0.01, 0.03, n)
    for i in lag:
        close[i], tail[i], disp[i], dis[i] = 1.5, 0.2, 3.5, 0.07
    for i in mid:
        close[i], tail[i], disp[i], dis[i] = 1.2, 0.13, 2.2, 0.045
    return Performance(close, tail, disp, dis, [codes[i] for i in lag], [int(i) for i in lag])


@dataclass
class Handled:
    as_of: np.datetime64
    accepted: np.ndarray       # datetime64[s], NaT = empty
    dispatched: np.ndarray
    closed: np.ndarray
    level: np.ndarray          # index into vocab.LEVELS, -1 = empty
    status: np.ndarray         # index into STATUS
    satisfaction: np.ndarray   # index into SATISFACTION, -1 = empty
    supervised: np.ndarray     # bool
    stuck: np.ndarray          # bool (ground truth)


def handle(cat: np.ndarray, channel: np.ndarray, town: np.ndarray, reported: np.ndarray,
           perf: Performance, scale: float, rng: np.random.Generator) -> Handled:
    """Simulate the handling of every event and cut it at as_of = the newest report."""
    n = len(cat)
    as_of = reported.max()
    invalid = rng.random(n) < INVALID_SHARE

    lv_cum = np.cumsum(np.array([vocab.LEVEL_BY_CAT[c] for c in vocab.CAT_NAMES]), axis=1)
    lv_cum[:, -1] = 1.0 + 1e-9
    level = (rng.random(n)[:, None] > lv_cum[cat]).sum(1)

    acc_h = rng.lognormal(np.log(0.25), 1.0, n)
    disp_h = rng.lognormal(np.log(perf.dispatch_h[town]), 1.15)
    cat_f = np.array([vocab.CLOSE_CAT[c] for c in vocab.CAT_NAMES])[cat]
    close_h = rng.lognormal(np.log(vocab.CLOSE_MEDIAN_H[level] * cat_f * perf.close_mult[town]),
                            0.7)
    # grid workers settle a share on the spot (当场处置): closed within the hour or two
    on_spot = rng.random(n) < np.where(channel == vocab.CHANNELS.index("网格员上报"), 0.3, 0.04)
    close_h[on_spot] = rng.uniform(0.3, 2.0, int(on_spot.sum()))
    tail_p = perf.tail[town] * np.where(level == 3, 1.6, 1.0) * np.where(cat_f > 1.2, 1.4, 1.0)
    slow = rng.random(n) < tail_p
    close_h[slow] = rng.lognormal(np.log(80.0), 0.2, int(slow.sum())) * \
        np.sqrt(perf.close_mult[town[slow]])
    acc_h[on_spot] = np.minimum(acc_h[on_spot], 0.1)
    disp_h[on_spot] = np.minimum(disp_h[on_spot], 0.1)
    close_h = np.maximum(close_h, acc_h + disp_h + 0.1)

    accepted = reported + (acc_h * 3600).astype("timedelta64[s]")
    dispatched = accepted + (disp_h * 3600).astype("timedelta64[s]")
    closed = reported + (close_h * 3600).astype("timedelta64[s]")

    # stuck cases: still open at as_of, days to weeks old, mostly in the lagging townships
    stuck = np.zeros(n, bool)
    age_d = (as_of - reported) / np.timedelta64(1, "D")
    lag_idx = np.isin(town, perf.lagging_index)
    pool = (~invalid) & (age_d > 3.5) & (age_d < 60) & np.isin(
        cat, [vocab.CAT_NAMES.index(c) for c in ("矛盾纠纷", "信访", "城市管理", "安全隐患",
                                                   "民生诉求")]) & (level >= 2)
    want = max(int(round(STUCK_PER_SCALE * scale)), 3)
    lag_cand = np.nonzero(pool & lag_idx)[0]
    k1 = min(int(round(want * 0.8)), len(lag_cand))
    stuck[rng.choice(lag_cand, k1, replace=False)] = True
    other = np.nonzero(pool & ~lag_idx)[0]
    k2 = min(want - k1, len(other))
    stuck[rng.choice(other, k2, replace=False)] = True
    closed[stuck] = np.datetime64("NaT")

    nat = np.datetime64("NaT")
    is_closed = (~invalid) & (closed <= as_of)
    status = np.full(n, 3)
    status[accepted <= as_of] = 2
    status[dispatched <= as_of] = 1
    status[is_closed] = 0
    status[invalid] = 4
    accepted = np.where(accepted <= as_of, accepted, nat)
    dispatched = np.where((dispatched <= as_of) & ~invalid, dispatched, nat)
    closed = np.where(is_closed, closed, nat)
    level = np.where(invalid, -1, level)

    citizen = np.isin(channel, [vocab.CHANNELS.index(c) for c in vocab.CITIZEN_CHANNELS])
    rated = is_closed & (rng.random(n) < np.where(citizen, 0.93, 0.8))
    late = close_h > 72
    p_dis = perf.dissatisfied[town] + np.where(late, 0.08, 0.0)
    p_basic = 0.08 + np.where(late, 0.12, 0.0) + perf.dissatisfied[town]
    u = rng.random(n)
    sat = np.where(u < p_dis, 2, np.where(u < p_dis + p_basic, 1, 0))
    sat = np.where(rated, sat, -1)

    supervised = stuck | ((close_h > 120) & (rng.random(n) < 0.5)) | (rng.random(n) < 0.003)
    supervised &= ~invalid
    return Handled(as_of=as_of, accepted=accepted, dispatched=dispatched, closed=closed,
                   level=level, status=status, satisfaction=sat, supervised=supervised,
                   stuck=stuck)
