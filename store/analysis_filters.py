"""The analysis page's filters (研判筛选), parsed once from a URL query, used by every panel.

Why one parser: the page, its JSON API and the CSV export take the same parameters, so a
view and its export always describe the same events. Parameters:

window   today | 7d | week | 30d | month (relative to as_of's day; week = Monday–Sunday
         and month = the calendar month that contain it), or start / end dates [start, end)
start, end, as_of   as in /api/metrics (no window and no dates: the wall's window_days days
         ending with as_of's day, like /api/metrics; for the event list and its export:
         every report time)
township (code or name), grid (id), category, channel, department
status   reported | accepted | dispatched | closed | invalid (the stored status) | open
         (valid and not closed as of as_of)
warning  red | yellow (open at as_of and past close_h / within the yellow band; metrics.md)
q        keywords (关键词): every word, split on spaces, is in the event number, the address
         or the description (case-insensitive for Latin letters). What a duty officer has
         when a caller rings back: a case number, a street, a word such as 噪音. It does not
         apply to the hotspot rule, which counts rollups (like department and status).

Filters combine with AND; the window always applies (a red warning reported before the
window is not in a windowed list; the late list by department is the exception: it is the
backlog, see store.analysis_reads).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Mapping

from store import metrics as m
from store.db import ReadStore
from store.privacy import mask_text_sql, text_may_change_sql
from store.schema import STATUSES
from store.settings import Settings

PRESETS = ("today", "7d", "week", "30d", "month")
PRESET_ZH = {"today": "今日", "7d": "近7天", "week": "本周", "30d": "近30天", "month": "本月"}
WARNINGS = ("red", "yellow")
STATUS_FILTERS = (*STATUSES, "open")
FILTER_KEYS = ("window", "start", "end", "as_of", "township", "grid", "category", "channel",
               "department", "status", "warning", "q")
MAX_WORDS, MAX_Q = 5, 100          # a search, not a document
# the department of cases no department holds (a NULL department): the late list's row
# for them, and a ``department`` value like any other so its counts open their cases
UNASSIGNED = "未指派"


def department_sql(value: str, col: str = "department") -> tuple[str, list]:
    """The condition for ``department=value``: the stored value, or for UNASSIGNED the cases
    without one (as the late list groups them: coalesce, so a source that writes 未指派
    itself is the same row and the same list)."""
    if value == UNASSIGNED:
        return f"coalesce({col}, ?) = ?", [UNASSIGNED, UNASSIGNED]
    return f"{col} = ?", [value]


ALL_START, ALL_END = dt.date(1, 1, 1), dt.date(9999, 12, 31)   # window "all"


class FilterError(m.MetricsError):
    """A bad filter value; the API answers 400 with this message."""


@dataclass(frozen=True)
class Filters:
    start: dt.date
    end: dt.date
    as_of: dt.datetime
    window: str | None = None          # the preset, None for dates
    township: str | None = None        # township_code
    grid: str | None = None
    category: str | None = None
    channel: str | None = None
    department: str | None = None
    status: str | None = None
    warning: str | None = None
    q: str | None = None               # keywords, normalised: lower case, single spaces

    def key(self) -> tuple:
        """Plain values for cache keys."""
        return tuple(sorted((k, str(v)) for k, v in asdict(self).items()))

    @property
    def bounded(self) -> bool:
        return self.window != "all"

    def query(self) -> dict[str, str]:
        """URL parameters that reproduce these filters (dates and as_of explicit)."""
        out = ({"start": self.start.isoformat(), "end": self.end.isoformat()}
               if self.bounded else {})
        out["as_of"] = self.as_of.isoformat(sep="T")
        for k in ("township", "grid", "category", "channel", "department", "status", "warning",
                  "q"):
            v = getattr(self, k)
            if v:
                out[k] = v
        return out


def keyword_sql(q: str | None) -> tuple[str, list]:
    """SQL condition (and parameters) for the keywords ``q``: every word in the event number,
    the address or the description. ``strpos`` on lower-cased text (DuckDB and, through the
    dialect, ClickHouse alike; CJK text has no case). ``TRUE`` without keywords."""
    if not q:
        return "TRUE", []
    sql, params = [], []
    for word in q.split(" "):
        alts = []
        for col, masked in (("event_id", False), ("coalesce(address, '')", True),
                            ("coalesce(description, '')", True)):
            a_sql, a_params = _word_in(col, word, masked)
            alts.append(a_sql)
            params += a_params
        sql.append("(" + " OR ".join(alts) + ")")
    return " AND ".join(sql), params


# every character masking writes or can remove (store.privacy): ASCII and full-width digits,
# the star, the spaces and dashes it allows between digits, a landline's closing bracket
MASK_CHARS = frozenset("0123456789０１２３４５６７８９*　－—–‐-)）")


# Letters whose lower case DuckDB (a simple map), ClickHouse's lowerUTF8 (ICU, in context)
# and Python (full, with Final_Sigma) write differently: 'İ' -> 'i' / 'i̇' / 'i̇', a word-final
# 'Σ' -> 'σ' / 'ς' / 'ς'. A keyword and the texts are folded through these first, alike on
# both engines, so 'İstanbul' finds 'İSTANBUL' and 'ΟΔΟΣ' finds 'οδοσ' and 'οδος' everywhere.
FOLD = (("İ", "I"), ("Σ", "σ"), ("ς", "σ"))


def fold(text: str) -> str:
    """``text`` lower-cased as :func:`fold_sql` lower-cases a stored text."""
    for a, b in FOLD:
        text = text.replace(a, b)
    return text.lower()


def fold_sql(expr: str) -> str:
    """SQL: ``expr`` lower-cased the same way on DuckDB and ClickHouse (:data:`FOLD`)."""
    for a, b in FOLD:
        expr = f"replace({expr}, '{a}', '{b}')"
    return f"lower({expr})"


def _uncased(ch: str) -> bool:
    return ch.lower() == ch == ch.upper()


# the row's reporter, whose name and phone masking finds in its texts (store.privacy)
_OWN = ("reporter_name", "reporter_phone")


def _word_in(col: str, word: str, masked: bool) -> tuple[str, list]:
    """``word`` (lower case) in ``lower(mask(col))`` — the text as an officer reads it
    (phone and ID numbers, names after a role word and the row's own reporter masked,
    store.privacy: a number or a name typed in cannot find which case holds it) — without
    masking and lower-casing every row of a year or a city, which cost seconds a search at
    a million events (several regular expressions per row and word).

    Masking replaces runs of digits (ASCII or full-width, with the spaces, dashes and
    bracket it allows between them) by ``*``, and ``lower`` changes only cased letters; it
    changes other characters only in a text holding a role word (联系人, 当事人 ...) or its
    reporter's own name or phone (store.privacy.text_may_change_sql). So: a word with none
    of MASK_CHARS nor cased letters (噪音, 江滨路) is in the read text exactly when it is
    in the stored one, unless the text is one of those few; a word with cased letters but
    no digit or ``*`` likewise in ``lower(col)``; and any run of the word without cased
    letters or ``*`` (the longest is used) must be in the stored text as it is — a cheap
    test that spares the full one nearly every row."""
    touches_mask = masked and bool(MASK_CHARS & set(word))
    cased = not all(_uncased(c) for c in word)
    if not touches_mask and not cased:
        plain, plain_params = f"strpos({col}, ?) > 0", [word]
    else:
        full = f"strpos({fold_sql(mask_text_sql(col, *_OWN) if touches_mask else col)}, ?) > 0"
        runs, run = [], ""
        for c in word:
            if _uncased(c) and c != "*":
                run += c
            else:
                runs.append(run)
                run = ""
        anchor = max([*runs, run], key=len)
        plain, plain_params = ((full, [word]) if not anchor else
                               (f"(strpos({col}, ?) > 0 AND {full})", [anchor, word]))
    if not masked or touches_mask:
        return plain, plain_params
    read = f"strpos({fold_sql(mask_text_sql(col, *_OWN))}, ?) > 0"
    return (f"({plain} AND (NOT {text_may_change_sql(col, *_OWN)} OR {read}))",
            [*plain_params, word])


def parse_keywords(text: str | None) -> str | None:
    """``q`` normalised (lower case, words split on any space, full-width ones too); a
    FilterError past MAX_WORDS words or MAX_Q characters."""
    if not text:
        return None
    words = fold(text).split()        # str.split() splits on the ideographic space U+3000 too
    if len(words) > MAX_WORDS or len(text) > MAX_Q:
        raise FilterError(f"bad q: at most {MAX_WORDS} words and {MAX_Q} characters")
    return " ".join(words) or None


def preset_window(preset: str, as_of: dt.datetime) -> tuple[dt.date, dt.date]:
    d = as_of.date()
    one = dt.timedelta(days=1)
    if preset == "today":
        return d, d + one
    if preset == "7d":
        return d - 6 * one, d + one
    if preset == "30d":
        return d - 29 * one, d + one
    if preset == "week":
        monday = d - d.weekday() * one
        return monday, monday + 7 * one
    if preset == "month":
        first = d.replace(day=1)
        nxt = (first + 32 * one).replace(day=1)
        return first, nxt
    raise FilterError(f"bad window {preset!r}: use one of {', '.join(PRESETS)} or start/end")


def _clean(args: Mapping[str, str], key: str) -> str | None:
    v = args.get(key)
    if v is None:
        return None
    v = str(v).strip()
    return v or None


def check_query(args: Mapping[str, str], allowed) -> None:
    """FilterError when ``args`` (a request's query) names a key not in ``allowed`` (a typo
    must not silently widen an answer) or names one twice (?scope=a&scope=b: one value was
    used, the other dropped without a word). Every JSON route's one rule."""
    unknown = set(args) - set(allowed)
    if unknown:
        raise FilterError(f"unknown parameter(s): {', '.join(sorted(unknown))}")
    getlist = getattr(args, "getlist", None)
    twice = sorted(k for k in args if getlist is not None and len(getlist(k)) > 1)
    if twice:
        raise FilterError(f"{', '.join(twice)} given more than once: one value each")


def parse_filters(
    store: ReadStore,
    settings: Settings,
    args: Mapping[str, str],
    *,
    extra: tuple[str, ...] = (),
    as_of_default: dt.datetime | None = None,
    unbounded: bool = False,
) -> Filters:
    """Validate ``args`` (a request's query) into :class:`Filters`; FilterError if bad.

    ``extra`` names further parameters the caller reads itself (sort, page, ...); any other
    unknown parameter is an error, so a typo never silently widens a list. ``unbounded``:
    no window and no dates means every report time (window ``all``; the event list) instead
    of the wall's default window (figures that need a window).
    """
    # a key named twice (?category=A&category=B) is an error too: a list read as both held one
    check_query(args, set(FILTER_KEYS) | set(extra))
    as_of = m.parse_as_of(_clean(args, "as_of"), settings) or as_of_default
    as_of = m.resolve_as_of(store, settings, as_of)
    preset = _clean(args, "window")
    start = m.parse_date(_clean(args, "start"), "start")
    end = m.parse_date(_clean(args, "end"), "end")
    if preset and (start or end):
        raise FilterError("give either window or start/end, not both")
    if preset:
        start, end = preset_window(preset, as_of)
    else:
        days = int(settings.section("wall")["window_days"])
        d_start, d_end = m.default_window(as_of, days)
        if start is None and end is None and unbounded:
            start, end, preset = ALL_START, ALL_END, "all"
        elif start is None and end is None:
            start, end = d_start, d_end
        elif start is None:
            start = end - dt.timedelta(days=days)
        elif end is None:
            end = max(d_end, start + dt.timedelta(days=1))
    if end <= start:
        raise FilterError(f"end {end} must be after start {start}")
    township = _clean(args, "township")
    if township:
        township = m.parse_scope(store, f"township:{township}").code
    grid = _clean(args, "grid")
    if grid:        # an unknown grid is an error like an unknown township (not an empty list)
        grid = m.parse_scope(store, f"grid:{grid}").code
    if grid and township:   # nor is a grid of another township (every figure read 0 for it)
        (home,), = store.rows("SELECT township_code FROM grids WHERE grid_id = ?", [grid])
        if home != township:
            raise FilterError(f"grid {grid!r} is not in township {township!r}")
    status = _clean(args, "status")
    if status and status not in STATUS_FILTERS:
        raise FilterError(f"bad status {status!r}: use one of {', '.join(STATUS_FILTERS)}")
    warning = _clean(args, "warning")
    if warning and warning not in WARNINGS:
        raise FilterError(f"bad warning {warning!r}: use red or yellow")
    return Filters(start=start, end=end, as_of=as_of, window=preset, township=township,
                   grid=grid, category=_clean(args, "category"),
                   channel=_clean(args, "channel"), department=_clean(args, "department"),
                   status=status, warning=warning, q=parse_keywords(_clean(args, "q")))
