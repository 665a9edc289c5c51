"""The two pages auth serves itself: the login form and the 403 page (Chinese, dark, no assets).

Self-contained on purpose: they must render before the visitor may load anything else, and
they carry no script at all, so the strict CSP applies to them unchanged.
"""
from __future__ import annotations

from html import escape

STYLE = """
*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;
background:#06121f;color:#d7e6f5;font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif}
.box{width:360px;padding:32px 36px;background:#0b1f33;border:1px solid #1d4a73;
border-radius:6px;box-shadow:0 0 24px rgba(0,140,255,.15)}
h1{font-size:22px;margin:0 0 6px;color:#7fd3ff;letter-spacing:2px}
p.sub{margin:0 0 22px;font-size:13px;color:#7f9bb5}
label{display:block;font-size:14px;margin:14px 0 6px}
input{width:100%;padding:9px 10px;font-size:15px;color:#e8f2fb;background:#06121f;
border:1px solid #2a5a85;border-radius:4px}
input:focus{outline:none;border-color:#4fb6ff}
button{margin-top:22px;width:100%;padding:10px;font-size:16px;letter-spacing:4px;color:#fff;
background:#1565c0;border:0;border-radius:4px;cursor:pointer}
button:hover{background:#1e7be0}
.err{margin:0 0 8px;padding:8px 10px;font-size:14px;color:#ffd0d0;background:#4a1010;
border-left:3px solid #ff4d4f}
a{color:#7fd3ff}
"""


def _page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
            f'<body><div class="box">{body}</div></body></html>')


def login_page(next_path: str = "/", error: str | None = None, username: str = "") -> str:
    err = f'<p class="err" role="alert">{escape(error)}</p>' if error else ""
    return _page("登录 · 网格化社会治理指挥大屏", f"""
<h1>网格化社会治理指挥大屏</h1><p class="sub">请登录后使用</p>{err}
<form method="post" action="/login" autocomplete="off">
<input type="hidden" name="next" value="{escape(next_path)}">
<label for="username">用户名</label>
<input id="username" name="username" value="{escape(username)}" required autofocus>
<label for="password">密码</label>
<input id="password" name="password" type="password" required>
<button type="submit">登录</button>
</form>""")


def forbidden_page(role: str | None, needed: str) -> str:
    names = {"wall": "大屏", "officer": "业务人员", "admin": "管理员"}
    return _page("无权访问", f"""
<h1>无权访问</h1>
<p class="sub">当前角色「{escape(names.get(role or '', '访客'))}」不能打开此页面，
需要「{escape(names.get(needed, needed))}」及以上权限。</p>
<form method="post" action="/logout"><button type="submit">切换账号</button></form>
<p class="sub" style="margin-top:16px"><a href="/">返回大屏</a></p>""")
