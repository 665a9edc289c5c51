"""Events: source rows -> canonical rows (typed, located in a grid) plus rejects.

The checks run in a fixed order and a row is rejected with the first reason that applies:
missing_id, missing_time, bad_time / future_time, missing_category, unknown_category,
closed_before_reported, bad_coordinates, missing_location, outside_county, unknown_grid.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from etl.context import Context
from etl.coords import BAD, NONE, OK, read_points
from etl.errors import LoadError, config_error
from etl.plausible import flag_time_range
from etl.privacy import drop_reporter
from etl.rejects import Rejects
from etl.sources import refuse_lost_digits
from etl.spatial import NEAR, OUTSIDE, GridIndex
from etl.times import parse_times
from etl.values import map_values

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


def refuse_unread_times(bad: np.ndarray, given: np.ndarray, text: pd.Series, field: str,
                        src) -> None:
    """Nearly all of a slice's times unreadable (CONFIG_ERROR_SHARE, at least
    CONFIG_ERROR_MIN of them) is the config's spelling, not the rows: the load stops
    (LoadError, nothing published) naming the source, an example and what to set, instead of
    a county of rows each rejected bad_time. Bad rows among good ones stay rejects, and so
    do a small file's (docs/etl.md: the rest loads)."""
    n_bad, n_given = int(bad.sum()), int(given.sum())
    if config_error(n_bad, n_given):
        example = str(text.iloc[int(np.flatnonzero(bad)[0])])
        hint = (f"time_format {src.time_format!r} does not read it; correct it"
                if src.time_format else "set time_format (a strptime format such as "
                '"%m/%d/%Y %I:%M:%S %p") for its spelling')
        raise LoadError(f"{src.path}: {n_bad:,} of {n_given:,} {field} values are not times "
                        f"(e.g. {example!r}): {hint} in the load config")


def fmt_detail(prefix: str, text: pd.Series):
    """Reject detail "<prefix><value>", built only for the rejected rows."""
    def build(idx: np.ndarray) -> list[str]:
        return [prefix + str(v) for v in text.iloc[idx].astype(object)]
    return build


def locate(ctx: Context, r, rj, index: GridIndex, pts, grid_src: pd.Series, kind: str):
    """Grid position for each row (-1 if none) after the location rejects are flagged."""
    pos, near = locate_rows(ctx, r.n, rj, index, pts, grid_src, kind)
    ctx.warn(r, "joined_nearest_grid", near)
    return pos


def locate_rows(ctx: Context, n: int, rj, index: GridIndex, pts, grid_src: pd.Series,
                kind: str) -> tuple[np.ndarray, int]:
    """(grid position per row, -1 if none; how many joined the nearest grid)."""
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
    near = int((a.state == NEAR).sum())
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
    return pos, near


def derive_status(status: np.ndarray, closed, dispatched, accepted) -> np.ndarray:
    """An empty status cell takes the furthest step its timestamps show."""
    out = status.copy()
    empty = np.equal(out, None)
    out[empty & accepted.notna().to_numpy()] = "accepted"
    out[empty & dispatched.notna().to_numpy()] = "dispatched"
    out[empty & closed.notna().to_numpy()] = "closed"
    out[empty & np.equal(out, None)] = "reported"
    return out


@dataclass
class Tally:
    """What one events source adds up to over all its batches, for the run report."""

    rows_read: int = 0
    rejected: Counter = field(default_factory=Counter)
    unknown_values: dict[str, Counter] = field(default_factory=dict)   # warning -> raw values
    near: int = 0
    unknown_categories: Counter = field(default_factory=Counter)

    def merge(self, other: "Tally") -> None:
        """Add the tally of one batch (prepared in a worker thread, merged in order)."""
        self.rows_read += other.rows_read
        self.rejected.update(other.rejected)
        self.near += other.near
        self.unknown_categories.update(other.unknown_categories)
        for key, values in other.unknown_values.items():
            self.unknown_values.setdefault(key, Counter()).update(values)

    def warnings(self) -> dict[str, dict]:
        out: dict[str, dict] = {}
        if self.near:
            out["joined_nearest_grid"] = {"count": self.near}
        for key, values in self.unknown_values.items():
            top = values.most_common(5)
            out[key] = {"count": int(sum(values.values())),
                        "example": ", ".join(str(v) for v, _ in top)}
        return out


def _arrow(s: pd.Series) -> pa.ChunkedArray:
    arr = getattr(s.array, "_pa_array", None)
    if isinstance(arr, pa.ChunkedArray):
        return arr if arr.type == pa.string() else arr.cast(pa.string())
    return pa.chunked_array([pa.array(s.astype(object), type=pa.string(), from_pandas=True)])


def _mapped(text: pd.Series, config_map, vocab: str | None = None):
    """map_values over the distinct values only; (Arrow values, unknown mask, codes)."""
    arr = _arrow(text)
    enc = pc.dictionary_encode(arr.combine_chunks())
    uniques = pd.Series(enc.dictionary.to_pylist(), dtype=object)
    values, unknown = map_values(uniques, config_map, vocab)
    codes = enc.indices.to_numpy(zero_copy_only=False)
    return pa.array(values, type=pa.string()).take(enc.indices), unknown[codes], codes


def _times_arrow(t: pd.Series) -> pa.Array:
    return pa.array(t.to_numpy(dtype="datetime64[us]"), type=pa.timestamp("us"),
                    mask=t.isna().to_numpy())


def _null_if_empty(arr: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)


def prepare_events(ctx: Context, r, index: GridIndex, tally: Tally) -> tuple[pa.Table, object]:
    """Canonical rows of one batch of an events source (accepted rows only, as Arrow, with
    ``__gpos`` the grid's position in ``index``), and the batch's Rejects."""
    if not ctx.settings.keep_reporter:    # [privacy]: not stored, not even in rejects
        r = drop_reporter(r)
    src = r.src
    rj = Rejects("events", src.path, r.data.df, r.data.rows, malformed=r.data.malformed)
    n = r.n
    tz_src = src.timezone or ctx.tz
    refuse_lost_digits(r)
    eid = r.text_or_empty("event_id")
    rj.flag((eid == "").to_numpy(), "missing_id", "event_id is empty")
    rep_text = r.text_or_empty("reported_at")
    reported, rep_empty, rep_bad = parse_times(rep_text, src.time_format, tz_src, ctx.tz)
    refuse_unread_times(rep_bad, ~rep_empty, rep_text, "reported_at", src)
    rj.flag(rep_empty, "missing_time", "reported_at is empty")
    rj.flag(rep_bad, "bad_time", fmt_detail("reported_at: ", rep_text))
    flag_time_range(ctx, rj, reported, "reported_at", rep_text)
    times = {}
    for f in ("accepted_at", "dispatched_at", "closed_at"):
        text = r.text(f)
        if text is None:
            times[f] = None
            continue
        times[f], _, bad = parse_times(text, src.time_format, tz_src, ctx.tz)
        rj.flag(bad, "bad_time", fmt_detail(f"{f}: ", text))
        flag_time_range(ctx, rj, times[f], f, text)
    category, _, _ = _mapped(r.text_or_empty("category"), src.values.get("category"))
    cat_null = category.is_null().to_numpy(zero_copy_only=False)
    rj.flag(cat_null, "missing_category", "category is empty")
    declared = ctx.settings.known_categories
    if declared:
        known = pa.array(declared, pa.string())
        unknown_cat = (~pc.is_in(category, value_set=known).to_numpy(zero_copy_only=False)
                       & ~cat_null)
    else:
        # settings that declare no [categories] take the source's as they come: listing
        # every one of them as "not in settings" would only bury the report's real notes
        unknown_cat = np.zeros(n, bool)
    if ctx.settings.strict_categories:
        rj.flag(unknown_cat, "unknown_category",
                lambda idx: [f"category {category[int(i)].as_py()!r} is not in the settings' "
                             "[categories]" for i in idx])
    closed = times["closed_at"]
    if closed is not None:
        before = (closed < reported).to_numpy()
        if before.any():
            detail = np.full(n, "", dtype=object)
            detail[before] = [f"closed_at {c} is before reported_at {p}" for c, p in
                              zip(closed[before], reported[before])]
            rj.flag(before, "closed_before_reported", detail)
    pts = read_points({k: r.text(k) for k in ("lon", "lat", "x", "y")}, src.crs,
                      r.data.df[src.point] if src.point else None, where=str(src.path),
                      headers={**r.columns, "point": src.point})
    grid_src = r.text_or_empty("grid_id")
    pos, near = locate_rows(ctx, n, rj, index, pts, grid_src, "events")
    tally.near += near
    ok = rj.ok
    ctx.tick(n, f"{src.path}: checked")

    mapped = {}
    for f, vocab in (("level", "level"), ("satisfaction", "satisfaction"), ("status", "status"),
                     ("supervised", "supervised"), ("channel", None)):
        text = r.text_or_empty(f)
        values, unknown, _ = _mapped(text, src.values.get(f), vocab)
        mapped[f] = values
        m = unknown & ok
        if m.any():
            raw = pd.Series(text.to_numpy(dtype=object)[m]).value_counts()
            tally.unknown_values.setdefault(f"unknown_{f}", Counter()).update(
                {str(k): int(v) for k, v in raw.items()})
        if f == "status":
            st_unknown = unknown
    cats = category.filter(pa.array(unknown_cat & ok)).value_counts()
    for item in cats.to_pylist():
        tally.unknown_categories[item["values"]] += int(item["counts"])

    keep = pa.array(ok)
    cols: dict[str, pa.Array | pa.ChunkedArray] = {
        "event_id": _arrow(eid), "reported_at": _times_arrow(reported),
        "category": category,
        "subcategory": _null_if_empty(_arrow(r.text_or_empty("subcategory"))),
        "channel": mapped["channel"],
        "description": _null_if_empty(_arrow(r.text_or_empty("description"))),
        "address": _null_if_empty(_arrow(r.text_or_empty("address"))),
        "lon": pa.array(pts.lon, from_pandas=True), "lat": pa.array(pts.lat, from_pandas=True),
        "__gpos": pa.array(pos, pa.int64()),
    }
    for f in ("accepted_at", "dispatched_at", "closed_at"):
        t = times[f]
        cols[f] = (pa.nulls(n, pa.timestamp("us")) if t is None else _times_arrow(t))
    for f in ("department",):
        cols[f] = _null_if_empty(_arrow(r.text_or_empty(f)))
    cols["level"] = mapped["level"]
    cols["status"] = mapped["status"]
    cols["__st_unknown"] = pa.array(st_unknown)
    cols["satisfaction"] = mapped["satisfaction"]
    cols["supervised"] = pc.equal(mapped["supervised"], "true")
    for f in ("reporter_name", "reporter_phone"):
        cols[f] = _null_if_empty(_arrow(r.text_or_empty(f)))
    cols["source_row"] = pa.array(r.data.rows, pa.int64())
    cols["__grid_src"] = _null_if_empty(_arrow(grid_src))
    cols["__src"] = pa.array(np.full(n, r.index, dtype=np.int64))
    cols["__pos"] = pa.array(r.data.rows - 1, pa.int64())
    table = pa.table({k: (v.combine_chunks() if isinstance(v, pa.ChunkedArray) else v)
                      for k, v in cols.items()})
    return table.filter(keep), rj
