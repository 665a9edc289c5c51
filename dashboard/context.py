"""What every room of the app shares: the read store, the settings and the cache.

Rooms get one ``AppContext`` and never reach into each other. ``ctx.cached`` memoises a
read function under plain-value keys (codes, ISO strings) plus the store's version, so a
new load invalidates everything without an explicit flush.

flask-caching's SimpleCache pickles what it keeps, so each caller gets its own copy. A read
marked :func:`store.memo.shared_read` (large, and only ever cut by its callers) is kept as
the object itself instead, in a small in-process table: on a 10,000-grid city, unpickling
every township's grid ranking and every scope's warnings for each of the 41 views the
wall renders a minute cost ~0.7 s of that minute's ~5 s.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable

from flask_caching import Cache

from store import metrics as m
from store.db import ReadStore
from store.settings import Settings


@dataclass
class AppContext:
    store: ReadStore
    settings: Settings
    cache: Cache
    _inflight: dict = field(default_factory=dict, repr=False)
    _inflight_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _shared: OrderedDict = field(default_factory=OrderedDict, repr=False)
    # the role of the current request ("wall" | "officer" | "admin" | None), wired by the app
    # to dashboard.auth: screens ask the context, so no page imports auth (.importlinter)
    role: Callable[[], str | None] = field(default=lambda: None, repr=False)

    SHARED_KEEP = 16                 # shared reads kept (a few as_of minutes and windows)

    def cached(self, fn: Callable[..., Any], *args: Any, timeout: int = 600, **kwargs: Any) -> Any:
        """``fn(self.store, self.settings, *args, **kwargs)``, cached by plain-value args.

        Single flight: when several panels' callbacks ask for the same figures at once (a
        drill-down fires them together), one computes and the others wait for its result.
        A :func:`store.memo.shared_read` gives every caller the one object it computed.
        """
        parts = [fn.__module__, fn.__qualname__, self.store.version,
                 repr(args), repr(sorted(kwargs.items()))]
        key = "gw:" + hashlib.sha1("|".join(parts).encode()).hexdigest()
        if getattr(fn, "shared_read", False):
            get, put = self._shared_get, self._shared_put
        else:
            get, put = self.cache.get, lambda k, v: self.cache.set(k, v, timeout=timeout)
        value = get(key)
        if value is not None:
            return value
        with self._inflight_lock:
            lock = self._inflight.setdefault(key, threading.Lock())
        with lock:
            value = get(key)
            if value is None:
                value = fn(self.store, self.settings, *args, **kwargs)
                put(key, value)
        with self._inflight_lock:
            self._inflight.pop(key, None)
        return value

    def _shared_get(self, key: str) -> Any:
        with self._inflight_lock:
            value = self._shared.get(key)
            if value is not None:
                self._shared.move_to_end(key)
            return value

    def _shared_put(self, key: str, value: Any) -> None:
        with self._inflight_lock:
            self._shared[key] = value
            while len(self._shared) > self.SHARED_KEEP:
                self._shared.popitem(last=False)

    def as_of(self) -> dt.datetime:
        """as_of for a view that gives none (settings pin, the data's mode, or now)."""
        return self.cached(_as_of_now, timeout=10)

    def as_of_at(self, at: float) -> dt.datetime:
        """as_of as it will be at the clock instant ``at`` (``time.time()`` scale): the same
        as now unless as_of follows the clock. Not cached: the wall's renderer looks ahead."""
        return m.resolve_as_of(self.store, self.settings, at=at)

    def meta(self) -> dict[str, str]:
        return self.cached(_meta)

    @property
    def is_demo(self) -> bool:
        return self.meta().get("demo") == "true"


def _as_of_now(store: ReadStore, settings: Settings) -> dt.datetime:
    return m.resolve_as_of(store, settings)


def _meta(store: ReadStore, settings: Settings) -> dict[str, str]:
    return store.meta()
