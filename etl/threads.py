"""How many threads the load works in, and a map over slices of an array in them.

numpy, Arrow, GEOS (shapely's vectorised functions) and PROJ (pyproj ≥ 3.1, thread-safe)
release the GIL, so on this machine kind's two cores two threads do the work of a 4,000- or
10,000-grid city's polygons in about half the time (docs/scale.md, "Grids").
"""
from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import numpy as np

T = TypeVar("T")
R = TypeVar("R")

# GRIDWALL_ETL_THREADS: batches of events prepared at once, and polygon work's threads
ETL_THREADS = max(1, int(os.environ.get("GRIDWALL_ETL_THREADS", "2")))


def map_threads(fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """``[fn(x) for x in items]``, in ``ETL_THREADS`` threads, results in order."""
    if ETL_THREADS == 1 or len(items) < 2:
        return [fn(x) for x in items]
    with ThreadPoolExecutor(max_workers=ETL_THREADS) as pool:
        return list(pool.map(fn, items))


def per_slice(fn: Callable[..., np.ndarray], *arrays: np.ndarray, min_rows: int = 256) -> np.ndarray:
    """``fn(*arrays)`` for an elementwise ``fn``, run on ``ETL_THREADS`` slices of the arrays
    at once and concatenated; arrays under ``min_rows`` rows (or one thread) in one call."""
    n = len(arrays[0])
    if ETL_THREADS == 1 or n < min_rows:
        return fn(*arrays)
    cuts = np.linspace(0, n, ETL_THREADS + 1).astype(int)
    parts = map_threads(lambda k: fn(*(a[cuts[k]:cuts[k + 1]] for a in arrays)),
                        range(ETL_THREADS))
    return np.concatenate(parts)
