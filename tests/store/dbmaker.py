"""Small real DuckDB files for store tests: the real schema, rows written as given.

The ETL has its own tests; these build exact rows so metric edge cases (a timestamp one
microsecond either side of a limit) can be placed precisely.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from store.schema import create_schema

EVENT_COLS = ("event_id", "reported_at", "category", "grid_id", "township_code", "village_code",
              "accepted_at", "dispatched_at", "closed_at", "level", "status", "satisfaction",
              "supervised")


def ev(event_id: str, reported_at: dt.datetime, *, category: str = "矛盾纠纷", grid: str = "G1",
       township: str = "T1", village: str = "V1", accepted_at=None, dispatched_at=None,
       closed_at=None, level=None, status=None, satisfaction=None, supervised=False) -> tuple:
    return (event_id, reported_at, category, grid, township, village, accepted_at, dispatched_at,
            closed_at, level, status, satisfaction, supervised)


def make_db(path: Path, events: list[tuple], cameras: list[tuple] = (),
            townships=(("T1", "甲镇"), ("T2", "乙镇")),
            grids=(("G1", "一号网格", "T1", "V1"), ("G2", "二号网格", "T1", "V1"),
                   ("G3", "三号网格", "T2", "V2")),
            meta: dict | None = None) -> Path:
    con = duckdb.connect(str(path))
    create_schema(con)
    con.executemany("INSERT INTO townships (township_code, township_name) VALUES (?, ?)",
                    list(townships))
    con.executemany("INSERT INTO grids (grid_id, grid_name, township_code, village_code)"
                    " VALUES (?, ?, ?, ?)", list(grids))
    if events:
        con.executemany(f"INSERT INTO events ({', '.join(EVENT_COLS)}) VALUES "
                        f"({', '.join('?' for _ in EVENT_COLS)})", list(events))
    if cameras:
        con.executemany("INSERT INTO cameras (camera_id, status, grid_id, township_code)"
                        " VALUES (?, ?, ?, ?)", list(cameras))
    for k, v in (meta or {}).items():
        con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [k, v])
    con.close()
    return path
