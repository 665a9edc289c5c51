"""The 3D density panel (三维密度): an iframe holding the deck.gl frame (/analysis/deck).

The frame is opened at once (its deck.gl bundle loads while Dash starts); a clientside
callback posts the URL's filters to it, on load and on every change (the frame fetches /api/deck and keeps its camera). The frame posts a
clicked hotspot back; assets/analysis/analysis.js turns that into the grid filter."""
from __future__ import annotations

from dash import ClientsideFunction, Input, Output, dcc, html

from dashboard.analysis.filters_bar import DECK_PICK
from dashboard.analysis.ui import URL, panel

FRAME = "an-deck-frame"


def layout(ctx):
    body = [html.Iframe(id=FRAME, className="an-deck-frame", title="三维密度",
                        src="/analysis/deck",       # loads its bundle while Dash starts
                        style={"border": "0", "width": "100%", "height": "100%"}),
            dcc.Store(id=DECK_PICK), dcc.Store(id="an-deck-sent")]
    return panel("deck", "三维事件密度（可拖动、右键旋转倾斜）", body, cls="an-deck")


def register_callbacks(app, ctx) -> None:
    app.clientside_callback(
        ClientsideFunction(namespace="gridwallAnalysis", function_name="deckQuery"),
        Output("an-deck-sent", "data"),
        Input(URL, "search"),
    )
