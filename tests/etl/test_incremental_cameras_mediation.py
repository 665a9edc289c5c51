"""Incremental loads of cameras, mediation and several events files end where a fresh load of
the final data ends (hypothesis; the events-only check is test_incremental_equals_fresh.py).

Each step loads, in one config, the grids layer (cut differently at least once: the cameras
of earlier loads must follow a grid change as events do; one layer merges 甘霖镇 into 剡湖街道,
so the ETL removes it and its mediation is kept but not counted, docs/etl.md), two events files whose event_ids
overlap (docs/etl.md: across files too, config order then row order, the first row of an id
loads; a later equal row is a duplicate, a different one a duplicate_conflict), a cameras
export (new cameras, newer versions by camera_id: status, last seen, moved to another grid;
rows as stored spelled differently; cameras left out, which a load never deletes; repeated
ids; rejects) and a mediation file, either monthly counts or case records (newer versions of
a (township, month, dispute type) replace the stored counts; case records are aggregated
into the same counts; repeated keys or case ids; rejects).

A plain-Python model keeps the latest accepted version of every event, camera and mediation
key. After each step the report's counts are the model's, and a fresh load of the final data
(one events file, one cameras file, the mediation counts as a monthly table) has the same
events, cameras, mediation, grids, townships, villages and daily_rollup, the same
/api/metrics figures (cameras and cameras_online included) for the county, every township
and some grids, and the same wall mediation panel (store.wall_reads.mediation) for the
county and every township. Deterministic (derandomize, 4 examples of 3-4 steps, about 25 s
on two shared cores). It found the merged township's mediation still counted by the wall
(regression test in test_mediation.py).
"""
from __future__ import annotations

import copy
import datetime as dt
import math
import random
import tempfile
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.load import run_load
from store import wall_reads as W
from store.db import ReadStore
from store.settings import Settings
from tests.etl.conftest import write_config, write_csv
from tests.etl.test_incremental_equals_fresh import LAYERS as EVENT_LAYERS
from tests.etl.test_incremental_equals_fresh import _layer as _event_layer
from tests.etl.test_incremental_equals_fresh import (
    BADS, EVENTS, HEAD, PHASES, SETTINGS, SPELL, Row, Stored, _num_text, _time_text,
    _write_layer, as_set, assert_same_figures, changed, expected_step, figures, places,
    rebuilt_rollup, versions)

# --- grids: the events test's layers, and one merging 甘霖镇 into 剡湖街道 ---------------------

LAYERS = (*EVENT_LAYERS, "merge")
MERGED = "330683100"      # no grid names it in the "merge" layer: the ETL removes it


def _layer(name: str) -> dict[str, dict]:
    if name != "merge":
        return _event_layer(name)
    feats = _event_layer("base")
    for r in range(3):
        p = feats[f"G0{r}"]["properties"]
        p["所属镇街"], p["镇街编码"] = "剡湖街道", "330683001"
    return feats


# --- cameras ------------------------------------------------------------------------------

CAM_HEAD = ["点位编号", "点位名称", "经度", "纬度", "状态", "最后在线时间"]
CAM_STATUS = {"online": ["在线", "正常", "1"], "offline": ["离线", "故障", "0"],
              "unknown": ["", "维修中"]}
# around the as_of moments figures() reads (2024-03-09 12:00, 2024-03-27 00:00:01): seen
# within camera_offline_after_h (24 h) of them, or longer ago
SEEN = [None, dt.datetime(2024, 3, 9, 11), dt.datetime(2024, 3, 8, 11, 30),
        dt.datetime(2024, 3, 26, 12), dt.datetime(2024, 3, 25, 23)]
CAM_BADS = ("missing_id", "bad_time", "bad_coordinates", "outside_county")


@dataclass(frozen=True)
class Cam:
    cid: str
    name: str | None
    lonlat: tuple[float, float]
    status: str
    seen: dt.datetime | None


@dataclass(frozen=True)
class CamRow:
    cam: Cam
    spell: int
    bad: str | None = None

    def text(self) -> list[str]:
        c, rnd = self.cam, random.Random(self.spell)
        lon, lat = _num_text(c.lonlat[0], rnd), _num_text(c.lonlat[1], rnd)
        seen = "" if c.seen is None else _time_text(c.seen, rnd)
        if self.bad == "bad_time":
            seen = "2024-02-30 10:00"
        elif self.bad == "bad_coordinates":
            lat = "北纬29度"
        elif self.bad == "outside_county":
            lon, lat = "121.5000000", "29.5900000"
        return ["" if self.bad == "missing_id" else c.cid, c.name or "", lon, lat,
                rnd.choice(CAM_STATUS[c.status]), seen]


@st.composite
def cam_place(draw):
    while True:
        lonlat, _ = draw(places())
        if lonlat is not None:
            return lonlat


@st.composite
def cameras(draw, cid: str):
    return Cam(cid, draw(st.sampled_from([None, "路口", "村委会"])), draw(cam_place()),
               draw(st.sampled_from(sorted(CAM_STATUS))), draw(st.sampled_from(SEEN)))


@st.composite
def cam_changed(draw, c: Cam):
    k = draw(st.sampled_from(["status", "seen", "place", "name", "several"]))
    if k in ("status", "several"):
        c = replace(c, status=draw(st.sampled_from(sorted(CAM_STATUS))))
    if k in ("seen", "several"):
        c = replace(c, seen=draw(st.sampled_from(SEEN)))
    if k in ("place", "several"):
        c = replace(c, lonlat=draw(cam_place()))
    if k == "name":
        c = replace(c, name=draw(st.sampled_from([None, "路口", "村委会", "学校"])))
    return c


# --- mediation ----------------------------------------------------------------------------

TOWNS = {"330683100": ["甘霖镇", "330683100"], "330683001": ["剡湖街道", "330683001"]}
MONTHS = [dt.date(2024, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 3, 1)]
TYPES = ["邻里纠纷", "婚姻家庭", "土地纠纷"]
MED_HEAD = ["乡镇", "月份", "纠纷类型", "受理数", "调解数", "成功数", "涉及人数", "涉及金额"]
CASE_HEAD = ["案件编号", "乡镇", "纠纷类型", "受理时间", "结案时间", "调解结果", "涉及人数",
             "涉及金额"]
RESULT = {None: [""], "success": ["成功", "调解成功"], "failure": ["不成功", "失败"]}


def _month_text(m: dt.date, rnd: random.Random) -> str:
    return rnd.choice([f"{m:%Y-%m}", f"{m.year}/{m.month}", f"{m.year}年{m.month}月",
                       f"{m:%Y%m}", f"{m:%Y-%m}-15"])


def _opt(v) -> str:
    return "" if v is None else (str(v) if not isinstance(v, float) else repr(v))


@dataclass(frozen=True)
class Med:
    """One monthly counts row (the stored values of a key)."""

    town: str
    month: dt.date
    dtype: str
    received: int
    mediated: int
    succeeded: int
    people: int | None
    amount: float | None

    @property
    def key(self):
        return (self.town, self.month, self.dtype)


@dataclass(frozen=True)
class MedRow:
    med: Med
    spell: int
    bad: str | None = None        # unknown_township | bad_value

    def reason(self, merged: bool) -> str | None:
        """docs/etl.md's order: unknown_township, then bad_value."""
        if merged and self.med.town == MERGED:
            return "unknown_township"
        return self.bad

    def text(self) -> list[str]:
        m, rnd = self.med, random.Random(self.spell)
        town = "无此镇" if self.bad == "unknown_township" else rnd.choice(TOWNS[m.town])
        suc = m.mediated + 1 if self.bad == "bad_value" else m.succeeded
        return [town, _month_text(m.month, rnd), m.dtype, str(m.received), str(m.mediated),
                str(suc), _opt(m.people), _opt(m.amount)]


@st.composite
def meds(draw, key=None):
    town, month, dtype = key or (draw(st.sampled_from(sorted(TOWNS))),
                                 draw(st.sampled_from(MONTHS)), draw(st.sampled_from(TYPES)))
    rec = draw(st.integers(0, 9))
    med = draw(st.integers(0, rec))
    return Med(town, month, dtype, rec, med, draw(st.integers(0, med)),
               draw(st.sampled_from([None, 0, 3])), draw(st.sampled_from([None, 0.5, 1200.0])))


@st.composite
def med_changed(draw, m: Med):
    """The month's table again: as stored, recounted, or only the people or the amount
    corrected."""
    k = draw(st.sampled_from(["same", "recount", "people", "amount"]))
    if k == "recount":
        return draw(meds(m.key))
    if k == "people":
        return replace(m, people=draw(st.sampled_from([x for x in (None, 0, 3, 4)
                                                       if x != m.people])))
    if k == "amount":
        return replace(m, amount=draw(st.sampled_from([x for x in (None, 0.5, 1200.0, 80.25)
                                                       if x != m.amount])))
    return m


@dataclass(frozen=True)
class Case:
    cid: str
    town: str
    received: dt.datetime
    dtype: str
    closed: dt.datetime | None
    result: str | None
    people: int | None
    amount: float | None


@dataclass(frozen=True)
class CaseRow:
    case: Case
    spell: int
    bad: str | None = None        # unknown_township | closed_before_reported | bad_value

    def reason(self, merged: bool = False) -> str | None:
        """docs/etl.md's order: closed_before_reported, unknown_township, bad_value."""
        if self.bad != "closed_before_reported" and merged and self.case.town == MERGED:
            return "unknown_township"
        return self.bad

    def text(self) -> list[str]:
        c, rnd = self.case, random.Random(self.spell)
        town = "无此镇" if self.bad == "unknown_township" else rnd.choice(TOWNS[c.town])
        closed = "" if c.closed is None else _time_text(c.closed, rnd)
        if self.bad == "closed_before_reported":
            closed = _time_text(c.received - dt.timedelta(days=1), rnd)
        result = "和解?" if self.bad == "bad_value" else rnd.choice(RESULT[c.result])
        return [c.cid, town, c.dtype, _time_text(c.received, rnd), closed, result,
                _opt(c.people), _opt(c.amount)]


@st.composite
def cases(draw, cid: str):
    month = draw(st.sampled_from(MONTHS))
    rec = dt.datetime.combine(month, dt.time()) + dt.timedelta(
        days=draw(st.sampled_from([0, 9, 27])), hours=draw(st.sampled_from([0, 9, 23])))
    closed = draw(st.sampled_from([None, 2, 100]))
    return Case(cid, draw(st.sampled_from(sorted(TOWNS))), rec, draw(st.sampled_from(TYPES)),
                None if closed is None else rec + dt.timedelta(hours=closed),
                draw(st.sampled_from(sorted(RESULT, key=str))),
                draw(st.sampled_from([None, 1, 2])), draw(st.sampled_from([None, 0.5, 300.0])))


def aggregate(accepted: list[Case]) -> dict[tuple, Med]:
    """docs/etl.md: received = cases, mediated = cases with a result or closed, succeeded =
    result success; people and amounts summed where given (NULL when none is)."""
    out: dict[tuple, list[Case]] = {}
    for c in accepted:
        out.setdefault((c.town, dt.date(c.received.year, c.received.month, 1), c.dtype),
                       []).append(c)

    def total(vals):
        vals = [v for v in vals if v is not None]
        return sum(vals) if vals else None

    return {k: Med(*k, len(cs), sum(c.result is not None or c.closed is not None for c in cs),
                   sum(c.result == "success" for c in cs), total(c.people for c in cs),
                   None if total(c.amount for c in cs) is None
                   else float(total(c.amount for c in cs)))
            for k, cs in out.items()}


# --- the plans ----------------------------------------------------------------------------

@st.composite
def plans(draw):
    known: dict[str, object] = {}
    cams: dict[str, Cam] = {}
    medk: dict[tuple, Med] = {}
    layer, steps = "base", []
    n_ev = n_cam = n_case = 0
    n = draw(st.integers(3, 4))
    for k in range(n):
        # the grids change at least once, so earlier cameras and events must follow
        if k and (draw(st.booleans()) or (k == n - 1 and layer == "base")):
            others = [x for x in LAYERS if x != layer]      # the merge drawn more often
            layer = draw(st.sampled_from(others + ["merge"] * (layer != "merge")))
        # two events files; the second repeats ids of the first (and of earlier loads)
        files = []
        for f in range(2):
            evrows: list[Row] = []
            for _ in range(draw(st.integers(0, 4))):
                evrows.append(Row(draw(versions(f"E{n_ev:03d}")), draw(SPELL)))
                n_ev += 1
            ids = sorted(known)
            for _ in range(draw(st.integers(0, 3)) if ids else 0):
                evrows.append(Row(draw(changed(known[draw(st.sampled_from(ids))])),
                                  draw(SPELL)))
            if f == 1 and files[0]:
                for _ in range(draw(st.integers(1, 3))):      # ids of the first file
                    first = draw(st.sampled_from(files[0]))
                    again = draw(changed(first.ev)) if draw(st.booleans()) else first.ev
                    evrows.append(Row(again, draw(SPELL)))
            if draw(st.booleans()):
                evrows.append(Row(draw(versions(f"E{n_ev:03d}")), draw(SPELL),
                                  draw(st.sampled_from(BADS))))
                n_ev += 1
            evrows = draw(st.permutations(evrows))
            for r in evrows:
                if r.reason() is None:
                    known[r.ev.eid] = r.ev
            files.append(evrows)
        # cameras: new, newer versions, as stored, repeated, rejects; the rest left out
        camrows: list[CamRow] = []
        for _ in range(draw(st.integers(1 if k == 0 else 0, 4))):
            camrows.append(CamRow(draw(cameras(f"C{n_cam:02d}")), draw(SPELL)))
            n_cam += 1
        ids = sorted(cams)
        for _ in range(draw(st.integers(0, 4)) if ids else 0):
            c = cams[draw(st.sampled_from(ids))]
            camrows.append(CamRow(draw(cam_changed(c)) if draw(st.booleans()) else c,
                                  draw(SPELL)))
        if camrows and draw(st.booleans()):
            first = draw(st.sampled_from(camrows)).cam
            camrows.append(CamRow(draw(cam_changed(first)) if draw(st.booleans()) else first,
                                  draw(SPELL)))
        if draw(st.booleans()):
            camrows.append(CamRow(draw(cameras(f"C{n_cam:02d}")), draw(SPELL),
                                  draw(st.sampled_from(CAM_BADS))))
            n_cam += 1
        camrows = draw(st.permutations(camrows))
        for r in camrows:
            if r.bad is None:
                cams[r.cam.cid] = r.cam
        # mediation: a monthly table, case records or nothing
        mode = draw(st.sampled_from(["table", "cases"] + ([None] if k else [])))
        medrows: list = []
        if mode == "table":
            for _ in range(draw(st.integers(1, 4))):
                medrows.append(MedRow(draw(meds()), draw(SPELL)))
            for _ in range(draw(st.integers(1, 4)) if medk else 0):
                key = draw(st.sampled_from(sorted(medk, key=repr)))
                medrows.append(MedRow(draw(med_changed(medk[key])), draw(SPELL)))
            if draw(st.booleans()):
                again = draw(st.sampled_from(medrows)).med
                medrows.append(MedRow(draw(meds(again.key)) if draw(st.booleans()) else again,
                                      draw(SPELL)))
            if draw(st.booleans()):
                medrows.append(MedRow(draw(meds()), draw(SPELL),
                                      draw(st.sampled_from(["unknown_township", "bad_value"]))))
            for r in medrows:
                if r.bad is None:
                    medk[r.med.key] = r.med
        elif mode == "cases":
            for _ in range(draw(st.integers(1, 6))):
                medrows.append(CaseRow(draw(cases(f"M{n_case:02d}")), draw(SPELL)))
                n_case += 1
            if draw(st.booleans()):
                first = draw(st.sampled_from(medrows)).case
                again = replace(first, result=draw(st.sampled_from(
                    [x for x in RESULT if x != first.result]))) if draw(st.booleans()) else first
                medrows.append(CaseRow(again, draw(SPELL)))
            if draw(st.booleans()):
                medrows.append(CaseRow(draw(cases(f"M{n_case:02d}")), draw(SPELL), draw(
                    st.sampled_from(["unknown_township", "closed_before_reported",
                                     "bad_value"]))))
                n_case += 1
            medrows = draw(st.permutations(medrows))
        steps.append({"layer": layer, "events": files, "cameras": camrows,
                      "mediation": (mode, medrows)})
    return steps


# --- the model ----------------------------------------------------------------------------

COUNTS = ("rows_read", "new", "updated", "unchanged", "duplicates", "rejected")


def _counts(out: Counter, reasons: Counter, n: int) -> dict:
    out["rejected"] = sum(reasons.values())
    out["rows_read"] = n
    return {"counts": {k: out[k] for k in COUNTS}, "rejected_by_reason": dict(reasons)}


def expected_events(state: dict[str, Stored], files: list[tuple[str, list[Row]]]) -> list:
    first: dict[str, object] = {}           # across the load's files, config order
    return [expected_step(state, file_rows, name, first) for name, file_rows in files]


def _by_key(state: dict, items: list[tuple[object, object, str | None]], name: str,
            store: callable) -> dict:
    """Rows (key, value, reject reason) in file order into ``state`` (key -> (value, file,
    row, text)): the first row of a key loads, a later equal one is a duplicate, a later
    different one a duplicate_conflict."""
    out, reasons, first = Counter(), Counter(), {}
    for i, (key, value, reason) in enumerate(items, start=1):
        if reason is None and key in first:
            if first[key] == value:
                out["duplicates"] += 1
                continue
            reason = "duplicate_conflict"
        if reason is not None:
            reasons[reason] += 1
            continue
        first[key] = value
        old = state.get(key)
        if old is not None and old[0] == value:
            out["unchanged"] += 1
            continue
        out["new" if old is None else "updated"] += 1
        state[key] = store(value, i)
    return _counts(out, reasons, len(items))


def expected_cameras(state: dict, camrows: list[CamRow], name: str) -> dict:
    return _by_key(state, [(r.cam.cid, r.cam, r.bad) for r in camrows], name,
                   lambda cam, i: (cam, name, i))


def expected_mediation(state: dict, mode: str, medrows: list, name: str,
                       merged: bool) -> dict:
    """``merged``: the grids name no 甘霖镇 (MERGED), so its rows are unknown_township."""
    if mode == "table":
        return _by_key(state, [(r.med.key, r.med, r.reason(merged)) for r in medrows], name,
                       lambda med, i: (med, name))
    # case records: duplicates and conflicts by case_id, then new / updated / unchanged by
    # the aggregated key (what the report counts for a case file)
    dup = _by_key({}, [(r.case.cid, r.case, r.reason(merged)) for r in medrows], name,
                  lambda case, i: (case,))
    firsts: dict[str, Case] = {}
    for r in medrows:
        if r.reason(merged) is None:
            firsts.setdefault(r.case.cid, r.case)
    out = Counter()
    for key, med in aggregate(list(firsts.values())).items():
        old = state.get(key)
        out["unchanged" if old is not None and old[0] == med else
            "new" if old is None else "updated"] += 1
        if not (old is not None and old[0] == med):
            state[key] = (med, name)
    c = dict(dup["counts"], new=out["new"], updated=out["updated"],
             unchanged=out["unchanged"])
    return {"counts": c, "rejected_by_reason": dup["rejected_by_reason"]}


# --- loading and reading ------------------------------------------------------------------

def _src(report: dict, kind: str, file: str) -> dict:
    return next(s for s in report["sources"] if s["kind"] == kind and s["file"] == file)


def load(folder: Path, db: Path, layer: dict, events: list[tuple[str, list[list[str]]]],
         cams: list[list[str]] | None, med: tuple[str, list[list[str]]] | None,
         settings_path: Path, cfg_name: str, tag: str) -> dict:
    _write_layer(folder / f"grids_{tag}.geojson", layer)
    srcs = [{"kind": "grids", "path": f"grids_{tag}.geojson"}]
    for name, text in events:
        write_csv(folder / name, HEAD, text)
        srcs.append({"kind": "events", "path": name})
    if cams is not None:
        write_csv(folder / f"cameras_{tag}.csv", CAM_HEAD, cams)
        srcs.append({"kind": "cameras", "path": f"cameras_{tag}.csv"})
    if med is not None:
        mode, text = med
        write_csv(folder / f"mediation_{tag}.csv", CASE_HEAD if mode == "cases" else MED_HEAD,
                  text)
        srcs.append({"kind": "mediation", "path": f"mediation_{tag}.csv"})
    cfg = write_config(folder, srcs, name=cfg_name)
    return run_load(db, cfg, settings_path=settings_path, progress=False)


CAMERAS = "SELECT * EXCLUDE (load_id, source_file, source_row) FROM cameras"
MEDIATION = "SELECT * EXCLUDE (load_id, source_file) FROM mediation"
LIVE = {"events": "", "cameras": "",
        "mediation": " WHERE township_code IN (SELECT township_code FROM townships)"}


def mediation_panels(db: Path, settings_path: Path) -> dict:
    """The wall's mediation panel for the county and each township, for several months."""
    settings = Settings.load(settings_path)
    store = ReadStore(db)
    try:
        out = {}
        for town in (None, *sorted(TOWNS)):
            for month in (dt.date(2024, 2, 10), dt.date(2024, 3, 31), dt.date(2024, 5, 1)):
                p = W.mediation(store, settings, town, month)
                # a type with nothing mediated has success_rate NaN (None on the totals)
                p["by_type"] = [{c: (None if isinstance(v, float) and math.isnan(v) else v)
                                 for c, v in r.items()}
                                for r in p["by_type"].to_dict("records")]
                out[(town, month)] = p
        return out
    finally:
        store.close()


def check_plan(steps: list[dict]) -> None:
    with tempfile.TemporaryDirectory(prefix="gw-incr-cm-") as tmp:
        tmp = Path(tmp)
        folder = tmp / "src"
        folder.mkdir()
        settings_path = tmp / "settings.toml"
        settings_path.write_text(SETTINGS, encoding="utf-8")
        db = tmp / "incremental.duckdb"
        ev_state: dict[str, Stored] = {}
        cam_state: dict[str, tuple] = {}
        med_state: dict[tuple, tuple] = {}
        grids: dict[str, dict] = {}
        for k, step in enumerate(steps):
            layer = _layer(step["layer"])
            grids.update(copy.deepcopy(layer))
            names = [f"events_a{k}.csv", f"events_b{k}.csv"]
            want_ev = expected_events(ev_state, list(zip(names, step["events"])))
            cam_name, med_name = f"cameras_{k}.csv", f"mediation_{k}.csv"
            want_cam = expected_cameras(cam_state, step["cameras"], cam_name)
            mode, medrows = step["mediation"]
            merged = step["layer"] == "merge"
            want_med = expected_mediation(med_state, mode, medrows, med_name, merged) \
                if mode else None
            rep = load(folder, db, layer,
                       [(n, [r.text() for r in f]) for n, f in zip(names, step["events"])],
                       [r.text() for r in step["cameras"]],
                       (mode, [r.text() for r in medrows]) if mode else None,
                       settings_path, "load.toml", str(k))
            checks = [("events", n, w) for n, w in zip(names, want_ev)] + \
                [("cameras", cam_name, want_cam)] + \
                ([("mediation", med_name, want_med)] if mode else [])
            for kind, name, want in checks:
                got = _src(rep, kind, name)
                assert {c: got[c] for c in COUNTS} == want["counts"], (k, name)
                assert got["rejected_by_reason"] == want["rejected_by_reason"], (k, name)

            # a fresh load of the final data: one events file, one cameras file, the
            # mediation counts as a monthly table
            fresh = tmp / f"fresh_{k}.duckdb"
            final_ev = [s.text for s in ev_state.values()]
            random.Random(k).shuffle(final_ev)
            final_cam = [CamRow(c, 7).text() for c, _, _ in cam_state.values()]
            final_med = [MedRow(m, 7).text() for m, _ in med_state.values()]
            frep = load(folder, fresh, grids, [("final.csv", final_ev)], final_cam,
                        ("table", final_med) if final_med else None, settings_path,
                        "fresh.toml", "fresh")
            assert sum(s["duplicates"] for s in frep["sources"]) == 0
            # mediation of a township no grid names any more: kept by the incremental
            # database (not counted by the wall), rejected by a fresh load
            orphans = sum(merged and key[0] == MERGED for key in med_state)
            assert {s["file"]: s["rejected_by_reason"] for s in frep["sources"] if s["rejected"]} \
                == ({"mediation_fresh.csv": {"unknown_township": orphans}} if orphans else {})

            with duckdb.connect(str(db)) as con, duckdb.connect(str(fresh)) as fcon:
                assert as_set(con, "SELECT event_id, source_file, source_row FROM events") \
                    == sorted((e, s.file, s.row) for e, s in ev_state.items()), k
                assert as_set(con, "SELECT camera_id, source_file, source_row FROM cameras") \
                    == sorted((c, f, i) for c, (_, f, i) in cam_state.items()), k
                assert as_set(con, "SELECT township_code, month, dispute_type, source_file "
                              "FROM mediation") == sorted(
                    (*key, f) for key, (_, f) in med_state.items()), k
                for what, sql in (("events", EVENTS), ("cameras", CAMERAS),
                                  ("mediation", MEDIATION)):
                    assert as_set(con, sql + LIVE[what]) == as_set(fcon, sql), (k, what)
                for table in ("grids", "townships", "villages", "daily_rollup"):
                    assert as_set(con, f"SELECT * FROM {table}") == \
                        as_set(fcon, f"SELECT * FROM {table}"), (k, table)
                assert as_set(con, "SELECT * FROM daily_rollup") == rebuilt_rollup(con), k
            picks = [g for g in ("G00", "G11", "G20", "G21", "G23") if g in grids]
            assert_same_figures(figures(db, settings_path, picks),
                                figures(fresh, settings_path, picks))
            a, b = mediation_panels(db, settings_path), mediation_panels(fresh, settings_path)
            assert a == b, repr((k, [(key, a[key], b[key]) for key in a if a[key] != b[key]]))
            fresh.unlink()


@settings(max_examples=4, deadline=None, derandomize=True, database=None, phases=PHASES,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(plans())
def test_incremental_cameras_mediation_and_events_files_equal_a_fresh_load(steps):
    check_plan(steps)
