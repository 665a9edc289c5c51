"""Security headers on every response, with a Content-Security-Policy that allows only self.

Dash writes a few inline scripts into its index page (the renderer bootstrap, inline clientside
callbacks). Rather than ``'unsafe-inline'``, the index page's CSP lists the SHA-256 of each of
those scripts; only responses of Dash's own index view get such hashes, so no other page can
smuggle an inline script in. Styles need ``'unsafe-inline'``: plotly writes <style> elements and
style attributes at run time.
"""
from __future__ import annotations

import base64
import hashlib
import re

import flask

BASE_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data: blob:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "worker-src": "'self' blob:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'self'",
}
# Narrow additions for one path each. The 3D frame's deck.gl bundle probes WebAssembly (a
# try/catch around a tiny module in its Long-integer helper): 'wasm-unsafe-eval' allows
# compiling WebAssembly there, and still no JavaScript eval anywhere.
PATH_EXTRAS = {"/analysis/deck": {"script-src": "'wasm-unsafe-eval'"}}
STATIC_HEADERS = {
    "X-Frame-Options": "SAMEORIGIN",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}
_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc\s*=)([^>]*)>(.*?)</script>", re.S | re.I)
_DATA_TYPE = re.compile(rb"""type\s*=\s*["']?application/json""", re.I)


def _is_dash_index() -> bool:
    import dash  # here, not at the top: the JSON API imports auth and stays Dash-free

    view = flask.current_app.view_functions.get(flask.request.endpoint or "")
    return getattr(view, "__func__", None) is dash.Dash.index


def _inline_hashes(resp: flask.Response) -> list[str]:
    if resp.direct_passthrough or resp.headers.get("Content-Encoding"):
        return []
    out = []
    for attrs, body in _INLINE_SCRIPT.findall(resp.get_data()):
        if _DATA_TYPE.search(attrs):  # a data block, never executed
            continue
        out.append("'sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode() + "'")
    return out


def csp(extra_script: list[str] | None = None, path: str = "") -> str:
    parts = dict(BASE_CSP)
    for key, value in PATH_EXTRAS.get(path, {}).items():
        parts[key] += " " + value
    if extra_script:
        parts["script-src"] += " " + " ".join(extra_script)
    return "; ".join(f"{k} {v}" for k, v in parts.items())


def add_security_headers(resp: flask.Response) -> flask.Response:
    hashes = []
    if resp.mimetype == "text/html" and _is_dash_index():
        hashes = _inline_hashes(resp)
    resp.headers["Content-Security-Policy"] = csp(hashes, flask.request.path)
    for key, value in STATIC_HEADERS.items():
        resp.headers.setdefault(key, value)
    return resp
