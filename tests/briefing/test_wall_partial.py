"""The briefing's wall.png of a partly loaded week (the small demo's 2025-W44, whose data ends
on Friday 23:06) compares as the document does: the document does not compare the week's
rates with the whole week before (本周数据不完整，不作环比), so the wall's rate tiles say
环比 — instead of 办结率 ▲17.7个百分点; its backlog tiles keep their change on the same
moment a week earlier, the document's own figure; its clock says the document's cut-off.
The real wall, served in-process and drawn by Chromium, as the briefing shoots it."""
from __future__ import annotations

import pytest

from dashboard.briefing import shoot
from dashboard.briefing.build import _in_own_thread
from dashboard.briefing.compose import compose
from dashboard.briefing.word import key_rows
from store.db import ReadStore
from store.settings import Settings

pytestmark = [pytest.mark.browser]


def _shoot(db, b) -> dict:
    """wall_png as build() calls it; then what the tiles and the clock say."""
    stamp = f"{b.week} · 截至 {b.as_of:%Y-%m-%d %H:%M}"
    with shoot.browser() as browser, shoot.served_wall(db, Settings(), b.as_of.isoformat()) \
            as base:
        page = shoot.open_wall(browser, base, None, (b.start, b.end))
        png, complete = shoot.wall_png(page, stamp, compare_window=not b.partial)
        return {"complete": complete, "png": png, "body": page.inner_text("body"),
                **{k: page.inner_text(f"#kpi-{k}-delta")
                   for k in ("handling", "ontime", "satisfaction", "backlog", "red")}}


def test_a_partly_loaded_weeks_wall_compares_as_its_document_does(wall_demo_db):
    store = ReadStore(wall_demo_db)
    try:
        b = compose(store, Settings(), "2025-W44")
    finally:
        store.close()
    assert b.partial and not b.compared and b.backlog_compared
    seen = _in_own_thread(_shoot, wall_demo_db, b)
    assert seen["complete"] and seen["png"][:4] == b"\x89PNG"
    for k in ("handling", "ontime", "satisfaction"):
        assert seen[k] == "环比 —", (k, seen[k])
    # the backlog is compared at the same moment a week earlier, on the wall as in the table
    rows = {r[0]: r for r in key_rows(b)}
    backlog = rows[f"在办积压（{b.moment}）"][3]
    pct = backlog[backlog.index("（") + 1:-1] if "（" in backlog else None
    assert pct and pct in seen["backlog"], (backlog, seen["backlog"])
    assert f"截至 {b.as_of:%Y-%m-%d %H:%M}" in seen["body"]
