"""``GET /briefing.zip?week=YYYY-Www[&scope=county|township:<code>][&as_of=ISO]``: the same
briefing as the CLI (``python -m dashboard.briefing``), made on request and sent as one zip.

One briefing is made at a time (each drives Chromium and serves a second, pinned wall in this
process); a second request waits for the first. An empty week answers 404, a bad parameter 400,
both with a JSON message, like the API.
"""
from __future__ import annotations

import io
import shutil
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


def blueprint(ctx) -> Blueprint:
    bp = Blueprint("briefing", __name__)

    @bp.errorhandler(m.MetricsError)
    def _bad(exc):
        return jsonify({"error": str(exc)}), 400

    @bp.get("/briefing.zip")
    def briefing_zip():
        from dashboard.briefing.build import build
        from dashboard.briefing.compose import EmptyWeek

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
            with _LOCK:
                try:
                    result = build(ctx.store.path, settings, tmp / "briefing", week=week,
                                   scope=args.get("scope") or "county", as_of=as_of,
                                   themes=themes, progress=False)
                except EmptyWeek as exc:
                    return jsonify({"error": f"week {week} has no data",
                                    "message": f"{week} 这一周没有事件数据（{exc.span_text}），"
                                               "未生成周报"}), 404
            data = io.BytesIO()
            with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as zf:
                for f in sorted(result.out.iterdir()):
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
