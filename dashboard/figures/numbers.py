"""How a number (or a name cut to fit) reads to a duty officer or a meeting, the same on
every screen and export."""
from __future__ import annotations


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
