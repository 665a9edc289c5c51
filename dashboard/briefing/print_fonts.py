"""The briefing's fonts, inlined into its document: Noto Sans CJK SC with TrueType outlines.

Chromium's PDF writer embeds CFF-outline fonts (the system's Noto Sans CJK) as Type 3 fonts,
which printers, print servers and PDF search handle badly; TrueType outlines are embedded as
subset CID TrueType fonts (``pdffonts``: CID TrueType, emb yes, sub yes, uni yes). The same
glyphs, converted at build time (scripts/make_print_fonts.py), in the slices of the wall's
fonts; only the slices the document's text uses are inlined (data: URIs), so the HTML stays
self-contained and requests nothing. Characters beyond them fall back to the system font.
"""
from __future__ import annotations

import base64
import json
from functools import lru_cache
from pathlib import Path

FAMILY = "GridwallPrint"
FONTS = Path(__file__).resolve().parents[2] / "assets" / "fonts"
WEIGHTS = {"Regular": 400, "Bold": 700}


@lru_cache(maxsize=1)
def _slices() -> dict[str, frozenset[str]]:
    path = FONTS / "GridwallPrint.json"
    if not path.exists():           # not built: the system font, as before
        return {}
    return {name: frozenset(chars)
            for name, chars in json.loads(path.read_text(encoding="utf-8")).items()}


@lru_cache(maxsize=32)
def _data_uri(name: str) -> str:
    return ("data:font/woff2;base64,"
            + base64.b64encode((FONTS / name).read_bytes()).decode("ascii"))


def _ranges(chars) -> str:
    cps = sorted(ord(c) for c in chars)
    out, start, prev = [], cps[0], cps[0]
    for cp in cps[1:] + [None]:
        if cp is not None and cp == prev + 1:
            prev = cp
            continue
        out.append(f"U+{start:X}" if start == prev else f"U+{start:X}-{prev:X}")
        if cp is not None:
            start = prev = cp
    return ",".join(out)


def font_faces(text: str) -> str:
    """@font-face rules of family FAMILY for the slices holding a character of ``text``,
    each limited to its characters (unicode-range)."""
    used = set(text)
    rules = []
    for name, chars in _slices().items():
        if not chars & used:
            continue
        weight = WEIGHTS[name.split("-")[1]]
        rules.append(f"@font-face{{font-family:'{FAMILY}';font-weight:{weight};"
                     f"font-style:normal;src:url({_data_uri(name)}) format('woff2');"
                     f"unicode-range:{_ranges(chars & used)}}}")
    return "\n".join(rules)
