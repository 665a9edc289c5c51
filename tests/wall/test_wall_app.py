"""The wall room inside a real app (create_app on the demo county): layout ids, URL → drill."""
from __future__ import annotations

import pytest

from dashboard.app import create_app
from dashboard.wall import drill

pytestmark = pytest.mark.slow


def _ids(component, out=None) -> set:
    out = set() if out is None else out
    if isinstance(component, (list, tuple)):
        for c in component:
            _ids(c, out)
    elif hasattr(component, "to_plotly_json"):
        cid = getattr(component, "id", None)
        if isinstance(cid, str):
            out.add(cid)
        _ids(getattr(component, "children", None), out)
    return out


def test_layout_has_the_shared_ids_and_settings(app, ctx):
    root = app.layout() if callable(app.layout) else app.layout
    ids = _ids(root)
    for needed in ("url", "drill-store", "refresh-interval", "tour-store", "tour-interval",
                   "map-graph", "bc-county", "bc-township", "drill-esc", "grid-card-close",
                   "kpi-store", "ranking-body", "live-body", "warn-body"):
        assert needed in ids, needed
    assert root.className == "gw-canvas"
    assert root.to_plotly_json()["props"]["data-cw"] == "1920"
    assert root.to_plotly_json()["props"]["data-fit"] == "contain"
    tour = next(c for c in root.children if getattr(c, "id", None) == "tour-store")
    assert tour.data["codes"] == sorted(tour.data["codes"]) and len(tour.data["codes"]) == 15


def test_the_app_can_be_built_twice(wall_demo_db):
    """No module shadows the room's layout function (a second app in one process works)."""
    second = create_app(wall_demo_db)
    assert callable(second.layout)


def test_drill_from_search(ctx):
    store = ctx.store
    town, grid = store.rows("SELECT township_code, grid_id FROM grids ORDER BY 2 LIMIT 1")[0]
    win = {"window": None, "start": None, "end": None}
    assert drill.drill_from_search(ctx, "") == {"township": None, "grid": None, **win}
    assert drill.drill_from_search(ctx, f"?township={town}&tour=1") == {
        "township": town, "grid": None, **win}
    # a grid link alone opens its township too; bad codes fall back up a level
    assert drill.drill_from_search(ctx, f"?grid={grid}") == {"township": town, "grid": grid, **win}
    assert drill.drill_from_search(ctx, f"?township={town}&grid=nope") == {
        "township": town, "grid": None, **win}
    assert drill.drill_from_search(ctx, "?township=nope") == {"township": None, "grid": None, **win}
    # the window rides along, checked
    assert drill.drill_from_search(ctx, f"?township={town}&window=week")["window"] == "week"
    assert drill.drill_from_search(ctx, "?start=2025-10-01&end=2025-10-08") == {
        "township": None, "grid": None, "window": "custom", "start": "2025-10-01",
        "end": "2025-10-08"}
    assert drill.drill_from_search(ctx, "?window=fortnight")["window"] is None


def test_grid_ranking_inside_a_township_puts_the_worst_first_and_few_events_last(ctx):
    from dashboard.wall.view import current_view
    from store import wall_reads as wr

    town = ctx.store.scalar("SELECT township_code FROM grids GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
    v = current_view(ctx, {"township": town})
    df = wr.unit_ranking(ctx.store, ctx.settings, town, v.start, v.end, v.as_of, 5, True)
    assert list(df["pos"]) == list(range(1, len(df) + 1))
    few = df["few"].tolist()
    assert few == sorted(few) and any(few) and not all(few)      # enough first, then 样本少
    assert (df.loc[df["few"], "reported"] < 5).all() and (df.loc[~df["few"], "reported"] >= 5).all()
    enough = df[~df["few"]]
    order = {"red": 0, "yellow": 1, "green": 2}
    cards = [order[c] for c in enough["card"]]
    assert cards == sorted(cards)                                 # red cards on top
    first_green = enough[enough["card"] == "green"]["on_time_rate"].tolist()
    assert first_green == sorted(first_green)                     # lower rate first
    # the county keeps its league table: best first
    towns = wr.unit_ranking(ctx.store, ctx.settings, None, v.start, v.end, v.as_of, 5, True)
    assert list(towns["rank"]) == list(range(1, len(towns) + 1)) and not towns["few"].any()
    # the league order of grids stays available, best first
    league = wr.unit_ranking(ctx.store, ctx.settings, town, v.start, v.end, v.as_of, 5, False)
    assert list(league["rank"]) == list(range(1, len(league) + 1))
