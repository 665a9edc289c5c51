"""State shared by the loaders of one run: the open staging connection, the load id, the
settings, and the per-source report being filled in."""
from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd

from etl.rejects import Rejects
from store.settings import Settings


def derived_code(prefix: str, *parts: str) -> str:
    """A stable code from names: prefix + first 8 hex digits of sha1 of the parts."""
    text = "|".join(parts)
    return prefix + hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]


def derived_codes(prefix: str, *columns: pd.Series) -> np.ndarray:
    keys = pd.Series(list(zip(*[c.astype(object) for c in columns])), dtype=object)
    uniq = {k: derived_code(prefix, *map(str, k)) for k in pd.unique(keys)}
    return keys.map(uniq).to_numpy(dtype=object)


@dataclass
class Context:
    con: duckdb.DuckDBPyConnection
    load_id: int
    settings: Settings
    progress: object = None
    reports: dict[int, dict] = field(default_factory=dict)
    rejects: dict[int, Rejects] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    clock: object = None    # the load's now (etl.plausible.load_clock), set once
    # events batches are prepared in two threads; the progress bar counts one at a time
    _tick_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @contextlib.contextmanager
    def phase(self, name: str):
        """Time a phase of the load (seconds go to the report's ``timings``)."""
        t = time.monotonic()
        try:
            yield
        finally:
            self.timings[name] = round(self.timings.get(name, 0.0) + time.monotonic() - t, 3)

    @property
    def tz(self) -> str:
        return self.settings.timezone

    def report_for(self, reading) -> dict:
        rep = self.reports.get(reading.index)
        if rep is None:
            rep = {
                "kind": reading.src.kind, "file": reading.src.path,
                **{k: v for k, v in reading.data.info.items()},
                "rows_read": int(reading.n), "new": 0, "updated": 0, "unchanged": 0,
                "duplicates": 0, "rejected": 0, "rejected_by_reason": {},
                "warnings": {}, "seconds": 0.0, "_t0": time.monotonic(),
            }
            self.reports[reading.index] = rep
        return rep

    def rejects_for(self, reading, extra_raw: dict | None = None) -> Rejects:
        rj = self.rejects.get(reading.index)
        if rj is None:
            rj = Rejects(reading.src.kind, reading.src.path, reading.data.df, reading.data.rows,
                         extra_raw=extra_raw,
                         malformed=getattr(reading.data, "malformed", None))
            self.rejects[reading.index] = rj
        return rj

    def warn(self, reading, key: str, count: int, example: str | None = None) -> None:
        if count <= 0:
            return
        rep = self.report_for(reading)
        entry = {"count": int(count)}
        if example is not None:
            entry["example"] = example
        rep["warnings"][key] = entry

    def tick(self, rows: int, label: str | None = None) -> None:
        if self.progress is None:
            return
        with self._tick_lock:
            if label:
                self.progress.set_description_str(label, refresh=False)
            self.progress.update(rows)

    def finish_source(self, reading, counts: dict[str, int] | None = None,
                      duplicates: int = 0) -> None:
        """Final counts of one source (called once, after its rows are stored)."""
        self.tick(reading.n, f"{reading.src.path}: stored")
        rep = self.report_for(reading)
        if counts:
            for k in ("new", "updated", "unchanged"):
                rep[k] += int(counts.get(k, 0))
        rep["duplicates"] += int(duplicates)
        rj = self.rejects.get(reading.index)
        if rj is not None:
            by = rj.counts()
            rep["rejected_by_reason"] = by
            rep["rejected"] = int(sum(by.values()))
        rep["loaded"] = rep["new"]
        rep["accepted"] = rep["new"] + rep["updated"] + rep["unchanged"]
        rep["seconds"] = round(time.monotonic() - rep.pop("_t0", time.monotonic())
                               + rep.get("seconds", 0.0), 3)

    def flag_conflicts(self, readings_by_src: dict, conflicts: pd.DataFrame, what: str) -> None:
        """Reject later rows that reuse a key with different content (duplicate_conflict)."""
        if conflicts.empty:
            return
        conflicts = conflicts[conflicts["__pos"] >= 0]
        for src, grp in conflicts.groupby("__src"):
            r = readings_by_src[int(src)]
            rj = self.rejects_for(r)
            mask = np.zeros(r.n, dtype=bool)
            detail = np.full(r.n, "", dtype=object)
            for pos, fsrc, fpos in zip(grp["__pos"], grp["__first_src"], grp["__first_pos"]):
                first = readings_by_src[int(fsrc)]
                where = (f"row {int(first.data.rows[int(fpos)])}" if int(fpos) >= 0
                         else "case records")
                mask[int(pos)] = True
                detail[int(pos)] = (f"same {what} as {first.src.path} {where}, "
                                    "with different content")
            rj.flag(mask, "duplicate_conflict", detail)
