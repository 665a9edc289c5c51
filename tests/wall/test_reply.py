"""The wall's one view callback and its pre-rendered replies, in a real app on the demo county."""
from __future__ import annotations

import datetime as dt
import json
import threading
import time

import dash
import orjson
import pytest
from plotly.io.json import to_json_plotly

from dashboard.app import create_app
from dashboard.wall import gauges, kpis, live_list, map_panel, reply, warnings, window_bar
from dashboard.wall.view import current_view

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def replies(app):
    return app.server.config["GRIDWALL_REPLIES"]


def town(ctx) -> str:
    return ctx.store.scalar("SELECT township_code FROM townships ORDER BY 1 DESC LIMIT 1")


def values_of(out: list, panel) -> list:
    """The panel's outputs in an answer, its kept JSON as plain values again."""
    i = 0
    for p in reply.PANELS:
        if p is panel:
            return reply.thaw(out[i:i + len(panel.OUTPUTS)])
        i += len(p.OUTPUTS)
    raise KeyError(panel)


def test_one_server_callback_answers_every_panel_of_a_view(app):
    from dash._utils import stringify_id

    server = [k for k in app.callback_map if "map-graph.figure" in k]
    assert len(server) == 1
    for panel in reply.PANELS:
        for cid, prop in panel.OUTPUTS:
            assert f"{stringify_id(cid)}.{prop}" in server[0], (panel.__name__, cid, prop)
    # beside it only the URL → drill-store step listens to the URL (a drill-down is two
    # requests side by side), and nothing to drill-store
    listening = {k for k, cb in app.callback_map.items()
                 if any(i["id"] in ("url", "drill-store") for i in cb["inputs"])}
    assert listening == {server[0], "..drill-store.data...tour-interval.disabled.."}


def test_the_background_thread_renders_every_township_view_so_a_drill_down_reads_nothing(
        ctx, replies, monkeypatch):
    v = current_view(ctx, {"township": town(ctx)})
    reply.start_warming(ctx, replies)              # what the first wall to ask starts
    reply.start_warming(ctx, replies)              # once
    assert sum(t.name == f"wall-pre-render-{id(replies)}" for t in threading.enumerate()) == 1
    deadline = time.monotonic() + 120
    while reply.panel_key(map_panel, v) not in replies._items:
        assert time.monotonic() < deadline, "the township view was never pre-rendered"
        time.sleep(0.2)
    fresh = [reply.render(ctx, p, v)[1] for p in reply.PANELS]

    def no_reads(*_a, **_k):
        raise AssertionError("a pre-rendered view read the store")

    for panel in reply.PANELS:
        if getattr(panel, "CACHE", True):
            monkeypatch.setattr(panel, "read", no_reads)
    out = reply.answer(ctx, replies, v)
    assert reply.thaw(out) == [x for values in fresh for x in values]
    # kept as JSON bytes (nothing for the garbage collector to walk), not as dicts and lists
    assert all(not isinstance(x, (dict, list)) for x in out)
    assert sum(isinstance(x, bytes) for x in out) >= len(reply.PANELS)
    # and the data behind a reply only where with_state reads it (the warnings' rows)
    assert replies._items[reply.panel_key(map_panel, v)][0] is None
    assert replies._items[reply.panel_key(warnings, v)][0] is not None
    # one JSON answer, as Dash sends it: the kept JSON embedded as it is
    sent = orjson.loads(to_json_plotly({"response": reply.for_dash(out)}))["response"]
    assert sent == reply.thaw(out)


def test_plain_values_are_what_dash_itself_would_send(ctx):
    """reply.plain gives what Dash's encoder gives, for every output of every panel of the
    county and a township, components with data-* props and numpy scalars among them."""
    import numpy as np
    from dash import dcc, html

    views = [current_view(ctx, {}), current_view(ctx, {"township": town(ctx)})]
    values = [gauges.gauge_figure(0.9459, 0.98),
              html.Div([html.Span("甲", className="a", **{"data-k": np.int64(3)}), 1.5, None],
                       id={"type": "t", "i": 1}, n_clicks=0, **{"aria-label": "乙"}),
              dcc.Graph(figure={"data": []}, config={"displayModeBar": False}),
              (np.float64(0.25), np.str_("丙"), [True, ("x",)])]
    values += [list(p.outputs(p.read(ctx, v), v)) for v in views for p in reply.PANELS]
    for value in values:
        assert orjson.loads(to_json_plotly({"x": value}))["x"] == reply.plain(value)
    assert reply.plain(dash.no_update) is dash.no_update



def test_gauges_are_kept_as_the_json_of_their_figure(ctx):
    """The gauge panel sends gauge_json: the plain JSON of gauge_figure for the same value
    and target, built once per value (a second minute at the same rates builds nothing)."""
    v = current_view(ctx, {})
    data = gauges.read(ctx, v)
    out = gauges.outputs(data, v)
    for key, fig in zip(gauges.GAUGES, out):
        value = data["window"][key]
        assert fig == reply.plain(gauges.gauge_figure(value, float(data["targets"][key]),
                                                      gauges._best(data["window"], key)))
    hits = gauges.gauge_json.cache_info().hits
    assert gauges.outputs(data, v)[:4] == out[:4]
    assert gauges.gauge_json.cache_info().hits == hits + 4
    assert gauges._key(float("nan")) is None       # no rate: the grey gauge with a dash
    assert gauges.gauge_json(None, 0.95) == reply.plain(gauges.gauge_figure(None, 0.95))

def test_replies_are_kept_per_store_version_and_rendered_once():
    r = reply.Replies(keep=2)
    calls = []
    make = lambda: calls.append(1) or len(calls)  # noqa: E731
    assert r.get("v1", ("a",), make) == 1 and r.get("v1", ("a",), make) == 1
    assert r.get("v2", ("a",), make) == 2                  # a new load: rendered again
    r.get("v2", ("b",), make), r.get("v2", ("c",), make)
    assert len(r) == 2 and r.get("v2", ("a",), make) == 5  # the oldest went first


def test_a_refresh_keeps_the_window_being_picked_and_an_unchanged_map(ctx, replies):
    v = current_view(ctx, {"township": town(ctx)})
    first = reply.answer(ctx, replies, v)
    sig = values_of(first, map_panel)[1]
    again = reply.answer(ctx, replies, v, "refresh", {map_panel.__name__: sig})
    chips = values_of(again, window_bar)        # the chips answer, the date picker keeps its dates
    assert chips[:-2] == values_of(first, window_bar)[:-2] and chips[-2:] == [dash.no_update] * 2
    assert values_of(again, map_panel) == [dash.no_update, dash.no_update]
    assert values_of(again, kpis) == values_of(first, kpis)
    toggled = reply.answer(ctx, replies, current_view(ctx, {"township": town(ctx)}, ["townships"]),
                           "map", {map_panel.__name__: sig})
    assert values_of(toggled, kpis) == [dash.no_update] * len(kpis.OUTPUTS)
    assert values_of(toggled, map_panel)[1] not in (sig, dash.no_update)


def test_a_red_new_since_the_last_answer_flashes_on_the_refresh(ctx, replies):
    v = current_view(ctx, {})
    body, _counts, _cap, seen = values_of(reply.answer(ctx, replies, v), warnings)
    assert seen["ids"] and "gw-flash" not in json.dumps(body)
    older = {"scope": seen["scope"], "ids": seen["ids"][1:]}
    body2 = values_of(reply.answer(ctx, replies, v, "refresh", {warnings.__name__: older}),
                      warnings)[0]
    assert json.dumps(body2).count("gw-flash") == 1


def test_closing_the_app_stops_the_background_renderer_before_its_store_closes(wall_demo_db):
    """The briefing serves a wall for seconds and then closes its store: the renderer the
    wall started must end first, or the process may abort mid-query at exit (exit -6)."""
    app = create_app(wall_demo_db)
    ctx, replies = app.server.config["GRIDWALL_CTX"], app.server.config["GRIDWALL_REPLIES"]
    reply.start_warming(ctx, replies)
    thread = replies._warmer
    assert thread is not None and thread.is_alive()
    hooks = app.server.config["GRIDWALL_ON_CLOSE"]
    assert hooks
    for before_close in hooks:
        before_close()
    assert not thread.is_alive()
    ctx.store.close()
    reply.start_warming(ctx, replies)          # once per app: a stopped renderer stays stopped
    assert replies._warmer is thread


def _clock_app(db):
    """An app on the demo county whose as_of follows the clock (the demo's is pinned to its
    newest report), as a county's live wall has it."""
    from store.settings import Settings

    settings = Settings.load(None)
    settings.raw["as_of"] = "now"
    app = create_app(db, settings)
    return app.server.config["GRIDWALL_CTX"], app.server.config["GRIDWALL_REPLIES"]


def test_the_next_minutes_views_are_ready_before_the_minute_turns(wall_demo_db, monkeypatch):
    import datetime as dt

    ctx, replies = _clock_app(wall_demo_db)
    replies.keep = 10                                    # less than one minute of views
    minute = (time.time() // 60) * 60
    clock = [minute + 40]                                # 20 s before the minute turns
    warmer = reply.Warmer(ctx, replies, every_s=30, clock=lambda: clock[0])
    # what requests ask for follows the same clock, cached 10 s as ctx.as_of is (the real
    # clock here made the test fail when a slow machine let it cross a minute)
    monkeypatch.setattr(ctx, "as_of", lambda: ctx.as_of_at(clock[0] - 10))
    renders = []
    real_warm = reply.warm
    monkeypatch.setattr(reply, "warm", lambda c, r, as_of=None, **kw: renders.append(as_of)
                        or real_warm(c, r, as_of, **kw))
    warmer.step()
    this, after = ctx.as_of_at(minute + 40), ctx.as_of_at(minute + 60)
    assert after - this == dt.timedelta(minutes=1)
    assert renders == [this, after]                       # the minute shown, then the next
    towns = [None, *[t["code"] for t in ctx.cached(reply.wr.township_list)]]
    cached = [p for p in reply.PANELS if getattr(p, "CACHE", True)]
    assert replies.keep >= 2 * len(towns) * len(cached)  # both minutes of every view kept
    for code in towns:
        for panel in cached:
            assert reply.panel_key(panel, current_view(ctx, {"township": code}, as_of=after)) \
                in replies._items, (code, panel.__name__)

    def no_reads(*_a, **_k):
        raise AssertionError("a view of the next minute read the store")

    for panel in cached:
        monkeypatch.setattr(panel, "read", no_reads)
    clock[0] = minute + 63                               # the minute has turned
    warmer.step()                                        # lead ≤ 50 s: nothing more yet
    assert renders == [this, after]
    assert {k[4] for k in replies._items} == {this, after}   # kept while requests ask for it
    replies.forget_before(after)                          # once they ask for the next minute
    assert {k[4] for k in replies._items} == {after}
    v = current_view(ctx, {"township": towns[-1]}, as_of=after)
    reply.answer(ctx, replies, v)                        # answered without a read


def test_a_pinned_as_of_is_rendered_once(ctx, replies, monkeypatch):
    """The demo's as_of is its newest report: it does not move, so nothing is rendered ahead."""
    warmer = reply.Warmer(ctx, replies, every_s=30, clock=lambda: time.time() + 3600)
    renders = []
    monkeypatch.setattr(reply, "warm", lambda c, r, as_of=None, **kw: renders.append(as_of) or 1)
    warmer.step()
    warmer.step()
    assert renders == [ctx.as_of()]


def test_shared_reads_are_not_changed_by_the_panels_that_cut_them(ctx):
    """Every township's grid ranking and every scope's warnings are handed to the panels as
    one object (store.memo.shared_read), not a copy each: after the wall has rendered the
    county and a township from them, they still equal a fresh read."""
    import pandas as pd

    from dashboard.wall.view import min_events
    from store import wall_reads as wr

    replies = reply.Replies()
    for query in ({}, {"township": town(ctx)}):
        reply.answer(ctx, replies, current_view(ctx, query))
    v = current_view(ctx, {})
    args = (v.start, v.end, v.as_of, min_events(ctx), True)     # as unit_ranking_via asks
    shared = ctx.cached(wr.township_rankings, *args)
    assert shared is ctx.cached(wr.township_rankings, *args)     # one object, not a copy
    fresh = wr.township_rankings(ctx.store, ctx.settings, *args)
    assert shared.keys() == fresh.keys() and town(ctx) in fresh
    for code, df in fresh.items():
        pd.testing.assert_frame_equal(shared[code], df)
    lists = ctx.cached(wr.warning_lists, v.as_of, warnings.LIMIT)
    assert len(lists) > 0
    pd.testing.assert_frame_equal(
        lists, wr.warning_lists(ctx.store, ctx.settings, v.as_of, warnings.LIMIT))
    # every township's live list, figures (now and a period before) and today's reports
    live = ctx.cached(wr.township_live_lists, v.as_of, live_list.LIVE_LIMIT)
    fresh = wr.township_live_lists(ctx.store, ctx.settings, v.as_of, live_list.LIVE_LIMIT)
    assert live.keys() == fresh.keys() and town(ctx) in fresh
    for code, df in fresh.items():
        pd.testing.assert_frame_equal(live[code], df)
    p_start, p_end, p_as_of = wr.m.shift_period(v.start, v.end, v.as_of, "previous")
    for args in ((v.start, v.end, v.as_of), (p_start, p_end, p_as_of)):
        figures = ctx.cached(wr.township_metrics, *args)
        assert town(ctx) in figures
        assert figures == wr.township_metrics(ctx.store, ctx.settings, *args)
    day = v.as_of.date()
    for d, until in ((day, v.as_of), (day - dt.timedelta(days=1),
                                      v.as_of - dt.timedelta(days=1))):
        assert ctx.cached(wr.township_reported_so_far, d, until) == \
            wr.township_reported_so_far(ctx.store, ctx.settings, d, until)


def test_a_round_stops_when_its_minute_has_passed(wall_demo_db, monkeypatch):
    """On a busy machine a city's round outlasted its minute: the views left of a minute that
    has passed are not rendered (their replies would be dropped at the next step), and the
    renderer goes on with the minute requests now ask for."""
    ctx, replies = _clock_app(wall_demo_db)
    minute = (time.time() // 60) * 60
    clock = [minute + 5]
    warmer = reply.Warmer(ctx, replies, every_s=30, clock=lambda: clock[0])
    views: list = []
    real_view = reply.current_view

    def counted(c, params, as_of=None):
        views.append(as_of)
        if len(views) == 2:
            clock[0] += 60                                # the minute turns during the round
        return real_view(c, params, as_of=as_of)

    monkeypatch.setattr(reply, "current_view", counted)
    warmer.step()
    warmer.step()                                         # the loop's next step
    first, second = ctx.as_of_at(minute + 5), ctx.as_of_at(minute + 65)
    towns = 1 + len(ctx.cached(reply.wr.township_list))
    assert views.count(first) == 2                        # stopped at the turn
    assert views.count(second) == towns                   # then every view of the new minute
