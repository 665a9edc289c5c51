"""The folder behind ``chdb:DIR``, and why it holds generations.

chdb runs the ClickHouse engine inside the process, and ClickHouse locks its data folder
(``status`` file): a second process cannot open a folder the wall has open, so the ETL can
not write into the tables the wall reads. So every publish writes a fresh ClickHouse folder
(a *generation*) and then swaps one small pointer file; the wall notices the pointer change,
waits for its queries in flight, closes its session and opens the new generation (as the
DuckDB store does after a publish by swap). A load therefore rewrites every table, which
the publish does anyway (stage ``<table>__new``, ``EXCHANGE TABLES``)::

    DIR/ledger.duckdb        the ETL's DuckDB working database (validation, staging,
                             incremental loads by event_id); the wall never reads it
    DIR/ch/g000007/          ClickHouse data of one generation
    DIR/CURRENT              the published generation's name ("g000007"), replaced atomically
    DIR/gridwall.auth.sqlite users and kiosk tokens of the wall
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
from pathlib import Path

_GEN = re.compile(r"g(\d{6})$")


def pointer(folder: Path) -> Path:
    return Path(folder) / "CURRENT"


def current(folder: Path) -> Path | None:
    """The published generation's folder, or None before the first publish."""
    try:
        name = pointer(folder).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    if not _GEN.match(name):
        return None
    return Path(folder) / "ch" / name


def _generations(folder: Path) -> list[Path]:
    root = Path(folder) / "ch"
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if _GEN.match(p.name) and p.is_dir())


def new_generation(folder: Path) -> Path:
    """A fresh, empty generation folder numbered after every existing one."""
    gens = _generations(folder)
    n = int(_GEN.match(gens[-1].name).group(1)) + 1 if gens else 1
    path = Path(folder) / "ch" / f"g{n:06d}"
    shutil.rmtree(path, ignore_errors=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def make_current(folder: Path, generation: Path) -> None:
    """Point ``CURRENT`` at ``generation`` atomically (write, fsync, rename, fsync dir)."""
    tmp = pointer(folder).with_name(f"CURRENT.tmp-{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(generation.name + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, pointer(folder))
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def in_use(generation: Path) -> bool:
    """True while a process has the generation open (ClickHouse holds a lock on ``status``)."""
    status = generation / "status"
    if not status.exists():
        return False
    fd = os.open(status, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def remove_unused(folder: Path) -> list[str]:
    """Delete generations older than the current one's predecessor that nobody has open."""
    cur = current(folder)
    gens = _generations(folder)
    keep = {cur}
    if cur is not None:
        older = [g for g in gens if g.name < cur.name]
        if older:
            keep.add(older[-1])      # the wall may be just switching away from it
    removed = []
    for g in gens:
        if g in keep or (cur is not None and g.name > cur.name) or in_use(g):
            continue
        with contextlib.suppress(OSError):
            shutil.rmtree(g)
            removed.append(g.name)
    return removed
