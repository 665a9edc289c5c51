"""Read and validate every source before anything is written: file readable, required
columns present. Row-level problems are left for the loaders (they become rejects)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from etl.aliases import describe, resolve_columns
from etl.config import POLYGON_KINDS, SourceConfig
from etl.errors import LoadError
from etl.read_polygons import PolygonData, read_polygons
from etl.read_table import TableData, read_table

CONSTANT_HEADER = "<constant>:"   # Reading.columns value of a field set by [source.constant]
MEDIATION_TABLE = ("township", "month", "dispute_type", "received", "mediated", "succeeded")
MEDIATION_CASES = ("case_id", "township", "dispute_type", "received_at")


def _mapped_text(text: pd.Series, table: dict[str, list[str]] | None) -> pd.Series:
    """``[source.values.<field>]`` applied to any field (department, subcategory, a grid's
    township ...): a listed source value becomes its canonical value, others stay as given.
    Fields with a vocabulary map them again on the way in (idempotent)."""
    if not table:
        return text
    from etl.aliases import norm
    from etl.values import factorize_text

    lookup = {norm(s): canon for canon, sources in table.items() for s in sources}
    codes, uniques = factorize_text(text)
    out = np.asarray([lookup.get(norm(u), u) for u in uniques] + [""], dtype=object)
    return pd.Series(pd.array(out[codes], dtype="string[pyarrow]"), index=text.index)


@dataclass
class Reading:
    """One source as read: its config, its data as text, and header -> canonical field."""

    src: SourceConfig
    data: TableData | PolygonData
    columns: dict[str, str]
    mode: str = ""          # mediation "table" | "cases"; grids "township_from_db"
    index: int = 0          # position in the config (load order tie-breaker)
    _cache: dict = field(default_factory=dict, repr=False)

    def text(self, fld: str) -> pd.Series | None:
        """The column for canonical field ``fld`` as trimmed text, or None if absent.

        A field set by ``[source.constant]`` is that value on every row (it replaces a column
        the built-in aliases may have found)."""
        table = self.src.values.get(fld)
        if fld in self.src.constant:
            key = CONSTANT_HEADER + fld
            if key not in self._cache:
                self._cache[key] = _mapped_text(pd.Series(
                    self.src.constant[fld].strip(), index=self.data.df.index,
                    dtype="string[pyarrow]"), table)
            return self._cache[key]
        header = self.columns.get(fld)
        if header is None:
            return None
        key = header if not table else f"{header}\x00{fld}"  # one header may serve two fields
        if key not in self._cache:
            self._cache[key] = _mapped_text(self.data.df[header].fillna("").str.strip(), table)
        return self._cache[key]

    def text_or_empty(self, fld: str) -> pd.Series:
        s = self.text(fld)
        if s is None:
            return pd.Series("", index=self.data.df.index, dtype="string[pyarrow]")
        return s

    @property
    def n(self) -> int:
        return len(self.data.df)


def _missing(src: SourceConfig, kind: str, fields: list[str], headers: list[str]) -> LoadError:
    need = ", ".join(describe(kind, f) for f in fields)
    return LoadError(f"{src.path}: missing required column(s) {need}; "
                     f"headers are: {', '.join(headers) or '(none)'}")


def _require(src: SourceConfig, cols: dict, fields, headers) -> None:
    lacking = [f for f in fields if f not in cols]
    if lacking:
        raise _missing(src, src.kind, lacking, headers)


def _refuse_repeated_headers(src: SourceConfig, headers: list[str], cols: dict) -> None:
    """A header the load uses that the file repeats (two 事件类型 columns; the reader names
    the later ones 事件类型.1, …): which column holds the field cannot be told, and taking
    the first would be a silent pick. Repeated headers the load does not use are fine."""
    import re

    for fld, h in cols.items():
        again = [i for i, o in enumerate(headers) if re.fullmatch(re.escape(h) + r"\.\d+", o)]
        if again:
            where = ", ".join(str(i + 1) for i in [headers.index(h), *again])
            raise LoadError(f"{src.path}: header {h!r} appears {len(again) + 1} times "
                            f"(columns {where}), so which one is {fld} cannot be told; "
                            "rename or remove the others")


# Ids and codes that must keep every digit; a number in scientific notation there
# (3.30683E+17: a column typed as a number, past 2^53) has lost its last digits. The
# exponent's sign is required, as Excel and Python write it: an id such as 2024E001 is not
# a number.
CODE_FIELDS = {"grids": ("grid_id", "township_code", "township", "village_code"),
               "townships": ("township_code",), "events": ("event_id", "grid_id"),
               "cameras": ("camera_id",), "mediation": ("case_id",)}
_SCIENTIFIC = r"[+-]?(?:\d+\.?\d*|\.\d+)[eE][+-]\d+"


def refuse_lost_digits(reading: Reading) -> None:
    """An id or code written as a number in scientific notation (a float column: a
    GeoPackage or DBF double, a JSON number, an XLSX number cell, Excel's 3.30683E+17 saved
    as text) has lost its last digits: loaded, it would be a wrong code, several grids one
    grid, several events one (counted as duplicates). Stop naming the column, an example
    and how many rows (of the slice, for a streamed events file)."""
    for fld in CODE_FIELDS.get(reading.src.kind, ()):
        text = reading.text(fld)
        if text is None:
            continue
        bad = text.str.fullmatch(_SCIENTIFIC).fillna(False).to_numpy(dtype=bool)
        if bad.any():
            header = reading.columns.get(fld, fld)
            example = str(text.iloc[int(np.flatnonzero(bad)[0])])
            raise LoadError(
                f"{reading.src.path}: {header} ({fld}) holds {example} ({int(bad.sum()):,} "
                f"of {len(bad):,} rows): a number in scientific notation, its last digits "
                "lost (a code column typed as a number keeps 15-16 digits), so the code "
                "cannot be read; export the column as text (in Excel: format the cells as "
                "文本 before typing or pasting the codes)")


def read_source(src: SourceConfig, index: int) -> Reading:
    """Read one source and check its columns; LoadError names the file and the problem."""
    data = read_polygons(src) if src.kind in POLYGON_KINDS else read_table(src)
    headers = data.headers
    if src.kind in POLYGON_KINDS and not headers and not len(data.df):
        raise LoadError(f"{src.path}: the layer holds no features (nothing to load)")
    choices: list[dict] = []
    cols = resolve_columns(headers, src.kind, src.columns, src.path, choices)
    if choices:     # two headers for one field: the run report names both
        data.info["header_choices"] = choices
    _refuse_repeated_headers(src, headers, cols)
    cols.update({fld: CONSTANT_HEADER + fld for fld in src.constant})
    if src.point and src.point not in headers:
        raise LoadError(f"{src.path}: point column {src.point!r} is not in the file; "
                        f"headers are: {', '.join(headers)}")
    reading = Reading(src=src, data=data, columns=cols, index=index)
    try:
        _check_columns(src, data, cols, headers, reading)
    except LoadError as exc:
        hint = getattr(data, "hint", "")
        if hint:    # an XLSX whose first sheet is not the table: name the others
            raise LoadError(exc.message + hint) from None
        raise
    refuse_lost_digits(reading)
    return reading


def _check_columns(src: SourceConfig, data, cols: dict, headers: list[str],
                   reading: Reading) -> None:
    has_xy = (("lon" in cols and "lat" in cols) or ("x" in cols and "y" in cols)
              or bool(src.point))
    if src.kind == "events":
        _require(src, cols, ("event_id", "reported_at", "category"), headers)
        if not has_xy and "grid_id" not in cols:
            raise LoadError(f"{src.path}: no location columns: need lon+lat "
                            "(经度/纬度), x+y with a declared crs, a point column, "
                            f"or grid_id (所属网格); headers are: {', '.join(headers)}")
    elif src.kind == "cameras":
        _require(src, cols, ("camera_id",), headers)   # no status column: status unknown
        if not has_xy and getattr(data, "point_xy", None) is None:
            raise LoadError(f"{src.path}: no location columns: need lon+lat (经度/纬度), "
                            f"x+y or point geometry; headers are: {', '.join(headers)}")
    elif src.kind == "mediation":
        if "case_id" in cols and not all(f in cols for f in ("received", "mediated")):
            reading.mode = "cases"
            _require(src, cols, MEDIATION_CASES, headers)
        else:
            reading.mode = "table"
            _require(src, cols, MEDIATION_TABLE, headers)
    elif src.kind == "grids":
        _require(src, cols, ("grid_id", "grid_name"), headers)
    elif src.kind == "townships":
        if "township_name" not in cols and "township_code" not in cols:
            raise _missing(src, "townships", ["township_code", "township_name"], headers)


def read_all(sources: list[SourceConfig]) -> list[Reading]:
    """Read every source; the first unreadable one stops the load (nothing written yet)."""
    readings = [read_source(s, i) for i, s in enumerate(sources)]
    kinds = {r.src.kind for r in readings}
    for r in readings:
        if r.src.kind == "grids" and "township" not in r.columns \
                and "township_code" not in r.columns and "townships" not in kinds:
            r.mode = "township_from_db"   # checked against the database once it is open
    return readings
