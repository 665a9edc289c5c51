"""Hotspot board (新发热点): the window's emerging hotspots listed on the map, no mouse needed.

A wall has no mouse, so the statistics a hover shows (store.hotspots: count ``k`` against the
grid's baseline) are written out: grid, township, k, how many times the baseline, and the
main kind (store.hotspots.profile: the window's top category and its share). Rows
are ordered by p (the most surprising first); a row click opens the grid (URL, like a map
click). The board sits in the map's left strip, above the legend.
"""
from __future__ import annotations

import pandas as pd
from dash import html

from dashboard.figures.numbers import kind_share, p_value, short_label
from dashboard.wall.drill import HOT_ROW
from dashboard.wall.view import ShortNames, county_grids_left_out, short_names
from store import hotspots as hs
from store import wall_reads as wr

SHOWN = 5
TOWN_CHARS = 4     # a longer township name is cut on the board (3 characters and …): 4 fit


def rows_for(layers, grid_note: bool = False) -> int:
    """Rows the board has room for above the map legend, which grows with the heat (one key),
    the cameras (two keys) and the note of grid outlines left out of a city's county map
    (one key)."""
    layers = set(layers or ())
    return max(2, SHOWN - ("heat" in layers) - 2 * ("cameras" in layers) - grid_note)


def board_rows(hot: pd.DataFrame, town_names: dict, county_level: bool, top: int = SHOWN,
               names: ShortNames | None = None) -> list:
    """``names``: the view's names in short (grid and township without what all share;
    the whole names are in the row's title)."""
    names = names or ShortNames({})
    rows = []
    for r in hot.head(top).itertuples(index=False):
        where = short_label(names.town(town_names.get(r.township_code, "")), TOWN_CHARS) \
            if county_level else ""
        cat = getattr(r, "top_category", None)
        kind = kind_share(cat, getattr(r, "top_share", None))
        name = r.grid_name or r.grid_id
        rows.append(html.Div(
            id={"type": HOT_ROW, "code": str(r.grid_id), "township": str(r.township_code)},
            n_clicks=0, className="gw-hot-row",
            title=" · ".join(t for t in (name, town_names.get(r.township_code), cat) if t)
            + f"：p值 {p_value(r.p)}",
            **{"data-code": str(r.grid_id)}, children=[
                html.Div([html.Span(names.grid(name), className="gw-hot-name"),
                          html.B(f"×{r.ratio:.1f}", className="gw-hot-ratio")],
                         className="gw-hot-line"),
                html.Div(detail_parts(where, int(r.k), r.baseline, kind),
                         className="gw-hot-detail"),
            ]))
    return rows


def detail_parts(where: str, k: int, baseline: float, kind: str) -> list:
    """The row's second line (township, count, main kind and its share) as spans: the kind
    gives way (…) to the count and the share, which are never cut (a city's kinds run to 14
    characters). Which kind, when known, says more than the baseline the ratio gives."""
    if kind != "—":
        cat, _, share = kind.rpartition(" ")
        parts = [html.Span(f"{k}件", className="gw-hot-k"), " · ",
                 html.Span(cat, className="gw-hot-kind"),
                 html.Span(share, className="gw-hot-share")]
    else:
        parts = [html.Span(f"本期{k}件", className="gw-hot-k"), " · ",
                 html.Span(f"基线{baseline:.1f}", className="gw-hot-k")]
    return [html.Span(where, className="gw-hot-where"), " · ", *parts] if where else parts


def board_body(hot: pd.DataFrame, town_names: dict, county_level: bool,
               top: int = SHOWN, short=None, names: ShortNames | None = None) -> list:
    """``short``: the first day of data when the baseline reaches before it
    (store.hotspots.short_history); a line says so, in the place of one row."""
    n = len(hot)
    head = html.Div([html.Span("新发热点", className="gw-hot-title"),
                     html.B(f"{n}处", className="gw-hot-count" + (" gw-hot-none" if not n else ""))],
                    className="gw-hot-head")
    if not n:
        return [head, html.Div("本期无新发热点", className="gw-hot-empty")]
    note = []
    if short is not None:
        top = max(1, top - 1)
        note = [html.Div("基线含无数据时段", title=f"数据起于{short:%Y-%m-%d}",
                         className="gw-hot-more gw-hot-short")]
    more = [html.Div(f"另有{n - top}处（见地图）", className="gw-hot-more")] if n > top else []
    return [head, *board_rows(hot, town_names, county_level, top, names), *more, *note]


def layout(ctx) -> html.Div:
    return html.Div(id="hot-board", className="gw-hotboard")


OUTPUTS = [("hot-board", "children")]
BY_LAYERS = True       # the rows left above the legend depend on the layers shown


def read(ctx, v) -> dict:
    return {"hot": hs.emerging_hotspots_via(ctx.cached, v.start, v.end, v.township,
                                            profiled=True, as_of=v.as_of),
            "names": {t["code"]: t["name"] for t in ctx.cached(wr.township_list)},
            "grid_note": county_grids_left_out(ctx, v),
            "short": ctx.cached(hs.short_history, v.start, v.end),
            "short_names": short_names(ctx, v)}


def outputs(data: dict, v) -> list:
    return [board_body(data["hot"], data["names"], v.township is None,
                       rows_for(v.layers, data["grid_note"]), data.get("short"),
                       data.get("short_names"))]
