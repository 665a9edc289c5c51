"""The panel frame every wall panel uses: a title, a caption (window and as_of) and a body."""
from __future__ import annotations

import plotly.graph_objects as go
from dash import dcc, html

from dashboard.figures import theme


def panel(area: str, title, body, *, caption_id: str | None = None, extra=None,
          body_class: str = "") -> html.Section:
    """A framed panel placed in the canvas grid area ``area``."""
    head = [html.Div(title, className="gw-panel-title", id=f"{area}-title")]
    if extra is not None:
        head.append(extra)
    if caption_id:
        head.append(html.Div("", className="gw-panel-caption", id=caption_id))
    return html.Section(
        className=f"gw-panel gw-area-{area}", id=f"panel-{area}",
        children=[html.Div(head, className="gw-panel-head"),
                  html.Div(body, className=f"gw-panel-body {body_class}".strip())])


def graph(gid: str, figure: go.Figure | None = None, *, fill: bool = True) -> dcc.Graph:
    """A wall graph: fills its box (or, ``fill=False``, sizes by CSS), no mode bar."""
    return dcc.Graph(id=gid, className="gw-fill", config=theme.GRAPH_CONFIG,
                     figure=figure if figure is not None else empty_figure(""),
                     style={"width": "100%", "height": "100%"} if fill else {"width": "100%"})


def empty_spec(text: str = theme.NO_DATA) -> dict:
    """A blank figure with one centred message ('暂无数据' when a scope has nothing), as a
    plain figure dict (dashboard.wall.figure_json.plain_dict)."""
    layout = theme.base_layout(
        xaxis={"visible": False}, yaxis={"visible": False},
        annotations=[{"text": text, "showarrow": False, "x": 0.5, "y": 0.5, "xref": "paper",
                      "yref": "paper", "font": {"size": 20, "color": theme.TEXT_DIM}}]
        if text else [])
    return {"data": [], "layout": layout}


def empty_figure(text: str = theme.NO_DATA) -> go.Figure:
    """:func:`empty_spec` as a plotly Figure."""
    return go.Figure(empty_spec(text))


def empty(text: str = theme.NO_DATA) -> html.Div:
    return html.Div(text, className="gw-empty")
