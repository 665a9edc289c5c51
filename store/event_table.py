"""The event table (事件列表) and its CSV export: server-side filter, sort and paging over
millions of rows, personal data masked.

Rows come from :func:`store.event_rows.event_rows_cte` (one definition of due time,
warning and the masked reporter, shared with the event card and the warning lists). Why it
stays fast at millions of rows: the window is a filter on ``reported_at`` (events are
stored sorted by it, so DuckDB skips every block outside), and a page is read in two steps —
first the page's rowids (on ``events`` alone: DuckDB prunes every column the query does not
use, so no masking runs), then the full rows of just those rowids through the CTE.

Sort keys are a whitelist (``-`` prefix = descending; ties broken by storage order, or by
event_id when derived columns are involved, so pages never overlap). A deep page sorted by
a timestamp or a column with few distinct values never sorts the window: it is found from
the per-day / per-value counts. CSV cells that a spreadsheet would run as a formula (starting with
``= + - @``, tab or carriage return) get a leading apostrophe.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Iterator

import pandas as pd

from store import metrics as m
from store.analysis_filters import FilterError, Filters, department_sql, keyword_sql
from store.db import ReadStore
from store.event_rows import event_rows_cte, open_sql
from store.settings import Settings

ROW_COLUMNS = ("event_id", "reported_at", "category", "channel", "township", "grid_id",
               "grid_name", "address", "department", "status", "accepted_at", "dispatched_at",
               "closed_at", "due_at", "warning", "reporter_name", "reporter_phone")
TIME_COLUMNS = ("reported_at", "accepted_at", "dispatched_at", "closed_at", "due_at")
HEADERS_ZH = {"event_id": "事件编号", "reported_at": "上报时间", "category": "事件类别",
              "channel": "上报渠道", "township": "镇街", "grid_id": "网格编号",
              "grid_name": "网格", "address": "地址", "department": "承办部门",
              "status": "状态", "accepted_at": "受理时间", "dispatched_at": "流转时间",
              "closed_at": "办结时间", "due_at": "应办结时间", "warning": "预警",
              "reporter_name": "上报人", "reporter_phone": "联系电话"}
# sort key → SQL expression on ev (township and grid sort by code: the administrative
# order; warning by urgency, ascending: red before yellow before none — the order a duty
# officer wants first, and a header's first click sorts ascending)
SORTS = {"event_id": "event_id", "reported_at": "reported_at", "category": "category",
         "channel": "channel", "township": "township_code", "grid_id": "grid_id",
         "grid_name": "grid_id", "address": "address", "department": "department",
         "status": "status", "accepted_at": "accepted_at", "dispatched_at": "dispatched_at",
         "closed_at": "closed_at", "due_at": "due_at",
         "warning": "CASE warning WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 ELSE 2 END"}
DEFAULT_SORT = "-reported_at"
MAX_PAGE_SIZE = 10_000
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SELECT = ", ".join(f"{'township_name AS township' if c == 'township' else c}"
                   for c in ROW_COLUMNS)


@dataclass(frozen=True)
class Page:
    sort: str = DEFAULT_SORT
    page: int = 1
    page_size: int = 50


def parse_sort(text: str | None) -> str:
    text = (text or DEFAULT_SORT).strip()
    key = text[1:] if text.startswith(("-", "+")) else text
    if key not in SORTS:
        raise FilterError(f"bad sort {text!r}: use [-]one of {', '.join(SORTS)}")
    return text.lstrip("+")


def parse_page(args) -> Page:
    def _int(name: str, default: int, lo: int, hi: int) -> int:
        raw = args.get(name)
        if raw in (None, ""):
            return default
        try:
            v = int(raw)
        except (TypeError, ValueError) as exc:
            raise FilterError(f"bad {name} {raw!r}: a whole number") from exc
        if not lo <= v <= hi:
            raise FilterError(f"bad {name} {v}: between {lo} and {hi}")
        return v

    return Page(sort=parse_sort(args.get("sort")), page=_int("page", 1, 1, 10_000_000),
                page_size=_int("page_size", 50, 1, MAX_PAGE_SIZE))


def parse_scope(store: ReadStore, text: str | None) -> m.Scope:
    """``scope`` of /api/metrics (county | township:<code|name> | village: | grid:<id>)."""
    return m.parse_scope(store, text)


RAW_SORTS = {"event_id": "event_id", "reported_at": "reported_at", "category": "category",
             "channel": "channel", "township": "township_code", "grid_id": "grid_id",
             "grid_name": "grid_id", "address": "address", "department": "department",
             "status": "status", "accepted_at": "accepted_at",
             "dispatched_at": "dispatched_at", "closed_at": "closed_at"}


def where(f: Filters, scope: m.Scope = m.Scope(), *, raw: bool = False,
          keywords: bool = True) -> tuple[str, list]:
    """WHERE for the filters (window first: it prunes the scan). On ``ev`` by default;
    ``raw=True`` on the events table itself (only when no warning / open filter).
    ``keywords=False`` leaves ``q`` out, for a caller that gives it to event_rows_cte's
    ``where`` (the stored texts, before every open case is masked)."""
    sql = ["reported_at >= ?::TIMESTAMP", "reported_at < ?::TIMESTAMP"]
    params: list = [dt.datetime.combine(f.start, dt.time()), dt.datetime.combine(f.end, dt.time())]
    for col, value in (("township_code", f.township), ("grid_id", f.grid),
                       ("category", f.category), ("channel", f.channel),
                       ("warning", f.warning)):
        if value:
            if raw and col == "warning":
                raise ValueError("a warning filter needs ev")
            sql.append(f"{col} = ?")
            params.append(value)
    if f.department:
        d_sql, d_params = department_sql(f.department)
        sql.append(d_sql)
        params += d_params
    if f.status == "open":
        if raw:
            raise ValueError("status open needs ev")
        sql.append("is_open")
    elif f.status:
        sql.append("status = ?")
        params.append(f.status)
    if f.q and keywords:
        k_sql, k_params = keyword_sql(f.q)
        sql.append(k_sql)
        params += k_params
    s_sql, s_params = scope.where()
    if s_sql != "TRUE":
        sql.append(s_sql)
        params += s_params
    return " AND ".join(sql), params


def order_by(sort: str, *, raw: bool = False, tie: str = "event_id",
             reverse: bool = False) -> str:
    """ORDER BY for ``sort`` (NULLs last, ties by ``tie``); ``reverse``: the exact mirror
    (the same rows read from the end), for pages past the middle."""
    desc = sort.startswith("-") != reverse
    key = sort.lstrip("-")
    direction = "DESC" if desc else "ASC"
    nulls = "FIRST" if reverse else "LAST"
    expr = (RAW_SORTS.get(key, "reported_at") if raw else SORTS[key])   # raw due_at: see raw_path
    return f"{expr} {direction} NULLS {nulls}, {tie} {direction}"


def _window(total: int, offset: int, size: int) -> tuple[bool, int, int]:
    """``(reverse, limit, offset)`` to read rows ``[offset, offset + size)`` of ``total``:
    a page past the middle is read from the end, in the mirrored order, and turned round
    (a top-N keeps offset + limit rows: the last page of a year sorted by address kept
    all million, 3 s; from the end it keeps one page)."""
    size = max(0, min(size, total - offset))
    if offset > total - offset - size:
        return True, size, total - offset - size
    return False, size, offset


# A deep page (offset past DEEP_OFFSET) sorted by a few-valued column or a timestamp is
# found from per-bucket counts (a value, or a day) instead of a top-N over the window,
# whose cost grows with the offset; shallow pages use the top-N (cheaper than grouping).
DEEP_OFFSET = 2000
GROUPED = ("category", "channel", "township", "grid_id", "grid_name", "department", "status")
TIMED = ("reported_at", "accepted_at", "dispatched_at", "closed_at")


def _bucket_positions(q, w_sql: str, w_params: list, page: Page, offset: int) -> list[int]:
    """rowids of a page, in the order of ``ORDER BY col, rowid`` (NULLs last), without
    sorting the window: count rows per bucket (a value of a few-valued column, or a day of
    a timestamp), walk the counts to the buckets the page covers, then order just those
    buckets' rows. A deep page costs one bucket's sort, not the window's."""
    desc = page.sort.startswith("-")
    col = RAW_SORTS.get(page.sort.lstrip("-"), "reported_at")   # raw due_at: reported_at
    timed = col in TIMED
    direction = "DESC" if desc else "ASC"
    bucket = f"CAST({col} AS DATE)" if timed else col
    groups = q(f"SELECT {bucket} AS b, count(*) FROM events WHERE {w_sql} GROUP BY 1"
               f" ORDER BY 1 {direction} NULLS LAST", w_params)
    out: list[int] = []
    start, need = offset, page.page_size
    for value, n in groups:
        if need <= 0:
            break
        if start >= n:
            start -= n
            continue
        if value is None:
            cond, params, order = f"{col} IS NULL", [], f"rowid {direction}"
        elif timed:
            day = dt.datetime.combine(value, dt.time())
            cond, params = f"{col} >= ? AND {col} < ?", [day, day + dt.timedelta(days=1)]
            order = f"{col} {direction}, rowid {direction}"
        else:
            cond, params, order = f"{col} = ?", [value], f"rowid {direction}"
        got = q(f"SELECT rowid FROM events WHERE {w_sql} AND {cond} ORDER BY {order}"
                " LIMIT ? OFFSET ?", [*w_params, *params, min(need, n - start), start])
        out += [r[0] for r in got]
        need -= len(got)
        start = 0
    return out


WARNING_BUCKETS = ("red", "yellow", None)     # the warning sort's ascending order


def warning_path(f: Filters, sort: str) -> bool:
    """Whether a page sorted by warning is found bucket by bucket (:func:`_warning_found`):
    not with a warning or open filter, whose rows are all open (the plain ``ev`` read)."""
    return sort.lstrip("-") == "warning" and not f.warning and f.status != "open"


def _warning_found(q, settings: Settings, f: Filters, scope: m.Scope, page: Page,
                   offset: int, total: int) -> list[tuple]:
    """``(event_id, reported_at)`` of a page sorted by warning (red, yellow, none; ties by
    event_id, both the other way round for ``-warning``), without sorting the window
    through ``ev``: a warning exists only on an open case, so red and yellow are counted and
    paged among the window's open cases (ev with ``open_only``), and the rest are the
    window's cases that are not open (``events`` alone, no join) plus the open ones without
    a warning. A shallow page reads each bucket from its top and counts them only to skip
    one whole; a deep one (past DEEP_OFFSET or the list's middle) counts them and reads past
    a bucket's middle from its end. A year of 10 M events: 1.1-1.3 s CPU → ~0.35 s for the first page."""
    desc = page.sort.startswith("-")
    k_sql, k_params = keyword_sql(f.q)      # on the stored texts, as the plain ev read
    cte, params = event_rows_cte(settings, f.as_of, open_only=True, where=k_sql,
                                 where_params=k_params)
    w_sql, w_params = where(f, scope, keywords=False)
    r_sql, r_params = where(f, scope, raw=True)
    sizes: dict = {}

    def size(value) -> int:
        """A bucket's size (all three counted at once, and only when a page needs them)."""
        if not sizes:
            n_red, n_yellow = q(f"WITH {cte} SELECT count(*) FILTER (WHERE warning = 'red'),"
                                f" count(*) FILTER (WHERE warning = 'yellow') FROM ev"
                                f" WHERE {w_sql}", [*params, *w_params])[0]
            sizes.update({"red": n_red, "yellow": n_yellow, None: total - n_red - n_yellow})
        return sizes[value]

    out: list[tuple] = []
    start, need = offset, page.page_size
    deep = offset >= DEEP_OFFSET or _window(total, offset, need)[0]   # or past the middle
    for value in (WARNING_BUCKETS[::-1] if desc else WARNING_BUCKETS):
        if need <= 0:
            break
        if deep:       # read from the bucket's end past its middle (no top-N of the list)
            n = size(value)
            if start >= n:
                start -= n
                continue
            rev, lim, off = _window(n, start, need)
        else:       # a shallow one: each bucket from its top, sized only when skipped whole
            rev, lim, off = False, need, start
        direction = "DESC" if desc != rev else "ASC"
        if value is None:
            sql = (f"WITH {cte}, ev_calm AS ("
                   f"SELECT event_id, reported_at FROM events WHERE {r_sql}"
                   f" AND NOT ({open_sql()}) UNION ALL"
                   f" SELECT event_id, reported_at FROM ev WHERE {w_sql} AND warning IS NULL)"
                   f" SELECT event_id, reported_at FROM ev_calm ORDER BY event_id {direction}"
                   " LIMIT ? OFFSET ?")
            sql_params = [*params, *r_params, f.as_of, f.as_of, *w_params]
        else:
            sql = (f"WITH {cte} SELECT event_id, reported_at FROM ev WHERE {w_sql}"
                   f" AND warning = ? ORDER BY event_id {direction} LIMIT ? OFFSET ?")
            sql_params = [*params, *w_params, value]
        got = q(sql, [*sql_params, lim, off])
        if not got and start and not rev:       # the page starts past this bucket
            start -= min(start, size(value))
            continue
        out += got[::-1] if rev else got
        need -= len(got)
        start = 0
    return out


def raw_path(settings: Settings, f: Filters, sort: str) -> bool:
    """Whether the page's ids can be found on ``events`` alone (no derived column used).
    ``due_at`` orders like ``reported_at`` when no category has its own close_h."""
    key = sort.lstrip("-")
    if f.warning or f.status == "open":
        return False
    return key in RAW_SORTS or (key == "due_at" and not settings.category_limits())


def _iso(v) -> str | None:
    if v is None or v is pd.NaT or (isinstance(v, float) and v != v):
        return None
    if hasattr(v, "to_pydatetime"):
        v = v.to_pydatetime()
    return v.isoformat(sep="T") if isinstance(v, (dt.datetime, dt.date)) else str(v)


def _records(df: pd.DataFrame) -> list[dict]:
    out = []
    for rec in df.to_dict("records"):
        row = {}
        for c in ROW_COLUMNS:
            v = rec.get(c)
            if c in TIME_COLUMNS:
                row[c] = _iso(v)
            else:
                row[c] = None if v is None or (isinstance(v, float) and v != v) else v
        out.append(row)
    return out


def _pick_by_id(found: list[tuple]) -> tuple[str, list, str, dict]:
    """The CTE that narrows ``events`` to the page's rows ``(event_id, reported_at)``: by
    id among the report times they have (blocks skipped), with each id's place."""
    ids = [r[0] for r in found]
    times = sorted({r[1] for r in found})
    pick = ("events AS (SELECT *, event_id AS gw_rowid FROM main.events"
            " WHERE reported_at IN (SELECT unnest(?::TIMESTAMP[]))"
            " AND event_id IN (SELECT unnest(?::VARCHAR[])))")
    return pick, [times, ids], "gw_rowid", {e: i for i, e in enumerate(ids)}


def event_page(
    store: ReadStore,
    settings: Settings,
    f: Filters,
    page: Page = Page(),
    scope: m.Scope = m.Scope(),
    *,
    raw: bool = False,
) -> dict:
    """``{"total", "invalid", "page", "page_size", "sort", "rows": [...]}`` (rows:
    ROW_COLUMNS, timestamps ISO, reporter masked unless ``raw``: admin only, the caller
    audits). Every event of the filters is listed, invalid ones too (status invalid),
    unless ``status`` says otherwise; ``invalid`` says how many of ``total`` are invalid
    (the page's charts count valid events only and say so beside this total).

    Two paths, same answer: without a warning / open filter or a derived sort key, the
    count and the page's positions come from ``events`` alone (rowids; by per-day or
    per-value counts for timestamps and few-valued columns, a top-N otherwise); else from
    ``ev`` with ``open_only`` when the filter implies open events. Either way only the
    page's rows then go through ``event_rows_cte`` (joins, due time, masking). One cursor
    for all of it: a load published meanwhile cannot mix two files' rowids.
    """
    offset = (page.page - 1) * page.page_size
    with store.cursor() as cur:
        def q(sql: str, params: list) -> list[tuple]:
            return cur.execute(sql, params).fetchall()

        if raw_path(settings, f, page.sort):
            w_sql, w_params = where(f, scope, raw=True)
            total, invalid = q(f"SELECT count(*), count(*) FILTER (WHERE status = 'invalid')"
                               f" FROM events WHERE {w_sql}", w_params)[0]
            rowids: list[int] = []
            if offset < total:
                key = page.sort.lstrip("-")
                if offset >= DEEP_OFFSET and (
                        key in GROUPED or RAW_SORTS.get(key, "reported_at") in TIMED):
                    rowids = _bucket_positions(q, w_sql, w_params, page, offset)
                else:
                    rev, lim, off = _window(total, offset, page.page_size)
                    rowids = [r[0] for r in q(
                        f"SELECT rowid FROM events WHERE {w_sql}"
                        f" ORDER BY {order_by(page.sort, raw=True, tie='rowid', reverse=rev)}"
                        " LIMIT ? OFFSET ?", [*w_params, lim, off])]
                    rowids = rowids[::-1] if rev else rowids
            # the page's rows only: `events` narrowed to them shadows the table in the CTE
            pick = ("events AS (SELECT *, rowid AS gw_rowid FROM main.events WHERE rowid"
                    " BETWEEN ? AND ? AND rowid IN (SELECT unnest(?::BIGINT[])))")
            pick_params: list = [min(rowids, default=0), max(rowids, default=0), rowids]
            rank_col, rank = "gw_rowid", {r: i for i, r in enumerate(rowids)}
        elif warning_path(f, page.sort):
            r_sql, r_params = where(f, scope, raw=True)
            total, invalid = q(f"SELECT count(*), count(*) FILTER (WHERE status = 'invalid')"
                               f" FROM events WHERE {r_sql}", r_params)[0]
            found = (_warning_found(q, settings, f, scope, page, offset, total)
                     if offset < total else [])
            pick, pick_params, rank_col, rank = _pick_by_id(found)
        else:
            open_only = bool(f.warning) or f.status == "open"
            k_sql, k_params = keyword_sql(f.q)      # on the stored texts (event_rows_cte)
            cte, params = event_rows_cte(settings, f.as_of, open_only=open_only, where=k_sql,
                                         where_params=k_params)
            w_sql, w_params = where(f, scope, keywords=False)
            total, invalid = q(f"WITH {cte} SELECT count(*), count(*) FILTER"
                               f" (WHERE status = 'invalid') FROM ev WHERE {w_sql}",
                               [*params, *w_params])[0]
            found = []
            if offset < total:
                rev, lim, off = _window(total, offset, page.page_size)
                found = q(f"WITH {cte} SELECT event_id, reported_at FROM ev WHERE {w_sql}"
                          f" ORDER BY {order_by(page.sort, reverse=rev)} LIMIT ? OFFSET ?",
                          [*params, *w_params, lim, off])
                found = found[::-1] if rev else found
            pick, pick_params, rank_col, rank = _pick_by_id(found)
        rows: list[dict] = []
        if rank:
            cte, params = event_rows_cte(settings, f.as_of, raw=raw)
            cur.execute(f"WITH {pick}, {cte} SELECT {SELECT}, {rank_col} FROM ev",
                        [*pick_params, *params])
            df = cur.df()
            df = df.iloc[sorted(range(len(df)), key=lambda i: rank[df[rank_col].iat[i]])]
            rows = _records(df)
    return {"total": int(total), "invalid": int(invalid), "page": page.page,
            "page_size": page.page_size, "sort": page.sort, "rows": rows}


# --- CSV ------------------------------------------------------------------------------------

def neutralise(value) -> str:
    """A CSV cell as text; one a spreadsheet would evaluate gets a leading apostrophe."""
    if value is None:
        return ""
    text = _iso(value) if isinstance(value, (dt.datetime, dt.date, pd.Timestamp)) else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def neutralise_sql(expr: str) -> str:
    """DuckDB twin of :func:`neutralise` for a text expression (the export runs it in SQL so
    Python only joins cells; tests hold the twins to the same output)."""
    t = f"CAST({expr} AS VARCHAR)"
    return (f"CASE WHEN {expr} IS NULL THEN '' WHEN left({t}, 1) IN ('=', '+', '-', '@',"
            f" chr(9), chr(13)) THEN chr(39) || {t} ELSE {t} END")


def _csv_select() -> str:
    """The export's cells. Each is named ``csv_<column>``, never the column's own name: in
    DuckDB an ORDER BY name means the SELECT's alias first, so ``AS address`` sorted the
    export by its cells (NULL as '' first, a formula by its apostrophe) where the list and
    ClickHouse sort by the stored values, NULLs last."""
    cols = []
    for c in ROW_COLUMNS:
        src = "township_name" if c == "township" else c
        if c in TIME_COLUMNS:
            cols.append(f"coalesce(strftime({src}, '%Y-%m-%dT%H:%M:%S'), '') AS csv_{c}")
        else:
            cols.append(f"{neutralise_sql(src)} AS csv_{c}")
    return ", ".join(cols)


def csv_lines(
    store: ReadStore,
    settings: Settings,
    f: Filters,
    sort: str = DEFAULT_SORT,
    scope: m.Scope = m.Scope(),
    *,
    header: str = "keys",
    batch_rows: int = 5000,
    raw: bool = False,
) -> Iterator[bytes]:
    """The filtered events as CSV bytes, batch by batch: a UTF-8 BOM (so Excel reads the
    Chinese), a header (``keys``: the JSON field names; ``zh``: Chinese labels), rows.
    Masking (event_rows_cte; ``raw`` for admin only) and neutralising
    (:func:`neutralise_sql`) run in DuckDB.

    The cursor is held while the file streams (a load published meanwhile waits for it).
    """
    # the keywords on the stored rows, before the join and the masking, as the list does:
    # on ev's texts they masked every row of the window twice, and ev's reporter columns
    # are masked, so the search could not tell which name in a text is the reporter's
    k_sql, k_params = keyword_sql(f.q)
    cte, params = event_rows_cte(settings, f.as_of, raw=raw, where=k_sql, where_params=k_params)
    w_sql, w_params = where(f, scope, keywords=False)
    sql = f"WITH {cte} SELECT {_csv_select()} FROM ev WHERE {w_sql} ORDER BY {order_by(sort)}"
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([HEADERS_ZH[c] if header == "zh" else c for c in ROW_COLUMNS])
    yield "\ufeff".encode("utf-8") + buf.getvalue().encode("utf-8")
    with store.cursor() as cur:
        cur.execute(sql, [*params, *w_params])
        while True:
            batch = cur.fetchmany(batch_rows)
            if not batch:
                break
            buf = io.StringIO()
            csv.writer(buf, lineterminator="\r\n").writerows(batch)
            yield buf.getvalue().encode("utf-8")
