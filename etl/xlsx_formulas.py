"""XLSX formula cells that carry no cached value (a workbook written by a script, never
opened and saved in Excel): openpyxl's data-only read gives None, which would load as an
empty cell without a word. We load the formula's text instead and name the cells.

The sheet's XML is scanned once for ``<c><f>…</f></c>`` whose ``<v>`` is missing or empty
(openpyxl writes ``<v/>``); an empty-string result (``t="str"`` with an empty ``<v>``, as
Excel saves it) is a value and is left alone.
"""
from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator

from openpyxl.formula.translate import Translator
from openpyxl.utils.cell import coordinate_to_tuple

_TAG_F = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _has_formula(ws) -> bool:
    """Cheap first look: does the sheet XML hold any <f> element at all?"""
    tail = b""
    with ws.parent._archive.open(ws._worksheet_path) as fh:
        while chunk := fh.read(1 << 20):
            if _TAG_F.search(tail + chunk):
                return True
            tail = chunk[-16:]
    return False


_CACHE: dict[tuple, dict[tuple[int, int], str]] = {}


def formulas_without_value(ws) -> dict[tuple[int, int], str]:
    """{(row, column) 1-based: "=formula"} for formula cells with no cached value, of a
    read-only openpyxl worksheet (scanned once per file version and sheet)."""
    if getattr(ws, "_worksheet_path", None) is None:
        return {}
    name = getattr(ws.parent._archive, "filename", None)
    key = None
    if name:
        st = os.stat(name)
        key = (name, ws._worksheet_path, st.st_mtime_ns, st.st_size)
        if key in _CACHE:
            return _CACHE[key]
    found = _scan(ws) if _has_formula(ws) else {}
    if key is not None:
        if len(_CACHE) > 16:
            _CACHE.clear()
        _CACHE[key] = found
    return found


def _scan(ws) -> dict[tuple[int, int], str]:
    out: dict[tuple[int, int], str] = {}
    shared: dict[str, tuple[str, str]] = {}     # si -> (master formula, master cell)
    with ws.parent._archive.open(ws._worksheet_path) as fh:
        for _, el in ET.iterparse(fh, events=("end",)):
            if _local(el.tag) != "c":
                continue
            f = v = None
            for child in el:
                name = _local(child.tag)
                if name == "f":
                    f = child
                elif name == "v" and v is None:
                    v = child
            ref = el.get("r")
            if f is not None and ref:
                text = f.text or ""
                si = f.get("si")
                if f.get("t") == "shared" and si is not None:
                    if text:
                        shared[si] = ("=" + text, ref)
                        formula = "=" + text
                    elif si in shared:
                        master, origin = shared[si]
                        formula = Translator(master, origin=origin).translate_formula(ref)
                    else:
                        formula = ""
                else:
                    formula = "=" + text if text else ""
                empty = v is None or (not (v.text or "") and el.get("t") != "str")
                if empty and formula:
                    out[coordinate_to_tuple(ref)] = formula
            el.clear()
    return out


def fill(rows: Iterator[tuple], formulas: dict[tuple[int, int], str]) -> Iterator[tuple]:
    """``ws.iter_rows(values_only=True)`` (rows from 1, columns from 1) with the formula
    text put where a formula cell has no value."""
    if not formulas:
        yield from rows
        return
    by_row: dict[int, list[tuple[int, str]]] = {}
    for (r, c), text in formulas.items():
        by_row.setdefault(r, []).append((c, text))
    for i, values in enumerate(rows, start=1):
        cells = by_row.get(i)
        if cells:
            values = list(values)
            for c, text in cells:
                while len(values) < c:
                    values.append(None)
                if values[c - 1] is None:
                    values[c - 1] = text
            values = tuple(values)
        yield values


def cell_names(formulas: dict[tuple[int, int], str]) -> list[str]:
    """'C5' style names, in sheet order."""
    from openpyxl.utils.cell import get_column_letter

    return [f"{get_column_letter(c)}{r}" for r, c in sorted(formulas)]
