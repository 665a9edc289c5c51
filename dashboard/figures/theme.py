"""The palette, fonts and plotly defaults of every screen (wall, analysis, briefing), defined once.

A command-room wall is read from metres away in a dim room: a near-black navy ground,
cyan accents, and the traffic-light trio (green / yellow / red) reserved for status so
that colour alone already says "fine / watch / act". CSS in ``assets/gridwall.css`` uses
the same values (as CSS variables); keep the two in step.
"""
from __future__ import annotations

import copy

# --- colours -----------------------------------------------------------------------------
BG = "#040b1a"            # page background (letterbox bars too)
CANVAS = "#061229"        # the logical canvas
PANEL = "#0a1c3a"         # panel fill
PANEL_BORDER = "#1d4b8f"  # panel frame
GRID_LINE = "#17305a"     # axis grid lines
TEXT = "#e6f1ff"          # main text
TEXT_DIM = "#8aa4c8"      # captions, axis labels
ACCENT = "#27d3ff"        # cyan: titles, highlights, the selected unit
ACCENT_2 = "#3b82f6"      # blue: second series (closed vs reported)
GREEN = "#22c55e"
YELLOW = "#facc15"
RED = "#ef4444"
ORANGE = "#fb923c"
GREY = "#64748b"          # "no data"

HOTSPOT = "#ff4fd8"       # magenta: emerging hotspots, neither a status colour nor a class
SELECTED = "#ffffff"      # the selected grid's outline

CARD_COLORS = {"green": GREEN, "yellow": YELLOW, "red": RED}
CAMERA_COLORS = {"online": GREEN, "offline": GREY}

# Qualitative series (categories, channels, dispute types): bright on dark, status colours last.
SERIES = ["#27d3ff", "#3b82f6", "#a78bfa", "#34d399", "#f472b6", "#fbbf24", "#60a5fa",
          "#2dd4bf", "#c084fc", "#fb923c", "#94a3b8"]

# Sequential scale for choropleths (low = dark blue, high = hot).
SEQUENTIAL = [[0.0, "#0b2a55"], [0.25, "#1565c0"], [0.5, "#27d3ff"], [0.75, "#facc15"],
              [1.0, "#ef4444"]]

# Map classes. Counts and density: a neutral sequential blue ramp (dark → light), never red:
# volume is not a fault. Only red warnings use red, and its ramp grows from dull to bright.
VOLUME_CLASSES = ("#16345f", "#1f5593", "#2f78bf", "#56a3dc", "#9fd3f2")
WARM_CLASSES = ("#5c1f24", "#8a2329", "#b8282e", "#e0353a", "#ff5c5c")
# a unit with none of the measure: a slate grey off both ramps. It was #0e2142, the panel's own
# navy (contrast 1.05 at the map's opacity): a township with no red warning read as outside the
# county and the legend's '0' keyed a swatch nobody could see (1.11 on the legend's ground)
ZERO_COLOR = "#3f4654"

# --- fonts -------------------------------------------------------------------------------
# 'GridwallCJK' / 'GridwallCJKAny' are the subsets served from assets/fonts/ (@font-face in
# assets/gridwall-fonts.css, made by scripts/make_fonts.py); system names follow as fallbacks.
FONT_FAMILY = ("'GridwallCJK','GridwallCJKAny','Noto Sans CJK SC','Noto Sans SC',"
               "'Source Han Sans SC','Microsoft YaHei',sans-serif")
NUM_FONT_FAMILY = FONT_FAMILY   # Noto's digits are clear; tabular figures come from CSS

# Sizes on the 1920×1080 logical canvas (scaled with the canvas): legible from 5 m.
FONT_SIZE = 16            # axis ticks, table text
TITLE_SIZE = 20           # panel titles
KPI_SIZE = 44             # KPI numerals

NO_DATA = "暂无数据"
DASH = "—"                # a rate with no denominator


def base_layout(**kw) -> dict:
    """A plotly layout dict for a dark, transparent, tight figure; ``kw`` overrides keys.

    Nested dicts in ``kw`` (``font``, ``margin``, ``xaxis``, ...) are merged one level deep
    into the defaults, so ``base_layout(margin={"t": 30})`` keeps the other margins.
    """
    layout = {
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {"family": FONT_FAMILY, "color": TEXT, "size": FONT_SIZE},
        "margin": {"l": 8, "r": 8, "t": 8, "b": 8, "pad": 0},
        "colorway": SERIES,
        "showlegend": False,
        "hoverlabel": {"bgcolor": PANEL, "bordercolor": ACCENT,
                       "font": {"family": FONT_FAMILY, "color": TEXT, "size": FONT_SIZE}},
        "xaxis": {"gridcolor": GRID_LINE, "zerolinecolor": GRID_LINE, "linecolor": GRID_LINE,
                  "tickfont": {"color": TEXT_DIM, "size": FONT_SIZE}},
        "yaxis": {"gridcolor": GRID_LINE, "zerolinecolor": GRID_LINE, "linecolor": GRID_LINE,
                  "tickfont": {"color": TEXT_DIM, "size": FONT_SIZE}},
        "legend": {"font": {"color": TEXT, "size": FONT_SIZE}, "bgcolor": "rgba(0,0,0,0)"},
        "uirevision": "wall",
    }
    return merge_layout(layout, kw)


def merge_layout(layout: dict, overrides: dict) -> dict:
    """``layout`` with ``overrides`` applied; a dict value updates (one level) rather than
    replaces, so a caller can change one axis property and keep the theme's others."""
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(layout.get(key), dict):
            merged = copy.deepcopy(layout[key])
            merged.update(value)
            layout[key] = merged
        else:
            layout[key] = value
    return layout


# Config for every dcc.Graph on the wall: no mode bar, no plotly logo, no MathJax/CDN lookups.
GRAPH_CONFIG = {"displayModeBar": False, "displaylogo": False, "responsive": True,
                "scrollZoom": False, "doubleClick": False, "showTips": False}


def card_color(card: str | None) -> str:
    return CARD_COLORS.get(card or "", GREY)
