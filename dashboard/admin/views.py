"""The admin page's routes (plain Flask + Jinja, no inline script): upload and load, load
reports, rejects, users and tokens. Every path is under /admin or /api/admin, which the
policy table (dashboard/auth/policy.py) opens to admin only; every POST checks a CSRF token.
"""
from __future__ import annotations

import csv
import io
import shutil
from urllib.parse import urlencode

import flask
from werkzeug.exceptions import RequestEntityTooLarge

from dashboard import auth
from dashboard.admin import csrf, masking, presets as P
from dashboard.admin.labels import COUNT_ZH, REASON_ZH, ROLE_ZH
from dashboard.admin.runs import LoadRefused, STAGE_ZH
from dashboard.admin.uploads import KIND_EXTS, UploadError, check_content, safe_name
from dashboard.auth.store import AuthStore, AuthStoreError
from etl.aliases import FIELDS
from etl.report import source_problems
from store import admin_reads as R
from store.event_table import neutralise

PAGE_SIZE = 50


def _state():
    return flask.current_app.extensions["gridwall_admin"]


def _render(template: str, status: int = 200, **kw):
    st = _state()
    resp = flask.make_response(flask.render_template(
        template, user=auth.current_user(), csrf_token=csrf.token(), csrf_field=csrf.FIELD,
        role_zh=ROLE_ZH, kind_zh=P.KIND_ZH, reason_zh=REASON_ZH, count_zh=COUNT_ZH,
        max_upload_mb=f"{st.max_upload_mb:g}", **kw), status)
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _refuse_csrf():
    if flask.request.path.startswith("/api/"):
        return flask.jsonify({"error": "CSRF 校验失败，请刷新页面后重试"}), 403
    return flask.Response("CSRF 校验失败：请刷新页面后重试。", status=403,
                          mimetype="text/plain")


def _raw_requested() -> bool:
    return flask.request.args.get("raw") == "1" and auth.sees_raw_personal_data()


blueprint = flask.Blueprint("gw_admin", __name__, template_folder="templates",
                            static_folder="static", static_url_path="/admin/static")


@blueprint.before_request
def _csrf_and_limits():
    if flask.request.path == "/admin/upload":   # before anything reads the body
        flask.request.max_content_length = int(_state().max_upload_mb * 1024 * 1024)
    if flask.request.method == "POST" and not csrf.valid():
        return _refuse_csrf()
    return None


@blueprint.app_errorhandler(RequestEntityTooLarge)
def _too_large(_exc):
    mb = _state().max_upload_mb if "gridwall_admin" in flask.current_app.extensions else 0
    message = (f"上传文件过大：一次上传的文件合计不能超过 {mb:g} MB"
               "（设置项 [admin] max_upload_mb）。请拆分文件或请管理员调整设置。")
    if flask.request.path.startswith("/admin"):
        return _import_page(error=message, status=413)
    return flask.jsonify({"error": message}), 413


# --- import: upload, presets, jobs ----------------------------------------------------------
def _import_page(error: str | None = None, status: int = 200, notice: str | None = None):
    st = _state()
    return _render("import.html", status, error=error, notice=notice,
                   presets=st.presets.all(), kinds=list(KIND_EXTS), exts=KIND_EXTS,
                   runs=[st.runner.status(r["job_id"]) for r in st.runner.log.recent(10)])


@blueprint.get("/admin")
@blueprint.get("/admin/")
def index():
    return _import_page()


@blueprint.post("/admin/upload")
def upload():
    st = _state()
    form, files = flask.request.form, flask.request.files
    given = [(k, files[f"file_{k}"]) for k in KIND_EXTS
             if f"file_{k}" in files and files[f"file_{k}"].filename]
    if not given:
        return _import_page(error="请至少选择一个要导入的文件。", status=400)
    user, role = auth.current_user(), auth.current_role()
    try:
        chosen = {k: (st.presets.load(form[f"preset_{k}"]) if form.get(f"preset_{k}") else None)
                  for k, _ in given}
        for k, preset in chosen.items():
            if preset is not None and preset.kind != k:
                raise P.PresetError(f"映射预设「{preset.name}」用于{P.KIND_ZH[preset.kind]}，"
                                    f"不能用于{P.KIND_ZH[k]}文件")
    except P.PresetError as exc:
        return _import_page(error=str(exc), status=400)
    job = None
    try:
        sources = []   # (kind, stored name): the last part of the name, sanitised, unique
        for k, f in given:
            name = safe_name(f.filename)
            sources.append((k, f"{k}-{name}" if any(name == n for _, n in sources) else name))
        names = [{"kind": k, "file": n, "original": f.filename[:200],
                  "preset": chosen[k].name if chosen[k] else None}
                 for (k, n), (_, f) in zip(sources, given)]
        st.runner.check_free()
        job = st.runner.new_job()
        for (k, name), (_, f) in zip(sources, given):
            path = job.folder / name
            f.save(path)
            check_content(path, name, k)
        config = job.folder / "load.toml"
        config.write_text(_config_text(sources, chosen), encoding="utf-8")
        st.runner.start(job, config, user, role, names)
    except LoadRefused as exc:
        if job is not None:
            shutil.rmtree(job.folder, ignore_errors=True)
        st.runner.log.refused(st.runner.new_job_id(), user, role, names, str(exc))
        return _import_page(error=str(exc), status=409)
    except UploadError as exc:
        if job is not None:
            shutil.rmtree(job.folder, ignore_errors=True)
        return _import_page(error=str(exc), status=400)
    return flask.redirect(f"/admin/jobs/{job.job_id}", 303)


def _config_text(sources, chosen) -> str:
    parts = ["# written by the admin page for one load (gridwall)\n"]
    for kind, name in sources:
        preset = chosen.get(kind) or P.Preset(name="", kind=kind)
        parts.append(preset.source_toml(name))
    return "\n".join(parts)


@blueprint.get("/admin/jobs/<job_id>")
def job_page(job_id: str):
    status = _state().runner.status(job_id)
    if status is None:
        flask.abort(404)
    return _render("job.html", job=status, stages=STAGE_ZH)


@blueprint.get("/api/admin/jobs/<job_id>")
def job_json(job_id: str):
    status = _state().runner.status(job_id)
    if status is None:
        return flask.jsonify({"error": f"没有导入任务 {job_id}"}), 404
    resp = flask.jsonify(status)
    resp.headers["Cache-Control"] = "no-store"
    return resp


@blueprint.get("/admin/presets")
def presets_page(error: str | None = None, status: int = 200, form=None):
    fields = {k: list(v) for k, v in FIELDS.items()}
    return _render("presets.html", status, error=error, presets=_state().presets.all(),
                   fields=fields, aliases=FIELDS, kinds=list(KIND_EXTS), form=form or {},
                   options=P.OPTIONS)


@blueprint.post("/admin/presets")
def presets_save():
    form = flask.request.form
    try:
        preset = P.make(form.get("name", ""), form.get("kind", ""),
                        P.parse_pairs(form.get("columns", ""), "列映射"),
                        P.parse_pairs(form.get("constant", ""), "常量"),
                        {k: form.get(k, "").strip() for k in P.OPTIONS})
        _state().presets.save(preset)
    except P.PresetError as exc:
        return presets_page(error=str(exc), status=400, form=form)
    return flask.redirect("/admin/presets", 303)


@blueprint.post("/admin/presets/delete")
def presets_delete():
    try:
        _state().presets.delete(flask.request.form.get("name", ""))
    except P.PresetError as exc:
        return presets_page(error=str(exc), status=400)
    return flask.redirect("/admin/presets", 303)


# --- load reports ---------------------------------------------------------------------------
def _loads() -> list[dict]:
    st = _state()
    by_load = st.runner.log.by_load()
    out = []
    for run in R.load_runs(st.ctx.store):
        page = by_load.get(run["load_id"])
        total = run["report"].get("total", {})
        out.append({
            "load_id": run["load_id"],
            "started_at": _iso(run["started_at"]), "finished_at": _iso(run["finished_at"]),
            "seconds": run["report"].get("seconds"),
            "counts": {k: total.get(k, 0) for k, _ in COUNT_ZH},
            "loaded": total.get("loaded", total.get("new", 0)),
            "rejected_by_reason": total.get("rejected_by_reason", {}),
            "started_by": page["user"] if page else None,
            "via": "admin page" if page else "cli",
            "job_id": page["job_id"] if page else None,
            "config": run["config"],
            "sources": [{k: s.get(k) for k in ("file", "kind", "rows_read", "new", "updated",
                                                "unchanged", "duplicates", "rejected",
                                                "rejected_by_reason", "seconds")}
                        | {"notes": source_problems(s)}
                        for s in run["report"].get("sources", [])],
        })
    return out


def _iso(v) -> str | None:
    return None if v is None else v.isoformat(sep=" ", timespec="seconds")


@blueprint.get("/admin/loads")
def loads_page():
    st = _state()
    return _render("loads.html", loads=_loads(),
                   page_runs=[st.runner.status(r["job_id"]) for r in st.runner.log.recent(20)])


@blueprint.get("/api/admin/loads")
def loads_json():
    resp = flask.jsonify({"loads": _loads()})
    resp.headers["Cache-Control"] = "no-store"
    return resp


# --- rejects --------------------------------------------------------------------------------
def _reject_filter() -> R.RejectFilter:
    args = flask.request.args
    load = args.get("load", "")
    return R.RejectFilter(load_id=int(load) if load.isdigit() else None,
                          reason=args.get("reason") or None)


def _masker():
    """raw → shown raw: identity for an admin who asked (audited), masking otherwise."""
    if _raw_requested():
        return lambda raw: raw
    st = _state()
    extra: dict[str, set[str]] = {}
    for run in R.load_runs(st.ctx.store):
        for fld, hs in masking.config_headers(run["config"]).items():
            extra.setdefault(fld, set()).update(hs)
    headers = masking.personal_headers(extra)
    return lambda raw: masking.mask_raw(raw, headers)


def _reject_ids(rows) -> list[str]:
    return [f"reject:{r['load_id']}:{r['source_file']}:{r['source_row']}" for r in rows]


def _rejects_body():
    st = _state()
    f = _reject_filter()
    page = flask.request.args.get("page", "1")
    body = R.reject_page(st.ctx.store, f, int(page) if page.isdigit() else 1, PAGE_SIZE)
    mask = _masker()
    for r in body["rows"]:
        r["raw"] = mask(r["raw"])
    body["raw_personal_data"] = _raw_requested()
    if body["raw_personal_data"] and body["rows"]:
        auth.audit(_reject_ids(body["rows"]), route=flask.request.path)
    return f, body


@blueprint.get("/admin/rejects")
def rejects_page():
    f, body = _rejects_body()
    st = _state()
    args = {k: v for k, v in flask.request.args.items() if k != "page"}
    pages = max(1, -(-body["total"] // PAGE_SIZE))
    return _render("rejects.html", body=body, facets=R.reject_facets(st.ctx.store), f=f,
                   pages=pages, qs=lambda **kw: urlencode({**args, **kw}),
                   raw=body["raw_personal_data"])


@blueprint.get("/api/admin/rejects")
def rejects_json():
    _f, body = _rejects_body()
    resp = flask.jsonify(body)
    resp.headers["Cache-Control"] = "no-store"
    return resp


@blueprint.get("/admin/rejects.csv")
def rejects_csv():
    st = _state()
    f = _reject_filter()
    raw = _raw_requested()
    mask = _masker()
    if raw:
        auth.audit([f"rejects csv export ?{auth.audit_query(flask.request.args)}"],
                   route=flask.request.path)

    def lines():
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\r\n").writerow(R.REJECT_COLUMNS)
        yield "\ufeff".encode("utf-8") + buf.getvalue().encode("utf-8")
        for batch in R.reject_batches(st.ctx.store, f):
            buf = io.StringIO()
            w = csv.writer(buf, lineterminator="\r\n")
            for r in batch:
                r["raw"] = mask(r["raw"])
                w.writerow([neutralise(r[c]) for c in R.REJECT_COLUMNS])
            yield buf.getvalue().encode("utf-8")

    name = "rejects" + (f"_load{f.load_id}" if f.load_id else "") + (
        f"_{f.reason}" if f.reason else "") + ("_raw" if raw else "") + ".csv"
    resp = flask.Response(flask.stream_with_context(lines()), mimetype="text/csv")
    resp.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    resp.headers["Cache-Control"] = "no-store"
    return resp


# --- users and tokens -----------------------------------------------------------------------
def _accounts() -> AuthStore:
    return _state().accounts


@blueprint.get("/admin/users")
def users_page(error: str | None = None, notice: str | None = None, new_token=None,
               status: int = 200):
    acc = _accounts()
    return _render("users.html", status, users=acc.user_states(), tokens=acc.tokens(),
                   error=error, notice=notice, new_token=new_token, roles=list(ROLE_ZH))


def _account_action(action, notice: str):
    try:
        action()
    except AuthStoreError as exc:
        return users_page(error=_zh_store_error(str(exc)), status=400)
    return users_page(notice=notice)


def _zh_store_error(msg: str) -> str:
    table = {"password must have": "密码至少需要 8 个字符", "exists": "该名称已存在",
             "no user": "没有这个用户", "no token": "没有这个令牌",
             "name must be": "名称需为 1-64 个可打印字符", "role must be": "角色无效"}
    for key, zh in table.items():
        if key in msg:
            return f"{zh}（{msg}）"
    return msg


@blueprint.post("/admin/users/add")
def users_add():
    form = flask.request.form
    name = form.get("name", "").strip()
    return _account_action(lambda: _accounts().add_user(name, form.get("role", ""),
                                                        form.get("password", "")),
                           f"已添加用户「{name}」")


@blueprint.post("/admin/users/role")
def users_role():
    form = flask.request.form
    name = form.get("name", "")
    if name == auth.current_user() and form.get("role") != "admin":
        return users_page(error="不能降低自己的角色（请由另一位管理员操作）", status=400)
    return _account_action(lambda: _accounts().set_role(name, form.get("role", "")),
                           f"已修改「{name}」的角色")


@blueprint.post("/admin/users/disable")
def users_disable():
    form = flask.request.form
    name = form.get("name", "")
    disable = form.get("disabled", "1") == "1"
    if disable and name == auth.current_user():
        return users_page(error="不能停用自己的账号", status=400)
    return _account_action(lambda: _accounts().set_disabled(name, disable),
                           f"已{'停用' if disable else '启用'}用户「{name}」")


@blueprint.post("/admin/tokens/add")
def tokens_add():
    form = flask.request.form
    if form.get("role", "wall") not in ("wall", "officer"):
        return users_page(error="页面只能生成大屏或业务人员令牌（管理员令牌请用命令行）", status=400)
    try:
        name, tok = _accounts().add_token(form.get("role", "wall"),
                                          form.get("name", "").strip() or None)
    except AuthStoreError as exc:
        return users_page(error=_zh_store_error(str(exc)), status=400)
    return users_page(new_token={"name": name, "token": tok, "role": form.get("role", "wall")})


@blueprint.post("/admin/tokens/revoke")
def tokens_revoke():
    name = flask.request.form.get("name", "")
    return _account_action(lambda: _accounts().revoke_token(name), f"已吊销令牌「{name}」")
