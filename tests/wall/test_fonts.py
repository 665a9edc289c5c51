"""The served fonts cover the wall's own text (rebuild with scripts/make_fonts.py if not)."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CSS = ROOT / "assets" / "gridwall-fonts.css"
HAN = re.compile(r"[\u3400-\u9fff]")


def _faces() -> list[tuple[str, str, set[int]]]:
    """(family, url, code points) of every @font-face rule."""
    out = []
    for rule in CSS.read_text(encoding="utf-8").split("@font-face")[1:]:
        family = re.search(r"font-family:\s*'([^']+)'", rule).group(1)
        url = re.search(r"url\('([^']+)'\)", rule).group(1)
        cps: set[int] = set()
        spec = re.search(r"unicode-range:\s*([^;]+);", rule)
        for part in (spec.group(1).split(",") if spec else []):
            lo, _, hi = part.strip()[2:].partition("-")
            cps.update(range(int(lo, 16), int(hi or lo, 16) + 1))
        out.append((family, url, cps))
    return out


def _bold_range() -> set[int]:
    return next(cps for _f, url, cps in _faces() if "GridwallCJK-Bold" in url)


def _wall_hanzi() -> set[int]:
    chars: set[int] = set()
    for path in (ROOT / "dashboard" / "wall").glob("*.py"):
        chars |= {ord(c) for c in HAN.findall(path.read_text(encoding="utf-8"))}
    for path in (ROOT / "dashboard" / "figures").glob("wall_*.py"):
        chars |= {ord(c) for c in HAN.findall(path.read_text(encoding="utf-8"))}
    return chars


def test_bold_subset_covers_every_hanzi_in_the_wall_source():
    covered = _bold_range()
    missing = set()
    for path in (ROOT / "dashboard" / "wall").glob("*.py"):
        missing |= {c for c in HAN.findall(path.read_text(encoding="utf-8")) if ord(c) not in covered}
    assert not missing, f"run scripts/make_fonts.py: bold font lacks {''.join(sorted(missing))}"


def test_the_regular_font_comes_in_slices_and_the_first_view_needs_only_the_small_core():
    faces = _faces()
    regular = [(url, cps) for fam, url, cps in faces
               if fam == "GridwallCJK" and "Regular" in url]
    urls = {url for _f, url, _c in faces}
    assert all(u.startswith("fonts/GridwallCJK-") and (ROOT / "assets" / u).is_file() for u in urls)
    sizes = {u: (ROOT / "assets" / u).stat().st_size for u in urls}
    core = dict(regular)["fonts/GridwallCJK-Regular.woff2"]
    assert sizes["fonts/GridwallCJK-Regular.woff2"] < 400_000    # not the 1.9 MB of all GB 2312
    assert all(size < 250_000 for u, size in sizes.items() if "Regular-" in u)
    assert sizes["fonts/GridwallCJK-Bold.woff2"] < 200_000
    assert not (_wall_hanzi() - core)               # the wall's own text: the core alone
    # every character of GB 2312 is in exactly one Regular slice
    gb = {ord(bytes([hi, lo]).decode("gb2312")) for hi in range(0xB0, 0xF8)
          for lo in range(0xA1, 0xFF) if (hi, lo) not in {(0xD7, x) for x in range(0xFA, 0xFF)}}
    seen: list[int] = [cp for _u, cps in regular for cp in cps]
    assert gb <= set(seen) and len(seen) == len(set(seen))
    # bold text outside the Bold subset falls back to the same Regular files
    assert {u for f, u, _c in faces if f == "GridwallCJKAny"} == {u for u, _c in regular}
