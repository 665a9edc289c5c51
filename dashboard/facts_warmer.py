"""Builds the store's per-version facts in the background of a served app.

/api/metrics answers from facts kept per published version (store.metrics.prepare: the old
events summed per day, the recent ones as rows, the closing days). Built on demand, the
first request after a load would wait for their scans (seconds at city scale); this thread
builds them as soon as the server starts and again after each publish, and the analysis
page's filter lists with them (store.analysis_reads.options).
"""
from __future__ import annotations

import atexit
import logging
import threading
import time

from dashboard import heap
from store import analysis_reads, hotspots, metrics

log = logging.getLogger(__name__)
EVERY_S = 5.0


class FactsWarmer:
    def __init__(self, ctx, every_s: float = EVERY_S):
        self.ctx, self.every_s = ctx, every_s
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="store-facts", daemon=True)

    def start(self) -> "FactsWarmer":
        atexit.register(self.stop)      # atexit runs while daemon threads still live
        self.thread.start()
        return self

    def stop(self, timeout: float = 60) -> None:
        """End the loop and wait for a build in flight: the store must not close (nor the
        process exit) while this thread is inside a query."""
        self.stopping.set()
        if self.thread.is_alive() and self.thread is not threading.current_thread():
            self.thread.join(timeout)

    def _loop(self) -> None:
        done = None
        while not self.stopping.is_set():
            try:
                version = self.ctx.store.version
                if version != done:
                    t0 = time.perf_counter()
                    metrics.prepare(self.ctx.store, self.ctx.settings)
                    # the analysis page's filter lists (every event's department): read here,
                    # not by the first officer to open the page after a load
                    analysis_reads.options(self.ctx.store, self.ctx.settings)
                    hotspots.grid_daily_agrees(self.ctx.store)   # which table hotspots read
                    heap.trim()     # the build's scans and frames are gone: give them back
                    done = version
                    log.info("store facts built in %.1f s", time.perf_counter() - t0)
            except Exception:  # noqa: BLE001 - the store may be missing for a while; try again
                log.debug("store facts skipped", exc_info=True)
            self.stopping.wait(self.every_s)
