"""Small shared pieces of the analysis page: the panel frame, table styles, the URL → filters
step every panel starts with, and number formats."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from dash import html

from dashboard.figures import theme
from store.analysis_filters import FILTER_KEYS, Filters, parse_filters
from store.metrics import MetricsError

URL = "an-url"
# set once the first view (event table and hotspot table) is drawn: figures, the late list
# and the 3D frame wait for it, so plotly.js and deck.gl never compete with the first view
READY = "an-ready"
GRAPH_CONFIG = {**theme.GRAPH_CONFIG, "scrollZoom": False}


def panel(pid: str, title: str, body, *, caption_id: str | None = None, extra=None,
          cls: str = "") -> html.Section:
    head = [html.H2(title, className="an-panel-title")]
    if caption_id:
        head.append(html.Span("", id=caption_id, className="an-panel-caption"))
    if extra is not None:
        head.append(extra)
    return html.Section([html.Div(head, className="an-panel-head"),
                         html.Div(body, className="an-panel-body")],
                        id=f"an-panel-{pid}", className=f"an-panel {cls}".strip())


def search_args(search: str | None) -> dict[str, str]:
    """The filter parameters of a URL query string (other keys dropped)."""
    args = dict(parse_qsl((search or "").lstrip("?"), keep_blank_values=False))
    return {k: v for k, v in args.items() if k in FILTER_KEYS}


def view_filters(ctx, search: str | None) -> tuple[Filters | None, str | None]:
    """(filters, None) for a valid query; (None, the error in Chinese) otherwise."""
    args = search_args(search)
    pairs = [k for k, _ in parse_qsl((search or "").lstrip("?")) if k in FILTER_KEYS]
    if len(pairs) != len(set(pairs)):     # as the API says (parse_filters): never one dropped
        twice = sorted({k for k in pairs if pairs.count(k) > 1})
        return None, f"筛选条件有误：{'、'.join(twice)} 重复出现，每项只能有一个值"
    try:
        return parse_filters(ctx.store, ctx.settings, args,
                             as_of_default=None if args.get("as_of") else ctx.as_of()), None
    except MetricsError as exc:
        return None, f"筛选条件有误：{exc}"


def query_string(args: dict[str, str]) -> str:
    return urlencode({k: v for k, v in args.items() if v not in (None, "")})


def fmt_num(v, decimals: int = 1) -> str:
    if v is None or v != v:
        return "—"
    return f"{v:,.{decimals}f}"


TABLE_STYLE = {
    "style_table": {"overflowY": "auto"},
    "style_header": {"backgroundColor": "#0d2447", "color": theme.ACCENT, "fontWeight": "bold",
                     "border": "1px solid #17305a", "whiteSpace": "nowrap"},
    "style_cell": {"backgroundColor": theme.PANEL, "color": theme.TEXT,
                   "border": "1px solid #17305a", "fontFamily": theme.FONT_FAMILY,
                   "fontSize": "14px", "padding": "4px 8px", "textAlign": "left",
                   "whiteSpace": "nowrap", "overflow": "hidden", "textOverflow": "ellipsis",
                   "maxWidth": "240px"},
    "css": [{"selector": ".dash-spreadsheet-menu", "rule": "display:none"},
            {"selector": "tr:hover td", "rule": "background-color:#12305c !important"}],
}
