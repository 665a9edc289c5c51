"""HTML elements built directly as the JSON Dash sends for them: ``{type, namespace, props}``.

The wall renders every list row of every view each minute (17 views × ~230 rows × 9 elements
on a county; a city's 100 streets, six times that). Dash's component classes check each
keyword when built, ~25 ms per 200 rows, and :func:`dashboard.wall.reply.plain` then turns
them into exactly these dicts; built as dicts, a row costs a tenth. Use for rows in bulk;
panels and layouts stay Dash components. A test holds the output equal to Dash's own JSON.
"""
from __future__ import annotations

from typing import Any

NAMESPACE = "dash_html_components"


def el(tag: str, children: Any = None, **props: Any) -> dict:
    """``html.<tag>(children, **props)`` as Dash serialises it: the props given, and
    ``children`` always (None when there are none, as Dash sends it); pass ``data-*``
    attributes as ``**{"data-id": ...}``."""
    return {"type": tag, "namespace": NAMESPACE, "props": {"children": children, **props}}


def span(children: Any, class_name: str) -> dict:
    return {"type": "Span", "namespace": NAMESPACE,
            "props": {"children": children, "className": class_name}}
