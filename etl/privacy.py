"""``[privacy] keep_reporter = false``: the reporter's name and phone never reach the database.

The columns are dropped from the rows as read, before anything else sees them, so they are
stored neither in ``events`` (NULL) nor in the raw JSON of ``rejects``.
"""
from __future__ import annotations

import dataclasses

import pandas as pd

REPORTER_FIELDS = ("reporter_name", "reporter_phone")


def reporter_headers(columns: dict[str, str]) -> list[str]:
    """The source headers that hold reporter data (by the resolved column mapping)."""
    return [columns[f] for f in REPORTER_FIELDS if f in columns]


def drop_reporter_frame(df: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    hs = [h for h in reporter_headers(columns) if h in df.columns]
    return df.drop(columns=hs) if hs else df


def drop_reporter(reading):
    """A copy of an events Reading without the reporter columns (the original is untouched)."""
    hs = reporter_headers(reading.columns)
    if not hs:
        return reading
    # a malformed row's text holds the reporter too, and which cell it is cannot be told:
    # its reject keeps only its field count
    data = dataclasses.replace(reading.data, df=drop_reporter_frame(reading.data.df,
                                                                   reading.columns),
                               malformed={p: ("", k) for p, (_, k)
                                          in reading.data.malformed.items()})
    cols = {f: h for f, h in reading.columns.items() if f not in REPORTER_FIELDS}
    return dataclasses.replace(reading, data=data, columns=cols, _cache={})
