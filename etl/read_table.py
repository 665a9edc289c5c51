"""Read a table file (CSV, XLSX, Parquet, GeoJSON points) into strings, one column per header.

Everything is read as text first, so a bad value becomes a rejected row later instead of a
crash now. A file that cannot be read at all raises LoadError naming the file.

Events files can be far larger than memory (a city's hotline: millions of rows), so for
them ``read_table`` only reads the header and returns a TableStream; its ``batches()``
yields the rows in bounded slices (pyarrow's streaming CSV reader, Parquet row groups, XLSX
rows). Small sources (cameras, mediation) are read whole.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from etl.config import SourceConfig
from etl.errors import LoadError, config_error

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
    hint: str = ""              # appended to a missing-columns message (other XLSX sheets)
    # position in this slice -> (the row's text, its field count) for CSV rows whose field
    # count is not the header's: each is a malformed_row reject (etl/rejects.py)
    malformed: dict[int, tuple[str, int]] = field(default_factory=dict)

    @property
    def headers(self) -> list[str]:
        return [str(c) for c in self.df.columns]


BATCH_ROWS = 64_000           # rows per slice of a streamed source (~150 MB of work)


class EncodingRetry(Exception):
    """Raised mid-stream when a file guessed as UTF-8 turns out not to be: read it again
    as GB18030 (the caller drops what it staged from the first attempt)."""


@dataclass
class TableStream(TableData):
    """A table read in slices: ``df`` holds only the headers (no rows); ``batches()`` yields
    TableData slices whose ``rows`` continue the source's 1-based data row numbers."""

    opener: Callable[[int], Iterator[TableData]] | None = None
    guessed: bool = False          # encoding guessed from the first megabyte

    def retry_as(self, encoding: str) -> None:
        """After EncodingRetry: read again in ``encoding`` (no more guessing)."""
        self.info["encoding"] = encoding
        self.guessed = False

    def batches(self, rows: int = BATCH_ROWS) -> Iterator[TableData]:
        assert self.opener is not None
        yield from self.opener(rows)




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
    if src.file.is_dir():
        raise LoadError(f"{src.path}: is a folder, not a file ({src.file})")
    if not src.file.is_file():
        raise LoadError(f"{src.path}: file not found ({src.file})")
    fmt = table_format(src)
    if src.kind == "events":
        reader = {"csv": _stream_csv, "xlsx": _stream_xlsx, "parquet": _stream_parquet}[fmt]
    else:
        reader = {"csv": _read_csv, "xlsx": _read_xlsx, "parquet": _read_parquet,
                  "geojson": _read_geojson_points}[fmt]
    data = reader(src)
    data.info["format"] = fmt
    if not data.headers or all(h == "" for h in data.headers):
        raise LoadError(f"{src.path}: no header row found")
    return data


# --- CSV -------------------------------------------------------------------------------
def read_whole(stream: TableStream) -> TableData:
    """All rows of a stream in one TableData (for the small sources)."""
    while True:
        try:
            parts = list(stream.batches(1 << 62))
            break
        except EncodingRetry:
            stream.retry_as("gb18030")
    if not parts:
        return TableData(df=stream.df, rows=stream.rows, info=stream.info, hint=stream.hint)
    return TableData(df=parts[0].df, rows=parts[0].rows, info=stream.info, hint=stream.hint,
                     malformed=parts[0].malformed)


def _read_csv(src: SourceConfig) -> TableData:
    return read_whole(_stream_csv(src))


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


SAMPLE = 1 << 20          # bytes read up front: encoding guess, header, delimiter
CSV_BLOCK = 1 << 22       # pyarrow's block: no row may be longer


def _is_utf8(enc: str) -> bool:
    return enc.lower().replace("_", "-") in ("utf-8", "utf8", "utf-8-sig")


def _guess_encoding(src: SourceConfig, sample: bytes, whole: bool) -> tuple[str, bool]:
    """(encoding, guessed): declared, else a BOM, else UTF-8 if the first megabyte is valid
    UTF-8 (guessed: confirmed while streaming), else GB18030 (a superset of GBK)."""
    import codecs

    if src.encoding:
        return src.encoding, False
    if sample.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig", False
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16", False
    # a header line with Chinese in valid UTF-8 settles it: a bad byte further on is a
    # broken UTF-8 file (named with its byte offset), never re-read as GB18030 mojibake
    first = sample.split(b"\n", 1)[0]
    sure = any(b >= 0x80 for b in first)
    try:
        codecs.getincrementaldecoder("utf-8")("strict").decode(sample, final=whole)
        return "utf-8", not sure
    except UnicodeDecodeError as exc:
        if sure and exc.start > len(first):
            return "utf-8", False
        return "gb18030", True


def _file_invalid_at(path, encoding: str) -> int | None:
    """Byte offset of the first undecodable byte of a file, read in 16 MB steps."""
    import codecs

    dec = codecs.getincrementaldecoder(encoding)("strict")
    pos = 0
    with open(path, "rb") as fh:
        while True:
            chunk = fh.read(1 << 24)
            try:
                dec.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                return pos + exc.start
            if not chunk:
                return None
            pos += len(chunk)


def _csv_header(src: SourceConfig, sample: bytes, enc: str) -> tuple[list[str], str]:
    text = sample[:65536 if not enc.lower().startswith("utf-16") else 131072]
    head = text.decode(enc if not _is_utf8(enc) else "utf-8", errors="ignore").lstrip("\ufeff")
    first_line = head.splitlines()[0] if head.strip() else ""
    if not first_line.strip():
        raise LoadError(f"{src.path}: the file is empty or its first line is blank")
    delim = max([",", "\t", ";", "|"], key=first_line.count)
    if first_line.count(delim) == 0:
        delim = ","
    try:
        # newline="": a header ended by a lone CR (Excel for Mac's CSV) is a line too
        header = next(csv.reader(io.StringIO(head, newline=""), delimiter=delim))
    except (csv.Error, StopIteration) as exc:
        raise LoadError(f"{src.path}: cannot read the header row ({exc})") from None
    return _unique_headers(header), delim


def _stream_csv(src: SourceConfig) -> TableStream:
    """Header now; rows later, in slices, from pyarrow's streaming CSV reader (the whole file
    is never in memory, nor a second UTF-8 copy of it)."""
    size = src.file.stat().st_size
    with src.file.open("rb") as fh:
        sample = fh.read(SAMPLE)
    from etl.sniff import not_text

    what = not_text(sample, src.encoding)
    if what:
        raise LoadError(f"{src.path}: not a text file: it looks like {what}")
    enc, guessed = _guess_encoding(src, sample, whole=len(sample) >= size)
    if guessed and enc == "gb18030":
        from etl.sniff import big5_suspect

        seen = big5_suspect(sample)
        if seen:
            raise LoadError(f"{src.path}: read as GB18030 the text is garbled ({seen[0]!r}); "
                            f"it reads as Big5 ({seen[1]!r}): declare encoding = \"big5\" "
                            "(or the file's encoding) in the load config")
    if not guessed:
        import codecs

        try:
            codecs.getincrementaldecoder("utf-8-sig" if _is_utf8(enc) else enc)(
                "strict").decode(sample, final=len(sample) >= size)
        except UnicodeDecodeError as exc:
            raise LoadError(f"{src.path}: not valid {enc} text at byte {exc.start} "
                            "(wrong encoding?)") from None
    names, delim = _csv_header(src, sample, enc)
    stream = TableStream(df=_empty_frame(names), rows=np.zeros(0, dtype=np.int64),
                         info={"encoding": enc, "delimiter": delim})
    stream.guessed = guessed
    stream.opener = lambda rows: _csv_batches(src, stream, names, delim, rows)
    return stream


def _csv_error(src: SourceConfig, stream: TableStream, exc: BaseException) -> Exception:
    enc = stream.info["encoding"]
    msg = str(exc).split("\n")[0]
    if _is_utf8(enc):
        err = _file_invalid_at(src.file, "utf-8")
        if err is not None:
            if stream.guessed:
                return EncodingRetry(enc)
            return LoadError(f"{src.path}: not valid {enc} text at byte {err} "
                             "(wrong encoding?)")
    elif isinstance(exc, UnicodeError) or "decode" in msg.lower():
        if stream.guessed:
            return LoadError(f"{src.path}: cannot decode the file as UTF-8 or GB18030; "
                             "set encoding = \"...\" in the load config")
        return LoadError(f"{src.path}: not valid {enc} text ({msg}; wrong encoding?)")
    if "straddles two block boundaries" in msg:
        return LoadError(f"{src.path}: not a readable CSV file: a row is longer than "
                         f"{CSV_BLOCK >> 20} MB (a quote opened and never closed, or one "
                         "enormous cell)")
    return LoadError(f"{src.path}: not a readable CSV file: {msg}")


def _csv_batches(src: SourceConfig, stream: TableStream, names: list[str], delim: str,
                 rows: int) -> Iterator[TableData]:
    import pyarrow.csv as pacsv

    enc = stream.info["encoding"]
    start, pending, n = 1, [], 0
    try:
        reader = pacsv.open_csv(
            src.file,
            read_options=pacsv.ReadOptions(
                column_names=names, skip_rows=1, block_size=CSV_BLOCK,
                encoding="utf8" if _is_utf8(enc) else enc),
            parse_options=pacsv.ParseOptions(delimiter=delim, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=False, quoted_strings_can_be_null=False))
        for batch in reader:
            pending.append(batch)
            n += batch.num_rows
            if n >= rows:
                yield _slice(pa.Table.from_batches(pending), start)
                start, pending, n = start + n, [], 0
    except (pa.ArrowException, UnicodeError, ValueError) as exc:
        if "Empty CSV file" in str(exc):
            return
        if not _FIELD_COUNT.search(str(exc)):
            raise _csv_error(src, stream, exc) from None
        # a row of the wrong length: pyarrow stops the whole file at it, so the rows not yet
        # handed on (from ``start``) are read again by Python's csv, row by row
        try:
            yield from _csv_rows_by_python(src, stream, names, delim, rows, start)
        except (UnicodeError, csv.Error) as exc2:
            raise _csv_error(src, stream, exc2) from None
        return
    if n:
        yield _slice(pa.Table.from_batches(pending), start)


_FIELD_COUNT = re.compile(r"Expected \d+ columns, got \d+")


def _csv_rows_by_python(src: SourceConfig, stream: TableStream, names: list[str], delim: str,
                        rows: int, start: int) -> Iterator[TableData]:
    """Data rows ``start`` on, read by Python's csv module: the slow path for a file with
    rows whose field count is not the header's. Such a row becomes a ``malformed_row`` reject
    with its text (docs/etl.md: the rest loads); extra fields that are all empty at a
    row's end are dropped (Excel writes them). Numbering follows pyarrow's: blank lines are
    not rows. Stops the load when a quote left open swallows the lines after it, or when
    nearly every row of a slice is the wrong length (a wrong delimiter: etl.errors)."""
    enc = stream.info["encoding"]
    width = len(names)
    csv.field_size_limit(CSV_BLOCK)
    with open(src.file, encoding="utf-8-sig" if _is_utf8(enc) else enc, newline="") as f:
        reader = csv.reader(f, delimiter=delim)
        next(reader, None)                                    # the header
        cells: list[list[str]] = []
        numbers: list[int] = []
        bad: dict[int, tuple[str, int]] = {}
        i = 0
        for rec in reader:
            if not rec:
                continue                                      # a blank line is not a row
            i += 1
            if i < start:
                continue
            if len(rec) > width and not any(rec[width:]):
                rec = rec[:width]
            if len(rec) != width:
                if len(rec) < width and any("\n" in c or "\r" in c for c in rec):
                    raise LoadError(
                        f"{src.path}: row {i}: a quote opened and never closed runs over the "
                        f"lines after it ({len(rec)} of {width} fields); fix the quote")
                bad[len(cells)] = (_row_text(rec, delim), len(rec))
                rec = (rec + [""] * width)[:width]
            cells.append(rec)
            numbers.append(i)
            if len(cells) >= rows:
                yield _rows_slice(src, names, cells, numbers, bad)
                cells, numbers, bad = [], [], {}
        if cells:
            yield _rows_slice(src, names, cells, numbers, bad)


def _row_text(rec: list[str], delim: str) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delim, lineterminator="").writerow(rec)
    return out.getvalue()


def _rows_slice(src: SourceConfig, names: list[str], cells: list[list[str]],
                numbers: list[int], bad: dict[int, tuple[str, int]]) -> TableData:
    if config_error(len(bad), len(cells)):
        pos = min(bad)
        raise LoadError(
            f"{src.path}: {len(bad):,} of {len(cells):,} rows do not have the header's "
            f"{len(names)} fields (e.g. row {numbers[pos]}: {bad[pos][1]} fields): are the "
            "rows split by another delimiter than the header, or quoted differently?")
    df = pd.DataFrame({n: pd.Series([r[k] for r in cells], dtype=STR)
                       for k, n in enumerate(names)})
    return TableData(df=df, rows=np.asarray(numbers, dtype=np.int64), malformed=bad)


def _slice(table: pa.Table, start: int) -> TableData:
    df = _arrow_to_frame(table)
    return TableData(df=df, rows=np.arange(start, start + len(df), dtype=np.int64))


def _empty_frame(names: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype=STR) for c in names})


def _arrow_to_frame(table: pa.Table) -> pd.DataFrame:
    cols = {}
    for name, col in zip(table.column_names, table.columns):
        col = pc.fill_null(col, "")
        if col.type != pa.string():
            col = col.cast(pa.string())
        cols[name] = pd.Series(pd.arrays.ArrowStringArray(col), dtype=STR)
    return pd.DataFrame(cols)


# --- XLSX ------------------------------------------------------------------------------
# Integral floats up to 2^53 are exact and print as integers (a 16-digit code typed as a
# number); past it the last digits are lost, and they print in scientific notation, which
# the loaders refuse for a code (etl.sources.refuse_lost_digits)
EXACT_FLOAT_INT = 2 ** 53


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
        return str(int(v)) if v.is_integer() and abs(v) <= EXACT_FLOAT_INT else repr(v)
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


def _open_sheet(src: SourceConfig):
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = openpyxl.load_workbook(src.file, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise LoadError(f"{src.path}: not a readable XLSX workbook ({exc})") from None
    if src.sheet and src.sheet not in wb.sheetnames:
        wb.close()
        raise LoadError(f"{src.path}: no sheet {src.sheet!r}; sheets: "
                        f"{', '.join(wb.sheetnames)}")
    ws = wb[src.sheet] if src.sheet else wb.worksheets[0]
    ws.reset_dimensions()   # read-only mode trusts the declared size, which exports get wrong
    return wb, ws


def sheets_hint(src: SourceConfig, title: str, sheetnames: list[str]) -> str:
    """'; sheet 'Sheet1' was read; the workbook's other sheets: 事件 (name one with sheet =
    "...")' for a message about a workbook whose sheet was not named, else ''."""
    others = [n for n in sheetnames if n != title]
    if src.sheet or not others:
        return ""
    return (f"; sheet {title!r} was read, the workbook's other sheets are "
            f"{', '.join(others)}: name one with sheet = \"...\" in the load config")


def _xlsx_rows(ws):
    """(header, iterator of (data row number, texts)) of a sheet, empty rows skipped;
    formula cells without a cached value read as the formula's text."""
    from etl.xlsx_formulas import fill, formulas_without_value

    rows = fill(ws.iter_rows(values_only=True), formulas_without_value(ws))
    head_rows: list[tuple[int, list[str]]] = []
    for i, values in enumerate(rows, start=1):
        texts = [cell_text(v) for v in values]
        if any(texts):
            head_rows.append((i, texts))
        if len(head_rows) >= HEADER_SCAN:
            break
    header, header_row, pending = _pick_header(head_rows)

    def body():
        for i, texts in pending:
            yield i - header_row, texts
        for i, values in enumerate(rows, start=(head_rows[-1][0] + 1) if head_rows else 1):
            texts = [cell_text(v) for v in values]
            if any(texts):
                yield i - header_row, texts
    return header, body()


def _stream_xlsx(src: SourceConfig) -> TableStream:
    """Header now; rows later in slices (an Excel sheet holds at most 1,048,576 rows, but
    as Python objects even that is gigabytes)."""
    wb, ws = _open_sheet(src)
    try:
        header, _ = _xlsx_rows(ws)
        title = ws.title
        from etl.xlsx_formulas import cell_names, formulas_without_value

        formulas = cell_names(formulas_without_value(ws))
        hint = sheets_hint(src, title, wb.sheetnames)
    finally:
        wb.close()
    if header is None:
        raise LoadError(f"{src.path}: sheet {title!r} is empty{hint}")
    while header and header[-1] == "":
        header.pop()
    names = _unique_headers(header)
    stream = TableStream(df=_empty_frame(names), rows=np.zeros(0, dtype=np.int64),
                         info={"sheet": title})
    stream.hint = hint
    if formulas:    # named in the run report: file, sheet, cells
        stream.info["formulas_without_value"] = {"count": len(formulas), "cells": formulas[:50]}
    stream.opener = lambda rows: _xlsx_batches(src, stream, names, rows)
    return stream


def _xlsx_frame(names: list[str], data: list[list[str]]) -> pd.DataFrame:
    if not data:
        return _empty_frame(names)
    return pd.DataFrame({name: pd.Series([(r[j] if j < len(r) else "") for r in data],
                                         dtype=STR) for j, name in enumerate(names)})


def _xlsx_batches(src: SourceConfig, stream: TableStream, names: list[str],
                  rows: int) -> Iterator[TableData]:
    wb, ws = _open_sheet(src)
    n = len(names)
    try:
        _, body = _xlsx_rows(ws)
        data: list[list[str]] = []
        nums: list[int] = []
        for num, texts in body:
            if len(texts) > n and any(texts[n:]):
                stream.info["note"] = "cells right of the last header were ignored"
            data.append(texts)
            nums.append(num)
            if len(data) >= rows:
                yield TableData(df=_xlsx_frame(names, data), rows=np.asarray(nums, np.int64))
                data, nums = [], []
        if data:
            yield TableData(df=_xlsx_frame(names, data), rows=np.asarray(nums, np.int64))
    finally:
        wb.close()


def _read_xlsx(src: SourceConfig) -> TableData:
    return read_whole(_stream_xlsx(src))


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
        integral = pc.and_(pc.equal(pc.floor(col), col),
                           pc.less_equal(pc.abs(col), float(EXACT_FLOAT_INT)))
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


def _stream_parquet(src: SourceConfig) -> TableStream:
    import pyarrow.parquet as pq

    try:
        schema = pq.ParquetFile(src.file).schema_arrow
    except (pa.ArrowInvalid, OSError) as exc:
        raise LoadError(f"{src.path}: not a readable Parquet file ({exc})") from None
    names = _unique_headers([str(n) for n in schema.names])
    stream = TableStream(df=_empty_frame(names), rows=np.zeros(0, dtype=np.int64), info={})

    def batches(rows: int) -> Iterator[TableData]:
        start = 1
        try:
            for batch in pq.ParquetFile(src.file).iter_batches(batch_size=rows):
                cols = [arrow_column_text(pa.chunked_array([c])) for c in batch.columns]
                yield _slice(pa.table(cols, names=names), start)
                start += batch.num_rows
        except (pa.ArrowInvalid, OSError) as exc:
            raise LoadError(f"{src.path}: not a readable Parquet file ({exc})") from None
    stream.opener = batches
    return stream


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
        with warnings.catch_warnings():     # off stderr: the CLI prints one line
            warnings.simplefilter("ignore")
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
