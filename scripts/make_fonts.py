"""Rebuild the wall's CJK web fonts (assets/fonts/) and their @font-face rules.

    pip install --target /tmp/fonttools fonttools brotli      # build-time only, not a runtime dep
    PYTHONPATH=/tmp/fonttools python scripts/make_fonts.py

Source: Noto Sans CJK SC (Debian fonts-noto-cjk, SIL Open Font License 1.1), face 2 (SC) of
/usr/share/fonts/opentype/noto/NotoSansCJK-{Regular,Bold}.ttc. WOFF2 subsets:

* Regular, in slices the browser fetches only when the page uses one of their characters
  (each @font-face carries a unicode-range of exactly its characters): together ASCII,
  Latin-1 punctuation, CJK punctuation, fullwidth forms and all 6,763 hanzi of GB 2312
  (levels 1 and 2: place names such as 嵊 are level 2), plus every CJK character written in
  the project's source.
  - GridwallCJK-Regular.woff2, the core: what the wall writes itself (the source), the demo
    county's names (data/demo) and the demo's vocabulary (etl/demo: categories, channels,
    departments, disputes), so the first view needs this file alone (~0.3 MB, not 1.9);
  - GridwallCJK-Regular-<n>.woff2: the rest of GB 2312 in SLICES slices by code point, fetched
    when a county's own names or an address need them.
* GridwallCJK-Bold.woff2: only ASCII, punctuation and the CJK characters written in the wall's
  source (titles, labels): small. Bold text with other characters (a county name from the
  data) falls through to the next family, 'GridwallCJKAny' (the regular file again, the same
  URL, so not fetched twice), which the browser emboldens.

Writes assets/gridwall-fonts.css with the @font-face rules (the Bold face carries a
unicode-range of exactly its characters). Characters beyond GB 2312 fall back to system
fonts (Noto Sans CJK, Source Han Sans, Microsoft YaHei).
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "assets" / "fonts"
CSS = ROOT / "assets" / "gridwall-fonts.css"
TTC = "/usr/share/fonts/opentype/noto/NotoSansCJK-{}.ttc"
FACE_SC = 2
SOURCES = ["dashboard/**/*.py", "layers/*.py", "store/*.py", "assets/*.js"]
# what the demo county writes on the wall besides the source: its names and vocabulary
CORE_EXTRA = ["data/demo/*.csv", "etl/demo/*.py"]
SLICES = 12
CJK = re.compile(r"[\u2000-\u206f\u2190-\u21ff\u2460-\u24ff\u25a0-\u25ff\u3000-\u303f"
                 r"\u3400-\u9fff\uff00-\uffef]")


def gb2312() -> set[str]:
    chars = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return chars


def basic() -> set[str]:
    return {chr(c) for c in range(0x20, 0x7F)} | set("·—–…‘’“”›‹×÷±°℃％‰、。，：；！？（）【】《》「」〔〕￥")


def source_chars(patterns=SOURCES) -> set[str]:
    chars: set[str] = set()
    for pattern in patterns:
        for path in ROOT.glob(pattern):
            chars |= set(CJK.findall(path.read_text(encoding="utf-8")))
    return chars


def ranges(chars: set[str]) -> str:
    cps = sorted(ord(c) for c in chars)
    out, start, prev = [], cps[0], cps[0]
    for cp in cps[1:] + [None]:
        if cp is not None and cp == prev + 1:
            prev = cp
            continue
        out.append(f"U+{start:X}" if start == prev else f"U+{start:X}-{prev:X}")
        if cp is not None:
            start = prev = cp
    return ", ".join(out)


def subset(weight: str, chars: set[str], out: Path) -> None:
    text = out.with_suffix(".txt")
    text.write_text("".join(sorted(chars)), encoding="utf-8")
    try:
        subprocess.run([
            sys.executable, "-m", "fontTools.subset", TTC.format(weight),
            f"--font-number={FACE_SC}", f"--text-file={text}", "--flavor=woff2",
            "--layout-features+=tnum", "--no-hinting", "--desubroutinize",
            f"--output-file={out}"], check=True)
    finally:
        text.unlink()


def face(family: str, weight: int, url: str, chars: set[str] | None = None) -> str:
    rng = f"\n  unicode-range: {ranges(chars)};" if chars else ""
    return (f"@font-face {{ font-family: '{family}'; font-weight: {weight}; font-style: normal;"
            f" font-display: swap; src: url('{url}') format('woff2');{rng} }}\n")


def slices(chars: set[str], n: int) -> list[set[str]]:
    """``chars`` in ``n`` slices of consecutive code points, about equal in count."""
    cps = sorted(chars)
    size = -(-len(cps) // n)
    return [set(cps[i:i + size]) for i in range(0, len(cps), size)]


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("GridwallCJK-Regular*.woff2"):
        old.unlink()
    ui = source_chars() | basic()
    core = ui | source_chars(CORE_EXTRA)
    rest = slices(gb2312() - core, SLICES)
    regular = [("GridwallCJK-Regular.woff2", core)] + [
        (f"GridwallCJK-Regular-{i}.woff2", chars) for i, chars in enumerate(rest, 1)]
    for name, chars in regular:
        subset("Regular", chars, OUT / name)
    subset("Bold", ui, OUT / "GridwallCJK-Bold.woff2")
    css = ["/* Generated by scripts/make_fonts.py: do not edit. Noto Sans CJK SC subsets (OFL 1.1)."
           " The browser fetches a Regular slice only when the page uses one of its characters. */\n"]
    css += [face("GridwallCJK", 400, f"fonts/{name}", chars) for name, chars in regular]
    css.append(face("GridwallCJK", 700, "fonts/GridwallCJK-Bold.woff2", ui))
    # bold text outside the Bold subset: the Regular slices again (same URLs, fetched once)
    css += [face("GridwallCJKAny", 400, f"fonts/{name}", chars) for name, chars in regular]
    CSS.write_text("".join(css), encoding="utf-8")
    for f in sorted(OUT.glob("*.woff2")):
        print(f"{f.relative_to(ROOT)}: {f.stat().st_size:,} bytes")
    print(f"{len(core)} characters in the core, {sum(len(c) for _n, c in regular)} regular,"
          f" {len(ui)} bold")
    return 0


if __name__ == "__main__":
    sys.exit(main())
