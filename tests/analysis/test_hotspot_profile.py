"""A hotspot's since-when on a window that runs past as_of (本周 on a Wednesday): the days
still to come are not days without events."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from store import hotspots as hs
from store.db import ReadStore
from store.settings import Settings
from tests.analysis.conftest import AS_OF, WEEK, planted_events
from tests.test_hotspots import onset_by_hand


def test_the_stretches_end_with_as_of_s_day_not_the_window_s_end(planted_db):
    start, end = WEEK[0], WEEK[0] + dt.timedelta(days=14)        # as_of is its seventh day
    grids = pd.DataFrame({"grid_id": ["G2"], "baseline": [9.0]})   # 0.64 a day
    got = hs.profile(ReadStore(planted_db), Settings(), start, end, grids, as_of=AS_OF)
    daily = [sum(1 for e in planted_events() if e[7] == "G2" and e[14] != "invalid"
                 and e[1].date() == start + dt.timedelta(days=i)) for i in range(7)]
    assert sum(daily) == 9
    at, n = onset_by_hand(daily, 9.0 / 14)                       # the window's daily rate
    assert (got["since"].iat[0], int(got["since_k"].iat[0])) == (
        start + dt.timedelta(days=at), n) == (start, 9)          # 9 in 7 days against 4.5
    # counting the seven days to come as empty, the week would look like its baseline
    blind = hs.profile(ReadStore(planted_db), Settings(), start, end, grids)
    assert blind["since"].iat[0] is None and onset_by_hand(daily + [0] * 7, 9.0 / 14)[0] == 14
