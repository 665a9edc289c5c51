"""The analysis filters: presets relative to as_of, dates, validation, one parser for every
panel and export."""
from __future__ import annotations

import datetime as dt

import pytest

from store.analysis_filters import parse_filters, preset_window
from store.db import ReadStore
from store.metrics import MetricsError
from store.settings import Settings

D = dt.date
AS_OF = dt.datetime(2025, 6, 12, 15, 30)      # a Thursday


@pytest.mark.parametrize("preset,start,end", [
    ("today", D(2025, 6, 12), D(2025, 6, 13)),
    ("7d", D(2025, 6, 6), D(2025, 6, 13)),
    ("week", D(2025, 6, 9), D(2025, 6, 16)),
    ("30d", D(2025, 5, 14), D(2025, 6, 13)),
    ("month", D(2025, 6, 1), D(2025, 7, 1)),
])
def test_presets_are_half_open_windows_around_as_of(preset, start, end):
    assert preset_window(preset, AS_OF) == (start, end)


def test_december_month_ends_in_january():
    assert preset_window("month", dt.datetime(2025, 12, 31, 23)) == (D(2025, 12, 1), D(2026, 1, 1))


@pytest.fixture(scope="module")
def store(planted_db):
    s = ReadStore(planted_db)
    yield s
    s.close()


def test_dates_names_and_defaults(store):
    s = Settings()
    f = parse_filters(store, s, {"start": "2025-06-09", "end": "2025-06-16",
                                 "as_of": "2025-06-15T23:00", "township": "乙镇",
                                 "warning": "red", "status": "open"})
    assert (f.start, f.end, f.township, f.warning, f.status) == (
        D(2025, 6, 9), D(2025, 6, 16), "T2", "red", "open")
    f = parse_filters(store, s, {"as_of": "2025-06-15T23:00"})          # like /api/metrics
    assert (f.start, f.end) == (D(2025, 5, 17), D(2025, 6, 16))
    f = parse_filters(store, s, {"as_of": "2025-06-15T23:00", "window": "week"})
    assert (f.start, f.end, f.window) == (D(2025, 6, 9), D(2025, 6, 16), "week")
    assert f.query()["start"] == "2025-06-09" and "window" not in f.query()


@pytest.mark.parametrize("args,msg", [
    ({"window": "year"}, "bad window"),
    ({"window": "7d", "start": "2025-06-01"}, "either window"),
    ({"start": "2025-06-10", "end": "2025-06-10"}, "after start"),
    ({"start": "10/06/2025"}, "YYYY-MM-DD"),
    ({"status": "done"}, "bad status"),
    ({"warning": "orange"}, "bad warning"),
    ({"township": "火星镇"}, "unknown township"),
    ({"grid": "G404"}, "unknown grid"),     # a link to a removed grid: /analysis/?grid= crashed
    ({"township": "乙镇", "grid": "G1"}, "not in township"),   # every figure read 0
    ({"colour": "red"}, "unknown parameter"),
])
def test_bad_filters_are_errors_not_wider_lists(store, args, msg):
    with pytest.raises(MetricsError, match=msg):     # FilterError is one; the API answers 400
        parse_filters(store, Settings(), {"as_of": "2025-06-15T23:00", **args})


@pytest.mark.parametrize("query", ["category=治安问题&category=矛盾纠纷",
                                   "township=T1&township=T2", "start=2025-06-01&start=2025-06-09"])
def test_a_filter_named_twice_is_an_error_on_the_api_and_on_the_page(client, planted_app, query):
    """Before, the API used the first value and the page the last, each without a word: a
    CSV asked for two categories held one, and the page and its API disagreed."""
    from dashboard.analysis.ui import view_filters

    for path in ("/api/events", "/api/events.csv", "/api/hotspots", "/api/deck"):
        r = client.get(f"{path}?as_of=2025-06-15T23:00&{query}")
        assert r.status_code == 400 and "more than once" in r.get_json()["error"], path
    ctx = planted_app.server.config["GRIDWALL_CTX"]
    f, err = view_filters(ctx, "?as_of=2025-06-15T23:00&" + query)
    assert f is None and "重复" in err
    f, err = view_filters(ctx, "?as_of=2025-06-15T23:00&category=治安问题")
    assert err is None and f.category == "治安问题"
