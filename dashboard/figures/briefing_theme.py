"""Palettes of the weekly briefing 周报: dark (the wall's, for a projector) and light (for print).

A briefing is shown on a screen and printed on paper: the dark palette keeps the wall's colours
(dashboard/figures/theme.py) so an image looks like the wall; the light one is white paper with
dark text and the same status trio, darkened enough to print. No Dash import here.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

# GridwallPrint: Noto Sans CJK SC with TrueType outlines, inlined by the briefing document
# (dashboard/briefing/print_fonts.py) so its PDF embeds CID TrueType fonts, not Type 3
FONT_FAMILY = ("'GridwallPrint','Noto Sans CJK SC','Noto Sans SC','Source Han Sans SC',"
               "'Microsoft YaHei',sans-serif")
DASH = "—"


@dataclass(frozen=True)
class Palette:
    name: str
    bg: str          # slide background
    panel: str       # panel / card fill
    border: str      # panel frame
    grid: str        # axis grid lines
    text: str
    dim: str         # captions, axis labels
    accent: str      # titles, this week's series
    accent2: str     # second series
    green: str
    yellow: str
    red: str
    grey: str        # no data; last week's series
    hotspot: str     # hotspot outline (not a status colour)
    gauge_bg: str
    classes: tuple[str, ...]   # choropleth classes low → high (volume: neutral, never red)
    zero: str                  # choropleth zero class: a grey off the ramp, apart from the
                               # legend's panel (as near it as the panel was, '0' keyed nothing)
    series: tuple[str, ...]


DARK = Palette(
    name="dark", bg="#061229", panel="#0a1c3a", border="#1d4b8f", grid="#17305a",
    text="#e6f1ff", dim="#8aa4c8", accent="#27d3ff", accent2="#3b82f6",
    green="#22c55e", yellow="#facc15", red="#ef4444", grey="#64748b", hotspot="#ff4fd8",
    gauge_bg="rgba(29,75,143,0.35)",
    classes=("#12386e", "#1565c0", "#1e88e5", "#27d3ff", "#a5f3fc"), zero="#2b3340",
    series=("#27d3ff", "#3b82f6", "#a78bfa", "#34d399", "#f472b6", "#fbbf24", "#60a5fa"),
)

LIGHT = Palette(
    name="light", bg="#ffffff", panel="#f5f7fb", border="#c9d3e3", grid="#e2e8f0",
    text="#0f172a", dim="#475569", accent="#0b5cab", accent2="#2563eb",
    green="#15803d", yellow="#ca8a04", red="#c81e1e", grey="#94a3b8", hotspot="#c026d3",
    gauge_bg="#e8edf5",
    classes=("#dbeafe", "#a9cdf3", "#6aa6e3", "#2f77c7", "#0b4a94"), zero="#d5d9e0",
    series=("#0b5cab", "#2563eb", "#7c3aed", "#059669", "#db2777", "#d97706", "#0891b2"),
)

PALETTES = {"dark": DARK, "light": LIGHT}
from dashboard.figures.theme import merge_layout  # noqa: E402
from store.vocab import CARD_ZH  # noqa: E402,F401 - re-exported for the document


def card_color(pal: Palette, card: str | None) -> str:
    return {"red": pal.red, "yellow": pal.yellow, "green": pal.green}.get(card or "", pal.grey)


def base_layout(pal: Palette, **kw) -> dict:
    """A plotly layout dict in the palette; nested dicts in ``kw`` merge one level deep."""
    axis = {"gridcolor": pal.grid, "zerolinecolor": pal.grid, "linecolor": pal.grid,
            "tickfont": {"color": pal.dim, "size": 15}}
    layout = {
        "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {"family": FONT_FAMILY, "color": pal.text, "size": 15},
        "margin": {"l": 10, "r": 10, "t": 10, "b": 10, "pad": 0},
        "colorway": list(pal.series), "showlegend": False,
        "xaxis": copy.deepcopy(axis), "yaxis": copy.deepcopy(axis),
        "legend": {"font": {"color": pal.text, "size": 15}, "bgcolor": "rgba(0,0,0,0)"},
    }
    return merge_layout(layout, kw)


def rgba(color: str, alpha: float) -> str:
    """'#3b82f6', 0.45 → 'rgba(59,130,246,0.45)' (a legend swatch then matches its bars)."""
    c = color.lstrip("#")
    return f"rgba({int(c[0:2], 16)},{int(c[2:4], 16)},{int(c[4:6], 16)},{alpha})"


def pct(v, decimals: int = 1) -> str:
    """0.9248 → '92.5%'; None / NaN → '—'."""
    return DASH if v is None or v != v else f"{float(v) * 100:.{decimals}f}%"


def num(v) -> str:
    return DASH if v is None or v != v else f"{int(round(float(v))):,}"


def shown(v, kind: str) -> float:
    """``v`` as the briefing prints it: a rate in percent to one decimal (0.9248 → 92.5),
    hours to one decimal, a count whole. A change is the difference of two shown figures,
    so 5.5 → 5.9 小时 reads ▲0.4 小时, never the ▲0.3 of the unrounded 5.54 and 5.86."""
    if kind == "rate":
        return float(f"{float(v) * 100:.1f}")
    if kind == "hours":
        return float(f"{float(v):.1f}")
    return float(int(round(float(v))))


def shown_change(now, before, kind: str) -> float:
    """The change between two figures as shown (:func:`shown`): points, hours or a count."""
    return round(shown(now, kind) - shown(before, kind), 1)
