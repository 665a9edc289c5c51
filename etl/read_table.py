"""Read a table file (CSV, XLSX, Parquet, GeoJSON points) into strings, one column per header.

Everything is read as text first, so a bad value becomes a rejected row later instead of a
crash now. A file that cannot be read at all raises LoadError naming the file.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from etl.config import SourceConfig
from etl.errors import LoadError

STR = pd.StringDtype("pyarrow")
TABLE_FORMATS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx",
                 ".xlsm": "xlsx", ".parquet": "parquet", ".pq": "parquet",
                 ".geojson": "geojson", ".json": "geojson"}


@dataclass
class TableData:
    """A source file as text: ``df`` columns are the file's headers (pandas string dtype,
    empty cells as ""), ``rows`` the 1-based data row numbers used in rejects."""

    df: pd.DataFrame
    rows: np.ndarray
    info: dict = field(default_factory=dict)
    point_xy: tuple[np.ndarray, np.ndarray] | None = None   # GeoJSON geometry x, y
    point_crs: str | None = None

    @property
    def headers(self) -> list[str]:
        return [str(c) for c in self.df.columns]


def table_format(src: SourceConfig) -> str:
    suffix = src.file.suffix.lower()
    if suffix == ".xls":
        raise LoadError(f"{src.path}: old .xls workbooks are not supported; "
                        "save it as .xlsx or CSV")
    fmt = TABLE_FORMATS.get(suffix)
    allowed = {"events": ("csv", "xlsx", "parquet"), "mediation": ("csv", "xlsx", "parquet"),
               "cameras": ("csv", "xlsx", "parquet", "geojson")}[src.kind]
    if fmt not in allowed:
        raise LoadError(f"{src.path}: {src.kind} files must be one of "
                        f"{', '.join(allowed)} (by extension), not {suffix or 'no extension'!r}")
    return fmt


def read_table(src: SourceConfig) -> TableData:
    """Read ``src`` as text; raise LoadError if the file cannot be read at all."""
    if not src.file.is_file():
        raise LoadError(f"{src.path}: file not found ({src.file})")
    fmt = table_format(src)
    reader = {"csv": _read_csv, "xlsx": _read_xlsx, "parquet": _read_parquet,
              "geojson": _read_geojson_points}[fmt]
    data = reader(src)
    data.info["format"] = fmt
    if not data.headers or all(h == "" for h in data.headers):
        raise LoadError(f"{src.path}: no header row found")
    return data


# --- CSV -------------------------------------------------------------------------------
def _valid(raw: bytes, encoding: str) -> int | None:
    """Byte offset of the first undecodable byte, or None; checked in 16 MB steps so no
    full copy of the text is kept."""
    import codecs

    dec = codecs.getincrementaldecoder(encoding)("strict")
    view = memoryview(raw)
    step = 1 << 24
    i = 0
    try:
        for i in range(0, len(raw), step):
            dec.decode(view[i:i + step], final=i + step >= len(raw))
        if not len(raw):
            dec.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        return i + exc.start
    return None


def _body(src: SourceConfig, raw: bytes) -> tuple[bytes, str]:
    """The file as UTF-8 bytes for the CSV parser, and the encoding it was read as.

    Tries UTF-8 (with or without BOM), a UTF-16 BOM, then GB18030 (a superset of GBK).
    """
    if src.encoding:
        candidates: tuple[str, ...] = (src.encoding,)
    elif raw.startswith(b"\xef\xbb\xbf"):
        candidates = ("utf-8-sig",)
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ("utf-16",)
    else:
        candidates = ("utf-8", "gb18030")
    for enc in candidates:
        key = enc.lower().replace("_", "-")
        if key in ("utf-8", "utf8", "utf-8-sig"):
            err = _valid(raw, "utf-8-sig" if key == "utf-8-sig" else "utf-8")
            if err is None:
                return (raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw), enc
        else:
            try:
                return raw.decode(enc).encode("utf-8"), enc
            except UnicodeDecodeError as exc:
                err = exc.start
        if src.encoding:
            raise LoadError(f"{src.path}: not valid {src.encoding} text at byte {err} "
                            "(wrong encoding?)") from None
    raise LoadError(f"{src.path}: cannot decode the file as UTF-8 or GB18030; "
                    "set encoding = \"...\" in the load config")


def _unique_headers(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for n in names:
        n = n.strip().lstrip("\ufeff")
        if n in seen:
            seen[n] += 1
            n = f"{n}.{seen[n]}"
        seen.setdefault(n, 0)
        out.append(n)
    return out


def _read_csv(src: SourceConfig) -> TableData:
    import pyarrow.csv as pacsv

    body, enc = _body(src, src.file.read_bytes())
    head = body[:65536].decode("utf-8", errors="ignore")
    first_line = head.splitlines()[0] if head.strip() else ""
    if not first_line.strip():
        raise LoadError(f"{src.path}: the file is empty or its first line is blank")
    delim = max([",", "\t", ";", "|"], key=first_line.count)
    if first_line.count(delim) == 0:
        delim = ","
    try:
        header = next(csv.reader(io.StringIO(head), delimiter=delim))
    except (csv.Error, StopIteration) as exc:
        raise LoadError(f"{src.path}: cannot read the header row ({exc})") from None
    names = _unique_headers(header)
    try:
        table = pacsv.read_csv(
            pa.py_buffer(body),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1,
                                           block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=delim, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except pa.ArrowInvalid as exc:
        msg = str(exc).split("\n")[0]
        raise LoadError(f"{src.path}: not a readable CSV file: {msg}") from None
    df = _arrow_to_frame(table)
    return TableData(df=df, rows=np.arange(1, len(df) + 1, dtype=np.int64),
                     info={"encoding": enc, "delimiter": delim})


def _arrow_to_frame(table: pa.Table) -> pd.DataFrame:
    cols = {}
    for name, col in zip(table.column_names, table.columns):
        col = pc.fill_null(col, "")
        if col.type != pa.string():
            col = col.cast(pa.string())
        cols[name] = pd.Series(pd.arrays.ArrowStringArray(col), dtype=STR)
    return pd.DataFrame(cols)


# --- XLSX ------------------------------------------------------------------------------
def cell_text(v: object) -> str:
    """One spreadsheet cell as text: Excel datetimes as ISO, integral floats without .0."""
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, (dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    return str(v)


HEADER_SCAN = 20


def _pick_header(rows: list[tuple[int, list[str]]]):
    """The header is the first row at least half as full as the fullest of the first rows:
    this skips a title line ("2024年3月 事件台账") above the table, as exports often have."""
    if not rows:
        return None, 0, []
    widest = max(sum(1 for t in texts if t) for _, texts in rows)
    for k, (i, texts) in enumerate(rows):
        if sum(1 for t in texts if t) * 2 >= widest:
            return texts, i, rows[k + 1:]
    return rows[0][1], rows[0][0], rows[1:]


def _read_xlsx(src: SourceConfig) -> TableData:
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = openpyxl.load_workbook(src.file, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise LoadError(f"{src.path}: not a readable XLSX workbook ({exc})") from None
    try:
        if src.sheet:
            if src.sheet not in wb.sheetnames:
                raise LoadError(f"{src.path}: no sheet {src.sheet!r}; sheets: "
                                f"{', '.join(wb.sheetnames)}")
            ws = wb[src.sheet]
        else:
            ws = wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        head_rows: list[tuple[int, list[str]]] = []
        for i, values in enumerate(rows, start=1):
            texts = [cell_text(v) for v in values]
            if any(texts):
                head_rows.append((i, texts))
            if len(head_rows) >= HEADER_SCAN:
                break
        header, header_row, pending = _pick_header(head_rows)
        data: list[list[str]] = []
        rownums: list[int] = []
        for i, texts in pending:
            data.append(texts)
            rownums.append(i - header_row)
        for i, values in enumerate(rows, start=(head_rows[-1][0] + 1) if head_rows else 1):
            texts = [cell_text(v) for v in values]
            if not any(texts):
                continue
            data.append(texts)
            rownums.append(i - header_row)
    finally:
        wb.close()
    if header is None:
        raise LoadError(f"{src.path}: the sheet is empty")
    while header and header[-1] == "":
        header.pop()
    names = _unique_headers(header)
    n = len(names)
    cols = {name: pd.Series([(r[j] if j < len(r) else "") for r in data], dtype=STR)
            for j, name in enumerate(names)}
    df = pd.DataFrame(cols) if data else pd.DataFrame({c: pd.Series([], dtype=STR)
                                                       for c in names})
    info = {"sheet": ws.title}
    if any(len(r) > n and any(r[n:]) for r in data):
        info["note"] = "cells right of the last header were ignored"
    return TableData(df=df, rows=np.asarray(rownums, dtype=np.int64), info=info)


# --- Parquet ---------------------------------------------------------------------------
def arrow_column_text(col: pa.ChunkedArray) -> pa.ChunkedArray:
    """Cast any Arrow column to text the way the CSV path would have seen it."""
    t = col.type
    if pa.types.is_dictionary(t):
        col = col.cast(t.value_type)
        t = col.type
    if pa.types.is_timestamp(t):
        col = col.cast(pa.timestamp("s", tz=t.tz), safe=False)
        fmt = "%Y-%m-%dT%H:%M:%S%z" if t.tz else "%Y-%m-%d %H:%M:%S"
        return pc.strftime(col, format=fmt)
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return col.cast(pa.string())
    if pa.types.is_floating(t):
        # integral floats (an int column with gaps, a DBF number) print as integers, not
        # "3.30683001001e+11": codes and phone numbers must survive
        col = col.cast(pa.float64())
        col = pc.if_else(pc.is_nan(col), pa.scalar(None, pa.float64()), col)
        integral = pc.and_(pc.equal(pc.floor(col), col), pc.less(pc.abs(col), 1e15))
        as_int = pc.cast(pc.if_else(integral, col, 0.0), pa.int64()).cast(pa.string())
        return pc.if_else(integral, as_int, col.cast(pa.string()))
    try:
        return col.cast(pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return pa.chunked_array([pa.array([None if v is None else str(v)
                                           for v in col.to_pylist()], pa.string())])


def _read_parquet(src: SourceConfig) -> TableData:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(src.file)
    except (pa.ArrowInvalid, OSError) as exc:
        raise LoadError(f"{src.path}: not a readable Parquet file ({exc})") from None
    names = _unique_headers([str(n) for n in table.column_names])
    cols = [arrow_column_text(c) for c in table.columns]
    df = _arrow_to_frame(pa.table(cols, names=names))
    return TableData(df=df, rows=np.arange(1, len(df) + 1, dtype=np.int64), info={})


# --- GeoJSON points (cameras) ----------------------------------------------------------
def frame_text(df: pd.DataFrame) -> pd.DataFrame:
    """Every column of a (geo)pandas frame as text, via Arrow (integral floats lose .0)."""
    out = {}
    for name in df.columns:
        s = df[name]
        try:
            arr = pa.chunked_array([pa.array(s, from_pandas=True)])
            out[str(name)] = arrow_column_text(arr)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            out[str(name)] = pa.chunked_array([pa.array(
                [None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
                 for v in s], pa.string())])
    names = _unique_headers(list(out))
    return _arrow_to_frame(pa.table(list(out.values()), names=names))


def _read_geojson_points(src: SourceConfig) -> TableData:
    import pyogrio
    import shapely

    try:
        gdf = pyogrio.read_dataframe(src.file, layer=src.layer)
    except Exception as exc:  # pyogrio raises several driver-specific errors
        raise LoadError(f"{src.path}: not a readable GeoJSON file ({exc})") from None
    geom = np.asarray(gdf.geometry.values)
    attrs = frame_text(gdf.drop(columns=gdf.geometry.name))
    kinds = shapely.get_type_id(geom)
    ok = (kinds == 0) & ~shapely.is_empty(geom)
    x = np.full(len(geom), np.nan)
    y = np.full(len(geom), np.nan)
    x[ok] = shapely.get_x(geom[ok])
    y[ok] = shapely.get_y(geom[ok])
    crs = gdf.crs.to_string() if gdf.crs is not None else None
    return TableData(df=attrs, rows=np.arange(1, len(attrs) + 1, dtype=np.int64),
                     info={}, point_xy=(x, y), point_crs=crs)
