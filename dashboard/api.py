"""The JSON API on the app's Flask server: /api/health, /api/metrics, /api/townships,
/api/events/<event_id>.

Bad parameters answer HTTP 400 with a message (an unknown one, or one named twice, too:
``store.analysis_filters.check_query``); an unknown event 404; database problems 503
with a title.
"""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, jsonify, request

from dashboard import auth
from dashboard.context import AppContext
from store import metrics as m
from store.analysis_filters import check_query
from store.db import StoreError, zone_clash
from store.event_rows import event_detail
from store.freshness import freshness
from store.schema import DATA_TABLES


def _health(store, settings) -> dict:
    counts = {t: store.scalar(f"SELECT count(*) FROM {t}") for t in DATA_TABLES}
    newest = store.scalar("SELECT max(reported_at) FROM events")
    meta = store.meta()
    fresh = freshness(store, settings)
    # a file of another zone swapped in while serving (the start refuses one): its days and
    # hours read shifted, so a probe must not read 'ok'
    clash = zone_clash(meta.get("timezone"), settings)
    status = "timezone_mismatch" if clash else "stale" if fresh["stale"] else "ok"
    return {
        "status": status,
        "timezone": settings.timezone,
        "data_timezone": meta.get("timezone"),
        "as_of_data": newest.isoformat(sep="T") if newest is not None else None,
        "tables": counts,
        "rejected": store.scalar("SELECT count(*) FROM rejects"),
        "dataset": meta.get("dataset_name"),
        "demo": meta.get("demo") == "true",
        "data_version": meta.get("data_version"),
        "stale": fresh["stale"],
        "stale_hours": fresh["stale_hours"],
        "stale_after_h": fresh["stale_after_h"],
        "as_of_pinned": fresh["pinned"],
    }


def _townships(store, settings) -> list[dict]:
    rows = store.rows(
        "SELECT t.township_code, t.township_name, count(g.grid_id) FROM townships t"
        " LEFT JOIN grids g USING (township_code) GROUP BY ALL ORDER BY 1")
    return [{"code": c, "name": n, "grids": int(k)} for c, n, k in rows]


def _metrics(store, settings, scope_text, start, end, as_of, compare=None) -> dict:
    scope = m.parse_scope(store, scope_text)
    return m.metrics(
        store, settings, scope=scope,
        start=m.parse_date(start, "start"), end=m.parse_date(end, "end"),
        as_of=m.parse_as_of(as_of, settings), compare=compare)


def _event(store, settings, event_id, as_of, raw, reported_at=None) -> dict | None:
    return event_detail(store, settings, event_id, as_of=m.parse_as_of(as_of, settings), raw=raw,
                        reported_at=reported_at)


def _reported_at(text: str | None):
    """``reported_at=`` of /api/events/<id>: the caller's report time of the event (a row it
    lists), by which the lookup reads that time's blocks only; the reply is the same."""
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise m.MetricsError(f"bad reported_at {text!r}: an ISO time such as "
                             "2024-03-05T10:00:00") from None


def json_errors(bp: Blueprint, *bad_request: type[Exception]) -> None:
    """The API's error replies, the same on every JSON blueprint: a bad parameter
    (``bad_request``) 400 with its message, a database problem 503 with its title."""
    def _bad_request(exc):
        return jsonify({"error": str(exc)}), 400

    def _store_error(exc):
        return jsonify({"error": exc.title, "detail": exc.detail}), 503

    for kind in bad_request:
        bp.register_error_handler(kind, _bad_request)
    bp.register_error_handler(StoreError, _store_error)


def blueprint(ctx: AppContext) -> Blueprint:
    bp = Blueprint("api", __name__, url_prefix="/api")
    json_errors(bp, m.MetricsError)

    @bp.get("/health")
    def health():
        # the wall's background renderer: its last pass (None until it has rendered once)
        replies = current_app.config.get("GRIDWALL_REPLIES")
        rendered = getattr(replies, "rendered", None)
        return jsonify({**ctx.cached(_health, timeout=30), "wall_prerendered": rendered})

    @bp.get("/townships")
    def townships():
        check_query(request.args, ())
        return jsonify({"townships": ctx.cached(_townships)})

    @bp.get("/metrics")
    def metrics():
        args = request.args
        check_query(args, {"scope", "start", "end", "as_of", "compare"})
        compare = args.get("compare") or None
        if compare is not None and compare not in m.COMPARES:
            raise m.MetricsError(f"bad compare {compare!r}: use previous or year")
        as_of = args.get("as_of") or ctx.as_of().isoformat(sep="T")
        return jsonify(ctx.cached(
            _metrics, args.get("scope"), args.get("start"), args.get("end"), as_of, compare))

    @bp.get("/events/<path:event_id>")
    def event(event_id: str):
        check_query(request.args, {"as_of", "reported_at"})
        as_of = request.args.get("as_of") or ctx.as_of().isoformat(sep="T")
        at = _reported_at(request.args.get("reported_at"))
        raw = auth.sees_raw_personal_data()          # admin only; raw is part of the cache key
        detail = ctx.cached(_event, event_id, as_of, raw, at, timeout=60)
        if detail is None:
            return jsonify({"error": f"unknown event {event_id!r}"}), 404
        if raw:
            auth.audit([event_id], route=request.path)
        return jsonify(detail)

    return bp
