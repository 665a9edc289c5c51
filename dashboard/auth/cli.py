"""``python -m dashboard users …`` and ``python -m dashboard token …``: accounts beside the DB.

    users add    --db PATH --name NAME --role wall|officer|admin [--replace]
                 password: one line on stdin when it is not a terminal, else asked twice
    users list   --db PATH
    users remove --db PATH --name NAME
    token        --db PATH --role wall [--name kiosk1]     prints the token as the last line
    token        --db PATH --list | --revoke NAME

Exit 0 on success, 2 with a message on stderr otherwise. The token is shown once and never
stored: only its SHA-256 is kept.
"""
from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from dashboard.auth.policy import ROLES
from dashboard.auth.store import AuthStore, AuthStoreError, auth_path


def _read_password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("密码 (password): ")
    if getpass.getpass("再次输入 (again): ") != first:
        raise AuthStoreError("the two passwords differ")
    return first


def _store(db: str) -> AuthStore:
    from store.engines import parse_target, side_path

    try:
        t = parse_target(db)
    except ValueError as exc:
        raise AuthStoreError(str(exc)) from None
    data = {"duckdb": t.path, "chdb": t.path, "clickhouse": t.ledger}[t.kind]
    if not data.exists():   # a misspelt --db made accounts beside nothing, never served
        raise AuthStoreError(f"{db}: no such database; accounts live beside it, so load "
                             "it first (python -m etl load) or correct --db")
    if t.kind == "duckdb":  # nor beside a file the server refuses to serve (a folder, ...)
        from store.db import StoreError, check_database

        try:
            check_database(t.path)
        except StoreError as exc:
            raise AuthStoreError(str(exc)) from None
    db = side_path(db)     # chdb:DIR keeps DIR/gridwall.auth.sqlite (store/engines.py)
    if not Path(db).parent.resolve().is_dir():
        raise AuthStoreError(f"directory of {db} does not exist")
    return AuthStore(db)


def users(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m dashboard users")
    sub = p.add_subparsers(dest="cmd", required=True)
    add = sub.add_parser("add", help="add a user (password from stdin or a prompt)")
    add.add_argument("--db", required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--replace", action="store_true", help="change an existing user")
    ls = sub.add_parser("list", help="list users")
    ls.add_argument("--db", required=True)
    rm = sub.add_parser("remove", help="remove a user and end their sessions")
    rm.add_argument("--db", required=True)
    rm.add_argument("--name", required=True)
    args = p.parse_args(argv)
    store = _store(args.db)
    if args.cmd == "add":
        store.add_user(args.name, args.role, _read_password(), replace=args.replace)
        print(f"gridwall: user {args.name!r} ({args.role}) saved in {store.path}")
    elif args.cmd == "list":
        for name, role, created in store.users():
            print(f"{name}\t{role}\t{created}")
    else:
        store.remove_user(args.name)
        print(f"gridwall: user {args.name!r} removed")
    return 0


def token(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m dashboard token",
                                description="create (default), list or revoke access tokens")
    p.add_argument("--db", required=True)
    p.add_argument("--role", choices=ROLES, default="wall")
    p.add_argument("--name", help="a name to revoke it by later (default: <role>-<random>)")
    p.add_argument("--list", action="store_true")
    p.add_argument("--revoke", metavar="NAME")
    args = p.parse_args(argv)
    store = _store(args.db)
    if args.list:
        for name, role, created in store.tokens():
            print(f"{name}\t{role}\t{created}")
    elif args.revoke:
        store.revoke_token(args.revoke)
        print(f"gridwall: token {args.revoke!r} revoked")
    else:
        name, tok = store.add_token(args.role, args.name)
        print(f"gridwall: token {name!r} ({args.role}); shown once, only its hash is kept.")
        print("kiosk: http://<host>:<port>/?token=<token>  API: Authorization: Bearer <token>")
        print(tok)
    return 0


def main(argv: list[str]) -> int:
    """``argv[0]`` is ``users`` or ``token``."""
    try:
        return {"users": users, "token": token}[argv[0]](argv[1:])
    except AuthStoreError as exc:
        print(f"gridwall: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:      # a read-only folder: was a traceback, exit 1
        print(f"gridwall: cannot write {exc.filename or 'beside the database'} "
              f"({exc.strerror or exc}): run it as the user who owns the database's folder",
              file=sys.stderr)
        return 2
