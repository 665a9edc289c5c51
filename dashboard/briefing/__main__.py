"""``python -m dashboard.briefing --db PATH [--settings FILE] [--week 2026-W36]
[--scope county|township:<code>] [--as-of ISO] [--theme dark|light|both] --out DIR [--keep N]``

Writes the weekly briefing (PNGs and PDF) of an ISO week into DIR. Default week: the last
complete ISO week before the data's as_of (today for a live feed; the newest report for the
demo or a database read as of it; ``--as-of`` if given); as_of: the end of that week (the
next Monday 00:00). Exit codes: 0 written; 2 bad arguments, settings or database;
3 the week has no data (nothing written); 4 Chromium could not draw it.
"""
from __future__ import annotations

import argparse
import sys

EXIT_EMPTY = 3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard.briefing",
                                     description="周报 weekly situation briefing: PNG images and a PDF")
    parser.add_argument("--db", required=True, help="DuckDB file written by `python -m etl load`,"
                        " or chdb:DIR, or clickhouse://user@host:port/database")
    parser.add_argument("--settings", help="settings TOML (default: built-in defaults)")
    parser.add_argument("--week", help="ISO week, e.g. 2026-W36 (default: the last complete "
                        "week before the data's as_of)")
    parser.add_argument("--scope", default="county", help="county | township:<code or name>")
    parser.add_argument("--as-of", dest="as_of",
                        help="ISO timestamp (default: the end of the week, next Monday 00:00)")
    parser.add_argument("--theme", choices=("dark", "light", "both"), default="both")
    parser.add_argument("--out", required=True, help="folder to write (created whole at the end)")
    parser.add_argument("--keep", type=int, default=None,
                        help="afterwards keep only the newest N briefing folders beside --out")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)

    from dashboard.briefing.build import OutError, build
    from dashboard.briefing.compose import EmptyWeek
    from dashboard.briefing.shoot import RenderError
    from store import briefing_reads as br
    from store.db import StoreError
    from store.engines import open_store, parse_target
    from store.metrics import MetricsError, parse_as_of
    from store.settings import Settings, SettingsError

    try:
        target = parse_target(args.db)
        settings = Settings.load(args.settings)
        if target.kind == "duckdb":
            from store.db import check_database

            check_database(target.path, settings)
    except (ValueError, StoreError, SettingsError) as exc:
        print(f"gridwall briefing: {exc}", file=sys.stderr)
        return 2
    try:
        as_of = parse_as_of(args.as_of, settings)
        week = args.week
        if not week:
            store = open_store(args.db)
            try:
                week = br.default_week(store, settings, as_of)
            finally:
                store.close()
        week = br.week_name(br.parse_week(week)[0])     # 2026-w05 → 2026-W05, as the files
        themes = ("dark", "light") if args.theme == "both" else (args.theme,)
        result = build(args.db, settings, args.out, week=week, scope=args.scope, as_of=as_of,
                       themes=themes, progress=False if args.no_progress else None,
                       keep=args.keep)
    except EmptyWeek as exc:
        print(f"gridwall 周报：{week} 这一周没有任何事件数据（{exc.span_text}），未生成周报。\n"
              f"gridwall briefing: week {week} has no data in scope {args.scope}; nothing written.",
              file=sys.stderr)
        return EXIT_EMPTY
    except (SettingsError, StoreError, MetricsError, OutError) as exc:
        print(f"gridwall briefing: {exc}", file=sys.stderr)
        return 2
    except RenderError as exc:
        print(f"gridwall briefing: {exc}", file=sys.stderr)
        return 4
    b = result.briefing
    print(f"gridwall 周报 {b.week}（截至 {b.as_of:%Y-%m-%d %H:%M}）: "
          f"{len(result.files)} files in {result.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
