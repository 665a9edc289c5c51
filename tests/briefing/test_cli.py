"""The briefing CLI on a real DuckDB file: images with content, a PDF whose text carries the
week's figures as computed independently, nothing half-written, no personal data."""
from __future__ import annotations

import json
import re
import subprocess

import duckdb
import numpy as np
from PIL import Image

from tests.briefing.conftest import AS_OF, END, START, WEEK, run_cli
from tests.store.oracle import oracle

PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def _events(db):
    con = duckdb.connect(str(db), read_only=True)
    try:
        cur = con.execute(
            "SELECT reported_at, closed_at, accepted_at, dispatched_at, category, status,"
            " satisfaction, level FROM events")
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]
    finally:
        con.close()


def test_the_cli_succeeds_and_says_the_week_and_as_of(briefing_run):
    assert briefing_run.returncode == 0, briefing_run.stderr
    assert WEEK in briefing_run.stdout and "2025-10-27 00:00" in briefing_run.stdout


def test_at_least_six_pngs_are_1920_wide_and_not_blank(briefing_run):
    pngs = sorted(briefing_run.out.glob("*.png"))
    assert len(pngs) >= 6
    for path in pngs:
        img = Image.open(path)
        assert img.width >= 1920, path.name
        grey = np.asarray(img.convert("L"), dtype="float64")
        rgb = np.asarray(img.convert("RGB")).astype(np.uint32)
        colours = len(np.unique((rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]))
        assert grey.std() > 8 and colours > 200, f"{path.name} looks blank"


def test_both_themes_and_the_whole_wall_are_written(briefing_run):
    names = {p.name for p in briefing_run.out.iterdir()}
    assert "wall.png" in names
    for theme in ("dark", "light"):
        assert f"briefing_{WEEK}_{theme}.pdf" in names
        assert {f"{theme}_05_map.png", f"{theme}_06_gauges.png", f"{theme}_07_trend.png",
                f"{theme}_08_ranking.png", f"{theme}_09_overdue.png",
                f"{theme}_10_mediation.png"} <= names
    html = (briefing_run.out / f"briefing_{WEEK}_light.html").read_text(encoding="utf-8")
    assert 'id="wall-img" alt="大屏全景" src="data:image/png;base64,' in html
    # a light page is mostly white, a dark one mostly dark: the themes really differ
    light = np.asarray(Image.open(briefing_run.out / "light_07_trend.png").convert("L")).mean()
    dark = np.asarray(Image.open(briefing_run.out / "dark_07_trend.png").convert("L")).mean()
    assert light > 200 > 60 > dark


def test_pdf_text_has_the_reported_count_and_handling_rate_of_an_independent_count(
        briefing_run, pdf_text, wall_demo_db):
    want = oracle(_events(wall_demo_db), start=START, end=END, as_of=AS_OF)
    assert want["reported"] > 0
    assert "办结率" in pdf_text
    summary = re.sub(r"\s+", "", pdf_text)
    reported = re.search(r"共受理事件([\d,]+)件", summary)
    assert reported and int(reported.group(1).replace(",", "")) == want["reported"]
    rate = re.search(r"办结率(\d+\.\d)%", summary)
    assert rate and rate.group(1) == f"{want['handling_rate'] * 100:.1f}"
    closed = f"（{want['closed']:,}/{want['reported']:,}）"
    assert closed in summary


def test_every_pdf_page_states_the_week_and_as_of(pdf_text):
    pages = [p for p in pdf_text.split("\f") if p.strip()]
    assert len(pages) >= 12
    for page in pages:
        flat = re.sub(r"\s+", "", page)
        assert "截至2025-10-2700:00" in flat and "第43周" in flat


def test_the_pdf_reads_in_briefing_order(pdf_text):
    flat = re.sub(r"\s+", "", pdf_text)
    order = ["社会治理周报", "核心指标与环比", "哪些在上升", "问题网格", "谁在超期", "大屏全景",
             "本周事件密度与新发热点", "核心指标仪表", "每日事件", "排名与亮牌", "本月矛盾纠纷调解"]
    positions = [flat.index(t) for t in order]
    assert positions == sorted(positions)


def test_the_manifest_figures_are_the_api_figures(briefing_run, wall_demo_db):
    from dashboard.app import create_app

    manifest = json.loads((briefing_run.out / "briefing.json").read_text(encoding="utf-8"))
    client = create_app(wall_demo_db).server.test_client()
    api = client.get("/api/metrics", query_string={
        "start": START.isoformat(), "end": END.isoformat(), "as_of": AS_OF.isoformat()}).get_json()
    assert manifest["wall_complete"] is True
    assert manifest["metrics"] == api
    before = client.get("/api/metrics", query_string={
        "start": "2025-10-13", "end": "2025-10-20", "as_of": "2025-10-20T00:00:00"}).get_json()
    assert manifest["previous"] == before


def test_no_phone_number_or_reporter_in_the_pdf_or_html(briefing_run, pdf_text, wall_demo_db):
    assert not PHONE.search(pdf_text)
    con = duckdb.connect(str(wall_demo_db), read_only=True)
    phones = [r[0] for r in con.execute(
        "SELECT DISTINCT reporter_phone FROM events WHERE reporter_phone IS NOT NULL").fetchall()]
    con.close()
    assert phones, "the demo has reporters: the check would prove nothing"
    html = (briefing_run.out / f"briefing_{WEEK}_light.html").read_text(encoding="utf-8")
    body = html.split("</script></head>", 1)[1]      # past the inlined plotly.js
    assert not PHONE.search(body)
    assert not any(p in body or p in pdf_text for p in phones[:500])


def test_pdf_pages_are_16_by_9_slides(briefing_run, poppler):
    info = subprocess.run(["pdfinfo", str(briefing_run.out / f"briefing_{WEEK}_dark.pdf")],
                          capture_output=True, text=True, check=True).stdout
    w, h = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    assert abs(w / h - 16 / 9) < 0.01


def test_a_week_without_data_exits_3_and_writes_nothing(wall_demo_db, tmp_path):
    out = tmp_path / "briefings" / "empty"
    p = run_cli("--db", str(wall_demo_db), "--week", "2019-W10", "--out", str(out))
    assert p.returncode == 3
    assert "没有" in p.stderr and "no data" in p.stderr
    assert not out.exists()
    assert not (tmp_path / "briefings").exists() or not any((tmp_path / "briefings").iterdir())


def test_a_bad_week_is_a_clear_error(wall_demo_db, tmp_path):
    p = run_cli("--db", str(wall_demo_db), "--week", "2025-W60", "--out", str(tmp_path / "x"))
    assert p.returncode == 2 and "2025-W60" in p.stderr and "Traceback" not in p.stderr
    assert not (tmp_path / "x").exists()


def test_the_html_document_draws_offline_in_chromium(briefing_run, chromium):
    """Every request the saved document makes is to itself (file:) or inline (data:)."""
    html = briefing_run.out / f"briefing_{WEEK}_dark.html"
    context = chromium.new_context(viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        requests, errors = [], []
        page.on("request", lambda r: requests.append(r.url))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(html.as_uri(), wait_until="load")
        page.wait_for_function("() => window.__briefingReady", timeout=60_000)
        drawn = page.evaluate("document.querySelectorAll('.js-plotly-plot .main-svg').length")
    finally:
        context.close()
    assert not errors
    assert drawn >= 6
    assert requests and all(u.startswith(("file:", "data:")) for u in requests), requests


def test_the_briefing_runs_on_clickhouse_with_the_same_figures(briefing_run, wall_demo_db,
                                                                tmp_path):
    """``--db chdb:DIR``: the same rows published to ClickHouse in-process give the same
    briefing (manifest: summary, metrics, previous week, hotspots) as the DuckDB file; before,
    the CLI took the target for a file name and stopped at 数据库文件不存在."""
    from tests.engines import close_all, publish_to_chdb

    target = publish_to_chdb(wall_demo_db, tmp_path / "ch")
    close_all()
    out = tmp_path / "ch-briefing"
    p = run_cli("--db", target, "--out", str(out), "--theme", "light", "--no-progress")
    assert p.returncode == 0, p.stderr
    ch = json.loads((out / "briefing.json").read_text(encoding="utf-8"))
    duck = json.loads((briefing_run.out / "briefing.json").read_text(encoding="utf-8"))
    for key in ("week", "as_of", "scope_name", "summary", "metrics", "previous", "hotspots"):
        assert ch[key] == duck[key], key
    assert ch["wall_complete"] is True and (out / f"briefing_{WEEK}_light.pdf").is_file()
    bad = run_cli("--db", "chdb:", "--out", str(tmp_path / "x"))
    assert bad.returncode == 2 and "chdb:" in bad.stderr and "Traceback" not in bad.stderr
