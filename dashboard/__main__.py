"""``python -m dashboard --db PATH [--settings FILE] [--host H] [--port P]``: serve the wall.

Installed (``pip install -e .``) the same command is ``gridwall``. Serves until Ctrl-C. A
port already in use (a second ``make demo``) is one line on stderr and exit code 2, not a
traceback: the port is checked before anything is opened, and a bind that still fails
closes the database before it says so. So is a ``--db`` that is no gridwall database
(missing, a folder, empty, another program's file, another schema): nothing is written
beside it (store.db.check_database).

``python -m dashboard users|token ...`` manage accounts (see dashboard/auth/cli.py).
"""
from __future__ import annotations

import argparse
import errno
import os
import socket
import sys
from pathlib import Path

from store.db import StoreError
from store.settings import SettingsError


def port_in_use(host: str, port: int) -> OSError | None:
    """The error binding ``host:port`` gives (None when it is free), as the server binds it."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        return exc
    family, _, _, _, addr = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)   # as waitress does
        try:
            s.bind(addr)
        except OSError as exc:
            return exc
    return None


def _busy(host: str, port: int, exc: OSError) -> int:
    """One line on stderr, exit code 2."""
    if exc.errno == errno.EADDRINUSE:
        print(f"端口 {port} 已被占用 (port in use): {host}:{port} is taken by another gridwall "
              "or program; stop it or pass --port", file=sys.stderr)
    else:
        print(f"无法监听 {host}:{port} (cannot listen): {exc}", file=sys.stderr)
    return 2


def _cannot_write(folder: Path, why: str) -> int:
    """One line on stderr, exit code 2: the server writes its accounts, audit log and admin
    folder beside the database (was a traceback from sqlite, exit 1)."""
    print(f"gridwall: cannot write in {folder} ({why}): the server keeps its accounts "
          "(.auth.sqlite), audit log and admin folder beside the database; run it as the "
          "user who owns that folder (README, Going live)", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("users", "token"):
        from dashboard.auth.cli import main as accounts

        return accounts(argv)
    parser = argparse.ArgumentParser(prog="python -m dashboard", description=__doc__)
    parser.add_argument("--db", required=True, help="DuckDB file written by `python -m etl load`,"
                        " or chdb:DIR, or clickhouse://user@host:port/database")
    parser.add_argument("--settings", help="settings TOML (default: built-in defaults)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8050)
    parser.add_argument("--debug", action="store_true",
                        help="Flask's development server with Dash's dev tools; 127.0.0.1 only")
    args = parser.parse_args(argv)
    from dashboard.auth.settings import is_loopback

    if args.debug and not is_loopback(args.host):
        # Werkzeug's debugger runs Python typed into a browser page (behind a PIN): never
        # on the LAN, where the wall's login would not stand in front of it
        print(f"gridwall: --debug serves only on 127.0.0.1, not {args.host}", file=sys.stderr)
        return 2
    busy = port_in_use(args.host, args.port)
    if busy is not None:
        return _busy(args.host, args.port, busy)
    from etl.publish import remove_leftovers
    from store.engines import parse_target, side_path

    try:
        target = parse_target(args.db)
    except ValueError as exc:
        print(f"gridwall: {exc}", file=sys.stderr)
        return 2
    from store.settings import Settings

    try:
        settings = Settings.load(args.settings)
        if target.kind == "duckdb":
            from store.db import check_database

            # before anything is written beside it (lock, accounts, admin folder)
            check_database(target.path, settings)
        elif target.kind == "chdb":
            from store.chdb_folder import current

            if current(target.path) is None:    # was: 'cannot write in DIR' for a typo
                raise StoreError("数据库尚未发布", f"chdb:{target.path}: no published "
                                 "ClickHouse data there; load it first: python -m etl load "
                                 f"--db chdb:{target.path} --config load.toml, or correct --db")
    except (SettingsError, StoreError) as exc:
        print(f"gridwall: {exc}", file=sys.stderr)
        return 2
    beside = side_path(args.db).parent
    if not beside.is_dir():
        return _cannot_write(beside, "no such folder")
    if not os.access(beside, os.W_OK):
        return _cannot_write(beside, "read-only or not yours")
    for name in remove_leftovers(target.ledger):   # copies a killed load left (none while one runs)
        print(f"gridwall: removed leftover {name} of an interrupted load", file=sys.stderr)
    from dashboard.app import create_app
    from dashboard.heap import freeze_startup, limit_arenas

    limit_arenas()          # before any thread: the server's RSS grows with arenas
    try:
        app = create_app(args.db, settings, host=args.host)
    except (SettingsError, StoreError) as exc:
        print(f"gridwall: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:      # the accounts, audit log or admin folder beside the data
        return _cannot_write(Path(exc.filename).parent if exc.filename else beside,
                             exc.strerror or str(exc))
    from dashboard.facts_warmer import FactsWarmer

    freeze_startup()        # before the threads: the garbage collector skips the start-up heap
    warmer = FactsWarmer(app.server.config["GRIDWALL_CTX"]).start()
    app.server.config["GRIDWALL_START_WARMING"]()   # the wall's views, before anyone asks
    print(f"gridwall: serving {args.db} on http://{args.host}:{args.port}/ (Ctrl-C stops)",
          flush=True)
    try:
        if args.debug:
            # no reloader: its child re-ran this and found the port its parent holds
            app.run(host=args.host, port=args.port, debug=True, threaded=True,
                    use_reloader=False)
        else:
            # A production WSGI server: the wall stays on for months.
            from waitress import serve

            serve(app.server, host=args.host, port=args.port, threads=8, ident="gridwall")
    except OSError as exc:
        if exc.errno not in (errno.EADDRINUSE, errno.EACCES, errno.EADDRNOTAVAIL):
            raise
        return _busy(args.host, args.port, exc)   # taken between the check and the bind
    except KeyboardInterrupt:
        pass
    finally:
        warmer.stop()
        app.server.config["GRIDWALL_CTX"].store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
