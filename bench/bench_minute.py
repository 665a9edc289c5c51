"""Benchmark of the wall's minute (not a test): what the server's background renderer spends
to render the county view and every township view when as_of moves on a minute.

    python bench/bench_minute.py OUT.json --db DB [--rounds 3]

When as_of follows the clock every view's figures change each minute, and the renderer
(``dashboard.wall.reply.warm``) renders them all again, ahead of the turn. This runs that
render in-process on the DuckDB file, at as_of + 1, + 2, ... minutes (so no reply or read is
cached from the round before), after the store's facts are built, and reports per round:
seconds in all, the panels' reads and their outputs (figures, rows) per panel, and, as the
baseline from the same run, the same views' reads alone (each panel's ``read`` with the
caches cleared), so ``ratio`` = the round ÷ its reads. Each panel's time is the sum over
the views; the rest of a round (making replies plain, the cache) is ``other_s``.
"""
from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dashboard.app import create_app  # noqa: E402
from dashboard.wall import reply  # noqa: E402
from dashboard.wall.view import current_view  # noqa: E402
from store import metrics as m  # noqa: E402
from store import wall_reads as wr  # noqa: E402


class _Timed:
    """Each panel's ``read`` and ``outputs`` wrapped to add their seconds up, by name."""

    def __init__(self):
        self.acc: dict[str, float] = collections.defaultdict(float)
        self._orig = []
        for p in reply.PANELS:
            for name in ("read", "outputs"):
                f = getattr(p, name)
                self._orig.append((p, name, f))
                setattr(p, name, self._wrap(f, f"{p.__name__.rsplit('.', 1)[-1]}.{name}"))

    def _wrap(self, f, key):
        def timed(*a, **k):
            t0 = time.perf_counter()
            try:
                return f(*a, **k)
            finally:
                self.acc[key] += time.perf_counter() - t0
        return timed

    def restore(self):
        for p, name, f in self._orig:
            setattr(p, name, f)


def _reads_alone(ctx, as_of) -> float:
    """Every cached panel's read for every view at ``as_of``, the caches cleared first."""
    ctx.cache.clear()
    codes = [t["code"] for t in ctx.cached(wr.township_list)]
    t0 = time.perf_counter()
    for code in [None, *codes]:
        v = current_view(ctx, {"township": code}, as_of=as_of)
        for panel in reply.PANELS:
            if getattr(panel, "CACHE", True):
                panel.read(ctx, v)
    return time.perf_counter() - t0


def run(db: Path, rounds: int = 3) -> dict:
    app = create_app(db)
    ctx = app.server.config["GRIDWALL_CTX"]
    t0 = time.perf_counter()
    m.prepare(ctx.store, ctx.settings)
    out: dict = {"db": str(db), "facts_s": round(time.perf_counter() - t0, 3), "rounds": []}
    as_of = ctx.as_of()
    timed = _Timed()
    try:
        for i in range(rounds):
            at = as_of + dt.timedelta(minutes=i + 1)
            timed.acc.clear()
            ctx.cache.clear()
            t0 = time.perf_counter()
            views = reply.warm(ctx, reply.Replies(), at)
            total = time.perf_counter() - t0
            reads = sum(v for k, v in timed.acc.items() if k.endswith(".read"))
            outputs = sum(v for k, v in timed.acc.items() if k.endswith(".outputs"))
            by_panel = {k: round(v, 3) for k, v in sorted(timed.acc.items(), key=lambda kv: -kv[1])}
            timed.acc.clear()
            alone = _reads_alone(ctx, at + dt.timedelta(seconds=30))
            out["rounds"].append({
                "views": views, "round_s": round(total, 3), "reads_s": round(reads, 3),
                "outputs_s": round(outputs, 3), "other_s": round(total - reads - outputs, 3),
                "baseline_reads_alone_s": round(alone, 3),
                "ratio": round(total / alone, 2) if alone else None, "by_panel_s": by_panel})
    finally:
        timed.restore()
        ctx.store.close()
    return out


def table(res: dict) -> str:
    lines = [f"{res['db']}: facts {res['facts_s']} s",
             "round | views | round s | reads | outputs | other | reads alone (baseline) | ratio"]
    for i, r in enumerate(res["rounds"]):
        lines.append(f"{i} | {r['views']} | {r['round_s']} | {r['reads_s']} | {r['outputs_s']} | "
                     f"{r['other_s']} | {r['baseline_reads_alone_s']} | {r['ratio']}")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    res = run(args.db, args.rounds)
    args.out.write_text(json.dumps(res, ensure_ascii=False, indent=1))
    print(table(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
