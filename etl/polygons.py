"""Load townships and grids: repair, measure on the ground, resolve township codes, upsert;
then derive township shapes from grids where no townships layer gives them, and refresh the
simplified shapes the wall draws."""
from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import shapely

from etl import geom as G
from etl.aliases import norm
from etl.context import Context, derived_codes
from etl.threads import map_threads
from etl.upsert import dedup, hash_expr, register, upsert

GRID_TOL_M = 15.0       # simplification for the county view
OVERLAP_MIN_M2 = 10.0   # grids overlapping by less than this are digitising slivers, not reported
OVERLAP_LISTED = 50     # pairs listed in the run report (the count covers them all)
TOWNSHIP_TOL_M = 40.0
LAYER_META = "township_layer_codes"
OVERLAP_META = "grid_overlaps"   # the pairs found, with the fingerprint of the grids they are of


def _geom_types(geoms: np.ndarray) -> np.ndarray:
    return np.array([None if g is None else g.geom_type for g in geoms], dtype=object)


def layer_codes(con) -> set[str]:
    row = con.execute("SELECT value FROM meta WHERE key = ?", [LAYER_META]).fetchone()
    return set(json.loads(row[0])) if row else set()


def _set_layer_codes(con, codes: set[str]) -> None:
    con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                [LAYER_META, json.dumps(sorted(codes), ensure_ascii=False)])


# --- townships layer -------------------------------------------------------------------
GRID_PART_KEYS = ["__src", "grid_id", "grid_name", "township_code", "village_code",
                  "village_name", "grid_worker", "population", "households"]
TOWNSHIP_PART_KEYS = ["__src", "township_code", "township_name"]


def merge_parts(frame: pd.DataFrame, keys: list[str]) -> tuple[pd.DataFrame,
                                                                dict[int, dict[str, int]]]:
    """Features of one source that share an id and every attribute (``keys``: the source,
    the id first, then the attributes) but differ in shape are the parts of one polygon (an
    exclave 飞地, an island, a layer exported one polygon per feature): their union is the
    grid or township, as a GIS dissolve or a geopandas join over the features would count
    it. Features that share an id but not the attributes stay apart (duplicate_conflict),
    exact repeats stay duplicates. → (the frame, {source: {id: parts joined beyond the
    first}})."""
    dup = frame.duplicated(keys, keep=False)
    if not dup.any():
        return frame, {}
    keep, merged, joined = [~dup], [], {}
    for _, grp in frame[dup].groupby(keys, dropna=False, sort=False):
        wkb = shapely.to_wkb(grp["geom"].to_numpy())
        if len(set(wkb)) < 2:               # the same shape again: a duplicate row
            keep.append(frame.index.isin(grp.index))
            continue
        first = grp.iloc[[0]].copy()
        first["geom"] = [shapely.union_all(grp["geom"].to_numpy())]
        merged.append(first)
        joined.setdefault(int(grp["__src"].iloc[0]), {})[str(grp[keys[1]].iloc[0])] = \
            len(grp) - 1
    rows = frame[np.logical_or.reduce(keep)]
    out = pd.concat([rows, *merged]).sort_values(["__src", "__pos"], kind="stable")
    return out.reset_index(drop=True), joined


def _merged(ctx: Context, readings: list, frame: pd.DataFrame, keys: list[str]):
    """:func:`merge_parts`, the joined parts listed in each source's report."""
    frame, parts = merge_parts(frame, keys)
    for r in readings:
        if parts.get(r.index):
            ctx.report_for(r)["merged_parts"] = parts[r.index]
    return frame, parts


def _note_repairs(ctx: Context, r, ids: pd.Series, repaired: np.ndarray,
                  dropped: np.ndarray, ok: np.ndarray) -> None:
    """Name the loaded rows whose shape the load changed: ``repaired`` (made valid, or a
    GeometryCollection kept as its polygons) and ``dropped_parts`` ({id: points / lines of a
    GeometryCollection left out})."""
    if (repaired & ok).any():
        ctx.report_for(r)["repaired"] = [str(c) for c in ids[repaired & ok]]
    gone = (dropped > 0) & ok
    if gone.any():
        ctx.report_for(r)["dropped_parts"] = {
            str(c): int(k) for c, k in zip(ids[gone], dropped[gone])}


def _count_parts(conflicts: pd.DataFrame, parts: dict[int, dict[str, int]]) -> None:
    """A part joined to its polygon is a repeated key: counted with the duplicates, so
    rows_read = accepted + duplicates + rejected still holds."""
    dups = conflicts.attrs["duplicates"]
    for src, merged in parts.items():
        dups[src] = dups.get(src, 0) + sum(merged.values())


def load_townships(ctx: Context, readings: list) -> bool:
    """Upsert township polygons from layers; returns True if anything changed."""
    if not readings:
        return False
    frames = []
    for r in readings:
        ctx.report_for(r)
        rj = ctx.rejects_for(r, {"geometry": _geom_types(r.data.geoms)})
        name = r.text_or_empty("township_name").astype(object)
        code = r.text_or_empty("township_code").astype(object)
        geoms, repaired, bad, dropped = G.repair(r.data.geoms)
        ctx.tick(r.n, f"{r.src.path}: checked")
        rj.flag(((name == "") & (code == "")).to_numpy(), "missing_id",
                "township_code and township_name are both empty")
        rj.flag(bad, "bad_geometry", "empty or not a polygon")
        need = (code == "").to_numpy()
        if need.any():
            code[need] = derived_codes("T", name[need])
        name = name.where(name != "", code)
        ok = rj.ok
        _note_repairs(ctx, r, code, repaired, dropped, ok)
        frames.append(pd.DataFrame({
            "township_code": code[ok].to_numpy(), "township_name": name[ok].to_numpy(),
            "geom": geoms[ok], "__src": r.index, "__pos": np.flatnonzero(ok)}))
    frame, parts = _merged(ctx, readings, pd.concat(frames, ignore_index=True),
                           TOWNSHIP_PART_KEYS)
    crs = G.metric_crs_for(frame["geom"].to_numpy())
    area, clon, clat = G.measure(frame["geom"].to_numpy(), crs)
    frame["area_km2"], frame["centroid_lon"], frame["centroid_lat"] = area, clon, clat
    frame["geom_wkb"] = shapely.to_wkb(frame["geom"].to_numpy())
    frame = frame.drop(columns="geom")
    con = ctx.con
    register(con, "_tw_in", frame)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _tw_stage AS SELECT *,
        {hash_expr(['township_name', 'geom_wkb'], ('geom_wkb',))} AS __hash FROM _tw_in""")
    by_src = {r.index: r for r in readings}
    conflicts = dedup(con, "_tw_stage", ["township_code"], "__hash", "_tw_keep")
    ctx.flag_conflicts(by_src, conflicts, "township_code")
    _count_parts(conflicts, parts)
    cols = ["township_code", "township_name", "area_km2", "centroid_lon", "centroid_lat",
            "geom_wkb"]
    counts = upsert(con, "townships", ["township_code"], "_tw_keep",
                    ["township_name", "geom_wkb"], cols)
    codes = {c for (c,) in con.execute("SELECT township_code FROM _tw_keep").fetchall()}
    _set_layer_codes(con, layer_codes(con) | codes)
    changed = False
    for r in readings:
        sub = counts[counts["src"] == r.index]
        c = {row.change: int(row.n) for row in sub.itertuples()}
        changed |= bool(c.get("new", 0) or c.get("updated", 0))
        ctx.finish_source(r, c, conflicts.attrs["duplicates"].get(r.index, 0))
    return changed


# --- grids -----------------------------------------------------------------------------
class _TownshipLookup:
    """Known townships (layer and earlier loads): by code, and by name."""

    def __init__(self, con):
        rows = con.execute("SELECT township_code, township_name FROM townships").fetchall()
        self.names = {c: n for c, n in rows}
        self.by_name: dict[str, str] = {}
        for c, n in rows:
            if n is not None:
                self.by_name.setdefault(norm(n), c)

    def resolve(self, value: pd.Series, code: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        """(township_code, name for new ones) per row; '' where nothing is known."""
        value = value.astype(object)
        code = code.astype(object)
        known_code = value.map(lambda v: v if v in self.names else None)
        by_name = value.map(lambda v: self.by_name.get(norm(v)) if v else None)
        looks_code = value.map(lambda v: bool(v) and bool(re.fullmatch(r"[A-Za-z0-9_\-]+", v)))
        derived = pd.Series(np.where(value != "", derived_codes("T", value), ""),
                            index=value.index)
        out = code.where(code != "", known_code.fillna(by_name).fillna(
            value.where(looks_code, derived)).fillna(""))
        names = np.where(looks_code | known_code.notna(), "", value)
        return out.fillna("").to_numpy(dtype=object), names.astype(object)


def _largest_overlap(con, geoms: np.ndarray, codes: set[str]) -> np.ndarray:
    """For each grid, the layer township holding most of its area ('' if none)."""
    out = np.full(len(geoms), "", dtype=object)
    if not len(geoms) or not codes:
        return out
    rows = con.execute("SELECT township_code, geom_wkb FROM townships "
                       "WHERE geom_wkb IS NOT NULL").fetchall()
    rows = [(c, w) for c, w in rows if c in codes]
    if not rows:
        return out
    tcodes = np.array([c for c, _ in rows], dtype=object)
    tgeoms = shapely.from_wkb([w for _, w in rows])
    crs = G.metric_crs_for(np.concatenate([geoms, tgeoms]))
    gm, tm = G.to_metric(geoms, crs), G.to_metric(tgeoms, crs)
    gi, ti = shapely.STRtree(tm).query(gm, predicate="intersects")
    if not len(gi):
        return out
    area = shapely.area(shapely.intersection(gm[gi], tm[ti]))
    frame = pd.DataFrame({"g": gi, "t": ti, "a": area})
    frame = frame[frame["a"] > 0].sort_values(["g", "a", "t"], ascending=[True, False, True])
    best = frame.drop_duplicates("g")
    out[best["g"].to_numpy()] = tcodes[best["t"].to_numpy()]
    return out


def _none_if_empty(s: pd.Series) -> np.ndarray:
    s = s.astype(object)
    return s.where(s != "", None).to_numpy(dtype=object)


def _ints(ctx: Context, r, fld: str) -> np.ndarray:
    text = r.text_or_empty(fld).astype(object).str.replace(",", "", regex=False)
    num = pd.to_numeric(text, errors="coerce")
    bad = (text != "") & (num.isna() | (num < 0) | (num % 1 != 0))
    ctx.warn(r, f"{fld}_not_a_count", int(bad.sum()),
             str(text[bad].iloc[0]) if bad.any() else None)
    return num.where(~bad).astype("Int64").to_numpy()


def load_grids(ctx: Context, readings: list) -> bool:
    """Upsert grids (and their villages); returns True if any grid is new or changed."""
    if not readings:
        return False
    con = ctx.con
    lookup = _TownshipLookup(con)
    lcodes = layer_codes(con)
    frames, new_townships = [], {}
    for r in readings:
        ctx.report_for(r)
        rj = ctx.rejects_for(r, {"geometry": _geom_types(r.data.geoms)})
        gid = r.text_or_empty("grid_id").astype(object)
        gname = r.text_or_empty("grid_name").astype(object)
        geoms, repaired, bad, dropped = G.repair(r.data.geoms)
        ctx.tick(r.n, f"{r.src.path}: checked")
        rj.flag((gid == "").to_numpy(), "missing_id", "grid_id is empty")
        rj.flag(bad, "bad_geometry", "empty or not a polygon")
        tcode, tname = lookup.resolve(r.text_or_empty("township"),
                                      r.text_or_empty("township_code"))
        need = (tcode == "") & rj.ok
        if need.any():
            tcode[need] = _largest_overlap(con, geoms[need], lcodes)
            none = need & (tcode == "")
            rj.flag(none, "bad_value", "no township: the row names none and no townships "
                    "layer polygon overlaps the grid" if lcodes else
                    "township is empty and no townships layer is loaded")
        for c, n in zip(tcode[rj.ok], tname[rj.ok]):
            if c not in lookup.names and c not in new_townships:
                new_townships[c] = n or c
        vname = r.text_or_empty("village").astype(object)
        vcode = r.text_or_empty("village_code").astype(object).to_numpy()
        derive = (vcode == "") & (vname != "").to_numpy()
        if derive.any():
            vcode[derive] = derived_codes("V", pd.Series(tcode[derive]),
                                          vname[derive].reset_index(drop=True))
        ok = rj.ok
        _note_repairs(ctx, r, gid, repaired, dropped, ok)
        frames.append(pd.DataFrame({
            "grid_id": gid[ok].to_numpy(), "grid_name": gname[ok].to_numpy(),
            "township_code": tcode[ok],
            "village_code": np.where(vcode[ok] == "", None, vcode[ok]),
            "village_name": np.where(vname[ok] == "", None, vname[ok]),
            "grid_worker": _none_if_empty(r.text_or_empty("grid_worker"))[ok],
            "population": pd.array(_ints(ctx, r, "population")[ok], dtype="Int64"),
            "households": pd.array(_ints(ctx, r, "households")[ok], dtype="Int64"),
            "geom": geoms[ok], "__src": r.index, "__pos": np.flatnonzero(ok)}))
    frame, parts = _merged(ctx, readings, pd.concat(frames, ignore_index=True), GRID_PART_KEYS)
    g = frame["geom"].to_numpy()
    crs = G.metric_crs_for(g) if len(g) else G.metric_crs(0, 0)
    frame["area_km2"], frame["centroid_lon"], frame["centroid_lat"] = G.measure(g, crs)
    frame["geom_wkb"] = shapely.to_wkb(g) if len(g) else pd.Series([], dtype=object)
    frame = frame.drop(columns="geom")
    register(con, "_grid_in", frame)
    attrs = ["grid_name", "township_code", "village_code", "grid_worker", "population",
             "households", "geom_wkb"]
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _grid_stage AS SELECT * REPLACE
        (CAST(population AS INTEGER) AS population, CAST(households AS INTEGER) AS households),
        {hash_expr(attrs + ['village_name'], ('geom_wkb',))} AS __hash FROM _grid_in""")
    by_src = {r.index: r for r in readings}
    conflicts = dedup(con, "_grid_stage", ["grid_id"], "__hash", "_grid_keep")
    ctx.flag_conflicts(by_src, conflicts, "grid_id")
    _count_parts(conflicts, parts)
    cols = ["grid_id", "grid_name", "township_code", "village_code", "grid_worker",
            "population", "households", "area_km2", "centroid_lon", "centroid_lat", "geom_wkb"]
    counts = upsert(con, "grids", ["grid_id"], "_grid_keep", attrs, cols)
    # villages: replace by code with the (first) name and township seen in this load
    con.execute("""INSERT OR REPLACE INTO villages
        SELECT village_code, arg_min(village_name, __src * 1e12 + __pos),
               arg_min(township_code, __src * 1e12 + __pos)
        FROM _grid_keep WHERE village_code IS NOT NULL GROUP BY village_code""")
    # villages come from the grids: one no grid names any more goes (a grid moved to another
    # township gets another village code), as a township without grids does
    con.execute("""DELETE FROM villages WHERE village_code NOT IN
        (SELECT village_code FROM grids WHERE village_code IS NOT NULL)""")
    used = {c for (c,) in con.execute("SELECT DISTINCT township_code FROM _grid_keep")
            .fetchall()}
    for code, name in new_townships.items():
        if code in used:
            con.execute("INSERT OR IGNORE INTO townships (township_code, township_name) "
                        "VALUES (?, ?)", [code, name])
    _report_overlaps(ctx, readings, frame)
    changed = False
    for r in readings:
        sub = counts[counts["src"] == r.index]
        c = {row.change: int(row.n) for row in sub.itertuples()}
        changed |= bool(c.get("new", 0) or c.get("updated", 0))
        ctx.finish_source(r, c, conflicts.attrs["duplicates"].get(r.index, 0))
    return changed


def grid_overlaps(con) -> list[tuple[str, str, float]]:
    """Pairs (grid a, grid b, m²) of grids in the table whose interiors overlap by at least
    OVERLAP_MIN_M2, largest first.

    Kept in ``meta`` with a fingerprint of the grids table (every id and geometry): a load
    whose grids did not change reads them back instead of testing every pair again (0.8 s
    at 10,000 city grids, on every load that lists the grids)."""
    n, fp = con.execute("SELECT count(*), CAST(bit_xor(hash(grid_id, geom_wkb)) AS VARCHAR) "
                        "FROM grids").fetchone()
    key = f"{n}:{fp}:{OVERLAP_MIN_M2}"
    row = con.execute("SELECT value FROM meta WHERE key = ?", [OVERLAP_META]).fetchone()
    if row:
        kept = json.loads(row[0])
        if kept.get("key") == key:
            return [(a, b, float(m2)) for a, b, m2 in kept["pairs"]]
    pairs: list[tuple[str, str, float]] = []
    if n >= 2:
        grids = _grid_geoms(con)
        geoms = grids["geom"].to_numpy()
        ids = grids["grid_id"].to_numpy(dtype=object)
        pairs = [(str(ids[i]), str(ids[j]), float(area)) for i, j, area in sorted(
            G.overlaps(geoms, G.metric_crs_for(geoms), OVERLAP_MIN_M2), key=lambda p: -p[2])]
    con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [OVERLAP_META, json.dumps(
        {"key": key, "pairs": pairs}, ensure_ascii=False)])
    return pairs


def _report_overlaps(ctx: Context, readings: list, frame: pd.DataFrame) -> None:
    """Grids that overlap each other (every grid now in the table, pairs with at least one
    grid of this load): named in the report of the source that has them, with the area."""
    pairs = grid_overlaps(ctx.con)
    if not pairs:
        return
    src_of = dict(zip(frame["grid_id"], frame["__src"]))
    by_src: dict[int, list[dict]] = {}
    for a, b, area in pairs:
        s = src_of.get(a, src_of.get(b))
        if s is None:
            continue
        by_src.setdefault(int(s), []).append({"a": a, "b": b, "area_m2": round(area, 1)})
    for r in readings:
        found = by_src.get(r.index)
        if found:
            ctx.report_for(r)["overlapping_grids"] = {
                "count": len(found), "min_area_m2": OVERLAP_MIN_M2,
                "pairs": found[:OVERLAP_LISTED]}


# --- derived shapes --------------------------------------------------------------------
def _grid_geoms(con) -> pd.DataFrame:
    df = con.execute("SELECT grid_id, township_code, village_code, geom_wkb FROM grids "
                     "ORDER BY grid_id").df()
    df["geom"] = shapely.from_wkb([bytes(w) if w is not None else None
                                   for w in df["geom_wkb"]])
    return df.drop(columns="geom_wkb")


def dissolve_townships(ctx: Context) -> int:
    """Township shapes for codes no townships layer gives: union of their grids.

    Returns how many township shapes were written. Townships that come from neither a layer
    nor any grid any more are removed.
    """
    con = ctx.con
    lcodes = layer_codes(con)
    grids = _grid_geoms(con)
    if grids.empty:
        return 0
    crs = G.metric_crs_for(grids["geom"].to_numpy())
    todo = [(code, grp["geom"].to_numpy())
            for code, grp in grids.groupby("township_code", sort=True) if code not in lcodes]
    # one union per township, in the load's threads (a city's 40 townships of 250 grids)
    rows = list(zip([c for c, _ in todo], map_threads(lambda t: G.dissolve(t[1], crs), todo)))
    if rows:
        shapes = np.array([s for _, s in rows], dtype=object)
        area, clon, clat = G.measure(shapes, crs)
        frame = pd.DataFrame({"code": [c for c, _ in rows], "area": area, "clon": clon,
                              "clat": clat, "wkb": shapely.to_wkb(shapes)})
        register(con, "_tw_diss", frame)
        con.execute("""UPDATE townships SET area_km2 = d.area, centroid_lon = d.clon,
            centroid_lat = d.clat, geom_wkb = d.wkb FROM _tw_diss d
            WHERE townships.township_code = d.code""")
    keep = set(grids["township_code"].dropna()) | lcodes
    stale = [c for (c,) in con.execute("SELECT township_code FROM townships").fetchall()
             if c not in keep]
    for c in stale:
        con.execute("DELETE FROM townships WHERE township_code = ?", [c])
    return len(rows)


def refresh_simplified(ctx: Context, grids: bool, townships: bool) -> None:
    """Rewrite geom_simple_wkb (grids ~15 m, townships ~40 m, in metres on the ground)."""
    con = ctx.con
    for table, key, tol, do in (("grids", "grid_id", GRID_TOL_M, grids),
                                ("townships", "township_code", TOWNSHIP_TOL_M, townships)):
        if not do:
            continue
        rows = con.execute(f"SELECT {key}, geom_wkb FROM {table} WHERE geom_wkb IS NOT NULL "
                           f"ORDER BY {key}").fetchall()
        if not rows:
            continue
        geoms = shapely.from_wkb([w for _, w in rows])
        simple = G.simplify(geoms, G.metric_crs_for(geoms), tol)
        frame = pd.DataFrame({"k": [k for k, _ in rows], "wkb": shapely.to_wkb(simple)})
        register(con, "_simple", frame)
        con.execute(f"UPDATE {table} SET geom_simple_wkb = s.wkb FROM _simple s "
                    f"WHERE {table}.{key} = s.k")


def load_grid_frame(con) -> pd.DataFrame:
    """All grids with shapely geometries, for the point-in-polygon index."""
    return _grid_geoms(con)


__all__ = ["load_townships", "load_grids", "dissolve_townships", "refresh_simplified",
           "load_grid_frame", "layer_codes"]
