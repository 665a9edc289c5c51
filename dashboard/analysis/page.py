"""The page skeleton: header, filter bar, and the panels in reading order."""
from __future__ import annotations

from dash import html


def layout(ctx):
    return html.Div("研判分析", id="an-root")


def register_callbacks(app, ctx) -> None:
    pass
