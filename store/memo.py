"""Small facts derived from one published version of the data, computed once per version.

Both stores (DuckDB file, ClickHouse) mix this in: the backlog's earliest report per closing
day (store/metrics.py ``backlog_floor``) is such a fact, and every query of that version uses
it to prune. A publish changes ``version`` and forgets them all.
"""
from __future__ import annotations

import threading


class VersionMemo:
    """``memo(key, make)``: ``make()`` once per ``self.version``, then from memory."""

    _memo_lock = threading.Lock()     # shared by all stores: only held for dict updates

    def memo(self, key, make):
        version = self.version
        with self._memo_lock:
            memo = self.__dict__.setdefault("_memo_by_version", {})
            if version not in memo:
                memo.clear()
                memo[version] = {}
            if key in memo[version]:
                return memo[version][key]
            # one builder per key: a request arriving while the background warmer builds
            # the same fact waits for it instead of scanning the events a second time
            building = self.__dict__.setdefault("_memo_building", {})
            gate = building.setdefault((version, key), threading.Lock())
        with gate:
            with self._memo_lock:
                if key in self._memo_by_version.get(version, {}):
                    return self._memo_by_version[version][key]
            value = make()
            with self._memo_lock:
                if version in self._memo_by_version:
                    self._memo_by_version[version][key] = value
                self._memo_building.pop((version, key), None)
        return value


def shared_read(fn):
    """Mark a read whose result its callers only cut parts from and never change: a cache
    (dashboard.context) may then hand every caller the one object instead of a copy. Meant
    for large reads that many views cut from (every township's grids, every scope's
    warnings); a test compares each, after the wall has used it, with a fresh read."""
    fn.shared_read = True
    return fn
