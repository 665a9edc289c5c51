"""The served fonts cover the wall's own text (rebuild with scripts/make_fonts.py if not)."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CSS = ROOT / "assets" / "gridwall-fonts.css"
HAN = re.compile(r"[\u3400-\u9fff]")


def _bold_range() -> set[int]:
    css = CSS.read_text(encoding="utf-8")
    rule = next(r for r in css.split("@font-face") if "GridwallCJK-Bold" in r)
    spec = re.search(r"unicode-range:\s*([^;]+);", rule).group(1)
    cps: set[int] = set()
    for part in spec.split(","):
        lo, _, hi = part.strip()[2:].partition("-")
        cps.update(range(int(lo, 16), int(hi or lo, 16) + 1))
    return cps


def test_bold_subset_covers_every_hanzi_in_the_wall_source():
    covered = _bold_range()
    missing = set()
    for path in (ROOT / "dashboard" / "wall").glob("*.py"):
        missing |= {c for c in HAN.findall(path.read_text(encoding="utf-8")) if ord(c) not in covered}
    assert not missing, f"run scripts/make_fonts.py: bold font lacks {''.join(sorted(missing))}"


def test_font_files_are_local_and_small():
    css = CSS.read_text(encoding="utf-8")
    urls = set(re.findall(r"url\('([^']+)'\)", css))
    assert urls == {"fonts/GridwallCJK-Regular.woff2", "fonts/GridwallCJK-Bold.woff2"}
    sizes = {u: (ROOT / "assets" / u).stat().st_size for u in urls}
    assert sizes["fonts/GridwallCJK-Regular.woff2"] < 2_500_000
    assert sizes["fonts/GridwallCJK-Bold.woff2"] < 200_000
    assert "GridwallCJKAny" in css            # bold text outside the subset falls back to Regular
