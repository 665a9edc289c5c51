"""The PDF's text is set in embedded TrueType (CID) fonts, not Type 3, and reads back whole.

Chromium's PDF writer embedded the system's Noto Sans CJK (CFF outlines) as dozens of Type 3
fonts: printers and print servers rasterise or choke on them and PDF search is unreliable.
The document now inlines Noto Sans CJK SC with TrueType outlines (print_fonts.py), which
Chromium embeds as subset CID TrueType fonts. Read with poppler's ``pdffonts`` and
``pdftotext`` on the demo county's week, printed by Chromium as the CLI prints it.
"""
from __future__ import annotations

import re
import subprocess

import pytest

from dashboard.briefing import document, shoot
from dashboard.briefing.compose import compose
from dashboard.figures.briefing_theme import LIGHT
from store.db import ReadStore
from store.settings import Settings
from tests.briefing.conftest import WEEK

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _fonts(pdf) -> list[dict]:
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                         check=True).stdout.splitlines()[2:]
    rows = []
    for line in out:            # name, type (may hold spaces), encoding, emb, sub, uni, id
        m = re.match(r"(\S+)\s+(.+?)\s{2,}(\S+)\s+(yes|no)\s+(yes|no)\s+(yes|no)", line)
        assert m, line
        rows.append({"name": m[1], "type": m[2], "emb": m[4], "uni": m[6]})
    return rows


def test_the_pdf_embeds_truetype_fonts_and_its_text_reads_back(wall_demo_db, chromium,
                                                              tmp_path, poppler):
    store = ReadStore(wall_demo_db)
    try:
        b = compose(store, Settings(), WEEK)
    finally:
        store.close()
    html = tmp_path / "light.html"
    html.write_text(document.document(b, LIGHT, None), encoding="utf-8")
    page = chromium.new_page(viewport={"width": document.SLIDE_W, "height": document.SLIDE_H})
    try:
        page.goto(html.as_uri())
        page.wait_for_function("() => window.__briefingReady || window.__briefingError",
                               timeout=60_000)
        shoot.print_pdf(page, tmp_path / "b.pdf", None)
    finally:
        page.close()
    fonts = _fonts(tmp_path / "b.pdf")
    assert fonts and [f for f in fonts if f["type"] == "Type 3"] == [], fonts
    assert all(f["type"] == "CID TrueType" and f["emb"] == "yes" and f["uni"] == "yes"
               for f in fonts), fonts
    assert any("NotoSansCJKsc-Bold" in f["name"] for f in fonts)     # a real bold, not faked
    text = subprocess.run(["pdftotext", str(tmp_path / "b.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    flat = re.sub(r"\s+", "", text)
    assert re.sub(r"\s+", "", b.summary)[:60] in flat
    for words in ("核心指标与环比", "及时流转率", "超期未办结", b.scope_name):
        assert words in flat
