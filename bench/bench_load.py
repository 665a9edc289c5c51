"""Benchmark of the ETL (not a test): 1,521 square grids and N GCJ-02 events, each load timed
beside DuckDB's own ``read_csv`` of the same file, in the same run.

    python bench/bench_load.py OUT.json [--events 100000 1000000] [--workdir DIR]
                                        [--city-grids 10000]

Per N: a fresh load, a re-load of the same file (nothing changes) and a newer export (about
5 % of events, open ones, now closed). Every load runs as ``python -m etl load`` in its own
process, so its peak RSS (``ru_maxrss`` of that child, via wait4) is the load's alone. The
baseline is ``CREATE TABLE AS SELECT * FROM read_csv(file)`` in a fresh in-memory DuckDB,
also in its own process. ``ratio`` = ETL wall seconds ÷ read_csv seconds: on a shared,
noisy machine the ratio is the figure to compare, not the seconds; ``cpu_ratio`` (CPU
seconds of the load process ÷ those of the read_csv process, start-up included on both
sides) is steadier still when the machine is shared.

The event file is generated in slices and streamed to disk, so 10 M events need no more
memory than 1 M. ``--city-grids N``: N irregular grids in 40 townships
(``bench/city_grids.py``: densified, bent Voronoi cells, digitised one by one) instead of
the squares, over the same box and with the same events, for what a city's grid layer costs.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from etl.chinacrs import wgs84_to_gcj02  # noqa: E402

LON0, LAT0, STEP, SIDE = 120.60, 29.40, 0.01, 39          # 39 x 39 = 1,521 grids
CATEGORIES = ["矛盾纠纷", "安全隐患", "治安问题", "民生诉求", "环境卫生", "城市管理", "市场监管"]
CHANNELS = ["网格员上报", "平安通APP", "12345热线", "数字城管", "视频巡查"]
LEVELS = ["村(社区)", "乡镇(街道)", "县级部门", "网格"]
SATISFACTION = ["满意", "基本满意", "不满意", ""]
SLICE = 500_000


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


def _slice(first: int, n: int, seed: int, update_share: float) -> pa.Table:
    """Events first .. first+n-1; the same ids and draws for a seed whatever update_share."""
    rng = np.random.default_rng([seed, first])
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
    later = rng.random(n)
    if update_share:  # a newer export of the same events: some open ones got closed
        open_ = open_ & (later >= update_share * 20)
    closed = rep + (close_h * 3600).astype("timedelta64[s]")
    rep_s = np.char.replace(np.datetime_as_string(rep, unit="s"), "T", " ")
    clo_s = np.where(open_, "", np.char.replace(np.datetime_as_string(closed, unit="s"),
                                                "T", " "))
    return pa.table({
        "事件编号": np.char.add("E", np.char.zfill((first + np.arange(n)).astype(str), 8)),
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


def write_events(path: Path, n: int, seed: int, update_share: float = 0.0) -> None:
    """N events as a CSV file, generated and written slice by slice."""
    writer = None
    try:
        for first in range(0, n, SLICE):
            table = _slice(first, min(SLICE, n - first), seed, update_share)
            if writer is None:
                writer = pacsv.CSVWriter(str(path), table.schema)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()


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


READ_CSV = """
import duckdb, sys, time
con = duckdb.connect()
t = time.perf_counter()
con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?)", [sys.argv[1]])
print(time.perf_counter() - t)
"""


def read_csv_seconds(csv: Path) -> tuple[float, float]:
    """DuckDB's own read_csv of the file, in a fresh process (the ETL's baseline):
    (seconds of the read, CPU seconds of the whole process)."""
    _, _, out, cpu = timed([sys.executable, "-c", READ_CSV, str(csv)])
    return float(out.strip().splitlines()[-1]), cpu


def _popen_wait4(args: list[str]) -> tuple[float, int, str, str, int, float]:
    """Run a child; (wall s, its own peak RSS in bytes, stdout, stderr, exit code, its CPU s)."""
    import threading

    t = time.perf_counter()
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out_chunks: list[bytes] = []
    err_chunks: list[bytes] = []

    def pump(stream, into):
        for chunk in iter(lambda: stream.read(65536), b""):
            into.append(chunk)
    threads = [threading.Thread(target=pump, args=(proc.stdout, out_chunks)),
               threading.Thread(target=pump, args=(proc.stderr, err_chunks))]
    for th in threads:
        th.start()
    _, status, usage = os.wait4(proc.pid, 0)
    for th in threads:
        th.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return (time.perf_counter() - t, usage.ru_maxrss * 1024,
            b"".join(out_chunks).decode("utf-8", "replace"),
            b"".join(err_chunks).decode("utf-8", "replace"), proc.returncode,
            usage.ru_utime + usage.ru_stime)


def timed(args: list[str]) -> tuple[float, int, str, float]:
    wall, rss, out, err, code, cpu = _popen_wait4(args)
    if code:
        raise RuntimeError(f"{' '.join(args)} failed ({code}): {err[-2000:]}")
    return wall, rss, out, cpu


def load(db: Path, cfg: Path, report: Path) -> dict:
    wall, rss, _, cpu = timed([sys.executable, "-m", "etl", "load", "--db", str(db),
                               "--config", str(cfg), "--quiet", "--report", str(report)])
    rep = json.loads(report.read_text(encoding="utf-8"))
    ev = next(x for x in rep["sources"] if x["kind"] == "events")
    return {"seconds": round(wall, 2), "load_seconds": rep["seconds"], "cpu_seconds": round(cpu, 2),
            "peak_rss_mb": round(rss / 2**20), "new": ev["new"], "updated": ev["updated"],
            "unchanged": ev["unchanged"], "rejected": ev["rejected"],
            "timings": rep.get("timings", {})}


def bench(n: int, work: Path, variants=("fresh", "reload_same", "newer_export"),
          log=print, city_grids: int = 0) -> dict:
    """Generate the files in ``work``, then each variant's load beside ``read_csv``;
    ``city_grids`` > 0: that many irregular grids instead of the lattice."""
    work.mkdir(parents=True, exist_ok=True)
    if city_grids:
        from bench.city_grids import write_city_grids
        write_city_grids(work / "grids.gpkg", city_grids)
    else:
        write_grids(work / "grids.gpkg")
    t = time.perf_counter()
    write_events(work / "events.csv", n, seed=1)
    gen_s = time.perf_counter() - t
    if "newer_export" in variants:
        write_events(work / "events_newer.csv", n, seed=1, update_share=0.05)
    db = work / "bench.duckdb"
    for p in work.glob("bench.duckdb*"):     # the file, its WAL, and what serving it left
        if p.is_dir():
            shutil.rmtree(p)
        else:
            p.unlink()
    out = {"events": n, "grids": city_grids or SIDE * SIDE,
           "grid_shape": "city" if city_grids else "squares", "generate_s": round(gen_s, 2),
           "csv_mb": round((work / "events.csv").stat().st_size / 1e6, 1)}
    files = {"fresh": "events.csv", "reload_same": "events.csv",
             "newer_export": "events_newer.csv"}
    for label in variants:
        csv = work / files[label]
        base, base_cpu = read_csv_seconds(csv)
        cfg = config(work / f"load_{label}.toml", files[label])
        res = load(db, cfg, work / f"report_{label}.json")
        res["read_csv_seconds"] = round(base, 2)
        res["read_csv_cpu_seconds"] = round(base_cpu, 2)
        res["ratio"] = round(res["seconds"] / base, 2)
        res["cpu_ratio"] = round(res["cpu_seconds"] / base_cpu, 2)
        out[label] = res
        log(f"{n:>11,} events {label:<13} ETL {res['seconds']:7.1f} s  read_csv {base:6.1f} s  "
            f"ratio {res['ratio']:5.2f} (CPU {res['cpu_ratio']:5.2f})  "
            f"peak RSS {res['peak_rss_mb']:6,} MB  "
            f"(new {res['new']:,} updated {res['updated']:,} unchanged {res['unchanged']:,})",
            flush=True)
    out["db_mb"] = round(db.stat().st_size / 1e6, 1)
    return out


def table(runs: list[dict]) -> str:
    """The figures as a Markdown table (for the README and docs/scale.md)."""
    lines = [("| events | grids | load | ETL s | DuckDB read_csv s | ratio | CPU ratio | "
              "peak RSS MB |"), "| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: |"]
    for run in runs:
        for label in ("fresh", "reload_same", "newer_export"):
            if label in run:
                r = run[label]
                grids = f"{run['grids']:,} {run.get('grid_shape', 'squares')}"
                lines.append(f"| {run['events']:,} | {grids} | {label} | {r['seconds']:.1f} | "
                             f"{r['read_csv_seconds']:.1f} | {r['ratio']:.2f} | "
                             f"{r.get('cpu_ratio', float('nan')):.2f} | "
                             f"{r['peak_rss_mb']:,} |")
    return "\n".join(lines)


def machine() -> dict:
    return {"cpus": os.cpu_count(), "python": platform.python_version(),
            "platform": platform.platform(),
            "load_avg": [round(x, 2) for x in os.getloadavg()]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", help="JSON file for the figures")
    ap.add_argument("--events", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--fresh-only", action="store_true",
                    help="only the fresh load (the re-loads double the time at 10 M)")
    ap.add_argument("--workdir", help="keep generated files here (default: a temp dir)")
    ap.add_argument("--city-grids", type=int, default=0, metavar="N",
                    help="N irregular grids in 40 townships instead of 1,521 squares")
    args = ap.parse_args(argv)
    base = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="bench_load_"))
    tag = f"_g{args.city_grids}" if args.city_grids else ""
    variants = ("fresh",) if args.fresh_only else ("fresh", "reload_same", "newer_export")
    results = {"machine": machine(),
               "runs": [bench(n, base / f"n{n}{tag}", variants, city_grids=args.city_grids)
                        for n in args.events]}
    Path(args.out).write_text(json.dumps(results, ensure_ascii=False, indent=2),
                              encoding="utf-8")
    print(table(results["runs"]))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
