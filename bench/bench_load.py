"""Benchmark of the ETL (not a test): ~1,500 square grids and N events, timed run_load.

    python bench/bench_load.py OUT.json [--events 100000 1000000] [--workdir DIR]

Writes, per N: seconds and rows/s for a fresh load, for re-loading the same file (nothing
changes) and for a newer export (about 5 % of events, the open ones, now closed), plus the machine's core count.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from etl.chinacrs import wgs84_to_gcj02  # noqa: E402
from etl.load import run_load  # noqa: E402

LON0, LAT0, STEP, SIDE = 120.60, 29.40, 0.01, 39          # 39 x 39 = 1,521 grids
CATEGORIES = ["矛盾纠纷", "安全隐患", "治安问题", "民生诉求", "环境卫生", "城市管理", "市场监管"]
CHANNELS = ["网格员上报", "平安通APP", "12345热线", "数字城管", "视频巡查"]
LEVELS = ["村(社区)", "乡镇(街道)", "县级部门", "网格"]
SATISFACTION = ["满意", "基本满意", "不满意", ""]


def write_grids(path: Path) -> None:
    import geopandas as gpd
    import shapely

    rows = []
    for i in range(SIDE):
        for j in range(SIDE):
            x0, y0 = LON0 + i * STEP, LAT0 + j * STEP
            t = i // 10 * 4 + j // 10
            rows.append({"网格编号": f"G{i:02d}{j:02d}", "网格名称": f"第{i}-{j}网格",
                         "所属镇街": f"镇{t:02d}", "村(社区)": f"村{i // 3:02d}{j // 3:02d}",
                         "geometry": shapely.box(x0, y0, x0 + STEP, y0 + STEP)})
    gpd.GeoDataFrame(rows, crs=4326).to_file(path, driver="GPKG")


def write_events(path: Path, n: int, seed: int, update_share: float = 0.0) -> None:
    rng = np.random.default_rng(seed)
    lon = LON0 + rng.random(n) * SIDE * STEP
    lat = LAT0 + rng.random(n) * SIDE * STEP
    glon, glat = wgs84_to_gcj02(lon, lat)
    start = np.datetime64("2024-01-01T00:00:00")
    rep = start + (rng.random(n) * 365 * 86400).astype("timedelta64[s]")
    close_h = rng.exponential(20, n)
    open_ = rng.random(n) < 0.05
    pick = {k: rng.integers(0, m, n) for k, m in (("cat", len(CATEGORIES)),
                                                   ("ch", len(CHANNELS)), ("lv", len(LEVELS)),
                                                   ("sat", len(SATISFACTION)))}
    supervised = rng.random(n) < 0.02
    phone = rng.integers(10_000_000, 99_999_999, n)
    if update_share:  # a newer export of the same events: some open ones got closed
        open_ = open_ & (rng.random(n) >= update_share * 20)
    closed = rep + (close_h * 3600).astype("timedelta64[s]")
    fmt = lambda a: np.datetime_as_string(a, unit="s").astype(object)  # noqa: E731
    rep_s = np.char.replace(fmt(rep).astype(str), "T", " ")
    clo_s = np.where(open_, "", np.char.replace(fmt(closed).astype(str), "T", " "))
    table = pa.table({
        "事件编号": [f"E{i:08d}" for i in range(n)],
        "上报时间": rep_s,
        "事件类型": np.array(CATEGORIES)[pick["cat"]],
        "来源渠道": np.array(CHANNELS)[pick["ch"]],
        "事件描述": np.full(n, "群众反映楼道堆放杂物，存在消防隐患"),
        "经度": np.round(glon, 6).astype(str), "纬度": np.round(glat, 6).astype(str),
        "办结时间": clo_s,
        "处置层级": np.array(LEVELS)[pick["lv"]],
        "满意度": np.array(SATISFACTION)[pick["sat"]],
        "状态": np.where(open_, "处置中", "已办结"),
        "是否督办": np.where(supervised, "是", "否"),
        "联系电话": np.char.add("138", phone.astype(str)),
    })
    pacsv.write_csv(table, path)


def config(path: Path, events: str) -> Path:
    path.write_text(f"""[dataset]
name = "基准县"
demo = true
[[source]]
kind = "grids"
path = "grids.gpkg"
[[source]]
kind = "events"
path = "{events}"
crs = "gcj02"
""", encoding="utf-8")
    return path


def bench(n: int, work: Path) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    write_grids(work / "grids.gpkg")
    t = time.perf_counter()
    write_events(work / "events.csv", n, seed=1)
    gen_s = time.perf_counter() - t
    write_events(work / "events_newer.csv", n, seed=1, update_share=0.05)
    db = work / "bench.duckdb"
    for p in work.glob("bench.duckdb*"):
        p.unlink()
    out = {"events": n, "grids": SIDE * SIDE, "generate_s": round(gen_s, 2),
           "csv_mb": round((work / "events.csv").stat().st_size / 1e6, 1)}
    for label, events in (("fresh", "events.csv"), ("reload_same", "events.csv"),
                          ("newer_export", "events_newer.csv")):
        cfg = config(work / f"load_{label}.toml", events)
        t = time.perf_counter()
        c0 = resource.getrusage(resource.RUSAGE_SELF)
        rep = run_load(db, cfg, progress=False)
        s = time.perf_counter() - t
        c1 = resource.getrusage(resource.RUSAGE_SELF)
        cpu = (c1.ru_utime - c0.ru_utime) + (c1.ru_stime - c0.ru_stime)
        ev = next(x for x in rep["sources"] if x["kind"] == "events")
        out[label] = {"seconds": round(s, 2), "rows_per_s": round(n / s),
                      "new": ev["new"], "updated": ev["updated"], "unchanged": ev["unchanged"],
                      "rejected": ev["rejected"], "cpu_s": round(cpu, 2),
                      "timings": rep.get("timings", {})}
        print(f"{n:>9,} events {label:<13} {s:6.1f} s  {n / s:>10,.0f} rows/s  "
              f"(cpu {cpu:.1f} s) {rep.get('timings')}", flush=True)
    out["db_mb"] = round(db.stat().st_size / 1e6, 1)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", help="JSON file for the figures")
    ap.add_argument("--events", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--workdir", help="keep generated files here (default: a temp dir)")
    args = ap.parse_args(argv)
    base = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="bench_load_"))
    results = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                           "platform": platform.platform()},
               "runs": [bench(n, base / f"n{n}") for n in args.events]}
    Path(args.out).write_text(json.dumps(results, ensure_ascii=False, indent=2),
                              encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
