"""Write the demo county's source files, in the formats a real county exports, plus a load config.

Output folder:
    townships.geojson   derived township polygons (镇街编码, 镇街名称), WGS84
    grids.gpkg          grids (网格编号, 网格名称, 所属镇街, 镇街编码, 村(社区), 村社编码, 网格员, 人口, 户数)
    events_YYYY.csv     one per calendar year, Chinese headers, GCJ-02 coordinates, UTF-8
    cameras.xlsx        视频点位 (WGS84)
    mediation.xlsx      monthly mediation table
    load.toml           the load config ([dataset] demo = true, as_of = "newest_report")
    demo_truth.json     what was planted (hotspots, lagging townships, stuck cases): for tests
Deterministic for a seed: numpy Generator(seed), with one child generator per part.
"""
from __future__ import annotations

import functools
import json
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from etl.demo import events as ev
from etl.demo.cameras import build_cameras
from etl.demo.event_table import build_table
from etl.demo.handling import handle, township_performance
from etl.demo.mediation import build_mediation
from etl.demo.reference import COUNTY_NAME, load_reference
from etl.demo.territory import Territory, build_territory

DEFAULT_END = "2025-10-31"   # the demo's last day; as_of is the newest report on it
CONFIG_NAME = "load.toml"


def build_demo_sources(out_dir, *, seed: int = 7, years: int = 2, scale: float = 1.0,
                       end: str = DEFAULT_END) -> Path:
    """Write the demo county's source files into ``out_dir``; return the load config's path."""
    path, _ = build_with_stats(out_dir, seed=seed, years=years, scale=scale, end=end)
    return path


def build_with_stats(out_dir, *, seed: int = 7, years: int = 2, scale: float = 1.0,
                     end: str = DEFAULT_END, log=None) -> tuple[Path, dict]:
    """As :func:`build_demo_sources`, also returning counts and timings per step."""
    if years < 1:
        raise ValueError("years must be at least 1")
    if scale <= 0:
        raise ValueError("scale must be positive")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    say = log or (lambda msg: None)
    t0 = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(name: str, since: float) -> float:
        now = time.perf_counter()
        timings[name] = round(now - since, 2)
        say(f"  {name}: {now - since:.1f} s")
        return now

    _, r_events, r_handle, r_table, r_cam, r_med = np.random.default_rng(seed).spawn(6)
    end_d = np.datetime64(end, "D")
    try:  # the same calendar day `years` earlier, then the day after
        start_d = np.datetime64(f"{int(end[:4]) - years}{end[4:10]}", "D") + np.timedelta64(1, "D")
    except ValueError:  # 29 February
        start_d = end_d - np.timedelta64(365 * years - 1, "D")
    cal = ev.calendar(start_d, end_d)

    t = time.perf_counter()
    terr = territory_for_seed(seed)
    t = lap("territory", t)

    town_activity = r_events.lognormal(0.0, 0.2, len(terr.townships))
    raw, channel, reported, truth = ev.simulate(terr, cal, scale, r_events, town_activity)
    order = np.argsort(reported, kind="stable")
    raw, channel, reported = raw.take(order), channel[order], reported[order]
    t = lap("events", t)

    perf = township_performance(terr, r_handle)
    town = ev.town_index(terr)[raw.grid]
    h = handle(raw.cat, channel, town, reported, perf, scale, r_handle)
    table = build_table(raw, channel, reported, h, terr, r_table)
    t = lap("handling", t)

    files = _write_events(out, table)
    t = lap("write events", t)

    gw = terr.grids_wgs84()
    grids = gw.rename(columns={
        "grid_id": "网格编号", "grid_name": "网格名称", "township_name": "所属镇街",
        "township_code": "镇街编码", "village_name": "村(社区)", "village_code": "村社编码",
        "grid_worker": "网格员", "population": "人口", "households": "户数"})[
        ["网格编号", "网格名称", "所属镇街", "镇街编码", "村(社区)", "村社编码", "网格员", "人口",
         "户数", "geometry"]]
    _unlink(out / "grids.gpkg")
    grids.to_file(out / "grids.gpkg", driver="GPKG", layer="grids", engine="pyogrio")
    tw = terr.townships_wgs84().rename(columns={"code": "镇街编码", "name": "镇街名称"})
    _unlink(out / "townships.geojson")
    tw[["镇街编码", "镇街名称", "geometry"]].to_file(
        out / "townships.geojson", driver="GeoJSON", engine="pyogrio",
        layer_options={"COORDINATE_PRECISION": 7, "RFC7946": "YES"})
    t = lap("write grids", t)

    cams = build_cameras(terr, r_cam)
    cams.to_excel(out / "cameras.xlsx", sheet_name="视频点位", index=False)
    planted = [ev.Planted(**p) for p in truth["planted_hotspots"]]
    med = build_mediation(terr, cal, planted, r_med)
    med.to_excel(out / "mediation.xlsx", sheet_name="调解月报", index=False)
    t = lap("cameras + mediation", t)

    config = out / CONFIG_NAME
    config.write_text(_config_text(files), encoding="utf-8")
    as_of = str(h.as_of).replace("T", " ")
    truth.update({
        "seed": seed, "years": years, "scale": scale, "first_day": str(cal.days[0]),
        "last_day": str(cal.days[-1]), "as_of": as_of,
        "lagging_townships": perf.lagging,
        "stuck_event_ids": table["事件编号"].filter(pa.array(h.stuck)).to_pylist(),
        "counts": {"townships": len(terr.townships), "villages": len(terr.villages),
                   "grids": len(terr.grids), "events": table.num_rows,
                   "cameras": len(cams), "mediation_rows": len(med)},
    })
    (out / "demo_truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1),
                                         encoding="utf-8")
    timings["total"] = round(time.perf_counter() - t0, 2)
    return config, {"counts": truth["counts"], "as_of": as_of, "timings": timings,
                    "files": files}


@functools.lru_cache(maxsize=2)
def territory_for_seed(seed: int) -> Territory:
    """The territory depends on the seed alone (the first child generator), so a process
    that builds several demos (tests, benchmarks) derives it once. Treat it as read-only."""
    r_terr = np.random.default_rng(seed).spawn(6)[0]
    return build_territory(load_reference(), r_terr)


def _unlink(p: Path) -> None:
    if p.exists():
        p.unlink()


def _write_events(out: Path, table: pa.Table) -> list[str]:
    """One CSV per calendar year, as the event system exports them."""
    for old in out.glob("events_*.csv"):
        old.unlink()
    year = pc.year(table["上报时间"]).to_numpy()
    files = []
    opts = pacsv.WriteOptions(quoting_style="needed", batch_size=65536)
    for y in np.unique(year):
        idx = np.nonzero(year == y)[0]
        part = table.slice(int(idx[0]), len(idx))  # rows are sorted by report time
        name = f"events_{int(y)}.csv"
        pacsv.write_csv(part, out / name, write_options=opts)
        files.append(name)
    return files


def _config_text(event_files: list[str]) -> str:
    lines = [
        "# Load config of the demo county (python -m etl demo). All of it is simulated:",
        "# real names and outline of 嵊州市, derived shapes, simulated events — 演示数据.",
        "[dataset]",
        f'name = "{COUNTY_NAME}"',
        "demo = true",
        'as_of = "newest_report"',
        "",
        "[[source]]",
        'kind = "townships"',
        'path = "townships.geojson"',
        "",
        "[[source]]",
        'kind = "grids"',
        'path = "grids.gpkg"',
    ]
    for f in event_files:
        lines += ["", "[[source]]", 'kind = "events"', f'path = "{f}"',
                  'crs = "gcj02"   # the event app records Amap coordinates']
    lines += ["", "[[source]]", 'kind = "cameras"', 'path = "cameras.xlsx"',
              "", "[[source]]", 'kind = "mediation"', 'path = "mediation.xlsx"', ""]
    return "\n".join(lines)
