"""Ctrl-C and SIGTERM during a load: remembered, not only raised.

Python raises KeyboardInterrupt wherever the main thread happens to be; inside a DuckDB
query DuckDB turns it into its own error ('Query interrupted'), which read as 'unexpected
RuntimeError', and a KeyboardInterrupt raised where a reader swallows it let the load go
on and publish. The CLI installs :func:`install`; the load asks :func:`requested` before it
publishes and when anything stops it, so an interrupted load is always reported as one,
and never published.
"""
from __future__ import annotations

import signal
import threading

_STOP = threading.Event()


def install() -> None:
    """SIGINT and SIGTERM (systemctl stop, kill, a cron timeout) set the flag and raise
    KeyboardInterrupt (main thread only; a SIGINT the parent ignores stays ignored)."""
    if threading.current_thread() is not threading.main_thread():
        return

    def _interrupt(signum, frame):
        _STOP.set()
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _interrupt)
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        signal.signal(signal.SIGINT, _interrupt)


def requested() -> bool:
    return _STOP.is_set()
