"""The admin page ``/admin`` (role admin): upload source files with a saved mapping preset
and load them in the background with progress, every load's report and who started it,
rejected rows (masked unless an admin asks for raw, which is audited), users and tokens.

``install(server, ctx, db_path)`` is the one hook the app calls. Files live in
``<db>.admin/`` beside the database (paths.py), accounts in the auth store the CLI uses.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import flask

from dashboard.admin.paths import AdminDir, admin_dir
from dashboard.admin.presets import Presets
from dashboard.admin.runs import Runner
from dashboard.auth.store import AuthStore
from store.engines import parse_target, side_path

EXT = "gridwall_admin"
ADMIN_DEFAULTS = {"max_upload_mb": 200}


@dataclass
class AdminState:
    ctx: object
    adm: AdminDir
    presets: Presets
    runner: Runner
    accounts: AuthStore
    max_upload_mb: float


def install(server: flask.Flask, ctx, db_path: str | Path) -> AdminState:
    from dashboard.admin.views import blueprint

    adm = admin_dir(side_path(db_path)).create()   # beside the data, as the auth store
    target = parse_target(db_path)
    settings = ctx.settings
    section = settings.raw.get("admin", ADMIN_DEFAULTS)
    source = getattr(settings, "source", "<defaults>")
    st = AdminState(
        ctx=ctx, adm=adm, presets=Presets(adm.presets),
        runner=Runner(adm, str(db_path), target.ledger.resolve(),
                      None if source == "<defaults>" else str(Path(source).resolve())),
        accounts=AuthStore(side_path(db_path)), max_upload_mb=float(section["max_upload_mb"]))
    server.extensions[EXT] = st
    server.register_blueprint(blueprint)
    return st
