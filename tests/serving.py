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


def start_server(db: Path, settings: Path | None, port: int,
                 host: str | None = None) -> subprocess.Popen:
    extra = ["--settings", str(settings)] if settings else []
    if host:
        extra += ["--host", host]
    return subprocess.Popen(
        [sys.executable, "-m", "dashboard", "--db", str(db), "--port", str(port), *extra],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})


def wait_healthy(proc: subprocess.Popen, base: str, timeout: float = 60,
                 path: str = "/api/health") -> None:
    """Until ``path`` answers (a server that requires login answers /login, not the API)."""
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.stdout.read()}")
        try:
            if requests.get(base + path, timeout=5).ok:
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


def started(db: Path, settings: Path | None = None, *, host: str | None = None,
            port: int | None = None, ready: str = "/api/health") -> tuple[str, subprocess.Popen]:
    """``(base_url, process)`` once ``ready`` answers; the caller stops the process (a server
    that never comes up is stopped here)."""
    port = port or free_port()
    proc = start_server(db, settings, port, host)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(proc, base, path=ready)
    except BaseException:
        stop_server(proc)
        raise
    return base, proc


@contextlib.contextmanager
def running_server(db: Path, settings: Path | None = None, port: int | None = None):
    """Yields ``(base_url, process)`` while the server answers /api/health."""
    base, proc = started(db, settings, port=port)
    try:
        yield base, proc
    finally:
        stop_server(proc)


def settings_file(tmp_path_factory, folder: str, text: str) -> Path:
    """A settings.toml with ``text`` in a fresh tmp folder (for session-scoped servers)."""
    path = tmp_path_factory.mktemp(folder) / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return path
