"""The wall 大屏 (``/``): a fixed logical canvas of panels around the map.

``layout(ctx)`` returns a function, so every page load reads the county name, the demo
flag and the tour's townships afresh; ``register_callbacks(app, ctx)`` wires the wall's one view callback
(:mod:`dashboard.wall.reply`, every panel's outputs in one request) and the few callbacks of
their own (navigation, KPI count-up, event card). Panels are rooms (one module each) that
share only the stores of :mod:`dashboard.wall.drill`.
"""
from __future__ import annotations


def layout(ctx):
    from dashboard.wall.canvas import build

    return lambda: build(ctx)


def register_callbacks(app, ctx) -> None:
    from dashboard.wall import drill, event_card, kpis, reply

    # one server callback answers every panel of a view (dashboard.wall.reply); the rest
    # are the clientside navigation, the KPI count-up and the event card
    for room in (drill, reply, kpis, event_card):
        room.register_callbacks(app, ctx)
