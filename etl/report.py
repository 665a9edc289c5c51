"""The run summary: totals over sources, and the table printed at the end of a load."""
from __future__ import annotations

COUNTS = ("rows_read", "new", "updated", "unchanged", "duplicates", "rejected")


def totals(sources: list[dict]) -> dict:
    out = {k: sum(int(s.get(k, 0)) for s in sources) for k in COUNTS}
    by: dict[str, int] = {}
    for s in sources:
        for reason, n in s.get("rejected_by_reason", {}).items():
            by[reason] = by.get(reason, 0) + int(n)
    out["rejected_by_reason"] = dict(sorted(by.items()))
    out["loaded"] = out["new"]
    out["accepted"] = out["new"] + out["updated"] + out["unchanged"]
    return out


def format_summary(report: dict) -> str:
    """A plain-text table: one line per source and a total, then rejects by reason."""
    head = ("source", "kind", "read 读取", "new 新增", "updated 更新", "unchanged 未变",
            "dup 重复", "rejected 拒收", "s")
    rows = []
    for s in report["sources"]:
        rows.append((s["file"], s["kind"], s["rows_read"], s["new"], s["updated"],
                     s["unchanged"], s["duplicates"], s["rejected"], f"{s['seconds']:.1f}"))
    t = report["total"]
    rows.append(("total 合计", "", t["rows_read"], t["new"], t["updated"], t["unchanged"],
                 t["duplicates"], t["rejected"], f"{report['seconds']:.1f}"))
    widths = [max(_w(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    lines = [f"load {report['load_id']} -> {report['database']}"]
    for r in [head, *rows]:
        lines.append("  ".join(_pad(str(v), widths[i], i >= 2) for i, v in enumerate(r)))
    if t["rejected_by_reason"]:
        lines.append("rejected by reason 拒收原因: " + ", ".join(
            f"{k} {v}" for k, v in t["rejected_by_reason"].items()))
    for s in report["sources"]:
        notes = []
        for key, w in s.get("warnings", {}).items():
            notes.append(f"{key} {w['count']}" + (f" ({w['example']})" if "example" in w
                                                  else ""))
        if s.get("repaired"):
            notes.append(f"repaired polygons {len(s['repaired'])}: "
                         + ", ".join(s["repaired"][:10]))
        if s.get("dropped_parts"):
            notes.append("points/lines dropped from geometry collections "
                         f"{sum(s['dropped_parts'].values())}: " + ", ".join(
                             f"{k} {v}" for k, v in list(s["dropped_parts"].items())[:10]))
        if s.get("unknown_categories"):
            cats = s["unknown_categories"]
            notes.append("categories not in settings: " + ", ".join(
                f"{k} {v}" for k, v in list(cats.items())[:10]))
        notes += source_problems(s)
        if notes:
            lines.append(f"{s['file']}: " + "; ".join(notes))
    return "\n".join(lines)


def source_problems(s: dict) -> list[str]:
    """Problems of a source that did not stop its load, one phrase each (see docs/etl.md):
    competing headers, overlapping grids, formula cells without a cached value."""
    out = []
    for c in s.get("header_choices", []):
        how = "as mapped" if c["by"] == "mapping" else "by priority"
        out.append(f"{c['field']} read from {c['used']!r} {how}, ignored "
                   + ", ".join(repr(h) for h in c["ignored"]))
    ov = s.get("overlapping_grids")
    if ov:
        out.append(f"overlapping grids {ov['count']}: " + ", ".join(
            f"{p['a']}/{p['b']} {p['area_m2']:,.0f} m²" for p in ov["pairs"][:5]))
    fm = s.get("formulas_without_value")
    if fm:
        out.append(f"formula cells without a cached value {fm['count']} (loaded as the "
                   "formula's text): " + ", ".join(fm["cells"][:10]))
    return out


def _w(text: str) -> int:
    """Display width: CJK characters take two columns."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, right: bool) -> str:
    fill = " " * (width - _w(text))
    return fill + text if right else text + fill
