"""One settings module: every key gridwall reads, its type and its default.

Settings come from a TOML file (``--settings``); keys left out take the defaults below, which
are also written out, commented, in ``data/settings.toml`` (except ``[categories]``: none by
default; the file lists the usual ten). Every value is checked when the file loads: an
unknown key or a bad value (a zone name misspelt, a target written as 98 for 0.98) stops
``etl load``, the server and the briefing with one line naming the key, exit 2.

Top level
    timezone (str, "Asia/Shanghai")     zone of naive timestamps and of as_of
    strict_categories (bool, false)     reject events whose category is not in [categories]
                                        (true needs a [categories] table)
    as_of (str, "")                     pin as_of: "" = the database's as_of_mode (default now),
                                        "now", "newest_report", or an ISO timestamp
    stale_after_h (float, 2)            data freshness: the feed is stale (数据已N小时未更新)
                                        when the newest report is older than this at now;
                                        never when as_of is pinned (not "now")
    camera_offline_after_h (float, 24)  a camera whose last_seen_at is older than this at
                                        as_of counts as offline, whatever its status says
    min_date (str, "2000-01-01")        the ETL rejects times before this date (bad_time)
    future_tolerance_h (float, 24)      the ETL rejects times more than this many hours after
                                        the load's clock (future_time): one mistyped year
                                        must never move the wall's as_of
[privacy]
    keep_reporter (bool, true)          false: the ETL drops reporter_name / reporter_phone
                                        at ingest (stored NULL, never in the database)
[limits]  (hours; per-category overrides in [limits.category."<name>"])
    accept_h (float, 3)  dispatch_h (float, 24)  close_h (float, 72)
    warn_fraction (float, 2/3)          yellow from warn_fraction*close_h up to close_h
    flag_red_multiple (float, 0)        also flag open events older than N*close_h (0 = off)
[categories."<name>"]                   known categories (none by default): the ETL lists
                                        others under unknown_categories; label_en (str) is
                                        an English name kept with it, shown on no screen
[geo]
    camera_radius_m (float, 300)        camera coverage radius, metres on the ground
    outside_tolerance_m (float, 500)    a point this far outside every grid is rejected;
                                        nearer, it joins the nearest grid
[hotspots]
    min_count (int, 5)  alpha (float, 0.01)  baseline_windows (int, 4)  floor_rate (float, 0.5)
    watch_p (float, 0.1)   with no emerging hotspot, the analysis page lists the grids above
                           their baseline with P(X ≥ k) below this (接近标准，供观察)
[cards]
    red_card_overdue (int, 5)  red_below (float, 0.90)  yellow_below (float, 0.95)
[targets]  (gauge targets, fractions)
    handling_rate (0.98)  on_time_rate (0.95)  timely_dispatch_rate (0.95)
    satisfaction_rate (0.95)
[wall]
    canvas_width (int, 1920)  canvas_height (int, 1080)
    fit (str, "contain")                contain (letterbox) | width (fill width) | stretch
    refresh_s (int, 60)  tour_s (int, 20)  window_days (int, 30)
    language (str, "zh")                kept for a later English switch: the screens are
                                        Simplified Chinese whatever it says (not refused, so
                                        a settings file written for another version still
                                        serves)
    ranking_min_events (int, 5)         inside a township, a grid with fewer cohort events
                                        is marked 样本少 and ranked after the others
    splice (str, "")                    the video wall's panels, columns x rows ("2x2", "3x3",
                                        "4x2" …, one of SPLICES): the wall keeps its figures,
                                        lists and titles off the bezels between them (URL
                                        ?splice= overrides, ?splice=none turns it off);
                                        "" = guessed from the screen's size as before
    county_grid_outlines_max (int, 5000) a county (city) with more grids draws no grid
                                        outlines on its county map (a few pixels a grid on
                                        the wall: noise, and most of the first view's bytes);
                                        the analysis page's 3D view at county level too;
                                        a township's map always draws its grids
[auth]  (roles and login; dashboard/auth/settings.py validates these)
    required (bool or "auto", "auto")   "auto": login required unless serving on loopback only
    session_hours (float, 12)           a password login lasts this long
    open_role (str, "officer")          role of a visitor without a session when not required
    cookie_secure (bool, false)         mark the session cookie Secure (behind TLS)
    free_failures (int, 3)  lockout_s (float, 2)  lockout_max_s (float, 900)
                                        failed logins per user+IP before a doubling lockout
[admin]  (the admin page /admin, docs/security.md)
    max_upload_mb (float, 200)          one upload (all its files together) larger than this
                                        is refused with 413 and a Chinese message
"""
from __future__ import annotations

import copy
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

DEFAULTS: dict[str, Any] = {
    "timezone": "Asia/Shanghai",
    "strict_categories": False,
    "as_of": "",
    "stale_after_h": 2.0,
    "camera_offline_after_h": 24.0,
    "min_date": "2000-01-01",
    "future_tolerance_h": 24.0,
    "privacy": {"keep_reporter": True},
    "limits": {
        "accept_h": 3.0,
        "dispatch_h": 24.0,
        "close_h": 72.0,
        "warn_fraction": 2 / 3,
        "flag_red_multiple": 0.0,
        "category": {},
    },
    "categories": {},
    "geo": {"camera_radius_m": 300.0, "outside_tolerance_m": 500.0},
    "hotspots": {"min_count": 5, "alpha": 0.01, "baseline_windows": 4, "floor_rate": 0.5,
                 "watch_p": 0.1},
    "cards": {"red_card_overdue": 5, "red_below": 0.90, "yellow_below": 0.95},
    "targets": {
        "handling_rate": 0.98,
        "on_time_rate": 0.95,
        "timely_dispatch_rate": 0.95,
        "satisfaction_rate": 0.95,
    },
    "wall": {
        "canvas_width": 1920,
        "canvas_height": 1080,
        "fit": "contain",
        "refresh_s": 60,
        "tour_s": 20,
        "window_days": 30,
        "language": "zh",
        "ranking_min_events": 5,
        "county_grid_outlines_max": 5000,
        "splice": "",
    },
    "auth": {
        "required": "auto",
        "session_hours": 12.0,
        "open_role": "officer",
        "cookie_secure": False,
        "free_failures": 3,
        "lockout_s": 2.0,
        "lockout_max_s": 900.0,
    },
    "admin": {"max_upload_mb": 200.0},
}

LIMIT_KEYS = ("accept_h", "dispatch_h", "close_h")
FIT_MODES = ("contain", "width", "stretch")
# spliced walls (拼接屏) the wall has a bezel-free layout for, columns x rows of panels
SPLICES = ("2x1", "3x1", "4x1", "1x2", "2x2", "3x2", "4x2", "3x3")
SPLICE_OFF = ("", "none", "1x1")


def parse_splice(value) -> str | None:
    """A splice as written in settings or the URL ("2x2", " 3X3 ", "4×2") → "2x2"; "" for
    none ("", "none", "1x1": one screen); None when it is not one of SPLICES."""
    if not isinstance(value, str):
        return None
    text = value.strip().lower().replace("×", "x").replace("*", "x").replace(" ", "")
    if text in SPLICE_OFF:
        return ""
    return text if text in SPLICES else None


class SettingsError(ValueError):
    """A settings file that cannot be used; the message names the file and the key."""


def _merge(base: dict, over: dict, where: str) -> dict:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if key not in base:
            raise SettingsError(f"unknown setting {where}{key}")
        if isinstance(base[key], dict) and key != "category" and key != "categories":
            if not isinstance(value, dict):
                raise SettingsError(f"setting {where}{key} must be a table")
            out[key] = _merge(base[key], value, f"{where}{key}.")
        else:
            out[key] = value
    return out


@dataclass(frozen=True)
class Settings:
    """Parsed settings; ``raw`` keeps the merged tree for keys without a helper."""

    raw: dict = field(default_factory=lambda: copy.deepcopy(DEFAULTS))
    source: str = "<defaults>"

    @classmethod
    def load(cls, path: str | Path | None = None) -> "Settings":
        if path is None:
            return cls()
        p = Path(path)
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise SettingsError(f"settings file not found: {p}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"settings file {p} is not valid TOML: {exc}") from exc
        merged = _merge(DEFAULTS, data, "")
        if isinstance(merged["as_of"], (date, datetime, time)):   # unquoted in the TOML
            merged["as_of"] = merged["as_of"].isoformat()        # as the load config takes it
        s = cls(raw=merged, source=str(p))
        s.validate()
        return s

    def validate(self) -> None:
        lim = self.raw["limits"]
        for key in LIMIT_KEYS:
            if not isinstance(lim[key], (int, float)) or lim[key] <= 0:
                raise SettingsError(f"{self.source}: limits.{key} must be a positive number")
        if not 0 < float(lim["warn_fraction"]) <= 1:
            raise SettingsError(f"{self.source}: limits.warn_fraction must be in (0, 1]")
        for cat, over in lim["category"].items():
            for key, value in over.items():
                if key not in LIMIT_KEYS:
                    raise SettingsError(
                        f"{self.source}: limits.category.{cat}.{key} is not one of {LIMIT_KEYS}"
                    )
                if not isinstance(value, (int, float)) or value <= 0:
                    raise SettingsError(
                        f"{self.source}: limits.category.{cat}.{key} must be a positive number"
                    )
        for key in ("stale_after_h", "camera_offline_after_h"):
            value = self.raw[key]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise SettingsError(f"{self.source}: {key} must be a positive number (hours)")
        self._validate_ingest()
        self._validate_hotspots()
        if self.strict_categories and not self.known_categories:
            raise SettingsError(f"{self.source}: strict_categories = true needs a "
                                "[categories] table to check against (it would reject "
                                "every event)")
        mb = self.raw["admin"]["max_upload_mb"]
        if isinstance(mb, bool) or not isinstance(mb, (int, float)) or mb <= 0:
            raise SettingsError(f"{self.source}: admin.max_upload_mb must be a positive number")
        if self.raw["wall"]["fit"] not in FIT_MODES:
            raise SettingsError(f"{self.source}: wall.fit must be one of {FIT_MODES}")
        if parse_splice(self.raw["wall"]["splice"]) is None:
            raise SettingsError(f"{self.source}: wall.splice must be \"\" (one screen) or the "
                                f"wall's panels, columns x rows, one of {', '.join(SPLICES)}; "
                                f"not {self.raw['wall']['splice']!r}")
        self._validate_clock()
        self._validate_screens()

    def _validate_clock(self) -> None:
        """timezone and as_of: a typo here served every page as a 500 (an unknown zone) or
        every API call as 400 bad as_of, long after the server had started."""
        from zoneinfo import ZoneInfo

        tz = self.raw["timezone"]
        try:
            if not isinstance(tz, str) or not tz:
                raise ValueError
            ZoneInfo(tz)
        except Exception:   # ValueError, ZoneInfoNotFoundError, a path-like key
            raise SettingsError(f"{self.source}: timezone {tz!r} is not a time zone name "
                                "like \"Asia/Shanghai\"") from None
        as_of = self.raw["as_of"]
        if not isinstance(as_of, str):
            raise SettingsError(f"{self.source}: as_of must be text in quotes: \"\", \"now\", "
                                "\"newest_report\" or \"2025-06-30T18:00:00\"")
        if as_of.strip() not in ("", "now", "newest_report"):
            try:
                value = datetime.fromisoformat(as_of.strip().replace(" ", "T", 1))
            except ValueError:
                value = None
            if value is None or not 1900 <= value.year <= 2999:
                raise SettingsError(f"{self.source}: as_of {as_of!r} must be \"\", \"now\", "
                                    "\"newest_report\" or an ISO timestamp like "
                                    "\"2025-06-30T18:00:00\"")

    def _validate_screens(self) -> None:
        """[geo], [targets], [cards], [wall] and limits.flag_red_multiple: values read by the
        screens, checked here so a bad one stops the server, the load and the briefing with
        one line naming it, instead of a wall that reads wrong (targets written as percent:
        every gauge red; window_days = 0: every figure 0; camera_radius_m < 0: every
        hotspot a 视频盲区) or answers 500 (canvas_width = "wide")."""
        def number(v):
            return not isinstance(v, bool) and isinstance(v, (int, float))

        def whole(v):
            return not isinstance(v, bool) and isinstance(v, int)

        checks = [
            ("limits", "flag_red_multiple", lambda v: number(v) and v >= 0,
             "a number >= 0 (0 = off)"),
            ("geo", "camera_radius_m", lambda v: number(v) and v > 0, "a positive number of metres"),
            ("geo", "outside_tolerance_m", lambda v: number(v) and v >= 0,
             "a number of metres >= 0"),
            ("cards", "red_card_overdue", lambda v: whole(v) and v >= 0, "a whole number >= 0"),
            ("cards", "red_below", lambda v: number(v) and 0 <= v <= 1,
             "a fraction in [0, 1] like 0.90 (90 %)"),
            ("cards", "yellow_below", lambda v: number(v) and 0 <= v <= 1,
             "a fraction in [0, 1] like 0.95 (95 %)"),
            ("wall", "canvas_width", lambda v: whole(v) and v >= 1, "a whole number of pixels"),
            ("wall", "canvas_height", lambda v: whole(v) and v >= 1, "a whole number of pixels"),
            ("wall", "refresh_s", lambda v: number(v) and v > 0, "a positive number of seconds"),
            ("wall", "tour_s", lambda v: number(v) and v > 0, "a positive number of seconds"),
            ("wall", "window_days", lambda v: whole(v) and v >= 1, "a whole number of days >= 1"),
            ("wall", "ranking_min_events", lambda v: whole(v) and v >= 0, "a whole number >= 0"),
            ("wall", "county_grid_outlines_max", lambda v: whole(v) and v >= 0,
             "a whole number >= 0"),
        ]
        checks += [("targets", key, lambda v: number(v) and 0 < v <= 1,
                    "a fraction in (0, 1] like 0.98 (98 %)") for key in self.raw["targets"]]
        for section, key, ok, what in checks:
            value = self.raw[section][key]
            if not ok(value):
                raise SettingsError(f"{self.source}: {section}.{key} must be {what}, "
                                    f"not {value!r}")

    def _validate_hotspots(self) -> None:
        """[hotspots]: counts are whole numbers of at least 1, the probabilities in (0, 1],
        the floor a positive rate (a bad value would only fail later, on the analysis page)."""
        hs = self.raw["hotspots"]
        for key, ok, what in (
                ("min_count", lambda v: isinstance(v, int) and v >= 1, "a whole number >= 1"),
                ("baseline_windows", lambda v: isinstance(v, int) and v >= 1,
                 "a whole number >= 1"),
                ("alpha", lambda v: isinstance(v, (int, float)) and 0 < v <= 1,
                 "a probability in (0, 1]"),
                ("watch_p", lambda v: isinstance(v, (int, float)) and 0 < v <= 1,
                 "a probability in (0, 1]"),
                ("floor_rate", lambda v: isinstance(v, (int, float)) and v > 0,
                 "a positive number")):
            value = hs[key]
            if isinstance(value, bool) or not ok(value):
                raise SettingsError(f"{self.source}: hotspots.{key} must be {what}, "
                                    f"not {value!r}")

    def _validate_ingest(self) -> None:
        """The ETL's plausibility bounds and privacy switch."""
        from datetime import date

        value = self.raw["min_date"]
        try:
            date.fromisoformat(str(value))
        except ValueError:
            raise SettingsError(f"{self.source}: min_date must be a date like "
                                f"\"2000-01-01\", not {value!r}") from None
        tol = self.raw["future_tolerance_h"]
        if isinstance(tol, bool) or not isinstance(tol, (int, float)) or tol < 0:
            raise SettingsError(f"{self.source}: future_tolerance_h must be a number of "
                                "hours >= 0")
        if not isinstance(self.raw["privacy"]["keep_reporter"], bool):
            raise SettingsError(f"{self.source}: privacy.keep_reporter must be true or false")

    # --- helpers -------------------------------------------------------------------------
    def section(self, name: str) -> dict:
        return self.raw[name]

    @property
    def timezone(self) -> str:
        return self.raw["timezone"]

    @property
    def strict_categories(self) -> bool:
        return bool(self.raw["strict_categories"])

    @property
    def known_categories(self) -> list[str]:
        return list(self.raw["categories"].keys())

    def limit(self, key: str, category: str | None = None) -> float:
        """Limit ``key`` (accept_h | dispatch_h | close_h) in hours for ``category``."""
        over = self.raw["limits"]["category"].get(category or "", {})
        return float(over.get(key, self.raw["limits"][key]))

    def category_limits(self) -> list[tuple[str, float, float, float]]:
        """(category, accept_h, dispatch_h, close_h) for every category with an override."""
        return [
            (cat, self.limit("accept_h", cat), self.limit("dispatch_h", cat),
             self.limit("close_h", cat))
            for cat in self.raw["limits"]["category"]
        ]

    @property
    def stale_after_h(self) -> float:
        return float(self.raw["stale_after_h"])

    @property
    def camera_offline_after_h(self) -> float:
        return float(self.raw["camera_offline_after_h"])

    @property
    def min_date(self) -> str:
        return str(self.raw["min_date"])

    @property
    def future_tolerance_h(self) -> float:
        return float(self.raw["future_tolerance_h"])

    @property
    def keep_reporter(self) -> bool:
        return bool(self.raw["privacy"]["keep_reporter"])

    @property
    def warn_fraction(self) -> float:
        return float(self.raw["limits"]["warn_fraction"])

    def cache_key(self) -> str:
        """A stable string for cache keys: two equal settings give the same key."""
        import json

        return json.dumps(self.raw, sort_keys=True, ensure_ascii=False)
