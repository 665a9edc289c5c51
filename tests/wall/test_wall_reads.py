"""store.wall_reads against the demo county loaded by the real ETL (tests/conftest.py).

Each figure is checked against an independent computation (plain SQL, pyproj's geodesic)
or against store.metrics, whose definitions the wall must share.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from pyproj import Geod

from store import metrics as m
from store import wall_reads as wr
from store.db import ReadStore
from store.settings import Settings
from tests.hygiene import dash_imported_by

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def store(wall_demo_db):
    s = ReadStore(wall_demo_db)
    yield s
    s.close()


@pytest.fixture(scope="module")
def settings():
    return Settings()


@pytest.fixture(scope="module")
def view(store, settings):
    as_of = m.resolve_as_of(store, settings)
    start, end = m.default_window(as_of, 30)
    return as_of, start, end


@pytest.fixture(scope="module")
def township(store):
    """The township with the most open events at the end of the data (so its lists are full)."""
    return store.scalar(
        "SELECT township_code FROM events WHERE closed_at IS NULL AND status <> 'invalid'"
        " GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")


def test_kpis_today_counts_valid_reports_of_as_of_day(store, settings, view):
    as_of, start, end = view
    k = wr.kpis(store, settings, None, start, end, as_of)
    direct = store.scalar(
        "SELECT count(*) FROM events WHERE status IS DISTINCT FROM 'invalid'"
        " AND reported_at >= ? AND reported_at < ?",
        [dt.datetime.combine(as_of.date(), dt.time()),
         dt.datetime.combine(as_of.date() + dt.timedelta(days=1), dt.time())])
    assert k["today_reported"] == direct > 0
    assert k["window"] == m.metrics(store, settings, start=start, end=end, as_of=as_of)


def test_kpis_today_stops_at_a_pinned_as_of_in_the_middle_of_the_day(store, settings, view):
    """A wall pinned to a past moment (the briefing's Monday 00:00) counts that day up to
    as_of only, not the reports after it."""
    as_of, start, end = view
    day0 = dt.datetime.combine(as_of.date(), dt.time())
    noon = day0 + dt.timedelta(hours=12)
    so_far = store.scalar(
        "SELECT count(*) FROM events WHERE status IS DISTINCT FROM 'invalid'"
        " AND reported_at >= ? AND reported_at <= ?", [day0, noon])
    whole_day = wr.kpis(store, settings, None, start, end, as_of)["today_reported"]
    assert so_far < whole_day                      # the fixture reports after noon too
    assert wr.kpis(store, settings, None, start, end, noon)["today_reported"] == so_far
    assert wr.kpis(store, settings, None, start, end, day0)["today_reported"] == store.scalar(
        "SELECT count(*) FROM events WHERE status IS DISTINCT FROM 'invalid'"
        " AND reported_at = ?", [day0])


@pytest.mark.parametrize("scoped", [False, True])
def test_warning_list_matches_metrics_counts(store, settings, view, township, scoped):
    as_of, start, end = view
    code = township if scoped else None
    rows = wr.warning_events(store, settings, code, as_of, limit=None)
    figs = m.metrics(store, settings, scope=wr.scope_of(code), start=start, end=end, as_of=as_of)
    assert (rows["level"] == "red").sum() == figs["red"] > 0
    assert (rows["level"] == "yellow").sum() == figs["yellow"]
    # red first, each block oldest first
    levels = list(rows["level"])
    assert levels == sorted(levels, key=lambda lv: lv != "red")
    reds = rows[rows["level"] == "red"]["elapsed_h"].tolist()
    assert reds == sorted(reds, reverse=True)
    assert (rows[rows["level"] == "red"]["elapsed_h"] > rows["close_h"][0] - 1e-9).all()
    if scoped:
        assert set(rows["township_code"]) == {township}
    assert "reporter_name" not in rows and "reporter_phone" not in rows


def test_warning_list_limit(store, settings, view):
    as_of, _s, _e = view
    assert len(wr.warning_events(store, settings, None, as_of, limit=3)) == 3



@pytest.mark.parametrize("limit,later_days", [(60, 0), (1, 0), (1, 90)])
def test_every_scopes_warning_list_from_one_read(store, settings, view, limit, later_days):
    """The minute's one read of every list (warning_lists) gives each scope exactly the rows
    warning_events gives it, in its order, also when the limit cuts the lists (limit 1; 90
    days on, every open event is red: a township's list is cut too)."""
    as_of = view[0] + dt.timedelta(days=later_days)
    lists = wr.warning_lists(store, settings, as_of, limit)
    codes = [t["code"] for t in wr.township_list(store, settings)]
    cut = 0
    for code in [None, *codes]:
        alone = wr.warning_events(store, settings, code, as_of, limit)
        pd.testing.assert_frame_equal(wr.warning_list_of(lists, code, limit), alone)
        cut += len(wr.warning_events(store, settings, code, as_of, None)) > limit
    assert cut >= (2 if later_days else 1 if limit == 1 else 0)   # 2: the county and a township


@pytest.mark.parametrize("days_back,window,worst", [(0, 30, True), (3, 7, False)])
def test_every_townships_grid_ranking_from_one_read(store, settings, view, days_back, window,
                                                    worst):
    """township_rankings (one read of every grid) gives each township the very frame
    unit_ranking gives it alone: rows, order, ranks, cards, few, pos and dtypes; a reader
    that cannot cut one out (an unknown township) still answers through unit_ranking."""
    from store.map_view import direct_reader

    as_of = view[0] - dt.timedelta(days=days_back)
    start, end = m.default_window(as_of, window)
    every = wr.township_rankings(store, settings, start, end, as_of, 3, worst)
    codes = [t["code"] for t in wr.township_list(store, settings)]
    assert set(every) == set(codes) and len(codes) >= 2
    for code in codes:
        alone = wr.unit_ranking(store, settings, code, start, end, as_of, 3, worst)
        pd.testing.assert_frame_equal(every[code], alone)
    assert sum(int(f["reported"].sum() > 0) for f in every.values()) >= 2   # not all empty
    read = direct_reader(store, settings)
    for code in ("NO-SUCH", None):
        pd.testing.assert_frame_equal(
            wr.unit_ranking_via(read, code, start, end, as_of, 3, worst),
            wr.unit_ranking(store, settings, code, start, end, as_of, 3, worst))

def test_daily_trend_sums_to_the_cohort(store, settings, view, township):
    as_of, start, end = view
    for code in (None, township):
        df = wr.daily_trend(store, settings, code, start, end)
        assert len(df) == (end - start).days == 30
        assert list(df["day"].dt.date) == [start + dt.timedelta(days=i) for i in range(30)]
        figs = m.metrics(store, settings, scope=wr.scope_of(code), start=start, end=end,
                         as_of=as_of)
        assert int(df["reported"].sum()) == figs["reported"]
        closed = store.scalar(
            "SELECT count(*) FROM events WHERE status <> 'invalid' AND closed_at >= ?"
            " AND closed_at < ? AND (? IS NULL OR township_code = ?)",
            [dt.datetime.combine(start, dt.time()), dt.datetime.combine(end, dt.time()),
             code, code])
        assert int(df["closed"].sum()) == closed


def test_daily_trend_fills_empty_days_with_zero(store, settings):
    start = dt.date(2030, 1, 1)
    df = wr.daily_trend(store, settings, None, start, start + dt.timedelta(days=5))
    assert len(df) == 5 and df["reported"].sum() == 0 and df["closed"].sum() == 0


def test_mix_shares_and_other(store, settings, view):
    as_of, start, end = view
    full = wr.mix(store, settings, None, start, end, "category", top=50)
    total = m.metrics(store, settings, start=start, end=end, as_of=as_of)["reported"]
    assert int(full["reported"].sum()) == total
    assert list(full["reported"]) == sorted(full["reported"], reverse=True)
    short = wr.mix(store, settings, None, start, end, "category", top=3)
    assert len(short) == 4 and short["label"].iloc[-1] == "其他"
    assert int(short["reported"].sum()) == total
    assert short["share"].sum() == pytest.approx(1.0)
    with pytest.raises(ValueError):
        wr.mix(store, settings, None, start, end, "reporter_name")


def test_unit_ranking_order_cards_and_drill(store, settings, view, township):
    as_of, start, end = view
    towns = wr.unit_ranking(store, settings, None, start, end, as_of)
    assert len(towns) == store.scalar("SELECT count(*) FROM townships")
    # the townships of enough events by their rates, then those of fewer than 5 (样本少,
    # not judged: most red warnings first, then by code), carded on red warnings alone
    few = towns["reported"] < 5
    assert list(towns["few"]) == list(few) and list(few) == sorted(few)
    keys = [(-r.on_time_rate, -r.handling_rate) for r in towns[~few].itertuples()]
    assert keys == sorted(keys)
    assert [(-r.red, r.code) for r in towns[few].itertuples()] == sorted(
        (-r.red, r.code) for r in towns[few].itertuples())
    assert list(towns["rank"]) == list(range(1, len(towns) + 1))
    cards = settings.section("cards")
    for r in towns.itertuples():
        if r.few:
            assert r.card == m.card_on_red(r.red, settings)
        elif r.red > cards["red_card_overdue"] or r.on_time_rate < cards["red_below"]:
            assert r.card == "red"
        elif r.red > 0 or r.on_time_rate < cards["yellow_below"]:
            assert r.card == "yellow"
        else:
            assert r.card == "green"
    grids = wr.unit_ranking(store, settings, township, start, end, as_of)
    expected = set(c for (c,) in store.rows(
        "SELECT grid_id FROM grids WHERE township_code = ?", [township]))
    assert set(grids["code"]) == expected


def test_mediation_month_and_fallback(store, settings, township):
    month = store.scalar("SELECT max(month) FROM mediation")
    med = wr.mediation(store, settings, township, month + dt.timedelta(days=14))
    rec, mediated, ok = store.rows(
        "SELECT sum(received), sum(mediated), sum(succeeded) FROM mediation"
        " WHERE month = ? AND township_code = ?", [month, township])[0]
    assert (med["received"], med["mediated"], med["succeeded"]) == (rec, mediated, ok)
    assert med["success_rate"] == pytest.approx(ok / mediated)
    assert med["mediation_rate"] == pytest.approx(mediated / rec)
    assert int(med["by_type"]["mediated"].sum()) == mediated
    assert med["month"] == med["requested_month"] == month.isoformat()
    # 较上月: the calendar month before the one shown, counted the same way
    prior = (month.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    p_rec, p_med, p_ok = store.rows(
        "SELECT sum(received), sum(mediated), sum(succeeded) FROM mediation"
        " WHERE month = ? AND township_code = ?", [prior, township])[0]
    assert p_rec is not None, "the demo should have the month before"
    prev = med["previous"]
    assert prev["month"] == prior.isoformat()
    assert (prev["received"], prev["mediated"], prev["succeeded"]) == (p_rec, p_med, p_ok)
    assert prev["success_rate"] == pytest.approx(p_ok / p_med)
    first = store.scalar("SELECT min(month) FROM mediation")
    assert wr.mediation(store, settings, None, first)["previous"] is None   # no month before
    later = wr.mediation(store, settings, None, dt.date(2031, 3, 1))
    assert later["month"] == month.isoformat() and later["requested_month"] == "2031-03-01"
    before = wr.mediation(store, settings, None, dt.date(1999, 1, 1))
    assert before["month"] is None and before["success_rate"] is None
    assert before["by_type"].empty


def test_live_events_newest_first_without_personal_data(store, settings, view, township):
    as_of, _s, _e = view
    df = wr.live_events(store, settings, township, as_of, limit=12)
    assert len(df) == 12
    assert list(df["reported_at"]) == sorted(df["reported_at"], reverse=True)
    assert (df["reported_at"] <= as_of).all() and set(df["township_code"]) == {township}
    newest = store.scalar("SELECT max(reported_at) FROM events WHERE township_code = ?"
                          " AND status <> 'invalid' AND reported_at <= ?", [township, as_of])
    assert df["reported_at"].iloc[0] == newest
    assert not {"reporter_name", "reporter_phone", "description", "address"} & set(df.columns)


def test_grid_card(store, settings, view):
    as_of, start, end = view
    gid, name, worker, town = store.rows(
        "SELECT g.grid_id, g.grid_name, g.grid_worker, t.township_name FROM grids g"
        " JOIN townships t USING (township_code) JOIN events e ON e.grid_id = g.grid_id"
        " GROUP BY ALL ORDER BY count(*) DESC LIMIT 1")[0]
    card = wr.grid_card(store, settings, gid, start, end, as_of)
    assert card["info"]["grid_name"] == name and card["info"]["grid_worker"] == worker
    assert card["info"]["township_name"] == town
    assert card["figures"] == m.metrics(store, settings, scope=m.Scope("grid", gid),
                                        start=start, end=end, as_of=as_of)
    assert 0 < len(card["recent"]) <= 5
    assert list(card["recent"]["reported_at"]) == sorted(card["recent"]["reported_at"], reverse=True)
    assert wr.grid_card(store, settings, "no-such-grid", start, end, as_of) is None


def test_resolve_drill(store, settings, township):
    name = store.scalar("SELECT township_name FROM townships WHERE township_code = ?", [township])
    gid, gname = store.rows("SELECT grid_id, grid_name FROM grids WHERE township_code = ?"
                            " ORDER BY 1 LIMIT 1", [township])[0]
    assert wr.resolve_drill(store, settings, township, None) == {
        "township": township, "grid": None, "township_name": name, "grid_name": None}
    # by name, as the README's /?township=<code or name> and every other scope take it
    assert wr.resolve_drill(store, settings, name, None) == {
        "township": township, "grid": None, "township_name": name, "grid_name": None}
    # a grid alone fills in its township; a wrong township is corrected by the grid
    for t in (None, "000000000"):
        d = wr.resolve_drill(store, settings, t, gid)
        assert (d["township"], d["grid"], d["grid_name"]) == (township, gid, gname)
    assert wr.resolve_drill(store, settings, "nope", "nope")["township"] is None
    assert wr.resolve_drill(store, settings, township, "nope")["grid"] is None


def test_reads_do_not_import_dash():
    assert dash_imported_by("store.wall_reads", "store.metrics") == []


def test_mediation_type_with_nothing_mediated_has_no_rate(store, settings):
    """A dispute type received but not mediated has no success rate: None, as the totals
    give it (it was NaN, which JSON and the API cannot carry)."""
    township, month = store.rows(
        "SELECT township_code, month FROM mediation GROUP BY township_code, month, dispute_type"
        " HAVING sum(mediated) = 0 ORDER BY 1, 2 LIMIT 1")[0]
    by_type = wr.mediation(store, settings, township, month)["by_type"]
    rates = dict(zip(by_type["dispute_type"], by_type["success_rate"]))
    zero = set(by_type.loc[by_type["mediated"] == 0, "dispute_type"])
    assert zero, "the demo has a type nobody mediated that month"
    assert all(rates[t] is None for t in zero), rates
    assert all(isinstance(rates[t], float) for t in set(rates) - zero)
