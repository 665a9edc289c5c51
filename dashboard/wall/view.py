"""What every panel needs to read its figures: the drill state, as_of and the window.

One :class:`View` per callback call, built from the ``drill-store`` data and ``ctx.as_of()``,
so all panels of one refresh use the same as_of and window and say so in their captions.

The window comes from the URL (``?window=today|7d|week|30d|month`` or
``?start=YYYY-MM-DD&end=YYYY-MM-DD``, ``end`` the first day outside as in /api/metrics) and is
resolved against as_of on every call, so "今日" follows as_of across midnight. Without either,
the settings' ``[wall] window_days`` (the last N days) is the window.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dashboard.figures.numbers import distinct_name, shared_affixes
from dashboard.figures.wall_map import DEFAULT_LAYERS, DEFAULT_MEASURE
from dashboard.wall import fmt
from store import map_view
from store import wall_reads as wr
from store.metrics import default_window
from store.vocab import MAP_MEASURES

# preset key → label; the order is the selector's
PRESETS = {"today": "今日", "7d": "近7天", "week": "本周", "30d": "近30天", "month": "本月"}
CUSTOM = "custom"
MAX_CUSTOM_DAYS = 366 * 3


@dataclass(frozen=True)
class View:
    township: str | None
    grid: str | None
    as_of: dt.datetime
    start: dt.date
    end: dt.date
    days: int
    window: str = "30d"           # a key of PRESETS, "custom", or "default" (settings' days)
    label: str = ""
    layers: tuple[str, ...] = ()  # the map's layers (sorted) and measure, as the controls say
    measure: str = ""
    notice: tuple[str, ...] = ()  # what the URL asked for and is not shown (drill.py)

    @property
    def window_label(self) -> str:
        return self.label or f"近{self.days}天"

    @property
    def caption(self) -> str:
        """'近30天 06-01至06-30 · 截至06-30 17:34': window and as_of, for every panel."""
        return (f"{self.window_label} {fmt.span(self.start, self.end, self.as_of.year)}"
                f" · 截至{fmt.stamp(self.as_of)}")

    @property
    def as_of_caption(self) -> str:
        return f"截至{fmt.stamp(self.as_of)}"

    @property
    def query(self) -> str:
        """The window as URL parameters (for links to other pages): 'window=7d' or 'start=..&end=..'."""
        if self.window == CUSTOM:
            return f"start={self.start.isoformat()}&end={self.end.isoformat()}"
        if self.window in PRESETS:
            return f"window={self.window}"
        return ""


def url_day(text) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(text).strip()) if text else None
    except ValueError:
        return None


def window_params(window: str | None, start: str | None, end: str | None) -> dict:
    """The URL's window, checked (no as_of needed): {"window", "start", "end"} plain values.

    A known preset wins; else a valid custom range (end after start, at most three years);
    else nothing (the settings' default).
    """
    if window in PRESETS:
        return {"window": window, "start": None, "end": None}
    s, e = url_day(start), url_day(end)
    if s and e and s < e and (e - s).days <= MAX_CUSTOM_DAYS:
        return {"window": CUSTOM, "start": s.isoformat(), "end": e.isoformat()}
    return {"window": None, "start": None, "end": None}


def resolve_window(params: dict | None, as_of: dt.datetime,
                   default_days: int) -> tuple[str, str, dt.date, dt.date]:
    """(key, label, start, end) of the window for as_of; ``end`` is the first day outside."""
    params = params or {}
    key = params.get("window")
    day = as_of.date()
    nxt = day + dt.timedelta(days=1)
    if key == "today":
        return key, PRESETS[key], day, nxt
    if key == "7d":
        return key, PRESETS[key], nxt - dt.timedelta(days=7), nxt
    if key == "30d":
        return key, PRESETS[key], nxt - dt.timedelta(days=30), nxt
    if key == "week":                       # the calendar week Mon–Sun holding as_of
        monday = day - dt.timedelta(days=day.weekday())
        return key, PRESETS[key], monday, monday + dt.timedelta(days=7)
    if key == "month":
        first = day.replace(day=1)
        following = (first + dt.timedelta(days=32)).replace(day=1)
        return key, PRESETS[key], first, following
    if key == CUSTOM:
        s, e = url_day(params.get("start")), url_day(params.get("end"))
        if s and e and s < e:
            return CUSTOM, "自选时段", s, e
    start, end = default_window(as_of, default_days)
    preset = {1: "today", 7: "7d", 30: "30d"}.get(default_days)
    return (preset or "default"), default_label(default_days), start, end


def default_label(default_days: int) -> str:
    """The label of the settings' default window: '近30天' (a preset's own label)."""
    preset = {1: "today", 7: "7d", 30: "30d"}.get(default_days)
    return PRESETS[preset] if preset else f"近{default_days}天"


def min_events(ctx) -> int:
    """[wall] ranking_min_events: below it a grid's rates are marked 样本少 (default 5)."""
    return int(ctx.settings.section("wall")["ranking_min_events"])


def outlines_max(ctx) -> int:
    """[wall] county_grid_outlines_max: with more grids the county map draws no grid outlines
    (its legend says so instead)."""
    return map_view.outlines_max(ctx.settings)


def county_grids_left_out(ctx, v) -> bool:
    """Whether view ``v`` is a county map whose grid outlines are on but left out."""
    return map_view.grids_left_out(ctx.cached, v.township, v.layers, outlines_max(ctx)) > 0


def name_affixes(store, settings) -> dict:
    """For ``ctx.cached``: what the county's township names all share, its grid names, and
    each township's grid names (by code; numbers.shared_affixes), left out where a
    name is listed in short (:class:`ShortNames`)."""
    names = wr.unit_names(store, settings)
    return {"township": shared_affixes(names["township"]),
            "grid": shared_affixes(names["grid"]),
            "grid_in": {t: shared_affixes(g) for t, g in names["grid_by_town"].items()}}


@dataclass(frozen=True)
class ShortNames:
    """Township and grid names as a view lists them: without what every name of the list
    shares (numbers.distinct_name), the grids of a drilled township against that
    township's grids. The whole name stays in titles, the card and the panel titles."""

    affixes: dict
    township: str | None = None

    def town(self, name):
        return distinct_name(name, self.affixes.get("township"))

    def grid(self, name):
        grid_in = self.affixes.get("grid_in", {})
        return distinct_name(name, grid_in.get(self.township) if self.township in grid_in
                             else self.affixes.get("grid"))


def short_names(ctx, v) -> ShortNames:
    return ShortNames(ctx.cached(name_affixes), v.township)


def current_view(ctx, drill: dict | None, layers=None, measure: str | None = None,
                 as_of: dt.datetime | None = None) -> View:
    """The view of ``drill`` (drill-store data) now (or at ``as_of``); ``layers`` and
    ``measure`` are the map controls' values (None: the map's defaults)."""
    drill = drill or {}
    as_of = as_of or ctx.as_of()
    days = int(ctx.settings.section("wall")["window_days"])
    key, label, start, end = resolve_window(drill, as_of, days)
    return View(township=drill.get("township") or None, grid=drill.get("grid") or None,
                as_of=as_of, start=start, end=end, days=(end - start).days, window=key,
                label=label,
                layers=tuple(sorted(DEFAULT_LAYERS if layers is None else layers)),
                measure=measure if measure in MAP_MEASURES else DEFAULT_MEASURE,
                notice=tuple(drill.get("notice") or ()))
