"""The analysis header on a live store whose feed stopped (as_of = now, the newest report days
old): the page opens on 近30天 up to now, nearly empty; the header must say why, as the wall's
alarm does (docs/metrics.md "Data freshness"), with the newest report's time. Through Dash's
own route on a real DuckDB file."""
from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from dashboard.app import create_app
from store.settings import Settings
from tests.store.dbmaker import ev, make_db


def _header(db) -> dict:
    client = create_app(db).server.test_client()
    outs = ["an-asof.children", "an-export.href", "an-wall-link.href", "an-f-error.children",
            "an-stale.children", "an-stale.className"]
    body = {"output": ".." + "...".join(outs) + "..",
            "outputs": [dict(zip(("id", "property"), o.split("."))) for o in outs],
            "inputs": [{"id": "an-url", "property": "search", "value": ""}],
            "changedPropIds": ["an-url.search"]}
    r = client.post("/analysis/_dash-update-component", json=body)
    assert r.status_code == 200, r.get_data(as_text=True)
    resp = json.loads(r.get_data(as_text=True))["response"]
    return {f"{k}.{p}": v for k, props in resp.items() for p, v in props.items()}


def _now() -> dt.datetime:
    return dt.datetime.now(ZoneInfo(Settings().timezone)).replace(tzinfo=None, microsecond=0)


@pytest.mark.parametrize("age,alarm", [(dt.timedelta(days=3, hours=2), "数据已3天未更新"),
                                       (dt.timedelta(hours=5, minutes=10), "数据已5小时未更新")])
def test_a_dead_feed_is_named_in_the_header_with_the_newest_report(tmp_path, age, alarm):
    newest = (_now() - age).replace(second=0)
    db = make_db(tmp_path / "dead.duckdb", [ev("a", newest - dt.timedelta(days=20)),
                                            ev("b", newest)])
    h = _header(db)
    assert h["an-stale.className"] == "an-stale"
    assert h["an-stale.children"] == f"{alarm} · 最新上报 {newest:%Y-%m-%d %H:%M}"
    assert h["an-asof.children"].startswith("统计窗口 ")          # the window line stays


def test_a_live_feed_and_a_pinned_store_show_no_notice(tmp_path):
    now = _now()
    live = make_db(tmp_path / "live.duckdb", [ev("a", now - dt.timedelta(minutes=30))])
    demo = make_db(tmp_path / "demo.duckdb", [ev("a", now - dt.timedelta(days=30))],
                   meta={"as_of_mode": "newest_report"})
    for db in (live, demo):
        h = _header(db)
        assert (h["an-stale.children"], h["an-stale.className"]) == ("", "an-stale an-hidden")
