"""The analysis page 研判 (``/analysis/``) for duty officers: a second Dash app on the wall's
Flask server, with its own assets folder (``dashboard/analysis/assets``; inside ``assets/``
the wall would load it too) so it loads none of the
wall's canvas CSS or JS.

``mount(server, ctx)`` builds it; the page's rooms are one module per panel; every panel
reads the filters from the URL (``store.analysis_filters``), so a view is a link.
Importing this package does not import Dash.
"""
from __future__ import annotations

from pathlib import Path


ASSETS = Path(__file__).resolve().parent / "assets"
BASE = "/analysis/"


def mount(server, ctx):
    """Create the page's Dash app on ``server`` and the deck frame's routes; returns the app."""
    import dash

    from dashboard.analysis import frame, page

    app = dash.Dash(
        __name__, server=server, url_base_pathname=BASE, serve_locally=True,
        assets_folder=str(ASSETS), title="研判分析", update_title=None,
        compress=False,  # the wall's app already installed gzip on this server
        suppress_callback_exceptions=True,
        external_stylesheets=["/assets/gridwall-fonts.css"],
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}])
    server.register_blueprint(frame.blueprint())
    frame.warm()
    app.layout = lambda: page.layout(ctx)
    page.register_callbacks(app, ctx)
    return app
