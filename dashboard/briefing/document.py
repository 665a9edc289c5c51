"""The briefing as one self-contained HTML document of 16:9 slides (1280×720 CSS px each).

Chromium prints it to the PDF (one slide per page: 13.33×7.5 in, the 16:9 slide size) and
screenshots the image slides to PNG. plotly.js is inlined from the installed plotly package and
the text is set in Noto Sans CJK SC with TrueType outlines, inlined (print_fonts.py), so
nothing is fetched and every word in the PDF is real text in embedded CID TrueType fonts.
Slides: the summary, key figures with their change on last week, what rose and where, the worst grids, who is late, then the images (wall, map, gauges, trend, ranking,
overdue, mediation). ``data-png`` names the slides that become images.
"""
from __future__ import annotations

import base64
import html
from functools import lru_cache
from pathlib import Path

import pandas as pd
import plotly

from dashboard.briefing.compose import Briefing, change_pct_text, hot_short_text, rise_pct_text
from dashboard.briefing.print_fonts import font_faces
from dashboard.figures import briefing_charts as charts
from dashboard.figures.briefing_map import map_figure
from dashboard.figures.numbers import kind_share, p_value
from dashboard.figures.rate_tone import handling_undecided, not_yet_due
from dashboard.figures.briefing_theme import (CARD_ZH, DASH, FONT_FAMILY, Palette, card_color,
                                              num, pct, shown_change)

SLIDE_W, SLIDE_H = 1280, 720

# key figures: (metric key, label, kind, better) — kind "count" | "rate" | "hours";
# better: +1 higher is better, -1 lower is better, 0 neither
KEY_FIGURES = (
    ("reported", "上报数", "count", 0), ("closed", "办结数", "count", 0),
    ("handling_rate", "办结率", "rate", 1), ("due", "应办结数", "count", 0),
    ("on_time_rate", "按期办结率", "rate", 1), ("timely_dispatch_rate", "及时流转率", "rate", 1),
    ("timely_accept_rate", "及时受理率", "rate", 1), ("satisfaction_rate", "满意率", "rate", 1),
    ("resolved_at_source_rate", "源头化解率", "rate", 1),
    ("median_hours_to_close", "办结时长中位数", "hours", -1),
    ("open_backlog", "在办积压（周末）", "count", -1), ("yellow", "黄线提醒（周末）", "count", -1),
    ("red", "红线示警·超期未办结（周末）", "count", -1), ("flagged", "挂牌督办（周末）", "count", -1),
    ("invalid", "无效事件", "count", 0),
)


@lru_cache(maxsize=1)
def plotly_js() -> str:
    """plotly.min.js of the installed plotly package (the same bundle the wall serves)."""
    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    return path.read_text(encoding="utf-8")


def esc(text) -> str:
    return html.escape("" if text is None else str(text))


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and v != v)


def fmt_value(v, kind: str) -> str:
    if _missing(v):
        return DASH
    if kind == "rate":
        return pct(v)
    if kind == "hours":
        return f"{float(v):.1f} 小时"
    return num(v)


def change_cell(now, before, kind: str, better: int) -> tuple[str, str]:
    """(text, css class): points for rates, percent for counts, hours for durations."""
    if _missing(now) or _missing(before):
        return DASH, "flat"
    if kind == "rate":           # the change of the two figures printed beside it
        d = shown_change(now, before, kind)
        text = f"{'▲' if d > 0 else '▼' if d < 0 else ''}{abs(d):.1f} 个百分点" if d else "持平"
    elif kind == "hours":
        d = shown_change(now, before, kind)
        text = f"{'▲' if d > 0 else '▼' if d < 0 else ''}{abs(d):.1f} 小时" if d else "持平"
    else:
        d = int(now) - int(before)
        if d == 0:
            text = "持平"
        elif before:
            text = f"{'▲' if d > 0 else '▼'}{abs(d):,}（{abs(d) / before * 100:.1f}%）"
        else:
            text = f"▲{d:,}"
    cls = "flat" if d == 0 or better == 0 else ("good" if d * better > 0 else "bad")
    return text, cls


# --- slides -------------------------------------------------------------------------------

def _head(b: Briefing, title: str) -> str:
    demo = '<span class="demo">演示数据</span>' if b.demo else ""
    if b.partial:
        demo = '<span class="demo">本周数据不完整</span>' + demo
    return (f'<header><h1>{esc(title)}</h1><div class="meta">{esc(b.scope_name)} · '
            f'{esc(b.week_title)} · {esc(b.as_of_text)}{demo}</div></header>')


def _slide(b: Briefing, key: str, title: str, body: str, png: bool) -> str:
    attr = f' data-png="{key}"' if png else ""
    return (f'<section class="slide" id="slide-{key}"{attr}>{_head(b, title)}'
            f'<div class="body">{body}</div>'
            f'<footer>gridwall 周报 {esc(b.week)} · 数据口径与 /api/metrics 一致</footer></section>')


def _plot(fig, key: str, width: int, height: int) -> str:
    fig.update_layout(width=width, height=height, autosize=False)
    payload = fig.to_json().replace("</", "<\\/")
    return (f'<div class="plot" id="plot-{key}" style="width:{width}px;height:{height}px"></div>'
            f'<script type="application/json" class="fig" data-target="plot-{key}">'
            f'{payload}</script>')


def _table(head: list[str], rows: list[list[str]], cls: str = "",
           wrap: tuple[int, ...] = (), clip: tuple[int, ...] = ()) -> str:
    """A table; the columns in ``wrap`` (names, kinds) may break onto a second line, so a
    city's long grid name narrows its own column instead of pushing the figures off the
    slide; those in ``clip`` (names in lists too long to grow taller) end in … past a
    width (cells keep to one line otherwise)."""
    def cell(i: int, c: str) -> str:
        if i in wrap:
            return f'<td class="wrap">{c}</td>'
        if i in clip:
            return f'<td><span class="clip">{c}</span></td>'
        return f"<td>{c}</td>"
    th = "".join(f"<th>{h}</th>" for h in head)
    body = "".join("<tr>" + "".join(cell(i, c) for i, c in enumerate(r)) + "</tr>" for r in rows)
    return f'<table class="{cls}"><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>'


def _mainly(r) -> str:
    """``，矛盾纠纷为主`` when one kind is at least half of a hotspot's week; else ""."""
    cat, share = getattr(r, "top_category", None), getattr(r, "top_share", None)
    return f"，{esc(cat)}为主" if isinstance(cat, str) and share >= 0.5 else ""


def _kind(r) -> str:
    """A listed hotspot's main kind and its share (主要类别：矛盾纠纷 56%) on a line under its
    counts: what the meeting asks next; "" for a row without one."""
    text = kind_share(getattr(r, "top_category", None), getattr(r, "top_share", None))
    return "" if text == "—" else f'<small class="kind">主要类别：{esc(text)}</small>'


def _points(b: Briefing) -> str:
    """Three boxes under the summary: what rose, where the hotspots are, who is late."""
    def box(title, items, empty):
        lis = "".join(f"<li>{i}</li>" for i in items) or f'<li class="none">{empty}</li>'
        return f'<div class="point"><h2>{title}</h2><ul>{lis}</ul></div>'

    rose = [f"{esc(r.label)} <b>+{num(r.change)}</b> 件"
            + (f"<span>（{esc(r.where)}）</span>" if isinstance(r.where, str) else "")
            for r in b.rises_category.head(3).itertuples()]
    hot = [f"{esc(r.grid_name)} <b>{num(r.k)}</b> 件<span>（{esc(r.township_name)}"
           f"{_mainly(r)}）</span>" for r in b.hotspots.head(3).itertuples()]
    if len(b.hotspots) > 3:            # the title counts them all: say where the rest are
        hot.append(f'<span>另有 {len(b.hotspots) - 3} 处，见“本周事件密度与新发热点”</span>')
    if not b.compared:
        rose = [f'<span>{esc(b.no_compare)}</span>']
    late = [f"{esc(r.name)} <b>{num(r.red)}</b> 件"
            f"<span>{charts.week_change(r.red, getattr(r, 'prev_red', None))}</span>"
            for r in b.overdue_place.head(3).itertuples()]
    return ('<div class="points">'
            + box("上升最多的类别", rose, "本周无上升的类别")
            + box(f"新发热点 {len(b.hotspots)} 处", hot, "本周无新发热点")
            + box(f"超期未办结最多的{b.place_word}", late, "无超期未办结事件")
            + "</div>")


def _short_note(b: Briefing) -> str:
    return f'<p class="note">{esc(hot_short_text(b))}。</p>' if b.hot_short else ""


def _undecided_note(b: Briefing) -> str:
    """Why 办结率's gauge may wear no status colour (docs/metrics.md, rate colours)."""
    if not handling_undecided(b.now, float(b.targets.get("handling_rate", 0.98))):
        return ""
    return (f"办结率未着红黄色：尚有{not_yet_due(b.now):,}件未到办结时限，"
            "若全部办结即可达标。")


def compare_note(b: Briefing) -> str:
    """What the week is compared with: the week before as it stood a week earlier, or why
    it is not (a partly loaded week, a week before the data begins)."""
    if b.compared:
        return f"环比为上周同口径（截至 {b.prev_as_of:%Y-%m-%d %H:%M}）"
    if b.backlog_compared:
        return (f"{b.no_compare}；积压、黄线、红线、挂牌与上周同一时点"
                f"（{b.prev_as_of:%Y-%m-%d %H:%M}）比较")
    return b.no_compare


def key_label(b: Briefing, label: str) -> str:
    """A backlog figure's label says the moment it is counted at: （周末）, or the moment
    a partly loaded week's data ends."""
    return label.replace("（周末）", f"（{b.moment}）")


def slide_summary(b: Briefing) -> str:
    n = b.now
    tiles = "".join(
        f'<div class="tile"><b>{v}</b><span>{esc(lbl)}</span></div>' for v, lbl in (
            (num(n["reported"]), "本周受理事件（件）"), (pct(n["handling_rate"]), "办结率"),
            (pct(n["on_time_rate"]), "按期办结率"), (num(len(b.hotspots)), "新发热点（处）"),
            (num(n["red"]), "超期未办结（件）")))
    body = (f'<p class="summary">{esc(b.summary)}</p><div class="tiles">{tiles}</div>'
            + _points(b) +
            f'<p class="note">本周 {b.start:%Y-%m-%d} 至 {b.end:%Y-%m-%d}（不含）受理的有效事件，'
            f'按 {b.as_of:%Y-%m-%d %H:%M} 的状态统计；{esc(compare_note(b))}。</p>')
    return _slide(b, "summary", f"{b.scope_name}社会治理周报", body, png=True)


def slide_key_figures(b: Briefing) -> str:
    rows = []
    for key, label, kind, better in KEY_FIGURES:
        if key not in b.now:
            continue
        now, before = b.now.get(key), b.before.get(key)
        text, cls = change_cell(now, before, kind, better)
        extra = ""
        if key == "handling_rate" and b.now.get("reported"):
            extra = f'<small>（{num(b.now["closed"])}/{num(b.now["reported"])}）</small>'
        rows.append([esc(key_label(b, label)), f"<b>{fmt_value(now, kind)}</b>{extra}",
                     fmt_value(before, kind), f'<span class="{cls}">{text}</span>'])
    body = _table(["指标", "本周", "上周", "环比变化"], rows, "keys")
    if not b.compared:
        body += f'<p class="note">{esc(compare_note(b))}。</p>'

    return _slide(b, "keys", "核心指标与环比", body, png=True)


def no_rise(b: Briefing, what: str) -> str:
    """The line in place of an empty 上升 table: none rose, or nothing was compared."""
    return esc(b.no_compare) if not b.compared else f"本周无上升的{what}"


RISES_LISTED = 6    # rows of each 上升 table on the slide (the Word document has them all)
HOT_LISTED = 8      # rows of the hotspot table beside them (two lines each at most)


def hot_listed(b: Briefing) -> int:
    """Hotspot rows on the 上升 slide: two fewer when the baseline note (基线含无数据时段…)
    follows the table, which pushed it and the rule's note into the footer and off the slide."""
    return HOT_LISTED - 2 if b.hot_short else HOT_LISTED


def slide_rises(b: Briefing) -> str:
    cat = [[esc(r.label), num(r.now), num(r.before), f"+{num(r.change)}", rise_pct_text(r.change_pct),
            esc(r.where) if isinstance(r.where, str) else DASH]
           for r in b.rises_category.head(RISES_LISTED).itertuples()]
    place = [[esc(r.label), num(r.now), num(r.before), f"+{num(r.change)}", rise_pct_text(r.change_pct)]
             for r in b.rises_place.head(RISES_LISTED).itertuples()]

    def more(df, what):        # the lists are whole in the Word document; here, say the rest
        rest = len(df) - RISES_LISTED
        return (f'<p class="note">另有 {rest} 个上升的{what}未列出，见 Word 版。</p>'
                if rest > 0 else "")
    hot = [[esc(r.grid_name), esc(r.township_name), num(r.k),
            esc(kind_share(getattr(r, "top_category", None), getattr(r, "top_share", None))),
            f"{r.baseline:.1f}", f"{r.ratio:.1f}倍", p_value(r.p)]
           for r in b.hotspots.head(hot_listed(b)).itertuples()]
    left = ("<h2>上升的事件类别</h2>" + (_table(
        ["类别", "本周", "上周", "增加", "增幅", "增加最多的" + b.place_word], cat, wrap=(0, 5))
        if cat else f'<p class="none">{no_rise(b, "类别")}</p>')) + more(b.rises_category, "类别")
    left += (f"<h2>上升的{b.place_word}</h2>" + (_table(
        [b.place_word, "本周", "上周", "增加", "增幅"], place, wrap=(0,))
        if place else f'<p class="none">{no_rise(b, b.place_word)}</p>')
        + more(b.rises_place, b.place_word))
    right = (f"<h2>新发热点 {len(b.hotspots)} 处</h2>" + (_table(
        ["网格", "镇街", "本周", "主要类别", "基线", "倍数", "p"], hot, "hot", wrap=(3,),
        clip=(0, 1))
        if hot else '<p class="none">本周无新发热点</p>'))
    if len(b.hotspots) > len(hot):
        right += (f'<p class="note">另有 {len(b.hotspots) - len(hot)} 处未列出，'
                  '见“本周事件密度与新发热点”。</p>')
    right += ('<p class="note">新发热点：本周事件数≥最小数，且在该网格前4周平均水平下'
              '出现如此多事件的泊松概率低于显著性水平。</p>' + _short_note(b))
    body = f'<div class="cols"><div>{left}</div><div>{right}</div></div>'
    return _slide(b, "rises", "哪些在上升、在哪里", body, png=True)


WORST_LISTED = 10   # rows of 问题网格 a slide holds (the Word document has them all)


def slide_worst(b: Briefing, pal: Palette) -> str:
    rows = []
    for r in b.worst.head(WORST_LISTED).itertuples():
        dot = f'<i class="card" style="background:{card_color(pal, r.card)}"></i>'
        place = esc(getattr(r, "township_name", "") or "")
        few = ' <small class="few">样本少</small>' if r.few else ""
        rows.append([esc(r.name), place, num(r.reported) + few, pct(r.handling_rate),
                     pct(r.on_time_rate), num(r.red), f"{dot}{CARD_ZH.get(r.card, '')}"])
    body = (_table(["网格", "镇街", "本周上报", "办结率", "按期办结率", "红线（周末）", "亮牌"],
                   rows, "wide")
            if rows else '<p class="none">本周所有网格均为绿牌</p>')
    rest = b.worst.iloc[WORST_LISTED:]
    if len(rest):               # the list is whole in the Word document; here, say the rest
        cards = rest["card"].value_counts()
        body += (f'<p class="note">另有 {num(len(rest))} 个问题网格未列出（红牌 '
                 f'{num(cards.get("red", 0))}、黄牌 {num(cards.get("yellow", 0))}），'
                 '见 Word 版。</p>')
    body += (f'<p class="note">本周事件不少于{b.few_below}件的红牌、黄牌网格在前（红牌在前，按期办结率、'
             '办结率由低到高，亮牌规则与镇街排名相同）；其后为事件太少不评比率（样本少）但有'
             '红线示警的网格（按红线数亮牌）。红线为周末仍超期未办结的事件数（含往周受理的）。</p>')
    return _slide(b, "worst", "问题网格", body, png=True)


def slide_late(b: Briefing) -> str:
    def rows(df, top=12):
        out = [[esc(r.name), num(r.red), num(getattr(r, "prev_red", 0)),
                f"{r.oldest_h / 24:.1f} 天", f"{r.worst_over_h / 24:.1f} 天"]
               for r in df.head(top).itertuples()]
        if len(df) > top:       # the list is cut: say what is left so the total still adds up
            rest = df.iloc[top:]
            known = "prev_red" in rest and rest["prev_red"].notna().all()
            out.append([f'<span class="flat">另 {len(rest)} 个</span>', num(rest["red"].sum()),
                        num(rest["prev_red"].sum()) if known else DASH, "", ""])
        return out

    head = ["", "超期件数", b.moment_before, "最久已受理", "最多超时"]
    left = (f"<h2>按{b.place_word}</h2>" + (_table([b.place_word] + head[1:],
                                                rows(b.overdue_place), clip=(0,))
            if len(b.overdue_place) else '<p class="none">无</p>'))
    right = ("<h2>按责任部门</h2>" + (_table(["责任部门"] + head[1:], rows(b.overdue_dept),
                                            clip=(0,))
             if len(b.overdue_dept) else '<p class="none">无</p>'))
    body = (f'<p class="lead">截至 {b.as_of:%Y-%m-%d %H:%M}，超期未办结（红线示警）'
            f'<b>{num(b.now["red"])}</b> 件，临期（黄线）{num(b.now["yellow"])} 件。</p>'
            f'<div class="cols"><div>{left}</div><div>{right}</div></div>')
    return _slide(b, "late", "谁在超期：超期未办结清单", body, png=False)


def wall_src(wall_png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(wall_png).decode()


WALL_IMG = '<img class="wall" id="wall-img" alt="大屏全景"'


def slide_wall(b: Briefing, wall_png: bytes | None) -> str:
    """The wall screenshot; without one yet, an empty ``#wall-img`` the renderer fills in."""
    src = f' src="{wall_src(wall_png)}"' if wall_png is not None else ""
    return _slide(b, "wall", "大屏全景（周末时点）", f"{WALL_IMG}{src}>", png=False)


def with_wall(doc: str, wall_png: bytes) -> str:
    """A document made without the wall screenshot, with it (no second layout pass)."""
    return doc.replace(f"{WALL_IMG}>", f'{WALL_IMG} src="{wall_src(wall_png)}">', 1)


def slide_figure(b: Briefing, key: str, title: str, fig, note: str = "",
                 height: int = 560) -> str:
    body = _plot(fig, key, SLIDE_W - 80, height - (34 if note else 0))
    if note:
        body += f'<p class="note">{note}</p>'
    return _slide(b, key, title, body, png=True)


MAP_LISTED = 6     # hotspots listed (and numbered on the map) beside it: three lines each fit


def map_listed(b: Briefing) -> int:
    """Hotspots listed beside the map (and numbered on it): one fewer when the two lines of
    the baseline note (基线含无数据时段…) share the column, which ran off the slide's foot."""
    return MAP_LISTED - 1 if b.hot_short else MAP_LISTED


def slide_map(b: Briefing, pal: Palette) -> str:
    fig = map_figure(b.map_units, b.map_outlines, b.map_grids, b.map_hotspots, pal,
                     numbered=map_listed(b))
    items = "".join(
        f'<li><i>{i}</i><div><p class="nm"><b>{esc(r.grid_name)}</b>'
        f'<span>{esc(r.township_name)}</span></p>'
        f'<small>本周 {num(r.k)} 件 · 前4周平均 {r.baseline:.1f} 件 · {r.ratio:.1f} 倍</small>'
        f'{_kind(r)}</div></li>'
        for i, r in enumerate(b.hotspots.head(map_listed(b)).itertuples(), start=1))
    rest = len(b.hotspots) - map_listed(b)
    more = f'<p class="more">另有 {rest} 处，见地图轮廓</p>' if rest > 0 else ""
    side = (f'<h2>新发热点 {len(b.hotspots)} 处</h2><ol class="hot">{items}</ol>{more}' if items
            else '<h2>本周无新发热点</h2>')
    side += ('<p class="note">底色：本周每平方公里事件数（按' + b.place_word + '）。'
             '新发热点：本周事件数明显高于该网格前4周水平（泊松检验）。</p>' + _short_note(b))
    body = (f'<div class="cols map"><div class="mapbox">{_plot(fig, "map", 820, 600)}</div>'
            f'<div class="side">{side}</div></div>')
    return _slide(b, "map", "本周事件密度与新发热点", body, png=True)


RANK_ROWS = 24     # two columns of 12 townships fit a slide; a township's 100-odd grids do not
RANK_ROWS_GRIDS = 20


def unjudged_mask(df: pd.DataFrame) -> pd.Series:
    """Units shown without a card, their rates not judged: a 样本少 grid without red warnings
    (issue 12: it is never a green 100 %), and a township without events this week (neither
    rate: the wall's 本期无事件, metrics.md). With red warnings either is carded on those
    (metrics.card_on_red; a township's are open whatever the week), so only green gives way."""
    few = df["few"].astype(bool) if "few" in df else pd.Series(False, index=df.index)
    return (few | no_rates_mask(df)) & (df["card"] == "green")


def no_rates_mask(df: pd.DataFrame) -> pd.Series:
    """Units with neither rate this week (no cohort event): not ranked, not judged."""
    return df["on_time_rate"].isna() & df["handling_rate"].isna()


def unranked(r) -> bool:
    """A township with neither rate this week (no cohort) has no rank to show: it is last
    by the rule, and a number would claim a place; nor has one of too few events (样本少,
    listed after the others): its rates are not judged (metrics.md)."""
    return (_missing(r.on_time_rate) and _missing(r.handling_rate)) or bool(
        getattr(r, "few", False))


def unjudged_counts(df: pd.DataFrame, unjudged: pd.Series, grids: bool) -> list[tuple]:
    """What the units shown without a card are, counted: (本周无事件, N) for townships
    without an event, (样本少, N) for the others (grids, or townships of 1-4 events)."""
    none = no_rates_mask(df) & unjudged & (not grids)
    parts = [("本周无事件", int(none.sum())), ("样本少", int((unjudged & ~none).sum()))]
    return [(why, n) for why, n in parts if n]


def few_tag(r, grids: bool) -> bool:
    """The 上报 cell says 样本少: a grid of too few events, or a township of 1-4 (one of
    none says 本周无事件 by its —)."""
    return bool(getattr(r, "few", False)) and (grids or not _missing(r.handling_rate))


def slide_ranking(b: Briefing, pal: Palette) -> str:
    """Townships best first (the metrics ranking), or a township's grids where to act first
    as the wall lists them (store.wall_reads.worst_first); at most RANK_ROWS rows, with a
    line for the rest."""
    df = b.ranking
    grids = b.scope.level != "county"
    limit = RANK_ROWS_GRIDS if grids else RANK_ROWS
    if len(df) > limit:        # a row of each column gives way to the line for the rest
        limit -= 2
    unjudged = unjudged_mask(df)
    shown = df.head(limit)
    rows = []
    for r, blank in zip(shown.itertuples(), unjudged.loc[shown.index]):
        dot = f'<i class="card" style="background:{card_color(pal, r.card)}"></i>'
        few = ' <small class="few">样本少</small>' if few_tag(r, grids) else ""
        no = getattr(r, "pos", r.rank) if grids else r.rank
        if not grids and unranked(r):
            no = DASH
        rows.append([str(no), esc(r.name), DASH if blank else f"{dot}{CARD_ZH.get(r.card, '')}",
                     pct(r.on_time_rate), pct(r.handling_rate), num(r.reported) + few,
                     num(r.red)])
    half = (len(rows) + 1) // 2 if len(rows) > 12 or grids else len(rows)
    head = ["序号" if grids else "排名", "名称", "亮牌", "按期办结率", "办结率", "上报", "红线"]
    cols = [rows[:half], rows[half:]] if half < len(rows) else [rows]
    cls = "rank dense" if grids else "rank"
    tables = "".join(f"<div>{_table(head, c, cls, clip=(1,))}</div>" for c in cols if c)
    counts = df.loc[~unjudged, "card"].value_counts()
    few_n = "".join(f" · {why}未亮牌 {n} 个" for why, n in unjudged_counts(df, unjudged, grids))
    order = "问题在前，样本少的在后" if grids else "按期办结率、办结率排序，样本少的在后"
    lead = (f'<p class="lead">红牌 {int(counts.get("red", 0))} 个 · 黄牌 '
            f'{int(counts.get("yellow", 0))} 个 · 绿牌 {int(counts.get("green", 0))} 个'
            f'{few_n}（{order}）</p>')
    rest = df.iloc[limit:]
    note = ""
    if len(rest):
        rest_unjudged = unjudged.loc[rest.index]
        rc = rest.loc[~rest_unjudged, "card"].value_counts()
        rest_few = "".join(f"、{why} {n}" for why, n in
                           unjudged_counts(rest, rest_unjudged, grids))
        note = (f'<p class="note">另 {len(rest)} 个{b.place_word}未列出：红牌 '
                f'{int(rc.get("red", 0))}、黄牌 {int(rc.get("yellow", 0))}、绿牌 '
                f'{int(rc.get("green", 0))}{rest_few}。</p>')
    body = lead + f'<div class="cols">{tables}</div>' + note
    return _slide(b, "ranking", f"{b.place_word}排名与亮牌", body, png=True)


def slide_mediation(b: Briefing, pal: Palette) -> str:
    med = b.mediation
    if med.get("month"):
        month = pd.Timestamp(med["month"])
        when = f"{month.year}年{month.month}月"
        if med["month"] != med["requested_month"]:
            when += "（本月暂无报表，显示最近月份）"
    else:
        when = "暂无调解报表"
    prev = med.get("previous") if med.get("month") else None

    def tile(key: str, label: str, kind: str, better: int) -> str:
        # no table on file is not a month of zeros: 受理 0 件 would claim no dispute at all
        value = (DASH if not med.get("month") else
                 pct(med[key]) if kind == "rate" else num(med[key]))
        text, cls = change_cell(med[key], prev[key] if prev else None, kind, better)
        chg = f'<small class="chg {cls}">较上月 {text}</small>' if prev else ""
        return f'<div class="tile small"><b>{value}</b><span>{label}</span>{chg}</div>'
    # more disputes received or mediated is neither better nor worse; more succeeded is
    stats = "".join(tile(*t) for t in (
        ("received", "受理", "count", 0), ("mediated", "调解", "count", 0),
        ("succeeded", "成功", "count", 0), ("success_rate", "调解成功率", "rate", 1),
        ("mediation_rate", "调处率", "rate", 1)))
    if prev:
        month = pd.Timestamp(prev["month"])
        when += f"，较上月（{month.month}月）"
    fig = charts.mediation_figure(med["by_type"], pal,
                                  empty="本月暂无调解案件" if med.get("month") else "暂无调解报表")
    body = (f'<p class="lead">{esc(when)}</p><div class="tiles">{stats}</div>'
            + _plot(fig, "mediation", SLIDE_W - 80, 420))
    return _slide(b, "mediation", "本月矛盾纠纷调解", body, png=True)


# --- the document ---------------------------------------------------------------------------

def css(pal: Palette) -> str:
    return f"""
@page {{ size: {SLIDE_W}px {SLIDE_H}px; margin: 0; }}
* {{ box-sizing: border-box; }}
html, body {{ margin: 0; padding: 0; background: {pal.bg}; color: {pal.text};
  font-family: {FONT_FAMILY}; -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
.slide {{ width: {SLIDE_W}px; height: {SLIDE_H}px; padding: 22px 40px 0; position: relative;
  overflow: hidden; background: {pal.bg}; break-after: page; page-break-after: always; }}
.slide:last-of-type {{ break-after: auto; page-break-after: auto; }}
header {{ display: flex; align-items: baseline; justify-content: space-between; gap: 20px;
  border-bottom: 2px solid {pal.accent}; padding-bottom: 8px; margin-bottom: 14px; }}
h1 {{ font-size: 30px; margin: 0; color: {pal.accent}; font-weight: 700; white-space: nowrap; }}
h2 {{ font-size: 20px; margin: 6px 0 8px; color: {pal.accent}; }}
.meta {{ font-size: 16px; color: {pal.dim}; text-align: right; }}
.demo {{ margin-left: 10px; padding: 1px 8px; border: 1px solid {pal.yellow}; color: {pal.yellow};
  border-radius: 4px; }}
footer {{ position: absolute; left: 40px; right: 40px; bottom: 10px; font-size: 12px;
  color: {pal.dim}; }}
.summary {{ font-size: 23px; line-height: 1.75; margin: 8px 0 18px; text-align: justify; }}
.tiles {{ display: flex; gap: 16px; margin: 6px 0 14px; }}
.tile {{ flex: 1; background: {pal.panel}; border: 1px solid {pal.border}; border-radius: 8px;
  padding: 12px 14px; display: flex; flex-direction: column; }}
.tile b {{ font-size: 38px; color: {pal.accent}; font-variant-numeric: tabular-nums; }}
.tile span {{ font-size: 16px; color: {pal.dim}; }}
.tile.small b {{ font-size: 28px; }}
.tile small.chg {{ font-size: 15px; margin-top: 2px; }}
.tile small.chg.flat {{ color: {pal.dim}; }}
.note {{ font-size: 14px; color: {pal.dim}; margin: 6px 0; }}
.lead {{ font-size: 20px; margin: 2px 0 10px; }}
.lead b {{ color: {pal.red}; font-size: 26px; }}
.none {{ font-size: 18px; color: {pal.dim}; }}
.cols {{ display: flex; gap: 28px; }}
.cols > div {{ flex: 1; min-width: 0; }}
table {{ border-collapse: collapse; width: 100%; font-size: 16px; }}
th {{ text-align: left; color: {pal.dim}; font-weight: 500; border-bottom: 1px solid {pal.border};
  padding: 5px 8px; white-space: nowrap; }}
td {{ padding: 5px 8px; border-bottom: 1px solid {pal.grid}; white-space: nowrap;
  font-variant-numeric: tabular-nums; }}
td.wrap {{ white-space: normal; }}
td span.clip {{ display: inline-block; max-width: 15em; overflow: hidden; text-overflow: ellipsis;
  vertical-align: bottom; }}
table.rank td span.clip {{ max-width: 9em; }}
table.hot td span.clip {{ max-width: 9em; }}
table.hot td:nth-child(2) span.clip {{ max-width: 5em; }}
table.keys {{ font-size: 17px; }}
table.keys td, table.keys th {{ padding: 4px 12px; }}
table.keys td small {{ color: {pal.dim}; margin-left: 6px; }}
table.rank td, table.rank th {{ padding: 4px 8px; }}
table.wide {{ font-size: 18px; }}
table.wide td {{ padding: 8px; }}
small.few {{ color: {pal.dim}; font-size: 14px; border: 1px solid {pal.border};
  border-radius: 3px; padding: 0 4px; margin-left: 4px; }}
.good {{ color: {pal.green}; }} .bad {{ color: {pal.red}; }} .flat {{ color: {pal.dim}; }}
i.card {{ display: inline-block; width: 14px; height: 18px; border-radius: 2px;
  vertical-align: -3px; margin-right: 6px; }}
img.wall {{ display: block; height: 600px; width: auto; margin: 0 auto;
  border: 1px solid {pal.border}; }}
.plot {{ margin: 0 auto; }}
.cols.map {{ gap: 16px; }}
.cols.map > .mapbox {{ flex: 0 0 820px; }}
ol.hot {{ list-style: none; padding: 0; margin: 0; }}
ol.hot li {{ display: flex; gap: 12px; align-items: flex-start; margin: 0 0 12px; }}
ol.hot li i {{ flex: 0 0 30px; height: 30px; border-radius: 50%; background: {pal.hotspot};
  color: #fff; font-style: normal; font-weight: 700; text-align: center; line-height: 30px; }}
ol.hot li > div {{ min-width: 0; }}
ol.hot li p.nm {{ margin: 0; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }}
ol.hot li b {{ font-size: 19px; margin-right: 8px; }}
ol.hot li span {{ color: {pal.dim}; font-size: 16px; }}
ol.hot li small.kind {{ color: {pal.dim}; }}
ol.hot li small {{ display: block; font-size: 15px; color: {pal.text}; }}
p.more {{ margin: -4px 0 10px 42px; font-size: 16px; color: {pal.dim}; }}
.summary {{ font-size: 25px; line-height: 1.7; margin: 4px 0 12px; }}
.points {{ display: flex; gap: 16px; margin: 0 0 6px; }}
.point {{ flex: 1; border-top: 2px solid {pal.border}; padding-top: 2px; }}
.point h2 {{ font-size: 17px; margin: 4px 0; }}
.point ul {{ margin: 0; padding-left: 20px; font-size: 17px; line-height: 1.6; }}
.point li span {{ color: {pal.dim}; font-size: 15px; }}
.point li b {{ color: {pal.accent}; }}
.tile b {{ font-size: 42px; }}
table.rank {{ font-size: 19px; }}
table.rank td, table.rank th {{ padding: 8px 8px; }}
table.rank.dense {{ font-size: 15px; }}
table.rank.dense td, table.rank.dense th {{ padding: 6px 5px; }}
table.rank.dense small.few {{ font-size: 12px; }}
"""


RENDER_JS = """
(async () => {
  // the inlined print fonts, loaded before plotly measures its labels
  await Promise.all([...document.fonts].map(f => f.load().catch(() => null)));
  const jobs = [];
  for (const s of document.querySelectorAll('script.fig')) {
    const fig = JSON.parse(s.textContent);
    const el = document.getElementById(s.dataset.target);
    jobs.push(Plotly.newPlot(el, fig.data, fig.layout,
      {staticPlot: true, displayModeBar: false, responsive: false}));
  }
  await Promise.all(jobs);
  await document.fonts.ready;
  // the summary is written from the figures and names: a county's long township names make
  // it run to seven lines and push the boxes under it into the footer and off the slide;
  // its type is made smaller until the slide holds it
  for (const s of document.querySelectorAll('section.slide')) {
    const p = s.querySelector('p.summary');
    if (!p) continue;
    const foot = s.querySelector('footer').getBoundingClientRect().top - 4;
    const bottom = () => Math.max(...[...s.querySelector('.body').children].map(
      e => e.getBoundingClientRect().bottom));
    let size = parseFloat(getComputedStyle(p).fontSize);
    while (bottom() > foot && size > 14) { size -= 1; p.style.fontSize = size + 'px'; }
  }
  // a name cut with … (span.clip) has a width for the demo's names; a city's long names
  // at that width put a two-column table past the slide's margin: the widest cut names of
  // such a table give way, a few px at a time, until it is inside its box
  for (const t of document.querySelectorAll('table')) {
    const spans = [...t.querySelectorAll('span.clip')];
    const room = t.parentElement;
    if (!spans.length || !room) continue;
    const over = () => t.getBoundingClientRect().right - room.getBoundingClientRect().right;
    for (let k = 0; k < 80 && over() > 0.5; k++) {
      const widest = Math.max(...spans.map(e => e.getBoundingClientRect().width));
      if (widest <= 40) break;
      for (const e of spans) {
        if (e.getBoundingClientRect().width >= widest - 0.5) e.style.maxWidth = (widest - 4) + 'px';
      }
    }
  }
  window.__briefingReady = true;
})().catch(e => { window.__briefingError = String(e); });
"""


def trend_note(b: Briefing) -> str:
    if not b.compared:
        return f"本周上报 {num(b.now['reported'])} 件；{esc(b.no_compare)}（无数据的日子不画）。"
    return (f"本周上报 {num(b.now['reported'])} 件，上周 {num(b.before['reported'])} 件，"
            f"{change_pct_text(int(b.now['reported']), int(b.before['reported']))}。")


def slide_gauges(b: Briefing, pal: Palette) -> str:
    """The four rate gauges; a week not compared with the one before (its first weeks, a
    partly loaded week) says so in its title and note instead of promising 与上周比较."""
    return slide_figure(
        b, "gauges", "核心指标仪表" + ("（与上周比较）" if b.compared else ""),
        charts.gauges_figure(b.now, b.before, b.targets, pal, b.compared),
        "仪表上的粗刻线为目标值；"
        + ("▲▼为较上周变化（个百分点），绿色为改善、红色为变差；上周按上周末时点统计。"
           if b.compared else f"{esc(compare_note(b))}。")
        + _undecided_note(b))


def slide_overdue(b: Briefing, pal: Palette) -> str:
    """Overdue by township (grid) and department, counted when the week (or its data) ends."""
    return slide_figure(
        b, "overdue", f"超期未办结：按{b.place_word}与责任部门",
        charts.overdue_figure(b.overdue_place, b.overdue_dept, pal,
                              town_title=f"按{b.place_word}",
                              moment="本周末" if b.moment == "周末" else f"截至{b.moment}"),
        f"截至 {b.as_of:%Y-%m-%d %H:%M} 仍未办结且已超过办结时限的事件，"
        f"共 {num(b.now['red'])} 件（{b.moment_before} {num(b.before.get('red'))} 件）；"
        + (f"括号内为较{b.moment_before}的变化。" if b.backlog_compared
           else "上周无完整数据，不作比较。"))


def document(b: Briefing, pal: Palette, wall_png: bytes | None) -> str:
    """The whole briefing in ``pal``'s theme as one HTML string (plotly.js inlined)."""
    slides = [
        slide_summary(b),
        slide_key_figures(b),
        slide_rises(b),
        slide_worst(b, pal),
        slide_late(b),
        slide_wall(b, wall_png),
        slide_map(b, pal),
        slide_gauges(b, pal),
        slide_figure(b, "trend", "每日事件：本周与上周",
                     charts.week_trend_figure(b.trend_now, b.trend_before, pal),
                     trend_note(b)),
        slide_ranking(b, pal),
        slide_overdue(b, pal),
        slide_mediation(b, pal),
    ]
    title = f"{esc(b.scope_name)}社会治理周报 {esc(b.week)}"
    body = "".join(slides)
    # the print fonts of the characters the document writes (its slides and figures)
    faces = font_faces(title + body)
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            f'<title>{title}</title><style>{faces}\n{css(pal)}</style>'
            f'<script>{plotly_js()}</script></head>'
            f'<body class="theme-{pal.name}">{body}'
            f'<script>{RENDER_JS}</script></body></html>')
