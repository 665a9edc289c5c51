"""The floor of the ETL ratio (not a test): what the least load that publishes sorted,
rolled-up events costs beside DuckDB's ``read_csv`` of the same file, in the same run.

    python bench/bench_floor.py OUT.json [--events 1000000] [--workdir DIR] [--rounds 3]

Issue 15 asks for a 1 M-event load in ≤ 2.5× ``read_csv``. This measures a load that does
far less than ``etl load`` and still publishes what the wall reads: the benchmark's file
(bench/bench_load.py) typed by DuckDB SQL alone, in one statement straight from
``read_csv`` (no rejects and their reasons, no duplicate or change check, no GCJ-02 inverse,
the grid taken by arithmetic on the benchmark's square lattice instead of a point-in-polygon
test, no staging), written into the real events table (``store.schema``) sorted by
``reported_at``, then ``daily_rollup`` built by ``store.schema.refresh_rollups``. Each step
is timed in one child process; the process's own wall time (interpreter and ``import
duckdb`` included, as ``etl load`` pays them) is reported beside it. Whatever the real load
adds to this, its ratio cannot be below this one's.

Beside it, ``raw_copy``: the very statement of the baseline, ``CREATE TABLE t AS SELECT *
FROM read_csv(?)``, into a DuckDB *file* instead of memory, then ``CHECKPOINT`` (default
compression, and ``uncompressed``): no typing, no sort, no rollup, so what writing the
file's rows to disk costs at all.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_load import (
    LAT0,
    LON0,
    SIDE,
    STEP,
    machine,
    read_csv_seconds,
    timed,
    write_events,
)

# The child: one process, as `etl load` is. Prints one JSON line of step seconds.
FLOOR = """
import json, sys, time
t0 = time.perf_counter()
import duckdb
from store.schema import create_schema, refresh_rollups
csv, db, lon0, lat0, step, side = sys.argv[1], sys.argv[2], *map(float, sys.argv[3:6]), int(sys.argv[6])
sort = sys.argv[7] == "sorted"
con = duckdb.connect(db, config={"memory_limit": "600MB"})
create_schema(con)
if not sort:   # rows in any order: DuckDB writes them as its threads finish
    con.execute("SET preserve_insertion_order = false")
steps = {"start": time.perf_counter() - t0}
i = f"CAST(floor((CAST(经度 AS DOUBLE) - {lon0}) / {step}) AS INT)"
j = f"CAST(floor((CAST(纬度 AS DOUBLE) - {lat0}) / {step}) AS INT)"
ok = f"{i} BETWEEN 0 AND {side - 1} AND {j} BETWEEN 0 AND {side - 1}"
ts = "'%Y-%m-%d %H:%M:%S'"
t = time.perf_counter()
con.execute(f'''INSERT INTO events SELECT
    事件编号, strptime(上报时间, {ts}), 事件类型, NULL, 来源渠道, nullif(事件描述, ''), NULL,
    CAST(经度 AS DOUBLE), CAST(纬度 AS DOUBLE),
    CASE WHEN {ok} THEN 'G' || lpad({i}::VARCHAR, 2, '0') || lpad({j}::VARCHAR, 2, '0') END,
    CASE WHEN {ok} THEN '村' || lpad(({i} // 3)::VARCHAR, 2, '0') || lpad(({j} // 3)::VARCHAR, 2, '0') END,
    CASE WHEN {ok} THEN '镇' || lpad(({i} // 10 * 4 + {j} // 10)::VARCHAR, 2, '0') END,
    NULL, NULL, strptime(nullif(办结时间, ''), {ts}), NULL, 处置层级,
    CASE 状态 WHEN '已办结' THEN 'closed' ELSE 'dispatched' END, nullif(满意度, ''),
    是否督办 = '是', NULL, 联系电话, 'events.csv', NULL,
    hash(事件编号, 上报时间, 事件类型, 来源渠道, 事件描述, 经度, 纬度, 办结时间, 处置层级, 满意度,
         状态, 是否督办, 联系电话), 1
  FROM read_csv(?, all_varchar = true) {'ORDER BY 2' if sort else ''}''', [csv])
steps["typed_insert"] = time.perf_counter() - t
t = time.perf_counter()
refresh_rollups(con)
steps["rollup"] = time.perf_counter() - t
t = time.perf_counter()
con.execute("CHECKPOINT")
con.close()
steps["checkpoint"] = time.perf_counter() - t
steps["rows"] = duckdb.connect(db, read_only=True).execute("SELECT count(*) FROM events").fetchone()[0]
print(json.dumps(steps))
"""


# The baseline's own statement into a database file: timed like read_csv_seconds (the query
# and its CHECKPOINT, not the start-up), so the two ratios compare like with like.
RAW_COPY = """
import duckdb, sys, time
con = duckdb.connect(sys.argv[2])
if sys.argv[3] != "auto":
    con.execute(f"SET force_compression = '{sys.argv[3]}'")
t = time.perf_counter()
con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?)", [sys.argv[1]])
con.execute("CHECKPOINT")
print(time.perf_counter() - t)
print(con.execute("SELECT count(*) FROM t").fetchone()[0])
"""


def raw_copy_seconds(csv: Path, db: Path, compression: str = "auto") -> tuple[float, int]:
    """``read_csv``'s statement into a fresh database file: (seconds, rows written)."""
    for p in db.parent.glob(db.name + "*"):
        p.unlink()
    _, _, out, _ = timed([sys.executable, "-c", RAW_COPY, str(csv), str(db), compression])
    seconds, rows = out.strip().splitlines()[-2:]
    return float(seconds), int(rows)


def floor_run(csv: Path, db: Path, sort: bool = True) -> dict:
    """One floor load in its own process: its step seconds, whole-process seconds and CPU.
    ``sort=False``: the events in any order (lower still, but not what the wall needs)."""
    for p in db.parent.glob(db.name + "*"):
        p.unlink()
    wall, rss, out, cpu = timed([sys.executable, "-c", FLOOR, str(csv), str(db), str(LON0),
                                 str(LAT0), str(STEP), str(SIDE),
                                 "sorted" if sort else "any_order"])
    steps = json.loads(out.strip().splitlines()[-1])
    return {"process_seconds": round(wall, 3), "cpu_seconds": round(cpu, 2),
            "peak_rss_mb": round(rss / 2**20), **{k: (round(v, 3) if isinstance(v, float)
                                                      else v) for k, v in steps.items()}}


def bench(n: int, work: Path, rounds: int, log=print) -> dict:
    """``rounds`` of (read_csv, floor load sorted, floor load in any order), alternated;
    every round and the medians of the ratios."""
    work.mkdir(parents=True, exist_ok=True)
    csv = work / "events.csv"
    if not csv.exists():
        write_events(csv, n, seed=1)
    out: dict = {"events": n, "rounds": []}
    for k in range(rounds):
        base, base_cpu = read_csv_seconds(csv)
        row = {"read_csv_seconds": round(base, 3), "read_csv_cpu_seconds": round(base_cpu, 2)}
        for comp in ("auto", "uncompressed"):
            secs, rows = raw_copy_seconds(csv, work / "raw.duckdb", comp)
            row[f"raw_copy_{comp}"] = {"seconds": round(secs, 3), "rows": rows,
                                       "ratio": round(secs / base, 2)}
        log(f"{n:>11,} events round {k + 1} raw copy to disk: {row['raw_copy_auto']['ratio']:.2f}"
            f"× read_csv ({row['raw_copy_uncompressed']['ratio']:.2f}× uncompressed)", flush=True)
        for label, sort in (("sorted", True), ("any_order", False)):
            run = floor_run(csv, work / "floor.duckdb", sort)
            run.update(ratio=round(run["process_seconds"] / base, 2),
                       ratio_without_start=round((run["process_seconds"] - run["start"]) / base, 2),
                       insert_ratio=round(run["typed_insert"] / base, 2))
            row[label] = run
            log(f"{n:>11,} events round {k + 1} {label:<9}: read_csv {base:5.2f} s | floor "
                f"load {run['process_seconds']:5.2f} s (start {run['start']:.2f}, typed insert "
                f"{run['typed_insert']:.2f}, rollup {run['rollup']:.2f}) | ratio "
                f"{run['ratio']:.2f} ({run['ratio_without_start']:.2f} without start-up, "
                f"{run['insert_ratio']:.2f} the insert alone)", flush=True)
        out["rounds"].append(row)
    for label in ("sorted", "any_order"):
        out[f"median_{label}"] = {key: statistics.median(r[label][key] for r in out["rounds"])
                                  for key in ("ratio", "ratio_without_start", "insert_ratio")}
    for comp in ("auto", "uncompressed"):
        out[f"median_raw_copy_{comp}"] = statistics.median(r[f"raw_copy_{comp}"]["ratio"]
                                                           for r in out["rounds"])
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", help="JSON file for the figures")
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--workdir", help="keep generated files here (default: a temp dir)")
    args = ap.parse_args(argv)
    base = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="bench_floor_"))
    res = {"machine": machine(), **bench(args.events, base / f"n{args.events}", args.rounds)}
    Path(args.out).write_text(json.dumps(res, ensure_ascii=False, indent=2), encoding="utf-8")
    for label in ("sorted", "any_order"):
        m = res[f"median_{label}"]
        print(f"{label:<9} median ratio {m['ratio']:.2f} ({m['ratio_without_start']:.2f} "
              f"without start-up, {m['insert_ratio']:.2f} the insert alone)")
    print(f"raw copy to disk median ratio {res['median_raw_copy_auto']:.2f} "
          f"({res['median_raw_copy_uncompressed']:.2f} uncompressed)")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
