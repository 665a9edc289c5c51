"""Errors the ETL raises on purpose: each one names the file and what is wrong in it."""
from __future__ import annotations

# A column wrong on nearly every row of a slice (times unreadable, points not degrees) is the
# load config's mistake, not the rows': the load stops by name. Fewer bad rows, or a small
# file's, are rejected row by row (docs/etl.md: the rest loads).
CONFIG_ERROR_SHARE = 0.9
CONFIG_ERROR_MIN = 20


def config_error(n_bad: int, n_given: int) -> bool:
    """Whether ``n_bad`` wrong values of ``n_given`` are the config's mistake (see above)."""
    return n_bad >= CONFIG_ERROR_MIN and n_bad >= CONFIG_ERROR_SHARE * n_given


class LoadError(Exception):
    """A load stopped before publishing: a file or config that cannot be used.

    The message is meant for the person who runs the load, so it names the file and the
    problem; the database file is left exactly as it was.
    """

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:  # keep the message readable on stderr
        return self.message


class LoadInterrupted(LoadError):
    """Ctrl-C or SIGTERM during a load (the CLI exits 130); the message says whether the
    new database had been published by then."""


class LoadLocked(LoadError):
    """Another load holds the lock on this database (the CLI exits 3)."""


class PublishError(RuntimeError):
    """ClickHouse could not take the load; ClickHouse is unchanged. (Here, not in
    etl/publish_clickhouse.py, so a DuckDB load does not import sqlglot to catch it.)"""
