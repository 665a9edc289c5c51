"""File names from an upload form, and type checks on real files of every accepted format."""
from __future__ import annotations

import zipfile

import pandas as pd
import pytest

from dashboard.admin.uploads import UploadError, check_content, safe_name


@pytest.mark.parametrize("given,kept", [
    ("../../etc/passwd.csv", "passwd.csv"),
    ("..\\..\\Windows\\事件.csv", "事件.csv"),
    ("C:\\导出\\2025 年 事件.xlsx", "2025_年_事件.xlsx"),
    ("/abs/path/grids.geojson", "grids.geojson"),
    ("..events.csv", "events.csv"),
    ("ev\x00il\r\n.csv", "evil.csv"),
    ('a<b>c:"d"|e?*.csv', "a_b_c_d_e_.csv"),
])
def test_a_file_name_keeps_only_its_last_part_without_control_or_reserved_characters(given,
                                                                                      kept):
    assert safe_name(given) == kept


def test_a_long_chinese_file_name_is_cut_to_what_the_file_system_can_store(tmp_path):
    """Before, it was cut at 120 characters: 120 Chinese characters are 360 bytes, past the
    255 a file name may hold, and saving the upload failed (File name too long)."""
    name = safe_name("嵊州市网格化社会治理事件导出" * 10 + ".csv")
    assert name.startswith("嵊州市网格化") and name.endswith(".csv")
    (tmp_path / ("events-" + name)).write_text("x", encoding="utf-8")   # a duplicate's name too
    assert safe_name("a" * 300 + ".xlsx").endswith(".xlsx")


@pytest.mark.parametrize("given", ["", "..", "../", "noext", "/"])
def test_a_name_without_a_usable_part_or_extension_is_refused(given):
    with pytest.raises(UploadError):
        safe_name(given)


def test_real_files_of_every_accepted_format_pass_the_content_check(tmp_path, wall_demo_db):
    src = wall_demo_db.parent / "src"
    df = pd.DataFrame({"事件编号": ["E1"], "上报时间": ["2025-01-01 08:00"]})
    df.to_parquet(tmp_path / "e.parquet")
    shp = tmp_path / "shp.zip"
    with zipfile.ZipFile(shp, "w") as z:
        for ext in ("shp", "shx", "dbf"):
            z.writestr(f"grids.{ext}", b"x")
    (tmp_path / "gbk.csv").write_bytes("事件编号,上报时间\nE1,2025-01-01\n".encode("gb18030"))
    cases = [(src / "events_2025.csv", "events"), (src / "cameras.xlsx", "cameras"),
             (src / "mediation.xlsx", "mediation"), (src / "townships.geojson", "townships"),
             (src / "grids.gpkg", "grids"), (tmp_path / "e.parquet", "events"),
             (shp, "grids"), (tmp_path / "gbk.csv", "events")]
    for path, kind in cases:
        check_content(path, path.name, kind)   # no UploadError


def test_a_utf16_csv_without_a_bom_is_called_not_text(tmp_path):
    p = tmp_path / "u16.csv"
    p.write_bytes("事件编号,上报时间\nE1,2025\n".encode("utf-16-le"))
    with pytest.raises(UploadError, match="不是文本文件"):
        check_content(p, p.name, "events")
