"""The 3D view's frame and the deck.gl bundle, served by the app itself (offline).

The bundle is pydeck's own (``pydeck/nbextension/static/index.js``, deck.gl 9 with the
JSON converter and ``createDeck``), served once at a URL that carries its content hash with
``Cache-Control: immutable``, gzipped once in memory: a browser downloads it once and never
asks again; no page inlines it. The frame page (``/analysis/deck``) is a plain HTML page, not
Dash, so deck.gl meets neither Dash's scripts nor the page's CSS.
"""
from __future__ import annotations

import gzip
import hashlib
from functools import lru_cache
from pathlib import Path

import flask

STATIC = Path(__file__).resolve().parent / "static"
YEAR = 365 * 24 * 3600


def _pydeck_static() -> Path:
    import pydeck

    return Path(pydeck.__file__).resolve().parent / "nbextension" / "static"


class Asset:
    """One file served from memory with a content-hashed URL, an ETag and a gzip copy."""

    def __init__(self, path: Path, mimetype: str, stem: str):
        # the source map is not shipped: drop the comment so no tool asks for it
        self.raw = path.read_bytes().replace(b"//# sourceMappingURL=index.js.map", b"")
        self.digest = hashlib.sha256(self.raw).hexdigest()[:16]
        self.gz = gzip.compress(self.raw, compresslevel=6, mtime=0)
        self.mimetype = mimetype
        self.name = f"{stem}-{self.digest}{path.suffix}"

    def response(self) -> flask.Response:
        etag = f'"{self.digest}"'
        if flask.request.headers.get("If-None-Match") == etag:
            resp = flask.Response(status=304)
        else:
            wants_gzip = "gzip" in flask.request.headers.get("Accept-Encoding", "")
            resp = flask.Response(self.gz if wants_gzip else self.raw, mimetype=self.mimetype)
            if wants_gzip:
                resp.headers["Content-Encoding"] = "gzip"
            resp.headers["Vary"] = "Accept-Encoding"
        resp.headers["ETag"] = etag
        resp.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
        return resp


@lru_cache(maxsize=1)
def assets() -> dict[str, Asset]:
    import pydeck

    bundle = Asset(_pydeck_static() / "index.js", "application/javascript",
                   f"deckgl-pydeck-{pydeck.__version__}")
    frame_js = Asset(STATIC / "deck-frame.js", "application/javascript", "deck-frame")
    return {a.name: a for a in (bundle, frame_js)} | {"_bundle": bundle, "_frame": frame_js}


def warm() -> None:
    """Read, hash and gzip the bundle in the background (about a second), so the first
    visitor of /analysis/ does not wait for it."""
    import threading

    threading.Thread(target=assets, name="deck-bundle-warm", daemon=True).start()


def bundle_url() -> str:
    return "/analysis/vendor/" + assets()["_bundle"].name


def blueprint() -> flask.Blueprint:
    bp = flask.Blueprint("analysis_frame", __name__)

    @bp.get("/analysis/vendor/<name>")
    def vendor(name: str):
        a = assets().get(name)
        if a is None or name.startswith("_"):
            flask.abort(404)
        return a.response()

    @bp.get("/analysis/deck")
    def deck_frame():
        html = (STATIC / "deck-frame.html").read_text(encoding="utf-8")
        html = html.replace("{{ bundle_url }}", bundle_url()).replace(
            "{{ frame_js_url }}", "/analysis/vendor/" + assets()["_frame"].name)
        resp = flask.Response(html, mimetype="text/html")
        resp.headers["Cache-Control"] = "no-cache"
        return resp

    return bp
