"""Start ``python -m dashboard`` as a real subprocess on a free port (tests and benchmarks)."""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, settings: Path | None, port: int) -> subprocess.Popen:
    extra = ["--settings", str(settings)] if settings else []
    return subprocess.Popen(
        [sys.executable, "-m", "dashboard", "--db", str(db), "--port", str(port), *extra],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})


def wait_healthy(proc: subprocess.Popen, base: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.stdout.read()}")
        try:
            if requests.get(base + "/api/health", timeout=5).ok:
                return
        except (requests.ConnectionError, requests.Timeout):   # not up yet, or a busy machine
            pass
        if time.monotonic() > deadline:
            raise TimeoutError("server did not come up")
        time.sleep(0.2)


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextlib.contextmanager
def running_server(db: Path, settings: Path | None = None, port: int | None = None):
    """Yields ``(base_url, process)`` while the server answers /api/health."""
    port = port or free_port()
    proc = start_server(db, settings, port)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(proc, base)
        yield base, proc
    finally:
        stop_server(proc)
