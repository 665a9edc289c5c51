"""The metric SQL against metrics.md: hand-placed edge cases and a random cross-check.

Every test that reads a store runs on both engines (``engine``: DuckDB and ClickHouse via
chdb, tests/engines.py): the same rows, the same figures."""
from __future__ import annotations

import datetime as dt
import random

import pytest

from store import metrics as m
from store.settings import Settings
from tests.store.dbmaker import ev, make_db
from tests.engines import store_on
from tests.store.oracle import oracle

D = dt.datetime
H = dt.timedelta(hours=1)
US = dt.timedelta(microseconds=1)
AS_OF = D(2025, 6, 30, 12, 0)


def run(engine, tmp_path, events, settings=None, **kw):
    store = store_on(engine, make_db(tmp_path / "m.duckdb", events, **kw.pop("db", {})))
    settings = settings or Settings()
    args = {"start": dt.date(2025, 6, 1), "end": dt.date(2025, 7, 1), "as_of": AS_OF}
    args.update(kw)
    return m.metrics(store, settings, **args)


def test_window_is_half_open(tmp_path, engine):
    out = run(engine, tmp_path, [
        ev("a", D(2025, 6, 1, 0, 0)),                 # exactly at start: inside
        ev("b", D(2025, 7, 1, 0, 0)),                 # exactly at end: outside
        ev("c", D(2025, 6, 30, 23, 59, 59, 999999)),  # last microsecond: inside
        ev("d", D(2025, 5, 31, 23, 59, 59)),          # before start: outside
    ], as_of=D(2025, 7, 2))
    assert out["reported"] == 2


def test_zero_denominators_are_none_not_zero(tmp_path, engine):
    out = run(engine, tmp_path, [ev("a", D(2025, 6, 29, 12))])  # open, unrated, not dispatched
    assert out["reported"] == 1 and out["closed"] == 0
    assert out["handling_rate"] == 0.0
    for key in ("on_time_rate", "timely_dispatch_rate", "timely_accept_rate",
                "satisfaction_rate", "resolved_at_source_rate", "median_hours_to_close"):
        assert out[key] is None, key
    (tmp_path / "empty").mkdir()
    empty = run(engine, tmp_path / "empty", [], start=dt.date(2024, 1, 1), end=dt.date(2024, 1, 2))
    assert empty["reported"] == 0 and empty["handling_rate"] is None


def test_closed_after_as_of_counts_as_open(tmp_path, engine):
    r = D(2025, 6, 29, 0, 0)
    out = run(engine, tmp_path, [ev("a", r, closed_at=AS_OF + US), ev("b", r, closed_at=AS_OF)])
    assert out["closed"] == 1 and out["open_backlog"] == 1
    assert out["handling_rate"] == 0.5


def test_on_time_limit_boundary_and_per_category_limit(tmp_path, monkeypatch, engine):
    r = D(2025, 6, 10, 8, 0)
    events = [
        ev("on", r, closed_at=r + 72 * H),            # exactly the limit: on time
        ev("late", r, closed_at=r + 72 * H + US),     # one microsecond over: late
        ev("hz_on", r, category="安全隐患", closed_at=r + 24 * H),
        ev("hz_late", r, category="安全隐患", closed_at=r + 30 * H),
    ]
    default = run(engine, tmp_path, events)
    assert default["on_time_rate"] == 0.75
    s = Settings(raw={**Settings().raw, "limits": {**Settings().raw["limits"],
                                                 "category": {"安全隐患": {"close_h": 24}}}})
    (tmp_path / "m.duckdb").unlink()
    assert run(engine, tmp_path, events, settings=s)["on_time_rate"] == 0.5


def test_an_open_case_is_due_one_microsecond_after_its_close_limit_and_then_missed(tmp_path, engine):
    r = D(2025, 6, 20, 8, 0)
    events = [ev("on", r, closed_at=r + 10 * H),      # closed on time: due and met
              ev("edge", AS_OF - 72 * H),             # open exactly at close_h: not yet due
              ev("young", AS_OF - 5 * H)]             # open, not yet due: counts nowhere
    at_limit = run(engine, tmp_path, events)
    assert (at_limit["due"], at_limit["closed"]) == (1, 1)
    assert at_limit["on_time_rate"] == 1.0 and at_limit["on_time_of_closed_rate"] == 1.0
    (tmp_path / "m.duckdb").unlink()
    later = run(engine, tmp_path, events, as_of=AS_OF + US)
    assert later["due"] == 2 and later["red"] == 1
    assert later["on_time_rate"] == 0.5                    # the overdue case pulls it down …
    assert later["on_time_of_closed_rate"] == 1.0          # … the old figure never sees it


def test_due_uses_the_category_close_limit_and_ignores_invalid_and_later_reports(tmp_path, engine):
    s = Settings(raw={**Settings().raw, "limits": {**Settings().raw["limits"],
                                                 "category": {"安全隐患": {"close_h": 24}}}})
    events = [ev("hz_edge", AS_OF - 24 * H, category="安全隐患"),
              ev("hz_over", AS_OF - 24 * H - US, category="安全隐患"),
              ev("inv", AS_OF - 100 * H, status="invalid"),
              ev("after", AS_OF + H)]                    # in the window, reported after as_of
    out = run(engine, tmp_path, events, settings=s)
    assert (out["due"], out["red"], out["reported"]) == (1, 1, 3)
    assert out["on_time_rate"] == 0.0 and out["on_time_of_closed_rate"] is None


def test_no_due_case_means_no_on_time_rate(tmp_path, engine):
    out = run(engine, tmp_path, [ev("young", AS_OF - H)])
    assert out["due"] == 0 and out["on_time_rate"] is None


def test_due_and_the_old_figure_have_labels():
    assert m.LABELS_ZH["due"] == "应办结数"
    assert m.LABELS_ZH["on_time_of_closed_rate"] == "按期办结率(已办结口径)"
    assert {"due", "on_time_of_closed_rate"} <= set(m.METRIC_KEYS)


def test_previous_period_shifts_window_and_as_of_by_the_window_length():
    got = m.shift_period(dt.date(2025, 9, 1), dt.date(2025, 9, 8), D(2025, 9, 5, 10, 30), "previous")
    assert got == (dt.date(2025, 8, 25), dt.date(2025, 9, 1), D(2025, 8, 29, 10, 30))
    month = m.shift_period(dt.date(2025, 3, 1), dt.date(2025, 4, 1), D(2025, 3, 31, 23), "previous")
    assert month == (dt.date(2025, 1, 29), dt.date(2025, 3, 1), D(2025, 2, 28, 23))


def test_year_on_year_shifts_one_calendar_year_and_feb_29_becomes_feb_28():
    got = m.shift_period(dt.date(2024, 2, 29), dt.date(2024, 3, 7), D(2024, 2, 29, 9), "year")
    assert got == (dt.date(2023, 2, 28), dt.date(2023, 3, 7), D(2023, 2, 28, 9))
    one_day = m.shift_period(dt.date(2024, 2, 28), dt.date(2024, 2, 29), D(2024, 2, 28, 9), "year")
    assert one_day[1] > one_day[0]
    with pytest.raises(m.MetricsError):
        m.shift_period(dt.date(2024, 1, 1), dt.date(2024, 1, 2), D(2024, 1, 1), "decade")


def test_compare_previous_equals_the_reference_one_period_earlier(tmp_path, engine):
    rnd = random.Random(7)
    events, dicts = [], []
    for i in range(300):
        r = D(2025, 5, 1) + dt.timedelta(minutes=rnd.randrange(0, 60 * 24 * 61))
        closed = r + dt.timedelta(minutes=rnd.randrange(1, 60 * 110)) if rnd.random() < .8 else None
        events.append(ev(f"e{i}", r, closed_at=closed))
        dicts.append(dict(event_id=f"e{i}", reported_at=r, closed_at=closed, category="矛盾纠纷",
                          status=None, accepted_at=None, dispatched_at=None, satisfaction=None,
                          level=None))
    store = store_on(engine, make_db(tmp_path / "p.duckdb", events))
    got = m.metrics(store, Settings(), start=dt.date(2025, 6, 16), end=dt.date(2025, 6, 23),
                    as_of=D(2025, 6, 21, 15), compare="previous")
    assert got["previous"]["start"] == "2025-06-09" and got["previous"]["end"] == "2025-06-16"
    assert got["previous"]["as_of"] == "2025-06-14T15:00:00"
    want = oracle(dicts, start=dt.date(2025, 6, 9), end=dt.date(2025, 6, 16), as_of=D(2025, 6, 14, 15))
    for key, value in want.items():
        assert got["previous"][key] == pytest.approx(value) if value is not None else \
            got["previous"][key] is None, key
    assert want["due"] > want["closed"]          # the previous week has overdue open cases
    with pytest.raises(m.MetricsError):
        m.metrics(store, Settings(), compare="last-week")


def test_dispatch_and_accept_denominators_ignore_future_steps(tmp_path, engine):
    r = D(2025, 6, 29, 0, 0)
    out = run(engine, tmp_path, [
        ev("a", r, accepted_at=r + 3 * H, dispatched_at=r + 24 * H),
        ev("b", r, accepted_at=r + 3 * H + US, dispatched_at=r + 24 * H + US),
        ev("c", r, accepted_at=AS_OF + US, dispatched_at=AS_OF + US),   # not yet, as of as_of
    ])
    assert out["timely_accept_rate"] == 0.5
    assert out["timely_dispatch_rate"] == 0.5


def test_yellow_red_boundaries(tmp_path, engine):
    out = run(engine, tmp_path, [
        ev("y_lo", AS_OF - 48 * H),               # exactly 2/3 of 72 h: yellow
        ev("y_hi", AS_OF - 72 * H),               # exactly the limit: still yellow, not red
        ev("red", AS_OF - 72 * H - US),           # past the limit: red
        ev("green", AS_OF - 48 * H + US),         # younger than the warning: neither
        ev("future", AS_OF + H),                  # reported after as_of: not in the backlog
        ev("closed", AS_OF - 100 * H, closed_at=AS_OF - H),
        ev("inv", AS_OF - 100 * H, status="invalid"),
    ])
    assert (out["open_backlog"], out["yellow"], out["red"]) == (4, 2, 1)


def test_invalid_events_are_counted_apart_and_out_of_rates(tmp_path, engine):
    r = D(2025, 6, 15)
    out = run(engine, tmp_path, [ev("a", r, closed_at=r + H), ev("b", r, status="invalid"),
                         ev("c", D(2025, 5, 1), status="invalid")])
    assert (out["reported"], out["invalid"], out["handling_rate"]) == (1, 1, 1.0)


def test_satisfaction_source_and_median(tmp_path, engine):
    r = D(2025, 6, 15)
    out = run(engine, tmp_path, [
        ev("a", r, closed_at=r + 1 * H, satisfaction="satisfied", level="village"),
        ev("b", r, closed_at=r + 2 * H, satisfaction="basically_satisfied", level="township"),
        ev("c", r, closed_at=r + 4 * H, satisfaction="dissatisfied", level="grid"),
        ev("d", r, closed_at=r + 10 * H),
        ev("e", r, satisfaction="satisfied", level="county"),     # open: not in either rate
    ])
    assert out["satisfaction_rate"] == pytest.approx(2 / 3)
    assert out["resolved_at_source_rate"] == pytest.approx(2 / 3)
    assert out["median_hours_to_close"] == pytest.approx(3.0)   # even count: mean of 2 and 4


def test_scopes_and_cameras(tmp_path, engine):
    r = D(2025, 6, 15)
    events = [ev("a", r, grid="G1", township="T1"), ev("b", r, grid="G3", township="T2"),
              ev("c", r, grid="G3", township="T2")]
    cams = [("c1", "online", "G1", "T1"), ("c2", "offline", "G1", "T1"), ("c3", "online", "G3", "T2")]
    store = store_on(engine, make_db(tmp_path / "s.duckdb", events, cameras=cams))
    s = Settings()
    kw = {"start": dt.date(2025, 6, 1), "end": dt.date(2025, 7, 1), "as_of": AS_OF}
    t1 = m.metrics(store, s, scope=m.parse_scope(store, "township:甲镇"), **kw)
    assert (t1["scope"], t1["reported"], t1["cameras"], t1["cameras_online"]) == ("township:T1", 1, 2, 1)
    g3 = m.metrics(store, s, scope=m.parse_scope(store, "grid:G3"), **kw)
    assert (g3["reported"], g3["cameras"]) == (2, 1)
    by = m.metrics_table(store, s, by="township", **kw)
    assert list(by["code"]) == ["T1", "T2"] and list(by["reported"]) == [1, 2]
    with pytest.raises(m.MetricsError):
        m.parse_scope(store, "township:nowhere")
    with pytest.raises(m.MetricsError):
        m.parse_scope(store, "planet:earth")


def test_as_of_with_offset_is_converted_to_local_time():
    s = Settings()
    assert m.parse_as_of("2025-06-30T04:00:00+00:00", s) == D(2025, 6, 30, 12, 0)
    assert m.parse_as_of("2025-06-30 12:00", s) == D(2025, 6, 30, 12, 0)
    with pytest.raises(m.MetricsError):
        m.parse_as_of("yesterday", s)


def test_as_of_modes(tmp_path, engine):
    store = store_on(engine, make_db(tmp_path / "a.duckdb", [ev("a", D(2025, 6, 15, 9, 30))],
                              meta={"as_of_mode": "newest_report"}))
    assert m.resolve_as_of(store, Settings()) == D(2025, 6, 15, 9, 30)
    pinned = Settings(raw={**Settings().raw, "as_of": "2025-01-01T00:00:00"})
    assert m.resolve_as_of(store, pinned) == D(2025, 1, 1)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_events_match_the_reference(tmp_path, seed, engine):
    rnd = random.Random(seed)
    base = D(2025, 5, 1)
    events, dicts = [], []
    for i in range(400):
        r = base + dt.timedelta(minutes=rnd.randrange(0, 60 * 24 * 75))
        hours = lambda hi: dt.timedelta(minutes=rnd.randrange(0, 60 * hi))  # noqa: E731
        row = dict(
            event_id=f"e{i}", reported_at=r, category=rnd.choice(["矛盾纠纷", "安全隐患", "环境卫生"]),
            grid=rnd.choice(["G1", "G2", "G3"]),
            accepted_at=r + hours(6) if rnd.random() < .9 else None,
            dispatched_at=r + hours(40) if rnd.random() < .85 else None,
            closed_at=r + hours(120) if rnd.random() < .8 else None,
            level=rnd.choice([None, "grid", "village", "township", "county"]),
            status=rnd.choice([None] * 12 + ["invalid"]),
            satisfaction=rnd.choice([None, "satisfied", "basically_satisfied", "dissatisfied"]),
        )
        row["township"] = "T2" if row["grid"] == "G3" else "T1"
        events.append(ev(**row))
        dicts.append({**row, "reported_at": r})
    per_cat = {"安全隐患": {"close_h": 24.0, "dispatch_h": 12.0}}
    s = Settings(raw={**Settings().raw, "limits": {**Settings().raw["limits"], "category": per_cat}})
    store = store_on(engine, make_db(tmp_path / f"r{seed}.duckdb", events))
    for start, end, as_of in [(dt.date(2025, 6, 1), dt.date(2025, 7, 1), AS_OF),
                              (dt.date(2025, 5, 1), dt.date(2025, 5, 8), D(2025, 5, 9, 3)),
                              (dt.date(2025, 7, 1), dt.date(2025, 7, 15), D(2025, 7, 20))]:
        for scope_text, pred in [("county", None), ("township:T1", lambda e: e["township"] == "T1"),
                                 ("grid:G3", lambda e: e["grid"] == "G3")]:
            got = m.metrics(store, s, scope=m.parse_scope(store, scope_text), start=start, end=end,
                            as_of=as_of)
            want = oracle(dicts, start=start, end=end, as_of=as_of, per_cat=per_cat, scope=pred)
            for key, value in want.items():
                if isinstance(value, float):
                    assert got[key] == pytest.approx(value), (scope_text, start, key)
                else:
                    assert got[key] == value, (scope_text, start, key)


def test_ranking_and_cards(tmp_path):
    import pandas as pd

    df = pd.DataFrame({
        "code": ["A", "B", "C", "D", "E"],
        "on_time_rate": [0.97, 0.97, 0.93, None, 0.89],
        "handling_rate": [0.99, 1.0, 0.99, 0.5, 1.0],
        "red": [0, 1, 0, 0, 0],
    })
    out = m.rank(df, Settings())
    assert list(out["code"]) == ["B", "A", "C", "E", "D"]
    assert dict(zip(out["code"], out["card"])) == {
        "B": "yellow", "A": "green", "C": "yellow", "E": "red", "D": "green"}
    many_red = pd.DataFrame({"code": ["X"], "on_time_rate": [0.99], "handling_rate": [1.0], "red": [6]})
    assert m.rank(many_red, Settings())["card"][0] == "red"
    five_red = many_red.assign(red=[5])
    assert m.rank(five_red, Settings())["card"][0] == "yellow"


def test_a_camera_not_seen_for_camera_offline_after_h_counts_as_offline(tmp_path, engine):
    import duckdb

    cams = [("fresh", "online", "G1", "T1"), ("edge", "online", "G1", "T1"),
            ("stale", "online", "G1", "T1"), ("never", "online", "G1", "T1"),
            ("off", "offline", "G1", "T1"), ("unk", "unknown", "G1", "T1")]
    path = make_db(tmp_path / "c.duckdb", [], cameras=cams)
    con = duckdb.connect(str(path))
    con.executemany("UPDATE cameras SET last_seen_at = ? WHERE camera_id = ?", [
        (AS_OF - H, "fresh"), (AS_OF - 24 * H, "edge"), (AS_OF - 24 * H - US, "stale"),
        (AS_OF, "off")])
    con.close()
    store = store_on(engine, path)
    kw = {"start": dt.date(2025, 6, 1), "end": dt.date(2025, 7, 1), "as_of": AS_OF}
    out = m.metrics(store, Settings(), **kw)
    assert (out["cameras"], out["cameras_online"]) == (6, 3)       # fresh, edge, never
    lax = Settings(raw={**Settings().raw, "camera_offline_after_h": 48.0})
    assert m.metrics(store, lax, **kw)["cameras_online"] == 4


def test_camera_status_at_as_of_ages_online_cameras_only(tmp_path, engine):
    import duckdb

    path = make_db(tmp_path / "s.duckdb", [], cameras=[
        ("old_on", "online", "G1", "T1"), ("old_unk", "unknown", "G1", "T1"),
        ("new_on", "online", "G1", "T1")])
    con = duckdb.connect(str(path))
    con.execute("UPDATE cameras SET last_seen_at = ? WHERE camera_id LIKE 'old%'", [AS_OF - 25 * H])
    con.execute("UPDATE cameras SET last_seen_at = ? WHERE camera_id = 'new_on'", [AS_OF - H])
    con.close()
    sql, params = m.camera_status_at(Settings(), AS_OF, "c")
    got = dict(store_on(engine, path).rows(f"SELECT camera_id, {sql} FROM cameras c", params))
    assert got == {"old_on": "offline", "old_unk": "unknown", "new_on": "online"}


def test_the_backlog_starts_at_its_earliest_open_report_and_still_counts_every_open_case(tmp_path, engine):
    D = dt.datetime
    events = [ev("ancient", D(2020, 1, 1, 8)),                               # never closed
              ev("old_closed", D(2021, 3, 1), closed_at=D(2021, 3, 2)),
              ev("late_close", D(2024, 5, 1), closed_at=D(2025, 6, 20, 10)),  # closed after as_of
              ev("same_day", D(2024, 6, 1), closed_at=D(2025, 6, 15, 18)),    # before as_of, same day
              ev("bad", D(2019, 1, 1), status="invalid"),
              ev("new", D(2025, 6, 15, 9))]
    store = store_on(engine, make_db(tmp_path / "b.duckdb", events))
    as_of = D(2025, 6, 15, 12)
    assert m.backlog_floor(store, as_of) == D(2020, 1, 1, 8)       # the invalid one is no case
    row = m.metrics(store, Settings(), start=dt.date(2025, 6, 1), end=dt.date(2025, 6, 16),
                    as_of=as_of)
    assert row["open_backlog"] == 4                # ancient, late_close, same_day, new
    without_ancient = store_on(engine, make_db(tmp_path / "c.duckdb", events[1:]))
    assert m.backlog_floor(without_ancient, as_of) == D(2024, 5, 1)
    assert m.backlog_floor(without_ancient, D(2025, 6, 21)) == D(2025, 6, 15, 9)
    assert m.metrics(without_ancient, Settings(), start=dt.date(2025, 6, 1),
                     end=dt.date(2025, 6, 16), as_of=as_of)["open_backlog"] == 3
    closed_all = store_on(engine, make_db(tmp_path / "d.duckdb", [events[1]]))
    assert m.backlog_floor(closed_all, as_of) == dt.datetime.max    # nothing can be open
    assert m.metrics(closed_all, Settings(), start=dt.date(2025, 6, 1), end=dt.date(2025, 6, 16),
                     as_of=as_of)["open_backlog"] == 0


def test_an_unseen_county_reads_as_computed_by_hand_with_every_rates_denominator(tmp_path, engine):
    """A window crossing a month end (25 Sep - 1 Oct) at an as_of in the middle of a day:
    open past the limit, closed a microsecond late, closed on the deadline, closed while its
    status says 处置中 (reopened: closed_at decides), closed a microsecond after as_of,
    invalid, a category without its own limit, reported after as_of, at midnight and the
    microsecond before it, a township with only invalid events, a grid of few events. The
    figures computed by hand; every figure of every scope (and by unit, one period and one
    year earlier) equals the reference, with each rate's denominator in /api/metrics."""
    as_of = D(2025, 10, 1, 14, 37, 12, 500000)
    start, end = dt.date(2025, 9, 25), dt.date(2025, 10, 2)
    t3 = {"township": "T2", "village": "V2", "grid": "G3"}
    rows = [
        ev("open_over", D(2025, 9, 27, 10), accepted_at=D(2025, 9, 27, 11),
           dispatched_at=D(2025, 9, 27, 12)),
        ev("late", D(2025, 9, 25), closed_at=D(2025, 9, 28) + US, satisfaction="dissatisfied",
           level="township", accepted_at=D(2025, 9, 25, 4), dispatched_at=D(2025, 9, 26, 1)),
        ev("deadline", D(2025, 9, 26, 8), closed_at=D(2025, 9, 29, 8), satisfaction="satisfied",
           level="grid", accepted_at=D(2025, 9, 26, 11), dispatched_at=D(2025, 9, 27, 8)),
        ev("reopened", D(2025, 9, 28, 8), closed_at=D(2025, 9, 29, 9), status="dispatched",
           level="village"),
        ev("closing", D(2025, 9, 28, 9), closed_at=as_of + US, status="closed"),
        ev("void", D(2025, 9, 29, 9), closed_at=D(2025, 9, 29, 10), status="invalid"),
        ev("no_limit", D(2025, 9, 30, 9), category="未列类别"),
        ev("yellow", as_of - 60 * H), ev("yellow_edge", as_of - 48 * H),
        ev("red_edge", as_of - 72 * H),
        ev("young", as_of - 5 * H, grid="G2", accepted_at=as_of + H),
        ev("after", D(2025, 10, 1, 20), grid="G2"),
        ev("old_open", D(2025, 9, 10, 10), grid="G2", supervised=True),
        ev("midnight", D(2025, 10, 1), grid="G2", closed_at=as_of,
           satisfaction="basically_satisfied"),
        ev("eve", D(2025, 9, 30, 23, 59, 59, 999999), grid="G2", closed_at=D(2025, 10, 1, 1)),
        ev("void3", D(2025, 9, 30, 9), status="invalid", **t3),
        ev("void3b", D(2025, 9, 20, 9), status="invalid", **t3),
        ev("prev1", D(2025, 9, 20, 9), closed_at=D(2025, 9, 21, 9)),
        ev("prev2", D(2025, 9, 19, 9), closed_at=D(2025, 9, 24, 9)),
    ]
    dicts = [dict(zip(("event_id", "reported_at", "category", "grid_id", "township_code",
                       "village_code", "accepted_at", "dispatched_at", "closed_at", "level",
                       "status", "satisfaction", "supervised"), r)) for r in rows]
    store = store_on(engine, make_db(tmp_path / "u.duckdb", rows, townships=(
        ("T1", "甲镇"), ("T2", "乙镇"), ("T3", "丙镇")), grids=(
        ("G1", "一号网格", "T1", "V1"), ("G2", "二号网格", "T1", "V1"),
        ("G3", "三号网格", "T2", "V2"), ("G4", "四号网格", "T3", "V3"))))
    s = Settings()
    got = m.metrics(store, s, start=start, end=end, as_of=as_of)
    # by hand: 13 in the window; closed: late, deadline, reopened, midnight, eve; due: those
    # and open_over, closing (open 77.6 h); on time: all closed but late
    assert (got["reported"], got["closed"], got["due"], got["invalid"]) == (13, 5, 7, 2)
    assert (got["on_time_rate"], got["on_time_of_closed_rate"]) == (pytest.approx(4 / 7), 0.8)
    assert (got["dispatched"], got["accepted"], got["rated"], got["with_level"]) == (3, 3, 3, 3)
    assert got["median_hours_to_close"] == pytest.approx(25.0)
    assert (got["open_backlog"], got["red"], got["yellow"], got["flagged"]) == (8, 3, 3, 1)
    t2 = m.metrics(store, s, scope=m.Scope("township", "T2"), start=start, end=end, as_of=as_of)
    assert (t2["reported"], t2["invalid"], t2["handling_rate"], t2["on_time_rate"]) == \
        (0, 1, None, None)
    preds = {"county": None, "township:T1": ("township_code", "T1"),
             "township:T2": ("township_code", "T2"), "township:T3": ("township_code", "T3"),
             "village:V1": ("village_code", "V1"), "grid:G1": ("grid_id", "G1"),
             "grid:G2": ("grid_id", "G2"), "grid:G4": ("grid_id", "G4")}

    def same(have, want, where):
        for key, value in want.items():
            assert have[key] == (pytest.approx(value) if value is not None else None), \
                (where, key, have[key], value)

    for period in (None, "previous", "year"):
        p_start, p_end, p_as_of = ((start, end, as_of) if period is None
                                   else m.shift_period(start, end, as_of, period))
        for text, pred in preds.items():
            level, _, code = text.partition(":")
            scope = m.Scope(level, code) if code else m.Scope()
            test = None if pred is None else (lambda e, c=pred[0], v=pred[1]: e[c] == v)
            same(m.metrics(store, s, scope=scope, start=p_start, end=p_end, as_of=p_as_of),
                 oracle(dicts, start=p_start, end=p_end, as_of=p_as_of, scope=test),
                 (period, text))
        for by, col in (("township", "township_code"), ("grid", "grid_id")):
            table = m.metrics_table(store, s, start=p_start, end=p_end, as_of=p_as_of, by=by)
            for row in table.to_dict("records"):
                want = oracle(dicts, start=p_start, end=p_end, as_of=p_as_of,
                              scope=lambda e, c=col, v=row["code"]: e[c] == v)
                same({k: (None if isinstance(v, float) and v != v else v)
                      for k, v in row.items()}, want, (period, by, row["code"]))
