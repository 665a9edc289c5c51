"""Build the briefing's print fonts (assets/fonts/GridwallPrint-*.woff2 and their manifest).

    pip install --target /tmp/fonttools fonttools brotli      # build-time only, not a runtime dep
    PYTHONPATH=/tmp/fonttools python scripts/make_print_fonts.py

Why: Chromium's PDF writer (Skia) embeds a font with CFF outlines, which Noto Sans CJK is, as
Type 3 fonts: bitmaps-as-procedures that printers and PDF tools handle badly (no hinting, slow
RIPs, some print servers rasterise them) and that search and copy only sort of keep. A
font with TrueType (quadratic) outlines is embedded as a subset CID TrueType font instead.
So the same Noto Sans CJK SC (face 2 of the Debian TTC, OFL 1.1) is converted here to
TrueType outlines (fontTools cu2qu, 1 font unit of tolerance: the same glyphs and advance
widths, so the slides lay out exactly as before), Regular and Bold, in the slices the wall's
fonts use (scripts/make_fonts.py: the core, then GB 2312 in SLICES slices by code point; the
Bold is whole here too, since the briefing sets data names in bold). The briefing inlines only
the slices its text uses (dashboard/briefing/print_fonts.py); characters beyond GB 2312 fall
back to the system's Noto Sans CJK SC.

Writes assets/fonts/GridwallPrint-{Regular,Bold}-{0..N}.woff2 and
assets/fonts/GridwallPrint.json ({file: characters}).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import make_fonts as mf  # noqa: E402

MANIFEST = mf.OUT / "GridwallPrint.json"
# besides the wall's characters: Latin-1 (² of km², ×, °), and the punctuation, arrows, maths
# and shapes blocks (− of a fall, ≥, ▲▼, ①): the figures write them, and one character left to
# the system font is one Type 3 font in the PDF again (Noto lacks some: they are skipped)
SYMBOLS = {chr(c) for lo, hi in ((0xA0, 0xFF), (0x2010, 0x205F), (0x2100, 0x22FF),
                                 (0x2460, 0x24FF), (0x25A0, 0x25FF)) for c in range(lo, hi + 1)}


def to_truetype(font) -> None:
    """Replace ``font``'s CFF outlines with TrueType ones (fontTools' otf2ttf recipe)."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyf[name] = pen.glyph()
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for k in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs",
              "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions",
              "maxComponentElements", "maxPoints", "maxContours", "maxCompositePoints",
              "maxCompositeContours", "maxComponentDepth"):
        setattr(maxp, k, 0)
    maxp.maxZones = 1
    font["head"].indexToLocFormat = 0
    font["head"].glyphDataFormat = 0
    post = font["post"]
    post.formatType, post.extraNames, post.mapping, post.glyphOrder = 2.0, [], {}, order
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    font.sfntVersion = "\x00\x01\x00\x00"


def build(weight: str, chars: set[str], out: Path) -> set[str]:
    """Write the slice; return the characters it holds (those Noto has)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    opts = subset.Options()
    opts.font_number = mf.FACE_SC
    opts.layout_features += ["tnum"]
    opts.hinting = False
    opts.desubroutinize = True
    font = TTFont(mf.TTC.format(weight), fontNumber=mf.FACE_SC)
    sub = subset.Subsetter(opts)
    sub.populate(text="".join(sorted(chars)))
    sub.subset(font)
    held = {chr(c) for c in font.getBestCmap()}
    to_truetype(font)
    font.flavor = "woff2"
    font.save(out)
    return held


def main() -> int:
    for old in mf.OUT.glob("GridwallPrint-*.woff2"):
        old.unlink()
    ui = mf.source_chars() | mf.basic() | SYMBOLS
    core = ui | mf.source_chars(mf.CORE_EXTRA)
    parts = [core] + mf.slices(mf.gb2312() - core, mf.SLICES)
    manifest = {}
    for weight in ("Regular", "Bold"):
        for i, chars in enumerate(parts):
            name = f"GridwallPrint-{weight}-{i}.woff2"
            held = build(weight, chars, mf.OUT / name)
            manifest[name] = "".join(sorted(held & chars))
            print(f"{name}: {(mf.OUT / name).stat().st_size:,} bytes", flush=True)
    MANIFEST.write_text(json.dumps(manifest, ensure_ascii=False, indent=0) + "\n",
                        encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
