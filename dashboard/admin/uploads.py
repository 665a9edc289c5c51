"""Uploaded source files: a safe file name, and a type check by content, not by extension.

The extension decides how the ETL reads a file; the content must agree with it, so a
workbook renamed .csv or a picture renamed .xlsx is refused at upload with a Chinese message
instead of failing deep inside a reader. CSV/TXT must be text (etl/sniff.py); XLSX a ZIP
holding xl/workbook.xml; Parquet starts and ends with PAR1; GeoJSON/JSON parses as JSON;
a shapefile comes as a .zip holding a .shp; GeoPackage is an SQLite file.
"""
from __future__ import annotations

import json
import re
import unicodedata
import zipfile
from pathlib import Path

from etl.sniff import not_text

KIND_EXTS = {
    "events": (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".parquet"),
    "mediation": (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".parquet"),
    "cameras": (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".parquet", ".geojson", ".json"),
    "grids": (".geojson", ".json", ".zip", ".gpkg", ".parquet"),
    "townships": (".geojson", ".json", ".zip", ".gpkg", ".parquet"),
}
SNIFF_BYTES = 64 * 1024


class UploadError(ValueError):
    """A refused upload; the message (Chinese) names the file and what is wrong."""


MAX_NAME_BYTES = 180    # leaves room for the '<kind>-' a second file of the same name gets


def _cut(text: str, max_bytes: int) -> str:
    """The longest start of ``text`` that is at most ``max_bytes`` in UTF-8."""
    return text.encode("utf-8")[:max_bytes].decode("utf-8", "ignore")


def safe_name(filename: str | None) -> str:
    """The last path component, without control characters, separators or a leading dot.

    ``../../etc/passwd`` → ``passwd``; ``C:\\x\\事件.csv`` → ``事件.csv``. Chinese is kept.
    """
    name = unicodedata.normalize("NFC", filename or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = re.sub(r'[<>:"|?*\s]+', "_", name).strip("._ ")
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        # a file system counts bytes (255 on ext4): 120 Chinese characters are 360, and the
        # upload failed with 'File name too long'
        stem, dot, ext = name.rpartition(".")
        name = (_cut(stem, MAX_NAME_BYTES - 16) + dot + ext[:15]) if dot else _cut(
            name, MAX_NAME_BYTES)
    if not name or "." not in name:
        raise UploadError(f"文件名「{filename}」不可用：需要带扩展名（如 .csv、.xlsx）")
    return name


def check_extension(name: str, kind: str) -> str:
    ext = Path(name).suffix.lower()
    allowed = KIND_EXTS[kind]
    if ext not in allowed:
        raise UploadError(f"{name}：此类数据只接受 {'、'.join(allowed)} 文件，而不是「{ext}」")
    return ext


def check_content(path: Path, name: str, kind: str) -> None:
    """Raise UploadError unless the bytes of ``path`` are what ``name``'s extension says."""
    ext = check_extension(name, kind)
    with path.open("rb") as f:
        head = f.read(SNIFF_BYTES)
    if not head:
        raise UploadError(f"{name}：文件是空的")
    if ext in (".csv", ".txt", ".tsv"):
        why = not_text(head)
        if why:
            raise UploadError(f"{name}：不是文本文件（{why}），不能作为 CSV 读取")
    elif ext in (".xlsx", ".xlsm"):
        if not _zip_has(path, lambda n: n == "xl/workbook.xml"):
            raise UploadError(f"{name}：不是 Excel 工作簿（.xlsx 应是含 xl/workbook.xml 的 ZIP；"
                              "旧版 .xls 请另存为 .xlsx 或 CSV）")
    elif ext == ".parquet":
        with path.open("rb") as f:
            f.seek(-4, 2)
            tail = f.read(4)
        if not (head.startswith(b"PAR1") and tail == b"PAR1"):
            raise UploadError(f"{name}：不是 Parquet 文件（缺少 PAR1 标记）")
    elif ext in (".geojson", ".json"):
        _check_json(path, name)
    elif ext == ".zip":
        if not _zip_has(path, lambda n: n.lower().endswith(".shp")):
            raise UploadError(f"{name}：不是打包的 Shapefile（ZIP 中应有 .shp、.shx、.dbf 文件）")
    elif ext == ".gpkg":
        if not head.startswith(b"SQLite format 3\x00"):
            raise UploadError(f"{name}：不是 GeoPackage 文件")


def _zip_has(path: Path, want) -> bool:
    try:
        with zipfile.ZipFile(path) as z:
            return any(want(n) for n in z.namelist())
    except (zipfile.BadZipFile, OSError):
        return False


def _check_json(path: Path, name: str) -> None:
    try:
        with path.open("r", encoding="utf-8-sig") as f:
            data = json.load(f)
    except UnicodeDecodeError:
        raise UploadError(f"{name}：不是 UTF-8 编码的 JSON 文本") from None
    except ValueError as exc:
        raise UploadError(f"{name}：JSON 无法解析（第 {getattr(exc, 'lineno', '?')} 行："
                          f"{getattr(exc, 'msg', exc)}）") from None
    if not isinstance(data, dict) or "type" not in data:
        raise UploadError(f"{name}：不是 GeoJSON（应为含 type 的对象，如 FeatureCollection）")
