"""Sessions expire after ``session_hours``: a password login for good, a kiosk's session slides
forward while its wall keeps refreshing (an unattended wall must not fall to the login page)."""
from __future__ import annotations

import time

from tests.accounts import start
from tests.auth.conftest import kiosk, login
from tests.serving import stop_server

HOURS = 0.002  # 7.2 s


def test_a_login_expires_while_a_refreshing_kiosk_stays_signed_in(accounts, tmp_path):
    settings = tmp_path / "short.toml"
    settings.write_text(f"[auth]\nrequired = true\nsession_hours = {HOURS}\n", encoding="utf-8")
    base, proc = start(accounts.db, settings=settings)
    try:
        person = login(base, "officer")
        wall = kiosk(base, accounts.tokens["wall"])
        t_end = time.monotonic() + HOURS * 3600 + 3
        while time.monotonic() < t_end:  # the wall refreshes every 2 s
            assert wall.get(base + "/api/health").status_code == 200
            time.sleep(2)
        assert wall.get(base + "/api/health").status_code == 200
        assert person.get(base + "/api/health").status_code == 401
    finally:
        stop_server(proc)
