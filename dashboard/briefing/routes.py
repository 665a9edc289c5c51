"""``GET /briefing.zip?week=YYYY-Www[&scope=county|township:<code>][&as_of=ISO]``: the same
briefing as the CLI (``python -m dashboard.briefing``), made on request and sent as one zip.

One briefing is made at a time (each drives Chromium and serves a second, pinned wall); a
second request waits for the first. An empty week answers 404, a bad parameter 400, both with a
JSON message, like the API.

On a DuckDB file or a ClickHouse server the briefing is made in a child process (its own
interpreter, sharing none of the server's memory): made in the server, the pinned wall it
serves, its facts and its reads took the 10 M-event server from 670 MB to 1.2 GB and left it
at 1.08 GB (freed memory is not given back to the system), and competed with the wall's own
requests for the interpreter.
A ``chdb:`` folder is locked by the server's ClickHouse engine, so there it is made in process.
"""
from __future__ import annotations

import io
import json
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import threading
import zipfile
from pathlib import Path

from flask import Blueprint, jsonify, request, send_file

from store import briefing_reads as br
from store import metrics as m
from store.analysis_filters import check_query

_LOCK = threading.Lock()
PARAMS = {"week", "scope", "as_of", "theme"}
ROOT = Path(__file__).resolve().parents[2]


def make(db, settings, out: Path, **kw) -> str | None:
    """Build the briefing into ``out``; None when written, else the empty week's span text.
    A DuckDB file or a ClickHouse server: in a child process (dashboard/briefing/child.py,
    the settings passed whole); ``chdb:``, whose folder this server holds locked: here."""
    if str(db).startswith("chdb:"):
        from dashboard.briefing.build import build
        from dashboard.briefing.compose import EmptyWeek

        try:
            build(db, settings, out, progress=False, **kw)
        except EmptyWeek as exc:
            return exc.span_text
        return None
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)}
    done = subprocess.run([sys.executable, "-m", "dashboard.briefing.child"], cwd=ROOT, env=env,
                          input=pickle.dumps((str(db), settings, out, kw)),
                          capture_output=True, timeout=1800)
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["?"]
        raise RuntimeError(f"briefing child exited {done.returncode}: {tail[0]}")
    return json.loads(done.stdout.decode("utf-8").strip().splitlines()[-1])["empty"]


def blueprint(ctx) -> Blueprint:
    bp = Blueprint("briefing", __name__)

    @bp.errorhandler(m.MetricsError)
    def _bad(exc):
        return jsonify({"error": str(exc)}), 400

    @bp.get("/briefing.zip")
    def briefing_zip():
        from dashboard.briefing.compose import EmptyWeek, checked

        args = request.args
        check_query(args, PARAMS)          # unknown or named twice: 400
        settings = ctx.settings
        as_of = m.parse_as_of(args.get("as_of"), settings)
        week = args.get("week") or br.default_week(ctx.store, settings, as_of)
        # the canonical name ('2026-w05' → '2026-W05'): the zip, its folder and the messages
        # are named as the files inside are (compose names them by the week's Monday)
        week = br.week_name(br.parse_week(week)[0])
        theme = args.get("theme") or "both"
        if theme not in ("dark", "light", "both"):
            raise m.MetricsError(f"bad theme {theme!r}: use dark, light or both")
        themes = ("dark", "light") if theme == "both" else (theme,)
        tmp = Path(tempfile.mkdtemp(prefix="gridwall-briefing-"))
        try:
            out = tmp / "briefing"
            scope = args.get("scope") or "county"
            try:        # here, before a process starts: a bad scope 400, an empty week 404
                checked(ctx.store, settings, week, scope)
                empty = None
            except EmptyWeek as exc:
                empty = exc.span_text
            if empty is None:
                with _LOCK:
                    empty = make(ctx.store.path, settings, out, week=week, scope=scope,
                                 as_of=as_of, themes=themes)
            if empty is not None:
                return jsonify({"error": f"week {week} has no data",
                                "message": f"{week} 这一周没有事件数据（{empty}），"
                                           "未生成周报"}), 404
            data = io.BytesIO()
            with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as zf:
                for f in sorted(out.iterdir()):
                    zf.write(f, f"briefing_{week}/{f.name}")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        data.seek(0)
        return send_file(data, mimetype="application/zip", as_attachment=True,
                         download_name=f"briefing_{week}.zip")

    return bp


def register(server, ctx) -> None:
    """What dashboard/app.py calls: the /briefing.zip route on the app's Flask server."""
    server.register_blueprint(blueprint(ctx))
