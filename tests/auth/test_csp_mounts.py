"""The index page's CSP hashes survive a second Dash app mounted on the server later on
(the analysis page), whose flask-compress hook would otherwise compress the page first."""
from __future__ import annotations

import base64
import gzip
import hashlib
import re

from dashboard.app import create_app


def _inline_hashes(html: bytes) -> set[str]:
    scripts = re.findall(rb"<script(?![^>]*src=)([^>]*)>(.*?)</script>", html, re.S)
    return {"'sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode() + "'"
            for attrs, body in scripts if b"application/json" not in attrs}


def test_every_inline_script_of_both_index_pages_is_hashed_even_when_gzipped(auth_db):
    app = create_app(auth_db)          # mounts the analysis page, a second Dash app, last
    client = app.server.test_client()
    for path in ("/", "/analysis/"):
        r = client.get(path, headers={"Accept-Encoding": "gzip"})
        assert r.headers["Content-Encoding"] == "gzip"
        wanted = _inline_hashes(gzip.decompress(r.data))
        script_src = r.headers["Content-Security-Policy"].split("script-src ")[1].split(";")[0]
        assert wanted and wanted <= set(script_src.split()), path
