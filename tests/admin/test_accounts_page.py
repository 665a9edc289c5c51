"""Users and tokens managed on the admin page land in the same store as the CLI's
(``python -m dashboard users|token``), take effect at once, and nothing beside the database
holds a password or a token in clear."""
from __future__ import annotations

import re

import requests

from tests.admin.conftest import PASSWORDS, cli, csrf_of, login


def _post(s, base, path, **data):
    return s.post(base + path, data={"csrf_token": csrf_of(s, base, "/admin/users"), **data},
                  allow_redirects=False)


def _login(base, name, password) -> int:
    return requests.post(base + "/login", data={"username": name, "password": password},
                         allow_redirects=False).status_code


def test_a_user_added_on_the_page_signs_in_and_the_cli_lists_them(site, admin):
    r = _post(admin, site.base, "/admin/users/add", name="值班员王", password="duty-pass-2026",
              role="officer")
    assert r.status_code == 200 and "已添加用户「值班员王」" in r.text
    assert _login(site.base, "值班员王", "duty-pass-2026") == 302
    listed = cli("users", "list", "--db", str(site.db)).stdout
    assert "值班员王\tofficer" in listed


def test_a_short_password_or_a_taken_name_is_refused_in_chinese(site, admin):
    r = _post(admin, site.base, "/admin/users/add", name="短密码", password="short",
              role="wall")
    assert r.status_code == 400 and "密码至少需要 8 个字符" in r.text
    r = _post(admin, site.base, "/admin/users/add", name="管理员甲", password="x" * 12,
              role="wall")
    assert r.status_code == 400 and "该名称已存在" in r.text


def test_a_role_change_applies_to_the_users_open_session_at_once(site, admin):
    _post(admin, site.base, "/admin/users/add", name="升级测试", password="upgrade-pass-1",
          role="wall")
    s = requests.Session()
    s.post(site.base + "/login", data={"username": "升级测试", "password": "upgrade-pass-1"})
    assert s.get(site.base + "/api/events").status_code == 403
    r = _post(admin, site.base, "/admin/users/role", name="升级测试", role="officer")
    assert r.status_code == 200
    assert s.get(site.base + "/api/events").status_code == 200
    assert "升级测试\tofficer" in cli("users", "list", "--db", str(site.db)).stdout


def test_a_disabled_user_is_signed_out_and_cannot_sign_in_until_enabled(site, admin):
    s = login(site.base, "officer")
    assert s.get(site.base + "/api/events").status_code == 200
    r = _post(admin, site.base, "/admin/users/disable", name="李警官", disabled="1")
    assert r.status_code == 200 and "已停用" in r.text
    assert s.get(site.base + "/api/events").status_code == 401
    assert _login(site.base, "李警官", PASSWORDS["officer"]) == 401
    r = _post(admin, site.base, "/admin/users/disable", name="李警官", disabled="0")
    assert r.status_code == 200
    assert _login(site.base, "李警官", PASSWORDS["officer"]) == 302


def test_an_admin_cannot_lock_themselves_out(site, admin):
    assert _post(admin, site.base, "/admin/users/disable", name="管理员甲",
                 disabled="1").status_code == 400
    assert _post(admin, site.base, "/admin/users/role", name="管理员甲",
                 role="officer").status_code == 400
    assert admin.get(site.base + "/admin").status_code == 200


def test_a_kiosk_token_is_shown_once_works_and_stops_working_when_revoked(site, admin):
    r = _post(admin, site.base, "/admin/tokens/add", name="大厅大屏", role="wall")
    assert r.status_code == 200 and "只显示这一次" in r.text
    token = re.search(r'<code id="token-value">([^<]+)</code>', r.text).group(1)
    assert token not in admin.get(site.base + "/admin/users").text   # shown once
    kiosk = requests.Session()
    assert kiosk.get(site.base + "/?token=" + token, allow_redirects=False).status_code == 302
    assert kiosk.get(site.base + "/api/metrics").status_code == 200
    assert "大厅大屏\twall" in cli("token", "--db", str(site.db), "--list").stdout
    r = _post(admin, site.base, "/admin/tokens/revoke", name="大厅大屏")
    assert r.status_code == 200 and "已吊销" in r.text
    assert kiosk.get(site.base + "/api/metrics").status_code == 401
    bearer = {"Authorization": "Bearer " + token}
    assert requests.get(site.base + "/api/metrics", headers=bearer).status_code == 401


def test_the_page_makes_no_admin_token(site, admin):
    r = _post(admin, site.base, "/admin/tokens/add", name="root-token", role="admin")
    assert r.status_code == 400 and "命令行" in r.text
    assert "root-token" not in cli("token", "--db", str(site.db), "--list").stdout


def test_no_password_token_or_session_id_is_in_clear_in_any_file_beside_the_database(site,
                                                                                     admin):
    r = _post(admin, site.base, "/admin/tokens/add", name="secret-probe", role="officer")
    token = re.search(r'<code id="token-value">([^<]+)</code>', r.text).group(1)
    _post(admin, site.base, "/admin/users/add", name="秘密测试", password="pw-in-clear-77",
          role="wall")
    secrets = [*PASSWORDS.values(), "pw-in-clear-77", token, site.wall_token,
               admin.cookies["gridwall_session"]]
    files = [p for p in site.db.parent.rglob("*") if p.is_file()]
    assert any(".admin" in str(p) for p in files)   # the admin folder is searched too
    for path in files:
        data = path.read_bytes()
        for secret in secrets:
            assert secret.encode() not in data, (str(path), "holds a secret in clear")
