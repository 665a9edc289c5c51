"""Which paths exist: Dash answers every path with its page (a catch-all route for its
front-end router), so an unknown path would show the wall. This module serves a Chinese
404 page for unknown paths, a 404 JSON for unknown ``/api/...`` paths, and redirects
``/analysis`` to ``/analysis/`` keeping the query string.

The rule: a request whose matched route is a Dash catch-all (``<path:path>``) is unknown.
"""
from __future__ import annotations

import flask

NOT_FOUND_HTML = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>页面不存在</title>
<link rel="stylesheet" href="/assets/gridwall-fonts.css">
<style>body{margin:0;height:100vh;display:flex;align-items:center;justify-content:center;
background:#061229;color:#e6f1ff;font-family:'GridwallCJK','Noto Sans CJK SC',sans-serif}
main{text-align:center}h1{font-size:48px;color:#27d3ff;margin:0 0 12px}
p{color:#8aa4c8;font-size:20px}a{color:#27d3ff;margin:0 12px}</style></head>
<body><main><h1>404 页面不存在</h1><p>您访问的地址 <code>{path}</code> 不存在。</p>
<p><a href="/">返回指挥大屏</a><a href="/analysis/">研判分析</a></p></main></body></html>"""


def _is_catch_all(rule) -> bool:
    return rule is None or "<path:path>" in rule.rule


def not_found(path: str) -> flask.Response:
    if path == "/api" or path.startswith("/api/"):
        resp = flask.jsonify({"error": f"not found: {path}"})
        resp.status_code = 404
        return resp
    from markupsafe import escape

    return flask.Response(NOT_FOUND_HTML.replace("{path}", str(escape(path))), status=404,
                          mimetype="text/html")


def install(server: flask.Flask) -> None:
    @server.before_request
    def _known_paths_only():
        path = flask.request.path
        if path == "/analysis":
            qs = flask.request.query_string.decode("latin-1")
            return flask.redirect("/analysis/" + ("?" + qs if qs else ""), code=308)
        if _is_catch_all(flask.request.url_rule):
            return not_found(path)
        return None

    @server.errorhandler(404)
    def _not_found(_exc):
        return not_found(flask.request.path)
