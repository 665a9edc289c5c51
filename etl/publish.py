"""Publish by swap: the wall keeps a read-only connection on PATH, so a load never opens
PATH for writing. It builds the next database in PATH.tmp-<pid> (a copy of PATH) and
os.replace()s it over PATH once it is complete and on disk.

One load at a time: an exclusive, non-blocking flock on PATH.lock.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from pathlib import Path

from etl.errors import LoadError, LoadLocked


def real_db(path) -> Path:
    """The file a load replaces. A database reached through a symlink (county.duckdb on a
    data disk, linked from the service's folder) is published where it lives: swapping the
    link itself put the new data on the link's disk and left the server, which reads the
    link's target, on the old file until a restart. Its lock and copy live there too."""
    p = Path(path)
    return Path(os.path.realpath(p)) if p.is_symlink() else p


def lock_path(db: Path) -> Path:
    return db.with_name(db.name + ".lock")


def tmp_path(db: Path) -> Path:
    return db.with_name(f"{db.name}.tmp-{os.getpid()}")


def _wal(p: Path) -> Path:
    return p.with_name(p.name + ".wal")


@contextlib.contextmanager
def db_lock(db: Path):
    """Hold PATH.lock for the whole load; LoadLocked if another load holds it."""
    lp = lock_path(db)
    try:
        fd = os.open(lp, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:   # a read-only or foreign folder: was an 'unexpected OSError'
        raise LoadError(f"{db}: cannot write in {db.parent} ({exc.strerror}): a load writes "
                        "its lock, a copy and a spill folder beside the database; run it as "
                        "the user who owns that folder; the database is unchanged") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LoadLocked(f"{db}: another load is running (lock {lp.name} is held)") from None
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def spill_path(db: Path) -> Path:
    """DuckDB's temp_directory for this load: beside the database (same disk), its own."""
    return db.with_name(f"{db.name}.spill-{os.getpid()}")


def discard_spill(db: Path) -> None:
    shutil.rmtree(spill_path(db), ignore_errors=True)


def remove_stale(db: Path) -> list[str]:
    """Remove tmp copies and spill folders left by killed loads (safe: we hold the lock)."""
    removed = []
    for p in [*db.parent.glob(db.name + ".tmp-*"), *db.parent.glob(db.name + ".spill-*")]:
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                p.unlink()
        removed.append(p.name)
    return removed


def remove_leftovers(db_path) -> list[str]:
    """Remove the tmp copies and spill folders a killed load left beside ``db_path``;
    returns their names. For the server to call at start: when a load is running (its lock
    is held) nothing is touched, since its copy is not a leftover."""
    db = real_db(db_path)
    if not db.parent.is_dir():
        return []
    try:
        with db_lock(db):
            return remove_stale(db)
    except (LoadError, OSError):     # held by a load (LoadLocked), or a read-only folder
        return []


def prepare(db: Path) -> Path:
    """Copy PATH (and a WAL left beside it, if any) to a fresh tmp path; return it."""
    tmp = tmp_path(db)
    discard(tmp)
    if db.exists():
        shutil.copyfile(db, tmp)
        if _wal(db).exists():
            shutil.copyfile(_wal(db), _wal(tmp))
    return tmp


def discard(tmp: Path) -> None:
    for p in (tmp, _wal(tmp)):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


def _fsync(path: Path, directory: bool = False) -> None:
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if directory else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(tmp: Path, db: Path) -> None:
    """Make the finished tmp database durable, then swap it in atomically."""
    if _wal(tmp).exists():  # should not happen after CHECKPOINT + close
        raise RuntimeError(f"{tmp} still has a WAL after checkpoint")
    _fsync(tmp)
    os.replace(tmp, db)
    with contextlib.suppress(FileNotFoundError):
        _wal(db).unlink()   # a stale WAL would be replayed onto the new file
    _fsync(db.parent, directory=True)
