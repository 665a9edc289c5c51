"""The 3D density panel (三维密度): an iframe holding the deck.gl frame (/analysis/deck).

The frame opens once the first view (the two tables) is drawn (ui.READY): a same-origin
frame shares the page's main thread, and parsing the deck.gl bundle there used to hold the
tables back by seconds. A clientside callback then posts the URL's filters to it on every
change (the frame fetches /api/deck and keeps its camera). The frame posts a clicked
hotspot back; assets/analysis.js turns that into the grid filter."""
from __future__ import annotations

from dash import ClientsideFunction, Input, Output, dcc, html

from dashboard.analysis.filters_bar import DECK_PICK
from dashboard.analysis.ui import READY, URL, panel

FRAME = "an-deck-frame"


def layout(ctx):
    body = [html.Iframe(id=FRAME, className="an-deck-frame", title="三维密度",
                        style={"border": "0", "width": "100%", "height": "100%"}),
            dcc.Store(id=DECK_PICK), dcc.Store(id="an-deck-sent")]
    return panel("deck", "三维事件密度（可拖动、右键旋转倾斜）", body, cls="an-deck")


def register_callbacks(app, ctx) -> None:
    app.clientside_callback(
        ClientsideFunction(namespace="gridwallAnalysis", function_name="deckQuery"),
        Output("an-deck-sent", "data"), Output(FRAME, "src"),
        Input(URL, "search"), Input(READY, "data"),
    )
