"""Set-based staging in DuckDB: within-load duplicates, then replace-by-key upserts.

A staged relation carries the target table's columns plus ``__src`` (the source's position
in the config) and ``__pos`` (the row's position in that source), so conflicts can be
traced back to the source row, and counts can be reported per source.
"""
from __future__ import annotations

import duckdb
import pandas as pd

SEP = "chr(31)"


def hash_expr(cols: list[str], blob_cols: tuple[str, ...] = (), alias: str = "") -> str:
    """md5 over the columns' text (NULL kept distinct from ''), stable across versions."""
    pre = f"{alias}." if alias else ""
    parts = []
    for c in cols:
        value = f"hex({pre}{c})" if c in blob_cols else f"CAST({pre}{c} AS VARCHAR)"
        parts.append(f"coalesce({value}, chr(0))")
    return f"md5(concat_ws({SEP}, {', '.join(parts)}))"


def register(con: duckdb.DuckDBPyConnection, name: str, frame) -> None:
    """Register a pandas frame or Arrow table as a view (replacing an older one)."""
    try:
        con.unregister(name)
    except duckdb.Error:
        pass
    con.register(name, frame)


def dedup(con: duckdb.DuckDBPyConnection, stage: str, keys: list[str], hash_col: str,
          out: str) -> pd.DataFrame:
    """Keep the first row of every key (config order, then row order) in table ``out``.

    Later rows with the same key and the same hash are exact duplicates: dropped silently.
    Later rows with a different hash are returned as conflicts (__src, __pos, first_src,
    first_pos) for the rejects table.
    """
    k = ", ".join(keys)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {out}__ranked AS
        SELECT *, row_number() OVER w AS __rn,
               first_value({hash_col}) OVER w AS __first_hash,
               first_value(__src) OVER w AS __first_src,
               first_value(__pos) OVER w AS __first_pos
        FROM {stage} WINDOW w AS (PARTITION BY {k} ORDER BY __src, __pos)""")
    conflicts = con.execute(f"""
        SELECT __src, __pos, __first_src, __first_pos FROM {out}__ranked
        WHERE __rn > 1 AND {hash_col} IS DISTINCT FROM __first_hash
        ORDER BY __src, __pos""").df()
    dups = con.execute(f"""
        SELECT __src AS src, count(*) AS n FROM {out}__ranked
        WHERE __rn > 1 AND {hash_col} IS NOT DISTINCT FROM __first_hash
        GROUP BY __src""").df()
    con.execute(f"""CREATE OR REPLACE TEMP TABLE {out} AS
        SELECT * EXCLUDE (__rn, __first_hash, __first_src, __first_pos)
        FROM {out}__ranked WHERE __rn = 1""")
    con.execute(f"DROP TABLE {out}__ranked")
    conflicts.attrs["duplicates"] = {int(r.src): int(r.n) for r in dups.itertuples()}
    return conflicts


def column_types(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    """Column name -> SQL type of a main-schema table."""
    rows = con.execute("SELECT column_name, data_type FROM duckdb_columns() "
                       "WHERE table_name = ? AND schema_name = 'main' AND NOT internal",
                       [table]).fetchall()
    return dict(rows)


def stage_columns(con: duckdb.DuckDBPyConnection, stage: str) -> set[str]:
    return {r[0] for r in con.execute(f"DESCRIBE {stage}").fetchall()}


def upsert(con: duckdb.DuckDBPyConnection, table: str, keys: list[str], stage: str,
           compare: list[str], insert_cols: list[str]) -> pd.DataFrame:
    """Replace rows of ``table`` by key from ``stage``; returns counts per source (src, change, n).

    change is 'new' (key not in table), 'updated' (a compared column differs) or
    'unchanged' (left alone, so re-loading the same file changes nothing).
    """
    types = column_types(con, table)
    casts = ", ".join(f"CAST({c} AS {types[c]}) AS {c}" for c in insert_cols
                      if c in types and c in stage_columns(con, stage))
    typed = f"(SELECT * REPLACE ({casts}) FROM {stage})" if casts else stage
    on = " AND ".join(f"t.{c} = s.{c}" for c in keys)
    same = " AND ".join(f"s.{c} IS NOT DISTINCT FROM t.{c}" for c in compare) or "TRUE"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {stage}__chg AS
        SELECT s.*, CASE WHEN t.{keys[0]} IS NULL THEN 'new'
                         WHEN {same} THEN 'unchanged' ELSE 'updated' END AS __change
        FROM {typed} s LEFT JOIN {table} t ON {on}""")
    k = ", ".join(keys)
    con.execute(f"""DELETE FROM {table} WHERE ({k}) IN
        (SELECT ({k}) FROM {stage}__chg WHERE __change = 'updated')""")
    cols = ", ".join(insert_cols)
    con.execute(f"""INSERT INTO {table} ({cols}) SELECT {cols} FROM {stage}__chg
        WHERE __change IN ('new', 'updated')""")
    counts = con.execute(f"""SELECT __src AS src, __change AS change, count(*) AS n
        FROM {stage}__chg GROUP BY ALL""").df()
    con.execute(f"DROP TABLE {stage}__chg")
    return counts


def count_map(counts: pd.DataFrame, src: int) -> dict[str, int]:
    sub = counts[counts["src"] == src]
    out = {"new": 0, "updated": 0, "unchanged": 0}
    for r in sub.itertuples():
        out[r.change] = int(r.n)
    return out
