"""Failed logins, counted per user name + client address, lock that pair out for a while.

After ``free`` failures each further failure locks the pair for ``base * 2**k`` seconds (up to
``cap``); while locked, even the right password is refused without being checked, so guessing
gets exponentially slower. Every failed answer is also delayed a little (growing, at most 2 s,
and only a few at a time so the delay cannot tie up the server's threads). In memory: a restart
forgets, which only helps the one who restarts the server.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass

MAX_KEYS = 10_000
DELAY_CAP_S = 2.0


@dataclass
class _State:
    failures: int = 0
    locked_until: float = 0.0
    last: float = 0.0


class LoginThrottle:
    def __init__(self, free: int = 3, base_s: float = 2.0, cap_s: float = 900.0):
        self.free, self.base_s, self.cap_s = free, base_s, cap_s
        self._states: dict[tuple[str, str], _State] = {}
        self._lock = threading.Lock()
        self._sleepers = threading.BoundedSemaphore(4)

    def wait_s(self, user: str, ip: str, now: float | None = None) -> float:
        """Seconds until this pair may try again (0 = now)."""
        now = time.time() if now is None else now
        with self._lock:
            st = self._states.get((user.lower(), ip))
            return max(0.0, st.locked_until - now) if st else 0.0

    def failed(self, user: str, ip: str, now: float | None = None) -> float:
        """Record a failure; returns the lockout now in force (seconds)."""
        now = time.time() if now is None else now
        with self._lock:
            if len(self._states) > MAX_KEYS:
                self._prune(now)
            st = self._states.setdefault((user.lower(), ip), _State())
            st.failures += 1
            st.last = now
            over = st.failures - self.free
            if over > 0:
                st.locked_until = now + min(self.base_s * 2 ** (over - 1), self.cap_s)
            return max(0.0, st.locked_until - now)

    def failures(self, user: str, ip: str) -> int:
        with self._lock:
            st = self._states.get((user.lower(), ip))
            return st.failures if st else 0

    def succeeded(self, user: str, ip: str) -> None:
        with self._lock:
            self._states.pop((user.lower(), ip), None)

    def slow_down(self, failures: int) -> None:
        """Delay a failed answer by 0.25 s · 2^(n-1), at most 2 s, at most 4 at once."""
        if failures <= 0 or not self._sleepers.acquire(blocking=False):
            return
        try:
            time.sleep(min(0.25 * 2 ** (failures - 1), DELAY_CAP_S))
        finally:
            self._sleepers.release()

    def _prune(self, now: float) -> None:
        """Forget pairs no longer locked and quiet for 15 min; if still too many (a flood of
        made-up names), keep the newer half."""
        for k in [k for k, s in self._states.items()
                  if s.locked_until < now and now - s.last > 900]:
            del self._states[k]
        if len(self._states) > MAX_KEYS // 2:
            by_age = sorted(self._states, key=lambda k: self._states[k].last)
            for k in by_age[: len(by_age) // 2]:
                del self._states[k]
