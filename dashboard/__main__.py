"""``python -m dashboard --db PATH [--settings FILE] [--host H] [--port P]``: serve the wall.

``python -m dashboard users|token ...`` manage accounts (see dashboard/auth/cli.py)."""
from __future__ import annotations

import argparse
import sys

from store.db import StoreError
from store.settings import SettingsError


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("users", "token"):
        from dashboard.auth.cli import main as accounts

        return accounts(argv)
    parser = argparse.ArgumentParser(prog="python -m dashboard", description=__doc__)
    parser.add_argument("--db", required=True, help="DuckDB file written by `python -m etl load`")
    parser.add_argument("--settings", help="settings TOML (default: built-in defaults)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8050)
    parser.add_argument("--debug", action="store_true")
    args = parser.parse_args(argv)
    from dashboard.app import create_app

    try:
        app = create_app(args.db, args.settings, host=args.host)
    except (SettingsError, StoreError) as exc:
        print(f"gridwall: {exc}", file=sys.stderr)
        return 2
    print(f"gridwall: serving {args.db} on http://{args.host}:{args.port}/", flush=True)
    if args.debug:
        app.run(host=args.host, port=args.port, debug=True, threaded=True)
    else:
        # A production WSGI server: the wall stays on for months.
        from waitress import serve

        serve(app.server, host=args.host, port=args.port, threads=8, ident="gridwall")
    return 0


if __name__ == "__main__":
    sys.exit(main())
