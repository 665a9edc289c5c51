"""How a number (or a name cut to fit) reads to a duty officer or a meeting, the same on
every screen and export."""
from __future__ import annotations

import os


def p_value(p) -> str:
    """A hotspot's p (the Poisson tail, metrics.md): three decimals, and "<0.001" below that.

    Below 0.001 the exact figure says nothing an officer acts on, and at city scale it
    underflows (a grid with 900 cases against a baseline of 300 has p < 1e-300, which
    "{:.1g}" printed as "0" and the analysis table as "<1e-300")."""
    if p is None or p != p:
        return "—"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def kind_share(cat, share) -> str:
    """A hotspot's main kind (store.hotspots.profile): ``安全隐患 97%``, the window's most
    reported category and its share; "—" for a grid without events."""
    if not isinstance(cat, str) or share is None or share != share:
        return "—"
    return f"{cat} {share:.0%}"


def cameras_line(cams: dict | None) -> str:
    """An event's cameras (store.event_rows.cameras_at) in one line: "300米内 5 路（在线 4）：
    名称 在线 13 米、…", or that there are none."""
    if not cams:
        return "—"
    radius = f"{cams['radius_m']:.0f}米内"
    if not cams["within"]:
        return f"{radius}没有视频点位"
    names = "、".join(f"{c['name']} {'在线' if c['online'] else '离线'} {c['distance_m']} 米"
                     for c in cams["nearest"])
    more = " 等" if cams["within"] > len(cams["nearest"]) else ""
    return f"{radius} {cams['within']} 路（在线 {cams['online']}）：{names}{more}"


def short_label(name, limit: int) -> str:
    """``name`` cut to ``limit`` characters, the last one …, where a long name would push
    figures off their row (a city's development-zone and department names)."""
    name = str(name)
    return name if len(name) <= limit else name[: limit - 1] + "…"


def short_labels(names, limit: float, most: float | None = None) -> list[str]:
    """Each of ``names`` cut with … to ``limit`` characters' width (:func:`text_px`: a
    digit or a Latin letter is 0.6 of a CJK character, so 12345热线 is 5 wide and stays
    whole), those alike in their first characters cut longer until they differ (at most
    ``most`` wide, default ``limit + 4``): two kinds that both begin 安全生产 stay two rows
    a reader tells apart."""
    names = [str(n) for n in names]
    most = most or limit + 4
    lim = dict.fromkeys(names, float(limit))
    while True:
        cut = {n: _fit(n, lim[n]) for n in lim}
        groups: dict[str, list[str]] = {}
        for n, c in cut.items():
            groups.setdefault(c, []).append(n)
        clash = [n for g in groups.values() if len(g) > 1 for n in g
                 if cut[n] != n and lim[n] < most]
        if not clash:
            return [cut[n] for n in names]
        for n in clash:
            lim[n] += 1


def _fit(name: str, width: float) -> str:
    """``name`` whole if it is at most ``width`` characters wide, else its first characters
    and … within that width."""
    if text_px(name, 1) <= width:
        return name
    out = ""
    for c in name:
        if text_px(out + c, 1) + 1 > width:
            break
        out += c
    return out + "…"


def middle_label(name, width: float, tail: float = 7) -> str:
    """``name`` whole if at most ``width`` characters wide (:func:`text_px`), else its
    beginning, … and its last ``tail`` characters' width: cameras named along one road
    (…上三高速嵊州段K22+685, …K22+709) differ at their ends, which a cut at the end hides."""
    name = str(name)
    if text_px(name, 1) <= width:
        return name
    end = ""
    for c in reversed(name):
        if text_px(c + end, 1) > tail:
            break
        end = c + end
    return _fit(name[:len(name) - len(end)], width - text_px(end, 1))[:-1] + "…" + end


def text_px(text: str, size: float) -> float:
    """A text's width in px at font ``size``, estimated as the map's labels are: one em a
    CJK character (and … ·), 0.6 em any other (digits, Latin, %)."""
    return sum(size if ord(c) >= 0x2000 else 0.6 * size for c in str(text))


def bar_text_range(values, texts, width_px: float, labels, *, text_size: float = 15,
                   label_size: float = 16, at_least: float = 1.3) -> float:
    """The end of a horizontal bar chart's value axis such that each bar's text, drawn
    outside the bar's end, stays inside a graph ``width_px`` wide whose tick labels are
    ``labels`` (at ``label_size``): a count or a share is never the part cut off. At least
    ``at_least`` times the largest value."""
    values = [float(v) for v in values]
    top = max(values, default=0.0) or 1.0
    plot = width_px - 12 - max((text_px(f"{t} ", label_size) for t in labels), default=0.0)
    plot = max(plot, 40.0)
    need = [v / max(1.0 - (text_px(t, text_size) + 6) / plot, 0.25)
            for v, t in zip(values, texts)]
    return max([top * at_least, *need])


# --- names shown in short ------------------------------------------------------------------

AFFIX_MIN = 3       # a prefix or suffix shorter than this stays on every name
LONG_NAME = 10      # names no longer than this all stay whole
KEEP = 2            # what is left of a name is at least this long
UNIT_ENDS = frozenset("省市州盟县区旗镇乡道村会委场")   # the last character of a unit's name


def shared_affixes(names) -> tuple[str, str]:
    """The prefix and the suffix every one of ``names`` carries, which says nothing where
    they are listed together: a city exports every township as 经济技术开发区…片区管理委员会
    and every grid as 经济技术开发区管委会…, and a list cut to its column read the same
    first characters on every row. Only for names longer than ``LONG_NAME``; each affix is
    at least ``AFFIX_MIN`` characters, leaves ``KEEP`` of every name, and ends (the prefix)
    or follows (the suffix) a unit's name (``UNIT_ENDS``: 镇, 街道, 管委会 …), so 剡湖街道
    城隍坊社区第一网格 and …第二网格 keep 城隍坊社区 and are not cut to 一网格. ("", "")
    when there is none."""
    names = sorted({str(n) for n in names if n})
    if len(names) < 2 or max(map(len, names)) <= LONG_NAME:
        return "", ""
    shortest = min(map(len, names))
    p = min(len(os.path.commonprefix([names[0], names[-1]])), shortest - KEEP)
    while p >= AFFIX_MIN and names[0][p - 1] not in UNIT_ENDS:
        p -= 1
    p = p if p >= AFFIX_MIN else 0
    ends = sorted(n[::-1] for n in names)
    s = min(len(os.path.commonprefix([ends[0], ends[-1]])), shortest - p - KEEP)
    while s >= AFFIX_MIN and any(n[-s - 1] not in UNIT_ENDS for n in names):
        s -= 1
    s = s if s >= AFFIX_MIN else 0
    return names[0][:p], names[0][len(names[0]) - s:] if s else ""


def distinct_name(name, affixes: tuple[str, str] | None):
    """``name`` without the ``affixes`` its list shares (:func:`shared_affixes`): the part
    that tells it from the others, as unique as the names are. A name without them (or
    None) is returned as it is."""
    if not name or not affixes:
        return name
    pre, suf = affixes
    text = str(name)
    if pre and text.startswith(pre) and len(text) - len(pre) >= KEEP:
        text = text[len(pre):]
    if suf and text.endswith(suf) and len(text) - len(suf) >= KEEP:
        text = text[:-len(suf)]
    return text
