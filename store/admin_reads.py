"""What the admin page reads from the published database: every load's report and the
rejected rows (paged, filtered by load and reason, or streamed for a CSV).

The raw row is returned as stored (JSON text); masking it for a view that must not show
personal data is the caller's job (dashboard/admin/masking.py knows which headers hold it).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Iterator

from store.db import ReadStore

REJECT_COLUMNS = ("load_id", "source_kind", "source_file", "source_row", "reason", "detail",
                  "raw")


@dataclass(frozen=True)
class RejectFilter:
    load_id: int | None = None
    reason: str | None = None

    def where(self) -> tuple[str, list]:
        parts, params = ["TRUE"], []
        if self.load_id is not None:
            parts.append("load_id = ?")
            params.append(self.load_id)
        if self.reason:
            parts.append("reason = ?")
            params.append(self.reason)
        return " AND ".join(parts), params


def load_runs(store: ReadStore, limit: int = 200) -> list[dict]:
    """Newest first: load id, times, config and the parsed JSON report."""
    rows = store.rows(
        "SELECT load_id, started_at, finished_at, config_path, report FROM load_runs"
        " ORDER BY load_id DESC LIMIT ?", [int(limit)])
    out = []
    for load_id, started, finished, config, report in rows:
        try:
            rep = json.loads(report) if report else {}
        except ValueError:
            rep = {}
        out.append({"load_id": int(load_id), "started_at": started, "finished_at": finished,
                    "config": config, "report": rep})
    return out


def reject_facets(store: ReadStore) -> dict:
    """Loads and reasons present in the rejects table, with counts (for the filter menus)."""
    loads = store.rows("SELECT load_id, count(*) FROM rejects GROUP BY 1 ORDER BY 1 DESC")
    reasons = store.rows("SELECT reason, count(*) FROM rejects GROUP BY 1 ORDER BY 2 DESC, 1")
    return {"loads": [(int(a), int(b)) for a, b in loads],
            "reasons": [(str(a), int(b)) for a, b in reasons]}


def reject_page(store: ReadStore, f: RejectFilter, page: int = 1, size: int = 50) -> dict:
    """One page of rejects in a stable order (load, file, row), and the total."""
    w, params = f.where()
    total = int(store.scalar(f"SELECT count(*) FROM rejects WHERE {w}", params) or 0)
    page = max(1, int(page))
    rows = store.rows(
        f"SELECT {', '.join(REJECT_COLUMNS)} FROM rejects WHERE {w}"
        " ORDER BY load_id DESC, source_file, source_row LIMIT ? OFFSET ?",
        [*params, int(size), (page - 1) * int(size)])
    return {"total": total, "page": page, "size": int(size),
            "rows": [dict(zip(REJECT_COLUMNS, r)) for r in rows]}


def reject_batches(store: ReadStore, f: RejectFilter, batch_rows: int = 5000
                   ) -> Iterator[list[dict]]:
    """Every matching reject, batch by batch (the cursor is held while they stream)."""
    w, params = f.where()
    with store.cursor() as cur:
        cur.execute(f"SELECT {', '.join(REJECT_COLUMNS)} FROM rejects WHERE {w}"
                    " ORDER BY load_id DESC, source_file, source_row", params)
        while True:
            batch = cur.fetchmany(batch_rows)
            if not batch:
                return
            yield [dict(zip(REJECT_COLUMNS, r)) for r in batch]
