"""Edges the demo county never reaches, on both engines (DuckDB, and the same rows published
to chdb): stored times outside ClickHouse's old 1900–2299 range and an as_of far ahead,
polygons whose WKB bytes happen to be valid UTF-8, ties in the briefing's overdue lists.
Each answer is checked against the definition (docs/metrics.md), not only engine against
engine."""
from __future__ import annotations

import datetime as dt

import duckdb
import shapely
from shapely.geometry import box

from store import briefing_reads as br
from store import cameras_near as cn
from store import event_rows as er
from store import event_table as et
from store import hotspots as hs
from store import map_reads as mr
from store import metrics as m
from store.analysis_filters import parse_filters
from store.schema import create_schema, refresh_rollups
from store.settings import Settings
from tests.store.dbmaker import ev, make_db
from tests.engines import store_on

H = dt.timedelta(hours=1)
OPEN_2025 = dt.datetime(2025, 1, 1, 8)


def test_times_outside_1900_to_2299_count_as_in_duckdb(tmp_path, engine):
    """A min_date of 1800 loads an 1850 case; a request may ask as of 2500 (years up to 2999
    are accepted). ClickHouse bound its parameters clamped to 1900–2299, so the backlog lost
    the cases before 1900, a window up to 2999 lost the case of 2350, the event list lost
    both, and an open case's hours overdue were counted to 2299."""
    db = make_db(tmp_path / "old.duckdb", [
        ev("A1850", dt.datetime(1850, 1, 1)),
        ev("B1899", dt.datetime(1899, 12, 31, 23, 59, 59, 999999)),
        ev("C2350", dt.datetime(2350, 1, 1)),
        ev("D2025", OPEN_2025)])
    s = Settings()
    store = store_on(engine, db)
    try:
        got = m.metrics(store, s, start=dt.date(1900, 1, 1), end=dt.date(2999, 1, 1),
                        as_of=dt.datetime(2025, 6, 1))
        assert (got["reported"], got["open_backlog"], got["red"]) == (2, 3, 3), engine
        everything = parse_filters(store, s, {"as_of": "2025-06-01T00:00"}, unbounded=True)
        page = et.event_page(store, s, everything, et.Page(sort="reported_at"))
        assert [r["event_id"] for r in page["rows"]] == ["A1850", "B1899", "D2025", "C2350"]
        far = dt.datetime(2500, 1, 1)
        card = er.event_detail(store, s, "D2025", as_of=far)
        assert card["overdue_hours"] == (far - (OPEN_2025 + 72 * H)) / H, engine
    finally:
        if engine == "duckdb":
            store.close()


# whole and half degrees: every byte of these polygons' WKB is valid UTF-8
WEST, EAST = box(120.0, 30.0, 121.0, 31.0), box(121.0, 30.0, 121.5, 31.0)


def _round_degree_county(path):
    con = duckdb.connect(str(path))
    create_schema(con)
    for code, geom in (("T1", WEST), ("T2", EAST)):
        wkb = shapely.to_wkb(geom)
        con.execute("INSERT INTO townships VALUES (?, ?, 100.0, ?, ?, ?, ?)",
                    [code, f"{code}镇", geom.centroid.x, geom.centroid.y, wkb, wkb])
        con.execute("INSERT INTO grids VALUES (?, ?, ?, ?, '张三', 1, 1, 100.0, ?, ?, ?, ?)",
                    [f"G{code}", f"{code}网格", code, f"{code}V", geom.centroid.x,
                     geom.centroid.y, wkb, wkb])
    con.execute("INSERT INTO events (event_id, reported_at, category, grid_id, township_code,"
                " lon, lat) VALUES ('E1', '2025-06-01 10:00', '矛盾纠纷', 'GT1', 'T1', 120.5,"
                " 30.5)")
    refresh_rollups(con)
    con.close()
    return path


def test_a_polygon_whose_wkb_reads_as_text_is_still_a_polygon(tmp_path, engine):
    """ClickHouse gives BLOB and text alike as String; the store told them apart by whether
    the bytes were valid UTF-8, so these polygons came back as text and the map, the cameras
    near a grid and the hotspots' neighbours failed on them (TypeError)."""
    for geom in (WEST, EAST):
        shapely.to_wkb(geom).decode("utf-8")          # the premise of this test
    store = store_on(engine, _round_degree_county(tmp_path / "round.duckdb"))
    s = Settings()
    try:
        towns = mr.township_shapes(store, s)
        assert [g.wkb for g in towns.geometry] == [shapely.to_wkb(WEST), shapely.to_wkb(EAST)]
        grids = mr.grid_shapes(store, s, "T1")
        assert [g.wkb for g in grids.geometry] == [shapely.to_wkb(WEST)]
        assert cn.grid_geometry(store, "GT2").equals(EAST)
        assert hs.grid_neighbours(store, s) == {"GT1": ["GT2"], "GT2": ["GT1"]}
    finally:
        if engine == "duckdb":
            store.close()


def test_the_briefings_overdue_grids_tie_by_code_on_every_engine(tmp_path, engine):
    """Twelve grids named 第一网格 (one per village of two townships), each with one case
    overdue since the same moment: equal count, age and name. They were listed in the
    engine's hash order, different on DuckDB and ClickHouse and from run to run."""
    grids = [(f"G{i:02d}", "第一网格", f"T{i % 2 + 1}", f"V{i}") for i in range(12)]
    db = make_db(tmp_path / "tie.duckdb",
                 [ev(f"E{i:02d}", OPEN_2025, grid=g, township=t) for i, (g, _, t, _) in
                  enumerate(grids)], grids=grids)
    store = store_on(engine, db)
    try:
        got = br.overdue_by(store, Settings(), dt.datetime(2025, 6, 1), "grid")
        assert list(got["code"]) == [g for g, *_ in grids]
        assert list(got["red"]) == [1] * 12
    finally:
        if engine == "duckdb":
            store.close()
