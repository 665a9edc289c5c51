"""A graph panel whose ``dcc.Graph`` is created by its callback once the first view is drawn
(ui.READY): a ``dcc.Graph`` in the initial layout would make the browser fetch and parse
plotly.js (4.8 MB) before the tables could show. The matrix and the trend share it."""
from __future__ import annotations

from typing import Callable

from dash import Input, Output, dcc, html
from dash.exceptions import PreventUpdate

from dashboard.analysis.ui import GRAPH_CONFIG, READY, URL, panel, view_filters


def layout(pid: str, title: str) -> html.Section:
    """The panel with a placeholder box (id ``an-{pid}-box``) and a caption
    (``an-{pid}-caption``); the graph itself is ``an-{pid}``."""
    return panel(pid, title,
                 html.Div(html.Div("加载中…", className="an-dim"), id=f"an-{pid}-box",
                          className="an-graph-box"),
                 caption_id=f"an-{pid}-caption")


def graph(pid: str, fig) -> dcc.Graph:
    return dcc.Graph(id=f"an-{pid}", figure=fig, config=GRAPH_CONFIG,
                     style={"height": "100%", "width": "100%"})


def register(app, ctx, pid: str, *, empty: Callable[[], object],
             draw: Callable[[object], tuple[object, str]]) -> None:
    """One callback fills the box after READY: ``draw(filters)`` gives (figure, caption);
    on filters that do not parse, ``empty()`` is drawn with the error as the caption."""
    @app.callback(Output(f"an-{pid}-box", "children"), Output(f"an-{pid}-caption", "children"),
                  Input(URL, "search"), Input(READY, "data"))
    def _fill(search, ready):
        if not ready:
            raise PreventUpdate
        f, err = view_filters(ctx, search)
        if f is None:
            return graph(pid, empty()), err
        fig, caption = draw(f)
        return graph(pid, fig), caption
