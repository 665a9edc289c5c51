"""Events: source rows -> canonical rows (typed, located in a grid) plus rejects.

The checks run in a fixed order and a row is rejected with the first reason that applies:
missing_id, missing_time, bad_time, missing_category, unknown_category,
closed_before_reported, bad_coordinates, missing_location, outside_county, unknown_grid.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from etl.context import Context
from etl.coords import BAD, NONE, OK, read_points
from etl.spatial import NEAR, OUTSIDE, GridIndex
from etl.times import parse_times
from etl.values import map_values, top_counts

COLUMNS = ["event_id", "reported_at", "category", "subcategory", "channel", "description",
           "address", "lon", "lat", "grid_id", "village_code", "township_code", "accepted_at",
           "dispatched_at", "closed_at", "department", "level", "status", "satisfaction",
           "supervised", "reporter_name", "reporter_phone", "source_file", "source_row",
           "content_hash", "load_id"]
# What the content hash covers: everything that comes from the source row.
HASHED = ["event_id", "reported_at", "category", "subcategory", "channel", "description",
          "address", "lon", "lat", "__grid_src", "accepted_at", "dispatched_at", "closed_at",
          "department", "level", "status", "satisfaction", "supervised", "reporter_name",
          "reporter_phone"]


def _text_or_none(s: pd.Series) -> pd.Series:
    return s.mask(s == "")


def fmt_detail(prefix: str, text: pd.Series):
    """Reject detail "<prefix><value>", built only for the rejected rows."""
    def build(idx: np.ndarray) -> list[str]:
        return [prefix + str(v) for v in text.iloc[idx].astype(object)]
    return build


def locate(ctx: Context, r, rj, index: GridIndex, pts, grid_src: pd.Series, kind: str):
    """Grid position for each row (-1 if none) after the location rejects are flagged."""
    n = r.n
    tol = float(ctx.settings.section("geo")["outside_tolerance_m"])
    rj.flag(pts.state == BAD, "bad_coordinates", pts.detail)
    if kind == "events":
        rj.flag((pts.state == NONE) & (grid_src == "").to_numpy(), "missing_location",
                "no coordinates and no grid_id")
    else:
        rj.flag(pts.state == NONE, "missing_location", "no coordinates")
    pos = np.full(n, -1, dtype=np.int64)
    sel = np.flatnonzero(rj.ok & (pts.state == OK))
    a = index.assign(pts.lon[sel], pts.lat[sel], tol)
    pos[sel] = a.index
    out = sel[a.state == OUTSIDE]
    if len(out):
        d = index.distance_m(pts.lon[out], pts.lat[out])
        detail = np.full(n, "", dtype=object)
        detail[out] = [f"point ({x:.6f}, {y:.6f}) is {m:,.0f} m outside every grid "
                       f"(tolerance {tol:g} m)" for x, y, m in zip(pts.lon[out], pts.lat[out], d)]
        mask = np.zeros(n, dtype=bool)
        mask[out] = True
        rj.flag(mask, "outside_county", detail)
    ctx.warn(r, "joined_nearest_grid", int((a.state == NEAR).sum()))
    if kind == "events":
        sel2 = np.flatnonzero(rj.ok & (pts.state == NONE))
        if len(sel2):
            g = grid_src.iloc[sel2].astype(object).to_numpy()
            found = index.position.reindex(g).to_numpy()
            unknown = np.isnan(found)
            mask = np.zeros(n, dtype=bool)
            mask[sel2[unknown]] = True
            detail = np.full(n, "", dtype=object)
            detail[sel2[unknown]] = [f"grid_id {v!r} is not a loaded grid" for v in g[unknown]]
            rj.flag(mask, "unknown_grid", detail)
            pos[sel2[~unknown]] = found[~unknown].astype(np.int64)
    return pos


def derive_status(status: np.ndarray, closed, dispatched, accepted) -> np.ndarray:
    """An empty status cell takes the furthest step its timestamps show."""
    out = status.copy()
    empty = np.equal(out, None)
    out[empty & accepted.notna().to_numpy()] = "accepted"
    out[empty & dispatched.notna().to_numpy()] = "dispatched"
    out[empty & closed.notna().to_numpy()] = "closed"
    out[empty & np.equal(out, None)] = "reported"
    return out


def prepare_events(ctx: Context, r, index: GridIndex) -> pd.DataFrame:
    """Canonical rows of one events source (accepted rows only); rejects go to ctx."""
    src = r.src
    ctx.report_for(r)
    rj = ctx.rejects_for(r)
    tz_src = src.timezone or ctx.tz
    eid = r.text_or_empty("event_id")
    rj.flag((eid == "").to_numpy(), "missing_id", "event_id is empty")
    rep_text = r.text_or_empty("reported_at")
    reported, rep_empty, rep_bad = parse_times(rep_text, src.time_format, tz_src, ctx.tz)
    rj.flag(rep_empty, "missing_time", "reported_at is empty")
    rj.flag(rep_bad, "bad_time", fmt_detail("reported_at: ", rep_text))
    times = {}
    for f in ("accepted_at", "dispatched_at", "closed_at"):
        text = r.text(f)
        if text is None:
            times[f] = pd.Series(pd.NaT, index=rep_text.index, dtype="datetime64[ns]")
            continue
        times[f], _, bad = parse_times(text, src.time_format, tz_src, ctx.tz)
        rj.flag(bad, "bad_time", fmt_detail(f"{f}: ", text))
    category, _ = map_values(r.text_or_empty("category"), src.values.get("category"))
    rj.flag(np.equal(category, None), "missing_category", "category is empty")
    known = ctx.settings.known_categories
    unknown_cat = ~np.isin(category.astype(str), known) & ~np.equal(category, None)
    if ctx.settings.strict_categories:
        rj.flag(unknown_cat, "unknown_category",
                lambda idx: [f"category {category[i]!r} is not in the settings' [categories]"
                             for i in idx])
    closed = times["closed_at"]
    before = (closed < reported).to_numpy()
    if before.any():
        detail = np.full(r.n, "", dtype=object)
        detail[before] = [f"closed_at {c} is before reported_at {p}" for c, p in
                          zip(closed[before], reported[before])]
        rj.flag(before, "closed_before_reported", detail)
    pts = read_points({k: r.text(k) for k in ("lon", "lat", "x", "y")}, src.crs,
                      r.data.df[src.point] if src.point else None)
    grid_src = r.text_or_empty("grid_id")
    pos = locate(ctx, r, rj, index, pts, grid_src, "events")
    ok = rj.ok
    ctx.tick(r.n, f"{src.path}: checked")

    level, lvl_unknown = map_values(r.text_or_empty("level"), src.values.get("level"), "level")
    sat, sat_unknown = map_values(r.text_or_empty("satisfaction"), src.values.get("satisfaction"),
                                  "satisfaction")
    status, st_unknown = map_values(r.text_or_empty("status"), src.values.get("status"),
                                    "status")
    sup, sup_unknown = map_values(r.text_or_empty("supervised"), src.values.get("supervised"),
                                  "supervised")
    channel, _ = map_values(r.text_or_empty("channel"), src.values.get("channel"))
    raw = {f: r.text_or_empty(f) for f in ("level", "satisfaction", "status", "supervised")}
    for key, mask, f in (("unknown_level", lvl_unknown, "level"),
                         ("unknown_satisfaction", sat_unknown, "satisfaction"),
                         ("unknown_status", st_unknown, "status"),
                         ("unknown_supervised", sup_unknown, "supervised")):
        m = mask & ok
        if m.any():
            ctx.warn(r, key, int(m.sum()), ", ".join(top_counts(
                raw[f].astype(object).to_numpy(), m, 5)))
    status = derive_status(status, times["closed_at"], times["dispatched_at"],
                           times["accepted_at"])
    # an unknown status is NULL (not guessed from timestamps)
    status[st_unknown] = None
    supervised = pd.array(np.where(np.equal(sup, None), None, sup == "true"), dtype="boolean")
    cats = top_counts(category.astype(object), unknown_cat & ok, 50)
    if cats:
        ctx.report_for(r)["unknown_categories"] = cats

    idx = np.flatnonzero(ok)
    p = pos[idx]
    out = pd.DataFrame({
        "event_id": eid.iloc[idx].reset_index(drop=True),
        "reported_at": reported.iloc[idx].reset_index(drop=True),
        "category": category[idx],
        "subcategory": _text_or_none(r.text_or_empty("subcategory").iloc[idx]).reset_index(
            drop=True),
        "channel": channel[idx],
        "lon": pts.lon[idx], "lat": pts.lat[idx],
        "grid_id": index.grid_ids[p], "village_code": index.village_codes[p],
        "township_code": index.township_codes[p],
        "accepted_at": times["accepted_at"].iloc[idx].reset_index(drop=True),
        "dispatched_at": times["dispatched_at"].iloc[idx].reset_index(drop=True),
        "closed_at": times["closed_at"].iloc[idx].reset_index(drop=True),
        "level": level[idx], "status": status[idx], "satisfaction": sat[idx],
        "supervised": supervised[idx],
        "source_file": src.path,
        "source_row": r.data.rows[idx],
        "__grid_src": _text_or_none(grid_src.iloc[idx]).reset_index(drop=True),
        "__src": np.full(len(idx), r.index, dtype=np.int64),
        "__pos": idx.astype(np.int64),
    })
    for f in ("description", "address", "department", "reporter_name", "reporter_phone"):
        out[f] = _text_or_none(r.text_or_empty(f).iloc[idx]).reset_index(drop=True)
    return out
