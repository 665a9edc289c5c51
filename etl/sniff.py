"""Is a file given as CSV text at all? A workbook, an archive, a picture or a database
renamed .csv would otherwise fail deep in the CSV reader as an "encoding error"."""
from __future__ import annotations

# leading bytes -> what the file is
MAGIC = (
    (b"PK\x03\x04", "a ZIP archive (an .xlsx workbook is one: name it .xlsx)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office file (.xls / .doc: save it as .xlsx or CSV)"),
    (b"PAR1", "a Parquet file (name it .parquet)"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive (unpack it first)"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive (unpack it first)"),
    (b"Rar!", "a RAR archive (unpack it first)"),
    (b"SQLite format 3\x00", "an SQLite database"),
)
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def not_text(sample: bytes, declared: str | None = None) -> str | None:
    """Why ``sample`` (the file's first bytes) is not a text table, or None if it may be.

    NUL bytes never occur in UTF-8 or GB18030 text; UTF-16 (which has them) is allowed with
    a BOM or a declared encoding. DuckDB files carry "DUCK" at byte 8."""
    for magic, what in MAGIC:
        if sample.startswith(magic):
            return what
    if sample[8:12] == b"DUCK":
        return "a DuckDB database"
    if declared and declared.lower().replace("_", "-").startswith("utf-16"):
        return None
    if sample.startswith(UTF16_BOMS) or b"\x00" not in sample:
        return None
    head = sample[:4096]
    if head.count(b"\x00") * 4 >= len(head) and head[1::2].count(0) > head[0::2].count(0):
        return ("binary data, or UTF-16 text without a byte-order mark "
                "(if so, set encoding = \"utf-16-le\")")
    return "binary data (it holds NUL bytes)"
