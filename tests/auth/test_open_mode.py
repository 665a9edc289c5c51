"""When login is required: by default exactly when the server listens beyond loopback."""
from __future__ import annotations

import requests

from tests.accounts import start
from tests.auth.conftest import kiosk, login
from tests.serving import stop_server


def test_the_demo_on_127_0_0_1_stays_open_as_officer_but_admin_still_needs_a_login(accounts):
    base, proc = start(accounts.db)  # no settings: [auth] required = "auto"
    try:
        assert requests.get(base + "/api/health").status_code == 200
        assert requests.get(base + "/api/events").status_code not in (401, 403)
        admin = requests.get(base + "/admin", allow_redirects=False)
        assert admin.status_code == 302 and admin.headers["Location"].startswith("/login")
        assert login(base, "admin").get(base + "/admin").status_code not in (401, 403)
        # a kiosk signed in as wall is not lowered below the open role
        assert kiosk(base, accounts.tokens["wall"]).get(base + "/api/events").status_code != 403
        assert "Content-Security-Policy" in requests.get(base + "/").headers
    finally:
        stop_server(proc)


def test_a_server_listening_on_every_interface_requires_login_by_default(accounts):
    base, proc = start(accounts.db, host="0.0.0.0")
    try:
        assert requests.get(base + "/api/health").status_code == 401
        assert requests.get(base + "/", allow_redirects=False).status_code == 302
        assert login(base, "officer").get(base + "/api/health").status_code == 200
    finally:
        stop_server(proc)


def test_required_false_in_the_settings_opens_even_a_public_listener(accounts, tmp_path):
    settings = tmp_path / "open.toml"
    settings.write_text("[auth]\nrequired = false\n", encoding="utf-8")
    base, proc = start(accounts.db, settings=settings, host="0.0.0.0")
    try:
        assert requests.get(base + "/api/health").status_code == 200
    finally:
        stop_server(proc)
