"""Weeks the data does not wholly cover: the last one still loading (or whose feed stopped),
the first ones of a county, and weeks asked for by a wrong name. A count of three days is not
a fall on a week of seven, a week the store holds only the end of is not a baseline, and a
briefing never speaks for a moment past what its data describes (docs/briefing.md)."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from dashboard.briefing import document
from dashboard.briefing.compose import EmptyWeek, compose
from dashboard.briefing.word import key_rows
from store import briefing_reads as br
from store import metrics as m
from store.db import ReadStore
from store.schema import refresh_rollups
from store.settings import Settings
from tests.store.dbmaker import ev, make_db

ROOT = Path(__file__).resolve().parents[2]
MON = dt.date(2025, 3, 3)          # 2025-W10; the data begins on Wednesday 2025-02-26 (W09)


def _county(path: Path, last: dt.datetime, mode: str = "newest_report") -> Path:
    """Ten reports a day from Wednesday of W09 to ``last``; each closes in 5 hours, except
    one a day that stays open (overdue three days later)."""
    rows, t, i = [], dt.datetime(2025, 2, 26, 8), 0
    while t <= last:
        for k in range(10):
            at = t + dt.timedelta(minutes=50 * k)
            if at > last:
                break
            rows.append(ev(f"E{i}", at, grid="G1" if k % 2 else "G3",
                           township="T1" if k % 2 else "T2",
                           category="矛盾纠纷" if k % 3 else "环境卫生",
                           closed_at=None if k == 0 else at + dt.timedelta(hours=5)))
            i += 1
        t += dt.timedelta(days=1)
    make_db(path, rows, meta={"as_of_mode": mode})
    con = duckdb.connect(str(path))
    refresh_rollups(con)
    con.close()
    return path


@pytest.fixture(scope="module")
def loading(tmp_path_factory):
    """W11 loaded up to Wednesday 12:00 (the demo's mode: as_of is the newest report)."""
    db = _county(tmp_path_factory.mktemp("partial") / "c.duckdb", dt.datetime(2025, 3, 12, 12))
    store = ReadStore(db)
    yield store
    store.close()


def test_a_partly_loaded_week_is_counted_when_its_data_ends_and_says_so(loading):
    b = compose(loading, Settings(), "2025-W11")
    newest = m.newest_report(loading)
    assert b.as_of == newest < dt.datetime(2025, 3, 17)     # not next Monday, still to come
    assert b.partial and not b.compared
    # the red figure is the one at the data's end: the open cases of Monday and Tuesday
    # (past 72 h by Monday 00:00 next week, not by Wednesday noon) are not yet overdue
    assert b.now["red"] == m.metrics(loading, Settings(), start=dt.date(2025, 3, 10),
                                     end=dt.date(2025, 3, 17), as_of=newest)["red"]
    assert "环比下降" not in b.summary and "不完整" in b.summary and "不作环比" in b.summary
    assert "3月12日" in b.summary
    rows = {r[0]: r for r in key_rows(b)}
    assert rows["上报数"][2:] == [document.DASH, document.DASH]
    assert rows["办结率"][2:] == [document.DASH, document.DASH]
    assert len(b.rises_category) == 0 and len(b.rises_place) == 0
    html = _slides(b)
    assert html.count("本周数据不完整") == 4            # every slide's head says so
    assert "环比为上周同口径" not in html and "不作环比" in html
    # days after the data's end are not drawn as zero events
    assert b.trend_now["reported"].isna().tolist() == [False] * 3 + [True] * 4


def _slides(b) -> str:
    """The text slides (the map needs territory shapes these small counties lack)."""
    return (document.slide_summary(b) + document.slide_key_figures(b)
            + document.slide_rises(b) + document.slide_late(b))


@pytest.mark.parametrize("last", [dt.datetime(2025, 3, 16, 20), dt.datetime(2025, 3, 12, 12)])
def test_a_live_week_over_by_the_clock_is_whole_even_if_its_feed_went_quiet(tmp_path, last):
    """A live county (as_of now) whose last report of the week came on Sunday afternoon (a
    quiet night) or on Wednesday (a small county's quiet days, or a feed that stopped: the
    data cannot tell): the week is over by the clock, so it is counted at its end (next
    Monday 00:00, as the briefing defines it) and compared, not guessed 不完整."""
    db = _county(tmp_path / "live.duckdb", last, mode="now")
    store = ReadStore(db)
    try:
        b = compose(store, Settings(), "2025-W11")
    finally:
        store.close()
    assert b.data_until > dt.datetime(2025, 3, 17)        # the clock, past the week's end
    assert not b.partial and b.compared and b.as_of == dt.datetime(2025, 3, 17)
    assert "不作环比" not in b.summary and "（上周70件）" in b.summary


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """W09 from its Wednesday, W10 and W11 whole, W12 up to Tuesday noon."""
    db = _county(tmp_path_factory.mktemp("whole") / "c.duckdb", dt.datetime(2025, 3, 18, 12))
    store = ReadStore(db)
    yield store
    store.close()


def test_a_complete_week_after_a_complete_one_is_compared(loaded):
    b = compose(loaded, Settings(), "2025-W11")
    assert not b.partial and b.compared and b.as_of == dt.datetime(2025, 3, 17)
    assert "与上周持平（上周70件）" in b.summary and "不作环比" not in b.summary
    assert key_rows(b)[0][1:] == ["70", "70", "持平"]
    assert "环比为上周同口径" in _slides(b) and "本周数据不完整" not in _slides(b)


def test_the_week_after_the_first_partial_one_is_not_compared_with_it(loaded):
    """W09 has data from its Wednesday only (50 reports in 5 days): W10's 70 read 环比上升
    40.0%, and every category 'rose'; the wall says 环比 — for such a period."""
    b = compose(loaded, Settings(), "2025-W10")
    assert b.data_from == dt.date(2025, 2, 26) and not b.partial and not b.compared
    assert "上升" not in b.summary and "40.0%" not in b.summary
    assert "数据自2025年2月26日起" in b.summary and "不作环比" in b.summary
    assert len(b.rises_category) == 0
    rows = {r[0]: r for r in key_rows(b)}
    assert rows["上报数"][1:] == ["70", document.DASH, document.DASH]
    assert rows["红线示警·超期未办结（周末）"][2] == document.DASH
    # the hotspot baseline (4 weeks) reaches before the data: said beside the hotspots
    assert b.hot_short == dt.date(2025, 2, 26)
    # last week's Monday and Tuesday are not drawn as days without events
    assert b.trend_before["reported"].isna().tolist() == [True] * 2 + [False] * 5


def test_weeks_are_named_as_iso_8601_says_or_refused():
    assert br.parse_week("2026-W53") == (dt.date(2026, 12, 28), dt.date(2027, 1, 4))
    assert br.parse_week("2025-W01") == (dt.date(2024, 12, 30), dt.date(2025, 1, 6))
    # the basic form and a one-digit week mean one week only
    assert br.parse_week("2026W1") == br.parse_week("2026-w01") == br.parse_week("2026-W1")
    for bad in ("2026-36", "2026W01x", "2025-W53", "2026-W60", "0000-W01", "W36", "2026-W123"):
        with pytest.raises(m.MetricsError) as err:
            br.parse_week(bad)
        assert bad in str(err.value)
    with pytest.raises(m.MetricsError, match="2025 has ISO weeks W01 to W52"):
        br.parse_week("2025-W53")


def test_the_cli_refuses_a_week_name_and_says_where_the_data_is(loading, tmp_path):
    def run(week):
        return subprocess.run([sys.executable, "-m", "dashboard.briefing", "--db",
                               str(loading.path), "--week", week, "--out", str(tmp_path / week)],
                              cwd=ROOT, capture_output=True, text=True, timeout=60)
    bad = run("2026-36")
    assert bad.returncode == 2 and "2026-36" in bad.stderr and "Traceback" not in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
    later = run("2026-W02")
    assert later.returncode == 3 and "数据范围 2025-02-26 至 2025-03-12" in later.stderr
    assert not (tmp_path / "2026-36").exists() and not (tmp_path / "2026-W02").exists()
    with pytest.raises(EmptyWeek):
        compose(loading, Settings(), "2024-W01")
