"""The app factory: ``create_app(db_path, settings, host=None) -> Dash``; WSGI: ``app.server``.
``db_path``: a DuckDB file, ``chdb:DIR`` or ``clickhouse://…`` (store/engines.py).

Everything the browser loads is served by this app (Dash's own bundles with
``serve_locally``, ``assets/`` for CSS, fonts and clientside JS): the wall runs offline.
"""
from __future__ import annotations

import time
from pathlib import Path

import flask

import dash
from flask_caching import Cache

from dashboard import api, api_analysis, auth, routing
from dashboard.briefing import routes as briefing_routes
from dashboard.context import AppContext
from store.engines import open_store, side_path
from store.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "assets"


def create_app(db_path: str | Path, settings: Settings | str | Path | None = None,
               host: str | None = None) -> dash.Dash:
    """``host``: the address served on; auth is required by default unless it is loopback."""
    if not isinstance(settings, Settings):
        settings = Settings.load(settings)
    app = dash.Dash(
        __name__,
        assets_folder=str(ASSETS),
        serve_locally=True,
        title="网格化社会治理指挥大屏",
        update_title=None,
        compress=True,  # gzip: plotly.min.js is 4.8 MB raw, ~1.4 MB on the wire
        suppress_callback_exceptions=True,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    cache = Cache(app.server, config={"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 2000})
    ctx = AppContext(store=open_store(db_path), settings=settings, cache=cache,
                     role=auth.current_role)
    app.server.config["GRIDWALL_CTX"] = ctx
    app.server.register_blueprint(api.blueprint(ctx))
    app.server.register_blueprint(api_analysis.blueprint(ctx))
    briefing_routes.register(app.server, ctx)   # GET /briefing.zip?week=YYYY-Www
    _add_server_timing(app.server)
    auth.install(app.server, ctx, side_path(db_path), host=host)  # roles, login, security headers

    from dashboard import wall  # the wall room: layout and callbacks

    app.layout = wall.layout(ctx)
    wall.register_callbacks(app, ctx)
    from dashboard import analysis  # the analysis page 研判, a second Dash app on this server

    analysis.mount(app.server, ctx)
    from dashboard import admin  # the admin page /admin (plain Flask + Jinja, admin only)

    admin.install(app.server, ctx, db_path)
    routing.install(app.server)
    return app


def _add_server_timing(server: flask.Flask) -> None:
    """``Server-Timing: app;dur=<ms>`` on every response: benchmarks and DevTools read it."""

    @server.before_request
    def _start():
        flask.g.gridwall_t0 = time.perf_counter()

    @server.after_request
    def _stamp(resp):
        t0 = getattr(flask.g, "gridwall_t0", None)
        if t0 is not None:
            resp.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - t0) * 1000:.1f}"
        return resp
