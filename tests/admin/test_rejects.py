"""Rejected rows on the admin page: masked by default, raw only for an admin who asks (and
every such view is a line in the audit log), refused to every lower role; the CSV download
has a BOM and formula-neutralised cells."""
from __future__ import annotations

import csv
import io
import json

import pytest

from dashboard.admin.masking import mask_raw, personal_headers
from tests.admin.conftest import USERS, csrf_of, login, renamed_events
from tests.admin.test_upload_and_load import PRESET, _upload, _wait_job

FILE = "=HYPERLINK(1).csv"   # a name a spreadsheet would run as a formula


@pytest.fixture(scope="module")
def rejected(site, admin, tmp_path_factory) -> dict:
    """One page load of 120 rows, 60 of them rejected, with reporters under headers only
    the preset knows (报告人, 联系方式)."""
    token = csrf_of(admin, site.base, "/admin/presets")
    r = admin.post(site.base + "/admin/presets", data={"csrf_token": token, **PRESET})
    assert r.status_code == 200
    src = renamed_events(site.sources / "events_2023.csv",
                         tmp_path_factory.mktemp("rej") / "r.csv", rows=120, bad_time=55,
                         no_category=5)
    with src.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))[:60]
    r = _upload(admin, site.base, {"file_events": (FILE, src.read_bytes())},
                {"events": PRESET["name"]})
    assert r.status_code == 303
    st = _wait_job(admin, site.base, r.headers["Location"])
    assert st["stage"] == "done", st
    return {"load_id": st["load_id"], "phones": [x["联系方式"] for x in rows],
            "names": [x["报告人"] for x in rows],
            "by_id": {x["事件编号"]: (x["报告人"], x["联系方式"]) for x in rows}}


def _audit_lines(site) -> list[dict]:
    path = site.db.with_name(site.db.name + ".audit.jsonl")
    if not path.exists():
        return []
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def _q(rejected, **kw) -> str:
    return "&".join(f"{k}={v}" for k, v in {"load": rejected["load_id"], **kw}.items())


def test_the_admin_sees_rejects_masked_by_default_and_nothing_is_audited(site, admin,
                                                                         rejected):
    n = len(_audit_lines(site))
    body = admin.get(f"{site.base}/api/admin/rejects?{_q(rejected)}").json()
    assert body["total"] == 60 and len(body["rows"]) == 50 and not body["raw_personal_data"]
    text = json.dumps(body, ensure_ascii=False)
    assert not any(p in text for p in rejected["phones"])
    assert not any(f'"{nm}"' in text for nm in rejected["names"])
    for row in body["rows"]:
        raw = json.loads(row["raw"])
        name, phone = rejected["by_id"][raw["事件编号"]]
        assert raw["联系方式"] == phone[:3] + "****" + phone[-4:]    # 138****5678
        assert raw["报告人"] == name[0] + "*" * (len(name) - 1)       # 张*
    html = admin.get(f"{site.base}/admin/rejects?{_q(rejected)}").text
    assert "已脱敏" in html and not any(p in html for p in rejected["phones"])
    assert len(_audit_lines(site)) == n


def test_raw_for_the_admin_shows_the_row_as_read_and_writes_an_audit_line(site, admin,
                                                                          rejected):
    n = len(_audit_lines(site))
    body = admin.get(f"{site.base}/api/admin/rejects?{_q(rejected, raw=1)}").json()
    assert body["raw_personal_data"]
    raws = [json.loads(r["raw"]) for r in body["rows"]]
    assert {r["联系方式"] for r in raws} <= set(rejected["phones"])
    assert {r["报告人"] for r in raws} <= set(rejected["names"])
    lines = _audit_lines(site)[n:]
    assert len(lines) == 1
    line = lines[0]
    assert line["user"] == USERS["admin"] and line["role"] == "admin"
    assert line["route"] == "/api/admin/rejects"
    assert len(line["event_ids"]) == 50
    assert line["event_ids"][0].startswith(f"reject:{rejected['load_id']}:{FILE}:")
    html = admin.get(f"{site.base}/admin/rejects?{_q(rejected, raw=1)}").text
    assert "已记入审计日志" in html and any(p in html for p in rejected["phones"])
    assert [x["route"] for x in _audit_lines(site)[n:]] == ["/api/admin/rejects",
                                                             "/admin/rejects"]


def test_rejects_filter_by_load_and_reason_and_page_without_overlap(site, admin, rejected):
    url = f"{site.base}/api/admin/rejects?{_q(rejected, reason='bad_time')}"
    p1, p2 = admin.get(url + "&page=1").json(), admin.get(url + "&page=2").json()
    assert p1["total"] == 55 and len(p1["rows"]) == 50 and len(p2["rows"]) == 5
    rows = [(r["source_row"]) for r in p1["rows"] + p2["rows"]]
    assert len(set(rows)) == 55
    assert {r["reason"] for r in p1["rows"] + p2["rows"]} == {"bad_time"}
    other = admin.get(f"{site.base}/api/admin/rejects?{_q(rejected, reason='missing_category')}")
    assert other.json()["total"] == 5
    html = admin.get(f"{site.base}/admin/rejects?{_q(rejected, reason='bad_time')}").text
    assert "第 1 / 2 页" in html and "时间无法识别或过早" in html


@pytest.mark.parametrize("who", ["officer", "wall"])
def test_a_lower_role_gets_no_reject_at_all_masked_or_raw(site, rejected, who):
    s = login(site.base, who)
    for path in ("/api/admin/rejects", "/api/admin/rejects?raw=1", "/admin/rejects",
                 "/admin/rejects.csv", "/admin/rejects.csv?raw=1"):
        r = s.get(site.base + path, allow_redirects=False)
        assert r.status_code == 403, (who, path)
        assert not any(p in r.text for p in rejected["phones"])
        assert FILE not in r.text


def test_the_csv_has_a_bom_neutralised_cells_and_masked_rows(site, admin, rejected):
    n = len(_audit_lines(site))
    r = admin.get(f"{site.base}/admin/rejects.csv?{_q(rejected)}")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    assert r.content.startswith("\ufeff".encode("utf-8"))
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert len(rows) == 60
    assert {row["source_file"] for row in rows} == {"'" + FILE}   # a formula no more
    assert not any(p in r.text for p in rejected["phones"])
    assert len(_audit_lines(site)) == n
    raw = admin.get(f"{site.base}/admin/rejects.csv?{_q(rejected, raw=1)}")
    assert any(p in raw.text for p in rejected["phones"])
    line = _audit_lines(site)[-1]
    assert line["route"] == "/admin/rejects.csv" and "raw=1" in line["event_ids"][0]


def test_masking_finds_reporters_by_alias_by_the_loads_mapping_and_by_a_mobile_anywhere():
    headers = personal_headers({"reporter_name": {"报告人"}})
    row = {"事件编号": "SZ20230101000001", "上报人": "欧阳娜娜", "联系电话": "13812345678",
           "报告人": "张三", "事件描述": "请回电 13987654321 联系", "编号": "330683002004045",
           "备注": "身份证33068319900101123X", "网格编码": "330683102001001001"}
    out = json.loads(mask_raw(json.dumps(row, ensure_ascii=False), headers))
    assert out["上报人"] == "欧***" and out["报告人"] == "张*"
    assert out["联系电话"] == "138****5678"
    assert out["事件描述"] == "请回电 139****4321 联系"
    assert out["事件编号"] == row["事件编号"] and out["编号"] == row["编号"]  # long ids stay
    assert out["备注"] == "身份证330***********123X" and out["网格编码"] == row["网格编码"]
    assert mask_raw(None, headers) is None and mask_raw("", headers) == ""


def test_masked_rejects_find_numbers_however_they_are_written():
    """Before, only an unbroken ASCII mobile was found in a reject's other cells: a spaced
    or full-width number, a landline or a spaced ID number showed whole in the masked view."""
    row = {"事件描述": "请回电 139 1234 5678，座机0575-85123456", "地址": "身份证330682 19900101 123X",
           "备注": "联系１３９１２３４５６７８", "卡号": "6222021391234567890"}
    out = json.loads(mask_raw(json.dumps(row, ensure_ascii=False), personal_headers()))
    assert out["事件描述"] == "请回电 139****5678，座机057****3456"
    assert out["地址"] == "身份证330***********123X"
    assert out["备注"] == "联系１３９****５６７８"
    assert out["卡号"] == row["卡号"]         # a longer number stays, as before


def test_every_reject_reason_has_its_chinese_label():
    from dashboard.admin.labels import REASON_ZH
    from etl.rejects import REASONS

    assert set(REASON_ZH) == set(REASONS)
