"""Rejected rows: the first reason a row fails, its raw content as JSON, for the rejects table.

Reason codes are fixed by docs/etl.md; use only the names in REASONS.
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd

REASONS = (
    "missing_id", "missing_time", "bad_time", "missing_category", "unknown_category",
    "bad_coordinates", "outside_county", "missing_location", "unknown_grid",
    "closed_before_reported", "duplicate_conflict", "bad_value", "unknown_township",
    "bad_geometry", "future_time", "malformed_row",
)


class Rejects:
    """Per-source reject marks; a row keeps the first reason it is flagged with."""

    def __init__(self, kind: str, source_file: str, frame: pd.DataFrame, rows: np.ndarray,
                 extra_raw: dict[str, np.ndarray] | None = None,
                 malformed: dict[int, tuple[str, int]] | None = None):
        """``malformed``: rows of the wrong field count (TableData.malformed), rejected
        first, their raw the row's text, since their cells cannot be told apart."""
        self.kind = kind
        self.source_file = source_file
        self.frame = frame              # the source as read (text), for the raw JSON
        self.rows = np.asarray(rows, dtype=np.int64)
        self.extra_raw = extra_raw or {}
        n = len(frame)
        self.reason = np.full(n, None, dtype=object)
        self.detail = np.full(n, "", dtype=object)
        self.raw_text = {pos: text for pos, (text, _) in (malformed or {}).items()}
        for pos, (_, fields) in (malformed or {}).items():
            self.reason[pos] = "malformed_row"
            self.detail[pos] = f"{fields} fields where the header has {len(frame.columns)}"

    def __len__(self) -> int:
        return len(self.reason)

    @property
    def ok(self) -> np.ndarray:
        return np.equal(self.reason, None)

    def flag(self, mask: np.ndarray, reason: str, detail="") -> int:
        """Mark rows (not already rejected) with ``reason``; returns how many were new.

        ``detail`` is a string, an array aligned with the rows, or a function of the row
        positions (so per-row text is only built for the rows actually rejected).
        """
        assert reason in REASONS, reason
        mask = np.asarray(mask, dtype=bool) & self.ok
        if not mask.any():
            return 0
        self.reason[mask] = reason
        if isinstance(detail, str):
            self.detail[mask] = detail
        elif callable(detail):
            self.detail[mask] = np.asarray(detail(np.flatnonzero(mask)), dtype=object)
        else:
            self.detail[mask] = np.asarray(detail, dtype=object)[mask]
        return int(mask.sum())

    def counts(self) -> dict[str, int]:
        r = pd.Series(self.reason[~self.ok])
        return {str(k): int(v) for k, v in r.value_counts().sort_index().items()}

    def table(self, load_id: int) -> pd.DataFrame:
        """Rows for the rejects table (only the rejected rows are turned into JSON)."""
        idx = np.flatnonzero(~self.ok)
        return reject_rows(self, idx, self.reason[idx], self.detail[idx], load_id)


def raw_json(frame: pd.DataFrame, idx: np.ndarray,
             extra: dict[str, np.ndarray] | None = None) -> list[str]:
    """The original rows at positions ``idx`` as JSON objects (header -> text)."""
    if len(idx) == 0:
        return []
    sub = frame.iloc[idx].astype(object).where(frame.iloc[idx].notna(), "")
    records = sub.to_dict("records")
    if extra:
        for key, values in extra.items():
            for rec, v in zip(records, np.asarray(values, dtype=object)[idx]):
                rec[key] = v
    return [json.dumps(r, ensure_ascii=False, default=str) for r in records]


def reject_rows(rj: Rejects, idx: np.ndarray, reasons, details, load_id: int) -> pd.DataFrame:
    idx = np.asarray(idx, dtype=np.int64)
    return pd.DataFrame({
        "load_id": np.full(len(idx), load_id, dtype=np.int64),
        "source_kind": rj.kind,
        "source_file": rj.source_file,
        "source_row": rj.rows[idx] if len(rj.rows) else np.array([], dtype=np.int64),
        "reason": np.asarray(reasons, dtype=object),
        "detail": np.asarray(details, dtype=object),
        "raw": [json.dumps(rj.raw_text[i], ensure_ascii=False) if i in rj.raw_text else r
                for i, r in zip(idx.tolist(), raw_json(rj.frame, idx, rj.extra_raw))],
    })


class Counted:
    """Reject counts of a streamed source, whose rows were written batch by batch (the rows
    themselves are already in the staging table ``_rej_stream``)."""

    streamed = True

    def __init__(self, counts: dict[str, int] | None = None):
        self._counts: dict[str, int] = dict(counts or {})

    def add(self, reason: str, n: int) -> None:
        assert reason in REASONS, reason
        self._counts[reason] = self._counts.get(reason, 0) + int(n)

    def counts(self) -> dict[str, int]:
        return {k: int(v) for k, v in sorted(self._counts.items()) if v}
