"""The analysis page's JSON API (a Flask blueprint under /api): hotspots, cameras near a
place, the 3D view's deck, and the event table with its CSV export.

Bad parameters answer HTTP 400 with ``{"error": ...}``; database problems 503. Every reply
carries the app's ``Server-Timing`` header (dashboard.app).
"""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from dashboard.analysis.deck_view import deck_json
from dashboard.analysis.views import hotspot_view
from dashboard.context import AppContext
from store import analysis_reads as ar
from store import cameras_near as cn
from store import metrics as m
from store.analysis_filters import FilterError, parse_filters
from store.db import StoreError

HOTSPOT_PARAMS = {"window", "start", "end", "as_of", "township", "category", "channel", "all"}


def _check(args, allowed: set[str]) -> None:
    unknown = set(args) - allowed
    if unknown:
        raise FilterError(f"unknown parameter(s): {', '.join(sorted(unknown))}")


def blueprint(ctx: AppContext) -> Blueprint:
    bp = Blueprint("api_analysis", __name__, url_prefix="/api")

    @bp.errorhandler(m.MetricsError)
    @bp.errorhandler(cn.PlaceError)
    def _bad_request(exc):
        return jsonify({"error": str(exc)}), 400

    @bp.errorhandler(StoreError)
    def _store_error(exc):
        return jsonify({"error": exc.title, "detail": exc.detail}), 503

    def filters(args, extra=()):
        return parse_filters(ctx.store, ctx.settings, args, extra=tuple(extra),
                             as_of_default=None if args.get("as_of") else ctx.as_of())

    @bp.get("/hotspots")
    def hotspots():
        args = request.args
        _check(args, HOTSPOT_PARAMS)
        everything = args.get("all", "") in ("1", "true")
        f = filters({k: v for k, v in args.items() if k != "all"})
        df = hotspot_view(ctx, f, everything)
        return jsonify({"start": f.start.isoformat(), "end": f.end.isoformat(),
                        "as_of": f.as_of.isoformat(sep="T"),
                        "camera_radius_m": float(ctx.settings.section("geo")["camera_radius_m"]),
                        "hotspots": ar.hotspot_records(df)})

    @bp.get("/cameras")
    def cameras():
        args = request.args
        _check(args, {"near", "radius_m", "as_of"})
        place = cn.parse_near(args.get("near"))
        radius = cn.parse_radius(args.get("radius_m"),
                                 ctx.settings.section("geo")["camera_radius_m"])
        as_of = m.parse_as_of(args.get("as_of"), ctx.settings) or ctx.as_of()
        df = ctx.cached(cn.cameras_near, place, radius, as_of)
        return jsonify({"near": args.get("near"), "radius_m": radius,
                        "as_of": as_of.isoformat(sep="T"),
                        "cameras": [{"camera_id": r.camera_id, "name": r.name,
                                     "status": r.status, "distance_m": round(float(r.distance_m), 2)}
                                    for r in df.itertuples(index=False)]})

    @bp.get("/deck")
    def deck():
        args = request.args
        size = []
        for key, default in (("w", 900), ("h", 560)):
            try:
                size.append(min(max(int(args.get(key, default)), 100), 8000))
            except ValueError as exc:
                raise FilterError(f"bad {key} {args.get(key)!r}: pixels") from exc
        f = filters({k: v for k, v in args.items() if k not in ("w", "h")})
        return Response(ctx.cached(_deck, f, tuple(size)), mimetype="application/json")

    def _deck(store, settings, f, size):
        return deck_json(ctx, f, size)

    return bp
