"""``python -m etl load --progress FILE``: the load's progress as JSON lines, for a program
(the admin page runs loads as a subprocess and polls this file; a terminal gets tqdm).

Each line: ``{"t": seconds since start, "stage": ..., "rows": n, "total": n, "label": ...}``.
``stage`` is ``reading`` (files read and checked for columns), ``loading`` (rows checked and
stored; ``rows`` counts each row twice, once checked and once stored, out of ``total``,
which is 0 when a streamed events file's length is not known),
``publishing`` (the finished copy replaces the database), then ``done`` or ``failed``.
Lines are appended and flushed at most every half second, so a reader never sees a torn one
except the last, which it skips.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

EVERY_S = 0.5


class JsonLines:
    """Writes progress lines to one file; also the bar factory run_load accepts."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.t0 = time.monotonic()
        self.rows = 0
        self.total = 0
        self.label = ""
        self._last = 0.0
        self.path.write_text("", encoding="utf-8")

    def write(self, stage: str, **extra) -> None:
        line = {"t": round(time.monotonic() - self.t0, 2), "stage": stage, "rows": self.rows,
                "total": self.total, "label": self.label, **extra}
        with self.path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
        self._last = time.monotonic()

    # --- the bar interface etl.context.Context.tick uses ------------------------------------
    def __call__(self, total: int) -> "JsonLines":
        """run_load calls the factory with the number of row steps once files are read."""
        self.total = int(total)
        self.write("loading")
        return self

    def set_description_str(self, label: str, refresh: bool = False) -> None:
        self.label = str(label)

    def update(self, n: int) -> None:
        self.rows += int(n)
        if time.monotonic() - self._last >= EVERY_S:
            self.write("loading")

    def close(self) -> None:
        self.write("publishing")
