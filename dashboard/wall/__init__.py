"""The wall 大屏 (``/``): a fixed logical canvas of panels around the map.

``layout(ctx)`` returns a function, so every page load reads the county name, the demo
flag and the tour's townships afresh; ``register_callbacks(app, ctx)`` wires every panel.
Panels are rooms (one module each) that share only the stores of :mod:`dashboard.wall.drill`.
"""
from __future__ import annotations


def layout(ctx):
    from dashboard.wall.canvas import build

    return lambda: build(ctx)


def register_callbacks(app, ctx) -> None:
    from dashboard.wall import (drill, event_card, gauges, grid_card, hotspot_board, kpis,
                                live_list, map_panel, mediation, mix, ranking, titlebar, trend,
                                warnings, window_bar)

    for room in (drill, titlebar, window_bar, kpis, gauges, trend, mix, ranking, mediation,
                 live_list, warnings, event_card, grid_card, hotspot_board, map_panel):
        room.register_callbacks(app, ctx)
