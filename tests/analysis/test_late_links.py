"""The late list by department acts: each red and yellow count links to exactly those cases
in the event table, even those reported before the page's window (the list is a backlog)."""
from __future__ import annotations

from urllib.parse import parse_qsl

from dashboard.analysis.late_panel import late_href, table
from store import analysis_reads as ar
from store.analysis_filters import parse_filters

Q = {"start": "2025-06-09", "end": "2025-06-16", "as_of": "2025-06-15T23:00"}


def test_every_count_links_to_its_own_cases_in_the_event_table(planted_app, client):
    ctx = planted_app.server.config["GRIDWALL_CTX"]
    search = "?" + "&".join(f"{k}={v}" for k, v in Q.items())
    f = parse_filters(ctx.store, ctx.settings, Q)
    late = ar.late_by_department(ctx.store, ctx.settings, f)
    assert late["red"].sum() > 0 and late["yellow"].sum() > 0
    # the red case OLD was reported ten days before as_of, before the page's window
    assert late["oldest"].min().date() < f.start
    checked = 0
    for r in late.itertuples(index=False):
        for warning, n in (("red", r.red), ("yellow", r.yellow)):
            if not n:
                continue
            args = dict(parse_qsl(late_href(search, f, r.department, warning, r.oldest)[1:]))
            assert args["department"] == r.department and args["warning"] == warning
            assert args["as_of"] == Q["as_of"]             # a pinned as_of stays pinned
            got = client.get("/api/events", query_string={**args, "page_size": 1}).get_json()
            assert got["total"] == n, (r.department, warning, args)
            checked += 1
    assert checked >= 2
    # in the page the counts are links (dcc.Link), a zero is plain text
    html = str(table(late, f.as_of, search, f).to_plotly_json())
    assert html.count("an-late-link") >= checked


def test_late_or_open_cases_are_listed_most_overdue_first_and_other_orders_stay():
    import dataclasses
    import datetime as dt

    import dash

    from dashboard.analysis.events_panel import (
        DEFAULT_SORT_BY,
        LATE_SORT_BY,
        late_first,
    )
    from store.analysis_filters import Filters

    f = Filters(start=dt.date(2025, 6, 9), end=dt.date(2025, 6, 16),
                as_of=dt.datetime(2025, 6, 15, 23))
    red = dataclasses.replace(f, warning="red")
    open_ = dataclasses.replace(f, status="open")
    by_cat = [{"column_id": "category", "direction": "asc"}]
    assert late_first(red, DEFAULT_SORT_BY) == (LATE_SORT_BY, LATE_SORT_BY)
    assert late_first(open_, by_cat) == (LATE_SORT_BY, LATE_SORT_BY)
    assert late_first(red, LATE_SORT_BY) == (LATE_SORT_BY, dash.no_update)
    assert late_first(f, LATE_SORT_BY) == (DEFAULT_SORT_BY, DEFAULT_SORT_BY)   # left them
    assert late_first(f, by_cat) == (by_cat, dash.no_update)                  # the user's
