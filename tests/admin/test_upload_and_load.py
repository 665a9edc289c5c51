"""Uploads through the admin page of a real server: type checks by content, the size cap,
mapping presets, a background load that succeeds (progress, report, who started it), and a
load refused while another one runs, with the CLI's own message."""
from __future__ import annotations

import json
import subprocess
import sys
import time
import zipfile

import pytest

from etl.publish import db_lock
from tests.admin.conftest import USERS, csrf_of, renamed_events
from tests.serving import ROOT

PRESET = {"name": "乡镇事件导出", "kind": "events", "crs": "gcj02",
          "columns": "reporter_name = 报告人\nreporter_phone = 联系方式", "constant": ""}


def _upload(s, base, files: dict, presets: dict | None = None):
    data = {"csrf_token": csrf_of(s, base), **{f"preset_{k}": v
                                               for k, v in (presets or {}).items()}}
    return s.post(base + "/admin/upload", data=data, files=files, allow_redirects=False)


def _error(html: str) -> str:
    start = html.index('class="err"')
    return html[html.index(">", start) + 1:html.index("</p>", start)]


def _wait_job(s, base, job_url: str, timeout: float = 120) -> dict:
    job_id = job_url.rsplit("/", 1)[-1]
    deadline = time.monotonic() + timeout
    while True:
        st = s.get(f"{base}/api/admin/jobs/{job_id}").json()
        if not st["running"]:
            return st
        assert time.monotonic() < deadline, st
        time.sleep(0.3)


@pytest.fixture(scope="module")
def preset(site, admin):
    r = admin.post(site.base + "/admin/presets",
                   data={"csrf_token": csrf_of(admin, site.base, "/admin/presets"), **PRESET},
                   allow_redirects=False)
    assert r.status_code == 303, r.text
    return PRESET["name"]


def test_a_saved_preset_lives_beside_the_database_as_toml_the_loader_accepts(site, preset):
    import tomllib

    path = site.db.with_name(site.db.name + ".admin") / "presets" / f"{preset}.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data == {"kind": "events", "crs": "gcj02",
                    "columns": {"reporter_name": "报告人", "reporter_phone": "联系方式"}}


def test_a_preset_the_loader_would_refuse_is_not_saved_and_says_why_in_chinese(site, admin):
    token = csrf_of(admin, site.base, "/admin/presets")
    bad = [({"name": "../etc", "kind": "events"}, "预设名称只能包含"),
           ({"name": "p1", "kind": "events", "columns": "no_such_field = 表头"}, "没有字段"),
           ({"name": "p2", "kind": "cameras", "constant": "colour = red"}, "导入配置检查未通过"),
           ({"name": "p3", "kind": "events", "timezone": "Mars/Base"}, "unknown timezone")]
    for form, why in bad:
        r = admin.post(site.base + "/admin/presets", data={"csrf_token": token, **form})
        assert r.status_code == 400 and why in _error(r.text), (form, r.status_code)
    names = {p.stem for p in (site.db.with_name(site.db.name + ".admin") / "presets").iterdir()}
    assert not names & {"p1", "p2", "p3"}


@pytest.mark.parametrize("kind,name,content,why", [
    ("events", "events.csv", b"PK\x03\x04" + b"\x00" * 200, "不是文本文件"),
    ("events", "events.csv", b"a,b\n1,2\x00\x00\x00\x01\x02" * 50, "不是文本文件"),
    ("events", "events.xlsx", "事件编号,上报时间\n1,2\n".encode(), "不是 Excel 工作簿"),
    ("events", "events.parquet", b"not parquet at all", "不是 Parquet 文件"),
    ("grids", "grids.geojson", b'{"type": "FeatureCollection", "features": [', "JSON 无法解析"),
    ("grids", "grids.geojson", b"[1, 2, 3]", "不是 GeoJSON"),
    ("grids", "grids.zip", None, "不是打包的 Shapefile"),
    ("cameras", "cameras.exe", b"MZ\x90\x00", "只接受"),
    ("events", "events.csv", b"", "文件是空的"),
])
def test_a_file_whose_content_is_not_its_type_is_refused_with_a_chinese_message(
        site, admin, tmp_path, kind, name, content, why):
    if content is None:   # a zip without any .shp inside
        zpath = tmp_path / "x.zip"
        with zipfile.ZipFile(zpath, "w") as z:
            z.writestr("readme.txt", "no shapefile here")
        content = zpath.read_bytes()
    before = sorted(p.name for p in (site.db.with_name(site.db.name + ".admin") / "runs")
                    .iterdir())
    r = _upload(admin, site.base, {f"file_{kind}": (name, content)})
    assert r.status_code == 400, r.status_code
    assert why in _error(r.text) and name in _error(r.text)
    after = sorted(p.name for p in (site.db.with_name(site.db.name + ".admin") / "runs")
                   .iterdir())
    assert after == before   # nothing kept of a refused upload


def test_an_upload_over_the_size_cap_is_refused_with_413_and_a_chinese_message(site, admin):
    big = b"a,b\n" + b"1,2\n" * 300_000   # 1.2 MB of real text, over max_upload_mb = 1
    r = _upload(admin, site.base, {"file_events": ("big.csv", big)})
    assert r.status_code == 413
    assert "上传文件过大" in _error(r.text) and "1 MB" in _error(r.text)


def test_a_file_name_with_a_path_is_stored_by_its_last_part_inside_the_run_folder(site, admin,
                                                                                   preset,
                                                                                   tmp_path):
    src = renamed_events(site.sources / "events_2025.csv", tmp_path / "e.csv", rows=30,
                         bad_time=0, no_category=0)
    r = _upload(admin, site.base, {"file_events": ("../../../etc/事件 导出.csv",
                                                   src.read_bytes())}, {"events": preset})
    assert r.status_code == 303, _error(r.text)
    st = _wait_job(admin, site.base, r.headers["Location"])
    assert st["stage"] == "done", st
    run = site.db.with_name(site.db.name + ".admin") / "runs" / st["job_id"]
    assert (run / "事件_导出.csv").is_file()
    assert not list(site.db.parent.parent.glob("etc*"))


def test_a_page_started_load_succeeds_reports_progress_and_names_who_started_it(
        site, admin, preset, tmp_path):
    src = renamed_events(site.sources / "events_2025.csv", tmp_path / "乡镇事件.csv")
    before = admin.get(site.base + "/api/health").json()
    r = _upload(admin, site.base, {"file_events": ("乡镇事件.csv", src.read_bytes())},
                {"events": preset})
    assert r.status_code == 303 and r.headers["Location"].startswith("/admin/jobs/")
    page = admin.get(site.base + r.headers["Location"])
    assert page.status_code == 200 and "导入任务" in page.text
    st = _wait_job(admin, site.base, r.headers["Location"])
    assert st["stage"] == "done" and st["exit_code"] == 0 and st["user"] == USERS["admin"]
    assert st["rows"] >= 200 and st["elapsed_s"] > 0
    # the progress file the ETL wrote: reading -> loading -> publishing -> done
    run = site.db.with_name(site.db.name + ".admin") / "runs" / st["job_id"]
    stages = [json.loads(x)["stage"] for x in (run / "progress.jsonl").read_text().splitlines()]
    assert stages[0] == "reading" and stages[-1] == "done" and "publishing" in stages
    loads = {x["load_id"]: x for x in admin.get(site.base + "/api/admin/loads").json()["loads"]}
    rep = loads[st["load_id"]]
    assert rep["started_by"] == USERS["admin"] and rep["via"] == "admin page"
    assert rep["counts"]["rows_read"] == 200
    assert rep["counts"]["rejected"] == 8
    assert rep["rejected_by_reason"] == {"bad_time": 5, "missing_category": 3}
    assert rep["counts"]["rows_read"] == (rep["counts"]["new"] + rep["counts"]["updated"]
                                          + rep["counts"]["unchanged"]
                                          + rep["counts"]["duplicates"]
                                          + rep["counts"]["rejected"])
    html = admin.get(site.base + "/admin/loads").text
    row = html[html.index(f'id="load-{st["load_id"]}"'):]
    assert f"{USERS['admin']}（管理页面）" in row[:row.index("</tr>")]
    assert "命令行" in html   # the demo county's first load came from the CLI
    # the running server reads the newly published file without a restart
    after = admin.get(site.base + "/api/health").json()
    assert after["data_version"] != before["data_version"]
    assert after["rejected"] >= 8


def test_a_load_is_refused_while_the_cli_holds_the_lock_with_the_clis_own_message(
        site, admin, preset, tmp_path):
    src = renamed_events(site.sources / "events_2025.csv", tmp_path / "e.csv", rows=20)
    with db_lock(site.db):   # exactly what a running `python -m etl load` holds
        cli = subprocess.run([sys.executable, "-m", "etl", "load", "--db", str(site.db),
                              "--config", str(site.sources / "load.toml"), "--quiet"],
                             cwd=ROOT, capture_output=True, text=True, timeout=120)
        r = _upload(admin, site.base, {"file_events": ("e.csv", src.read_bytes())},
                    {"events": preset})
    assert cli.returncode == 3
    assert r.status_code == 409
    assert _error(r.text) == cli.stderr.strip().splitlines()[-1]
    assert "another load is running" in _error(r.text) and "导入未执行" in _error(r.text)
    runs = admin.get(site.base + "/admin/loads").text
    assert "未执行" in runs   # the refused attempt is listed with who tried


def test_a_second_page_load_is_refused_while_the_first_still_runs(site, admin, preset,
                                                                   tmp_path):
    src = renamed_events(site.sources / "events_2024.csv", tmp_path / "long.csv", rows=700,
                         repeat=1)
    first = _upload(admin, site.base, {"file_events": ("long.csv", src.read_bytes())},
                    {"events": preset})
    assert first.status_code == 303
    second = _upload(admin, site.base, {"file_events": ("long.csv", src.read_bytes())},
                     {"events": preset})
    # the served wall answers while the load builds its copy (publish by swap)
    assert admin.get(site.base + "/api/metrics").status_code == 200
    st = _wait_job(admin, site.base, first.headers["Location"])
    assert second.status_code == 409, second.status_code
    assert _error(second.text).startswith("导入未执行 load refused: ")
    assert "another load is running" in _error(second.text)
    assert st["stage"] == "done", st
    assert admin.get(site.base + "/api/metrics").status_code == 200


def test_a_load_that_fails_shows_the_loaders_message_and_leaves_the_data_unchanged(
        site, admin):
    before = admin.get(site.base + "/api/health").json()
    bad = "名称,经度,纬度\n东门路口,120.8,29.59\n".encode("utf-8")   # no camera id column
    r = _upload(admin, site.base, {"file_cameras": ("无编号点位.csv", bad)})
    assert r.status_code == 303
    st = _wait_job(admin, site.base, r.headers["Location"])
    assert st["stage"] == "failed" and st["exit_code"] == 2 and st["load_id"] is None
    assert st["message"].startswith("导入失败 load stopped: ") and "camera_id" in st["message"]
    page = admin.get(site.base + r.headers["Location"]).text
    assert "失败" in page and "camera_id" in page
    assert admin.get(site.base + "/api/health").json()["data_version"] == before["data_version"]
