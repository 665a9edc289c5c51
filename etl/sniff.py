"""Is a file given as CSV text at all? A workbook, an archive, a picture or a database
renamed .csv would otherwise fail deep in the CSV reader as an "encoding error"."""
from __future__ import annotations

import re

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


# Kana, bopomofo, Greek, Cyrillic, circled numbers, box drawing, private use: present in
# GB18030 but not in a county's Chinese text; Big5 read as GB18030 is full of them
_ODD = re.compile("[\u0370-\u04ff\u2460-\u257f\u3040-\u312f\ue000-\uf8ff\ufffd]")
BIG5_SAMPLE = 1 << 16


def _odd(c: str) -> bool:
    if _ODD.match(c):
        return True
    try:
        c.encode("gb2312")
        return False
    except UnicodeEncodeError:
        return True


def big5_suspect(sample: bytes) -> tuple[str, str] | None:
    """A file with no declared encoding that is not UTF-8 is read as GB18030, and a Big5 file
    (Taiwan, Hong Kong, old Windows exports) decodes as GB18030 without an error, into
    mojibake: '事件類型' reads 'ㄆン摸'. Its tell: characters a county's Chinese text never
    holds (kana, bopomofo, characters outside GB2312). When at least 5 % of the sample's
    non-ASCII characters (and 3) are such, kana or bopomofo among them (Big5's commonest
    characters land there), or 25 % of at least 40 without, and the sample reads as Big5: (the first line
    as GB18030, as Big5); else None. Rare characters in names (喆, 堃) are outside GB2312 but
    never kana, and far from a quarter of a file."""
    cut = sample.rfind(b"\n", 0, BIG5_SAMPLE) if len(sample) > BIG5_SAMPLE else -1
    part = sample[:cut] if cut > 0 else sample[:BIG5_SAMPLE]
    text = part.decode("gb18030", errors="replace")
    wide = [c for c in text if ord(c) > 0x7F]
    n_odd = sum(map(_odd, wide))
    n_kana = sum(1 for c in wide if _ODD.match(c))
    if n_odd < 3 or (n_odd < 0.05 * len(wide) if n_kana >= 2
                     else n_odd < 0.25 * len(wide) or len(wide) < 40):
        return None
    try:
        big5 = part.decode("big5")
    except UnicodeDecodeError:
        return None
    return text.split("\n", 1)[0][:40], big5.split("\n", 1)[0][:40]
