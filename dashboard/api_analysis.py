"""The analysis page's JSON API (a Flask blueprint under /api): hotspots, cameras near a
place, the 3D view's deck, and the event table with its CSV export.

Bad parameters answer HTTP 400 with ``{"error": ...}``; database problems 503. Every reply
carries the app's ``Server-Timing`` header (dashboard.app).
"""
from __future__ import annotations

import time

from flask import Blueprint, Response, g, jsonify, request, stream_with_context

from dashboard import auth
from dashboard.api import json_errors
from dashboard.analysis.deck_view import deck_json
from dashboard.analysis.views import hotspot_view
from dashboard.context import AppContext
from store import analysis_reads as ar
from store import cameras_near as cn
from store import hotspots as hs
from store.freshness import data_start
from store import metrics as m
from store.analysis_filters import FILTER_KEYS, FilterError, check_query, parse_filters

EVENT_EXTRA = ("scope", "sort", "page", "page_size")
HOTSPOT_PARAMS = {"window", "start", "end", "as_of", "township", "category", "channel", "all"}


def _without(args, keys) -> dict:
    return {k: v for k, v in args.items() if k not in keys}


def _check(args, allowed: set[str]) -> None:
    check_query(args, allowed)


def blueprint(ctx: AppContext) -> Blueprint:
    bp = Blueprint("api_analysis", __name__, url_prefix="/api")

    @bp.before_request
    def _cpu_start():
        g.gw_cpu0 = time.process_time()

    @bp.after_request
    def _cpu_stamp(resp):
        """X-Gridwall-CPU-ms: CPU time of the whole process (DuckDB's threads included)
        while this request ran; on a busy machine it says what the request costs when the
        wall clock (Server-Timing) also counts waiting for a core. Benchmarks read both."""
        t0 = getattr(g, "gw_cpu0", None)
        if t0 is not None:
            resp.headers["X-Gridwall-CPU-ms"] = f"{(time.process_time() - t0) * 1000:.1f}"
        return resp

    json_errors(bp, m.MetricsError, cn.PlaceError)

    def filters(args, extra=(), unbounded=False):
        twice = sorted(k for k in request.args if len(request.args.getlist(k)) > 1)
        if twice:       # the callers pass plain dicts on: say it here (parse_filters says why)
            raise FilterError(f"{', '.join(twice)} given more than once: one value each")
        return parse_filters(ctx.store, ctx.settings, args, extra=tuple(extra),
                             as_of_default=None if args.get("as_of") else ctx.as_of(),
                             unbounded=unbounded)

    def span(f) -> dict:
        return {"start": f.start.isoformat() if f.bounded else None,
                "end": f.end.isoformat() if f.bounded else None,
                "as_of": f.as_of.isoformat(sep="T")}

    @bp.get("/hotspots")
    def hotspots():
        args = request.args
        _check(args, HOTSPOT_PARAMS)
        everything = args.get("all", "") in ("1", "true")
        f = filters({k: v for k, v in args.items() if k != "all"})
        df = hotspot_view(ctx, f, everything)
        first = ctx.cached(data_start)
        return jsonify({"start": f.start.isoformat(), "end": f.end.isoformat(),
                        "as_of": f.as_of.isoformat(sep="T"),
                        "baseline_from": hs.baseline_start(ctx.settings, f.start,
                                                           f.end).isoformat(),
                        "data_from": first.isoformat() if first else None,
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

    @bp.get("/events")
    def events():
        from store import event_table as et

        args = request.args
        f = filters(_without(args, EVENT_EXTRA), unbounded=True)
        page = et.parse_page(args)
        scope = et.parse_scope(ctx.store, args.get("scope"))
        raw = auth.sees_raw_personal_data()          # admin only; part of the cache key
        body = ctx.cached(et.event_page, f, page, scope, raw=raw, timeout=60)
        if raw and body["rows"]:
            auth.audit([r["event_id"] for r in body["rows"]], route=request.path)
        return jsonify({**span(f), **body})

    @bp.get("/events.csv")
    def events_csv():
        from store import event_table as et

        args = request.args
        _check(args, set(FILTER_KEYS) | {"scope", "sort", "header"})
        f = filters(_without(args, ("scope", "sort", "header")), unbounded=True)
        sort = et.parse_sort(args.get("sort"))
        scope = et.parse_scope(ctx.store, args.get("scope"))
        header = args.get("header") or "keys"
        if header not in ("keys", "zh"):
            raise FilterError(f"bad header {header!r}: keys or zh")
        raw = auth.sees_raw_personal_data()
        if raw:   # the export's ids are not known before it streams: the query is the record
            auth.audit([f"csv export ?{auth.audit_query(args)}"], route=request.path)
        lines = et.csv_lines(ctx.store, ctx.settings, f, sort, scope, header=header, raw=raw)
        name = (f"events_{f.start:%Y%m%d}-{f.end:%Y%m%d}.csv" if f.bounded
                else f"events_all_{f.as_of:%Y%m%d}.csv")
        resp = Response(stream_with_context(lines), mimetype="text/csv")
        resp.headers["Content-Disposition"] = f"attachment; filename={name}"
        resp.headers["Cache-Control"] = "no-store"
        return resp

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
