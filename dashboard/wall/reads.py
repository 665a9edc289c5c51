"""``read(ctx, fn, *args)``: ``ctx.cached`` with one computation per key at a time.

A drill-down fires a dozen callbacks at once, and several need the same read (the KPI
strip, the gauges and the warning counts all read ``wall_reads.kpis``). Without this they
would all miss the cache together and run the same query in parallel on a 2-core box; with
it, the first computes and the others wait for its cached result.
"""
from __future__ import annotations

import threading
import zlib

_LOCKS = [threading.Lock() for _ in range(64)]


def read(ctx, fn, *args, **kwargs):
    key = f"{fn.__module__}.{fn.__qualname__}|{args!r}|{sorted(kwargs.items())!r}"
    with _LOCKS[zlib.crc32(key.encode()) % len(_LOCKS)]:
        return ctx.cached(fn, *args, **kwargs)
