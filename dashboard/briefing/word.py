"""The briefing as an editable Word document (``briefing_{week}.docx``).

Why a second document: the PDF is for showing; the 周报 an office sends is edited — a leader's
remarks added, the wording adjusted, the office's own letterhead put on top — in Word or WPS.
This is the same briefing as text and real tables (every figure the metrics module's, the
same cells as the slides: ``document.fmt_value`` / ``change_cell``), in the order a written
report reads (一、总体情况 … 七、矛盾纠纷调解), with the images (map, gauges, trend, wall)
at the end as 附图. Whole lists where the slides cut them: paper can run to a second page.

Fonts by East Asian name (黑体 headings, 仿宋 body, the usual for a 公文): Word and WPS use
the office's own fonts; nothing is embedded and nothing is fetched.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from dashboard.briefing.compose import Briefing, hot_short_text, rise_pct_text
from dashboard.briefing.document import (KEY_FIGURES, change_cell, compare_note, fmt_value,
                                         few_tag, key_label, no_rise, unjudged_mask,
                                         unranked)
from dashboard.figures.briefing_theme import CARD_ZH, DASH, num, pct
from dashboard.figures.numbers import kind_share, p_value

BODY_FONT, HEAD_FONT = "仿宋", "黑体"
BODY_PT, TABLE_PT = 14, 10.5           # 四号 body, 五号 tables
NUMBERS = "一二三四五六七八九十"
# 附图: (slide key, caption); the light theme's PNGs when there are any (they print well)
FIGURES = (("map", "本周事件密度与新发热点"), ("gauges", "核心指标仪表"),
           ("trend", "本周与上周每日上报、办结"), ("mediation", "本月矛盾纠纷调解"))


def _font(run, name: str, size: float, bold: bool = False) -> None:
    """Size, weight and the font, named for East Asian text too (``w:eastAsia``: without it
    Word sets the Chinese in its default font whatever ``font.name`` says). A run or a style."""
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    run.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _para(doc, text: str, *, size: float = BODY_PT, font: str = BODY_FONT, bold: bool = False,
          align=None, indent: bool = False, with_next: bool = False):
    """A paragraph; ``with_next``: a heading kept on the page of what it heads."""
    p = doc.add_paragraph()
    p.paragraph_format.keep_with_next = with_next
    if align is not None:
        p.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = Pt(size * 2)    # two characters, as 公文 do
    p.paragraph_format.space_after = Pt(4)
    run = p.add_run(text)
    _font(run, font, size, bold)
    return p


def _heading(doc, n: int, text: str) -> None:
    _para(doc, f"{NUMBERS[n - 1]}、{text}", font=HEAD_FONT, size=BODY_PT + 1, with_next=True)


def _table(doc, head: list[str], rows: list[list[str]]) -> None:
    """A plain grid table, head row bold and repeated on each page."""
    if not rows:
        _para(doc, "无", indent=True)
        return
    t = doc.add_table(rows=1 + len(rows), cols=len(head))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    for r, values in enumerate([head, *rows]):
        cells = t.rows[r].cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = ""
            _font(cell.paragraphs[0].add_run(str(value)), BODY_FONT, TABLE_PT, bold=r == 0)
    header = OxmlElement("w:tblHeader")          # the head row again on each page
    header.set(qn("w:val"), "true")
    t.rows[0]._tr.get_or_add_trPr().append(header)
    doc.add_paragraph()


def key_rows(b: Briefing) -> list[list[str]]:
    """核心指标: 指标, 本周, 上周, 环比变化 — the slide's cells as text."""
    rows = []
    for key, label, kind, better in KEY_FIGURES:
        if key in b.now:
            now, before = b.now.get(key), b.before.get(key)
            rows.append([key_label(b, label), fmt_value(now, kind), fmt_value(before, kind),
                         change_cell(now, before, kind, better)[0]])
    return rows


def _rises(doc, b: Briefing) -> None:
    if not b.compared:
        _para(doc, f"{no_rise(b, '类别')}。", indent=True)
    _para(doc, "（一）上升的事件类别", indent=True, with_next=True)
    _table(doc, ["类别", "本周", "上周", "增加", "增幅", "增加最多的" + b.place_word],
           [[r.label, num(r.now), num(r.before), f"+{num(r.change)}", rise_pct_text(r.change_pct),
             r.where if isinstance(r.where, str) else DASH]
            for r in b.rises_category.itertuples()])
    _para(doc, f"（二）上升的{b.place_word}", indent=True, with_next=True)
    _table(doc, [b.place_word, "本周", "上周", "增加", "增幅"],
           [[r.label, num(r.now), num(r.before), f"+{num(r.change)}", rise_pct_text(r.change_pct)]
            for r in b.rises_place.itertuples()])
    _para(doc, f"（三）新发热点 {len(b.hotspots)} 处"
               + (f"（{hot_short_text(b)}）" if b.hot_short else ""), indent=True, with_next=True)
    _table(doc, ["网格", "镇街", "本周", "主要类别", "基线", "倍数", "p"],
           [[r.grid_name, r.township_name, num(r.k),
             kind_share(getattr(r, "top_category", None), getattr(r, "top_share", None)),
             f"{r.baseline:.1f}", f"{r.ratio:.1f}倍", p_value(r.p)]
            for r in b.hotspots.itertuples()])


def _worst(doc, b: Briefing) -> None:
    _table(doc, ["网格", "镇街", "本周上报", "办结率", "按期办结率", "红线（周末）", "亮牌"],
           [[r.name, getattr(r, "township_name", "") or "",
             num(r.reported) + ("（样本少）" if r.few else ""), pct(r.handling_rate),
             pct(r.on_time_rate), num(r.red), CARD_ZH.get(r.card, "")]
            for r in b.worst.itertuples()])


def _late(doc, b: Briefing) -> None:
    _para(doc, f"截至 {b.as_of:%Y-%m-%d %H:%M}，超期未办结（红线示警）{num(b.now['red'])} 件，"
               f"临期（黄线）{num(b.now['yellow'])} 件。", indent=True)
    head = ["超期件数", b.moment_before, "最久已受理", "最多超时"]
    for title, df, first in ((f"（一）按{b.place_word}", b.overdue_place, b.place_word),
                             ("（二）按责任部门", b.overdue_dept, "责任部门")):
        _para(doc, title, indent=True, with_next=True)
        _table(doc, [first, *head],
               [[r.name, num(r.red), num(getattr(r, "prev_red", None)),
                 f"{r.oldest_h / 24:.1f} 天", f"{r.worst_over_h / 24:.1f} 天"]
                for r in df.itertuples()])


def _ranking(doc, b: Briefing) -> None:
    df = b.ranking
    grids = b.scope.level != "county"
    unjudged = unjudged_mask(df)
    rows = []
    for r, blank in zip(df.itertuples(), unjudged, strict=True):
        few = "（样本少）" if few_tag(r, grids) else ""
        no = getattr(r, "pos", r.rank) if grids else (DASH if unranked(r) else r.rank)
        rows.append([str(no), r.name,
                     DASH if blank else CARD_ZH.get(r.card, ""), pct(r.on_time_rate),
                     pct(r.handling_rate), num(r.reported) + few, num(r.red)])
    _table(doc, ["序号" if grids else "排名", "名称", "亮牌", "按期办结率", "办结率", "上报",
                 "红线"], rows)


def mediation_text(b: Briefing) -> str:
    med = b.mediation
    if not med.get("month"):
        return "暂无调解报表。"
    month = pd.Timestamp(med["month"])
    text = (f"{month.year}年{month.month}月受理矛盾纠纷{num(med['received'])}件，调解"
            f"{num(med['mediated'])}件，成功{num(med['succeeded'])}件，调解成功率"
            f"{pct(med['success_rate'])}")
    prev = med.get("previous")
    if prev:
        change = change_cell(med["success_rate"], prev["success_rate"], "rate", 1)[0]
        text += f"，较上月{change}"
    if med["month"] != med["requested_month"]:
        text += "（本月暂无报表，为最近月份）"
    return text + "。"


def word_document(b: Briefing, images: dict[str, Path], path: Path) -> Path:
    """Write the briefing ``b`` to ``path`` (.docx); ``images``: slide key (and ``wall``) →
    PNG, those present are appended as 附图."""
    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)           # A4
    sec.left_margin = sec.right_margin = Cm(2.6)
    sec.top_margin, sec.bottom_margin = Cm(3.0), Cm(2.5)
    style = doc.styles["Normal"]
    _font(style, BODY_FONT, BODY_PT)

    _para(doc, f"{b.scope_name}社会治理周报", font=HEAD_FONT, size=22,
          align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, f"{b.week_title} · {b.as_of_text}" + ("（演示数据）" if b.demo else ""),
          size=12, align=WD_ALIGN_PARAGRAPH.CENTER)
    sections = (("总体情况", lambda: _para(doc, b.summary, indent=True)),
                ("核心指标与环比", lambda: _table(doc, ["指标", "本周", "上周", "环比变化"],
                                                 key_rows(b))),
                ("哪些在上升、在哪里", lambda: _rises(doc, b)),
                ("问题网格", lambda: _worst(doc, b)),
                ("超期未办结", lambda: _late(doc, b)),
                (f"{b.place_word}排名与亮牌", lambda: _ranking(doc, b)),
                ("矛盾纠纷调解", lambda: _para(doc, mediation_text(b), indent=True)))
    for n, (title, body) in enumerate(sections, start=1):
        _heading(doc, n, title)
        body()
    _para(doc, f"口径：本周 {b.start:%Y-%m-%d} 至 {b.end:%Y-%m-%d}（不含）受理的有效事件，按 "
               f"{b.as_of:%Y-%m-%d %H:%M} 的状态统计；{compare_note(b)}；与 /api/metrics 一致。",
          size=10.5)
    figures = [(k, cap) for k, cap in (*FIGURES, ("wall", "大屏全景（周末）")) if k in images]
    if figures:
        doc.add_page_break()
        _para(doc, "附图", font=HEAD_FONT, size=BODY_PT + 1)
        for i, (key, caption) in enumerate(figures, start=1):
            doc.add_picture(str(images[key]), width=Cm(15.8))
            _para(doc, f"图{i}　{caption}", size=10.5, align=WD_ALIGN_PARAGRAPH.CENTER)
    doc.core_properties.title = f"{b.scope_name}社会治理周报 {b.week}"
    doc.core_properties.author = "gridwall"
    doc.save(str(path))
    return path
