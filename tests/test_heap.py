"""The served app's heap (dashboard/heap.py): threads share two malloc arenas once
``limit_arenas`` ran, where glibc would give each its own (the server's RSS grew with them)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dashboard import heap

ROOT = Path(__file__).resolve().parents[1]

# Eight threads each hold small blocks from C malloc (not Python's own allocator); glibc's
# malloc_info then lists one <heap> per arena in use.
PROBE = r"""
import ctypes, os, sys, tempfile, threading
from dashboard import heap
if sys.argv[1] == "limit":
    assert heap.limit_arenas(2)
libc = ctypes.CDLL("libc.so.6")
libc.malloc.restype = ctypes.c_void_p
libc.fopen.restype = ctypes.c_void_p
held, go = [], threading.Barrier(8)
def work():
    go.wait()                         # all eight allocate at once: contention makes arenas
    for _ in range(20000):
        held.append(libc.malloc(64))
threads = [threading.Thread(target=work) for _ in range(8)]
[t.start() for t in threads]
[t.join() for t in threads]
path = tempfile.mktemp()
fp = libc.fopen(path.encode(), b"w")
libc.malloc_info(0, ctypes.c_void_p(fp))
libc.fclose(ctypes.c_void_p(fp))
print(open(path).read().count("<heap nr="))
heap.trim()
"""


def _arenas(mode: str) -> int:
    out = subprocess.run([sys.executable, "-c", PROBE, mode], capture_output=True, text=True,
                         env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}, timeout=120,
                         check=True)
    return int(out.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(heap._glibc() is None, reason="glibc only")
def test_threads_share_two_arenas_after_limit_arenas():
    assert _arenas("default") > 2          # the control: glibc alone gives threads more
    assert _arenas("limit") <= 2


def test_an_operators_own_arena_setting_is_kept(monkeypatch):
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert heap.limit_arenas() is False
