"""etl.threads: work split over the load's threads comes back whole and in order."""
from __future__ import annotations

import numpy as np
import shapely

from etl import threads


def test_per_slice_equals_one_call_in_order(monkeypatch):
    monkeypatch.setattr(threads, "ETL_THREADS", 3)
    boxes = shapely.box(0, 0, np.arange(1, 1001), 1.0)           # areas 1 .. 1000, in order
    got = threads.per_slice(shapely.area, boxes)
    assert got.tolist() == list(range(1, 1001))
    pairs = threads.per_slice(lambda a, b: shapely.area(shapely.intersection(a, b)),
                              boxes, boxes[::-1].copy())
    assert pairs.tolist() == shapely.area(shapely.intersection(boxes, boxes[::-1])).tolist()


def test_small_input_or_one_thread_is_one_call(monkeypatch):
    calls = []

    def area(g):
        calls.append(len(g))
        return shapely.area(g)

    boxes = shapely.box(0, 0, np.arange(1, 1001), 1.0)
    monkeypatch.setattr(threads, "ETL_THREADS", 2)
    threads.per_slice(area, boxes[:100])
    threads.per_slice(area, boxes)
    monkeypatch.setattr(threads, "ETL_THREADS", 1)
    threads.per_slice(area, boxes)
    assert calls == [100, 500, 500, 1000]


def test_map_threads_keeps_order(monkeypatch):
    monkeypatch.setattr(threads, "ETL_THREADS", 2)
    assert threads.map_threads(lambda k: k * k, range(50)) == [k * k for k in range(50)]
    assert threads.map_threads(str, []) == []
