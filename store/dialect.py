"""DuckDB SQL → ClickHouse SQL: every dialect difference gridwall meets, written down once.

The read modules write DuckDB SQL with ``?`` parameters (DuckDB is the embedded default and
the reference). The ClickHouse store runs the same text through :func:`translate` (sqlglot,
pinned in requirements.txt, ``read="duckdb", write=`` this module's dialect) and binds the
parameters as ClickHouse literals (:func:`literal`). Where a query cannot be translated, its
module keeps a ClickHouse variant beside the DuckDB one (``if store.engine == "clickhouse"``).

The differences, and what bridges each:

==========================================  ===============================================
DuckDB                                      ClickHouse
==========================================  ===============================================
every column nullable                       every published column ``Nullable(T)`` but
                                            the NOT NULL ones (:func:`ch_type`); sort keys
                                            too (``allow_nullable_key = 1``)
LEFT/FULL JOIN fills NULL                   ``join_use_nulls = 1`` (default fills 0 / '')
sum/max/min of no rows is NULL              ``aggregate_functions_null_for_empty = 1``
TIMESTAMP: naive local time, µs             ``DateTime64(6)`` read and written in UTC
                                            (``session_timezone = 'UTC'``) so the naive
                                            wall-clock value goes in and out unchanged
``CAST(x AS TIMESTAMP)``                    sqlglot says ``DateTime`` (seconds!): mapped to
                                            ``DateTime64(6)`` here
DATE                                        ``Date32``
``quantile_cont(x, q)``, ``median(x)``      ``quantileExactInclusive(q)(x)`` (linear
(linear interpolation)                      interpolation; ``quantile`` is approximate)
``quantile(x, q)`` = ``quantile_disc``      ``quantileExactLow(q)(x)``
``count(*) FILTER (WHERE c)``               kept: ClickHouse rewrites it to ``countIf(c)``
                                            (a NULL condition counts as false in both)
``date_diff('microsecond', a, b)``          ``dateDiff('microsecond', a, b)`` (DateTime64(6)
                                            keeps the microseconds)
``IS [NOT] DISTINCT FROM``                  kept (ClickHouse ≥ 24 has it)
a boolean result column                     comparisons give ``UInt8``: a boolean
                                            projection of the outermost SELECT is cast to
                                            ``Bool`` so pandas sees True/False
``?`` parameters                            bound as literals: strings escaped for
                                            ClickHouse (backslash and quote), datetimes as
                                            ``toDateTime64('…', 6)``, exact over Python's
                                            whole range (DateTime64 holds years 0000–9999
                                            since ClickHouse 26 (chdb-core 26.9), which a
                                            stored 1850 needs; ``datetime.min`` is an open
                                            bound), lists as arrays
``e.* EXCLUDE (…)``                         ``e.* EXCEPT (…)`` (sqlglot)
``main.events`` (DuckDB's default schema)   ``<database>.events``
``(VALUES (…), (…)) t(a, b)``               ``SELECT … UNION ALL SELECT …`` (the ``VALUES``
                                            table function reads a lone string as a schema)
BLOB (WKB geometry) and VARCHAR             both ``String``; results come as Arrow binary
                                            and each column is decoded as UTF-8 text when
                                            it is valid UTF-8, else left as bytes (WKB)
                                            (store/clickhouse.py)
``rowid`` (the event table's tie-break)     published with ``events`` as a hidden
                                            ``MATERIALIZED`` column holding the ledger's
                                            rowid (not in ``SELECT *``), so pages tie-break
                                            alike
``SELECT g.grid_id`` is named ``grid_id``   named ``g.grid_id``: an unaliased qualified
                                            column gets its bare name as alias
``e.*`` over a join names bare columns      ``e.category`` where names clash: ``e.*``
                                            becomes the explicit column list (the store
                                            passes its schema)
``sum(x) AS x … HAVING sum(x) > 0``         an alias shadows the column in ClickHouse:
                                            ``prefer_column_name_to_alias = 1``
``regexp_full_match(s, p)``                 ``match(s, concat('^(?:', p, ')$'))`` (both RE2)
``regexp_replace(s, p, r, 'g')``            ``replaceRegexpAll`` (without 'g': ``…One``)
``strftime(ts, '%H:%M')``                   ``formatDateTime(ts, '%H:%i')`` (%M is the
                                            month name in ClickHouse)
``ts + to_microseconds(n)``                 ``ts + toIntervalMicrosecond(n)`` (RENAMED)
``left/right/substr/length`` in characters  ``leftUTF8``, ``rightUTF8``, ``substringUTF8``,
                                            ``CHAR_LENGTH`` (the plain ones count bytes)
``lower/upper`` of every letter             ``lowerUTF8``, ``upperUTF8`` (the plain ones
                                            change ASCII letters only: the keyword search
                                            missed 'École' for 'école'). Both engines differ
                                            only where DuckDB's simple case map and ICU's
                                            do: 'İ' → 'i' / 'i̇', a word-final 'Σ' → 'σ' / 'ς';
                                            the keyword search folds those first
                                            (analysis_filters.fold_sql), alike on both
==========================================  ===============================================
"""
from __future__ import annotations

import datetime as dt
import decimal
import functools
import math
import re

import sqlglot
from sqlglot import exp
from sqlglot.dialects.clickhouse import ClickHouse
from sqlglot.generators.clickhouse import ClickHouseGenerator

# Settings every ClickHouse query runs with (the table above says why).
SETTINGS = {
    "join_use_nulls": 1,
    "aggregate_functions_null_for_empty": 1,
    "session_timezone": "UTC",
    "output_format_arrow_string_as_string": 0,
    "prefer_column_name_to_alias": 1,
}


def _percentile_cont(self, e: exp.PercentileCont) -> str:
    return f"quantileExactInclusive({self.sql(e, 'expression')})({self.sql(e, 'this')})"


def _median(self, e: exp.Median) -> str:
    return f"quantileExactInclusive(0.5)({self.sql(e, 'this')})"


def _regexp_full_match(self, e) -> str:
    # DuckDB matches the whole string; ClickHouse's match() finds the pattern anywhere
    pattern = self.func("concat", exp.Literal.string("^(?:"), e.expression,
                        exp.Literal.string(")$"))
    return self.func("match", e.this, pattern)


def _regexp_replace(self, e) -> str:
    mods = e.args.get("modifiers")
    every = mods is not None and "g" in mods.name
    name = "replaceRegexpAll" if every else "replaceRegexpOne"
    return self.func(name, e.this, e.expression, e.args.get("replacement"))


def _utf8(name: str):
    """DuckDB counts characters; ClickHouse's left/right/substring count bytes: use the
    *UTF8 functions (a Chinese character is three bytes)."""
    def sql(self, e) -> str:
        args = [e.this, e.args.get("expression") or e.args.get("start"), e.args.get("length")]
        return self.func(name, *[a for a in args if a is not None])
    return sql


# strftime (DuckDB) → formatDateTime (ClickHouse): the codes that differ
_STRFTIME = {"%M": "%i", "%B": "%M", "%-d": "%e", "%I": "%h", "%j": "%j", "%f": "%f"}


def _strftime(self, e) -> str:
    fmt = e.args["format"]
    if not isinstance(fmt, exp.Literal):
        raise ValueError("strftime with a computed format cannot be translated")
    out = re.sub(r"%-?[A-Za-z]", lambda mt: _STRFTIME.get(mt.group(0), mt.group(0)), fmt.name)
    return self.func("formatDateTime", e.this, exp.Literal.string(out))


def _quantile_disc(self, e) -> str:
    q = e.args.get("quantile") or e.args.get("expression")
    return f"quantileExactLow({self.sql(q)})({self.sql(e, 'this')})"


class _Generator(ClickHouseGenerator):
    VALUES_AS_TABLE = False      # VALUES (…), (…) as SELECT … UNION ALL SELECT …
    TYPE_MAPPING = {
        **ClickHouseGenerator.TYPE_MAPPING,
        exp.DType.TIMESTAMP: "DateTime64(6)",
        exp.DType.TIMESTAMPNTZ: "DateTime64(6)",
        exp.DType.DATETIME: "DateTime64(6)",
        exp.DType.DATE: "Date32",
    }
    TRANSFORMS = {
        **ClickHouseGenerator.TRANSFORMS,
        exp.PercentileCont: _percentile_cont,
        exp.Median: _median,
        exp.Quantile: _quantile_disc,
        exp.PercentileDisc: _quantile_disc,
        exp.RegexpFullMatch: _regexp_full_match,
        exp.RegexpReplace: _regexp_replace,
        exp.TimeToStr: _strftime,
        exp.Left: _utf8("leftUTF8"),
        exp.Right: _utf8("rightUTF8"),
        exp.Substring: _utf8("substringUTF8"),
        exp.Lower: lambda self, e: self.func("lowerUTF8", e.this),
        exp.Upper: lambda self, e: self.func("upperUTF8", e.this),
    }


class GridwallClickHouse(ClickHouse):
    """ClickHouse as sqlglot writes it, with the fixes of the table above."""

    Generator = _Generator


# --- parameters ---------------------------------------------------------------------------

_SENTINEL = "__gwp{}__"
_SENTINEL_RE = re.compile(r"__gwp(\d+)__")


def _mark_placeholders(sql: str) -> tuple[str, int]:
    """Replace each ``?`` outside quotes and comments by a numbered sentinel identifier."""
    out, n, i, size = [], 0, 0, len(sql)
    while i < size:
        ch = sql[i]
        if ch in ("'", '"'):
            j = i + 1
            while j < size:
                if sql[j] == ch:
                    if j + 1 < size and sql[j + 1] == ch:   # doubled quote inside
                        j += 2
                        continue
                    break
                j += 1
            out.append(sql[i:j + 1])
            i = j + 1
        elif sql.startswith("--", i):
            j = sql.find("\n", i)
            j = size if j < 0 else j
            out.append(sql[i:j])
            i = j
        elif ch == "?":
            out.append(_SENTINEL.format(n))
            n += 1
            i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out), n


_BOOL_TYPES = (exp.Predicate, exp.Not, exp.And, exp.Or, exp.Boolean)


def _bool_projections(tree: exp.Expression) -> None:
    """Cast boolean projections of the outermost SELECT(s) to Bool (ClickHouse says UInt8)."""
    selects = [tree] if isinstance(tree, exp.Select) else (
        [s for s in tree.find_all(exp.Select) if s.parent is tree or
         isinstance(s.parent, exp.SetOperation) and s.parent is tree]
        if isinstance(tree, exp.SetOperation) else [])
    for sel in selects:
        for proj in sel.expressions:
            target = proj.this if isinstance(proj, exp.Alias) else proj
            if isinstance(target, _BOOL_TYPES):
                cast = exp.Cast(this=target.copy(), to=exp.DataType.build("BOOLEAN"))
                if isinstance(proj, exp.Alias):
                    proj.set("this", cast)
                else:
                    proj.replace(exp.alias_(cast, target.sql("duckdb")))


# DuckDB functions sqlglot does not know, by their ClickHouse names
RENAMED = {"to_microseconds": "toIntervalMicrosecond"}


def _rename_functions(tree: exp.Expression) -> None:
    for fn in tree.find_all(exp.Anonymous):
        new = RENAMED.get(str(fn.this).lower())
        if new:
            fn.set("this", new)


def _sources(sel: exp.Select, schema: dict, ctes: dict) -> dict[str, tuple[str, ...]]:
    """alias -> columns of each table a SELECT reads (a CTE shadows a table of its name;
    ``main.events`` is always the stored table)."""
    out = {}
    frm = sel.args.get("from_")
    for src in ([frm.this] if frm else []) + [j.this for j in sel.args.get("joins") or []]:
        if isinstance(src, exp.Table):
            cols = schema.get(src.name) if src.db else ctes.get(src.name, schema.get(src.name))
            if cols:
                out[src.alias_or_name] = cols
    return out


def _output_columns(sel, schema: dict, ctes: dict) -> tuple[str, ...] | None:
    """The column names a CTE's SELECT gives, when they can be told from the schema."""
    if not isinstance(sel, exp.Select):
        return None
    sources, cols = _sources(sel, schema, ctes), []
    for proj in sel.expressions:
        star = proj if isinstance(proj, exp.Star) else (
            proj.this if isinstance(proj, exp.Column) and isinstance(proj.this, exp.Star) else None)
        if star is not None:
            table = proj.table if isinstance(proj, exp.Column) else None
            if table is None and len(sources) != 1:
                return None
            src = sources.get(table) if table else next(iter(sources.values()))
            if src is None:
                return None
            drop = {c.name for c in star.args.get("except_") or []}
            cols += [c for c in src if c not in drop]
        elif proj.alias_or_name:
            cols.append(proj.alias_or_name)
        else:
            return None
    return tuple(cols)


def _expand_qualified_stars(tree: exp.Expression, schema: dict[str, tuple[str, ...]]) -> None:
    """``e.*`` over a join: DuckDB names the columns ``category``, ClickHouse ``e.category``
    when another joined table has a ``category`` too. With the store's schema (and the
    columns of the query's CTEs, told from it), ``e.*`` (and its ``EXCLUDE``) becomes the
    explicit list of ``e``'s columns."""
    if not schema:
        return
    ctes: dict[str, tuple[str, ...]] = {}
    with_ = tree.args.get("with_")
    for cte in (with_.expressions if with_ else []):
        cols = _output_columns(cte.this, schema, ctes)
        if cols:
            ctes[cte.alias] = cols
    for sel in tree.find_all(exp.Select):
        sources = _sources(sel, schema, ctes)
        if not sources:
            continue
        new = []
        for proj in sel.expressions:
            if (isinstance(proj, exp.Column) and isinstance(proj.this, exp.Star)
                    and proj.table in sources):
                drop = {c.name for c in proj.this.args.get("except_") or []}
                new += [exp.column(c, table=proj.table) for c in sources[proj.table]
                        if c not in drop]
            else:
                new.append(proj)
        sel.set("expressions", new)


def _main_schema(tree: exp.Expression, database: str) -> None:
    """DuckDB's default schema ``main`` is the store's database in ClickHouse."""
    for t in tree.find_all(exp.Table):
        if t.db == "main":
            t.set("db", exp.to_identifier(database))


def _name_qualified_columns(tree: exp.Expression) -> None:
    """``SELECT g.grid_id`` is named ``grid_id`` in DuckDB and ``g.grid_id`` in ClickHouse:
    give every unaliased qualified column its bare name."""
    for sel in tree.find_all(exp.Select):
        for proj in list(sel.expressions):
            if (isinstance(proj, exp.Column) and proj.table
                    and not isinstance(proj.this, exp.Star)):
                proj.replace(exp.alias_(proj.copy(), proj.name, quoted=True))


@functools.lru_cache(maxsize=1024)
def translate(sql: str, schema: tuple = (), database: str = "default") -> tuple[str, int]:
    """A DuckDB query → (ClickHouse text with parameter sentinels, number of parameters).

    ``schema``: ((table, (column, …)), …) of the store, to expand ``alias.*``;
    ``database``: what DuckDB's ``main.`` becomes."""
    marked, n = _mark_placeholders(sql)
    tree = sqlglot.parse_one(marked, read="duckdb")
    _expand_qualified_stars(tree, dict(schema))
    _main_schema(tree, database)
    _rename_functions(tree)
    _name_qualified_columns(tree)
    _bool_projections(tree)
    return tree.sql(dialect=GridwallClickHouse), n




def literal(value) -> str:
    """A Python value as a ClickHouse literal (safe: strings are escaped, never pasted raw)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "item") and not isinstance(value, (list, tuple, str)):  # numpy scalars
        value = value.item()
        if isinstance(value, bool):
            return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            raise ValueError(f"timestamps are naive local time, got {value!r}")
        # not clamped to 1900-2299 (the old DateTime64 range): chdb-core 26.9 holds years
        # 0000-9999, and a stored 1850 or 2350 (a min_date of 1800, an as_of in 2500) must
        # compare as in DuckDB; an older server clamps out-of-range values itself
        return f"toDateTime64('{value.isoformat(sep=' ', timespec='microseconds')}', 6)"
    if isinstance(value, dt.date):
        return f"toDate32('{value.isoformat()}')"
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    raise TypeError(f"cannot bind {type(value).__name__} as a ClickHouse literal")


def bind(sql: str, params, schema: tuple = (), database: str = "default") -> str:
    """``sql`` (DuckDB dialect, ``?`` parameters) as one ClickHouse statement."""
    text, n = translate(sql, schema, database)
    params = list(params or [])
    if isinstance(params, dict) or len(params) != n:
        raise ValueError(f"query has {n} parameters, {len(params)} given")
    lits = [literal(p) for p in params]
    return _SENTINEL_RE.sub(lambda mt: lits[int(mt.group(1))], text)


# --- types --------------------------------------------------------------------------------

_TYPES = {
    "VARCHAR": "String", "BLOB": "String", "BOOLEAN": "Bool", "BIGINT": "Int64",
    "INTEGER": "Int32", "SMALLINT": "Int16", "TINYINT": "Int8", "DOUBLE": "Float64",
    "FLOAT": "Float32", "DATE": "Date32", "TIMESTAMP": "DateTime64(6)",
    "HUGEINT": "Int128", "UBIGINT": "UInt64", "UINTEGER": "UInt32",
}


def ch_type(duckdb_type: str, nullable: bool = True) -> str:
    """The ClickHouse column type for a DuckDB column type: ``Nullable`` unless the DuckDB
    column is NOT NULL (a NOT NULL column may be a partition key, which cannot be Nullable)."""
    base = duckdb_type.upper()
    if base.startswith("DECIMAL"):
        base = "DOUBLE"
    if base not in _TYPES:
        raise ValueError(f"no ClickHouse type for DuckDB {duckdb_type}")
    return f"Nullable({_TYPES[base]})" if nullable else _TYPES[base]
