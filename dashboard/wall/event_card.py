"""Event card (事件详情): a modal on the wall canvas, opened by a click on a live or red/yellow
row, closed by × or Esc (assets/gridwall.js closes the card before Esc leaves a drill level).

Timeline 上报 → 受理 → 流转 → 办结, due time and how long overdue, category, department and
level, address, description, the cameras within the coverage radius of its point (周边视频:
which to pull up), and the reporter masked (张*, 138****5678) by store.event_rows:
the wall never shows a full name or phone number. The same detail as GET /api/events/<id>.
The reporter line is for officers and admins only: a ``wall`` session (a kiosk token, the
briefing's own screenshot server) gets the card without it, masked or not
(docs/security.md: the wall role reads no personal data).
"""
from __future__ import annotations

import datetime as dt

from dash import ALL, ClientsideFunction, Input, Output, dcc, html

from dashboard.figures.numbers import cameras_line
from dashboard.wall import fmt
from dashboard.wall.drill import REFRESH
from dashboard.wall.event_rows import EV_ROW, LIVE_LIMIT, WARN_LIMIT, due_text
from store import wall_reads as wr
from store.vocab import LEVEL_ZH, STATUS_ZH, WARNING_ZH

OPEN = "event-open"
HIDDEN = "gw-modal gw-hidden"
CLAMP = "gw-ec-clamp"       # two lines, then … (gw-ec-desc: four)


def _when(iso: str | None) -> str:
    return dt.datetime.fromisoformat(iso).strftime("%m-%d %H:%M") if iso else "—"


def _field(label: str, value, wide: bool = False, clamp: str = "") -> html.Div:
    """A label and its value; ``clamp``: prose (a description, an address, the cameras) cut
    to a few lines with … by that css class (assets/gridwall.css), whole in the title."""
    if value in (None, "", []):
        value = "—"
    extra = {"title": value} if clamp and isinstance(value, str) else {}
    return html.Div([html.Span(label, className="gw-ec-k"),
                     html.Span(value, className=f"gw-ec-v {clamp}".strip(), **extra)],
                    className="gw-ec-field" + (" gw-ec-wide" if wide else ""))


def _names(sep: str, *names) -> list:
    """Names that wrap between each other, never inside one: each on its line whole, or cut
    with … (whole in its title) when the line is too short for it (a city's 24-character
    department broke in mid-word)."""
    out: list = []
    for name in (n for n in names if n):
        if out:
            out.append(sep)
        out.append(html.Span(name, className="gw-ec-name", title=name))
    return out


def timeline(steps: list[dict]) -> html.Div:
    """上报 → 受理 → 流转 → 办结 with their times; steps not reached yet are grey."""
    items = []
    for i, s in enumerate(steps):
        done = bool(s.get("at"))
        if i:
            items.append(html.Div(className="gw-ec-arrow" + (" gw-ec-done" if done else "")))
        items.append(html.Div([html.Div(className="gw-ec-dot"), html.B(s["label"]),
                               html.Span(_when(s.get("at")))],
                              className="gw-ec-step" + (" gw-ec-done" if done else "")))
    return html.Div(items, className="gw-ec-timeline")


def shows_reporter(ctx) -> bool:
    """Whether this request may see the (masked) reporter: officer or admin, never wall."""
    return ctx.role() in ("officer", "admin")


def card_content(d: dict | None, reporter_line: bool = True) -> tuple[str, list]:
    """(title, body children) for :func:`store.event_rows.event_detail`'s dict; without
    the reporter line when ``reporter_line`` is false (a wall session)."""
    if d is None:
        return "事件不存在", [html.Div("未找到该事件", className="gw-dim")]
    closed = bool(d.get("closed_at"))
    over, over_cls = due_text(d.get("overdue_hours"), closed)
    status = "已办结" if closed else STATUS_ZH.get(d.get("status"), "处置中")
    badges = [html.Span(status, className="gw-ec-status " + ("gw-status-closed" if closed
                                                               else "gw-status-open"))]
    if d.get("warning"):
        badges.insert(0, html.Span(WARNING_ZH[d["warning"]],
                                   className="gw-badge gw-badge-" + d["warning"]))
    due = html.Div([html.Span("办结时限 "), html.B(_when(d.get("due_at"))),
                    html.Span(over, className="gw-ec-over " + over_cls)], className="gw-ec-due")
    reporter = " ".join(v for v in (d.get("reporter_name"), d.get("reporter_phone")) if v)
    body = [
        html.Div(badges, className="gw-ec-badges"),
        timeline(d.get("timeline") or []),
        due,
        html.Div([
            # the key facts first, each name on its line; the prose after them, clamped, so
            # a 600-character hotline case cannot push them (or the due time) out of the card
            _field("事件类别", _names(" / ", d.get("category"), d.get("subcategory")), wide=True),
            _field("来源渠道", d.get("channel")),
            _field("处置层级", LEVEL_ZH.get(d.get("level") or "", d.get("level"))),
            _field("所在网格", _names(" · ", d.get("township"), d.get("grid_name")), wide=True),
            _field("处置部门", _names("", d.get("department")), wide=True),
            _field("事发地址", d.get("address"), wide=True, clamp=CLAMP),
            _field("事件描述", d.get("description"), wide=True, clamp=CLAMP + " gw-ec-desc"),
            _field("周边视频", cameras_line(d.get("cameras")), wide=True, clamp=CLAMP),
            *([_field("上报人", reporter, wide=True)] if reporter_line else []),
        ], className="gw-ec-fields"),
    ]
    return f"事件 {d['event_id']}", body


def layout(ctx) -> html.Div:
    return html.Div(id="event-card", className=HIDDEN, children=[
        dcc.Store(id=OPEN, data=None),
        html.Div(className="gw-ec", children=[
            html.Div([html.Div("", id="event-card-title", className="gw-ec-title"),
                      html.Span("×", id="event-card-close", n_clicks=0, className="gw-gc-close",
                                title="关闭（Esc）")], className="gw-ec-head"),
            html.Div(id="event-card-body", className="gw-ec-body"),
        ]),
    ])


def register_callbacks(app, ctx) -> None:
    app.clientside_callback(
        ClientsideFunction(namespace="gridwall", function_name="openEvent"),
        Output(OPEN, "data"),
        Input({"type": EV_ROW, "id": ALL, "list": ALL}, "n_clicks"),
        Input("event-card-close", "n_clicks"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output("event-card", "className"), Output("event-card-title", "children"),
        Output("event-card-body", "children"),
        Input(OPEN, "data"), Input(REFRESH, "n_intervals"),
    )
    def _card(opened, _n):
        event_id, at = opened_event(opened)
        if not event_id:
            return HIDDEN, "", []
        # the cached detail is the same for every role; the role decides what is shown
        at = at or listed_time(ctx, event_id)
        detail = ctx.cached(wr.event_card, event_id, ctx.as_of(), at, timeout=60)
        officer = shows_reporter(ctx)
        if detail and not officer and not listed_on_wall(ctx, str(event_id),
                                                         detail.get("township_code")):
            detail = None
        title, body = card_content(detail, reporter_line=officer)
        return "gw-modal", title, body


def opened_event(opened) -> tuple[str | None, dt.datetime | None]:
    """(event id, report time or None) of the card's store: ``{"id", "at"}`` from a row's
    click (gridwall.js openEvent), or the id alone. A time that does not parse is dropped:
    it only narrows the lookup, the id decides which event."""
    if isinstance(opened, dict):
        event_id, at = opened.get("id"), opened.get("at")
        try:
            return (str(event_id) if event_id else None,
                    dt.datetime.fromisoformat(at) if isinstance(at, str) else None)
        except ValueError:
            return str(event_id) if event_id else None, None
    return (str(opened) if opened else None), None


def listed_time(ctx, event_id: str) -> dt.datetime | None:
    """The report time of a row the wall lists, from the lists the wall has read (the
    red/yellow lists, the county's newest): the card's lookup then reads that time's blocks
    instead of every event id (10 M events: ~0.16 -> ~0.03 s). None for a row not there (a
    township's own newest): the id alone, the same card."""
    as_of = ctx.as_of()
    for rows in (ctx.cached(wr.warning_lists, as_of, WARN_LIMIT),
                 ctx.cached(wr.live_events, None, as_of, 2 * LIVE_LIMIT)):
        hit = rows.loc[rows["event_id"].astype(str) == event_id, "reported_at"]
        if len(hit):
            at = hit.iloc[0]
            return at.to_pydatetime() if hasattr(at, "to_pydatetime") else at
    return None


def listed_on_wall(ctx, event_id: str, township: str | None) -> bool:
    """Whether the wall lists ``event_id`` now: in the red/yellow lists, or among the newest
    events of the county or of its township (twice the rows shown, so a row that slid off
    since the last refresh still opens). A wall session opens only such cards: a card is how
    a listed row is read, not a way to read any case by its number (docs/security.md)."""
    as_of = ctx.as_of()
    if event_id in set(ctx.cached(wr.warning_lists, as_of, WARN_LIMIT)["event_id"].astype(str)):
        return True
    return any(event_id in set(ctx.cached(wr.live_events, scope, as_of, 2 * LIVE_LIMIT)
                               ["event_id"].astype(str)) for scope in (None, township))
