"""Cameras: source rows -> canonical rows located in a grid, plus rejects.

Order of checks: missing_id, bad_time (last_seen_at), bad_coordinates, missing_location,
outside_county. The status is never a reason to reject a camera: a file without a status
column, an empty cell or an unreadable value gives status ``unknown`` (counted among the
cameras, never online; the run report warns with examples of the unreadable values).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from etl.context import Context
from etl.coords import read_points
from etl.events import fmt_detail, locate
from etl.plausible import flag_time_range
from etl.spatial import GridIndex
from etl.times import parse_times
from etl.values import map_values, top_counts

COLUMNS = ["camera_id", "name", "kind", "owner", "status", "last_seen_at", "lon", "lat",
           "grid_id", "village_code", "township_code", "source_file", "source_row", "load_id"]
COMPARED = ["name", "kind", "owner", "status", "last_seen_at", "lon", "lat"]


def prepare_cameras(ctx: Context, r, index: GridIndex) -> pd.DataFrame:
    src = r.src
    ctx.report_for(r)
    rj = ctx.rejects_for(r)
    cid = r.text_or_empty("camera_id")
    rj.flag((cid == "").to_numpy(), "missing_id", "camera_id is empty")
    status_text = r.text_or_empty("status")
    status, unreadable = map_values(status_text, src.values.get("status"), "camera_status")
    status[np.equal(status, None)] = "unknown"
    if r.text("status") is None:
        ctx.warn(r, "no_status_column", r.n, "status unknown 状态未知")
    elif unreadable.any():
        ctx.warn(r, "unknown_camera_status", int(unreadable.sum()), ", ".join(top_counts(
            status_text.astype(object).to_numpy(), unreadable, 5)))
    seen_text = r.text("last_seen_at")
    if seen_text is not None:
        seen, _, bad = parse_times(seen_text, src.time_format, src.timezone or ctx.tz, ctx.tz)
        rj.flag(bad, "bad_time", fmt_detail("last_seen_at: ", seen_text))
        flag_time_range(ctx, rj, seen, "last_seen_at", seen_text)
    else:
        seen = pd.Series(pd.NaT, index=cid.index, dtype="datetime64[ns]")
    pts = read_points({k: r.text(k) for k in ("lon", "lat", "x", "y")},
                      src.crs or r.data.point_crs,
                      r.data.df[src.point] if src.point else None,
                      geometry_xy=r.data.point_xy, where=str(src.path),
                      headers={**r.columns, "point": src.point})
    pos = locate(ctx, r, rj, index, pts, pd.Series([""] * r.n), "cameras")
    ctx.tick(r.n, f"{src.path}: checked")
    idx = np.flatnonzero(rj.ok)
    p = pos[idx]

    def text(f: str) -> pd.Series:
        s = r.text_or_empty(f).iloc[idx].reset_index(drop=True)
        return s.mask(s == "")

    kind, _ = map_values(r.text_or_empty("kind"), src.values.get("kind"))
    return pd.DataFrame({
        "camera_id": cid.iloc[idx].reset_index(drop=True),
        "name": text("name"), "kind": kind[idx], "owner": text("owner"),
        "status": status[idx],
        "last_seen_at": seen.iloc[idx].reset_index(drop=True),
        "lon": pts.lon[idx], "lat": pts.lat[idx],
        "grid_id": index.grid_ids[p], "village_code": index.village_codes[p],
        "township_code": index.township_codes[p],
        "source_file": src.path, "source_row": r.data.rows[idx],
        "__src": np.full(len(idx), r.index, dtype=np.int64), "__pos": idx.astype(np.int64),
    })
