"""How a number reads to a duty officer or a meeting, the same on every screen and export."""
from __future__ import annotations


def p_value(p) -> str:
    """A hotspot's p (the Poisson tail, metrics.md): three decimals, and "<0.001" below that.

    Below 0.001 the exact figure says nothing an officer acts on, and at city scale it
    underflows (a grid with 900 cases against a baseline of 300 has p < 1e-300, which
    "{:.1g}" printed as "0" and the analysis table as "<1e-300")."""
    if p is None or p != p:
        return "—"
    return "<0.001" if p < 0.001 else f"{p:.3f}"
