"""What both read stores (the DuckDB file, ClickHouse) share: the readers/writer gate that
lets a publish swap the connection only between queries, and the small reads every store
builds from ``cursor`` and ``rows``."""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Callable, Iterator, TypeVar

from store.memo import VersionMemo

T = TypeVar("T")


class SwapGate:
    """Readers hold the current connection; a swap (a new publish) waits until they have all
    left and holds new readers back until it is done; closing waits for readers too."""

    def __init__(self):
        self._cond = threading.Condition()
        self._readers = 0
        self._swapping = False

    def swap(self, stale: Callable[[], bool], renew: Callable[[], None]) -> None:
        """``renew()`` with no reader inside, if ``stale()`` still holds once the gate is held
        (another thread may have renewed meanwhile)."""
        with self._cond:
            if not stale():
                return
            self._swapping = True
            while self._readers:
                self._cond.wait()
            try:
                renew()
            finally:
                self._swapping = False
                self._cond.notify_all()

    @contextmanager
    def reading(self, enter: Callable[[], T] = lambda: None) -> Iterator[T]:
        """One reader inside: ``enter()`` runs once no swap does (before the reader counts),
        and what it gives is yielded."""
        with self._cond:
            while self._swapping:
                self._cond.wait()
            got = enter()
            self._readers += 1
        try:
            yield got
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    def drain(self, last: Callable[[], None]) -> None:
        """``last()`` (closing the connection) once every reader has left."""
        with self._cond:
            while self._readers:
                self._cond.wait()
            last()


class BaseStore(VersionMemo):
    """The reads both stores answer the same way on top of their own ``cursor`` and ``rows``."""

    def scalar(self, sql: str, params: list | dict | None = None):
        with self.cursor() as cur:
            row = cur.execute(sql, params or []).fetchone()
        return None if row is None else row[0]

    def meta(self) -> dict[str, str]:
        return dict(self.rows("SELECT key, value FROM meta"))
