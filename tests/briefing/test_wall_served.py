"""The pinned wall the briefing shoots: the real app in this process, as_of pinned, open to
Chromium even when the county's settings require a login, and gone afterwards."""
from __future__ import annotations

import requests

from dashboard.briefing.shoot import served_wall
from store.settings import Settings
from tests.briefing.conftest import AS_OF, END, START


def test_the_pinned_wall_answers_without_login_and_stops(wall_demo_db, tmp_path):
    import dashboard.auth.settings  # noqa: F401 - registers the [auth] section

    path = tmp_path / "settings.toml"
    path.write_text("[auth]\nrequired = true\n", encoding="utf-8")
    settings = Settings.load(path)
    with served_wall(wall_demo_db, settings, AS_OF.isoformat()) as base:
        page = requests.get(base + "/", timeout=30, allow_redirects=False)
        assert page.status_code == 200 and "DashRenderer" in page.text      # not /login
        layout = requests.get(base + "/_dash-layout", timeout=30, allow_redirects=False)
        assert layout.status_code == 200 and "gw-canvas" in layout.text
        api = requests.get(base + "/api/metrics", timeout=30,
                           params={"start": START.isoformat(), "end": END.isoformat()}).json()
        assert api["as_of"] == AS_OF.isoformat()       # as_of pinned to the week's end
    try:
        requests.get(base + "/api/health", timeout=2)
        stopped = False
    except requests.ConnectionError:
        stopped = True
    assert stopped
