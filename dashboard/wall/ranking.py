"""Township ranking with cards (亮牌); on a drill-down, the township's grids, worst first.

Townships are ranked by on-time closure rate, then handling rate (store.metrics.rank), best
first; inside a township the grids that need action come first (store.wall_reads.worst_first)
and townships and grids with fewer than ``[wall] ranking_min_events`` cohort events say
样本少 instead of a green card (a red or yellow card from their red warnings still shows),
after the others (those with red warnings first), a township without a place (—): a grid
with 2 events closed on time is not a green 100 %, nor 今日's township of 1 case 第1名. Cards by
settings [cards]. A row click drills down (clientside, through the URL). A grid list too long
for its panel scrolls like a station board (worst first, so its first page is the worst); the
township list, best first, does not: its rows close up to fit the panel (gw.fitRank in
assets/gridwall.js), and where even that is too few rows (a city of 40 townships) the worst
ones (``data-worst``, store.wall_reads.worst_in_view: red, yellow, then the lowest rate) stay and 另有N个镇街 counts the rest.
A list that scrolled showed a 2x2 wall's best 13 of 15 townships and its 2 red ones only
after a wait.
"""
from __future__ import annotations

import pandas as pd
from dash import html

from dashboard.figures.numbers import text_px
from dashboard.wall import fmt
from dashboard.wall.drill import RANK_ROW
from dashboard.wall.panel import empty, panel
from dashboard.wall.plain_html import el, span
from dashboard.wall.view import min_events, short_names
from store import wall_reads as wr
from store.vocab import CARD_ZH

HEAD = ["排名", "名称", "亮牌", "按期办结率", "办结率", "红线"]
NAME_CHARS = 8       # the name column's width at 17 px, in characters (at 15 px: 9)
GRID_HEAD = ["序", "网格（问题在前）", "亮牌", "按期办结率", "办结率", "红线"]


def ranking_rows(df: pd.DataFrame, kind: str, selected: str | None = None) -> list[dict]:
    """One clickable row per unit; ``kind`` "township" | "grid" goes into the row's id.

    Townships show their rank (1 = best, top three highlighted); grids, listed worst first,
    show their place in the list, by ``short`` name when given (the whole one in the row's
    title). A ``few`` grid or township shows 样本少 and dimmed rates (a township no
    place either: its rates are not judged). Rows are
    Dash's JSON (dashboard.wall.plain_html): a city township's ~100 grids, every minute.
    """
    rows = []
    # the township's place in the order rows stay in view (store.wall_reads.worst_in_view):
    # the wall keeps the worst ones when not every row fits
    worst = (dict(zip(wr.worst_in_view(df)["code"].astype(str), range(len(df))))
             if kind == "township" and not df.empty else {})
    for r in df.to_dict("records"):
        # a township with neither rate (no cohort in the window) is not ranked: it sits
        # last by the rule, and a number or a top-three mark would claim a place it lacks
        unranked = kind == "township" and all(
            fmt.pct_value(r[k]) is None for k in ("on_time_rate", "handling_rate"))
        # 本期无事件 says more than 样本少 of a township without a case
        few = bool(r.get("few", False)) and not unranked
        no = int(r["rank"]) if kind == "township" else int(r.get("pos", r["rank"]))
        # a few township's rates are not judged: it has no place (—), listed after the others
        placeless = unranked or (kind == "township" and few)
        cls = "gw-row" + (" gw-rank-top" if kind == "township" and r["rank"] <= 3
                          and not placeless else "")
        cls += " gw-rank-few" if few else ""
        code = str(r["code"])
        if selected and code == selected:
            cls += " gw-row-selected"
        # a few grid is carded on its red warnings alone (metrics.md): a red or yellow card
        # earned so shows, only a green one gives way to 样本少 (no green 100 %)
        badge = few and r["card"] == "green"
        # a township without events in the window has no rate to judge: no green card (its
        # red warnings, open whatever the window, still card it red or yellow; metrics.md)
        blank = unranked and r["card"] == "green"
        card = (el("Span", "样本少", className="gw-few", **{"data-card": "few"}) if badge else
                el("Span", fmt.DASH, className="gw-few", **{"data-card": "none"}) if blank else
                el("Span", el("I", className=f"gw-card gw-card-{r['card']}"),
                   **{"data-card": r["card"]}))
        title = f"{r['name']}：" + ("本期无事件，未亮牌" if blank else CARD_ZH[r['card']])
        if few:
            title = f"{r['name']}：样本少（{int(r['reported'])}件）" + (
                "" if badge else f"，{CARD_ZH[r['card']]}")
        red = r["red"]
        rows.append(el(
            "Div", [el("Span", span(fmt.DASH if placeless else str(no), "gw-rank-no")),
                    name_span(r.get("short") or r["name"] or code),
                    card,
                    span(fmt.pct(r["on_time_rate"]), "gw-num-r"),
                    span(fmt.pct(r["handling_rate"]), "gw-num-r"),
                    span(fmt.num(red), "gw-num-r" + (" gw-elapsed-red" if red else ""))],
            id={"type": RANK_ROW, "code": code, "kind": kind}, n_clicks=0, className=cls,
            title=title, **{"data-code": code},
            **({"data-worst": worst[code]} if code in worst else {})))
    return rows


def name_span(name: str) -> dict:
    """A unit's name on its row; one wider than ``NAME_CHARS`` (a 9-character grid) a step
    smaller, so it fits whole; a longer one ends in … (whole in the row's title)."""
    long = text_px(name, 1) > NAME_CHARS
    return span(name, "gw-rank-name gw-rank-long" if long else "gw-rank-name")


def ranking_body(df: pd.DataFrame, kind: str, selected: str | None = None):
    if df.empty:
        return empty()
    head = html.Div([html.Span(h, className="gw-num-r" if i >= 3 else None)
                     for i, h in enumerate(GRID_HEAD if kind == "grid" else HEAD)],
                    className="gw-row gw-row-head")
    rows = ranking_rows(df, kind, selected)
    if kind == "township":       # filled by gw.fitRank when some townships are left out
        rows.append(el("Div", "", className="gw-rank-more"))
    return html.Div([head, html.Div(rows, className="gw-board", id="ranking-board",
                                    **({"data-pin": "worst"} if kind == "township" else {}))],
                    className="gw-table gw-rank")


def layout(ctx):
    return panel("ranking", html.Span("镇街排名", id="ranking-title-text"),
                 html.Div(id="ranking-body", className="gw-fill"),
                 caption_id="ranking-caption")


OUTPUTS = [("ranking-body", "children"), ("ranking-title-text", "children"),
           ("ranking-caption", "children")]
BY_GRID = True         # the selected grid's row is marked


def read(ctx, v):
    """The ranking, with ``short``: each name without what every name of the list shares
    (view.ShortNames: 15 rows that all began alike told nothing apart)."""
    df = wr.unit_ranking_via(ctx.cached, v.township, v.start, v.end, v.as_of, min_events(ctx))
    names = short_names(ctx, v)
    cut = names.grid if v.township else names.town
    return df.assign(short=[cut(n) for n in df["name"]])


def outputs(df: pd.DataFrame, v) -> list:
    kind = "grid" if v.township else "township"
    title = "网格排名" if v.township else "镇街排名"
    return [ranking_body(df, kind, v.grid), title, v.caption]
