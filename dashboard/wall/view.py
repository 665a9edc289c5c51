"""What every panel needs to read its figures: the drill state, as_of and the window.

One :class:`View` per callback call, built from the ``drill-store`` data and ``ctx.as_of()``,
so all panels of one refresh use the same as_of and window and say so in their captions.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dashboard.wall import fmt
from store.metrics import default_window


@dataclass(frozen=True)
class View:
    township: str | None
    grid: str | None
    as_of: dt.datetime
    start: dt.date
    end: dt.date
    days: int

    @property
    def caption(self) -> str:
        """'近30日 06-01至06-30 · 截至06-30 17:34': window and as_of, for every panel."""
        return f"近{self.days}日 {fmt.span(self.start, self.end)} · 截至{fmt.stamp(self.as_of)}"

    @property
    def as_of_caption(self) -> str:
        return f"截至{fmt.stamp(self.as_of)}"


def current_view(ctx, drill: dict | None) -> View:
    drill = drill or {}
    as_of = ctx.as_of()
    days = int(ctx.settings.section("wall")["window_days"])
    start, end = default_window(as_of, days)
    return View(township=drill.get("township") or None, grid=drill.get("grid") or None,
                as_of=as_of, start=start, end=end, days=days)
