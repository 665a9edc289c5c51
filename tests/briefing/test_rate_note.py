"""The briefing's 办结率 gauge is judged on what is decided (docs/metrics.md, rate colours):
below target while its cases not yet due could still lift it, it wears the accent, says how
many are not due, and the slide's note says why; below even at best, it is yellow or red."""
from __future__ import annotations

import types

from dashboard.briefing.document import _undecided_note
from dashboard.figures.briefing_charts import gauges_figure
from dashboard.figures.briefing_theme import DARK

TARGETS = {"handling_rate": 0.98, "on_time_rate": 0.95, "timely_dispatch_rate": 0.95,
           "satisfaction_rate": 0.95}


def _week(closed: int, due: int, reported: int = 100) -> dict:
    return {"reported": reported, "closed": closed, "due": due,
            "handling_rate": closed / reported, "on_time_rate": 0.96,
            "timely_dispatch_rate": 0.99, "satisfaction_rate": 0.97}


def _handling(fig):
    texts = [a.text for a in fig.layout.annotations]
    return fig.data[0].number.font.color, texts


def test_undecided_handling_rate_wears_the_accent_and_says_why():
    now = _week(closed=92, due=93)                 # 7 not yet due: at best 99 %
    color, texts = _handling(gauges_figure(now, now, TARGETS, DARK))
    assert color == DARK.accent and "目标 98% · 7件未到期" in texts
    note = _undecided_note(types.SimpleNamespace(now=now, targets=TARGETS))
    assert "尚有7件未到办结时限" in note


def test_decided_handling_rate_is_judged_by_its_best():
    now = _week(closed=92, due=97)                 # 3 not yet due: at best 95 %: yellow
    color, texts = _handling(gauges_figure(now, now, TARGETS, DARK))
    assert color == DARK.yellow and "目标 98%" in texts
    assert _undecided_note(types.SimpleNamespace(now=now, targets=TARGETS)) == ""
    now = _week(closed=80, due=100)                # nothing left to close: red
    assert _handling(gauges_figure(now, now, TARGETS, DARK))[0] == DARK.red
    now = _week(closed=99, due=99)                 # at target: green, no note
    assert _handling(gauges_figure(now, now, TARGETS, DARK))[0] == DARK.green
