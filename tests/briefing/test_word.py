"""The briefing as an editable Word document: written beside the PDF by the same run, the
same summary and figures as real text and tables (checked against an independent count and
the manifest), in the order a written report reads, the images as 附图, no personal data."""
from __future__ import annotations

import json
import re

import docx
import duckdb
import pytest

from tests.briefing.conftest import AS_OF, END, START, WEEK
from tests.briefing.test_cli import PHONE, _events
from tests.store.oracle import oracle


@pytest.fixture(scope="module")
def word(briefing_run):
    path = briefing_run.out / f"briefing_{WEEK}.docx"
    assert path.exists(), sorted(p.name for p in briefing_run.out.iterdir())
    return docx.Document(str(path))


def _text(d) -> str:
    cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in d.paragraphs] + cells)


def test_the_manifest_lists_the_word_document(briefing_run):
    manifest = json.loads((briefing_run.out / "briefing.json").read_text(encoding="utf-8"))
    assert f"briefing_{WEEK}.docx" in manifest["files"]


def test_it_reads_as_a_report_in_order_with_the_summary_of_the_pdf(word, briefing_run):
    manifest = json.loads((briefing_run.out / "briefing.json").read_text(encoding="utf-8"))
    paras = [p.text for p in word.paragraphs]
    assert paras[0].endswith("社会治理周报") and "第43周" in paras[1] and "截至 2025-10-27 00:00" \
        in paras[1]
    assert manifest["summary"] in paras
    heads = [p for p in paras if re.match(r"^[一二三四五六七八九十]、", p)]
    assert [h[2:] for h in heads] == ["总体情况", "核心指标与环比", "哪些在上升、在哪里", "问题网格",
                                      "超期未办结", "镇街排名与亮牌", "矛盾纠纷调解"]
    assert paras.index("附图") > paras.index(heads[-1])
    assert len(word.inline_shapes) >= 5                  # map, gauges, trend, mediation, wall


def test_its_figures_are_an_independent_count_and_the_manifest(word, briefing_run, wall_demo_db):
    want = oracle(_events(wall_demo_db), start=START, end=END, as_of=AS_OF)
    manifest = json.loads((briefing_run.out / "briefing.json").read_text(encoding="utf-8"))
    keys = {row.cells[0].text: [c.text for c in row.cells[1:]] for row in word.tables[0].rows}
    assert keys["上报数"][0] == f"{want['reported']:,}"
    assert keys["办结率"][0] == f"{want['handling_rate'] * 100:.1f}%"
    assert keys["上报数"][1] == f"{manifest['previous']['reported']:,}"
    assert keys["按期办结率"][0] == f"{manifest['metrics']['on_time_rate'] * 100:.1f}%"
    # the ranking table holds every township: ranked 1..m, then those unranked: without a
    # rate this week (no cohort), their rates "—", or of 1-4 events (样本少: not judged)
    rank = next(t for t in word.tables if t.rows[0].cells[0].text == "排名")
    con = duckdb.connect(str(wall_demo_db), read_only=True)
    n = con.execute("SELECT count(*) FROM townships").fetchone()[0]
    con.close()
    nos = [r.cells[0].text for r in rank.rows[1:]]
    m = sum(no != "—" for no in nos)
    assert len(nos) == n and nos == [str(i) for i in range(1, m + 1)] + ["—"] * (n - m)
    assert all(r.cells[3].text == r.cells[4].text == "—" or (
        r.cells[5].text.endswith("（样本少）") and int(r.cells[5].text[:-5]) < 5)
        for r in rank.rows[1 + m:])
    assert all("样本少" not in r.cells[5].text for r in rank.rows[1:1 + m])


def test_no_phone_number_or_reporter_in_it(word, wall_demo_db):
    text = _text(word)
    assert not PHONE.search(text)
    con = duckdb.connect(str(wall_demo_db), read_only=True)
    names = [r[0] for r in con.execute("SELECT DISTINCT reporter_name FROM events"
                                       " WHERE length(reporter_name) >= 3 LIMIT 300").fetchall()]
    con.close()
    assert names and not any(nm in text for nm in names)


def test_chinese_is_set_in_an_east_asian_font(word):
    """w:eastAsia names the font: without it Word sets the Chinese in its default font."""
    run = word.paragraphs[2].runs[0]
    fonts = run.element.rPr.rFonts
    assert fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") \
        == "黑体"
