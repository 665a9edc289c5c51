"""One walk through the admin page in Debian's Chromium under the CSP: sign in as admin, save
a preset, upload a file with it, watch the progress page follow the load to its report, see
who started it, browse rejects masked, and reveal them raw — without a CSP violation or a
console error."""
from __future__ import annotations

import pytest

from tests.admin.conftest import PASSWORDS, USERS, renamed_events
from tests.browser_harness import csp_page


@pytest.fixture
def page(chromium):
    with csp_page(chromium, 1600, 1000) as pg:
        yield pg


def test_an_admin_walks_from_login_through_upload_progress_report_and_rejects(page, site,
                                                                              tmp_path):
    src = renamed_events(site.sources / "events_2024.csv", tmp_path / "浏览器上传.csv",
                         rows=400, bad_time=4, no_category=2)
    page.goto(site.base + "/admin", wait_until="load")
    assert "/login?next=%2Fadmin" in page.url
    page.fill("#username", USERS["admin"])
    page.fill("#password", PASSWORDS["admin"])
    page.click("button[type=submit]")
    page.wait_for_url(site.base + "/admin")
    assert page.locator("header.top h1").inner_text() == "系统管理"

    page.click("text=映射预设")
    page.fill("#preset-name", "浏览器预设")
    page.select_option("#preset-kind", "events")
    page.fill("#preset-columns", "reporter_name = 报告人\nreporter_phone = 联系方式")
    page.fill("input[name=crs]", "gcj02")
    page.click("#preset-form button[type=submit]")
    assert page.locator("table.grid td", has_text="浏览器预设").count() == 1

    page.click("text=数据导入")
    page.set_input_files("#file_events", str(src))
    page.select_option("#preset_events", "浏览器预设")
    page.click("#upload-submit")
    page.wait_for_url("**/admin/jobs/*")
    # admin.js follows the load: the stage turns 完成 and a link to the report appears
    page.wait_for_selector("#job[data-running=false]", timeout=120_000)
    assert page.locator("#job-stage").inner_text() == "完成"
    link = page.locator("#job-result a")
    assert "导入报告" in link.inner_text()
    link.click()
    page.wait_for_url("**/admin/loads*")
    load_id = page.url.rsplit("-", 1)[-1]
    row = page.locator(f"#load-{load_id}")
    assert f"{USERS['admin']}（管理页面）" in row.locator(".who-cell").inner_text()
    assert "时间无法识别或过早 4" in row.inner_text()

    row.locator("a", has_text="时间无法识别或过早").click()
    page.wait_for_url("**/admin/rejects?*")
    assert page.locator("#rejects tbody tr").count() == 4
    masked = page.locator("#rejects td.raw").first.inner_text()
    assert "****" in masked
    page.check("#f-raw")
    page.click("#rejects-filter button[type=submit]")
    page.wait_for_url("**raw=1**")
    assert "已记入审计日志" in page.locator("p.warn").inner_text()
    assert "****" not in page.locator("#rejects td.raw").first.inner_text()

    page.click("text=用户与令牌")
    assert page.locator("#users tr[data-user]").count() >= 3
    assert page.evaluate("window.__csp") == []
    assert page.errors == []
