"""Colours the figures share, taken from the wall's theme so every screen reads alike, plus
the deck.gl forms (RGBA lists) the 3D view needs."""
from __future__ import annotations

from dashboard.figures import theme

HOTSPOT = theme.HOTSPOT    # magenta, as on the wall: neither a status colour nor a class
SELECTED = theme.SELECTED


def rgba(hex_color: str, alpha: int = 255) -> list[int]:
    """'#rrggbb' → [r, g, b, a] for deck.gl."""
    h = hex_color.lstrip("#")
    return [int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16), alpha]


# low → high density: the wall's sequential scale, six steps
DENSITY_RANGE = [rgba(c) for c in ("#0b2a55", "#1565c0", "#27d3ff", "#facc15", "#fb923c",
                                   "#ef4444")]
TOWNSHIP_LINE = rgba(theme.ACCENT, 200)
GRID_LINE = rgba("#2a5ea8", 150)
HOTSPOT_LINE = rgba(HOTSPOT)
SELECTED_LINE = rgba(SELECTED)
GAP_RING = rgba(theme.RED)
CAMERA_ONLINE = rgba(theme.GREEN, 170)
CAMERA_OFFLINE = rgba(theme.GREY, 200)
