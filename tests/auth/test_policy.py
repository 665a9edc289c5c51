"""The policy table, the loopback rule, settings and sessions, without a server."""
from __future__ import annotations

import time

import pytest

from dashboard.auth import kdf
from dashboard.auth.policy import PUBLIC, POLICY, required_role
from dashboard.auth.settings import AuthSettingsError, auth_settings, is_loopback
from dashboard.auth.store import AuthStore
from dashboard.auth.web import _safe_next
from store.settings import Settings


@pytest.mark.parametrize("path,role", [
    ("/", "wall"), ("/_dash-update-component", "wall"), ("/assets/gridwall.css", "wall"),
    ("/api/health", "wall"), ("/api/metrics", "wall"), ("/api/hotspots", "wall"),
    ("/analysis/", "officer"), ("/analysis/_dash-layout", "officer"),
    ("/api/events", "officer"), ("/api/events.csv", "officer"), ("/api/events/42", "officer"),
    ("/api/cameras", "officer"), ("/api/deck/layers", "officer"), ("/briefing.zip", "officer"),
    ("/api/anything-else", "officer"), ("/api/health/extra", "officer"),
    ("/admin", "admin"), ("/admin/users", "admin"), ("/login", PUBLIC),
    ("/some/page", "wall"),
])
def test_each_path_needs_the_role_of_the_first_matching_rule(path, role):
    assert required_role(path) == role


def test_the_table_lists_every_officer_route_before_the_default_api_rule():
    paths = [r.path for r in POLICY]
    assert paths.index("/api/events") < paths.index("/api/")
    assert paths.index("/api/health") < paths.index("/api/")
    assert POLICY[-1].path == "/" and not POLICY[-1].exact


@pytest.mark.parametrize("host,loop", [
    ("127.0.0.1", True), ("127.8.9.1", True), ("::1", True), ("[::1]", True),
    ("localhost", True), (None, True), ("0.0.0.0", False), ("::", False),
    ("192.168.1.20", False), ("wall.county.local", False),
])
def test_only_loopback_addresses_leave_the_demo_open(host, loop):
    assert is_loopback(host) is loop
    assert auth_settings(None, host).required is (not loop)


def test_an_auth_section_is_read_from_the_settings_file_and_checked(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text("[auth]\nrequired = true\nsession_hours = 8\n", encoding="utf-8")
    cfg = auth_settings(Settings.load(path).raw["auth"], "127.0.0.1")
    assert cfg.required and cfg.session_hours == 8
    with pytest.raises(AuthSettingsError):
        auth_settings({"open_role": "admin"})
    with pytest.raises(AuthSettingsError):
        auth_settings({"required": "sometimes"})


def test_passwords_are_stored_as_salted_scrypt_and_verify_only_themselves():
    a, b = kdf.hash_password("same-password"), kdf.hash_password("same-password")
    assert a != b and a.startswith("scrypt$32768$8$1$")
    assert kdf.verify_password("same-password", a)
    assert not kdf.verify_password("same-passworD", a)
    assert not kdf.verify_password("same-password", "garbage")


def test_a_session_ends_when_its_hours_are_over(tmp_path):
    store = AuthStore(tmp_path / "x.duckdb")
    store.add_user("u", "officer", "long-password")
    now = time.time()
    sid = store.new_session("user", "u", hours=1, now=now)
    assert store.session(sid, now + 3500).role == "officer"
    assert store.session(sid, now + 3700) is None
    assert store.session("not-a-session", now) is None


@pytest.mark.parametrize("target,where", [
    ("/", "/"), ("/analysis?tab=2&x=1", "/analysis?tab=2&x=1"), ("/api/events/7", "/api/events/7"),
    ("//evil.example/x", "/"), ("/\\evil.example", "/"), ("https://evil.example/", "/"),
    ("javascript:alert(1)", "/"), ("/x\r\nSet-Cookie: a=b", "/"), ("", "/"), (None, "/"),
    ("evil.example", "/"), ("/http://evil.example", "/"),
])
def test_only_local_paths_are_accepted_as_redirect_targets(target, where):
    assert _safe_next(target) == where
