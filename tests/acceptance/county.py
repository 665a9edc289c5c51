"""A small square county written as real export files, with its expected figures.

Two townships of 2×3 square grids (0.01°), events in WGS84 and in GCJ-02 (Chinese headers),
points exactly on grid edges, bad rows of every kind, cameras and a mediation table. The
expected grid of each event is computed here independently (floor on the lattice), so the
test checks the ETL's spatial join and the API's figures against metrics.md.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import math
import random
from pathlib import Path

from etl.chinacrs import wgs84_to_gcj02

LON0, LAT0, SIZE = 120.0, 30.0, 0.01
COLS, ROWS = 4, 3
TOWNS = {"TA": "东镇", "TB": "西镇"}          # columns 0-1 → TA, 2-3 → TB
BAD_ROWS = 7                                 # rows below written to be rejected

HEAD = ["事件编号", "上报时间", "事件类型", "来源渠道", "经度", "纬度", "受理时间", "派单时间",
        "办结时间", "处置层级", "满意度", "状态"]
LEVEL_ZH = {"village": "村(社区)", "township": "乡镇(街道)", "county": "县级部门", "grid": "网格"}
SAT_ZH = {"satisfied": "满意", "basically_satisfied": "基本满意", "dissatisfied": "不满意"}


def town_of_col(col: int) -> str:
    return "TA" if col < 2 else "TB"


def grid_id(col: int, row: int) -> str:
    return f"G{col}{row}"


def write_grids(path: Path) -> None:
    feats = []
    for c in range(COLS):
        for r in range(ROWS):
            x0, y0 = LON0 + c * SIZE, LAT0 + r * SIZE
            ring = [[x0, y0], [x0 + SIZE, y0], [x0 + SIZE, y0 + SIZE], [x0, y0 + SIZE], [x0, y0]]
            feats.append({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
                          "properties": {"网格编号": grid_id(c, r), "网格名称": f"{c}-{r}号网格",
                                         "所属镇街": TOWNS[town_of_col(c)], "网格员": f"员{c}{r}"}})
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False),
                    encoding="utf-8")


def _fmt(t: dt.datetime | None) -> str:
    return "" if t is None else t.strftime("%Y-%m-%d %H:%M:%S")


def make_events(seed: int, n: int, as_of: dt.datetime, prefix: str):
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        c, r = rnd.randrange(COLS), rnd.randrange(ROWS)
        lon = LON0 + (c + rnd.uniform(0.05, 0.95)) * SIZE
        lat = LAT0 + (r + rnd.uniform(0.05, 0.95)) * SIZE
        rep = as_of - dt.timedelta(minutes=rnd.randrange(0, 60 * 24 * 50))
        h = lambda hi: dt.timedelta(minutes=rnd.randrange(1, 60 * hi))  # noqa: E731
        closed = rep + h(110) if rnd.random() < .85 else None
        if closed is not None and closed > as_of:
            closed = None
        out.append({
            "event_id": f"{prefix}{i:05d}", "reported_at": rep, "category": rnd.choice(
                ["矛盾纠纷", "安全隐患", "环境卫生"]), "lon": lon, "lat": lat, "grid_id": grid_id(c, r),
            "township_code": town_of_col(c),
            "accepted_at": rep + h(5) if rnd.random() < .95 else None,
            "dispatched_at": rep + h(30) if rnd.random() < .9 else None,
            "closed_at": closed,
            "level": rnd.choice([None, "grid", "village", "township", "county"]) if closed else None,
            "satisfaction": rnd.choice([None, "satisfied", "basically_satisfied", "dissatisfied"])
            if closed else None,
            "status": "invalid" if rnd.random() < .03 else None,
        })
    return out


def edge_events(as_of: dt.datetime) -> list[dict]:
    """Points exactly on shared edges and corners: lower-left-closed, like floor()."""
    rep = as_of - dt.timedelta(days=2)
    pts = [(1, 1, 0.5, 0.0), (2, 0, 0.0, 0.5), (2, 1, 0.0, 0.0), (3, 2, 0.5, 0.0)]
    out = []
    for k, (c, r, fx, fy) in enumerate(pts):
        lon = LON0 + (c + fx) * SIZE
        lat = LAT0 + (r + fy) * SIZE
        # the point is on the lower/left edge of grid (c, r): floor() puts it there
        c2 = math.floor(round((lon - LON0) / SIZE, 9))
        r2 = math.floor(round((lat - LAT0) / SIZE, 9))
        out.append({"event_id": f"EDGE{k}", "reported_at": rep, "category": "矛盾纠纷", "lon": lon,
                    "lat": lat, "grid_id": grid_id(c2, r2), "township_code": town_of_col(c2),
                    "accepted_at": None, "dispatched_at": None, "closed_at": None, "level": None,
                    "satisfaction": None, "status": None})
    return out


def _row(e: dict, gcj: bool) -> list[str]:
    lon, lat = e["lon"], e["lat"]
    if gcj:
        glon, glat = wgs84_to_gcj02(lon, lat)
        lon, lat = float(glon), float(glat)
    return [e["event_id"], _fmt(e["reported_at"]), e["category"], "网格员上报", repr(lon), repr(lat),
            _fmt(e["accepted_at"]), _fmt(e["dispatched_at"]), _fmt(e["closed_at"]),
            LEVEL_ZH.get(e["level"], ""), SAT_ZH.get(e["satisfaction"], ""),
            "无效" if e["status"] == "invalid" else ("已办结" if e["closed_at"] else "处置中")]


def write_events(path: Path, events: list[dict], *, gcj: bool = False, bad: bool = False,
                 encoding: str = "utf-8") -> None:
    rows = [_row(e, gcj) for e in events]
    if bad:
        good = rows[0]
        rows += [
            ["", *good[1:]],                                             # missing id
            ["BAD1", "2025-13-45 99:00:00", *good[2:]],                  # unparseable time
            ["BAD2", good[1], good[2], good[3], "121.9", "31.9", *good[6:]],   # far outside
            ["BAD3", "2025-06-10 10:00:00", good[2], good[3], good[4], good[5], "", "",
             "2025-06-09 10:00:00", "", "", "已办结"],                     # closed before reported
            [good[0], good[1], "安全隐患" if good[2] != "安全隐患" else "矛盾纠纷", *good[3:]],  # conflict
        ]
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEAD)
        w.writerows(rows)


def write_cameras(path: Path) -> list[dict]:
    cams = []
    for c in range(COLS):
        for r in range(ROWS):
            cams.append({"id": f"C{c}{r}", "lon": LON0 + (c + .5) * SIZE, "lat": LAT0 + (r + .5) * SIZE,
                         "status": "在线" if (c + r) % 3 else "离线", "township": town_of_col(c),
                         "grid": grid_id(c, r)})
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["点位编号", "点位名称", "经度", "纬度", "状态"])
        for cam in cams:
            w.writerow([cam["id"], f"{cam['id']}号点位", cam["lon"], cam["lat"], cam["status"]])
        w.writerow(["CBAD", "坏点位", "abc", "30.01", "在线"])             # bad coordinates
    return cams


def write_mediation(path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["乡镇", "月份", "纠纷类型", "受理数", "调解数", "成功数"])
        for town in TOWNS.values():
            w.writerow([town, "2025-05", "邻里纠纷", 10, 9, 8])
            w.writerow([town, "2025-06", "婚姻家庭", 6, 6, 5])
        w.writerow(["不存在镇", "2025-06", "邻里纠纷", 3, 3, 3])             # unknown township


def build(folder: Path, as_of: dt.datetime) -> dict:
    """Write every file and the load config; return the events as the county 'really' has them."""
    folder.mkdir(parents=True, exist_ok=True)
    write_grids(folder / "grids.geojson")
    wgs = make_events(1, 300, as_of, "W") + edge_events(as_of)
    gcj = make_events(2, 200, as_of, "G")
    write_events(folder / "events_wgs.csv", wgs, bad=True, encoding="gb18030")
    write_events(folder / "events_gcj.csv", gcj, gcj=True)
    cams = write_cameras(folder / "cameras.csv")
    write_mediation(folder / "mediation.csv")
    (folder / "load.toml").write_text(
        '[[source]]\nkind = "events"\npath = "events_wgs.csv"\n\n'
        '[[source]]\nkind = "events"\npath = "events_gcj.csv"\ncrs = "gcj02"\n\n'
        '[[source]]\nkind = "grids"\npath = "grids.geojson"\n\n'
        '[[source]]\nkind = "cameras"\npath = "cameras.csv"\n\n'
        '[[source]]\nkind = "mediation"\npath = "mediation.csv"\n', encoding="utf-8")
    return {"events": wgs + gcj, "cameras": cams}
